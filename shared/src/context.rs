//! The context payload that travels with every handoff: transcript, intent, identity, page
//! context, decision record and summary, built by a pure function from what the host recorded.
//!
//! Identity and page context arrive as loose JSON from the host page; [`Customer::from_value`]
//! and [`PageContext::from_value`] read them leniently (never failing, bounded in size, secrets
//! such as `user_hash` dropped). The payload itself, and its conversion into a helpdesk ticket,
//! need the decision record and live behind the `edge` feature.

use crate::wire::{Author, EventBody, LiveEvent};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Longest single text value kept from the host page (URLs, titles, UI state values).
const MAX_FIELD: usize = 500;
/// Longest list kept from the host page (route history, actions, errors): the newest entries.
const MAX_LIST: usize = 20;
/// Most UI-state keys kept.
const MAX_KEYS: usize = 40;

/// Identity keys that are credentials, never copied into the payload.
const SECRET_KEYS: &[&str] = &["user_hash", "jwt", "token", "password", "secret"];

fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A scalar as text: strings as they are, numbers and booleans printed.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(clip(s, MAX_FIELD)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of `keys` present in `obj` as a scalar, as text.
fn text_of(obj: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| obj.get(*k).and_then(scalar_text))
}

/// The customer, as the host page identified them (`Baton('identify', …)`, HMAC or JWT verified).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// The site's own user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Email address: the usual key for linking to the helpdesk/CRM record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The customer's account (company, workspace) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Plan name (`free`, `pro`, `enterprise`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Tier, where the site distinguishes it from the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Account value in the site's currency (ARR, lifetime value...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_value: Option<f64>,
    /// Whether the identity was verified (HMAC `user_hash` or signed JWT).
    #[serde(default)]
    pub verified: bool,
    /// Any other scalar attributes the host page supplied.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

impl Customer {
    /// Read an identity object leniently; credentials are dropped, other scalars kept.
    pub fn from_value(user: &Value) -> Self {
        let account_value = user.get("account_value").and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        });
        let known = [
            "user_id",
            "id",
            "email",
            "name",
            "account_id",
            "plan",
            "tier",
            "account_value",
            "verified",
        ];
        let attributes = user
            .as_object()
            .map(|obj| {
                let pairs = obj
                    .iter()
                    .filter(|(k, _)| {
                        !known.contains(&k.as_str()) && !SECRET_KEYS.contains(&k.as_str())
                    })
                    .filter_map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => Value::String(clip(s, MAX_FIELD)),
                            Value::Number(_) | Value::Bool(_) => v.clone(),
                            _ => return None,
                        };
                        Some((clip(k, 60), v))
                    })
                    .take(MAX_KEYS);
                crate::order::map_from(pairs)
            })
            .unwrap_or_default();
        Self {
            user_id: text_of(user, &["user_id", "id"]),
            email: text_of(user, &["email"]),
            name: text_of(user, &["name"]),
            account_id: text_of(user, &["account_id"]),
            plan: text_of(user, &["plan"]),
            tier: text_of(user, &["tier"]),
            account_value,
            verified: user
                .get("verified")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            attributes,
        }
    }

    /// How to name the customer to an agent: name, else email, else user id.
    pub fn display_name(&self) -> Option<&str> {
        self.name
            .as_deref()
            .or(self.email.as_deref())
            .or(self.user_id.as_deref())
    }

    /// Plan, else tier.
    pub fn plan_or_tier(&self) -> Option<&str> {
        self.plan.as_deref().or(self.tier.as_deref())
    }
}

/// The browser viewport in CSS pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewport {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Viewport {
    /// `{"width", "height"}` or `"390x844"`.
    fn from_value(v: &Value) -> Option<Self> {
        let dim = |v: Option<&Value>| {
            v.and_then(Value::as_f64)
                .filter(|x| x.is_finite() && *x >= 0.0 && *x < 100_000.0)
                .map(|x| x.round() as u32)
        };
        match v {
            Value::Object(_) => Some(Self {
                width: dim(v.get("width").or_else(|| v.get("w")))?,
                height: dim(v.get("height").or_else(|| v.get("h")))?,
            }),
            Value::String(s) => {
                let (w, h) = s.split_once(['x', '×', 'X'])?;
                Some(Self {
                    width: w.trim().parse().ok()?,
                    height: h.trim().parse().ok()?,
                })
            }
            _ => None,
        }
    }
}

/// Where the customer is in the product: what the widget captures itself (URL, title,
/// referrer, language) plus what the host page exposes through `Baton('setContext', …)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageContext {
    /// The page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The page title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the customer came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Pages (or single-page-app routes) visited before, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_history: Vec<String>,
    /// The product area the page belongs to (`billing`, `reports`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_area: Option<String>,
    /// The step of a multi-step form or flow (`checkout: payment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_step: Option<String>,
    /// Recent actions or clicks, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent_actions: Vec<String>,
    /// Recent JavaScript errors on the page, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub js_errors: Vec<String>,
    /// Viewport size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewport: Option<Viewport>,
    /// Browser language (`en-GB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The customer's time zone (`Europe/Paris`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Any other state the host page exposes (selected plan, cart size, feature flags...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ui_state: BTreeMap<String, Value>,
}

impl PageContext {
    /// Read the page object the widget sends (`{url, title, referrer, language, context: {...}}`)
    /// leniently. Host keys may be snake_case or camelCase; unknown scalar keys become UI state.
    pub fn from_value(page: &Value) -> Self {
        let host = page.get("context").cloned().unwrap_or(Value::Null);
        // Host-supplied context first, then the top level (the widget's own capture).
        let pick = |keys: &[&str]| text_of(&host, keys).or_else(|| text_of(page, keys));
        let list = |keys: &[&str]| -> Vec<String> {
            let v = keys
                .iter()
                .find_map(|k| host.get(*k).or_else(|| page.get(*k)));
            let items: Vec<String> = match v {
                Some(Value::Array(items)) => items.iter().filter_map(entry_text).collect(),
                Some(v) => entry_text(v).into_iter().collect(),
                None => Vec::new(),
            };
            let skip = items.len().saturating_sub(MAX_LIST);
            items.into_iter().skip(skip).collect()
        };
        const KNOWN: &[&str] = &[
            "url",
            "title",
            "referrer",
            "route_history",
            "routeHistory",
            "product_area",
            "productArea",
            "form_step",
            "formStep",
            "recent_actions",
            "recentActions",
            "js_errors",
            "jsErrors",
            "viewport",
            "language",
            "time_zone",
            "timeZone",
            "ui_state",
            "uiState",
            "context",
        ];
        let mut ui_state = BTreeMap::new();
        let mut absorb = |obj: Option<&Map<String, Value>>, skip_known: bool| {
            for (k, v) in obj.into_iter().flatten() {
                if ui_state.len() >= MAX_KEYS
                    || (skip_known && KNOWN.contains(&k.as_str()))
                    || SECRET_KEYS.contains(&k.as_str())
                {
                    continue;
                }
                let v = match v {
                    Value::String(s) => Value::String(clip(s, MAX_FIELD)),
                    Value::Number(_) | Value::Bool(_) => v.clone(),
                    _ => continue,
                };
                ui_state.insert(clip(k, 60), v);
            }
        };
        absorb(
            host.get("ui_state")
                .or_else(|| host.get("uiState"))
                .and_then(Value::as_object),
            false,
        );
        absorb(host.as_object(), true);
        Self {
            url: pick(&["url"]),
            title: pick(&["title"]),
            referrer: pick(&["referrer"]),
            route_history: list(&["route_history", "routeHistory"]),
            product_area: pick(&["product_area", "productArea"]),
            form_step: pick(&["form_step", "formStep"]),
            recent_actions: list(&["recent_actions", "recentActions"]),
            js_errors: list(&["js_errors", "jsErrors"]),
            viewport: ["viewport"]
                .iter()
                .find_map(|k| host.get(*k).or_else(|| page.get(*k)))
                .and_then(Viewport::from_value),
            language: pick(&["language"]),
            time_zone: pick(&["time_zone", "timeZone"]),
            ui_state,
        }
    }

    /// Title, else URL: what the summary names as the page.
    pub fn label(&self) -> Option<&str> {
        self.title
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(self.url.as_deref())
    }
}

/// One list entry from the host page: a string, or an object such as
/// `{"type": "click", "target": "Upgrade"}` / `{"message": "TypeError: …"}` in words.
fn entry_text(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => {
            let parts: Vec<String> = ["type", "action", "name", "target", "label", "message"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(scalar_text))
                .collect();
            (!parts.is_empty()).then(|| clip(&parts.join(" "), MAX_FIELD))
        }
        other => scalar_text(other),
    }
}

/// One message of the transcript, as it travels in the payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Who wrote it.
    pub author: Author,
    /// Agent display name, for agent messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Plain text.
    pub text: String,
    /// Milliseconds since the Unix epoch.
    pub at: f64,
}

/// The messages of a conversation's event log, in order (status events left out).
pub fn transcript_from_events(events: &[LiveEvent]) -> Vec<TranscriptEntry> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message {
                author, text, name, ..
            } => Some(TranscriptEntry {
                author: *author,
                name: name.clone(),
                text: text.clone(),
                at: e.at,
            }),
            EventBody::Status { .. } => None,
        })
        .collect()
}

#[cfg(feature = "edge")]
pub use payload::*;

#[cfg(feature = "edge")]
mod payload {
    use super::*;
    use crate::config::{FieldMapping, Priority};
    use crate::connector::{self, FieldValue, Requester, Speaker, TicketRequest, TranscriptLine};
    use crate::conversation::{ConversationState, Status};
    use crate::decision::Decision;
    use crate::ids::{Category, ConversationId, QueueId, SiteId, TriggerId};
    use crate::message::topic_label;
    use crate::redact::{redact, Redact};
    use crate::summary::{summary_with_confidence, SummaryInput};

    /// How many of the customer's messages the summary reads for the issue.
    const SUMMARY_MESSAGES: usize = 6;

    /// How the AI fared before the handoff.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
    pub struct AiTally {
        /// Answers given.
        pub answers: u32,
        /// Times it had no good answer (none, or below the confidence floor).
        pub misses: u32,
        /// Its confidence in its last answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_confidence: Option<f32>,
    }

    /// What the host recorded, from which the payload is built.
    #[derive(Clone, Copy, Debug)]
    pub struct ContextInput<'a> {
        /// The conversation.
        pub conversation_id: &'a ConversationId,
        /// The site.
        pub site: &'a SiteId,
        /// The customer's locale.
        pub locale: &'a str,
        /// The state machine's state.
        pub state: &'a ConversationState,
        /// Identity as the host page supplied it (verified or not).
        pub user: &'a Value,
        /// Page object as the widget sent it.
        pub page: &'a Value,
        /// The messages so far.
        pub transcript: &'a [TranscriptEntry],
        /// The AI's latest identified intent.
        pub intent: Option<&'a Category>,
        /// The decision record that escalated (or the latest one).
        pub decision: Option<&'a Decision>,
        /// How the AI fared.
        pub ai: AiTally,
        /// Display name of the queue, once routed.
        pub queue_name: Option<&'a str>,
        /// Ticket reference of an async escalation.
        pub ticket: Option<&'a str>,
        /// When the customer was told to expect an answer, in words.
        pub expected_by: Option<&'a str>,
        /// Link to the conversation in Baton's inbox.
        pub conversation_url: Option<&'a str>,
        /// Redact free text (transcript, summary, page) before it leaves; `None` keeps it.
        pub redact: Option<Redact>,
    }

    /// Everything that travels with a handoff. Free text is already redacted if the site asked.
    /// Identity fields are kept as they are: they link the helpdesk/CRM record.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct ContextPayload {
        /// The conversation.
        pub conversation_id: ConversationId,
        /// The site.
        pub site: SiteId,
        /// The customer's locale.
        pub locale: String,
        /// Where the conversation stands.
        pub status: Status,
        /// The category routing uses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub category: Option<Category>,
        /// The AI's identified intent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub intent: Option<Category>,
        /// The topic as shown to the customer ("your billing question").
        pub topic: String,
        /// The trigger that escalated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trigger: Option<TriggerId>,
        /// Whether it was a hard trigger.
        pub hard: bool,
        /// Customer turn (0-based) at which it escalated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub turn: Option<u32>,
        /// The customer's segment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub segment: Option<String>,
        /// Queue priority.
        pub priority: Priority,
        /// The queue, once routed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub queue: Option<QueueId>,
        /// Its display name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub queue_name: Option<String>,
        /// Ticket reference (async).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ticket: Option<String>,
        /// Expected response time in words (async).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expected_by: Option<String>,
        /// The plain-language handoff summary (≤ 600 characters).
        pub summary: String,
        /// Why it escalated, in words (the decision record explained).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        /// The customer.
        pub customer: Customer,
        /// Where they are in the product.
        pub page: PageContext,
        /// How the AI fared.
        pub ai: AiTally,
        /// The full decision record.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub decision: Option<Decision>,
        /// The full transcript.
        pub transcript: Vec<TranscriptEntry>,
        /// Link to the conversation in Baton's inbox.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub conversation_url: Option<String>,
        /// Whether free text was redacted.
        pub redacted: bool,
    }

    impl ContextPayload {
        /// Build the payload. Pure: the same input always gives the same payload.
        pub fn build(input: &ContextInput<'_>) -> Self {
            let clean = |t: &str| match input.redact {
                Some(what) => redact(t, what),
                None => t.to_owned(),
            };
            let clean_opt = |t: &mut Option<String>| {
                if let Some(s) = t {
                    *s = clean(s);
                }
            };
            let customer = Customer::from_value(input.user);
            let mut page = PageContext::from_value(input.page);
            if input.redact.is_some() {
                for f in [
                    &mut page.url,
                    &mut page.title,
                    &mut page.referrer,
                    &mut page.form_step,
                ] {
                    clean_opt(f);
                }
                for list in [
                    &mut page.route_history,
                    &mut page.recent_actions,
                    &mut page.js_errors,
                ] {
                    for s in list.iter_mut() {
                        *s = clean(s);
                    }
                }
                for v in page.ui_state.values_mut() {
                    if let Value::String(s) = v {
                        *s = clean(s);
                    }
                }
            }
            let transcript: Vec<TranscriptEntry> = input
                .transcript
                .iter()
                .map(|e| TranscriptEntry {
                    text: clean(&e.text),
                    ..e.clone()
                })
                .collect();

            let escalation = input.state.escalation.as_ref();
            let decision = input.decision;
            let category = escalation
                .map(|e| e.category.clone())
                .or_else(|| decision.and_then(|d| d.category.clone()))
                .or_else(|| input.intent.cloned());
            let trigger = escalation
                .map(|e| e.trigger.clone())
                .or_else(|| decision.and_then(|d| d.trigger.clone()));
            let hard = escalation.map_or_else(|| decision.is_some_and(|d| d.hard), |e| e.hard);
            let turn = escalation
                .map(|e| e.turn)
                .or_else(|| decision.filter(|d| d.escalate).map(|d| d.turn));
            let topic = topic_label(category.as_ref().map_or("", Category::as_str));
            let reason = match decision.filter(|d| d.escalate || !d.shadowed.is_empty()) {
                Some(d) => Some(d.explain()),
                None => trigger.as_ref().map(|t| t.as_str().replace('_', " ")),
            };

            let customer_messages: Vec<&str> = transcript
                .iter()
                .filter(|e| e.author == Author::Customer)
                .map(|e| e.text.as_str())
                .take(SUMMARY_MESSAGES)
                .collect();
            let last_ai_answer = transcript
                .iter()
                .rev()
                .find(|e| e.author == Author::Ai)
                .map(|e| e.text.as_str());
            let who = customer.display_name().map(&clean);
            let summary_input = SummaryInput {
                customer: who.as_deref(),
                plan: customer.plan_or_tier(),
                topic: Some(&topic),
                customer_messages: &customer_messages,
                ai_answers: input.ai.answers + input.ai.misses,
                ai_misses: input.ai.misses,
                last_ai_answer,
                reason: reason.as_deref(),
                page: page.label(),
            };
            let summary_text = summary_with_confidence(&summary_input, input.ai.last_confidence);

            Self {
                conversation_id: input.conversation_id.clone(),
                site: input.site.clone(),
                locale: input.locale.to_owned(),
                status: input.state.status,
                category,
                intent: input.intent.cloned(),
                topic,
                trigger,
                hard,
                turn,
                segment: decision.and_then(|d| d.segment.clone()),
                priority: decision.map(|d| d.priority).unwrap_or_default(),
                queue: input.state.queue.clone(),
                queue_name: input.queue_name.map(str::to_owned),
                ticket: input.ticket.map(str::to_owned),
                expected_by: input.expected_by.map(str::to_owned),
                summary: summary_text,
                reason,
                customer,
                page,
                ai: input.ai,
                decision: decision.cloned(),
                transcript,
                conversation_url: input.conversation_url.map(str::to_owned),
                redacted: input.redact.is_some(),
            }
        }

        /// The value of a context field named in the config's `handoff.fields[].source`.
        pub fn field(&self, source: &str) -> Option<Value> {
            let text = |s: Option<&str>| s.map(|s| Value::String(s.to_owned()));
            match source {
                "category" => text(self.category.as_ref().map(Category::as_str)),
                "trigger" => text(self.trigger.as_ref().map(TriggerId::as_str)),
                "segment" => text(self.segment.as_deref()),
                "priority" => text(Some(self.priority.as_str())),
                "page_url" => text(self.page.url.as_deref()),
                "product_area" => text(self.page.product_area.as_deref()),
                "account_id" => text(self.customer.account_id.as_deref()),
                "summary" => text(Some(&self.summary)),
                "plan" => text(self.customer.plan_or_tier()),
                "email" => text(self.customer.email.as_deref()),
                "conversation_url" => text(self.conversation_url.as_deref()),
                "sentiment" => self
                    .decision
                    .as_ref()
                    .and_then(|d| {
                        serde_json::Number::from_f64((d.sentiment * 100.0).round() / 100.0)
                    })
                    .map(Value::Number),
                _ => None,
            }
        }

        /// Labelled context lines for an internal note, most useful first; empty ones left out.
        pub fn labelled(&self) -> Vec<(String, String)> {
            let mut out: Vec<(String, String)> = Vec::new();
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    out.push((k.to_owned(), v));
                }
            };
            let c = &self.customer;
            put("Customer", c.display_name().map(str::to_owned));
            put("Email", c.email.clone());
            put("User id", c.user_id.clone());
            put("Account", c.account_id.clone());
            put("Plan", c.plan_or_tier().map(str::to_owned));
            put("Account value", c.account_value.map(|v| v.to_string()));
            put(
                "Identity",
                Some(
                    if c.verified {
                        "verified"
                    } else {
                        "not verified"
                    }
                    .to_owned(),
                ),
            );
            put("Segment", self.segment.clone());
            put("Priority", Some(self.priority.as_str().to_owned()));
            put("Category", self.category.as_ref().map(Category::to_string));
            put("Intent", self.intent.as_ref().map(Category::to_string));
            put("Trigger", self.trigger.as_ref().map(TriggerId::to_string));
            put("Why", self.reason.clone());
            put(
                "AI",
                Some(match self.ai.last_confidence {
                    Some(conf) => format!(
                        "{} answer(s), {} miss(es), last confidence {conf:.2}",
                        self.ai.answers, self.ai.misses
                    ),
                    None => format!("{} answer(s), {} miss(es)", self.ai.answers, self.ai.misses),
                }),
            );
            put(
                "Queue",
                self.queue_name
                    .clone()
                    .or_else(|| self.queue.as_ref().map(QueueId::to_string)),
            );
            put("Ticket", self.ticket.clone());
            let p = &self.page;
            put("Page", p.url.clone());
            put("Page title", p.title.clone());
            put("Product area", p.product_area.clone());
            put("Form step", p.form_step.clone());
            put(
                "Route history",
                (!p.route_history.is_empty()).then(|| p.route_history.join(" → ")),
            );
            put(
                "Recent actions",
                (!p.recent_actions.is_empty()).then(|| p.recent_actions.join("; ")),
            );
            put(
                "JS errors",
                (!p.js_errors.is_empty()).then(|| p.js_errors.join("; ")),
            );
            put("Referrer", p.referrer.clone());
            put(
                "Viewport",
                p.viewport.map(|v| format!("{}×{}", v.width, v.height)),
            );
            put("Language", p.language.clone());
            put("Time zone", p.time_zone.clone());
            for (k, v) in &p.ui_state {
                put(&format!("UI: {k}"), scalar_text(v));
            }
            for (k, v) in &c.attributes {
                put(&format!("Customer: {k}"), scalar_text(v));
            }
            out
        }

        /// The ticket subject: the category, then the message that escalated (else the first
        /// that says more than hello), clipped to 80 characters.
        pub fn subject(&self) -> String {
            let subject_topic = self.category.as_ref().map_or("question".to_owned(), |c| {
                c.as_str().replace(['_', '-'], " ")
            });
            // The message that escalated, else the first that says more than hello.
            let mut customer = self
                .transcript
                .iter()
                .filter(|e| e.author == Author::Customer);
            let first = self
                .turn
                .and_then(|t| customer.clone().nth(t as usize))
                .or_else(|| customer.find(|e| e.text.split_whitespace().count() > 2))
                .map(|e| clip(&e.text, 80));
            let mut subject = capitalise(&subject_topic);
            if let Some(first) = first {
                subject.push_str(": ");
                subject.push_str(&first);
            }
            subject
        }

        /// The vendor-neutral ticket for the helpdesk connectors, with the site's field mapping
        /// applied (a `tag` target adds the value as a tag instead of a field).
        pub fn ticket_request(&self, mapping: &[FieldMapping], external_id: &str) -> TicketRequest {
            let mut tags: Vec<String> = vec!["baton".into()];
            let mut tag = |s: &str| {
                let t: String = s
                    .trim()
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { '_' })
                    .collect();
                if !t.is_empty() && !tags.contains(&t) {
                    tags.push(t);
                }
            };
            for s in [
                self.category.as_ref().map(Category::as_str),
                self.trigger.as_ref().map(TriggerId::as_str),
                self.segment.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                tag(s);
            }
            let mut fields = Vec::new();
            for m in mapping {
                let Some(value) = self.field(&m.source) else {
                    continue;
                };
                if m.target == "tag" {
                    if let Some(s) = scalar_text(&value) {
                        tag(&s);
                    }
                } else {
                    fields.push(FieldValue {
                        name: m.target.clone(),
                        value,
                    });
                }
            }
            let subject = self.subject();
            TicketRequest {
                external_id: external_id.to_owned(),
                subject,
                summary: self.summary.clone(),
                transcript: self
                    .transcript
                    .iter()
                    .map(|e| TranscriptLine {
                        speaker: match e.author {
                            Author::Customer => Speaker::Customer,
                            Author::Ai => Speaker::Ai,
                            Author::Agent => Speaker::Agent,
                            Author::System => Speaker::System,
                        },
                        text: e.text.clone(),
                    })
                    .collect(),
                context: self.labelled(),
                priority: match self.priority {
                    Priority::Low => connector::Priority::Low,
                    Priority::Normal => connector::Priority::Normal,
                    Priority::High => connector::Priority::High,
                    Priority::Urgent => connector::Priority::Urgent,
                },
                tags,
                fields,
                requester: Requester {
                    email: self.customer.email.clone(),
                    name: self.customer.name.clone(),
                    external_id: self.customer.user_id.clone(),
                },
                conversation_url: self.conversation_url.clone(),
            }
        }
    }

    fn capitalise(s: &str) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identity_is_read_leniently_and_credentials_dropped() {
        let c = Customer::from_value(&json!({
            "user_id": 42, "email": "dana@example.com", "name": "Dana", "plan": "pro",
            "account_value": "12000", "verified": true, "user_hash": "abc", "jwt": "x.y.z",
            "company": "Acme", "nested": {"a": 1}
        }));
        assert_eq!(c.user_id.as_deref(), Some("42"));
        assert_eq!(c.account_value, Some(12000.0));
        assert!(c.verified);
        assert_eq!(c.display_name(), Some("Dana"));
        assert_eq!(c.attributes.len(), 1, "{:?}", c.attributes);
        assert_eq!(c.attributes["company"], "Acme");
        assert_eq!(Customer::from_value(&Value::Null), Customer::default());
    }

    #[test]
    fn page_context_merges_widget_capture_and_host_context() {
        let p = PageContext::from_value(&json!({
            "url": "https://app.example.com/billing/invoices?id=7",
            "title": "Invoices · Acme",
            "referrer": "https://app.example.com/",
            "language": "en-GB",
            "context": {
                "productArea": "billing",
                "routeHistory": ["/dashboard", "/billing", "/billing/invoices"],
                "recentActions": [{"type": "click", "target": "Download PDF"}, "opened invoice 7"],
                "jsErrors": [{"message": "TypeError: x is undefined"}],
                "viewport": "390x844",
                "timeZone": "Europe/Paris",
                "formStep": "refund: reason",
                "cart_items": 3,
                "uiState": {"modal": "refund"},
            }
        }));
        assert_eq!(p.product_area.as_deref(), Some("billing"));
        assert_eq!(p.route_history.len(), 3);
        assert_eq!(
            p.recent_actions,
            vec!["click Download PDF", "opened invoice 7"]
        );
        assert_eq!(p.js_errors, vec!["TypeError: x is undefined"]);
        assert_eq!(
            p.viewport,
            Some(Viewport {
                width: 390,
                height: 844
            })
        );
        assert_eq!(p.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(p.ui_state["cart_items"], 3);
        assert_eq!(p.ui_state["modal"], "refund");
        assert_eq!(p.label(), Some("Invoices · Acme"));
    }

    #[test]
    fn host_lists_keep_the_newest_entries() {
        let routes: Vec<String> = (0..50).map(|i| format!("/p{i}")).collect();
        let p = PageContext::from_value(&json!({"context": {"route_history": routes}}));
        assert_eq!(p.route_history.len(), MAX_LIST);
        assert_eq!(p.route_history.last().map(String::as_str), Some("/p49"));
        let long = "x".repeat(5000);
        let p = PageContext::from_value(&json!({ "url": long }));
        assert_eq!(p.url.unwrap().chars().count(), MAX_FIELD);
    }

    #[cfg(feature = "edge")]
    mod payload {
        use super::super::*;
        use crate::config::{FieldMapping, SiteConfig};
        use crate::conversation::{ConversationState, Escalation, Event};
        use crate::decision::{evaluate, ConversationSignals, TurnInput};
        use crate::redact::Redact;
        use crate::signal::sentiment::sentiment;
        use crate::trigger::HardTriggers;
        use crate::{ConversationId, SiteId};
        use serde_json::json;

        fn entry(author: Author, text: &str, at: f64) -> TranscriptEntry {
            TranscriptEntry {
                author,
                name: None,
                text: text.into(),
                at,
            }
        }

        fn built(redact: Option<Redact>) -> ContextPayload {
            let config = SiteConfig::from_json(
                r#"{"segments": [{"id": "pro", "match": {"plan": ["pro"]}, "priority": "high"}]}"#,
            )
            .unwrap();
            let hard = HardTriggers::from_config(&config.triggers);
            let text = "I was charged twice, card 4242 4242 4242 4242, call me on +44 20 7946 0958";
            let mut signals = ConversationSignals::default();
            signals.observe_customer("where are my invoices?");
            signals.observe_customer(text);
            let user = json!({"email": "dana@example.com", "name": "Dana Whitfield", "plan": "pro",
                "account_id": "acct_9", "user_hash": "secret"});
            let decision = evaluate(&TurnInput {
                config: &config,
                hard: &hard,
                text,
                locale: "en",
                user: &user,
                conversation_id: "c1",
                signals: &signals,
                sentiment: sentiment(text),
                intent: None,
                soft: false,
            });
            let mut state = ConversationState::default();
            state
                .apply(Event::CustomerMessage { escalation: None })
                .unwrap();
            state
                .apply(Event::CustomerMessage {
                    escalation: Some(Escalation {
                        trigger: decision.trigger.clone().unwrap(),
                        category: decision.category.clone().unwrap(),
                        hard: true,
                        turn: decision.turn,
                    }),
                })
                .unwrap();
            let transcript = vec![
                entry(Author::Customer, "where are my invoices?", 1.0),
                entry(Author::Ai, "Settings → Billing → Invoices.", 2.0),
                entry(Author::Customer, text, 3.0),
            ];
            let page = json!({"url": "https://app.example.com/billing?email=dana@example.com",
                "title": "Billing · Acme", "context": {"product_area": "billing"}});
            ContextPayload::build(&ContextInput {
                conversation_id: &ConversationId::from("c1"),
                site: &SiteId::from("acme"),
                locale: "en",
                state: &state,
                user: &user,
                page: &page,
                transcript: &transcript,
                intent: Some(&"billing".into()),
                decision: Some(&decision),
                ai: AiTally {
                    answers: 1,
                    misses: 0,
                    last_confidence: Some(0.82),
                },
                queue_name: None,
                ticket: None,
                expected_by: None,
                conversation_url: Some("https://edge.example/inbox#c1"),
                redact,
            })
        }

        #[test]
        fn payload_carries_decision_identity_page_and_summary() {
            let p = built(None);
            assert_eq!(p.trigger.as_ref().unwrap().as_str(), "billing_dispute");
            assert!(p.hard);
            assert_eq!(p.category.as_ref().unwrap().as_str(), "billing");
            assert_eq!(p.segment.as_deref(), Some("pro"));
            assert_eq!(p.priority, crate::config::Priority::High);
            assert_eq!(p.transcript.len(), 3);
            assert!(p
                .summary
                .starts_with("Dana Whitfield (pro plan) needs help with billing"));
            assert!(p.summary.contains("billing dispute"), "{}", p.summary);
            assert!(p.summary.chars().count() <= crate::summary::MAX_CHARS);
            let v = serde_json::to_value(&p).unwrap();
            assert!(
                !v.to_string().contains("secret"),
                "credentials never travel"
            );
            assert_eq!(v["customer"]["account_id"], "acct_9");
            assert_eq!(v["page"]["product_area"], "billing");
            assert_eq!(v["decision"]["trigger"], "billing_dispute");
            let back: ContextPayload = serde_json::from_value(v).unwrap();
            assert_eq!(back, p);
        }

        #[test]
        fn redaction_covers_free_text_but_keeps_identity() {
            let p = built(Some(Redact::default()));
            let text = &p.transcript[2].text;
            assert!(
                text.contains("[card]") && text.contains("[phone]"),
                "{text}"
            );
            assert!(!p.summary.contains("4242"), "{}", p.summary);
            assert_eq!(
                p.page.url.as_deref(),
                Some("https://app.example.com/billing?email=[email]")
            );
            assert_eq!(p.customer.email.as_deref(), Some("dana@example.com"));
            assert!(p.redacted);
        }

        #[test]
        fn fields_and_ticket_follow_the_mapping() {
            let p = built(None);
            for source in [
                "category",
                "trigger",
                "segment",
                "priority",
                "page_url",
                "product_area",
                "account_id",
                "summary",
                "plan",
                "email",
                "conversation_url",
                "sentiment",
            ] {
                assert!(p.field(source).is_some(), "{source}");
            }
            let mapping = vec![
                FieldMapping {
                    source: "account_id".into(),
                    target: "360001".into(),
                },
                FieldMapping {
                    source: "product_area".into(),
                    target: "tag".into(),
                },
            ];
            let t = p.ticket_request(&mapping, "esc:c1:1");
            assert_eq!(t.external_id, "esc:c1:1");
            assert!(
                t.subject.starts_with("Billing: I was charged twice"),
                "{}",
                t.subject
            );
            assert_eq!(t.fields.len(), 1);
            assert_eq!(t.fields[0].value, "acct_9");
            assert_eq!(t.tags, vec!["baton", "billing", "billing_dispute", "pro"]);
            assert_eq!(t.requester.email.as_deref(), Some("dana@example.com"));
            assert_eq!(t.priority, crate::connector::Priority::High);
            assert!(t
                .context
                .iter()
                .any(|(k, v)| k == "Product area" && v == "billing"));
            assert!(t.note_text().contains("Customer: I was charged twice"));
        }
    }
}
