//! Escalation triggers: hard triggers that hand off at once, and layered soft signals scored
//! against a threshold. Every evaluation returns data that explains itself.

pub mod hard;

pub use hard::{detect_hard, fires_builtin, HardHit, HardTriggers};

use crate::ids::{Category, TriggerId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The config's `triggers` section: hard-trigger overrides and soft-signal weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TriggerConfig {
    /// Overrides of built-in hard triggers (same `id`) and the site's own hard triggers.
    pub hard: Vec<HardTriggerConfig>,
    /// Soft signals: weights and the threshold their weighted sum must reach.
    pub soft: SoftConfig,
}

/// A hard trigger setting: override a built-in by its id, or add a new one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct HardTriggerConfig {
    /// `human_request`, `billing_dispute`, `legal_compliance`, `cancellation`, or a new id.
    pub id: TriggerId,
    /// Category to route under (built-ins: general, billing, legal, account).
    pub category: Option<Category>,
    /// Extra phrases per locale (`{"en": ["speak to your boss"]}`; `*` for every locale).
    pub phrases: BTreeMap<String, Vec<String>>,
    /// `false` turns the trigger off.
    pub enabled: bool,
    /// Evaluate and record, but do not escalate.
    pub shadow: bool,
}

impl Default for HardTriggerConfig {
    fn default() -> Self {
        Self {
            id: TriggerId::from(""),
            category: None,
            phrases: BTreeMap::new(),
            enabled: true,
            shadow: false,
        }
    }
}

/// Soft signals: each has a weight; the conversation escalates when the weighted sum of the
/// signals that fired reaches the threshold (a segment may set its own threshold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SoftConfig {
    /// Escalate when the score reaches this (0..1].
    pub threshold: f32,
    /// Weight of each signal (0..1).
    pub weights: SoftWeights,
    /// Failed AI answers (below the confidence floor, or the customer says it did not help)
    /// that make `failed_attempts` count fully; fewer count in proportion.
    pub failed_attempts_full: u32,
    /// `low_confidence` fires when the AI's last confidence is below this.
    pub low_confidence_below: f32,
    /// `negative_sentiment` fires when the customer's recent sentiment is at or below this (-1..0).
    pub negative_sentiment_below: f32,
    /// `long_conversation` fires after this many customer turns without progress.
    pub long_conversation_turns: u32,
    /// Category for soft escalations when the AI identified none.
    pub category: Category,
    /// Evaluate and record soft escalations, but do not act.
    pub shadow: bool,
}

impl Default for SoftConfig {
    fn default() -> Self {
        Self {
            threshold: 0.6,
            weights: SoftWeights::default(),
            failed_attempts_full: 2,
            low_confidence_below: 0.4,
            negative_sentiment_below: -0.3,
            long_conversation_turns: 6,
            category: Category::from("general"),
            shadow: false,
        }
    }
}

/// Weights of the soft signals. By default no single one reaches the 0.6 threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SoftWeights {
    /// Repeated failed AI resolution attempts.
    pub failed_attempts: f32,
    /// The AI's own low confidence.
    pub low_confidence: f32,
    /// Negative customer sentiment.
    pub negative_sentiment: f32,
    /// A long conversation without progress.
    pub long_conversation: f32,
}

impl Default for SoftWeights {
    fn default() -> Self {
        Self {
            failed_attempts: 0.35,
            low_confidence: 0.25,
            negative_sentiment: 0.3,
            long_conversation: 0.2,
        }
    }
}
