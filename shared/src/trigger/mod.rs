//! Escalation triggers: hard triggers that hand off at once, and (later) layered soft signals.
//! Every evaluation returns data that explains itself.

pub mod hard;

pub use hard::{detect_hard, HardHit};

use serde::{Deserialize, Serialize};

/// The config's `triggers` section: hard-trigger overrides and soft-signal weights.
/// (Grown by the decision-core work; an empty section means the built-in defaults.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriggerConfig {}
