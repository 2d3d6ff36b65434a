//! Hard triggers: phrases that hand the conversation to a human with no further AI attempt.
//! The widget calls this for instant feedback; the worker calls it authoritatively.

use crate::ids::{Category, TriggerId};
use serde::{Deserialize, Serialize};

/// A hard trigger that fired, with the phrase that fired it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardHit {
    /// Which trigger (`human_request`, `billing_dispute`, `legal_compliance`, `cancellation`).
    pub trigger: TriggerId,
    /// The escalation category the trigger routes under.
    pub category: Category,
    /// The phrase, as normalised, that matched.
    pub phrase: String,
}

struct Family {
    trigger: &'static str,
    category: &'static str,
    phrases: &'static [&'static str],
}

const ENGLISH: &[Family] = &[
    Family {
        trigger: "human_request",
        category: "general",
        phrases: &[
            "talk to a real person",
            "talk to a person",
            "talk to a human",
            "speak to a human",
            "speak to a person",
            "speak to someone",
            "talk to someone",
            "real person",
            "human agent",
            "live agent",
            "customer service representative",
        ],
    },
    Family {
        trigger: "billing_dispute",
        category: "billing",
        phrases: &["charged twice", "double charged", "refund", "dispute"],
    },
    Family {
        trigger: "legal_compliance",
        category: "legal",
        phrases: &["lawyer", "gdpr", "legal action", "sue you"],
    },
    Family {
        trigger: "cancellation",
        category: "account",
        phrases: &[
            "cancel my subscription",
            "close my account",
            "delete my account",
        ],
    },
];

/// Lower-case, fold punctuation to spaces and collapse whitespace.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == '\u{2019}' { '\'' } else { c };
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if !last_space {
        out.push(' ');
    }
    out
}

const NEGATORS: &[&str] = &[" don't ", " do not ", " not ", " never ", " no "];

/// The first hard trigger the text fires, if any.
pub fn detect_hard(text: &str, _locale: &str) -> Option<HardHit> {
    let norm = normalise(text);
    for family in ENGLISH {
        for phrase in family.phrases {
            let needle = format!(" {phrase} ");
            if let Some(at) = norm.find(&needle) {
                let before = &norm[..at + 1];
                let window_start = before.len().saturating_sub(24);
                let window = &before[before.floor_char_boundary_compat(window_start)..];
                if NEGATORS.iter().any(|n| window.contains(n)) {
                    continue;
                }
                return Some(HardHit {
                    trigger: TriggerId::from(family.trigger),
                    category: Category::from(family.category),
                    phrase: (*phrase).to_owned(),
                });
            }
        }
    }
    None
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_request_for_a_person_fires_human_request() {
        let hit = detect_hard("I want to talk to a real person!", "en").unwrap();
        assert_eq!(hit.trigger.as_str(), "human_request");
    }

    #[test]
    fn negated_request_does_not_fire() {
        assert_eq!(
            detect_hard("I don't want to cancel my subscription", "en"),
            None
        );
    }

    #[test]
    fn routine_question_does_not_fire() {
        assert_eq!(detect_hard("How much is the Pro plan?", "en"), None);
    }
}
