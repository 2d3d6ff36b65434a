//! Signals read from text: normalisation, per-locale concept lexicons, and (edge builds)
//! lexicon-based sentiment. Triggers combine these signals; nothing here decides anything.

pub mod lexicon;
pub(crate) mod lower;
#[cfg(feature = "edge")]
pub(crate) mod memo;
pub mod normalize;
#[cfg(feature = "edge")]
pub(crate) mod reading;
#[cfg(feature = "edge")]
pub mod sentiment;

pub use normalize::{normalize, Token};
