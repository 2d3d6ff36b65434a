//! `baton replay`: evaluates recorded conversations turn by turn against a config and reports
//! whether and where each would have escalated, with the decision record, then totals.
//!
//! Input: JSON lines `{"id", "user"?: {...}, "locale"?, "turns": [{"role": "customer"|"ai",
//! "text", "confidence"?, "resolved"?, "intent"?}]}`.

use baton_shared::decision::{evaluate, AiSignal, ConversationSignals, Decision, TurnInput};
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
    escalated: bool,
    /// Customer turn (0-based) at which it escalated.
    turn: Option<u32>,
    explanation: Option<String>,
    decision: Option<Decision>,
    /// Escalations that shadow or rollout held back.
    recorded_only: Vec<String>,
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
    let total = outcomes.len();
    let escalated = outcomes.iter().filter(|o| o.escalated).count();
    let mut by_trigger: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_segment: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for o in &outcomes {
        let segment = o.decision.as_ref().and_then(|d| d.segment.clone());
        let seg = segment.unwrap_or_else(|| "none".into());
        let entry = by_segment.entry(seg).or_default();
        entry.0 += 1;
        if let Some(d) = &o.decision {
            entry.1 += 1;
            *by_trigger
                .entry(
                    d.trigger
                        .as_ref()
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                )
                .or_default() += 1;
        }
    }
    let rate = if total == 0 {
        0.0
    } else {
        escalated as f64 / total as f64
    };
    if json {
        for o in &outcomes {
            println!("{}", serde_json::to_string(o).map_err(|e| e.to_string())?);
        }
        println!(
            "{}",
            serde_json::json!({ "totals": { "conversations": total, "escalated": escalated, "handoff_rate": rate, "by_trigger": by_trigger, "escalated_by_segment": by_segment.iter().map(|(k, v)| (k.clone(), v.1)).collect::<BTreeMap<_, _>>() } })
        );
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
            "\n{escalated} of {total} conversations would escalate (handoff rate {:.1} %)",
            rate * 100.0
        );
        for (t, n) in &by_trigger {
            println!("  by trigger  {t:<20} {n}");
        }
        for (s, (n, e)) in &by_segment {
            println!("  by segment  {s:<20} {e} of {n}");
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
    }
}
