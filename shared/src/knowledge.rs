//! The embedded AI responder's brain: BM25 retrieval over the config's FAQ entries, with the
//! share of the question's information the best entry covers as confidence.

use crate::config::{AiSection, FaqEntry};
use crate::ids::Category;

/// What the responder said, and how sure it is.
#[derive(Clone, Debug, PartialEq)]
pub struct AiAnswer {
    /// Text for the customer; `None` when the responder has no good answer.
    pub text: Option<String>,
    /// Retrieval or model confidence in [0, 1].
    pub confidence: f32,
    /// The intent/category the responder identified, if any.
    pub intent: Option<Category>,
    /// The responder says the customer's problem is solved (progress for the soft triggers).
    pub resolved: bool,
}

impl AiAnswer {
    /// No answer at all: nothing to say, no confidence (a failed attempt for the soft triggers).
    pub fn none() -> Self {
        Self {
            text: None,
            confidence: 0.0,
            intent: None,
            resolved: false,
        }
    }

    /// Below the site's confidence floor the text is withheld: the customer hears that the AI
    /// is not sure instead of a guess. The one place this rule lives, for every responder.
    pub fn floored(mut self, floor: f32) -> Self {
        if self.confidence < floor {
            self.text = None;
            self.resolved = false;
        }
        self
    }
}

const K1: f32 = 1.2;
const B: f32 = 0.75;

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "i", "me", "my", "you", "your", "we", "our", "is", "are", "am", "be", "do",
    "does", "to", "of", "in", "on", "for", "and", "or", "it", "can", "how", "what", "where",
    "when", "there", "this", "that", "with", "have", "has", "please", "hi", "hello", "hey",
    "would", "like", "want", "need", "get", "any", "about", "at", "so", "if", "just",
];

fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// A light plural/suffix fold so "invoices" finds "invoice".
fn stem(w: &str) -> String {
    for suffix in ["ies", "es", "s"] {
        if let Some(base) = w.strip_suffix(suffix) {
            if base.len() >= 3 {
                return if suffix == "ies" {
                    format!("{base}y")
                } else {
                    base.to_owned()
                };
            }
        }
    }
    w.to_owned()
}

fn document(entry: &FaqEntry) -> Vec<String> {
    let mut doc = terms(&entry.question);
    // Keywords are the site owner's explicit hints: count them twice.
    for k in &entry.keywords {
        let t = terms(k);
        doc.extend(t.iter().cloned());
        doc.extend(t);
    }
    doc.extend(terms(&entry.answer));
    doc
}

/// Answer `question` from the FAQ, or say nothing when confidence is below the floor.
pub fn answer(ai: &AiSection, question: &str) -> AiAnswer {
    let query = terms(question);
    let docs: Vec<Vec<String>> = ai.faq.iter().map(document).collect();
    if query.is_empty() || docs.is_empty() {
        return AiAnswer::none();
    }
    let n = docs.len() as f32;
    let avg_len = docs.iter().map(Vec::len).sum::<usize>() as f32 / n;
    let idf = |t: &str| {
        let df = docs.iter().filter(|d| d.iter().any(|w| w == t)).count() as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    };
    // The most a query term can be worth: a term no entry contains.
    let unseen_idf = ((n + 0.5) / 0.5 + 1.0).ln();
    let query_weight: f32 = query
        .iter()
        .map(|t| {
            let i = idf(t);
            if docs.iter().any(|d| d.contains(t)) {
                i
            } else {
                unseen_idf
            }
        })
        .sum();

    let mut best: Option<(usize, f32, f32)> = None;
    for (i, doc) in docs.iter().enumerate() {
        let mut score = 0.0;
        let mut covered = 0.0;
        for t in &query {
            let tf = doc.iter().filter(|w| *w == t).count() as f32;
            if tf > 0.0 {
                let w = idf(t);
                covered += w;
                score +=
                    w * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * doc.len() as f32 / avg_len));
            }
        }
        if score > 0.0 && best.is_none_or(|(_, s, _)| score > s) {
            best = Some((i, score, covered));
        }
    }
    match best {
        Some((i, _, covered)) => {
            let confidence = (covered / query_weight).clamp(0.0, 1.0);
            let entry = &ai.faq[i];
            AiAnswer {
                text: Some(entry.answer.clone()),
                confidence,
                intent: entry.category.clone(),
                resolved: false,
            }
            .floored(ai.confidence_floor)
        }
        None => AiAnswer::none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> AiSection {
        let entry = |id: &str, q: &str, a: &str, k: &[&str]| FaqEntry {
            id: id.into(),
            question: q.into(),
            answer: a.into(),
            keywords: k.iter().map(|s| s.to_string()).collect(),
            category: Some(Category::from(id)),
        };
        AiSection {
            faq: vec![
                entry(
                    "sales",
                    "How much does the Pro plan cost?",
                    "Pro is $29.",
                    &["price", "pricing"],
                ),
                entry(
                    "billing",
                    "Where are my invoices?",
                    "Settings, Billing.",
                    &["invoice", "receipt"],
                ),
                entry(
                    "account",
                    "How do I add seats?",
                    "Settings, Team.",
                    &["seat", "team"],
                ),
            ],
            ..AiSection::default()
        }
    }

    #[test]
    fn finds_the_entry_that_covers_the_question() {
        let a = answer(&faq(), "What is the pricing of the Pro plan?");
        assert_eq!(a.text.as_deref(), Some("Pro is $29."));
        assert_eq!(a.intent, Some(Category::from("sales")));
        assert!(a.confidence > 0.5, "{}", a.confidence);
    }

    #[test]
    fn plural_finds_singular_keyword() {
        let a = answer(&faq(), "download receipts");
        assert_eq!(a.intent, Some(Category::from("billing")));
    }

    #[test]
    fn the_floor_withholds_text_but_keeps_confidence_and_intent() {
        let sure = AiAnswer {
            text: Some("yes".into()),
            confidence: 0.6,
            intent: Some(Category::from("sales")),
            resolved: true,
        };
        assert_eq!(sure.clone().floored(0.6), sure, "at the floor is enough");
        let unsure = sure.floored(0.61);
        assert_eq!(unsure.text, None);
        assert!(!unsure.resolved, "an answer not given solves nothing");
        assert_eq!(unsure.confidence, 0.6);
        assert_eq!(unsure.intent, Some(Category::from("sales")));
    }

    #[test]
    fn unrelated_question_gets_no_answer() {
        let a = answer(&faq(), "Is the weather nice in Lisbon tomorrow?");
        assert_eq!(a.text, None);
        assert!(a.confidence < 0.3, "{}", a.confidence);
    }
}
