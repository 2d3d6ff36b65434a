//! The config's sections as types. Every struct takes defaults for missing keys and refuses
//! unknown ones; enums are lower snake case on the wire.

use crate::ids::{Category, QueueId, SiteId, TriggerId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `site`: identity, origins, time zone and default locale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SiteSection {
    /// The site id used in the script tag's `data-site` (letters, digits, `-`, `_`).
    pub id: SiteId,
    /// Display name shown to customers and agents.
    pub name: String,
    /// Origins allowed to embed the widget (`https://example.com`); empty allows any.
    pub allowed_origins: Vec<String>,
    /// IANA time zone of the support team (`Europe/London`): business hours are read in it.
    pub time_zone: String,
    /// Default locale of customer-facing text (`en`, `es`, `pt-BR`).
    pub locale: String,
}

impl Default for SiteSection {
    fn default() -> Self {
        Self {
            id: SiteId::from("default"),
            name: "Support".into(),
            allowed_origins: Vec::new(),
            time_zone: "UTC".into(),
            locale: "en".into(),
        }
    }
}

/// Where the launcher sits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Bottom right corner.
    #[default]
    BottomRight,
    /// Bottom left corner.
    BottomLeft,
}

/// `widget`: theme, position and words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct WidgetSection {
    /// Title of the chat panel.
    pub title: String,
    /// Text on the launcher button.
    pub launcher_label: String,
    /// First message the AI shows.
    pub greeting: String,
    /// Accent colour, `#rgb` or `#rrggbb`.
    pub accent_color: String,
    /// `bottom-right` or `bottom-left`.
    pub position: Position,
    /// Interface strings per locale, overriding the built-in ones (`{"es": {"send": "Enviar"}}`).
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    /// What page-aware context the widget captures and sends with the conversation.
    pub context: ContextCapture,
}

/// `widget.context`: one switch per source of page context, plus what never leaves the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ContextCapture {
    /// Page URL, title and referrer.
    pub page: bool,
    /// Single-page-app navigation (pushState, replaceState, popstate): the last few routes.
    pub route_history: bool,
    /// `data-baton-*` attributes and `<meta name="baton:…">` tags the site sets.
    pub attributes: bool,
    /// The active step of a form or flow (`aria-current="step"`).
    pub form_step: bool,
    /// Labels of the last few buttons and links clicked (never what was typed).
    pub clicks: bool,
    /// Uncaught JavaScript errors on the page (off unless the site opts in).
    pub js_errors: bool,
    /// Viewport size, browser language and time zone.
    pub device: bool,
    /// CSS selectors whose elements are never read (`.account-number`, `#ssn`).
    pub deny_selectors: Vec<String>,
    /// Mask anything that looks like an email address, card number or phone number.
    pub mask_pii: bool,
}

impl Default for ContextCapture {
    fn default() -> Self {
        Self {
            page: true,
            route_history: true,
            attributes: true,
            form_step: true,
            clicks: true,
            js_errors: false,
            device: true,
            deny_selectors: Vec::new(),
            mask_pii: true,
        }
    }
}

impl Default for WidgetSection {
    fn default() -> Self {
        Self {
            title: "Chat with us".into(),
            launcher_label: "Chat".into(),
            greeting: "Hi! Ask me anything. A human is one message away.".into(),
            accent_color: "#4f46e5".into(),
            position: Position::BottomRight,
            strings: BTreeMap::new(),
            context: ContextCapture::default(),
        }
    }
}

/// `identity`: proof of who the customer is, from the host site's server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct IdentitySection {
    /// Refuse conversations whose `user` has no valid `user_hash` or `jwt`.
    pub require_verification: bool,
}

/// Which AI answers first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AiProvider {
    /// Built in: retrieval over `ai.faq`, no network.
    #[default]
    KnowledgeBase,
    /// Any OpenAI-compatible chat completions endpoint (`ai.openai`).
    OpenaiCompatible,
    /// The site's own bot, called by webhook (`ai.webhook`).
    Webhook,
}

/// `ai`: which responder answers and what it knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AiSection {
    /// `knowledge_base` (embedded default), `openai_compatible` or `webhook`.
    pub provider: AiProvider,
    /// Below this confidence (0..1) the AI says it does not know and the answer counts as failed.
    pub confidence_floor: f32,
    /// FAQ entries the knowledge-base responder answers from (and models get as context).
    pub faq: Vec<FaqEntry>,
    /// Settings of the `openai_compatible` provider.
    pub openai: Option<OpenAiSettings>,
    /// Settings of the `webhook` provider.
    pub webhook: Option<EndpointSettings>,
}

impl Default for AiSection {
    fn default() -> Self {
        Self {
            provider: AiProvider::KnowledgeBase,
            confidence_floor: 0.35,
            faq: Vec::new(),
            openai: None,
            webhook: None,
        }
    }
}

/// One question and its answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FaqEntry {
    /// Stable id for metrics.
    pub id: String,
    /// The question as a customer would ask it.
    pub question: String,
    /// The answer the AI gives.
    pub answer: String,
    /// Extra words that should find this entry.
    pub keywords: Vec<String>,
    /// The intent/category this entry belongs to.
    pub category: Option<Category>,
}

/// An OpenAI-compatible endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OpenAiSettings {
    /// Base URL up to `/v1` (`https://api.openai.com/v1`).
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Name of the Worker secret holding the API key (never the key itself).
    pub api_key_secret: String,
    /// Give up on an answer after this long (ms); the customer gets the no-answer message.
    pub timeout_ms: u32,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: String::new(),
            model: String::new(),
            api_key_secret: "OPENAI_API_KEY".into(),
            timeout_ms: 8000,
        }
    }
}

/// An HTTPS endpoint Baton calls, signed with a secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EndpointSettings {
    /// The URL.
    pub url: String,
    /// Name of the Worker secret used to sign requests (Standard Webhooks `whsec_…`). The AI
    /// bot's (`ai.webhook`) may be empty: its requests then go unsigned.
    pub secret_name: String,
    /// Per-request timeout (ms).
    pub timeout_ms: u32,
}

impl Default for EndpointSettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            secret_name: "WEBHOOK_SECRET".into(),
            timeout_ms: 8000,
        }
    }
}

/// How urgent an escalation is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Ahead of normal.
    High,
    /// Ahead of everything (enterprise outages, legal).
    Urgent,
}

impl Priority {
    /// Queue order: higher goes first.
    pub fn rank(self) -> i32 {
        match self {
            Self::Low => 0,
            Self::Normal => 1,
            Self::High => 2,
            Self::Urgent => 3,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

/// A customer segment: the first whose `match` fits the customer's identity applies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Segment {
    /// Segment id (`enterprise`, `free`).
    pub id: String,
    /// Conditions on identity attributes; all given ones must hold.
    #[serde(rename = "match")]
    pub matches: SegmentMatch,
    /// Queue priority of this segment's escalations.
    pub priority: Priority,
    /// Soft-trigger threshold for this segment (lower escalates sooner); default: `triggers.soft.threshold`.
    pub threshold: Option<f32>,
}

/// Conditions a segment puts on identity attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SegmentMatch {
    /// The customer's `plan` is one of these (case-insensitive).
    pub plan: Vec<String>,
    /// The customer's `tier` is one of these.
    pub tier: Vec<String>,
    /// `account_value` is at least this.
    pub min_account_value: Option<f64>,
    /// The identity was verified (`true`) or not (`false`).
    pub verified: Option<bool>,
}

/// What happens to a category's escalation when nobody can take it now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutOfHours {
    /// Stay in the queue with a visible estimate until the team is back.
    QueueWithEstimate,
    /// Offer a call back at the next opening.
    Callback,
    /// Create a ticket; the customer gets a reference and a concrete answer time by email.
    #[default]
    AsyncTicket,
}

/// A human queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Queue id referenced by `routing.categories`.
    pub id: QueueId,
    /// Name customers and agents see ("billing team").
    pub name: String,
    /// Skills an agent needs to take from this queue.
    pub skills: Vec<String>,
    /// Most conversations waiting before new ones overflow (none: no limit).
    pub capacity: Option<u32>,
    /// Queue that takes escalations when this one is at capacity.
    pub overflow: Option<QueueId>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            id: QueueId::from("support"),
            name: "support team".into(),
            skills: Vec::new(),
            capacity: None,
            overflow: None,
        }
    }
}

/// Opening hours on one weekday, as `"09:00-17:30"` ranges in the site's time zone.
pub type DayHours = Vec<String>;

/// `routing`: queues, category → queue, business hours, SLAs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSection {
    /// Human queues.
    pub queues: Vec<QueueConfig>,
    /// Which queue each escalation category goes to.
    pub categories: BTreeMap<Category, QueueId>,
    /// Queue for categories not listed.
    pub default_queue: QueueId,
    /// Opening hours per weekday (`mon` … `sun`); a day not listed is closed. Empty: always open.
    pub hours: BTreeMap<String, DayHours>,
    /// Closed dates (`2026-12-25`).
    pub holidays: Vec<String>,
    /// What to do out of hours, per category (default `async_ticket`).
    pub out_of_hours: BTreeMap<Category, OutOfHours>,
    /// Minutes within which an escalation must reach an agent (or be answered, out of hours), per priority.
    pub sla_minutes: BTreeMap<Priority, u32>,
}

impl Default for RoutingSection {
    fn default() -> Self {
        Self {
            queues: vec![QueueConfig::default()],
            categories: BTreeMap::new(),
            default_queue: QueueId::from("support"),
            hours: BTreeMap::new(),
            holidays: Vec::new(),
            out_of_hours: BTreeMap::new(),
            sla_minutes: BTreeMap::new(),
        }
    }
}

/// Which helpdesk receives escalations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Connector {
    /// Baton's own inbox (always receives every escalation too).
    #[default]
    Builtin,
    /// Zendesk Support.
    Zendesk,
    /// Freshdesk.
    Freshdesk,
    /// Intercom.
    Intercom,
    /// A signed webhook (Standard Webhooks) to any URL.
    Webhook,
}

/// A helpdesk account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct HelpdeskSettings {
    /// API base URL (`https://acme.zendesk.com`, `https://acme.freshdesk.com`, `https://api.intercom.io`).
    pub base_url: String,
    /// Name of the Worker secret with the API token.
    pub token_secret: String,
    /// Zendesk: the agent email the token belongs to (`email/token` auth).
    pub email: Option<String>,
    /// Name of the Worker secret that signs or authenticates inbound webhooks.
    pub webhook_secret: Option<String>,
    /// Intercom: team id per queue (`{"billing": "123"}`).
    pub teams: BTreeMap<QueueId, String>,
    /// Intercom: the id of the admin (teammate) Baton writes notes and assignments as.
    pub admin_id: Option<String>,
    /// Freshdesk: a `cf_` text field that receives Baton's escalation key.
    pub escalation_field: Option<String>,
    /// Freshdesk: the ticket `type`, when the account requires one.
    pub ticket_type: Option<String>,
    /// The account's published API limit per minute, when the plan allows more than the lowest
    /// one (Baton uses at most 80 % of it).
    pub rate_limit_per_minute: Option<u32>,
}

/// Where one context field lands in the helpdesk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FieldMapping {
    /// Context field: `category`, `trigger`, `segment`, `priority`, `page_url`, `product_area`, `account_id`, `summary`, `plan`.
    pub source: String,
    /// Helpdesk field: a Zendesk custom field id, a Freshdesk `cf_…` name, an Intercom attribute, or `tag`.
    pub target: String,
}

/// A notification channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Slack `chat.postMessage`.
    #[default]
    Slack,
    /// Linear `issueCreate`.
    Linear,
}

/// What a notification rule fires on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotifyEvent {
    /// A conversation was escalated and routed to a queue.
    Escalated,
    /// Delivering an escalation to the helpdesk failed for the whole retry schedule (about
    /// four days) or was refused outright: the escalation waits in the built-in inbox. A rule
    /// with this event is the site's alert channel.
    DeliveryFailed,
}

/// Notify a channel when an escalation matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NotificationRule {
    /// `slack` or `linear`.
    pub channel: Channel,
    /// Slack channel id or Linear team id.
    pub target: String,
    /// Name of the Worker secret with the token.
    pub token_secret: String,
    /// Only escalations at or above this priority.
    pub min_priority: Option<Priority>,
    /// Only these categories (empty: any; for `linear`, empty means `bug` only, so a Linear
    /// rule files issues for bug reports unless it names other categories).
    pub categories: Vec<Category>,
    /// Only these segments (empty: any).
    pub segments: Vec<String>,
    /// What the rule fires on: `escalated`, `delivery_failed` (empty: `escalated` only).
    pub events: Vec<NotifyEvent>,
    /// API base URL (empty: `https://slack.com` or `https://api.linear.app`).
    pub base_url: String,
    /// Linear: label ids put on every issue.
    pub label_ids: Vec<String>,
}

impl NotificationRule {
    /// Whether the rule fires on `event` for an escalation with this priority, category and
    /// segment.
    pub fn matches(
        &self,
        event: NotifyEvent,
        priority: Priority,
        category: Option<&Category>,
        segment: Option<&str>,
    ) -> bool {
        let fires_on = if self.events.is_empty() {
            event == NotifyEvent::Escalated
        } else {
            self.events.contains(&event)
        };
        let category_ok = if self.categories.is_empty() {
            self.channel != Channel::Linear || category.is_some_and(|c| c.as_str() == "bug")
        } else {
            category.is_some_and(|c| self.categories.contains(c))
        };
        let segment_ok = self.segments.is_empty()
            || segment.is_some_and(|s| self.segments.iter().any(|x| x == s));
        fires_on && category_ok && segment_ok && self.min_priority.is_none_or(|min| priority >= min)
    }

    /// The API base URL, the vendor's own unless the config names another.
    pub fn api_base(&self) -> &str {
        match (self.base_url.trim(), self.channel) {
            ("", Channel::Slack) => "https://slack.com",
            ("", Channel::Linear) => "https://api.linear.app",
            (url, _) => url,
        }
    }
}

/// CRM logging.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CrmSettings {
    /// HubSpot API base URL (`https://api.hubapi.com`).
    pub base_url: String,
    /// Name of the Worker secret with the private-app token.
    pub token_secret: String,
}

impl CrmSettings {
    /// The API base URL, HubSpot's own unless the config names another.
    pub fn api_base(&self) -> &str {
        match self.base_url.trim() {
            "" => "https://api.hubapi.com",
            url => url,
        }
    }
}

/// `handoff`: where escalations go and what travels with them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct HandoffSection {
    /// `builtin` (default), `zendesk`, `freshdesk`, `intercom` or `webhook`.
    pub connector: Connector,
    /// Zendesk account, when `connector` is `zendesk`.
    pub zendesk: Option<HelpdeskSettings>,
    /// Freshdesk account.
    pub freshdesk: Option<HelpdeskSettings>,
    /// Intercom workspace.
    pub intercom: Option<HelpdeskSettings>,
    /// Outbound signed webhook.
    pub webhook: Option<EndpointSettings>,
    /// Context fields into helpdesk fields.
    pub fields: Vec<FieldMapping>,
    /// Slack/Linear notifications.
    pub notifications: Vec<NotificationRule>,
    /// HubSpot CRM logging of handoff events.
    pub crm: Option<CrmSettings>,
    /// Remove card numbers, emails and phone numbers from text sent to helpdesks.
    pub redact_pii: bool,
}

/// Customer-facing templates; placeholders `{topic}`, `{wait}`, `{agent}`, `{ticket}`, `{queue}`,
/// `{time}`, `{position}`, `{contact}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MessageTemplates {
    /// Shown when the conversation is handed to a human.
    pub transition: String,
    /// The `{wait}` part while queued (`{position}`, `{time}` = minutes).
    pub wait: String,
    /// Shown when an agent joins.
    pub agent_joined: String,
    /// Shown when the conversation is resolved.
    pub resolved: String,
    /// Said by the AI when it has no good answer.
    pub no_answer: String,
    /// Said instead of an answer when the AI provider failed (timeout, error, unreadable answer).
    pub ai_unavailable: String,
    /// Shown when an agent moves the conversation to another queue (`{queue}` = the new one).
    pub transferred: String,
    /// Out of hours with a ticket (`{ticket}`, `{time}` = when to expect an answer).
    pub out_of_hours: String,
    /// Out of hours with a call back (`{time}`).
    pub callback: String,
    /// Nobody took the conversation within the priority's `routing.sla_minutes`: it became a
    /// ticket (`{ticket}`, `{time}` = when to expect an answer).
    pub queue_timeout: String,
    /// The agent's inbox went quiet (closed, lost connection) while they had the conversation:
    /// it is back in the queue (`{agent}`, `{queue}`).
    pub agent_away: String,
    /// Asked after a callback is promised, until the customer leaves a phone number.
    pub ask_phone: String,
    /// Asked after an email answer is promised when the customer's email is not known.
    pub ask_email: String,
    /// Said when the customer left a phone number or email (`{contact}`).
    pub contact_saved: String,
}

impl Default for MessageTemplates {
    fn default() -> Self {
        Self {
            transition: "I'm connecting you with our {queue} about {topic}. {wait} They'll see this whole conversation, so you won't need to repeat yourself.".into(),
            wait: "You're number {position} in line; expected wait about {time} minutes.".into(),
            agent_joined: "{agent} has joined the conversation.".into(),
            resolved: "This conversation has been marked as resolved.".into(),
            no_answer: "I'm not sure about that one. You can rephrase, or ask for a person and I'll bring one in.".into(),
            ai_unavailable: "Sorry, I couldn't get an answer just now. You can try again, or ask for a person and I'll bring one in.".into(),
            transferred: "I've passed this conversation to our {queue}. They'll see everything so far, so you won't need to repeat yourself.".into(),
            out_of_hours: "Our {queue} is offline right now. I've created ticket {ticket} about {topic} with this whole conversation; you'll get an answer by email {time}.".into(),
            callback: "Our {queue} is offline right now. Leave a number and we'll call you back {time} about {topic}.".into(),
            queue_timeout: "Sorry for the wait: nobody from our {queue} is free right now. I've created ticket {ticket} about {topic} with this whole conversation; you'll get an answer by email {time}.".into(),
            agent_away: "{agent} had to step away. You're back in line for our {queue}, and whoever picks this up sees the whole conversation.".into(),
            ask_phone: "Which number should we call? Please include the country code.".into(),
            ask_email: "Which email address should we answer you at?".into(),
            contact_saved: "Thanks, we'll reach you at {contact}.".into(),
        }
    }
}

/// `rollout`: act on a share of conversations; shadow triggers record without acting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RolloutSection {
    /// Percentage of conversations (0–100, chosen by conversation id) where escalation acts.
    pub percent: u8,
    /// Trigger ids evaluated and recorded but never acted on.
    pub shadow_triggers: Vec<TriggerId>,
}

impl Default for RolloutSection {
    fn default() -> Self {
        Self {
            percent: 100,
            shadow_triggers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(channel: Channel) -> NotificationRule {
        NotificationRule {
            channel,
            target: "C1".into(),
            token_secret: "T".into(),
            ..NotificationRule::default()
        }
    }

    #[test]
    fn notification_rules_match_by_event_priority_category_and_segment() {
        let billing = Category::from("billing");
        let bug = Category::from("bug");
        let slack = rule(Channel::Slack);
        assert!(slack.matches(NotifyEvent::Escalated, Priority::Low, None, None));
        assert!(!slack.matches(NotifyEvent::DeliveryFailed, Priority::Low, None, None));
        let high = NotificationRule {
            min_priority: Some(Priority::High),
            segments: vec!["enterprise".into()],
            ..rule(Channel::Slack)
        };
        assert!(high.matches(
            NotifyEvent::Escalated,
            Priority::Urgent,
            Some(&billing),
            Some("enterprise")
        ));
        assert!(!high.matches(
            NotifyEvent::Escalated,
            Priority::Normal,
            Some(&billing),
            Some("enterprise")
        ));
        assert!(!high.matches(
            NotifyEvent::Escalated,
            Priority::High,
            Some(&billing),
            Some("free")
        ));
        assert!(!high.matches(NotifyEvent::Escalated, Priority::High, Some(&billing), None));
        // A Linear rule without categories files bugs only.
        let linear = rule(Channel::Linear);
        assert!(linear.matches(NotifyEvent::Escalated, Priority::Normal, Some(&bug), None));
        assert!(!linear.matches(
            NotifyEvent::Escalated,
            Priority::Normal,
            Some(&billing),
            None
        ));
        let alert = NotificationRule {
            events: vec![NotifyEvent::DeliveryFailed],
            ..rule(Channel::Slack)
        };
        assert!(alert.matches(NotifyEvent::DeliveryFailed, Priority::Low, None, None));
        assert!(!alert.matches(NotifyEvent::Escalated, Priority::Low, None, None));
        assert_eq!(slack.api_base(), "https://slack.com");
        assert_eq!(linear.api_base(), "https://api.linear.app");
        let faked = NotificationRule {
            base_url: "http://127.0.0.1:9".into(),
            ..rule(Channel::Slack)
        };
        assert_eq!(faked.api_base(), "http://127.0.0.1:9");
    }
}
