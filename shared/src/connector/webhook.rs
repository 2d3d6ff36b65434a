//! The generic outbound webhook, signed per Standard Webhooks v1: headers `webhook-id` (stable
//! across retries: the receiver's idempotency key), `webhook-timestamp` (this attempt, Unix
//! seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `id.timestamp.body`), and a
//! body `{"type", "timestamp", "data"}` whose `data` is the full context payload.
//!
//! The body is fixed by the event (its time, not the attempt's), so every retry carries the
//! same bytes and the same `webhook-id`; only the timestamp and signature change.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::signature::WebhookSecret;
use super::{rfc3339_ms, ConnectorError, HttpRequest, Method};

/// A site's webhook endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookTarget {
    /// Where to POST (https in production; tests: the fake).
    pub url: String,
    /// The signing secret (`whsec_…`, a Worker secret), shared with the receiver.
    pub secret: WebhookSecret,
}

/// Event types Baton sends (hierarchical, dot-separated, as the spec recommends).
pub mod event {
    /// A conversation was escalated to a human: `data` is the full context payload.
    pub const ESCALATED: &str = "handoff.escalated";
    /// The customer wrote again after the handoff.
    pub const CUSTOMER_MESSAGE: &str = "handoff.customer_message";
    /// The conversation was resolved.
    pub const RESOLVED: &str = "handoff.resolved";
}

/// A message id derived from the outbox key: the same on every retry, unique per delivery,
/// without `.` (the spec forbids it in ids).
pub fn message_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

impl WebhookTarget {
    /// Parse the target from its URL and `whsec_` secret.
    pub fn new(url: &str, secret: &str) -> Result<Self, ConnectorError> {
        let secret = WebhookSecret::parse(secret)
            .map_err(|e| ConnectorError::Input(format!("webhook secret: {e}")))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ConnectorError::Input(format!(
                "webhook url '{url}' is not http(s)"
            )));
        }
        Ok(Self {
            url: url.to_owned(),
            secret,
        })
    }

    /// The signed delivery. `msg_id` from [`message_id`]; `event_time_ms` when the event
    /// happened (fixed across retries); `attempt_s` when this attempt is made.
    pub fn deliver(
        &self,
        event_type: &str,
        msg_id: &str,
        event_time_ms: i64,
        attempt_s: i64,
        data: &Value,
    ) -> HttpRequest {
        let body = json!({
            "type": event_type,
            "timestamp": rfc3339_ms(event_time_ms),
            "data": data,
        });
        let mut req = HttpRequest::json(Method::Post, self.url.clone(), &body);
        let signature = self.secret.sign(msg_id, attempt_s, req.body.as_bytes());
        req = req
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", attempt_s.to_string())
            .header("webhook-signature", signature)
            .header("User-Agent", "Baton-Webhooks/1");
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::header;

    #[test]
    fn signed_delivery_verifies_and_is_stable_across_retries() {
        let target = WebhookTarget::new(
            "http://127.0.0.1:9999/hooks/baton",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        )
        .unwrap();
        let id = message_id("esc:c1:1/webhook");
        assert!(id.starts_with("msg_") && !id.contains('.'));
        assert_eq!(id, message_id("esc:c1:1/webhook"));
        let data = json!({"conversation": "c1", "summary": "Charged twice", "transcript": []});
        let first = target.deliver(
            event::ESCALATED,
            &id,
            1_700_000_000_000,
            1_700_000_001,
            &data,
        );
        let retry = target.deliver(
            event::ESCALATED,
            &id,
            1_700_000_000_000,
            1_700_003_600,
            &data,
        );
        assert_eq!(first.body, retry.body);
        assert_eq!(
            header(&first.headers, "webhook-id"),
            header(&retry.headers, "webhook-id")
        );
        assert_ne!(
            header(&first.headers, "webhook-signature"),
            header(&retry.headers, "webhook-signature")
        );
        assert_eq!(first.method, Method::Post);
        assert_eq!(first.url, "http://127.0.0.1:9999/hooks/baton");
        assert_eq!(
            header(&first.headers, "webhook-timestamp"),
            Some("1700000001")
        );
        assert_eq!(
            first.json_body().unwrap(),
            json!({"type": "handoff.escalated", "timestamp": "2023-11-14T22:13:20.000Z", "data": data})
        );
        // The receiver's check passes at delivery time and fails an hour later (replay).
        target
            .secret
            .verify(&first.headers, first.body.as_bytes(), 1_700_000_002, 300)
            .unwrap();
        assert!(target
            .secret
            .verify(&first.headers, first.body.as_bytes(), 1_700_003_600, 300)
            .is_err());
    }

    #[test]
    fn bad_targets_are_refused() {
        assert!(WebhookTarget::new("ftp://x", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookTarget::new("https://x", "whsec_").is_err());
    }
}
