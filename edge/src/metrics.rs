//! Handoff metrics: per-day counters kept by each site's Router, fed by the state machine's
//! metric effects, and the report the admin API returns.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One metric effect, with the context the conversation adds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MetricEvent {
    /// `conversation_started`, `escalated`, `agent_joined`, `resolved`, `reopened`, `csat`, ...
    pub name: String,
    /// Trigger that escalated the conversation, if it did.
    #[serde(default)]
    pub trigger: Option<String>,
    /// Customer segment, if known.
    #[serde(default)]
    pub segment: Option<String>,
    /// A number that goes with it (CSAT score, seconds to agent).
    #[serde(default)]
    pub value: Option<f64>,
}

/// Kept per day; time-to-agent keeps a bounded sample for percentiles.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DayMetrics {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Conversations started.
    pub conversations: u32,
    /// Conversations handed to a human.
    pub escalations: u32,
    /// Escalations by trigger id.
    pub by_trigger: BTreeMap<String, u32>,
    /// Escalations by segment.
    pub by_segment: BTreeMap<String, u32>,
    /// Agent joins.
    pub agent_joined: u32,
    /// Resolutions after a handoff.
    pub resolved: u32,
    /// Reopened after resolution.
    pub reopened: u32,
    /// Seconds from queue to agent (bounded sample).
    pub time_to_agent: Vec<f64>,
    /// CSAT ratings 1..=5, counted.
    pub csat: [u32; 5],
    /// Helpdesk deliveries given up after the last retry (each raised an alert).
    #[serde(default)]
    pub delivery_failed: u32,
    /// Escalations that overflowed to a secondary queue.
    #[serde(default)]
    pub overflowed: u32,
    /// AI provider calls that gave no usable answer (timeout, error, unreadable answer).
    #[serde(default)]
    pub ai_failed: u32,
    /// Conversations an agent moved to another queue.
    #[serde(default)]
    pub transferred: u32,
}

const TTA_KEPT: usize = 1000;

impl DayMetrics {
    /// Count one event.
    pub fn add(&mut self, e: &MetricEvent) {
        match e.name.as_str() {
            "conversation_started" => self.conversations += 1,
            "escalated" => {
                self.escalations += 1;
                let trigger = e.trigger.clone().unwrap_or_else(|| "unknown".into());
                *self.by_trigger.entry(trigger).or_default() += 1;
                let segment = e.segment.clone().unwrap_or_else(|| "none".into());
                *self.by_segment.entry(segment).or_default() += 1;
            }
            "agent_joined" => self.agent_joined += 1,
            "resolved" => self.resolved += 1,
            "reopened" => self.reopened += 1,
            "delivery_failed" => self.delivery_failed += 1,
            "overflowed" => self.overflowed += 1,
            "ai_failed" => self.ai_failed += 1,
            "transferred" => self.transferred += 1,
            "time_to_agent" => {
                if let Some(v) = e.value {
                    if self.time_to_agent.len() < TTA_KEPT {
                        self.time_to_agent.push(v);
                    }
                }
            }
            "csat" => {
                if let Some(score) = e.value {
                    let i = (score.round() as usize).clamp(1, 5) - 1;
                    self.csat[i] += 1;
                }
            }
            _ => {}
        }
    }

    /// The day as the admin API reports it.
    pub fn report(&self) -> serde_json::Value {
        let mut tta = self.time_to_agent.clone();
        baton_shared::order::sort_by(&mut tta, f64::total_cmp);
        let pct = |p: f64| -> Option<f64> {
            if tta.is_empty() {
                return None;
            }
            let i = ((p / 100.0) * (tta.len() - 1) as f64).round() as usize;
            Some((tta[i] * 10.0).round() / 10.0)
        };
        let ratings: u32 = self.csat.iter().sum();
        let csat_avg = (ratings > 0).then(|| {
            let sum: u32 = self
                .csat
                .iter()
                .enumerate()
                .map(|(i, n)| (i as u32 + 1) * n)
                .sum();
            (f64::from(sum) / f64::from(ratings) * 100.0).round() / 100.0
        });
        let rate = |a: u32, b: u32| {
            (b > 0).then(|| (f64::from(a) / f64::from(b) * 1000.0).round() / 1000.0)
        };
        serde_json::json!({
            "day": self.day,
            "conversations": self.conversations,
            "escalations": self.escalations,
            "handoff_rate": rate(self.escalations, self.conversations),
            "escalations_by_trigger": self.by_trigger,
            "escalations_by_segment": self.by_segment,
            "time_to_agent_seconds": { "p50": pct(50.0), "p90": pct(90.0), "p99": pct(99.0), "samples": tta.len() },
            "csat": { "average": csat_avg, "ratings": ratings, "histogram": self.csat },
            "resolved_after_handoff": self.resolved,
            "resolution_rate_after_handoff": rate(self.resolved, self.escalations),
            "reopened": self.reopened,
            "overflowed": self.overflowed,
            "delivery_failed_alerts": self.delivery_failed,
            "ai_failures": self.ai_failed,
            "transfers": self.transferred,
        })
    }
}

/// `YYYY-MM-DD` in UTC for a time in ms.
pub fn utc_day(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_iso_string())
        .chars()
        .take(10)
        .collect()
}
