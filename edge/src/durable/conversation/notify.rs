//! Notifiers and CRM logging as outbox deliveries: a Slack message or Linear issue when a
//! notification rule matches, HubSpot notes for handoff events, and the alert after a give-up.
//!
//! Each notice is one outbox entry, committed with the change that caused it and keyed by the
//! event, so it is sent once however often it is retried. Every call first asks the site's
//! router for the vendor's rate budget (a spent budget defers the entry without counting an
//! attempt) and reports the answer's rate-limit headers back. What happened to each notice
//! (sent, skipped and why, failed) is kept on the conversation for the inbox.

use super::*;
use crate::connector::{execute, named_secret, FetchError, FullReply};
use crate::durable::router::budget::BudgetCall;
use baton_shared::config::{Channel, Connector, NotificationRule, NotifyEvent, Priority};
use baton_shared::connector::budget::{CallClass, Vendor};
use baton_shared::connector::hubspot::{self, Hubspot};
use baton_shared::connector::linear::{self, Linear, LinearAuth};
use baton_shared::connector::slack::{self, Slack};
use baton_shared::connector::{self as vendor, ConnectorError, HttpRequest, Notice};
use baton_shared::context::{transcript_from_events, AiTally, ContextInput, ContextPayload};
use baton_shared::order;
use baton_shared::outbox::{parse_retry_after, DeliveryKind, OutboxEntry, Outcome, RetryPolicy};

/// Storage prefix of the per-notice records the inbox shows.
const RECORD_PREFIX: &str = "n:";
/// Shortest time a notifier call may take before it counts as failed: Slack and Linear do not
/// de-duplicate messages, so a tight test schedule must not turn a slow answer into a second post.
const MIN_NOTICE_TIMEOUT_MS: u64 = 2_000;

/// A handoff event a notice is about. Stored by hand as plain JSON in the entry's payload:
/// derived tagged and flattened enums cost the worker tens of KB of wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum HandoffEvent {
    /// Escalated and routed.
    Escalated,
    /// A human agent took the conversation.
    AgentJoined {
        /// Who.
        agent: String,
    },
    /// The conversation was resolved.
    Resolved {
        /// By whom, if known.
        agent: Option<String>,
    },
    /// The helpdesk delivery gave up: the site's alert.
    DeliveryFailed {
        /// Which connector failed (`zendesk`, `webhook`...).
        connector: String,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        error: String,
    },
}

impl HandoffEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::Escalated => "escalated",
            Self::AgentJoined { .. } => "agent_joined",
            Self::Resolved { .. } => "resolved",
            Self::DeliveryFailed { .. } => "delivery_failed",
        }
    }
}

/// What an outbox entry of this module carries.
#[derive(Clone, Debug)]
struct NoticeJob {
    /// The rule's place in `handoff.notifications` and its target when the entry was
    /// committed (none for CRM entries); a rule edited since is not followed elsewhere.
    rule: Option<(usize, String)>,
    /// What happened.
    event: HandoffEvent,
    /// When it happened (ms).
    at: f64,
}

impl NoticeJob {
    fn to_value(&self) -> Value {
        let mut v = json!({ "event": self.event.name(), "at": self.at });
        if let Some((i, target)) = &self.rule {
            v["rule"] = json!(i);
            v["target"] = json!(target);
        }
        match &self.event {
            HandoffEvent::Escalated => {}
            HandoffEvent::AgentJoined { agent } => v["agent"] = json!(agent),
            HandoffEvent::Resolved { agent } => v["agent"] = json!(agent),
            HandoffEvent::DeliveryFailed {
                connector,
                attempts,
                error,
            } => {
                v["connector"] = json!(connector);
                v["attempts"] = json!(attempts);
                v["error"] = json!(error);
            }
        }
        v
    }

    fn from_value(v: &Value) -> Option<Self> {
        let text = |k: &str| v[k].as_str().map(str::to_owned);
        let event = match v["event"].as_str()? {
            "escalated" => HandoffEvent::Escalated,
            "agent_joined" => HandoffEvent::AgentJoined {
                agent: text("agent").unwrap_or_default(),
            },
            "resolved" => HandoffEvent::Resolved {
                agent: text("agent"),
            },
            "delivery_failed" => HandoffEvent::DeliveryFailed {
                connector: text("connector").unwrap_or_default(),
                attempts: v["attempts"].as_u64().unwrap_or(0) as u32,
                error: text("error").unwrap_or_default(),
            },
            _ => return None,
        };
        let rule = v["rule"]
            .as_u64()
            .map(|i| (i as usize, text("target").unwrap_or_default()));
        Some(Self {
            rule,
            event,
            at: v["at"].as_f64().unwrap_or(0.0),
        })
    }
}

/// What became of one notice, for the inbox.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct NoticeRecord {
    /// The outbox key.
    pub key: String,
    /// `slack`, `linear`, `hubspot`, or a helpdesk connector for a give-up.
    pub connector: String,
    /// The handoff event.
    pub event: String,
    /// `sent`, `skipped` or `failed`.
    pub status: String,
    /// What was created (message ts, issue identifier, note id) or why not.
    pub detail: String,
    /// When (ms).
    pub at: f64,
}

/// The escalation's stable key (`esc:{conversation}:{turn}`): idempotency key and Linear id seed.
fn escalation_key(meta: &Meta) -> String {
    let turn = meta.state.escalation.as_ref().map_or(0, |e| e.turn);
    format!("esc:{}:{turn}", meta.id)
}

fn entry(key: String, kind: DeliveryKind, connector: &str, job: &NoticeJob) -> OutboxEntry {
    OutboxEntry {
        key,
        kind,
        connector: connector.to_owned(),
        attempts: 0,
        next_at_ms: job.at,
        created_at_ms: job.at,
        last_error: None,
        payload: job.to_value(),
    }
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Slack => "slack",
        Channel::Linear => "linear",
    }
}

/// One entry per rule that fires on `event` for this conversation.
fn rule_entries(
    config: &SiteConfig,
    meta: &Meta,
    event: NotifyEvent,
    job: &HandoffEvent,
    key_prefix: &str,
    now: f64,
) -> Vec<OutboxEntry> {
    let category = meta
        .state
        .escalation
        .as_ref()
        .map(|e| effects::routed_category(meta, e));
    config
        .handoff
        .notifications
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.matches(
                event,
                meta.priority,
                category.as_ref(),
                meta.segment.as_deref(),
            )
        })
        .map(|(i, r)| {
            let job = NoticeJob {
                rule: Some((i, r.target.clone())),
                event: job.clone(),
                at: now,
            };
            entry(
                format!("{key_prefix}:{i}"),
                DeliveryKind::Notify,
                channel_name(r.channel),
                &job,
            )
        })
        .collect()
}

/// The CRM entry for a handoff event, if the site logs to HubSpot. Keyed by the event's place
/// in the conversation, so each event is logged once.
fn crm_entry(
    config: &SiteConfig,
    meta: &Meta,
    event: HandoffEvent,
    now: f64,
) -> Option<OutboxEntry> {
    config.handoff.crm.as_ref()?;
    let job = NoticeJob {
        rule: None,
        event,
        at: now,
    };
    Some(entry(
        format!("crm:{:012}:{}", meta.last_seq, job.event.name()),
        DeliveryKind::CrmLog,
        "hubspot",
        &job,
    ))
}

/// Notices for a freshly routed escalation: one per matching rule, and the CRM note.
pub(super) fn escalation_entries(config: &SiteConfig, meta: &Meta, now: f64) -> Vec<OutboxEntry> {
    let turn = meta.state.escalation.as_ref().map_or(0, |e| e.turn);
    let mut out = rule_entries(
        config,
        meta,
        NotifyEvent::Escalated,
        &HandoffEvent::Escalated,
        &format!("notify:{turn}"),
        now,
    );
    out.extend(crm_entry(config, meta, HandoffEvent::Escalated, now));
    out
}

/// Notices for a status change after the handoff (agent joined, resolved): the CRM note.
pub(super) fn status_entries(
    config: &SiteConfig,
    meta: &Meta,
    status: Status,
    now: f64,
) -> Vec<OutboxEntry> {
    let event = match status {
        Status::WithAgent => HandoffEvent::AgentJoined {
            agent: meta.agent_name.clone().unwrap_or_default(),
        },
        Status::Resolved if meta.state.escalation.is_some() => HandoffEvent::Resolved {
            agent: meta.agent_name.clone(),
        },
        _ => return Vec::new(),
    };
    let mut out: Vec<OutboxEntry> = crm_entry(config, meta, event, now).into_iter().collect();
    if status == Status::Resolved && config.handoff.connector == Connector::Webhook {
        out.push(webhook::resolved_entry(meta, now));
    }
    out
}

/// Whether a failed entry carried the escalation (or a message) to a helpdesk: its give-up
/// raises the site's alert. Notices, routing, the inbox copy and AI calls do not.
pub(super) fn alerts_on_give_up(entry: &OutboxEntry) -> bool {
    matches!(
        entry.kind,
        DeliveryKind::CreateTicket | DeliveryKind::CustomerMessage
    ) && !matches!(entry.connector.as_str(), "builtin" | "route" | "ai")
}

/// The site's inbox link for a conversation (`PUBLIC_URL` names the worker's public origin).
pub(super) fn inbox_link(env: &Env, meta: &Meta) -> Option<String> {
    let base = env.var("PUBLIC_URL").ok()?.to_string();
    let base = base.trim().trim_end_matches('/');
    (!base.is_empty()).then(|| {
        format!(
            "{base}/inbox?site={}#conversation={}",
            vendor::url_encode(&meta.site),
            meta.id
        )
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn notice_priority(p: Priority) -> vendor::Priority {
    match p {
        Priority::Low => vendor::Priority::Low,
        Priority::Normal => vendor::Priority::Normal,
        Priority::High => vendor::Priority::High,
        Priority::Urgent => vendor::Priority::Urgent,
    }
}

/// The answer's `Retry-After`, as the outbox wants it.
fn retry_after(reply: &FullReply) -> Option<u64> {
    reply
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, now_ms()))
}

/// A vendor error as an outbox outcome: retry what can get better, stop on what cannot.
fn outcome_of(e: ConnectorError, reply: &FullReply) -> Outcome {
    if e.is_retryable() {
        Outcome::Retry {
            retry_after_ms: retry_after(reply),
            reason: e.to_string(),
        }
    } else {
        Outcome::Permanent {
            reason: format!("{e}: check the notification's settings and secret"),
        }
    }
}

/// A call went out and came back, or the entry stops here with this outcome.
pub(super) enum Called {
    Reply(FullReply),
    Stop(Outcome),
}

impl Conversation {
    /// The full context payload as it stands now (free text redacted if the site asks).
    pub(super) async fn context_payload(
        &self,
        meta: &Meta,
        config: &SiteConfig,
    ) -> std::result::Result<ContextPayload, AppError> {
        let events = self.events_since(0).await?;
        let transcript = transcript_from_events(&events);
        let id = baton_shared::ConversationId::from(meta.id.as_str());
        let site = baton_shared::SiteId::from(meta.site.as_str());
        let link = inbox_link(&self.env, meta);
        let mut payload = ContextPayload::build(&ContextInput {
            conversation_id: &id,
            site: &site,
            locale: &meta.locale,
            state: &meta.state,
            user: &meta.user,
            page: &meta.page,
            transcript: &transcript,
            intent: meta.last_intent.as_ref(),
            decision: meta.decisions.iter().rev().find(|d| d.escalate && d.act),
            ai: AiTally {
                answers: meta.ai_answers,
                misses: meta.ai_misses,
                last_confidence: None,
            },
            queue_name: meta.queue_name.as_deref(),
            ticket: meta.ticket.as_deref(),
            expected_by: meta.expected.as_deref(),
            conversation_url: link.as_deref(),
            redact: config.handoff.redact_pii.then(Default::default),
        });
        // The routed category and priority are the conversation's own (a later decision record
        // may describe a message after the handoff).
        if let Some(e) = &meta.state.escalation {
            payload.category = Some(effects::routed_category(meta, e));
        }
        payload.priority = meta.priority;
        payload.segment.clone_from(&meta.segment);
        Ok(payload)
    }

    /// The neutral notice the vendors' descriptors are built from.
    async fn notice(
        &self,
        meta: &Meta,
        config: &SiteConfig,
        event: &HandoffEvent,
    ) -> std::result::Result<Notice, AppError> {
        let payload = self.context_payload(meta, config).await?;
        let subject = payload.subject();
        let (title, summary) = match event {
            HandoffEvent::DeliveryFailed {
                connector,
                attempts,
                error,
            } => (
                format!("Escalation not delivered to {}: {subject}", capitalise(connector)),
                format!(
                    "Baton could not hand this escalation to {} ({attempts} attempt(s), last: {error}). \
                     It is waiting in Baton's built-in inbox: answer it there, or open the ticket by hand.\n\n{}",
                    capitalise(connector),
                    payload.summary
                ),
            ),
            _ => (subject, payload.summary.clone()),
        };
        Ok(Notice {
            key: escalation_key(meta),
            title,
            summary,
            priority: notice_priority(meta.priority),
            category: payload.category.as_ref().map(|c| c.to_string()),
            segment: meta.segment.clone(),
            customer: payload
                .customer
                .display_name()
                .map(str::to_owned)
                .or_else(|| payload.customer.email.clone()),
            page_url: payload.page.url.clone(),
            link: payload.conversation_url.clone(),
            ticket_ref: meta.ticket.clone(),
        })
    }

    /// One vendor call under the site's rate budget: ask the router's budget (per vendor,
    /// `budget_key` and plan limit), make the call, report the answer's headers back.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn call_vendor(
        &self,
        site: &str,
        vendor: Vendor,
        budget_key: &str,
        per_minute: Option<u32>,
        class: CallClass,
        req: &HttpRequest,
        timeout_ms: u64,
    ) -> Called {
        let ask = BudgetCall {
            vendor,
            key: budget_key.to_owned(),
            per_minute,
            class: Some(class),
            status: 0,
            headers: Vec::new(),
        };
        let admit = match durable::call_router(&self.env, site, Method::Post, "/budget", Some(&ask))
            .await
        {
            Ok(mut resp) if resp.status_code() < 300 => resp.json::<Value>().await.ok(),
            _ => None,
        };
        match admit.map(|v| v["wait_until"].as_f64()) {
            Some(None) => {}
            Some(Some(at_ms)) => return Called::Stop(Outcome::Deferred { until_ms: at_ms }),
            None => {
                return Called::Stop(Outcome::Retry {
                    retry_after_ms: None,
                    reason: "the site's rate budget could not be read".into(),
                })
            }
        }
        match execute(req, timeout_ms).await {
            Ok(reply) => {
                let seen = BudgetCall {
                    class: None,
                    status: reply.status,
                    headers: reply.headers.clone(),
                    ..ask
                };
                if let Err(e) =
                    durable::call_router(&self.env, site, Method::Post, "/budget", Some(&seen))
                        .await
                {
                    worker::console_error!("budget observe for {budget_key}: {e}");
                }
                Called::Reply(reply)
            }
            Err(e @ (FetchError::Timeout(_) | FetchError::Unreachable { .. })) => {
                Called::Stop(Outcome::Retry {
                    retry_after_ms: None,
                    reason: e.to_string(),
                })
            }
            Err(e @ FetchError::Request { .. }) => Called::Stop(Outcome::Permanent {
                reason: e.to_string(),
            }),
        }
    }

    /// Keep what became of a notice.
    async fn record(&self, entry: &OutboxEntry, event: &str, status: &str, detail: String) {
        let record = NoticeRecord {
            key: entry.key.clone(),
            connector: entry.connector.clone(),
            event: event.to_owned(),
            status: status.to_owned(),
            detail,
            at: now_ms(),
        };
        match durable::store::encode(&record) {
            Ok(js) => {
                if let Err(e) = self
                    .state
                    .storage()
                    .put_raw(&format!("{RECORD_PREFIX}{}", entry.key), js)
                    .await
                {
                    worker::console_error!("notice record {}: {e}", entry.key);
                }
            }
            Err(e) => worker::console_error!("notice record {}: {e}", entry.key),
        }
    }

    /// Every notice record, oldest first, for the inbox.
    pub(super) async fn notice_records(&self) -> std::result::Result<Vec<NoticeRecord>, AppError> {
        let mut out: Vec<NoticeRecord> = durable::store::list(
            &self.state.storage(),
            ListOptions::new().prefix(RECORD_PREFIX),
        )
        .await?;
        order::sort_by(&mut out, |a, b| a.at.total_cmp(&b.at));
        Ok(out)
    }

    /// One attempt at a Slack, Linear or HubSpot entry.
    pub(super) async fn deliver_notice(
        &self,
        meta: &Meta,
        entry: &OutboxEntry,
        policy: &RetryPolicy,
    ) -> std::result::Result<Outcome, String> {
        let job = NoticeJob::from_value(&entry.payload)
            .ok_or_else(|| format!("unreadable notice entry {}", entry.payload))?;
        let config = self.config(&meta.site).await.map_err(|e| e.to_string())?;
        let rule = match &job.rule {
            Some((i, target)) => match config.handoff.notifications.get(*i) {
                Some(r) if channel_name(r.channel) == entry.connector && &r.target == target => {
                    Some(r.clone())
                }
                _ => {
                    let why = "the notification rule was removed or changed since".to_owned();
                    self.record(entry, job.event.name(), "skipped", why).await;
                    return Ok(Outcome::Delivered);
                }
            },
            None => None,
        };
        let notice = self
            .notice(meta, &config, &job.event)
            .await
            .map_err(|e| e.to_string())?;
        let timeout = policy.attempt_timeout().max(MIN_NOTICE_TIMEOUT_MS);
        let event = job.event.name();
        let (outcome, detail) = match (&rule, entry.connector.as_str()) {
            (Some(rule), "slack") => self.post_slack(meta, rule, &notice, timeout).await?,
            (Some(rule), "linear") => self.file_linear(meta, &job, rule, &notice, timeout).await?,
            (None, "hubspot") => {
                self.log_hubspot(meta, &config, &job, &notice, timeout)
                    .await?
            }
            (_, other) => return Err(format!("no notifier named '{other}'")),
        };
        match (&outcome, detail) {
            (Outcome::Delivered, Some((status, detail))) => {
                self.record(entry, event, status, detail).await
            }
            (Outcome::Permanent { reason }, _) => {
                self.record(entry, event, "failed", reason.clone()).await
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Secret by name; a missing one is retried (the admin may set it) with the fix in the reason.
    fn secret(&self, name: &str) -> std::result::Result<String, String> {
        named_secret(&self.env, name)
    }

    async fn post_slack(
        &self,
        meta: &Meta,
        rule: &NotificationRule,
        notice: &Notice,
        timeout: u64,
    ) -> std::result::Result<(Outcome, Option<(&'static str, String)>), String> {
        let slack = Slack {
            base_url: rule.api_base().to_owned(),
            token: self.secret(&rule.token_secret)?,
            channel: rule.target.clone(),
        };
        let req = slack.post_message(notice);
        let key = format!("slack:{}", rule.target);
        let reply = match self
            .call_vendor(
                &meta.site,
                Vendor::Slack,
                &key,
                None,
                CallClass::General,
                &req,
                timeout,
            )
            .await
        {
            Called::Reply(r) => r,
            Called::Stop(o) => return Ok((o, None)),
        };
        Ok(match slack::parse_post_message(reply.status, &reply.body) {
            Ok(m) => (
                Outcome::Delivered,
                Some(("sent", format!("Slack message {} in {}", m.ts, m.channel))),
            ),
            Err(e) => (outcome_of(e, &reply), None),
        })
    }

    async fn file_linear(
        &self,
        meta: &Meta,
        job: &NoticeJob,
        rule: &NotificationRule,
        notice: &Notice,
        timeout: u64,
    ) -> std::result::Result<(Outcome, Option<(&'static str, String)>), String> {
        let key = self.secret(&rule.token_secret)?;
        let linear = Linear {
            base_url: rule.api_base().to_owned(),
            auth: if key.starts_with("lin_oauth") {
                LinearAuth::Bearer(key)
            } else {
                LinearAuth::ApiKey(key)
            },
            team_id: rule.target.clone(),
            label_ids: rule.label_ids.clone(),
        };
        let mut notice = notice.clone();
        // An alert files its own issue, not the escalation's.
        if matches!(job.event, HandoffEvent::DeliveryFailed { .. }) {
            notice.key = format!("{}/alert", notice.key);
        }
        let req = linear.issue_create(&notice);
        let reply = match self
            .call_vendor(
                &meta.site,
                Vendor::Linear,
                "linear",
                None,
                CallClass::Create,
                &req,
                timeout,
            )
            .await
        {
            Called::Reply(r) => r,
            Called::Stop(o) => return Ok((o, None)),
        };
        Ok(
            match linear::parse_issue_create(reply.status, &reply.body) {
                Ok(issue) => (
                    Outcome::Delivered,
                    Some((
                        "sent",
                        format!(
                            "Linear issue {}{}",
                            issue.identifier,
                            issue.url.map(|u| format!(" ({u})")).unwrap_or_default()
                        ),
                    )),
                ),
                // The issue id is derived from the escalation: "already exists" means an earlier
                // attempt whose answer was lost filed it.
                Err(_) if linear::already_exists(&reply.body) => (
                    Outcome::Delivered,
                    Some((
                        "sent",
                        format!(
                            "Linear issue {} (filed by an earlier attempt)",
                            linear::issue_id(&notice.key)
                        ),
                    )),
                ),
                Err(e) => (outcome_of(e, &reply), None),
            },
        )
    }

    async fn log_hubspot(
        &self,
        meta: &Meta,
        config: &SiteConfig,
        job: &NoticeJob,
        notice: &Notice,
        timeout: u64,
    ) -> std::result::Result<(Outcome, Option<(&'static str, String)>), String> {
        let Some(crm) = &config.handoff.crm else {
            return Ok((
                Outcome::Delivered,
                Some(("skipped", "handoff.crm was removed from the config".into())),
            ));
        };
        let email = meta.user["email"]
            .as_str()
            .map(str::trim)
            .filter(|e| e.contains('@'));
        let Some(email) = email else {
            return Ok((
                Outcome::Delivered,
                Some((
                    "skipped",
                    "the customer gave no email, so there is no HubSpot contact to log to".into(),
                )),
            ));
        };
        let hs = Hubspot {
            base_url: crm.api_base().to_owned(),
            token: self.secret(&crm.token_secret)?,
        };
        let search = hs.search_contact(email);
        let reply = match self
            .call_vendor(
                &meta.site,
                Vendor::Hubspot,
                "hubspot",
                None,
                CallClass::Search,
                &search,
                timeout,
            )
            .await
        {
            Called::Reply(r) => r,
            Called::Stop(o) => return Ok((o, None)),
        };
        let contact = match hubspot::parse_contact_search(reply.status, &reply.body) {
            Ok(Some(id)) => id,
            Ok(None) => {
                return Ok((
                    Outcome::Delivered,
                    Some((
                        "skipped",
                        format!("no HubSpot contact has the email {email}"),
                    )),
                ))
            }
            Err(e) => return Ok((outcome_of(e, &reply), None)),
        };
        let what = match &job.event {
            HandoffEvent::Escalated => match (&meta.queue_name, &meta.ticket) {
                (Some(q), Some(t)) => format!("Escalated to {q} (ticket {t})"),
                (Some(q), None) => format!("Escalated to {q}"),
                _ => "Escalated to a person".to_owned(),
            },
            HandoffEvent::AgentJoined { agent } => format!("{agent} joined the conversation"),
            HandoffEvent::Resolved { agent: Some(a) } => format!("Resolved by {a}"),
            HandoffEvent::Resolved { agent: None } => "Resolved".to_owned(),
            HandoffEvent::DeliveryFailed { connector, .. } => {
                format!("Not delivered to {connector}")
            }
        };
        let mut notice = notice.clone();
        notice.key = format!("{}/{}", notice.key, job.event.name());
        let note = hs
            .create_note(&contact, &notice, &what, job.at as i64)
            .map_err(|e| e.to_string())?;
        let reply = match self
            .call_vendor(
                &meta.site,
                Vendor::Hubspot,
                "hubspot",
                None,
                CallClass::General,
                &note,
                timeout,
            )
            .await
        {
            Called::Reply(r) => r,
            Called::Stop(o) => return Ok((o, None)),
        };
        Ok(match hubspot::parse_note(reply.status, &reply.body) {
            Ok(id) => (
                Outcome::Delivered,
                Some((
                    "sent",
                    format!("HubSpot note {id} on contact {contact}: {what}"),
                )),
            ),
            Err(e) => (outcome_of(e, &reply), None),
        })
    }

    /// After the last attempt of `entry` failed: mark the conversation (the inbox shows it),
    /// count it, record it, and commit the alert notices and a fresh inbox copy in one write.
    /// `true` when new entries wait in the outbox.
    pub(super) async fn gave_up(&self, meta: &Meta, entry: &OutboxEntry) -> bool {
        let error = entry
            .last_error
            .clone()
            .unwrap_or_else(|| "unknown error".into());
        if !alerts_on_give_up(entry) {
            if matches!(entry.kind, DeliveryKind::Notify | DeliveryKind::CrmLog) {
                let event = NoticeJob::from_value(&entry.payload)
                    .map(|j| j.event.name())
                    .unwrap_or("notice");
                self.record(
                    entry,
                    event,
                    "failed",
                    format!("gave up after {} attempt(s): {error}", entry.attempts),
                )
                .await;
            }
            return false;
        }
        let failure = format!(
            "{} delivery gave up after {} attempt(s): {error}",
            entry.connector, entry.attempts
        );
        self.record(entry, "delivery_failed", "failed", failure.clone())
            .await;
        let now = now_ms();
        let mut added = false;
        let result: std::result::Result<(), AppError> = async {
            let mut fresh = self.load().await?;
            fresh.delivery_failed = Some(failure);
            let batch = js_sys::Object::new();
            let put = |key: String, value: wasm_bindgen::JsValue| {
                js_sys::Reflect::set(&batch, &key.into(), &value)
                    .map(|_| ())
                    .map_err(|e| AppError::Internal(format!("{e:?}")))
            };
            if let Ok(config) = self.config(&fresh.site).await {
                let event = HandoffEvent::DeliveryFailed {
                    connector: entry.connector.clone(),
                    attempts: entry.attempts,
                    error: error.clone(),
                };
                for alert in rule_entries(
                    &config,
                    &fresh,
                    NotifyEvent::DeliveryFailed,
                    &event,
                    &format!("alert:{}", entry.key),
                    now,
                ) {
                    put(delivery::key(&alert), durable::store::encode(&alert)?)?;
                    added = true;
                }
            }
            // The inbox list shows the failure too.
            let inbox = delivery::inbox_entry(now);
            put(delivery::key(&inbox), durable::store::encode(&inbox)?)?;
            put("meta".into(), durable::store::encode(&fresh)?)?;
            self.state.storage().put_multiple_raw(batch).await?;
            Ok(())
        }
        .await;
        if let Err(e) = result {
            worker::console_error!("recording the failed delivery of {}: {e}", meta.id);
            return false;
        }
        let body = json!({ "events": [{ "name": "delivery_failed" }] });
        if let Err(e) =
            durable::call_router(&self.env, &meta.site, Method::Post, "/metrics", Some(&body)).await
        {
            worker::console_error!("metrics for {}: {e}", meta.id);
        }
        true
    }
}
