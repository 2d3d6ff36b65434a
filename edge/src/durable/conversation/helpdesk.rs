//! Escalations into Zendesk, Freshdesk and Intercom: the outbox runs each vendor's steps from the
//! shared descriptors (progress kept in the entry, so a retry resumes), relays customer follow-ups,
//! and applies the helpdesk's signed events (agent replies, solved) to the conversation.

use super::*;
use crate::connector::{named_secret, FullReply};
use baton_shared::config::{Connector, HelpdeskSettings};
use baton_shared::connector::budget::{CallClass, Vendor};
use baton_shared::connector::freshdesk::{self, Freshdesk};
use baton_shared::connector::intercom::{self, Intercom};
use baton_shared::connector::zendesk::{self, Zendesk, ZendeskAuth};
use baton_shared::connector::{
    ConnectorError, FieldValue, HttpRequest, InboundEvent, InboundKind, Priority, Requester,
    Speaker, TicketRequest, TranscriptLine,
};
use baton_shared::outbox::{parse_retry_after, DeliveryKind, OutboxEntry, Outcome};

/// Zendesk keeps an `Idempotency-Key` for two hours; after that a retried create searches first.
const ZENDESK_IDEMPOTENCY_MS: f64 = 2.0 * 3_600_000.0 - 300_000.0;
/// How long a new ticket waits for the widget's first page context.
const PAGE_WAIT_MS: f64 = 5_000.0;
/// Inbound event ids remembered per conversation, to drop repeated deliveries.
const SEEN_EVENTS_KEPT: usize = 64;
/// Storage key prefix of follow-up entries (customer messages after the handoff), in seq order.
const FOLLOW_UP_PREFIX: &str = "hd-msg:";

/// The vendor ticket a conversation was handed to.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct HelpdeskLink {
    /// `zendesk`, `freshdesk` or `intercom`.
    pub vendor: String,
    /// The vendor's ticket (Intercom: conversation) id.
    pub ticket_id: String,
    /// The vendor's id of the customer (Zendesk user, Freshdesk contact, Intercom contact).
    #[serde(default)]
    pub requester_id: Option<String>,
    /// Events up to this seq travelled in the ticket itself; later customer messages follow.
    #[serde(default)]
    pub covered_seq: u64,
    /// Recent inbound event ids (repeated deliveries are dropped).
    #[serde(default)]
    pub seen_events: Vec<String>,
}

impl HelpdeskLink {
    /// How agents see the reference ("Zendesk ticket #5001").
    pub fn label(&self) -> String {
        match self.vendor.as_str() {
            "zendesk" => format!("Zendesk ticket #{}", self.ticket_id),
            "freshdesk" => format!("Freshdesk ticket #{}", self.ticket_id),
            "intercom" => format!("Intercom conversation {}", self.ticket_id),
            other => format!("{other} {}", self.ticket_id),
        }
    }
}

/// Progress of an escalation's create flow, stored in the outbox entry's payload.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct CreateProgress {
    /// The ticket as first built: every retry sends the same thing (Zendesk's idempotency
    /// replay requires an identical body).
    #[serde(default)]
    ticket: Option<TicketRequest>,
    /// Last seq of the events the ticket carries.
    #[serde(default)]
    covered_seq: u64,
    #[serde(default)]
    requester_done: bool,
    #[serde(default)]
    requester_id: Option<String>,
    /// When a create was first sent (an answer may have been lost).
    #[serde(default)]
    create_sent_at: Option<f64>,
    #[serde(default)]
    ticket_id: Option<String>,
    #[serde(default)]
    searched: bool,
    #[serde(default)]
    linked: bool,
    #[serde(default)]
    noted: bool,
    #[serde(default)]
    assigned: bool,
    #[serde(default)]
    attributed: bool,
}

/// A customer message to relay to the ticket, stored in a follow-up entry's payload.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct FollowUp {
    seq: u64,
    text: String,
    /// The conversation had been resolved: reopen the ticket too.
    #[serde(default)]
    reopen: bool,
    /// Freshdesk: the note is in, only the reopen is left.
    #[serde(default)]
    sent: bool,
    /// Zendesk: the ticket is closed (it takes no comments); a follow-up ticket takes the message.
    #[serde(default)]
    closed: bool,
    /// Zendesk: the follow-up ticket made, to link to the conversation in place of the closed one.
    #[serde(default)]
    new_ticket: Option<String>,
}

/// A site's helpdesk account, ready to build descriptors.
enum Client {
    Zendesk(Zendesk),
    Freshdesk(Freshdesk),
    Intercom(Intercom),
}

struct Account {
    client: Client,
    vendor: Vendor,
    settings: HelpdeskSettings,
}

impl Account {
    fn vendor_name(&self) -> &'static str {
        match self.client {
            Client::Zendesk(_) => "zendesk",
            Client::Freshdesk(_) => "freshdesk",
            Client::Intercom(_) => "intercom",
        }
    }
}

/// An internal failure (storage, config) on the way: try again on the schedule.
fn retry(e: impl std::fmt::Display) -> Outcome {
    Outcome::Retry {
        retry_after_ms: None,
        reason: e.to_string(),
    }
}

/// One vendor call of a create flow.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Zendesk user / Intercom contact lookup or creation.
    Requester,
    /// Zendesk search by external id; Intercom contact search.
    Search,
    /// The ticket or conversation itself.
    Create,
    /// The internal note with transcript and context.
    Note,
    /// Intercom: the routed queue's team.
    Assign,
    /// Intercom: title and conversation attributes.
    Attributes,
}

type Request = std::result::Result<HttpRequest, ConnectorError>;

/// The next call of a create flow, from what is done so far; `None` when finished.
fn next_create_step(
    client: &Client,
    p: &CreateProgress,
    team: Option<&str>,
) -> Option<(Step, CallClass, Request)> {
    let t = p.ticket.as_ref()?;
    let ticket = p.ticket_id.as_deref();
    match (client, ticket) {
        (Client::Zendesk(zd), _) if !p.requester_done => Some((
            Step::Requester,
            CallClass::General,
            zd.create_or_update_user(&t.requester),
        )),
        // The key outlived Zendesk's idempotency window: look for the ticket an earlier
        // attempt may have made before creating one.
        (Client::Zendesk(zd), None)
            if !p.searched
                && p.create_sent_at
                    .is_some_and(|at| now_ms() - at > ZENDESK_IDEMPOTENCY_MS) =>
        {
            Some((
                Step::Search,
                CallClass::Search,
                Ok(zd.search_by_external_id(&t.external_id)),
            ))
        }
        (Client::Zendesk(zd), None) => Some((
            Step::Create,
            CallClass::Create,
            zd.create_ticket(t, p.requester_id.as_deref()),
        )),
        (Client::Zendesk(zd), Some(id)) if !p.noted => Some((
            Step::Note,
            CallClass::General,
            Ok(zd.add_note(id, &t.note_text())),
        )),
        (Client::Freshdesk(fd), None) => {
            Some((Step::Create, CallClass::Create, fd.create_ticket(t)))
        }
        (Client::Freshdesk(fd), Some(id)) if !p.noted => Some((
            Step::Note,
            CallClass::General,
            Ok(fd.add_note(id, &t.note_html())),
        )),
        (Client::Intercom(ic), _) if p.requester_id.is_none() => {
            match (&t.requester.email, p.searched) {
                (Some(email), false) => Some((
                    Step::Search,
                    CallClass::Search,
                    Ok(ic.search_contact(email)),
                )),
                _ => Some((
                    Step::Requester,
                    CallClass::General,
                    ic.create_contact(&t.requester),
                )),
            }
        }
        (Client::Intercom(ic), None) => Some((
            Step::Create,
            CallClass::Create,
            Ok(ic.create_conversation(p.requester_id.as_deref().unwrap_or_default(), t)),
        )),
        (Client::Intercom(ic), Some(id)) if !p.noted => Some((
            Step::Note,
            CallClass::General,
            Ok(ic.add_note(id, &Intercom::note_html(t))),
        )),
        (Client::Intercom(ic), Some(id)) if !p.assigned && team.is_some() => Some((
            Step::Assign,
            CallClass::General,
            Ok(ic.assign_team(id, team.unwrap_or_default())),
        )),
        (Client::Intercom(ic), Some(id)) if !p.attributed => Some((
            Step::Attributes,
            CallClass::General,
            Ok(ic.set_attributes(id, t)),
        )),
        _ => None,
    }
}

/// Record a create step's answer, or say why the flow stops.
fn take_create_answer(
    client: &Client,
    step: Step,
    reply: &FullReply,
    p: &mut CreateProgress,
) -> std::result::Result<(), Outcome> {
    let (status, body) = (reply.status, reply.body.as_str());
    let what = format!("{} {step:?}", p_vendor(client));
    let fail = |e| failed(&what, e, reply);
    match (client, step) {
        (Client::Zendesk(_), Step::Requester) => {
            p.requester_id = Some(zendesk::parse_user(status, body).map_err(fail)?);
            p.requester_done = true;
        }
        (Client::Zendesk(_), Step::Search) => {
            let external = p.ticket.as_ref().map_or("", |t| t.external_id.as_str());
            p.ticket_id = zendesk::parse_search(status, body, external)
                .map_err(fail)?
                .map(|t| t.id);
            p.searched = true;
        }
        (Client::Zendesk(_), Step::Create) => {
            p.ticket_id = Some(zendesk::parse_ticket(status, body).map_err(fail)?.id);
        }
        (Client::Zendesk(_), _) => {
            zendesk::parse_ticket(status, body).map_err(fail)?;
            p.noted = true;
        }
        (Client::Freshdesk(_), Step::Create) => {
            let t = freshdesk::parse_ticket(status, body).map_err(fail)?;
            p.ticket_id = Some(t.id);
            p.requester_id = t.requester_id;
        }
        (Client::Freshdesk(_), _) => {
            freshdesk::parse_note(status, body).map_err(fail)?;
            p.noted = true;
        }
        (Client::Intercom(_), Step::Search) => {
            p.requester_id = intercom::parse_contact_search(status, body).map_err(fail)?;
            p.searched = true;
        }
        (Client::Intercom(_), Step::Requester) => {
            p.requester_id = Some(intercom::parse_contact(status, body).map_err(fail)?);
        }
        (Client::Intercom(_), Step::Create) => {
            p.ticket_id = Some(intercom::parse_conversation_created(status, body).map_err(fail)?);
        }
        (Client::Intercom(_), step) => {
            intercom::parse_conversation(status, body).map_err(fail)?;
            match step {
                Step::Note => p.noted = true,
                Step::Assign => p.assigned = true,
                _ => p.attributed = true,
            }
        }
    }
    Ok(())
}

fn p_vendor(client: &Client) -> &'static str {
    match client {
        Client::Zendesk(_) => "Zendesk",
        Client::Freshdesk(_) => "Freshdesk",
        Client::Intercom(_) => "Intercom",
    }
}

/// The next call relaying a follow-up: the message as the customer's (Zendesk also sets
/// the ticket open again, or, once Zendesk has closed it, opens a follow-up ticket keyed by
/// `key`), then, for a resolved Freshdesk ticket, the reopen.
fn next_follow_up_step(
    client: &Client,
    f: &FollowUp,
    link: &HelpdeskLink,
    key: &str,
) -> Option<HttpRequest> {
    let (ticket, requester) = (link.ticket_id.as_str(), link.requester_id.as_deref());
    match client {
        Client::Zendesk(zd) if f.closed => {
            let opening: String = f.text.chars().take(60).collect();
            let subject = format!("Follow-up to #{ticket}: {opening}");
            Some(zd.follow_up_ticket(ticket, requester, &subject, &f.text, key))
        }
        Client::Zendesk(zd) => Some(zd.customer_follow_up(ticket, requester, &f.text)),
        Client::Freshdesk(fd) if !f.sent => Some(fd.customer_message(ticket, requester, &f.text)),
        Client::Freshdesk(fd) => f.reopen.then(|| fd.reopen(ticket)),
        Client::Intercom(ic) => {
            Some(ic.customer_reply(ticket, requester.unwrap_or_default(), &f.text))
        }
    }
}

/// Record a follow-up call's answer; `Ok(true)` when the message is fully relayed.
fn take_follow_up_answer(
    client: &Client,
    reply: &FullReply,
    f: &mut FollowUp,
) -> std::result::Result<bool, Outcome> {
    let (status, body) = (reply.status, reply.body.as_str());
    let what = format!("{} follow-up", p_vendor(client));
    let fail = |e| failed(&what, e, reply);
    match client {
        Client::Zendesk(_) if !f.closed && zendesk::is_closed_ticket(status, body) => {
            f.closed = true;
            Ok(false)
        }
        Client::Zendesk(_) if f.closed => zendesk::parse_ticket(status, body).map(|t| {
            f.new_ticket = Some(t.id);
            true
        }),
        Client::Zendesk(_) => zendesk::parse_ticket(status, body).map(|_| true),
        Client::Freshdesk(_) if !f.sent => freshdesk::parse_note(status, body).map(|_| {
            f.sent = true;
            !f.reopen
        }),
        Client::Freshdesk(_) => freshdesk::parse_ticket(status, body).map(|_| true),
        Client::Intercom(_) => intercom::parse_conversation(status, body).map(|_| true),
    }
    .map_err(fail)
}

/// An inbound event as the hooks route hands it to the conversation: flat JSON built and read
/// here (cheaper in the worker's size than serde's flattened, tagged form).
pub(crate) fn event_to_json(vendor: &str, e: &InboundEvent) -> Value {
    let (kind, agent, text) = match &e.kind {
        InboundKind::AgentReply { agent, text } => {
            ("agent_reply", agent.clone(), Some(text.clone()))
        }
        InboundKind::Solved => ("solved", None, None),
        InboundKind::Reopened => ("reopened", None, None),
    };
    json!({
        "vendor": vendor, "ticket_id": e.ticket_id, "event_id": e.event_id,
        "kind": kind, "agent": agent, "text": text,
    })
}

/// The other half of [`event_to_json`]: vendor and event, or what is missing.
pub(super) fn event_from_json(v: &Value) -> std::result::Result<(String, InboundEvent), AppError> {
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    let kind = match v["kind"].as_str() {
        Some("agent_reply") => InboundKind::AgentReply {
            agent: s("agent"),
            text: s("text").unwrap_or_default(),
        },
        Some("solved") => InboundKind::Solved,
        Some("reopened") => InboundKind::Reopened,
        _ => {
            return Err(AppError::bad_field(
                "kind",
                "agent_reply, solved or reopened",
            ))
        }
    };
    let ticket_id = s("ticket_id").ok_or_else(|| AppError::bad_field("ticket_id", "missing"))?;
    Ok((
        s("vendor").unwrap_or_default(),
        InboundEvent {
            event_id: s("event_id"),
            ticket_id,
            external_id: None,
            kind,
        },
    ))
}

/// The connector's name when it is one of the three helpdesks.
pub(super) fn vendor_name(connector: Connector) -> Option<&'static str> {
    match connector {
        Connector::Zendesk => Some("zendesk"),
        Connector::Freshdesk => Some("freshdesk"),
        Connector::Intercom => Some("intercom"),
        Connector::Builtin | Connector::Webhook => None,
    }
}

fn account(env: &Env, config: &SiteConfig) -> std::result::Result<Account, Outcome> {
    let h = &config.handoff;
    let missing = |name: &str| Outcome::Permanent {
        reason: format!("handoff.{name} is not configured"),
    };
    let (settings, vendor) = match h.connector {
        Connector::Zendesk => (
            h.zendesk.clone().ok_or_else(|| missing("zendesk"))?,
            Vendor::Zendesk,
        ),
        Connector::Freshdesk => (
            h.freshdesk.clone().ok_or_else(|| missing("freshdesk"))?,
            Vendor::Freshdesk,
        ),
        Connector::Intercom => (
            h.intercom.clone().ok_or_else(|| missing("intercom"))?,
            Vendor::Intercom,
        ),
        Connector::Builtin | Connector::Webhook => {
            return Err(Outcome::Permanent {
                reason: "the site's connector is not a helpdesk".into(),
            })
        }
    };
    // A secret not set yet is a deployment step still to do: keep retrying on the schedule.
    let token = named_secret(env, &settings.token_secret).map_err(|reason| Outcome::Retry {
        retry_after_ms: None,
        reason,
    })?;
    let base_url = settings.base_url.clone();
    let client = match vendor {
        Vendor::Zendesk => Client::Zendesk(Zendesk {
            base_url,
            auth: match &settings.email {
                Some(email) => ZendeskAuth::ApiToken {
                    email: email.clone(),
                    token,
                },
                None => ZendeskAuth::Bearer(token),
            },
        }),
        Vendor::Freshdesk => Client::Freshdesk(Freshdesk {
            base_url,
            api_key: token,
            escalation_field: settings.escalation_field.clone(),
            ticket_type: settings.ticket_type.clone(),
        }),
        _ => Client::Intercom(Intercom {
            base_url,
            token,
            admin_id: settings.admin_id.clone().unwrap_or_default(),
        }),
    };
    Ok(Account {
        client,
        vendor,
        settings,
    })
}

/// A vendor's refusal or unreadable answer, as the outbox sees it.
fn failed(what: &str, e: ConnectorError, reply: &FullReply) -> Outcome {
    let reason = format!("{what}: {e}");
    if e.is_retryable() {
        let retry_after = reply
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| parse_retry_after(v, now_ms()));
        Outcome::Retry {
            retry_after_ms: retry_after,
            reason,
        }
    } else {
        Outcome::Permanent { reason }
    }
}

/// Park an entry until `at_ms` without counting an attempt (the outbox loop sees a `Retry`
/// whose entry is already scheduled in the future).
fn defer(entry: &mut OutboxEntry, at_ms: f64, reason: impl Into<String>) -> Outcome {
    entry.next_at_ms = at_ms.max(now_ms() + 50.0);
    Outcome::Retry {
        retry_after_ms: None,
        reason: reason.into(),
    }
}

fn priority(p: baton_shared::config::Priority) -> Priority {
    use baton_shared::config::Priority as P;
    match p {
        P::Low => Priority::Low,
        P::Normal => Priority::Normal,
        P::High => Priority::High,
        P::Urgent => Priority::Urgent,
    }
}

/// A lower-case tag word (`Billing dispute` → `billing_dispute`).
fn tag(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Conversation {
    /// The value a field mapping's `source` names, for this conversation.
    fn field_source(&self, meta: &Meta, source: &str) -> Option<Value> {
        let escalation = meta.state.escalation.as_ref();
        let page = baton_shared::context::PageContext::from_value(&meta.page);
        let s = |v: Option<String>| v.map(Value::String);
        match source {
            "category" => {
                s(escalation.map(|e| effects::routed_category(meta, e).as_str().to_owned()))
            }
            "trigger" => s(escalation.map(|e| e.trigger.as_str().to_owned())),
            "segment" => s(meta.segment.clone()),
            "priority" => s(Some(meta.priority.as_str().to_owned())),
            "page_url" => s(page.url),
            "product_area" => s(page.product_area),
            "account_id" => s(text_of(&meta.user["account_id"])),
            "plan" => s(text_of(&meta.user["plan"])),
            "email" => s(text_of(&meta.user["email"])),
            "summary" => s(Some(summary(meta))),
            "conversation_url" => s(notify::inbox_link(&self.env, meta)),
            "sentiment" => {
                serde_json::Number::from_f64((meta.signals.sentiment * 1000.0).round() / 1000.0)
                    .map(Value::Number)
            }
            _ => None,
        }
    }

    /// The neutral ticket for this escalation, and the last seq it carries.
    async fn build_ticket(
        &self,
        meta: &Meta,
        config: &SiteConfig,
    ) -> std::result::Result<(TicketRequest, u64), AppError> {
        let events = self.events_since(0).await?;
        let redact = config.handoff.redact_pii;
        let clean = |t: &str| {
            if redact {
                baton_shared::redact::redact(t, Default::default())
            } else {
                t.to_owned()
            }
        };
        let mut covered = 0;
        let mut transcript = Vec::new();
        for e in &events {
            covered = covered.max(e.seq);
            if let EventBody::Message {
                author, text, name, ..
            } = &e.body
            {
                let speaker = match author {
                    Author::Customer => Speaker::Customer,
                    Author::Ai => Speaker::Ai,
                    Author::Agent => Speaker::Agent,
                    Author::System => Speaker::System,
                };
                let text = match (author, name) {
                    (Author::Agent, Some(n)) => format!("({n}) {}", clean(text)),
                    _ => clean(text),
                };
                transcript.push(TranscriptLine { speaker, text });
            }
        }
        let escalation = meta.state.escalation.as_ref();
        // "Billing dispute: I was charged twice…": the trigger when it names the problem,
        // else the routed category.
        let topic = escalation.map_or_else(
            || "Question".to_owned(),
            |e| match e.trigger.as_str() {
                "human_request" | "soft" => effects::routed_category(meta, e).as_str().to_owned(),
                trigger => trigger.to_owned(),
            },
        );
        let topic = topic.replace('_', " ");
        let trigger_text = transcript
            .iter()
            .rev()
            .find(|l| l.speaker == Speaker::Customer)
            .map(|l| l.text.chars().take(80).collect::<String>());
        let subject = match trigger_text {
            Some(t) => format!("{}: {t}", capitalised(&topic)),
            None => capitalised(&topic),
        };
        let page = baton_shared::context::PageContext::from_value(&meta.page);
        let mut context: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                context.push((k.to_owned(), clean(&v)));
            }
        };
        add("Why", meta.reason.clone());
        add("Trigger", escalation.map(|e| e.trigger.as_str().to_owned()));
        add(
            "Category",
            escalation.map(|e| effects::routed_category(meta, e).as_str().to_owned()),
        );
        add("Queue", meta.queue_name.clone());
        add("Priority", Some(meta.priority.as_str().to_owned()));
        add("Segment", meta.segment.clone());
        add("Plan", text_of(&meta.user["plan"]));
        add("Account id", text_of(&meta.user["account_id"]));
        add("Page", page.url.clone());
        add("Page title", page.title.clone());
        add("Product area", page.product_area.clone());
        if !page.route_history.is_empty() {
            add("Pages before", Some(page.route_history.join(" → ")));
        }
        add("Out-of-hours reference", meta.ticket.clone());
        let mut tags = vec!["baton".to_owned()];
        if let Some(e) = escalation {
            tags.push(tag(effects::routed_category(meta, e).as_str()));
        }
        let mut fields = Vec::new();
        for f in &config.handoff.fields {
            let Some(value) = self.field_source(meta, &f.source) else {
                continue;
            };
            let value = match value {
                Value::String(s) => Value::String(clean(&s)),
                other => other,
            };
            if f.target.trim() == "tag" {
                if let Some(t) = text_of(&value) {
                    let t = tag(&t);
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
            } else {
                fields.push(FieldValue {
                    name: f.target.trim().to_owned(),
                    value,
                });
            }
        }
        if config.handoff.connector == Connector::Intercom
            && !fields.iter().any(|f| f.name == "baton_escalation")
        {
            fields.push(FieldValue {
                name: "baton_escalation".into(),
                value: Value::String(format!("esc:{}:1", meta.id)),
            });
        }
        let requester = Requester {
            email: text_of(&meta.user["email"]),
            name: text_of(&meta.user["name"]),
            // Anonymous visitors still need a stable identity in the helpdesk.
            external_id: text_of(&meta.user["user_id"])
                .or_else(|| Some(format!("baton:{}", meta.id))),
        };
        Ok((
            TicketRequest {
                external_id: format!("esc:{}:1", meta.id),
                subject,
                summary: clean(&summary(meta)),
                transcript,
                context,
                priority: priority(meta.priority),
                tags,
                fields,
                requester,
                conversation_url: notify::inbox_link(&self.env, meta),
            },
            covered,
        ))
    }

    /// One vendor call under the site's rate budget: the answer (the budget has seen its
    /// rate-limit headers), or how the entry stops for now (parked until the budget allows,
    /// or retried when no answer came).
    async fn vendor_call(
        &self,
        site: &str,
        acct: &Account,
        class: CallClass,
        request: std::result::Result<HttpRequest, ConnectorError>,
        timeout_ms: u64,
        entry: &mut OutboxEntry,
    ) -> std::result::Result<FullReply, Outcome> {
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                return Err(Outcome::Permanent {
                    reason: format!("{}: {e}", entry.connector),
                })
            }
        };
        let budgeted = self
            .call_vendor(
                site,
                acct.vendor,
                "",
                acct.settings.rate_limit_per_minute,
                class,
                &request,
                timeout_ms,
            )
            .await;
        match budgeted {
            notify::Called::Reply(reply) => Ok(reply),
            notify::Called::Stop(Outcome::Deferred { until_ms }) => Err(defer(
                entry,
                until_ms,
                format!("queued under 80 % of {}'s rate limit", entry.connector),
            )),
            notify::Called::Stop(outcome) => Err(outcome),
        }
    }

    /// Keep an entry's progress, so a crash or retry resumes after the last finished step.
    async fn save_progress<T: Serialize>(
        &self,
        entry: &mut OutboxEntry,
        progress: &T,
    ) -> std::result::Result<(), Outcome> {
        entry.payload = serde_json::to_value(progress).unwrap_or(Value::Null);
        let stored = durable::store::encode(&*entry).map_err(|e| e.to_string());
        let result = match stored {
            Ok(js) => self
                .state
                .storage()
                .put_raw(&delivery::key(entry), js)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        result.map_err(|reason| Outcome::Retry {
            retry_after_ms: None,
            reason: format!("could not store progress: {reason}"),
        })
    }

    /// Record the vendor ticket on the conversation and with the site's router (inbound
    /// webhooks find the conversation by it).
    async fn link_ticket(
        &self,
        vendor: &str,
        ticket_id: &str,
        requester_id: Option<String>,
        covered_seq: u64,
    ) -> std::result::Result<(), Outcome> {
        let retry = |reason: String| Outcome::Retry {
            retry_after_ms: None,
            reason,
        };
        let site = self.load().await.map_err(|e| retry(e.to_string()))?.site;
        let body = json!({ "vendor": vendor, "ticket": ticket_id, "conversation": self.load().await.map_err(|e| retry(e.to_string()))?.id });
        let resp = durable::call_router(
            &self.env,
            &site,
            Method::Post,
            "/helpdesk/link",
            Some(&body),
        )
        .await
        .map_err(|e| retry(e.to_string()))?;
        if resp.status_code() >= 300 {
            return Err(retry(format!(
                "router link answered {}",
                resp.status_code()
            )));
        }
        // Fresh state after the outside call; nothing awaits between here and the commit.
        let meta = self.load().await.map_err(|e| retry(e.to_string()))?;
        let mut change = Change::new(meta, false);
        let seen = change
            .meta
            .helpdesk
            .take()
            .map(|l| l.seen_events)
            .unwrap_or_default();
        change.meta.helpdesk = Some(HelpdeskLink {
            vendor: vendor.to_owned(),
            ticket_id: ticket_id.to_owned(),
            requester_id,
            covered_seq,
            seen_events: seen,
        });
        let _ = change.meta.state.apply(Event::TicketLinked {
            ticket: format!("{vendor}:{ticket_id}"),
        });
        self.commit_only(change)
            .await
            .map_err(|e| retry(e.to_string()))
    }

    /// Run (or resume) the create flow of the site's helpdesk for this escalation: one vendor
    /// call at a time, each answer recorded before the next, so a retry resumes where it stopped.
    pub(super) async fn deliver_helpdesk(
        &self,
        meta: &Meta,
        entry: &mut OutboxEntry,
        timeout_ms: u64,
    ) -> Outcome {
        match self.run_create(meta, entry, timeout_ms).await {
            Ok(()) => Outcome::Delivered,
            Err(o) => o,
        }
    }

    async fn run_create(
        &self,
        meta: &Meta,
        entry: &mut OutboxEntry,
        timeout_ms: u64,
    ) -> std::result::Result<(), Outcome> {
        let config = self.config(&meta.site).await.map_err(retry)?;
        let acct = account(&self.env, &config)?;
        // Fresh state: the pass's copy predates routing done earlier in the same pass.
        let meta = self.load().await.map_err(retry)?;
        let mut p: CreateProgress = crate::json::from(&entry.payload).unwrap_or_default();
        // The widget starts a conversation before its masking module has arrived and sends the
        // masked page context just after: a ticket built from the first seconds waits for it
        // (at most PAGE_WAIT_MS), so agents see where the customer was.
        let no_page = meta.page.as_object().is_none_or(|o| o.is_empty());
        if p.ticket.is_none() && no_page && now_ms() - meta.created_at < PAGE_WAIT_MS {
            return Err(defer(
                entry,
                now_ms() + 300.0,
                "waiting for the page context",
            ));
        }
        if p.ticket.is_none() {
            let (t, covered) = self.build_ticket(&meta, &config).await.map_err(retry)?;
            p.ticket = Some(t);
            p.covered_seq = covered;
            self.save_progress(entry, &p).await?;
        }
        let team = meta
            .state
            .queue
            .as_ref()
            .and_then(|q| acct.settings.teams.get(q))
            .cloned();
        loop {
            if let (Some(ticket), false) = (&p.ticket_id, p.linked) {
                self.link_ticket(
                    acct.vendor_name(),
                    ticket,
                    p.requester_id.clone(),
                    p.covered_seq,
                )
                .await?;
                p.linked = true;
                self.save_progress(entry, &p).await?;
            }
            let Some((step, class, request)) = next_create_step(&acct.client, &p, team.as_deref())
            else {
                return Ok(());
            };
            if matches!(step, Step::Create) {
                // From here an answer can be lost: a later retry knows a create went out.
                p.create_sent_at.get_or_insert_with(now_ms);
                self.save_progress(entry, &p).await?;
            }
            let reply = self
                .vendor_call(&meta.site, &acct, class, request, timeout_ms, entry)
                .await?;
            take_create_answer(&acct.client, step, &reply, &mut p)?;
            self.save_progress(entry, &p).await?;
        }
    }

    /// Relay one customer message (sent after the handoff) to the ticket, in order, after the
    /// ticket exists; a message the ticket already carries is not sent again.
    pub(super) async fn deliver_follow_up(
        &self,
        entry: &mut OutboxEntry,
        timeout_ms: u64,
    ) -> Outcome {
        match self.run_follow_up(entry, timeout_ms).await {
            Ok(()) => Outcome::Delivered,
            Err(o) => o,
        }
    }

    async fn run_follow_up(
        &self,
        entry: &mut OutboxEntry,
        timeout_ms: u64,
    ) -> std::result::Result<(), Outcome> {
        let mut f: FollowUp =
            crate::json::from(&entry.payload).map_err(|e| Outcome::Permanent {
                reason: format!("unreadable follow-up: {e}"),
            })?;
        // Read fresh: the create flow may have linked the ticket since this pass began.
        let Ok(meta) = self.load().await else {
            return Ok(()); // the conversation was erased
        };
        let storage = self.state.storage();
        if meta
            .helpdesk
            .as_ref()
            .is_some_and(|l| f.seq <= l.covered_seq)
        {
            return Ok(()); // the ticket's transcript has it
        }
        // The ticket and its own steps (note, team, attributes) go before any follow-up.
        let create: Option<OutboxEntry> = durable::store::get(&storage, "o:helpdesk")
            .await
            .ok()
            .flatten();
        if let Some(create) = create {
            return Err(defer(
                entry,
                create.next_at_ms + 100.0,
                "waiting for the ticket to be complete",
            ));
        }
        let Some(link) = meta.helpdesk.clone() else {
            if meta.route_pending || meta.state.status == Status::Escalating {
                return Err(defer(entry, now_ms() + 1_000.0, "waiting for routing"));
            }
            worker::console_log!(
                "conversation {}: no {} ticket to relay a follow-up to (the create gave up); it is in the built-in inbox",
                meta.id,
                entry.connector
            );
            return Ok(());
        };
        // One at a time, oldest first: an earlier message still pending goes before this one.
        let first: Vec<OutboxEntry> = durable::store::list(
            &storage,
            ListOptions::new()
                .prefix(&format!("o:{FOLLOW_UP_PREFIX}"))
                .limit(1),
        )
        .await
        .unwrap_or_default();
        if let Some(earlier) = first.iter().find(|e| e.key != entry.key) {
            let at = earlier.next_at_ms + 50.0;
            return Err(defer(
                entry,
                at,
                "waiting for an earlier message to reach the ticket",
            ));
        }
        let config = self.config(&meta.site).await.map_err(retry)?;
        let acct = account(&self.env, &config)?;
        if config.handoff.redact_pii {
            f.text = baton_shared::redact::redact(&f.text, Default::default());
        }
        // A follow-up ticket made by an earlier attempt whose link did not land yet.
        if let Some(id) = f.new_ticket.clone() {
            return self
                .link_ticket(&link.vendor, &id, link.requester_id, link.covered_seq)
                .await;
        }
        let key = format!("esc:{}:1:msg:{}", meta.id, f.seq);
        while let Some(request) = next_follow_up_step(&acct.client, &f, &link, &key) {
            let reply = self
                .vendor_call(
                    &meta.site,
                    &acct,
                    CallClass::General,
                    Ok(request),
                    timeout_ms,
                    entry,
                )
                .await?;
            if take_follow_up_answer(&acct.client, &reply, &mut f)? {
                if let Some(id) = f.new_ticket.clone() {
                    self.save_progress(entry, &f).await?;
                    let requester = link.requester_id.clone();
                    self.link_ticket(&link.vendor, &id, requester, link.covered_seq)
                        .await?;
                }
                return Ok(());
            }
            self.save_progress(entry, &f).await?;
        }
        Ok(())
    }

    /// Apply a verified helpdesk event: an agent's public reply reaches the widget as a human
    /// message; solved/closed resolves the conversation. Repeats and strangers' tickets are
    /// ignored; the answer says why.
    pub(super) async fn helpdesk_event(
        &self,
        vendor: &str,
        event: InboundEvent,
    ) -> std::result::Result<Response, AppError> {
        let config = self.config(&self.load().await?.site).await?;
        let meta = self.load().await?;
        let ignored = |why: &str| Response::from_json(&json!({ "ok": true, "ignored": why }));
        let Some(link) = meta.helpdesk.clone() else {
            return Ok(ignored("this conversation has no helpdesk ticket yet")?);
        };
        if link.vendor != vendor || link.ticket_id != event.ticket_id {
            return Ok(ignored("the ticket does not belong to this conversation")?);
        }
        if let Some(id) = &event.event_id {
            if link.seen_events.contains(id) {
                return Ok(ignored("this event was already applied")?);
            }
        }
        let mut change = Change::new(meta, true);
        if let (Some(id), Some(l)) = (&event.event_id, change.meta.helpdesk.as_mut()) {
            l.seen_events.push(id.clone());
            if l.seen_events.len() > SEEN_EVENTS_KEPT {
                l.seen_events.remove(0);
            }
        }
        let status = change.meta.state.status;
        let applied = match event.kind {
            InboundKind::AgentReply { agent, text } => {
                let name: String = agent
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or_else(|| "Support team".into())
                    .chars()
                    .take(60)
                    .collect();
                let takes_over = matches!(status, Status::Queued | Status::Reopened)
                    || (status == Status::WithAgent
                        && change.meta.agent_name.as_deref() != Some(name.as_str()));
                if takes_over {
                    let effects = change.meta.state.apply(Event::AgentClaimed {
                        agent: name.as_str().into(),
                    })?;
                    change.meta.agent_name = Some(name.clone());
                    change.meta.transferred_by = None;
                    change.meta.first_agent_at.get_or_insert_with(now_ms);
                    self.carry_out(&mut change, &config, effects, "")?;
                }
                change.say(
                    Author::Agent,
                    text.chars().take(MAX_TEXT).collect(),
                    Some(name),
                );
                "agent_reply"
            }
            InboundKind::Solved => {
                if matches!(
                    status,
                    Status::Queued | Status::WithAgent | Status::Async | Status::Reopened
                ) {
                    let effects = change.meta.state.apply(Event::Resolved)?;
                    self.carry_out(&mut change, &config, effects, "")?;
                    "resolved"
                } else {
                    "already resolved"
                }
            }
            // The agent side reopening changes nothing the customer sees; their next message
            // reopens the chat.
            InboundKind::Reopened => "noted",
        };
        self.commit(change).await?;
        Ok(Response::from_json(
            &json!({ "ok": true, "applied": applied }),
        )?)
    }
}

/// Queue a customer message written after the handoff for the ticket (the escalating message
/// itself travels in the ticket's transcript). `before` is the status before the message.
pub(super) fn queue_follow_up(
    change: &mut Change,
    config: &SiteConfig,
    before: Status,
    text: &str,
) {
    let Some(vendor) = vendor_name(config.handoff.connector) else {
        return;
    };
    if before == Status::AiMode {
        return;
    }
    let Some(seq) = change.last_customer_seq() else {
        return;
    };
    let now = now_ms();
    let payload = FollowUp {
        seq,
        text: text.to_owned(),
        reopen: before == Status::Resolved,
        ..FollowUp::default()
    };
    change.outbox.push(OutboxEntry {
        key: format!("{FOLLOW_UP_PREFIX}{seq:012}"),
        kind: DeliveryKind::CustomerMessage,
        connector: vendor.into(),
        attempts: 0,
        next_at_ms: now,
        created_at_ms: now,
        last_error: None,
        payload: serde_json::to_value(payload).unwrap_or(Value::Null),
    });
}
