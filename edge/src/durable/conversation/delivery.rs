//! The conversation's outbox: deliveries committed with the state change that caused them,
//! attempted at once and then by alarm on the shared retry policy until they land or give up.

use super::{customer_name, summary, Conversation, Meta};
use crate::durable::{self, now_ms, router::QueueEntry};
use baton_shared::outbox::{classify, DeliveryKind, OutboxEntry, Outcome, RetryPolicy};
use worker::{ListOptions, Method};

/// Storage prefix of outbox entries.
const PREFIX: &str = "o:";
/// How long after an attempt starts a crashed one is picked up again (longer than any timeout).
const SAFETY_ALARM_MS: f64 = 60_000.0;
/// Shortest lead of any alarm we set. The runtime's clock stands still while code runs, so an
/// alarm for "now" (an entry already due, a tiny test-scaled delay) can be in the past by the
/// time the alarm handler that set it returns, and workerd then drops it (cloudflare/workerd
/// #6866): the chain of retries ended there, silently, after a random number of attempts.
const MIN_ALARM_LEAD_MS: f64 = 250.0;

/// The storage key of an entry.
pub(super) fn key(entry: &OutboxEntry) -> String {
    format!("{PREFIX}{}", entry.key)
}

/// Bring the built-in inbox up to date with this conversation (idempotent: the router keeps
/// one entry per conversation, and delivery sends the state as it is at delivery time).
pub(super) fn inbox_entry(now: f64) -> OutboxEntry {
    OutboxEntry {
        key: "inbox".into(),
        kind: DeliveryKind::CreateTicket,
        connector: "builtin".into(),
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: serde_json::Value::Null,
    }
}

/// Hand the escalation to the site's helpdesk (once per conversation: the key is the
/// idempotency key the receiver sees).
pub(super) fn helpdesk_entry(config: &baton_shared::SiteConfig, now: f64) -> OutboxEntry {
    let connector = serde_json::to_value(config.handoff.connector)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "builtin".into());
    OutboxEntry {
        key: "helpdesk".into(),
        kind: DeliveryKind::CreateTicket,
        connector,
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: serde_json::Value::Null,
    }
}

/// Finish routing an escalation (see `route.rs`); retried like any delivery.
pub(super) fn route_entry(now: f64) -> OutboxEntry {
    OutboxEntry {
        key: "route".into(),
        kind: DeliveryKind::CreateTicket,
        connector: "route".into(),
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: serde_json::Value::Null,
    }
}

impl Conversation {
    /// The retry policy, with `OUTBOX_RETRY_SCALE` shrinking it for tests.
    fn retry_policy(&self) -> RetryPolicy {
        let scale = self
            .env
            .var("OUTBOX_RETRY_SCALE")
            .ok()
            .and_then(|v| v.to_string().parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .unwrap_or(1.0);
        RetryPolicy {
            scale,
            ..RetryPolicy::default()
        }
    }

    /// Attempt every due delivery; reschedule the rest. Never fails: problems are recorded on
    /// the entries and retried, so a caller's state change is never undone by a delivery.
    pub(super) async fn deliver_due(&self) {
        self.deliver_due_with(true).await;
    }

    /// `deliver_due`, with or without the safety alarm before calling out.
    pub(super) async fn deliver_due_with(&self, safety: bool) {
        // A delivery can commit new work (an AI answer escalates, routing enqueues the inbox
        // copy): go round again.
        for _ in 0..4 {
            match self.try_deliver_due(safety).await {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    worker::console_error!("outbox: {e}");
                    // Make sure we come back even if this pass broke half-way.
                    let retry = now_ms() + self.retry_policy().scale.min(1.0) * 30_000.0;
                    if let Err(e) = self.arm(retry).await {
                        worker::console_error!("outbox: could not set the alarm: {e}");
                    }
                    return;
                }
            }
        }
    }

    /// One pass over the due entries; `Ok(true)` if something was delivered (new work may exist).
    async fn try_deliver_due(&self, safety: bool) -> Result<bool, crate::error::AppError> {
        let Some(meta) = durable::store::get::<Meta>(&self.state.storage(), "meta").await? else {
            return Ok(false);
        };
        let mut delivered_any = false;
        let entries: Vec<OutboxEntry> =
            durable::store::list(&self.state.storage(), ListOptions::new().prefix(PREFIX)).await?;
        let policy = self.retry_policy();
        if safety && entries.iter().any(|e| e.next_at_ms <= now_ms()) {
            self.safety_alarm().await?;
        }
        let mut next_alarm: Option<f64> = None;
        for mut entry in entries {
            let now = now_ms();
            if entry.next_at_ms > now {
                next_alarm = Some(next_alarm.map_or(entry.next_at_ms, |t| t.min(entry.next_at_ms)));
                continue;
            }
            if self.in_flight.borrow().contains(&entry.key) {
                continue; // another pass is attempting it right now
            }
            self.in_flight.borrow_mut().push(entry.key.clone());
            // This pass listed the outbox before its earlier attempts awaited: another pass
            // may have delivered (and deleted) or rescheduled the entry since. Only the stored
            // entry counts, or a notice without an idempotency key would go out twice.
            let stored =
                match durable::store::get::<OutboxEntry>(&self.state.storage(), &key(&entry)).await
                {
                    Ok(stored) => stored,
                    Err(e) => {
                        self.in_flight.borrow_mut().retain(|k| *k != entry.key);
                        return Err(e);
                    }
                };
            match stored {
                Some(stored) if stored.next_at_ms <= now => entry = stored,
                Some(stored) => {
                    self.in_flight.borrow_mut().retain(|k| *k != entry.key);
                    next_alarm =
                        Some(next_alarm.map_or(stored.next_at_ms, |t| t.min(stored.next_at_ms)));
                    continue;
                }
                None => {
                    self.in_flight.borrow_mut().retain(|k| *k != entry.key);
                    continue;
                }
            }
            let outcome = self.attempt(&meta, &mut entry, &policy).await;
            self.in_flight.borrow_mut().retain(|k| *k != entry.key);
            let now = now_ms();
            match outcome {
                Outcome::Delivered => {
                    self.state.storage().delete(&key(&entry)).await?;
                    delivered_any = true;
                    continue;
                }
                // Parked by the attempt itself (a rate budget, an earlier step still due): not
                // a failed attempt, so it does not use up the retry schedule.
                Outcome::Retry { reason, .. } if entry.next_at_ms > now => {
                    entry.last_error = Some(reason);
                }
                Outcome::Retry {
                    retry_after_ms,
                    reason,
                } => {
                    entry.attempts += 1;
                    entry.last_error = Some(reason);
                    match policy.next_at(
                        entry.attempts,
                        now,
                        retry_after_ms,
                        js_sys::Math::random(),
                    ) {
                        Some(at) => entry.next_at_ms = at,
                        None => {
                            delivered_any |= self.give_up(&meta, &entry).await;
                            self.state.storage().delete(&key(&entry)).await?;
                            continue;
                        }
                    }
                }
                Outcome::Permanent { reason } => {
                    entry.attempts += 1;
                    entry.last_error = Some(reason);
                    delivered_any |= self.give_up(&meta, &entry).await;
                    self.state.storage().delete(&key(&entry)).await?;
                    continue;
                }
                // A spent rate budget: wait in the queue, no attempt counted.
                Outcome::Deferred { until_ms } => entry.next_at_ms = until_ms,
            }
            next_alarm = Some(next_alarm.map_or(entry.next_at_ms, |t| t.min(entry.next_at_ms)));
            durable::store::put(&self.state.storage(), &key(&entry), &entry).await?;
        }
        if let Some(at) = next_alarm {
            self.arm(at).await?;
        }
        Ok(delivered_any)
    }

    /// Set the alarm for `at` (never sooner than [`MIN_ALARM_LEAD_MS`] from now). An earlier
    /// alarm still ahead is kept: it belongs to an entry another pass was attempting while this
    /// one listed the outbox, and an alarm that finds nothing due only sets the next one.
    async fn arm(&self, at: f64) -> Result<(), crate::error::AppError> {
        let now = now_ms();
        let at = at.max(now + MIN_ALARM_LEAD_MS);
        let existing = self.state.storage().get_alarm().await?;
        if existing.is_some_and(|t| (t as f64) > now + MIN_ALARM_LEAD_MS && (t as f64) <= at) {
            return Ok(());
        }
        // The offset is taken from the same clock reading as `now` (nothing awaits between).
        self.state
            .storage()
            .set_alarm((at - now_ms()).ceil() as i64)
            .await?;
        Ok(())
    }

    /// Before a request's pass calls out: if this process dies mid-call, an alarm brings the
    /// entry back (the pass's own alarm, set after its attempts, replaces this one). Only ever
    /// moves the alarm earlier, so a retry another pass scheduled is never pushed back.
    pub(super) async fn safety_alarm(&self) -> Result<(), crate::error::AppError> {
        let at = now_ms() + SAFETY_ALARM_MS;
        let existing = self.state.storage().get_alarm().await?;
        if existing.is_none_or(|t| t as f64 > at) {
            self.state
                .storage()
                .set_alarm(std::time::Duration::from_millis(SAFETY_ALARM_MS as u64))
                .await?;
        }
        Ok(())
    }

    /// One delivery attempt.
    async fn attempt(&self, meta: &Meta, entry: &mut OutboxEntry, policy: &RetryPolicy) -> Outcome {
        let result = match entry.connector.as_str() {
            "zendesk" | "freshdesk" | "intercom" => {
                return match entry.kind {
                    DeliveryKind::CustomerMessage => {
                        self.deliver_follow_up(entry, policy.attempt_timeout())
                            .await
                    }
                    _ => {
                        self.deliver_helpdesk(meta, entry, policy.attempt_timeout())
                            .await
                    }
                }
            }
            "builtin" => self.deliver_to_inbox(meta).await,
            "webhook" => self.deliver_webhook(meta, entry, policy).await,
            "ai" => self.answer_pending(entry).await,
            "slack" | "linear" | "hubspot" => self.deliver_notice(meta, entry, policy).await,
            "route" => self
                .route_pending()
                .await
                .map(|_| Outcome::Delivered)
                .map_err(|e| e.to_string()),
            other => Err(format!("no connector named '{other}'")),
        };
        match result {
            Ok(outcome) => outcome,
            Err(reason) => Outcome::Retry {
                retry_after_ms: None,
                reason,
            },
        }
    }

    async fn deliver_to_inbox(&self, meta: &Meta) -> Result<Outcome, String> {
        let entry = QueueEntry {
            id: meta.id.clone(),
            site: meta.site.clone(),
            priority: meta.priority.rank(),
            level: meta.priority,
            contact: meta.contact.clone(),
            waiting_since: None,
            timeout_asked: false,
            position: None,
            wait_seconds: None,
            status: meta.state.status,
            queue: meta
                .state
                .queue
                .as_ref()
                .map(|q| q.to_string())
                .unwrap_or_default(),
            queue_name: meta.queue_name.clone().unwrap_or_default(),
            topic: meta.topic.clone().unwrap_or_default(),
            summary: summary(meta),
            reason: meta.reason.clone().unwrap_or_default(),
            customer: customer_name(&meta.user),
            page_url: meta.page["url"].as_str().unwrap_or_default().to_owned(),
            last_message: meta.last_message.clone().unwrap_or_default(),
            agent: meta.agent_name.clone(),
            first_agent_at: meta.first_agent_at,
            transferred_by: meta.transferred_by.clone(),
            delivery_failed: meta.delivery_failed.clone(),
            enqueued_at: meta.enqueued_at.unwrap_or(meta.created_at),
            updated_at: now_ms(),
        };
        let resp =
            durable::call_router(&self.env, &meta.site, Method::Post, "/upsert", Some(&entry))
                .await
                .map_err(|e| e.to_string())?;
        Ok(classify(resp.status_code(), None, now_ms()))
    }

    /// The last attempt failed: the escalation stays in the built-in inbox and an alert is
    /// raised (see `notify.rs`). `true` when that committed new entries.
    async fn give_up(&self, meta: &Meta, entry: &OutboxEntry) -> bool {
        worker::console_error!(
            "ALERT outbox: giving up on {} via {} for conversation {} after {} attempts: {}",
            entry.key,
            entry.connector,
            meta.id,
            entry.attempts,
            entry.last_error.as_deref().unwrap_or("unknown error")
        );
        self.gave_up(meta, entry).await
    }
}
