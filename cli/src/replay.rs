//! `baton replay`: evaluates recorded conversations turn by turn against a config and reports
//! whether and where each would have escalated, with the decision record, then totals.
//!
//! Input: one conversation per line (JSON lines):
//!
//! ```json
//! {"id": "c-17", "user": {"plan": "enterprise", "account_value": 50000}, "locale": "en",
//!  "turns": [{"role": "customer", "text": "The export fails"},
//!            {"role": "ai", "text": "Try a smaller range.", "confidence": 0.3, "resolved": false,
//!             "intent": "technical"}]}
//! ```
//!
//! - `id` (required) also decides the rollout bucket, as conversation ids do live.
//! - `user` (optional): identity attributes segments match on (`plan`, `tier`, `account_value`,
//!   `verified`).
//! - `locale` (optional): defaults to the config's `site.locale`.
//! - `turns`: `role` is `customer` or `ai` (other roles, e.g. `agent`, are skipped); an AI turn
//!   with empty `text` counts as no answer; `confidence` defaults to 1 for an answer, 0 for none.
//!
//! Customer turns are checked for hard triggers as they arrive; after each AI turn the soft
//! signals are scored, exactly as the worker does. The first acted-on decision ends the
//! conversation's replay; shadowed or out-of-rollout decisions are listed as recorded only.

use baton_shared::decision::{
    evaluate, segment_for, AiSignal, ConversationSignals, Decision, TurnInput,
};
use baton_shared::trigger::HardTriggers;
use baton_shared::{Category, SiteConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Transcript {
    id: String,
    #[serde(default)]
    user: serde_json::Value,
    #[serde(default)]
    locale: Option<String>,
    turns: Vec<Turn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Turn {
    role: String,
    text: String,
    #[serde(default)]
    confidence: Option<f32>,
    #[serde(default)]
    resolved: bool,
    #[serde(default)]
    intent: Option<Category>,
}

/// One conversation's outcome.
#[derive(Serialize)]
pub struct Outcome {
    id: String,
    /// The customer's segment, escalated or not.
    segment: Option<String>,
    escalated: bool,
    /// Customer turn (0-based) at which it escalated.
    turn: Option<u32>,
    explanation: Option<String>,
    decision: Option<Decision>,
    /// Escalations that shadow or rollout held back.
    recorded_only: Vec<String>,
}

/// Escalations out of conversations, with the rate.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    conversations: usize,
    escalated: usize,
    handoff_rate: f64,
}

/// What a replay adds up to.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    conversations: usize,
    escalated: usize,
    handoff_rate: f64,
    /// Escalations per deciding trigger (`soft` for the soft score).
    by_trigger: BTreeMap<String, usize>,
    /// Per segment (`none` for customers in no segment).
    by_segment: BTreeMap<String, Tally>,
    /// Escalations that shadow or the rollout held back.
    recorded_only: usize,
}

fn rate(escalated: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        ((escalated as f64 / total as f64) * 1000.0).round() / 1000.0
    }
}

impl Totals {
    fn of(outcomes: &[Outcome]) -> Self {
        let mut t = Self {
            conversations: outcomes.len(),
            ..Self::default()
        };
        for o in outcomes {
            let seg = t
                .by_segment
                .entry(o.segment.clone().unwrap_or_else(|| "none".into()))
                .or_default();
            seg.conversations += 1;
            t.recorded_only += o.recorded_only.len();
            if let Some(d) = o.decision.as_ref().filter(|_| o.escalated) {
                seg.escalated += 1;
                t.escalated += 1;
                let trigger = d.trigger.as_ref().map(ToString::to_string);
                *t.by_trigger.entry(trigger.unwrap_or_default()).or_default() += 1;
            }
        }
        t.handoff_rate = rate(t.escalated, t.conversations);
        for seg in t.by_segment.values_mut() {
            seg.handoff_rate = rate(seg.escalated, seg.conversations);
        }
        t
    }
}

/// Replay one transcript.
fn replay_one(config: &SiteConfig, hard: &HardTriggers, t: &Transcript) -> Outcome {
    let locale = t
        .locale
        .clone()
        .unwrap_or_else(|| config.site.locale.clone());
    let mut signals = ConversationSignals::default();
    let mut last_text = String::new();
    let mut last_sentiment = 0.0;
    let mut intent: Option<Category> = None;
    let mut recorded_only = Vec::new();
    let segment = segment_for(config, &t.user).map(|s| s.id.clone());
    for turn in &t.turns {
        let soft = match turn.role.as_str() {
            "customer" => {
                last_sentiment = signals.observe_customer(&turn.text);
                last_text.clone_from(&turn.text);
                false
            }
            "ai" => {
                if turn.intent.is_some() {
                    intent.clone_from(&turn.intent);
                }
                let answered = !turn.text.trim().is_empty();
                let ai = AiSignal {
                    answered,
                    confidence: turn.confidence.unwrap_or(if answered { 1.0 } else { 0.0 }),
                    resolved: turn.resolved,
                    intent: turn.intent.clone(),
                };
                signals.observe_ai(&ai, config.ai.confidence_floor);
                true
            }
            _ => continue,
        };
        if last_text.is_empty() {
            continue;
        }
        let d = evaluate(&TurnInput {
            config,
            hard,
            text: if soft { "" } else { &last_text },
            locale: &locale,
            user: &t.user,
            conversation_id: &t.id,
            signals: &signals,
            sentiment: last_sentiment,
            intent: intent.as_ref(),
            soft,
        });
        if d.escalate && d.act {
            return Outcome {
                id: t.id.clone(),
                segment,
                escalated: true,
                turn: Some(d.turn),
                explanation: Some(d.explain()),
                decision: Some(d),
                recorded_only,
            };
        }
        if d.escalate || !d.shadowed.is_empty() {
            recorded_only.push(d.explain());
        }
    }
    Outcome {
        id: t.id.clone(),
        segment,
        escalated: false,
        turn: None,
        explanation: None,
        decision: None,
        recorded_only,
    }
}

/// Replay every line of `text`; returns outcomes and per-line errors.
pub fn replay_all(config: &SiteConfig, text: &str) -> (Vec<Outcome>, Vec<String>) {
    let hard = HardTriggers::from_config(&config.triggers);
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Transcript>(line) {
            Ok(t) => outcomes.push(replay_one(config, &hard, &t)),
            Err(e) => errors.push(format!("line {}: {e}", n + 1)),
        }
    }
    (outcomes, errors)
}

/// Run the subcommand.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut config_path = None;
    let mut file = None;
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" => config_path = it.next().cloned(),
            "--json" => json = true,
            other if file.is_none() && !other.starts_with("--") => file = Some(other.to_owned()),
            other => return Err(format!("unexpected argument {other}\nusage: baton replay --config FILE TRANSCRIPTS.jsonl [--json]")),
        }
    }
    let (Some(config_path), Some(file)) = (config_path, file) else {
        return Err("usage: baton replay --config FILE TRANSCRIPTS.jsonl [--json]".into());
    };
    let config = crate::load_config(&config_path)?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let (outcomes, errors) = replay_all(&config, &text);
    for e in &errors {
        eprintln!("{file}: {e}");
    }
    let totals = Totals::of(&outcomes);
    if json {
        for o in &outcomes {
            println!("{}", serde_json::to_string(o).map_err(|e| e.to_string())?);
        }
        println!("{}", serde_json::json!({ "totals": totals }));
    } else {
        for o in &outcomes {
            match (&o.turn, &o.explanation) {
                (Some(turn), Some(why)) => {
                    println!("{}: escalates at customer turn {} — {why}", o.id, turn + 1)
                }
                _ => println!("{}: stays with the AI", o.id),
            }
            for r in &o.recorded_only {
                println!("    recorded only: {r}");
            }
        }
        println!(
            "\n{} of {} conversations would escalate (handoff rate {:.1} %)",
            totals.escalated,
            totals.conversations,
            totals.handoff_rate * 100.0
        );
        for (t, n) in &totals.by_trigger {
            println!("  by trigger  {t:<20} {n}");
        }
        for (s, seg) in &totals.by_segment {
            println!(
                "  by segment  {s:<20} {} of {} ({:.1} %)",
                seg.escalated,
                seg.conversations,
                seg.handoff_rate * 100.0
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} line(s) could not be read", errors.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_transcripts_replay_as_expected() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = SiteConfig::from_json(
            &std::fs::read_to_string(root.join("config/examples/b2b-saas.json")).unwrap(),
        )
        .unwrap();
        let text = std::fs::read_to_string(root.join("config/transcripts/sample.jsonl")).unwrap();
        let (outcomes, errors) = replay_all(&config, &text);
        assert!(errors.is_empty(), "{errors:?}");
        let get = |id: &str| outcomes.iter().find(|o| o.id == id).unwrap();
        assert!(get("hard-billing").escalated);
        assert_eq!(get("hard-billing").turn, Some(1));
        assert!(!get("routine-pricing").escalated);
        assert!(
            get("soft-enterprise").escalated,
            "enterprise threshold is lower"
        );
        assert!(
            !get("soft-free").escalated,
            "the same conversation on the free plan stays with the AI"
        );
        assert!(get("negated-cancel").turn.is_none());
        let d = get("soft-enterprise").decision.as_ref().unwrap();
        assert!(!d.hard);
        assert_eq!(d.segment.as_deref(), Some("enterprise"));
        assert_eq!(get("soft-free").segment.as_deref(), Some("free"));
        assert_eq!(get("shadow-cancel").recorded_only.len(), 1);

        let totals = Totals::of(&outcomes);
        assert_eq!(totals.conversations, 10);
        assert_eq!(
            totals.escalated,
            outcomes.iter().filter(|o| o.escalated).count()
        );
        assert_eq!(totals.by_trigger.values().sum::<usize>(), totals.escalated);
        assert_eq!(
            totals
                .by_segment
                .values()
                .map(|s| s.conversations)
                .sum::<usize>(),
            totals.conversations,
            "every conversation counts in one segment, escalated or not"
        );
        assert_eq!(totals.by_segment["free"].escalated, 0);
        assert_eq!(totals.by_segment["enterprise"].handoff_rate, 1.0);
        assert_eq!(totals.recorded_only, 1);
    }
}
