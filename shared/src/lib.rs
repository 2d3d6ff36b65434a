//! Baton's decision core, shared by the widget, the worker and the `baton` CLI.
//! Sans-IO: time, ids and the results of calls are inputs; decisions and effects are outputs.

#![deny(missing_docs)]

#[cfg(feature = "edge")]
pub mod calendar;
pub mod config;
#[cfg(feature = "edge")]
pub mod connector;
pub mod context;
pub mod conversation;
#[cfg(feature = "edge")]
pub mod decision;
pub mod ids;
#[cfg(feature = "edge")]
pub mod knowledge;
pub mod message;
pub mod order;
#[cfg(feature = "edge")]
pub mod outbox;
pub mod redact;
#[cfg(feature = "edge")]
pub mod responder;
#[cfg(feature = "edge")]
pub mod routing;
pub mod signal;
pub mod summary;
pub mod trigger;
pub mod wire;

pub use config::SiteConfig;
pub use ids::{AgentId, Category, ConversationId, QueueId, SiteId, TriggerId};
