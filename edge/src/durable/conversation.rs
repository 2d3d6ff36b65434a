//! The Conversation object: event log, the shared state machine, and the live WebSockets.
//! Each change is committed to storage before it is broadcast or sent anywhere else.

use crate::ai;
use crate::durable::{self, now_ms};

mod delivery;
use crate::error::{respond, AppError};
use crate::metrics::MetricEvent;
use crate::site;
use baton_shared::conversation::{ConversationState, Effect, Escalation, Event, Status};
use baton_shared::message::{render, topic_label};
use baton_shared::trigger::detect_hard;
use baton_shared::wire::{Author, ClientCommand, EventBody, LiveEvent};
use baton_shared::{Category, SiteConfig};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
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
    /// Last customer or agent message, for the inbox list.
    #[serde(default)]
    last_message: Option<String>,
    /// The customer's segment, once known.
    #[serde(default)]
    segment: Option<String>,
    /// Times (ms) of recent customer messages, for the per-conversation rate limit.
    #[serde(default)]
    recent_message_times: Vec<f64>,
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
}

/// Events appended during one change, committed together with the new meta.
struct Change {
    meta: Meta,
    events: Vec<LiveEvent>,
    router_dirty: bool,
    metrics: Vec<MetricEvent>,
}

impl Change {
    fn new(meta: Meta, router_dirty: bool) -> Self {
        Self {
            meta,
            events: Vec::new(),
            router_dirty,
            metrics: Vec::new(),
        }
    }

    fn metric(&mut self, name: &str, value: Option<f64>) {
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
            ticket: None,
            expected_by: None,
        });
    }
}

impl DurableObject for Conversation {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        respond(
            async {
                match (req.method(), path.as_str()) {
                    (Method::Post, "/init") => self.init(req.json().await?).await,
                    (Method::Get, "/live") => self.accept_live(&req).await,
                    (Method::Post, "/csat") => self.csat(req.json().await?).await,
                    (Method::Delete, "/") => self.erase().await,
                    (Method::Get, "/state") => self.snapshot().await,
                    (Method::Post, "/send") => {
                        let ClientCommand::Send { text, client_id } = req.json().await?;
                        self.customer_message(text, client_id).await?;
                        Ok(Response::from_json(&json!({ "ok": true }))?)
                    }
                    (Method::Post, "/position") => {
                        let body: Value = req.json().await?;
                        self.queue_position(&body).await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Post, action @ ("/claim" | "/reply" | "/resolve")) => {
                        let body: Value = req.json().await?;
                        let agent = body["agent"].as_str().unwrap_or_default().to_owned();
                        let text = body["text"].as_str().map(str::to_owned);
                        self.agent_action(action, agent, text).await?;
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
        let result = match serde_json::from_str::<ClientCommand>(&text) {
            Ok(ClientCommand::Send { text, client_id }) => match peer.role.as_str() {
                "customer" => self.customer_message(text, client_id).await,
                _ => self.agent_action("/reply", peer.name, Some(text)).await,
            },
            Err(e) => Err(AppError::BadRequest {
                code: "invalid_command",
                message: format!("expected {{\"type\":\"send\",\"text\":\"...\"}}: {e}"),
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
        self.deliver_due().await;
        Response::empty()
    }
}

impl Conversation {
    async fn load(&self) -> std::result::Result<Meta, AppError> {
        self.state
            .storage()
            .get::<Meta>("meta")
            .await?
            .ok_or_else(|| AppError::NotFound("no such conversation".into()))
    }

    async fn init(&self, init: InitRequest) -> std::result::Result<Response, AppError> {
        if self.state.storage().get::<Meta>("meta").await?.is_none() {
            let meta = Meta {
                id: init.id,
                site: init.site,
                locale: init.locale,
                created_at: now_ms(),
                page: init.page,
                user: init.user,
                state: ConversationState::default(),
                last_seq: 0,
                topic: None,
                queue_name: None,
                last_intent: None,
                ai_answers: 0,
                ai_misses: 0,
                reason: None,
                enqueued_at: None,
                agent_name: None,
                recent_client_ids: Vec::new(),
                csat: None,
                recent_message_times: Vec::new(),
                segment: None,
                last_message: None,
            };
            self.state
                .storage()
                .put_raw("meta", durable::to_js(&meta)?)
                .await?;
            let body = json!({ "events": [{ "name": "conversation_started" }] });
            durable::call_router(&self.env, &meta.site, Method::Post, "/metrics", Some(&body))
                .await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Accept a WebSocket (hibernatable) and replay what the client has not seen.
    async fn accept_live(&self, req: &Request) -> std::result::Result<Response, AppError> {
        let url = req.url()?;
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let role = q.get("role").cloned().unwrap_or_else(|| "customer".into());
        let since: u64 = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
        self.load().await?;
        // Read the backlog first; from here to `accept` nothing awaits, so no commit can slip
        // between the backlog and the live broadcast: the client sees each event exactly once.
        let backlog = self.events_since(since).await?;
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[role.as_str()]);
        pair.server.serialize_attachment(Peer {
            role,
            name: q.get("name").cloned().unwrap_or_default(),
        })?;
        for event in &backlog {
            pair.server.send(event)?;
        }
        Ok(Response::from_websocket(pair.client)?)
    }

    /// The router's latest queue position and wait estimate, pushed to the customer.
    async fn queue_position(&self, body: &Value) -> std::result::Result<(), AppError> {
        let meta = self.load().await?;
        if !matches!(meta.state.status, Status::Queued | Status::Reopened) {
            return Ok(());
        }
        let mut change = Change::new(meta, false);
        let status = change.meta.state.status;
        change.meta.last_seq += 1;
        change.events.push(LiveEvent {
            seq: change.meta.last_seq,
            at: now_ms(),
            body: EventBody::Status {
                status,
                topic: change.meta.topic.clone(),
                queue: change.meta.queue_name.clone(),
                agent: None,
                position: body["position"].as_u64().map(|p| p as u32),
                wait_seconds: body["wait_seconds"].as_u64().map(|w| w as u32),
                ticket: None,
                expected_by: None,
            },
        });
        self.commit(change).await
    }

    /// Store the customer's rating of a conversation a human handled.
    async fn csat(&self, body: CsatBody) -> std::result::Result<Response, AppError> {
        if !(1..=5).contains(&body.score) {
            return Err(AppError::bad_field(
                "score",
                "score is a whole number from 1 to 5",
            ));
        }
        let comment = body.comment.unwrap_or_default().trim().to_owned();
        if comment.chars().count() > 1000 {
            return Err(AppError::bad_field(
                "comment",
                "comments are at most 1000 characters",
            ));
        }
        let mut meta = self.load().await?;
        if meta.state.escalation.is_none() {
            return Err(AppError::BadRequest {
                code: "no_handoff",
                message:
                    "ratings are for conversations a person handled; this one never left the AI"
                        .into(),
                field: None,
            });
        }
        let metric = json!({ "events": [{
            "name": "csat", "value": body.score, "segment": meta.segment,
            "trigger": meta.state.escalation.as_ref().map(|e| e.trigger.to_string()),
        }] });
        meta.csat = Some(Csat {
            score: body.score,
            comment,
            at: now_ms(),
        });
        self.state
            .storage()
            .put_raw("meta", durable::to_js(&meta)?)
            .await?;
        durable::call_router(
            &self.env,
            &meta.site,
            Method::Post,
            "/metrics",
            Some(&metric),
        )
        .await?;
        Ok(Response::from_json(&json!({ "ok": true }))?)
    }

    /// Delete everything this conversation holds (the customer's right to erasure).
    async fn erase(&self) -> std::result::Result<Response, AppError> {
        let meta = self.load().await?;
        for ws in self.state.get_websockets() {
            let _ = ws.close(Some(1000), Some("conversation deleted"));
        }
        self.state.storage().delete_all().await?;
        let body = json!({ "id": meta.id });
        durable::call_router(&self.env, &meta.site, Method::Post, "/remove", Some(&body)).await?;
        Ok(Response::empty()?.with_status(204))
    }

    async fn snapshot(&self) -> std::result::Result<Response, AppError> {
        let meta = self.load().await?;
        let events = self.events_since(0).await?;
        Ok(Response::from_json(&json!({
            "id": meta.id,
            "site": meta.site,
            "status": meta.state.status,
            "escalation": meta.state.escalation,
            "queue": meta.queue_name,
            "topic": meta.topic,
            "reason": meta.reason,
            "agent": meta.agent_name,
            "page": meta.page,
            "user": meta.user,
            "summary": summary(&meta),
            "csat": meta.csat,
            "events": events,
        }))?)
    }

    async fn events_since(&self, since: u64) -> std::result::Result<Vec<LiveEvent>, AppError> {
        let start = format!("e:{:012}", since + 1);
        let map = self
            .state
            .storage()
            .list_with_options(ListOptions::new().start(&start).prefix("e:"))
            .await?;
        let mut out = Vec::new();
        for value in map.values() {
            let value = value.map_err(|e| AppError::Internal(format!("{e:?}")))?;
            out.push(
                serde_wasm_bindgen::from_value(value)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            );
        }
        Ok(out)
    }

    async fn config(&self, site: &str) -> std::result::Result<SiteConfig, AppError> {
        site::load(&self.env, site).await
    }

    async fn customer_message(
        &self,
        text: String,
        client_id: Option<String>,
    ) -> std::result::Result<(), AppError> {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(AppError::bad_field("text", "the message is empty"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(AppError::bad_field(
                "text",
                format!("messages are at most {MAX_TEXT} characters"),
            ));
        }
        // Config first (KV is outside I/O, during which other events may run); then the state,
        // with no outside I/O between reading it and committing the change.
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        if let Some(id) = &client_id {
            if meta.recent_client_ids.contains(id) {
                return Ok(()); // a resend of something already stored
            }
        }
        let mut meta = meta;
        let limit = crate::limits::Limit::from_env(
            &self.env,
            "RATE_LIMIT_MESSAGES",
            crate::limits::MESSAGES,
        );
        if let Some(secs) = crate::limits::over(&mut meta.recent_message_times, now_ms(), limit) {
            return Err(AppError::RateLimited(secs));
        }
        let mut change = Change::new(meta, false);
        if let Some(id) = client_id.clone() {
            let ids = &mut change.meta.recent_client_ids;
            ids.push(id);
            if ids.len() > CLIENT_IDS_KEPT {
                ids.remove(0);
            }
        }
        change.push(EventBody::Message {
            author: Author::Customer,
            text: text.clone(),
            name: None,
            client_id,
        });

        let escalation = (change.meta.state.status == Status::AiMode)
            .then(|| detect_hard(&text, &change.meta.locale))
            .flatten()
            .map(|hit| Escalation {
                trigger: hit.trigger,
                category: hit.category,
                hard: true,
                turn: change.meta.state.customer_turns,
            });
        let effects = change
            .meta
            .state
            .apply(Event::CustomerMessage { escalation })?;
        self.carry_out(&mut change, &config, effects, &text)?;
        if change.meta.state.status.is_human() {
            change.router_dirty = true;
        }
        self.commit(change).await
    }

    async fn agent_action(
        &self,
        action: &str,
        agent: String,
        text: Option<String>,
    ) -> std::result::Result<(), AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        let mut change = Change::new(meta, true);
        let status = change.meta.state.status;
        let needs_claim = matches!(status, Status::Queued | Status::Reopened)
            || (status == Status::WithAgent
                && change.meta.agent_name.as_deref() != Some(agent.as_str()));
        if needs_claim && action != "/resolve" {
            let effects = change.meta.state.apply(Event::AgentClaimed {
                agent: agent.as_str().into(),
            })?;
            change.meta.agent_name = Some(agent.clone());
            self.carry_out(&mut change, &config, effects, "")?;
        }
        match action {
            "/reply" => {
                let text = text.unwrap_or_default().trim().to_owned();
                if text.is_empty() {
                    return Err(AppError::bad_field("text", "the reply is empty"));
                }
                if text.chars().count() > MAX_TEXT {
                    return Err(AppError::bad_field(
                        "text",
                        format!("replies are at most {MAX_TEXT} characters"),
                    ));
                }
                if !change.meta.state.status.is_human() {
                    return Err(AppError::BadRequest {
                        code: "not_with_agent",
                        message: "this conversation is not with a human: claim it first".into(),
                        field: None,
                    });
                }
                change.say(Author::Agent, text, Some(agent));
            }
            "/resolve" => {
                if change.meta.agent_name.is_none() {
                    change.meta.agent_name = Some(agent);
                }
                let effects = change.meta.state.apply(Event::Resolved)?;
                self.carry_out(&mut change, &config, effects, "")?;
            }
            _ => {}
        }
        self.commit(change).await
    }

    /// Carry out the state machine's effects; those that produce events feed them back in.
    fn carry_out(
        &self,
        change: &mut Change,
        config: &SiteConfig,
        effects: Vec<Effect>,
        text: &str,
    ) -> std::result::Result<(), AppError> {
        let templates = config.templates(&change.meta.locale);
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::AskAi => {
                    let answer = ai::knowledge_base(&config.ai, text);
                    if answer.intent.is_some() {
                        change.meta.last_intent = answer.intent.clone();
                    }
                    match answer.text {
                        Some(reply) => {
                            change.meta.ai_answers += 1;
                            change.say(Author::Ai, reply, None);
                        }
                        None => {
                            change.meta.ai_misses += 1;
                            change.say(Author::Ai, templates.no_answer.clone(), None);
                        }
                    }
                }
                Effect::Route(escalation) => {
                    let category = if escalation.trigger.as_str() == "human_request" {
                        change
                            .meta
                            .last_intent
                            .clone()
                            .unwrap_or(escalation.category.clone())
                    } else {
                        escalation.category.clone()
                    };
                    let queue_cfg = config
                        .queue_for(&category)
                        .or_else(|| config.routing.queues.first())
                        .cloned()
                        .unwrap_or_default();
                    change.meta.topic = Some(topic_label(category.as_str()));
                    change.meta.queue_name = Some(queue_cfg.name.clone());
                    change.meta.reason = Some(format!(
                        "{} ({})",
                        escalation.trigger.as_str().replace('_', " "),
                        if escalation.hard {
                            "hard trigger"
                        } else {
                            "soft signals"
                        }
                    ));
                    change.meta.enqueued_at = Some(now_ms());
                    let wait = "A person usually replies within a few minutes.";
                    let message = render(
                        &templates.transition,
                        &[
                            (
                                "topic",
                                change.meta.topic.as_deref().unwrap_or("your question"),
                            ),
                            ("queue", &queue_cfg.name),
                            ("wait", wait),
                        ],
                    );
                    change.say(Author::System, message, None);
                    queue.extend(change.meta.state.apply(Event::Routed {
                        queue: queue_cfg.id,
                    })?);
                }
                Effect::StatusChanged(status) => {
                    if status == Status::Resolved {
                        let agent = change
                            .meta
                            .agent_name
                            .clone()
                            .unwrap_or_else(|| "Our team".into());
                        change.status(status);
                        change.say(
                            Author::System,
                            render(&templates.resolved, &[("agent", &agent)]),
                            None,
                        );
                    } else if status == Status::WithAgent {
                        change.status(status);
                        let agent = change.meta.agent_name.clone().unwrap_or_default();
                        change.say(
                            Author::System,
                            render(&templates.agent_joined, &[("agent", &agent)]),
                            None,
                        );
                    } else {
                        if status == Status::Reopened {
                            change.meta.agent_name = None;
                        }
                        change.status(status);
                    }
                }
                Effect::Enqueue { .. } => change.router_dirty = true,
                Effect::Metric(name) => change.metric(name, None),
                // Effects this host does not carry out yet.
                _ => {}
            }
        }
        Ok(())
    }

    /// Commit events and meta in one storage write, then broadcast, then update the router.
    async fn commit(&self, change: Change) -> std::result::Result<(), AppError> {
        let Change {
            meta,
            events,
            router_dirty,
            metrics,
        } = change;
        // One put_multiple is one atomic write: the events and the state they lead to land together.
        let batch = js_sys::Object::new();
        for e in &events {
            js_sys::Reflect::set(
                &batch,
                &format!("e:{:012}", e.seq).into(),
                &durable::to_js(e)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        js_sys::Reflect::set(&batch, &"meta".into(), &durable::to_js(&meta)?)
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        // The inbox copy travels through the outbox, committed with the change: a crash after
        // this write still ends with the escalation in the inbox.
        if router_dirty && meta.state.escalation.is_some() {
            let entry = delivery::inbox_entry(now_ms());
            js_sys::Reflect::set(
                &batch,
                &delivery::key(&entry).into(),
                &durable::to_js(&entry)?,
            )
            .map_err(|e| AppError::Internal(format!("{e:?}")))?;
        }
        self.state.storage().put_multiple_raw(batch).await?;

        for ws in self.state.get_websockets() {
            for e in &events {
                let _ = ws.send(e);
            }
        }
        if !metrics.is_empty() {
            let body = serde_json::json!({ "events": metrics });
            let resp =
                durable::call_router(&self.env, &meta.site, Method::Post, "/metrics", Some(&body))
                    .await?;
            if resp.status_code() >= 300 {
                worker::console_error!("metrics for {} answered {}", meta.id, resp.status_code());
            }
        }
        self.deliver_due().await;
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

/// A short plain-language handoff summary (the decision core will grow a fuller one).
fn summary(meta: &Meta) -> String {
    let topic = meta
        .topic
        .clone()
        .unwrap_or_else(|| "their question".into());
    let tried = match (meta.ai_answers, meta.ai_misses) {
        (0, 0) => "The AI had not answered yet".to_owned(),
        (a, 0) => format!("The AI answered {a} message(s)"),
        (a, m) => format!("The AI answered {a} message(s) and had no answer for {m}"),
    };
    let why = meta
        .reason
        .clone()
        .unwrap_or_else(|| "not escalated".into());
    format!(
        "{} needs help with {topic}. {tried}. Escalated because: {why}.",
        customer_name(&meta.user)
    )
}
