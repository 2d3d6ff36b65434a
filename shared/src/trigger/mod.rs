//! Escalation triggers: hard triggers that hand off at once, and (later) layered soft signals.
//! Every evaluation returns data that explains itself.

pub mod hard;

pub use hard::{detect_hard, HardHit};
