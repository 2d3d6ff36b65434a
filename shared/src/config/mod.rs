//! The site config: one JSON document per site that marketing and support leads edit.
//! Types with defaults so a minimal document is valid; `validate` lists every mistake at once.

mod sections;
mod validate;

pub use sections::*;
#[cfg(feature = "edge")]
pub(crate) use validate::{parse_date, parse_range};
pub use validate::{validate, validate_value, ConfigIssue};

use crate::ids::Category;
use crate::trigger::TriggerConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole site config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Config version; set by the edge on every accepted change (ignored on input).
    pub version: u32,
    /// Who the site is and where it runs.
    pub site: SiteSection,
    /// Look and words of the widget.
    pub widget: WidgetSection,
    /// Whether the host page must prove who the customer is.
    pub identity: IdentitySection,
    /// The AI responder that answers before a human takes over.
    pub ai: AiSection,
    /// Customer segments: matched on identity attributes, they set priority and the soft threshold.
    pub segments: Vec<Segment>,
    /// Escalation triggers: hard phrases and soft-signal weights.
    pub triggers: TriggerConfig,
    /// Human queues, which category goes where, business hours.
    pub routing: RoutingSection,
    /// Where escalations go: helpdesk connector, field mapping, notifications, CRM.
    pub handoff: HandoffSection,
    /// Customer-facing templates per locale.
    pub messages: BTreeMap<String, MessageTemplates>,
    /// Controlled rollout and shadow triggers.
    pub rollout: RolloutSection,
}

/// Why a config document was refused: every problem, each with where and how to fix it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the config has {} problem(s):\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError(pub Vec<ConfigIssue>);

impl SiteConfig {
    /// Parse and validate a config document.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        validate(text).map_err(ConfigError)
    }

    /// Templates for a locale, falling back to the site locale, then to the built-in English.
    pub fn templates(&self, locale: &str) -> MessageTemplates {
        let lang = locale.split(['-', '_']).next().unwrap_or(locale);
        self.messages
            .get(locale)
            .or_else(|| self.messages.get(lang))
            .or_else(|| self.messages.get(&self.site.locale))
            .cloned()
            .unwrap_or_default()
    }

    /// The queue an escalation category is routed to (the default queue for unlisted ones).
    pub fn queue_for(&self, category: &Category) -> Option<&QueueConfig> {
        let id = self
            .routing
            .categories
            .get(category)
            .unwrap_or(&self.routing.default_queue);
        self.queue(id.as_str())
    }

    /// A queue by id.
    pub fn queue(&self, id: &str) -> Option<&QueueConfig> {
        self.routing.queues.iter().find(|q| q.id.as_str() == id)
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

    #[test]
    fn templates_fall_back_by_language_then_site_locale() {
        let c = SiteConfig::from_json(
            r#"{"messages": {"de": {"no_answer": "Keine Antwort"}, "en": {"no_answer": "No answer"}}}"#,
        )
        .unwrap();
        assert_eq!(c.templates("de-AT").no_answer, "Keine Antwort");
        assert_eq!(c.templates("fr").no_answer, "No answer");
    }
}
