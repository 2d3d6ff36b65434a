//! The Conversation object: event log, the shared state machine, and the live WebSockets.
//! Each change is committed to storage before it is broadcast or sent anywhere else.

use crate::ai;
use crate::durable::{self, now_ms};
use std::cell::RefCell;

mod agent;
mod ask;
mod customer;
mod delivery;
mod effects;
mod helpdesk;
pub(crate) use helpdesk::event_to_json;
mod follow_up;
mod live;
mod notify;
mod route;
mod webhook;
use crate::error::{respond, AppError};
use crate::metrics::MetricEvent;
use crate::site;
use agent::Claim;
use baton_shared::conversation::{ConversationState, Effect, Escalation, Event, Status};
use baton_shared::message::{render, topic_label};
use baton_shared::wire::{Author, ClientCommand, EventBody, LiveEvent};
use baton_shared::{Category, SiteConfig};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{
    durable_object, DurableObject, Env, ListOptions, Method, Request, Response, Result, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

/// Longest message a customer or agent may send, in characters.
const MAX_TEXT: usize = 4000;
/// How many client message ids are remembered for de-duplicating resends.
const CLIENT_IDS_KEPT: usize = 64;

/// What the worker passes when a conversation starts.
#[derive(Debug, Serialize, Deserialize)]
pub struct InitRequest {
    /// Conversation id.
    pub id: String,
    /// Site id.
    pub site: String,
    /// Page context at start.
    pub page: Value,
    /// Identity the host page supplied.
    pub user: Value,
    /// Customer's locale.
    pub locale: String,
}

/// Everything but the event log.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    id: String,
    site: String,
    locale: String,
    created_at: f64,
    page: Value,
    user: Value,
    state: ConversationState,
    last_seq: u64,
    topic: Option<String>,
    queue_name: Option<String>,
    /// The latest intent the AI identified; the topic of a plain "talk to a person".
    last_intent: Option<Category>,
    ai_answers: u32,
    ai_misses: u32,
    reason: Option<String>,
    enqueued_at: Option<f64>,
    agent_name: Option<String>,
    recent_client_ids: Vec<String>,
    #[serde(default)]
    csat: Option<Csat>,
    /// What the conversation has shown so far (for the soft triggers).
    #[serde(default)]
    signals: baton_shared::decision::ConversationSignals,
    /// Recent decision records, newest last.
    #[serde(default)]
    decisions: Vec<baton_shared::decision::Decision>,
    /// Queue priority from the customer's segment and the trigger.
    #[serde(default)]
    priority: baton_shared::config::Priority,
    /// Escalated but not yet routed (the outbox's `route` entry finishes it).
    #[serde(default)]
    route_pending: bool,
    /// Ticket reference of an out-of-hours escalation.
    #[serde(default)]
    ticket: Option<String>,
    /// When the customer can expect an answer, in words.
    #[serde(default)]
    expected: Option<String>,
    /// Why the helpdesk delivery was given up, if it was (the escalation stays in the inbox).
    #[serde(default)]
    delivery_failed: Option<String>,
    /// The customer's first few messages, for the handoff summary.
    #[serde(default)]
    first_messages: Vec<String>,
    /// Its resolution was counted (a reopened conversation resolved again is not counted again,
    /// so the resolution rate after handoff stays one per escalated conversation).
    #[serde(default)]
    resolution_counted: bool,
    /// The AI's latest answer, for the handoff summary.
    #[serde(default)]
    last_ai_answer: Option<String>,
    /// Last customer or agent message, for the inbox list.
    #[serde(default)]
    last_message: Option<String>,
    /// The customer's segment, once known.
    #[serde(default)]
    segment: Option<String>,
    /// Times (ms) of recent customer messages, for the per-conversation rate limit.
    #[serde(default)]
    recent_message_times: Vec<f64>,
    /// Customer messages (by seq) a remote AI has yet to answer.
    #[serde(default)]
    ai_pending: Vec<u64>,
    /// When an agent first took the conversation (ms): time to agent is counted once.
    #[serde(default)]
    first_agent_at: Option<f64>,
    /// The agent who last transferred it away; not handed it back automatically.
    #[serde(default)]
    transferred_by: Option<String>,
    /// Every transfer between queues, oldest first.
    #[serde(default)]
    transfers: Vec<Transfer>,
    /// The helpdesk ticket this conversation was handed to (Zendesk, Freshdesk, Intercom).
    #[serde(default)]
    helpdesk: Option<helpdesk::HelpdeskLink>,
    /// What a promised follow-up (callback, email answer) still needs from the customer.
    #[serde(default)]
    awaiting_contact: Option<follow_up::ContactKind>,
    /// How often the customer has been asked for it.
    #[serde(default)]
    contact_asks: u8,
    /// The phone number or email the customer left for the follow-up.
    #[serde(default)]
    contact: Option<String>,
}

/// One move of the conversation from a queue to another.
#[derive(Debug, Serialize, Deserialize)]
struct Transfer {
    /// Queue name before (none if it was never routed).
    from: Option<String>,
    /// Queue name after.
    to: String,
    /// Agent who moved it.
    agent: String,
    /// When (ms).
    at: f64,
}

/// A customer's rating after a human handled the conversation.
#[derive(Debug, Serialize, Deserialize)]
struct Csat {
    score: u8,
    comment: String,
    at: f64,
}

/// Body of `POST /csat`.
#[derive(Debug, Deserialize)]
pub struct CsatBody {
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

/// Who is on the other end of a WebSocket.
#[derive(Debug, Serialize, Deserialize)]
struct Peer {
    role: String,
    name: String,
}

/// The Conversation Durable Object.
#[durable_object]
pub struct Conversation {
    state: State,
    env: Env,
    /// Outbox entries being attempted right now: a second pass (another request's commit)
    /// leaves them alone instead of calling out twice.
    in_flight: RefCell<Vec<String>>,
}

/// Events appended during one change, committed together with the new meta.
struct Change {
    meta: Meta,
    events: Vec<LiveEvent>,
    router_dirty: bool,
    metrics: Vec<MetricEvent>,
    /// The AI answered in this change (so the soft signals can be read).
    ai_answered: bool,
    /// Deliveries to commit with this change.
    outbox: Vec<baton_shared::outbox::OutboxEntry>,
}

impl Change {
    fn new(meta: Meta, router_dirty: bool) -> Self {
        Self {
            meta,
            events: Vec::new(),
            router_dirty,
            metrics: Vec::new(),
            ai_answered: false,
            outbox: Vec::new(),
        }
    }

    /// Keep a decision record; return the escalation it calls for, if it acts.
    fn record(&mut self, d: baton_shared::decision::Decision) -> Option<Escalation> {
        let escalation = (d.escalate && d.act).then(|| Escalation {
            trigger: d.trigger.clone().unwrap_or_else(|| "soft".into()),
            category: d.category.clone().unwrap_or_else(|| "general".into()),
            hard: d.hard,
            turn: d.turn,
        });
        if escalation.is_some() {
            self.meta.reason = Some(d.explain());
            self.meta.segment.clone_from(&d.segment);
            self.meta.priority = d.priority;
        }
        if d.escalate || !d.shadowed.is_empty() || d.signals.iter().any(|s| s.fired) {
            self.meta.decisions.push(d);
            if self.meta.decisions.len() > 20 {
                self.meta.decisions.remove(0);
            }
        }
        escalation
    }

    /// How the conversation's topic reads to a customer ("about {topic}"); the general label
    /// before a category is known.
    fn topic(&self) -> String {
        self.meta
            .topic
            .clone()
            .unwrap_or_else(|| topic_label("general"))
    }

    /// The sequence number of the last customer message appended in this change.
    fn last_customer_seq(&self) -> Option<u64> {
        self.events
            .iter()
            .rev()
            .find(|e| {
                matches!(
                    e.body,
                    EventBody::Message {
                        author: Author::Customer,
                        ..
                    }
                )
            })
            .map(|e| e.seq)
    }

    fn metric(&mut self, name: &str, value: Option<f64>) {
        if name == "resolved" {
            if self.meta.resolution_counted {
                return;
            }
            self.meta.resolution_counted = true;
        }
        let escalation = self.meta.state.escalation.as_ref();
        self.metrics.push(MetricEvent {
            name: name.to_owned(),
            trigger: escalation.map(|e| e.trigger.to_string()),
            segment: self.meta.segment.clone(),
            value,
        });
    }

    fn push(&mut self, body: EventBody) {
        if let EventBody::Message {
            author: Author::Customer | Author::Agent,
            text,
            ..
        } = &body
        {
            self.meta.last_message = Some(text.clone());
        }
        if let EventBody::Message {
            author: Author::Customer,
            text,
            ..
        } = &body
        {
            if self.meta.first_messages.len() < 4 {
                self.meta
                    .first_messages
                    .push(text.chars().take(400).collect());
            }
        }
        self.meta.last_seq += 1;
        self.events.push(LiveEvent {
            seq: self.meta.last_seq,
            at: now_ms(),
            body,
        });
    }

    fn say(&mut self, author: Author, text: String, name: Option<String>) {
        self.push(EventBody::Message {
            author,
            text,
            name,
            client_id: None,
        });
    }

    fn status(&mut self, status: Status) {
        self.router_dirty = true;
        self.push(EventBody::Status {
            status,
            topic: self.meta.topic.clone(),
            queue: self.meta.queue_name.clone(),
            agent: self.meta.agent_name.clone(),
            position: None,
            wait_seconds: None,
            ticket: self.meta.ticket.clone(),
            expected_by: self.meta.expected.clone(),
        });
    }
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            in_flight: RefCell::default(),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        respond(
            async {
                match (req.method(), path.as_str()) {
                    (Method::Post, "/init") => {
                        self.init(crate::routes::json_body(&mut req, "JSON").await?)
                            .await
                    }
                    (Method::Get, "/live") => self.accept_live(&req).await,
                    (Method::Post, "/csat") => {
                        self.csat(crate::routes::json_body(&mut req, "JSON").await?)
                            .await
                    }
                    (Method::Delete, "/") => self.erase().await,
                    (Method::Get, "/state") => self.snapshot().await,
                    (Method::Post, "/send") => {
                        match crate::routes::json_body(&mut req, "JSON").await? {
                            ClientCommand::Send { text, client_id } => {
                                self.customer_message(text, client_id).await?
                            }
                            ClientCommand::Context { page } => self.update_page(page).await?,
                        }
                        Ok(Response::from_json(&json!({ "ok": true }))?)
                    }
                    (Method::Post, "/position") => {
                        let body: Value = crate::routes::json_body(&mut req, "JSON").await?;
                        self.queue_position(&body).await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Post, "/transfer") => {
                        let body: Value = crate::routes::json_body(&mut req, "JSON").await?;
                        let agent = body["agent"].as_str().unwrap_or_default().to_owned();
                        let queue = body["queue"].as_str().unwrap_or_default().to_owned();
                        self.transfer(agent, queue).await?;
                        Ok(Response::from_json(&json!({ "ok": true }))?)
                    }
                    (Method::Post, "/helpdesk-event") => {
                        let body: Value = crate::routes::json_body(&mut req, "JSON").await?;
                        let (vendor, event) = helpdesk::event_from_json(&body)?;
                        self.helpdesk_event(&vendor, event).await
                    }
                    (Method::Post, "/timeout") => {
                        self.queue_timeout().await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Post, "/release") => {
                        let body: Value = crate::routes::json_body(&mut req, "JSON").await?;
                        self.release(body["agent"].as_str().unwrap_or_default())
                            .await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Post, action @ ("/claim" | "/reply" | "/resolve")) => {
                        let body: Value = crate::routes::json_body(&mut req, "JSON").await?;
                        let agent = body["agent"].as_str().unwrap_or_default().to_owned();
                        let text = body["text"].as_str().map(str::to_owned);
                        let how = if body["assigned"] == true {
                            Claim::Assigned
                        } else if body["take_over"] == true {
                            Claim::TakeOver
                        } else {
                            Claim::Own
                        };
                        self.agent_action(action, agent, text, how).await?;
                        Ok(Response::from_json(&json!({ "ok": true }))?)
                    }
                    (m, p) => Err(AppError::NotFound(format!("conversation has no {m} {p}"))),
                }
            }
            .await,
        )
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let WebSocketIncomingMessage::String(text) = message else {
            return Ok(());
        };
        let peer: Option<Peer> = ws.deserialize_attachment().ok().flatten();
        let Some(peer) = peer else { return Ok(()) };
        let result = match crate::json::parse::<ClientCommand>(&text) {
            Ok(ClientCommand::Send { text, client_id }) => match peer.role.as_str() {
                "customer" => self.customer_message(text, client_id).await,
                _ => {
                    self.agent_action("/reply", peer.name, Some(text), Claim::Own)
                        .await
                }
            },
            Ok(ClientCommand::Context { page }) if peer.role == "customer" => {
                self.update_page(page).await
            }
            Ok(ClientCommand::Context { .. }) => Err(AppError::BadRequest {
                code: "invalid_command",
                message: "only the customer's widget sends page context".into(),
                field: None,
            }),
            Err(e) => Err(AppError::BadRequest {
                code: "invalid_command",
                message: format!("expected {{\"type\":\"send\",\"text\":\"...\"}} or {{\"type\":\"context\",\"page\":{{...}}}}: {e}"),
                field: None,
            }),
        };
        if let Err(e) = result {
            let _ = ws.send(&json!({ "kind": "error", "message": e.to_string() }));
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        _ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> Result<()> {
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        // The runtime retries an alarm handler that dies, so no safety alarm is needed here.
        self.deliver_due_with(false).await;
        Response::empty()
    }
}

impl Conversation {
    async fn load(&self) -> std::result::Result<Meta, AppError> {
        durable::store::get::<Meta>(&self.state.storage(), "meta")
            .await?
            .ok_or_else(|| AppError::NotFound("no such conversation".into()))
    }

    async fn config(&self, site: &str) -> std::result::Result<SiteConfig, AppError> {
        site::load(&self.env, site).await
    }

    /// Commit, then attempt whatever the outbox now holds.
    async fn commit(&self, change: Change) -> std::result::Result<(), AppError> {
        self.commit_only(change).await?;
        self.deliver_due().await;
        Ok(())
    }

    /// Commit events, meta and outbox entries in one storage write, then broadcast.
    async fn commit_only(&self, change: Change) -> std::result::Result<(), AppError> {
        let Change {
            meta,
            events,
            router_dirty,
            metrics,
            outbox,
            ..
        } = change;
        // One put_multiple is one atomic write: the events and the state they lead to land together.
        let batch = js_sys::Object::new();
        for e in &events {
            js_sys::Reflect::set(
                &batch,
                &format!("e:{:012}", e.seq).into(),
                &durable::store::encode(e)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        js_sys::Reflect::set(&batch, &"meta".into(), &durable::store::encode(&meta)?)
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        // The inbox copy travels through the outbox, committed with the change: a crash after
        // this write still ends with the escalation in the inbox.
        for entry in &outbox {
            js_sys::Reflect::set(
                &batch,
                &delivery::key(entry).into(),
                &durable::store::encode(entry)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        if meta.route_pending {
            let entry = delivery::route_entry(now_ms());
            js_sys::Reflect::set(
                &batch,
                &delivery::key(&entry).into(),
                &durable::store::encode(&entry)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        let inbox_copy = router_dirty && meta.state.escalation.is_some() && !meta.route_pending;
        if inbox_copy {
            let entry = delivery::inbox_entry(now_ms());
            js_sys::Reflect::set(
                &batch,
                &delivery::key(&entry).into(),
                &durable::store::encode(&entry)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        // Outbox work is armed before it is written (the two writes coalesce into one): if the
        // object dies between this commit and the first attempt, the alarm still comes.
        if !outbox.is_empty() || meta.route_pending || inbox_copy {
            self.safety_alarm().await?;
        }
        self.state.storage().put_multiple_raw(batch).await?;

        for ws in self.state.get_websockets() {
            for e in &events {
                if let Ok(text) = crate::json::text(e) {
                    let _ = ws.send_with_str(text);
                }
            }
        }
        if !metrics.is_empty() {
            let body = serde_json::json!({ "events": metrics });
            // The change is committed: a metrics failure is logged, not reported as a failed
            // request (the client would send again what was already accepted).
            match durable::call_router(&self.env, &meta.site, Method::Post, "/metrics", Some(&body))
                .await
            {
                Ok(resp) if resp.status_code() < 300 => {}
                Ok(resp) => {
                    worker::console_error!(
                        "metrics for {} answered {}",
                        meta.id,
                        resp.status_code()
                    )
                }
                Err(e) => worker::console_error!("metrics for {}: {e}", meta.id),
            }
        }
        Ok(())
    }
}

fn customer_name(user: &Value) -> String {
    ["name", "email", "user_id"]
        .iter()
        .find_map(|k| user[*k].as_str().filter(|s| !s.is_empty()))
        .unwrap_or("Visitor")
        .to_owned()
}

/// The handoff summary, from the shared core.
fn summary(meta: &Meta) -> String {
    let messages: Vec<&str> = meta.first_messages.iter().map(String::as_str).collect();
    let name = customer_name(&meta.user);
    let page = meta.page["title"]
        .as_str()
        .or_else(|| meta.page["url"].as_str());
    baton_shared::summary::summary(&baton_shared::summary::SummaryInput {
        customer: (name != "Visitor").then_some(name.as_str()),
        plan: meta.user["plan"].as_str(),
        topic: meta.topic.as_deref(),
        customer_messages: &messages,
        ai_answers: meta.ai_answers + meta.ai_misses,
        ai_misses: meta.ai_misses,
        last_ai_answer: meta.last_ai_answer.as_deref(),
        reason: meta.reason.as_deref(),
        page,
    })
}
