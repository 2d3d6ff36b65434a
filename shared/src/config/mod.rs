//! The site config: one JSON document per site that marketing and support leads edit.
//! Types with defaults so a minimal document is valid; parsing refuses unknown keys.

use crate::ids::{Category, QueueId, SiteId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole site config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Config version, bumped by the edge on every accepted change.
    pub version: u32,
    /// Who the site is and where it runs.
    pub site: SiteSection,
    /// Look and words of the widget.
    pub widget: WidgetSection,
    /// The AI responder that answers before a human takes over.
    pub ai: AiSection,
    /// Escalation triggers: hard phrases and soft-signal weights.
    pub triggers: crate::trigger::TriggerConfig,
    /// Human queues and which category goes where.
    pub routing: RoutingSection,
    /// Customer-facing templates per locale.
    pub messages: BTreeMap<String, MessageTemplates>,
}

/// `site`: identity, origins, time zone and default locale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSection {
    /// The site id used in the script tag's `data-site`.
    pub id: SiteId,
    /// Display name shown to customers and agents.
    pub name: String,
    /// Origins allowed to embed the widget (`https://example.com`); empty allows any.
    pub allowed_origins: Vec<String>,
    /// IANA time zone for business hours.
    pub time_zone: String,
    /// Default locale of customer-facing text.
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

/// `widget`: theme and launcher words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WidgetSection {
    /// Title of the chat panel.
    pub title: String,
    /// Text on the launcher button.
    pub launcher_label: String,
    /// First message the AI shows.
    pub greeting: String,
    /// Accent colour (CSS hex).
    pub accent_color: String,
    /// `bottom-right` or `bottom-left`.
    pub position: String,
}

impl Default for WidgetSection {
    fn default() -> Self {
        Self {
            title: "Chat with us".into(),
            launcher_label: "Chat".into(),
            greeting: "Hi! Ask me anything. A human is one message away.".into(),
            accent_color: "#4f46e5".into(),
            position: "bottom-right".into(),
        }
    }
}

/// `ai`: which responder answers and what it knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSection {
    /// `knowledge_base` (embedded default).
    pub provider: String,
    /// Below this retrieval confidence the AI says it does not know.
    pub confidence_floor: f32,
    /// FAQ entries the knowledge-base responder answers from.
    pub faq: Vec<FaqEntry>,
}

impl Default for AiSection {
    fn default() -> Self {
        Self {
            provider: "knowledge_base".into(),
            confidence_floor: 0.35,
            faq: Vec::new(),
        }
    }
}

/// One question and its answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// `routing`: queues and the category → queue map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSection {
    /// Human queues.
    pub queues: Vec<QueueConfig>,
    /// Which queue each escalation category goes to.
    pub categories: BTreeMap<Category, QueueId>,
    /// Queue for categories not listed.
    pub default_queue: QueueId,
}

impl Default for RoutingSection {
    fn default() -> Self {
        Self {
            queues: vec![QueueConfig::default()],
            categories: BTreeMap::new(),
            default_queue: QueueId::from("support"),
        }
    }
}

/// A human queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Queue id referenced by `routing.categories`.
    pub id: QueueId,
    /// Name customers and agents see ("Billing team").
    pub name: String,
    /// Skills an agent needs to take from this queue.
    pub skills: Vec<String>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            id: QueueId::from("support"),
            name: "Support team".into(),
            skills: Vec::new(),
        }
    }
}

/// Customer-facing templates; placeholders `{topic}`, `{wait}`, `{agent}`, `{ticket}`, `{queue}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageTemplates {
    /// Shown when the conversation is handed to a human.
    pub transition: String,
    /// Shown when an agent joins.
    pub agent_joined: String,
    /// Shown when the conversation is resolved.
    pub resolved: String,
    /// Said by the AI when it has no good answer.
    pub no_answer: String,
}

impl Default for MessageTemplates {
    fn default() -> Self {
        Self {
            transition: "I'm connecting you with our {queue} about {topic}. {wait} They'll see this whole conversation, so you won't need to repeat yourself.".into(),
            agent_joined: "{agent} has joined the conversation.".into(),
            resolved: "This conversation has been marked as resolved.".into(),
            no_answer: "I'm not sure about that one. You can rephrase, or ask for a person and I'll bring one in.".into(),
        }
    }
}

/// Why a config document was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The document is not valid JSON or does not match the types.
    #[error("{path}: {message}")]
    Parse {
        /// JSON path of the problem, as far as the parser knows it.
        path: String,
        /// What the parser said.
        message: String,
    },
}

impl SiteConfig {
    /// Parse a config document.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|e| ConfigError::Parse {
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })
    }

    /// Templates for a locale, falling back to the site locale, then to the built-in English.
    pub fn templates(&self, locale: &str) -> MessageTemplates {
        self.messages
            .get(locale)
            .or_else(|| self.messages.get(&self.site.locale))
            .cloned()
            .unwrap_or_default()
    }

    /// The queue an escalation category is routed to.
    pub fn queue_for(&self, category: &Category) -> Option<&QueueConfig> {
        let id = self
            .routing
            .categories
            .get(category)
            .unwrap_or(&self.routing.default_queue);
        self.routing.queues.iter().find(|q| &q.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_document_is_a_valid_config() {
        let c = SiteConfig::from_json("{}").unwrap();
        assert_eq!(c.routing.default_queue.as_str(), "support");
        assert!(c.queue_for(&Category::from("anything")).is_some());
    }

    #[test]
    fn unknown_key_is_refused() {
        let err = SiteConfig::from_json(r#"{"widget": {"colour": "red"}}"#).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
