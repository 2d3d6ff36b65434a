//! The AI responder: answers the customer before a human takes over, with a confidence.
//! `knowledge_base` (the shared crate's retrieval) is the embedded default.

pub use baton_shared::knowledge::answer as knowledge_base;
