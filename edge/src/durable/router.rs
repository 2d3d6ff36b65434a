//! The per-site Router object: the inbox's view of every escalated conversation.
//! Conversations upsert their entry on each change; agents list it.

use crate::error::{respond, AppError};
use baton_shared::conversation::Status;
use serde::{Deserialize, Serialize};
use worker::{
    durable_object, DurableObject, Env, ListOptions, Method, Request, Response, Result, State,
};

/// What the inbox shows for one conversation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Conversation id.
    pub id: String,
    /// Status, as the state machine has it.
    pub status: Status,
    /// Queue id it is routed to.
    pub queue: String,
    /// Queue display name.
    pub queue_name: String,
    /// Topic shown to the customer.
    pub topic: String,
    /// Handoff summary.
    pub summary: String,
    /// Why it escalated, in words.
    pub reason: String,
    /// Customer display name or email, if known.
    pub customer: String,
    /// Page the customer was on.
    pub page_url: String,
    /// Last message text.
    pub last_message: String,
    /// Agent who has it.
    pub agent: Option<String>,
    /// When it entered the queue (ms).
    pub enqueued_at: f64,
    /// Last change (ms).
    pub updated_at: f64,
}

/// The Router Durable Object (one per site).
#[durable_object(fetch)]
pub struct SiteRouter {
    state: State,
}

impl DurableObject for SiteRouter {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        respond(
            async {
                match (req.method(), req.path().as_str()) {
                    (Method::Post, "/upsert") => {
                        let entry: QueueEntry = req.json().await?;
                        self.state
                            .storage()
                            .put_raw(&format!("c:{}", entry.id), crate::durable::to_js(&entry)?)
                            .await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Get, "/list") => Ok(Response::from_json(&self.list().await?)?),
                    (Method::Post, "/remove") => {
                        let body: serde_json::Value = req.json().await?;
                        let id = body["id"].as_str().unwrap_or_default();
                        self.state.storage().delete(&format!("c:{id}")).await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (m, p) => Err(AppError::NotFound(format!("router has no {m} {p}"))),
                }
            }
            .await,
        )
    }
}

impl SiteRouter {
    async fn list(&self) -> Result<Vec<QueueEntry>> {
        let map = self
            .state
            .storage()
            .list_with_options(ListOptions::new().prefix("c:"))
            .await?;
        let mut entries: Vec<QueueEntry> = Vec::new();
        for value in map.values() {
            let value = value?;
            if let Ok(entry) = serde_wasm_bindgen::from_value(value) {
                entries.push(entry);
            }
        }
        // Waiting customers first, oldest first; then live ones; resolved last, newest first.
        entries.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then_with(|| match a.status {
                    Status::Resolved => b.updated_at.total_cmp(&a.updated_at),
                    _ => a.enqueued_at.total_cmp(&b.enqueued_at),
                })
        });
        Ok(entries)
    }
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Queued | Status::Reopened | Status::Escalating => 0,
        Status::WithAgent => 1,
        Status::Async => 2,
        Status::AiMode => 3,
        Status::Resolved => 4,
    }
}
