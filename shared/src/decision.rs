//! One evaluation per customer turn: hard triggers first, then the weighted soft signals against
//! the segment's threshold, with shadow and rollout applied. The record explains itself.

use crate::config::{Priority, Segment, SiteConfig};
use crate::ids::{Category, TriggerId};
use crate::signal::sentiment::sentiment;
use crate::trigger::{HardHit, HardTriggers};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// What the conversation has shown so far; updated turn by turn by the host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationSignals {
    /// Customer messages so far.
    pub customer_turns: u32,
    /// AI answers that failed (no answer, below the confidence floor).
    pub failed_attempts: u32,
    /// The AI's confidence in its last answer.
    pub last_confidence: Option<f32>,
    /// Recent customer sentiment (exponentially weighted, newest counts half).
    pub sentiment: f64,
    /// Customer turns since the AI last resolved something.
    pub turns_without_progress: u32,
}

/// What the AI said about its own answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiSignal {
    /// Whether it had an answer at all.
    pub answered: bool,
    /// Its confidence in [0, 1].
    pub confidence: f32,
    /// Whether it believes the problem is solved.
    #[serde(default)]
    pub resolved: bool,
    /// The intent it identified.
    #[serde(default)]
    pub intent: Option<Category>,
}

impl ConversationSignals {
    /// Count a customer message; returns its sentiment.
    pub fn observe_customer(&mut self, text: &str) -> f64 {
        let s = sentiment(text);
        self.sentiment = if self.customer_turns == 0 {
            s
        } else {
            0.5 * self.sentiment + 0.5 * s
        };
        self.customer_turns += 1;
        self.turns_without_progress += 1;
        s
    }

    /// Count the AI's answer to it.
    pub fn observe_ai(&mut self, ai: &AiSignal, confidence_floor: f32) {
        self.last_confidence = Some(ai.confidence);
        if !ai.answered || ai.confidence < confidence_floor {
            self.failed_attempts += 1;
        }
        if ai.resolved {
            self.turns_without_progress = 0;
        }
    }
}

/// One soft signal in a decision record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalRecord {
    /// `failed_attempts`, `low_confidence`, `negative_sentiment`, `long_conversation`.
    pub id: Cow<'static, str>,
    /// Whether it fired.
    pub fired: bool,
    /// The observed value (count, confidence, sentiment, turns).
    pub value: f64,
    /// How strongly it fired, 0..1.
    pub strength: f64,
    /// Its configured weight.
    pub weight: f64,
    /// strength × weight, added to the score.
    pub contribution: f64,
}

/// The explanation of one evaluation: what agents, metrics and replay read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// A trigger decided to escalate (before shadow and rollout).
    pub escalate: bool,
    /// The escalation is acted on (not shadowed, conversation in the rollout).
    pub act: bool,
    /// It was a hard trigger.
    pub hard: bool,
    /// The deciding trigger (`soft` for the soft score).
    pub trigger: Option<TriggerId>,
    /// The category routing will use.
    pub category: Option<Category>,
    /// Weighted soft score.
    pub score: f64,
    /// The threshold used (the segment's, else the site's).
    pub threshold: f64,
    /// The customer's segment.
    pub segment: Option<String>,
    /// Queue priority.
    pub priority: Priority,
    /// Every soft signal, fired or not.
    pub signals: Vec<SignalRecord>,
    /// Every hard trigger that fired, most specific first.
    pub hard_hits: Vec<HardHit>,
    /// Triggers that fired in shadow mode (recorded, not acted on).
    pub shadowed: Vec<TriggerId>,
    /// Whether this conversation is inside `rollout.percent`.
    pub in_rollout: bool,
    /// The config version evaluated.
    pub config_version: u32,
    /// Customer turn index (0-based).
    pub turn: u32,
    /// This message's sentiment.
    pub sentiment: f64,
}

impl Decision {
    /// The decision in words, for agents: "escalated because: billing dispute (hard, "charged twice")"
    /// or "score 0.65 ≥ 0.6: 2 failed answers, negative sentiment (-0.62)".
    pub fn explain(&self) -> String {
        let mut out = String::new();
        if !self.escalate && !self.shadowed.is_empty() {
            let names: Vec<String> = self
                .shadowed
                .iter()
                .map(|t| t.as_str().replace('_', " "))
                .collect();
            return format!("shadow: {} fired; recorded, not acted on", names.join(", "));
        }
        if self.hard {
            if let Some(h) = self.hard_hits.iter().find(|h| !h.shadow) {
                out = format!(
                    "escalated because: {} (hard, \"{}\")",
                    h.trigger.as_str().replace('_', " "),
                    h.phrase
                );
            }
        } else {
            let fired: Vec<String> = self
                .signals
                .iter()
                .filter(|s| s.fired)
                .map(|s| match &*s.id {
                    "failed_attempts" => format!("{} failed answer(s)", s.value),
                    "low_confidence" => format!("low AI confidence ({:.2})", s.value),
                    "negative_sentiment" => format!("negative sentiment ({:.2})", s.value),
                    "long_conversation" => format!("{} turns without progress", s.value),
                    other => other.to_owned(),
                })
                .collect();
            let rel = if self.score >= self.threshold {
                "≥"
            } else {
                "<"
            };
            let what = if self.escalate {
                "escalated"
            } else {
                "not escalated"
            };
            out = format!(
                "{what}: score {} {rel} {}{}{}",
                self.score,
                self.threshold,
                if fired.is_empty() {
                    String::new()
                } else {
                    format!(": {}", fired.join(", "))
                },
                self.segment
                    .as_ref()
                    .map(|s| format!(" (segment {s})"))
                    .unwrap_or_default()
            );
        }
        if self.escalate && !self.act {
            out.push_str(if self.in_rollout {
                " [shadow: recorded only]"
            } else {
                " [outside rollout: recorded only]"
            });
        }
        out
    }
}

/// The first segment whose conditions the customer's identity meets.
pub fn segment_for<'a>(config: &'a SiteConfig, user: &Value) -> Option<&'a Segment> {
    let text = |k: &str| user.get(k).and_then(Value::as_str).map(str::to_lowercase);
    let plan = text("plan");
    let tier = text("tier");
    let value = user.get("account_value").and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    });
    let verified = user
        .get("verified")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    config.segments.iter().find(|s| {
        let m = &s.matches;
        let plan_ok = m.plan.is_empty()
            || plan
                .as_ref()
                .is_some_and(|p| m.plan.iter().any(|x| x.eq_ignore_ascii_case(p)));
        let tier_ok = m.tier.is_empty()
            || tier
                .as_ref()
                .is_some_and(|t| m.tier.iter().any(|x| x.eq_ignore_ascii_case(t)));
        let value_ok = m
            .min_account_value
            .is_none_or(|min| value.is_some_and(|v| v >= min));
        let verified_ok = m.verified.is_none_or(|want| want == verified);
        plan_ok && tier_ok && value_ok && verified_ok
    })
}

/// Whether a conversation is in the first `percent` % of conversations, decided by its id
/// (FNV-1a), so the same conversation always gets the same answer.
pub fn in_rollout(percent: u8, conversation_id: &str) -> bool {
    if percent >= 100 {
        return true;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in conversation_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % 100) < u64::from(percent)
}

/// Everything one evaluation needs.
pub struct TurnInput<'a> {
    /// The site config.
    pub config: &'a SiteConfig,
    /// Hard triggers compiled from it.
    pub hard: &'a HardTriggers,
    /// The customer's message.
    pub text: &'a str,
    /// The customer's locale.
    pub locale: &'a str,
    /// Identity attributes (plan, tier, account_value, verified).
    pub user: &'a Value,
    /// The conversation id (for the rollout).
    pub conversation_id: &'a str,
    /// Signals so far, including this message and, if it has answered, the AI's answer.
    pub signals: &'a ConversationSignals,
    /// This message's sentiment.
    pub sentiment: f64,
    /// The AI's intent for the conversation so far, for soft escalations' category.
    pub intent: Option<&'a Category>,
    /// Whether to evaluate the soft score (false before the AI has answered this turn).
    pub soft: bool,
}

/// What a turn's evaluation decides, without the record that explains it: what `baton
/// classify` writes. The same as [`evaluate`]'s fields of the same names.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// A trigger decided to escalate (before shadow and rollout).
    pub escalate: bool,
    /// It was a hard trigger.
    pub hard: bool,
    /// The deciding trigger (`soft` for the soft score).
    pub trigger: Option<TriggerId>,
    /// The category routing will use.
    pub category: Option<Category>,
    /// Weighted soft score.
    pub score: f64,
}

/// The hard triggers the text fires, with rollout shadows applied.
fn hard_hits(input: &TurnInput<'_>) -> Vec<HardHit> {
    let mut hits = input.hard.detect_all(input.text, input.locale);
    for h in &mut hits {
        if input.config.rollout.shadow_triggers.contains(&h.trigger) {
            h.shadow = true;
        }
    }
    hits
}

/// The soft signals evaluated, in record order, handed to `f`: all four, or only
/// `negative_sentiment` before the AI has answered (`soft` false).
fn soft_signals(input: &TurnInput<'_>, mut f: impl FnMut(SignalRecord)) {
    let soft_cfg = &input.config.triggers.soft;
    let s = input.signals;
    let w = &soft_cfg.weights;
    let signal =
        |id: &'static str, fired: bool, value: f64, strength: f32, weight: f32| SignalRecord {
            id: Cow::Borrowed(id),
            fired,
            value,
            strength: if fired { r3(strength) } else { 0.0 },
            weight: r3(weight),
            contribution: if fired { r3(strength * weight) } else { 0.0 },
        };
    if input.soft {
        let failed_strength =
            (s.failed_attempts as f32 / soft_cfg.failed_attempts_full.max(1) as f32).min(1.0);
        f(signal(
            "failed_attempts",
            s.failed_attempts > 0,
            f64::from(s.failed_attempts),
            failed_strength,
            w.failed_attempts,
        ));
        let low_conf = s
            .last_confidence
            .is_some_and(|c| c < soft_cfg.low_confidence_below);
        f(signal(
            "low_confidence",
            low_conf,
            f64::from(s.last_confidence.unwrap_or(1.0)),
            1.0,
            w.low_confidence,
        ));
    }
    let negative = s.sentiment <= f64::from(soft_cfg.negative_sentiment_below);
    f(signal(
        "negative_sentiment",
        negative,
        round(s.sentiment * 100.0) / 100.0,
        1.0,
        w.negative_sentiment,
    ));
    if input.soft {
        let long = s.turns_without_progress >= soft_cfg.long_conversation_turns;
        f(signal(
            "long_conversation",
            long,
            f64::from(s.turns_without_progress),
            1.0,
            w.long_conversation,
        ));
    }
}

/// Config numbers are f32; records carry them as f64 rounded to 3 decimals for readers.
fn r3(x: f32) -> f64 {
    round(f64::from(x) * 1000.0) / 1000.0
}

/// The weighted soft score of the signals' contributions.
fn soft_score(contributions: impl Iterator<Item = f64>) -> f64 {
    let score: f64 = contributions.sum();
    round(score * 1000.0) / 1000.0
}

/// `x.round()` (half away from zero, the sign of zero kept), for `|x|` below 2^52 without a
/// call into the maths library (rounding is not an instruction of the baseline x86-64); any
/// other number goes to `f64::round`.
fn round(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a >= 4_503_599_627_370_496.0 {
        return x.round();
    }
    // Exact: `t` is `a` without its fraction, and `a - t` is exact (Sterbenz, or `t` zero).
    let t = a as i64;
    let up = a - t as f64 >= 0.5;
    ((t + i64::from(up)) as f64).copysign(x)
}

/// What the hits and the soft score decide.
struct Outcome {
    escalate: bool,
    hard: bool,
    trigger: Option<TriggerId>,
    category: Option<Category>,
    /// The soft escalation is in shadow mode.
    soft_shadow: bool,
}

fn outcome(input: &TurnInput<'_>, hits: &[HardHit], score: f64, threshold: f64) -> Outcome {
    let soft_cfg = &input.config.triggers.soft;
    if let Some(h) = hits.iter().find(|h| !h.shadow) {
        return Outcome {
            escalate: true,
            hard: true,
            trigger: Some(h.trigger.clone()),
            category: Some(h.category.clone()),
            soft_shadow: false,
        };
    }
    if input.soft && score >= threshold {
        let shadow_ids = &input.config.rollout.shadow_triggers;
        let soft_shadow = soft_cfg.shadow || shadow_ids.iter().any(|t| t.as_str() == "soft");
        let category = input
            .intent
            .cloned()
            .unwrap_or_else(|| soft_cfg.category.clone());
        return Outcome {
            escalate: true,
            hard: false,
            trigger: Some(TriggerId::from("soft")),
            category: Some(category),
            soft_shadow,
        };
    }
    Outcome {
        escalate: false,
        hard: false,
        trigger: None,
        category: None,
        soft_shadow: false,
    }
}

/// The threshold the soft score is held to: the segment's, else the site's.
fn threshold(input: &TurnInput<'_>, segment: Option<&Segment>) -> f64 {
    r3(segment
        .and_then(|s| s.threshold)
        .unwrap_or(input.config.triggers.soft.threshold))
}

/// Evaluate one customer turn, deciding only: [`evaluate`] without the record.
pub fn verdict(input: &TurnInput<'_>) -> Verdict {
    let hits = hard_hits(input);
    let (mut contributions, mut n) = ([0.0; 4], 0);
    soft_signals(input, |s| {
        contributions[n] = s.contribution;
        n += 1;
    });
    let score = soft_score(contributions[..n].iter().copied());
    // The threshold matters only to a soft escalation.
    let threshold = if input.soft {
        threshold(input, segment_for(input.config, input.user))
    } else {
        f64::INFINITY
    };
    let o = outcome(input, &hits, score, threshold);
    Verdict {
        escalate: o.escalate,
        hard: o.hard,
        trigger: o.trigger,
        category: o.category,
        score,
    }
}

/// Evaluate one customer turn.
pub fn evaluate(input: &TurnInput<'_>) -> Decision {
    let config = input.config;
    let segment = segment_for(config, input.user);
    let threshold = threshold(input, segment);
    let mut priority = segment.map(|s| s.priority).unwrap_or_default();
    let in_rollout = in_rollout(config.rollout.percent, input.conversation_id);

    let hits = hard_hits(input);
    let mut shadowed: Vec<TriggerId> = hits
        .iter()
        .filter(|h| h.shadow)
        .map(|h| h.trigger.clone())
        .collect();
    let mut signals = Vec::with_capacity(4);
    soft_signals(input, |s| signals.push(s));
    let score = soft_score(signals.iter().map(|s| s.contribution));
    let o = outcome(input, &hits, score, threshold);
    if o.soft_shadow {
        shadowed.push(TriggerId::from("soft"));
    }
    let act = if o.hard {
        in_rollout
    } else {
        o.escalate && in_rollout && !o.soft_shadow
    };
    if o.trigger
        .as_ref()
        .is_some_and(|t| t.as_str() == "legal_compliance")
        && priority < Priority::High
    {
        priority = Priority::High;
    }
    Decision {
        escalate: o.escalate,
        act,
        hard: o.hard,
        trigger: o.trigger,
        category: o.category,
        score,
        threshold,
        segment: segment.map(|s| s.id.clone()),
        priority,
        signals,
        hard_hits: hits,
        shadowed,
        in_rollout,
        config_version: config.version,
        turn: input.signals.customer_turns.saturating_sub(1),
        sentiment: input.sentiment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_f64_round() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            1e300,
        ];
        xs.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4_503_599_627_370_495.5,
        ]);
        for k in -100_000..=100_000 {
            xs.extend([
                f64::from(k) / 1000.0 * 1000.0,
                f64::from(k) * 0.0105,
                f64::from(k) + 0.5,
            ]);
        }
        for _ in 0..100_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            xs.extend([f64::from_bits(seed), (seed >> 11) as f64 / 1e9 - 4096.0]);
        }
        for x in xs {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x:e}");
        }
    }
    use serde_json::json;

    fn config() -> SiteConfig {
        SiteConfig::from_json(
            r#"{"segments": [
                {"id": "enterprise", "match": {"plan": ["enterprise"]}, "priority": "urgent", "threshold": 0.3},
                {"id": "free", "match": {"plan": ["free"]}, "priority": "low", "threshold": 0.9}
            ]}"#,
        )
        .unwrap()
    }

    fn run(
        config: &SiteConfig,
        signals: &ConversationSignals,
        text: &str,
        user: Value,
        soft: bool,
    ) -> Decision {
        let hard = HardTriggers::from_config(&config.triggers);
        evaluate(&TurnInput {
            config,
            hard: &hard,
            text,
            locale: "en",
            user: &user,
            conversation_id: "c1",
            signals,
            sentiment: sentiment(text),
            intent: None,
            soft,
        })
    }

    #[test]
    fn hard_trigger_decides_with_its_words() {
        let c = config();
        let mut s = ConversationSignals::default();
        s.observe_customer("I was charged twice");
        let d = run(&c, &s, "I was charged twice", json!({}), false);
        assert!(d.escalate && d.hard && d.act);
        assert_eq!(d.trigger.as_ref().unwrap().as_str(), "billing_dispute");
        assert_eq!(
            d.explain(),
            "escalated because: billing dispute (hard, \"charged twice\")"
        );
    }

    #[test]
    fn soft_signals_layer_and_segments_move_the_threshold() {
        let c = config();
        let mut s = ConversationSignals::default();
        let text = "this still does not work";
        s.observe_customer(text);
        s.observe_ai(
            &AiSignal {
                answered: false,
                confidence: 0.1,
                resolved: false,
                intent: None,
            },
            0.35,
        );
        // One failed answer (0.35 × 0.5) and low confidence (0.25): 0.425.
        let free = run(&c, &s, text, json!({"plan": "free"}), true);
        let ent = run(&c, &s, text, json!({"plan": "Enterprise"}), true);
        let none = run(&c, &s, text, json!({}), true);
        assert!((free.score - 0.425).abs() < 1e-3, "{}", free.score);
        assert!(!free.escalate && !none.escalate);
        assert!(ent.escalate && !ent.hard && ent.act);
        assert_eq!(ent.segment.as_deref(), Some("enterprise"));
        assert_eq!(ent.priority, Priority::Urgent);
        assert!(
            ent.explain().starts_with(
                "escalated: score 0.425 ≥ 0.3: 1 failed answer(s), low AI confidence (0.10)"
            ),
            "{}",
            ent.explain()
        );
    }

    #[test]
    fn no_single_soft_signal_escalates_by_default() {
        let c = SiteConfig::default();
        let mut s = ConversationSignals::default();
        for _ in 0..10 {
            s.observe_customer("ok");
        }
        let d = run(&c, &s, "ok", json!({}), true);
        assert!(d
            .signals
            .iter()
            .any(|x| x.id == "long_conversation" && x.fired));
        assert!(!d.escalate);
        let mut s = ConversationSignals::default();
        s.observe_customer("This is terrible, awful, the worst service ever!!!");
        assert!(!run(&c, &s, "ok", json!({}), true).escalate);
    }

    #[test]
    fn shadow_and_rollout_record_without_acting() {
        let c = SiteConfig::from_json(
            r#"{"rollout": {"percent": 100, "shadow_triggers": ["human_request"]}}"#,
        )
        .unwrap();
        let s = ConversationSignals::default();
        let d = run(&c, &s, "let me talk to a human", json!({}), false);
        assert!(!d.escalate);
        assert_eq!(d.shadowed, vec![TriggerId::from("human_request")]);
        let c = SiteConfig::from_json(r#"{"rollout": {"percent": 0}}"#).unwrap();
        let d = run(&c, &s, "let me talk to a human", json!({}), false);
        assert!(d.escalate && !d.act);
        assert!(d.explain().ends_with("[outside rollout: recorded only]"));
    }

    #[test]
    fn a_verdict_is_what_the_record_decides() {
        let configs = [
            config(),
            SiteConfig::default(),
            SiteConfig::from_json(
                r#"{"rollout": {"percent": 30, "shadow_triggers": ["billing_dispute", "soft"]},
                    "triggers": {"soft": {"threshold": 0.2, "category": "care"}}}"#,
            )
            .unwrap(),
        ];
        let texts = [
            "I want a refund, let me talk to a person",
            "this still does not work and I am angry",
            "How much is the Pro plan?",
            "I will talk to my lawyer",
            "",
        ];
        let users = [
            json!({}),
            json!({"plan": "enterprise"}),
            json!({"plan": "free"}),
        ];
        for c in &configs {
            let hard = HardTriggers::from_config(&c.triggers);
            for text in texts {
                let mut s = ConversationSignals::default();
                for turn in 0..3 {
                    let sentiment = s.observe_customer(text);
                    for user in &users {
                        for soft in [false, true] {
                            let input = TurnInput {
                                config: c,
                                hard: &hard,
                                text,
                                locale: "en",
                                user,
                                conversation_id: "c1",
                                signals: &s,
                                sentiment,
                                intent: None,
                                soft,
                            };
                            let d = evaluate(&input);
                            let want = Verdict {
                                escalate: d.escalate,
                                hard: d.hard,
                                trigger: d.trigger,
                                category: d.category,
                                score: d.score,
                            };
                            assert_eq!(verdict(&input), want, "{text:?} turn {turn} {user} {soft}");
                        }
                    }
                    s.observe_ai(
                        &AiSignal {
                            answered: turn > 0,
                            confidence: 0.2,
                            resolved: false,
                            intent: None,
                        },
                        0.5,
                    );
                }
            }
        }
    }

    #[test]
    fn rollout_is_deterministic_and_proportional() {
        let inside = (0..10_000)
            .filter(|i| in_rollout(30, &format!("conv-{i}")))
            .count();
        assert!((2700..3300).contains(&inside), "{inside}");
        assert_eq!(in_rollout(30, "abc"), in_rollout(30, "abc"));
        assert!(in_rollout(100, "x") && !in_rollout(0, "x"));
    }
}
