//! The generic signed webhook as a helpdesk: each handoff event POSTed as Standard Webhooks v1
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the full context payload.

use super::*;
use baton_shared::connector::budget::{CallClass, Vendor};
use baton_shared::connector::webhook::{self, WebhookTarget};
use baton_shared::outbox::{classify, DeliveryKind, OutboxEntry, Outcome, RetryPolicy};

/// The webhook entry telling the receiver the conversation was resolved (keyed by the event's
/// place in the conversation, so it is sent once).
pub(super) fn resolved_entry(meta: &Meta, now: f64) -> OutboxEntry {
    OutboxEntry {
        key: format!("webhook:{:012}:resolved", meta.last_seq),
        kind: DeliveryKind::Notify,
        connector: "webhook".into(),
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: json!({ "type": webhook::event::RESOLVED }),
    }
}

impl Conversation {
    /// One attempt at a webhook delivery: the escalation itself (`handoff.escalated`, the
    /// `helpdesk` entry) or a later event the entry's payload names.
    pub(super) async fn deliver_webhook(
        &self,
        meta: &Meta,
        entry: &OutboxEntry,
        policy: &RetryPolicy,
    ) -> std::result::Result<Outcome, String> {
        let config = self.config(&meta.site).await.map_err(|e| e.to_string())?;
        let Some(hook) = config.handoff.webhook.clone() else {
            return Ok(Outcome::Permanent {
                reason: "handoff.webhook is not configured".into(),
            });
        };
        let secret = crate::connector::named_secret(&self.env, &hook.secret_name)?;
        let target = match WebhookTarget::new(&hook.url, &secret) {
            Ok(t) => t,
            Err(e) => {
                return Ok(Outcome::Permanent {
                    reason: format!("{e} (set {} to whsec_ and base64)", hook.secret_name),
                })
            }
        };
        let event_type = entry.payload["type"]
            .as_str()
            .unwrap_or(webhook::event::ESCALATED);
        // The escalation keeps the id receivers have always seen; later events get their own.
        let msg_id = if entry.key == "helpdesk" {
            format!("{}-escalation", meta.id)
        } else {
            webhook::message_id(&format!("{}/{}", meta.id, entry.key))
        };
        let data = self
            .context_payload(meta, &config)
            .await
            .map_err(|e| e.to_string())?;
        let data = serde_json::to_value(&data).map_err(|e| e.to_string())?;
        let req = target.deliver(
            event_type,
            &msg_id,
            entry.created_at_ms as i64,
            (now_ms() / 1000.0) as i64,
            &data,
        );
        let timeout = policy
            .attempt_timeout()
            .min(u64::from(hook.timeout_ms.max(500)));
        match self
            .call_vendor(
                &meta.site,
                Vendor::Webhook,
                "webhook",
                None,
                CallClass::General,
                &req,
                timeout,
            )
            .await
        {
            notify::Called::Reply(reply) => Ok(classify(
                reply.status,
                reply.header("retry-after"),
                now_ms(),
            )),
            notify::Called::Stop(outcome) => Ok(outcome),
        }
    }
}
