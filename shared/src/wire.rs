//! What travels on the live channel between the worker and its clients (widget and inbox).
//! Every event carries a per-conversation sequence number so a reconnecting client resumes exactly.

use crate::conversation::Status;
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The customer on the site.
    Customer,
    /// The AI responder.
    Ai,
    /// A human agent.
    Agent,
    /// Baton itself (transition and status notices).
    System,
}

/// One entry of a conversation's event log, in sequence order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// 1-based, gap-free, per conversation.
    pub seq: u64,
    /// Milliseconds since the Unix epoch, as the worker saw it.
    pub at: f64,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// The payload of a [`LiveEvent`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// A chat message.
    Message {
        /// Who wrote it.
        author: Author,
        /// Plain text; clients render it as text, never HTML.
        text: String,
        /// Display name for agent messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The sender's own id for the message, so a resend is not stored twice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// The conversation changed state.
    Status {
        /// New status.
        status: Status,
        /// Topic of the escalation, as shown to the customer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// Queue name, once routed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue: Option<String>,
        /// Agent display name, once an agent has it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// Place in the queue (1 = next), while queued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u32>,
        /// Estimated wait in seconds, while queued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wait_seconds: Option<u32>,
        /// Ticket reference, in async mode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<String>,
        /// When the customer can expect an answer, in words ("by 10:00 tomorrow"), in async mode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_by: Option<String>,
    },
}

/// What a client sends on the live channel (or to the HTTP fallback).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientCommand {
    /// Post a message.
    Send {
        /// The text.
        text: String,
        /// Client-generated id; a resend with the same id is ignored.
        #[serde(default)]
        client_id: Option<String>,
    },
    /// The customer's page context changed (a route change, a click): the newest capture
    /// replaces the stored one, since the widget sends it whole.
    Context {
        /// The page object, as at conversation start (`{url, title, route_history, ...}`).
        page: serde_json::Value,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_a_flat_wire_shape() {
        let e = LiveEvent {
            seq: 3,
            at: 1.0,
            body: EventBody::Status {
                status: Status::WithAgent,
                topic: None,
                queue: None,
                agent: Some("Ana".into()),
                position: None,
                wait_seconds: None,
                ticket: None,
                expected_by: None,
            },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "status");
        assert_eq!(v["status"], "with_agent");
        assert_eq!(v["seq"], 3);
        let back: LiveEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn context_updates_are_a_client_command() {
        let c: ClientCommand =
            serde_json::from_str(r#"{"type": "context", "page": {"url": "https://a.example/x"}}"#)
                .unwrap();
        assert!(
            matches!(c, ClientCommand::Context { page } if page["url"] == "https://a.example/x")
        );
    }
}
