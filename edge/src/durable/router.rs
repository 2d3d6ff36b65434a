//! The per-site Router object: agents' presence, skills and capacity; the queues; automatic
//! assignment by skill, free capacity and longest wait; live queue positions and wait estimates.

pub(crate) mod budget;

use crate::durable::{self, now_ms};
use crate::error::{respond, AppError};
use crate::metrics::{utc_day, DayMetrics, MetricEvent};
use crate::site;
use baton_shared::config::Priority;
use baton_shared::conversation::Status;
use baton_shared::order;
use baton_shared::routing::{self, wait_limit_minutes};
use baton_shared::SiteConfig;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use worker::{
    durable_object, DurableObject, Env, ListOptions, Method, Request, Response, Result, State,
};

pub(crate) mod helpdesk;

/// An agent counts as away when the inbox has not said otherwise for this long.
const PRESENCE_TTL_MS: f64 = 90_000.0;
/// Time-to-agent samples kept for wait estimates.
const TTA_SAMPLES: usize = 50;
/// Wait assumed per place in the queue before any sample exists.
/// How long a resolved conversation stays in the inbox's list (it can still be opened by id).
const RESOLVED_LISTED_MS: f64 = 24.0 * 3_600_000.0;
/// Rate-limit records untouched this long are removed (longer than any limit's window).
const RATE_RECORD_KEPT_MS: f64 = 48.0 * 3_600_000.0;
/// How often the router sweeps old list entries and rate-limit records.
const SWEEP_EVERY_MS: f64 = 3_600_000.0;

/// What the inbox shows for one conversation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Conversation id.
    pub id: String,
    /// Site id.
    #[serde(default)]
    pub site: String,
    /// Status, as the state machine has it.
    pub status: Status,
    /// Queue id it is routed to.
    pub queue: String,
    /// Queue display name.
    pub queue_name: String,
    /// Higher goes first (from the customer's segment).
    #[serde(default)]
    pub priority: i32,
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
    /// When an agent first took it (ms); time to agent is counted only before that.
    #[serde(default)]
    pub first_agent_at: Option<f64>,
    /// The agent who transferred it here; never assigned it back automatically.
    #[serde(default)]
    pub transferred_by: Option<String>,
    /// Why the helpdesk delivery was given up, if it was: the inbox flags the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_failed: Option<String>,
    /// When it entered the queue (ms).
    pub enqueued_at: f64,
    /// Last change (ms).
    pub updated_at: f64,
    /// Place in its queue while waiting (1 = next).
    #[serde(default)]
    pub position: Option<u32>,
    /// Estimated wait while waiting (seconds).
    #[serde(default)]
    pub wait_seconds: Option<u32>,
    /// The priority, for its wait limit (`routing.sla_minutes`).
    #[serde(default)]
    pub level: Priority,
    /// The phone number or email the customer left for a follow-up.
    #[serde(default)]
    pub contact: Option<String>,
    /// When it last started waiting (ms); set by the router.
    #[serde(default)]
    pub waiting_since: Option<f64>,
    /// The router has told the conversation its wait limit passed; set by the router.
    #[serde(default)]
    pub timeout_asked: bool,
}

/// An agent as the inbox reports them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Presence {
    /// Display name (the agent id in the built-in inbox).
    pub name: String,
    /// Taking conversations now.
    pub online: bool,
    /// Skills, matched against each queue's required skills.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Conversations the agent handles at once.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    /// Last heartbeat (ms); set by the router.
    #[serde(default)]
    pub seen_at: f64,
}

fn default_capacity() -> u32 {
    3
}

impl Presence {
    fn available(&self, now: f64, ttl: f64) -> bool {
        self.online && now - self.seen_at < ttl
    }

    fn qualifies(&self, skills: &[String]) -> bool {
        skills
            .iter()
            .all(|s| self.skills.iter().any(|a| a.eq_ignore_ascii_case(s)))
    }
}

/// The Router Durable Object (one per site).
#[durable_object]
pub struct SiteRouter {
    state: State,
    env: Env,
    /// The site this router serves, once a call has named it.
    site: std::cell::RefCell<Option<String>>,
}

impl DurableObject for SiteRouter {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            site: Default::default(),
        }
    }

    async fn websocket_message(
        &self,
        _ws: worker::WebSocket,
        _message: worker::WebSocketIncomingMessage,
    ) -> Result<()> {
        Ok(()) // the inbox only listens on this socket
    }

    async fn websocket_close(
        &self,
        _ws: worker::WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        Ok(())
    }

    async fn websocket_error(&self, _ws: worker::WebSocket, _error: worker::Error) -> Result<()> {
        Ok(())
    }

    /// Set by `rebalance` for the next wait limit or presence expiry.
    async fn alarm(&self) -> Result<Response> {
        let site: Option<String> = durable::store::get(&self.state.storage(), "site")
            .await
            .ok()
            .flatten();
        if let Some(site) = site {
            if let Err(e) = self.rebalance(&site).await {
                worker::console_error!("router alarm for {site}: {e}");
            }
        }
        Response::empty()
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let named = durable::site_of_router_call(&req.inner().url()).map(str::to_owned);
        if let Some(site) = named.filter(|s| self.site.borrow().as_ref() != Some(s)) {
            *self.site.borrow_mut() = Some(site.clone());
            let _ = durable::store::put(&self.state.storage(), "site", &site).await;
        }
        respond(
            async {
                match (req.method(), req.path().as_str()) {
                    (Method::Post, "/upsert") => {
                        let entry: QueueEntry = crate::routes::json_body(&mut req, "JSON").await?;
                        self.upsert(entry).await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Get, "/list") => Ok(crate::json::response(&self.entries().await?)?),
                    (Method::Get, "/live") => {
                        let pair = worker::WebSocketPair::new()?;
                        self.state.accept_web_socket(&pair.server);
                        pair.server
                            .send(&json!({ "kind": "queue", "entries": self.entries().await? }))?;
                        Ok(Response::from_websocket(pair.client)?)
                    }
                    (Method::Post, "/remove") => {
                        let body: serde_json::Value =
                            crate::routes::json_body(&mut req, "JSON").await?;
                        let id = body["id"].as_str().unwrap_or_default();
                        self.state.storage().delete(&format!("c:{id}")).await?;
                        self.broadcast().await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Post, "/presence") => {
                        let body: serde_json::Value =
                            crate::routes::json_body(&mut req, "JSON").await?;
                        let site = body["site"].as_str().unwrap_or_default().to_owned();
                        let mut p: Presence = crate::json::from(&body)
                            .map_err(|e| AppError::bad_field("presence", e.to_string()))?;
                        p.seen_at = now_ms();
                        self.state
                            .storage()
                            .put_raw(&format!("a:{}", p.name), durable::store::encode(&p)?)
                            .await?;
                        self.rebalance(&site).await?;
                        Ok(crate::json::response(&self.agents().await?)?)
                    }
                    (Method::Get, "/agents") => Ok(crate::json::response(&self.agents().await?)?),
                    (Method::Get, "/loads") => {
                        let site = crate::routes::query(&req, "site").unwrap_or_default();
                        Ok(crate::json::response(&self.loads(&site).await?)?)
                    }
                    (Method::Post, "/budget") => {
                        self.budget(crate::routes::json_body(&mut req, "JSON").await?)
                            .await
                    }
                    (Method::Post, "/metrics") => {
                        let body: MetricBatch = crate::routes::json_body(&mut req, "JSON").await?;
                        self.count(&body.events).await?;
                        Ok(Response::empty()?.with_status(204))
                    }
                    (Method::Get, "/metrics") => {
                        let days: u32 = crate::routes::query(&req, "days")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(7);
                        Ok(Response::from_json(&self.report(days).await?)?)
                    }
                    (Method::Post, "/config-version") => {
                        // Read and write with no other I/O between: one object, one counter, so
                        // two config writes never get the same number.
                        let body: serde_json::Value =
                            crate::routes::json_body(&mut req, "JSON").await?;
                        let after = body["after"].as_u64().unwrap_or(0);
                        let stored: u64 =
                            durable::store::get(&self.state.storage(), "config_version")
                                .await?
                                .unwrap_or(0);
                        let version = stored.max(after) + 1;
                        durable::store::put(&self.state.storage(), "config_version", &version)
                            .await?;
                        Ok(Response::from_json(&json!({ "version": version }))?)
                    }
                    (Method::Post, "/ratelimit") => {
                        let body: serde_json::Value =
                            crate::routes::json_body(&mut req, "JSON").await?;
                        let key = format!("rl:{}", body["key"].as_str().unwrap_or_default());
                        let limit = crate::limits::Limit {
                            count: body["count"].as_u64().unwrap_or(1) as u32,
                            window_s: body["window_s"].as_u64().unwrap_or(60) as u32,
                        };
                        let mut times: Vec<f64> = durable::store::get(&self.state.storage(), &key)
                            .await?
                            .unwrap_or_default();
                        let verdict = crate::limits::over(&mut times, now_ms(), limit);
                        durable::store::put(&self.state.storage(), &key, &times).await?;
                        Ok(Response::from_json(&json!({ "retry_after_s": verdict }))?)
                    }
                    (m, p) if p.starts_with("/helpdesk/") => self.helpdesk(m, p, &mut req).await,
                    (m, p) => Err(AppError::NotFound(format!("router has no {m} {p}"))),
                }
            }
            .await,
        )
    }
}

/// A resolved conversation leaves the inbox's list a day after its last change.
fn listed_too_long(status: Status, updated_at: f64, now: f64) -> bool {
    status == Status::Resolved && now - updated_at > RESOLVED_LISTED_MS
}

/// A rate-limit record whose every request is older than any limit's window.
fn rate_record_stale(times: &[f64], now: f64) -> bool {
    times.iter().all(|t| now - t > RATE_RECORD_KEPT_MS)
}

impl SiteRouter {
    /// Push the whole queue to every open inbox.
    async fn broadcast(&self) -> std::result::Result<(), AppError> {
        let sockets = self.state.get_websockets();
        if sockets.is_empty() {
            return Ok(());
        }
        let message = json!({ "kind": "queue", "entries": self.entries().await? });
        for ws in sockets {
            let _ = ws.send(&message);
        }
        Ok(())
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> std::result::Result<Vec<T>, AppError> {
        durable::store::list(&self.state.storage(), ListOptions::new().prefix(prefix)).await
    }

    async fn agents(&self) -> std::result::Result<Vec<Presence>, AppError> {
        self.list("a:").await
    }

    /// At most hourly: resolved conversations older than a day leave the listed entries
    /// (they move to `r:`, out of every list, heartbeat and broadcast), and rate-limit records
    /// nobody has touched for two days are deleted, so the router's work stays bounded.
    async fn sweep(&self, now: f64) -> std::result::Result<(), AppError> {
        let storage = self.state.storage();
        let last: f64 = durable::store::get(&storage, "swept_at")
            .await?
            .unwrap_or(0.0);
        if now - last < SWEEP_EVERY_MS {
            return Ok(());
        }
        durable::store::put(&storage, "swept_at", &now).await?;
        let entries: Vec<QueueEntry> = self.list("c:").await?;
        for e in entries
            .iter()
            .filter(|e| listed_too_long(e.status, e.updated_at, now))
        {
            storage
                .put_raw(&format!("r:{}", e.id), durable::store::encode(e)?)
                .await?;
            storage.delete(&format!("c:{}", e.id)).await?;
        }
        let records = storage
            .list_with_options(ListOptions::new().prefix("rl:"))
            .await?;
        let mut stale = Vec::new();
        for entry in records.entries() {
            let pair = js_sys::Array::from(&entry.map_err(worker::Error::from)?);
            let times: Vec<f64> = durable::store::decode(&pair.get(1)).unwrap_or_default();
            if let Some(key) = pair.get(0).as_string() {
                if rate_record_stale(&times, now) {
                    stale.push(key);
                }
            }
        }
        if !stale.is_empty() {
            storage.delete_multiple(stale).await?;
        }
        Ok(())
    }

    /// Per queue: how many wait, how long a place takes, and how many qualified agents are
    /// online (the queues of `site`'s config, and any queue someone waits in).
    async fn loads(
        &self,
        site: &str,
    ) -> std::result::Result<BTreeMap<String, serde_json::Value>, AppError> {
        let samples: Vec<f64> = durable::store::get(&self.state.storage(), "tta")
            .await?
            .unwrap_or_default();
        let per_place = routing::seconds_per_place(&samples).round() as u32;
        let mut in_line: BTreeMap<String, u32> = BTreeMap::new();
        for e in self.entries().await?.iter().filter(|e| waiting(e.status)) {
            *in_line.entry(e.queue.clone()).or_default() += 1;
        }
        let config = match site {
            "" => None,
            site => site::load(&self.env, site).await.ok(),
        };
        let (now, ttl) = (now_ms(), PRESENCE_TTL_MS * time_scale(&self.env));
        let agents = self.agents().await?;
        let queues = config
            .iter()
            .flat_map(|c| c.routing.queues.iter().map(|q| q.id.to_string()));
        // A queue both configured and waited in is computed twice into the same key.
        let names: Vec<String> = in_line.keys().cloned().chain(queues).collect();
        let mut loads = BTreeMap::new();
        for queue in names {
            let online = config.as_ref().map_or(0, |c| {
                let skills = queue_skills(c, &queue);
                agents
                    .iter()
                    .filter(|a| a.available(now, ttl) && a.qualifies(&skills))
                    .count() as u32
            });
            let load = json!({
                "waiting": in_line.get(&queue).copied().unwrap_or(0),
                "seconds_per_place": per_place, "agents_online": online,
            });
            loads.insert(queue, load);
        }
        Ok(loads)
    }

    /// Every entry, waiting ones first in queue order, resolved ones last.
    async fn entries(&self) -> std::result::Result<Vec<QueueEntry>, AppError> {
        let mut entries: Vec<QueueEntry> = self.list("c:").await?;
        order::sort_by(&mut entries, |a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then_with(|| b.priority.cmp(&a.priority))
                .then_with(|| match a.status {
                    Status::Resolved => b.updated_at.total_cmp(&a.updated_at),
                    _ => a.enqueued_at.total_cmp(&b.enqueued_at),
                })
        });
        Ok(entries)
    }

    async fn upsert(&self, mut entry: QueueEntry) -> std::result::Result<(), AppError> {
        let key = format!("c:{}", entry.id);
        let previous: Option<QueueEntry> = durable::store::get(&self.state.storage(), &key)
            .await
            .ok()
            .flatten();
        if let Some(prev) = &previous {
            // The conversation reports its own state; queue bookkeeping stays the router's.
            entry.position = prev.position;
            entry.wait_seconds = prev.wait_seconds;
            let first_claim = prev.agent.is_none()
                && prev.first_agent_at.is_none()
                && matches!(prev.status, Status::Queued | Status::Reopened)
                && entry.status == Status::WithAgent;
            if first_claim {
                self.record_time_to_agent((now_ms() - entry.enqueued_at) / 1000.0)
                    .await?;
            }
            if waiting(prev.status) {
                entry.waiting_since = prev.waiting_since;
                entry.timeout_asked = prev.timeout_asked;
            }
        }
        if waiting(entry.status) {
            entry.waiting_since.get_or_insert_with(now_ms);
        } else {
            entry.position = None;
            entry.wait_seconds = None;
            entry.waiting_since = None;
            entry.timeout_asked = false;
        }
        let site = entry.site.clone();
        durable::store::put(&self.state.storage(), &key, &entry).await?;
        self.rebalance(&site).await
    }

    /// Add metric events to today's counters; the day is the site's (its `site.time_zone`).
    async fn count(&self, events: &[MetricEvent]) -> std::result::Result<(), AppError> {
        let known = self.site.borrow().clone();
        let site = match known {
            Some(site) => Some(site),
            None => durable::store::get(&self.state.storage(), "site").await?,
        };
        let tz = match site {
            Some(site) => site::load(&self.env, &site)
                .await
                .map(|c| c.site.time_zone)
                .unwrap_or_default(),
            None => String::new(),
        };
        let day = if tz.is_empty() {
            utc_day(now_ms())
        } else {
            crate::clock::local_now(&tz).date()
        };
        let key = format!("m:{day}");
        let mut metrics: DayMetrics = durable::store::get(&self.state.storage(), &key)
            .await?
            .unwrap_or_default();
        metrics.day = day;
        for e in events {
            metrics.add(e);
        }
        durable::store::put(&self.state.storage(), &key, &metrics).await?;
        Ok(())
    }

    /// The last `days` days, newest first, plus totals.
    async fn report(&self, days: u32) -> std::result::Result<serde_json::Value, AppError> {
        let mut all: Vec<DayMetrics> = self.list("m:").await?;
        order::sort_by(&mut all, |a, b| b.day.cmp(&a.day));
        all.truncate(days.clamp(1, 366) as usize);
        let mut total = DayMetrics {
            day: "total".into(),
            ..DayMetrics::default()
        };
        for d in &all {
            total.conversations += d.conversations;
            total.escalations += d.escalations;
            for (k, v) in &d.by_trigger {
                *total.by_trigger.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &d.by_segment {
                *total.by_segment.entry(k.clone()).or_default() += v;
            }
            total.agent_joined += d.agent_joined;
            total.resolved += d.resolved;
            total.reopened += d.reopened;
            total.delivery_failed += d.delivery_failed;
            total.overflowed += d.overflowed;
            total.ai_failed += d.ai_failed;
            total.transferred += d.transferred;
            total.time_to_agent.extend(&d.time_to_agent);
            for i in 0..5 {
                total.csat[i] += d.csat[i];
            }
        }
        Ok(json!({
            "total": total.report(),
            "days": all.iter().map(DayMetrics::report).collect::<Vec<_>>(),
        }))
    }

    async fn record_time_to_agent(&self, seconds: f64) -> std::result::Result<(), AppError> {
        self.count(&[MetricEvent {
            name: "time_to_agent".into(),
            trigger: None,
            segment: None,
            value: Some(seconds),
        }])
        .await?;
        let mut samples: Vec<f64> = durable::store::get(&self.state.storage(), "tta")
            .await?
            .unwrap_or_default();
        samples.push(seconds.max(0.0));
        if samples.len() > TTA_SAMPLES {
            samples.remove(0);
        }
        durable::store::put(&self.state.storage(), "tta", &samples).await?;
        Ok(())
    }

    /// Assign waiting conversations to free qualified agents, then push fresh queue positions
    /// and wait estimates to everyone still waiting.
    async fn rebalance(&self, site: &str) -> std::result::Result<(), AppError> {
        if site.is_empty() {
            return Ok(());
        }
        let config = site::load(&self.env, site).await?;
        let now = now_ms();
        let scale = time_scale(&self.env);
        let ttl = PRESENCE_TTL_MS * scale;
        let mut agents = self.agents().await?;
        self.sweep(now).await?;
        let mut entries = self.entries().await?;
        if durable::store::get::<String>(&self.state.storage(), "site")
            .await?
            .is_none()
        {
            durable::store::put(&self.state.storage(), "site", site).await?;
        }
        // An agent whose inbox stopped answering lets go of their live conversations.
        let mut releases = Vec::new();
        for a in agents
            .iter_mut()
            .filter(|a| a.online && !a.available(now, ttl))
        {
            let held: Vec<String> = entries
                .iter()
                .filter(|e| e.status == Status::WithAgent && e.agent.as_ref() == Some(&a.name))
                .map(|e| e.id.clone())
                .collect();
            if held.is_empty() {
                continue;
            }
            a.online = false;
            self.state
                .storage()
                .put_raw(&format!("a:{}", a.name), durable::store::encode(&*a)?)
                .await?;
            releases.extend(held.into_iter().map(|id| (id, a.name.clone())));
        }
        let samples: Vec<f64> = durable::store::get(&self.state.storage(), "tta")
            .await?
            .unwrap_or_default();
        let per_place = routing::seconds_per_place(&samples);

        let mut load: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for e in &entries {
            if let (Status::WithAgent, Some(a)) = (e.status, &e.agent) {
                *load.entry(a.clone()).or_default() += 1;
            }
        }
        let mut claims = Vec::new();
        let mut timeouts = Vec::new();
        let mut updates = Vec::new();
        let mut positions: std::collections::HashMap<String, u32> =
            std::collections::HashMap::new();
        for e in entries.iter_mut().filter(|e| waiting(e.status)) {
            let skills = queue_skills(&config, &e.queue);
            let free = agents
                .iter()
                .filter(|a| a.available(now, ttl) && a.qualifies(&skills))
                .filter(|a| e.transferred_by.as_deref() != Some(a.name.as_str()))
                .filter(|a| load.get(&a.name).copied().unwrap_or(0) < a.capacity)
                .min_by(|a, b| {
                    let la =
                        load.get(&a.name).copied().unwrap_or(0) as f64 / a.capacity.max(1) as f64;
                    let lb =
                        load.get(&b.name).copied().unwrap_or(0) as f64 / b.capacity.max(1) as f64;
                    la.total_cmp(&lb).then_with(|| a.name.cmp(&b.name))
                });
            if let Some(agent) = free {
                *load.entry(agent.name.clone()).or_default() += 1;
                if e.first_agent_at.is_none() {
                    self.record_time_to_agent((now - e.enqueued_at) / 1000.0)
                        .await?;
                }
                e.status = Status::WithAgent;
                e.agent = Some(agent.name.clone());
                e.position = None;
                e.wait_seconds = None;
                claims.push((e.id.clone(), agent.name.clone()));
                updates.push(e.clone());
                continue;
            }
            let overdue = wait_limit_minutes(&config, e.level).is_some_and(|m| {
                now >= e.waiting_since.unwrap_or(e.enqueued_at) + f64::from(m) * 60_000.0 * scale
            });
            if overdue && !e.timeout_asked {
                e.timeout_asked = true;
                timeouts.push(e.id.clone());
                updates.push(e.clone());
                continue;
            }
            let place = positions.entry(e.queue.clone()).or_default();
            *place += 1;
            let staffed = agents
                .iter()
                .filter(|a| a.available(now, ttl) && a.qualifies(&skills))
                .count() as u32;
            let wait = routing::wait_seconds(per_place, *place, staffed);
            if e.position != Some(*place) || e.wait_seconds != Some(wait) {
                e.position = Some(*place);
                e.wait_seconds = Some(wait);
                updates.push(e.clone());
            }
        }
        for e in &updates {
            self.state
                .storage()
                .put_raw(&format!("c:{}", e.id), durable::store::encode(e)?)
                .await?;
        }
        // Tell the conversations after our own state is stored; they call back into /upsert.
        for (id, agent) in claims {
            let body = json!({ "agent": agent, "assigned": true });
            durable::call_conversation(&self.env, &id, Method::Post, "/claim", Some(&body)).await?;
        }
        for e in updates
            .iter()
            .filter(|e| e.position.is_some() && !e.timeout_asked)
        {
            let body = json!({ "position": e.position, "wait_seconds": e.wait_seconds });
            durable::call_conversation(&self.env, &e.id, Method::Post, "/position", Some(&body))
                .await?;
        }
        self.schedule(&config, &agents, &entries, ttl, scale)
            .await?;
        for (id, agent) in releases {
            let body = json!({ "agent": agent });
            let r =
                durable::call_conversation(&self.env, &id, Method::Post, "/release", Some(&body))
                    .await;
            if let Err(e) = r {
                worker::console_error!("releasing {id} from {agent}: {e}");
            }
        }
        for id in timeouts {
            let r =
                durable::call_conversation::<()>(&self.env, &id, Method::Post, "/timeout", None)
                    .await;
            if let Err(e) = r {
                worker::console_error!("wait limit of {id}: {e}");
            }
        }
        self.broadcast().await
    }

    /// Wake up for the next wait limit to pass or the next live agent's presence to expire.
    async fn schedule(
        &self,
        config: &SiteConfig,
        agents: &[Presence],
        entries: &[QueueEntry],
        ttl: f64,
        scale: f64,
    ) -> std::result::Result<(), AppError> {
        let limits = entries
            .iter()
            .filter(|e| waiting(e.status) && !e.timeout_asked)
            .filter_map(|e| {
                let m = wait_limit_minutes(config, e.level)?;
                Some(e.waiting_since.unwrap_or(e.enqueued_at) + f64::from(m) * 60_000.0 * scale)
            });
        let expiries = agents
            .iter()
            .filter(|a| a.online)
            .filter(|a| {
                entries
                    .iter()
                    .any(|e| e.status == Status::WithAgent && e.agent.as_ref() == Some(&a.name))
            })
            .map(|a| a.seen_at + ttl);
        if let Some(next) = limits.chain(expiries).min_by(f64::total_cmp) {
            let wait = (next - now_ms()).max(0.0) as u64 + 50;
            self.state
                .storage()
                .set_alarm(std::time::Duration::from_millis(wait))
                .await?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct MetricBatch {
    events: Vec<MetricEvent>,
}

/// `QUEUE_TIME_SCALE` shrinks presence expiry and wait limits for tests (default 1).
fn time_scale(env: &Env) -> f64 {
    env.var("QUEUE_TIME_SCALE")
        .ok()
        .and_then(|v| v.to_string().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0)
}

fn waiting(status: Status) -> bool {
    matches!(status, Status::Queued | Status::Reopened)
}

fn queue_skills(config: &SiteConfig, queue: &str) -> Vec<String> {
    config
        .routing
        .queues
        .iter()
        .find(|q| q.id.as_str() == queue)
        .map(|q| q.skills.clone())
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3_600_000.0;

    #[test]
    fn only_resolved_conversations_a_day_old_leave_the_list() {
        let now = 100.0 * HOUR;
        assert!(listed_too_long(Status::Resolved, now - 25.0 * HOUR, now));
        assert!(!listed_too_long(Status::Resolved, now - 23.0 * HOUR, now));
        for waiting in [
            Status::Queued,
            Status::WithAgent,
            Status::Reopened,
            Status::Async,
        ] {
            assert!(!listed_too_long(waiting, now - 500.0 * HOUR, now));
        }
    }

    #[test]
    fn a_rate_record_goes_once_every_request_in_it_is_two_days_old() {
        let now = 100.0 * HOUR;
        assert!(rate_record_stale(
            &[now - 49.0 * HOUR, now - 60.0 * HOUR],
            now
        ));
        assert!(!rate_record_stale(&[now - 49.0 * HOUR, now - HOUR], now));
        assert!(rate_record_stale(&[], now));
    }
}
