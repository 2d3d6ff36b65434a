//! Hard triggers: intents that hand the conversation to a human with no further AI attempt.
//! Rules over concept lexicons, with negation, necessity questions and conditions held back.

use crate::ids::{Category, TriggerId};
use crate::signal::lexicon::{self, Concepts, Lexicon};
use crate::signal::normalize::normalize;
#[cfg(any(not(feature = "edge"), test))]
use crate::signal::normalize::{normalize_into, Words};
use crate::trigger::{HardTriggerConfig, TriggerConfig};
use serde::{Deserialize, Serialize};
#[cfg(any(not(feature = "edge"), test))]
use std::cell::RefCell;

/// A hard trigger that fired, with the words that fired it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardHit {
    /// Which trigger (`human_request`, `billing_dispute`, `legal_compliance`, `cancellation`, or a site's own).
    pub trigger: TriggerId,
    /// The escalation category the trigger routes under.
    pub category: Category,
    /// The normalised words that matched.
    pub phrase: String,
    /// Evaluate and record only: do not act.
    #[serde(default)]
    pub shadow: bool,
}

/// The built-in hard triggers, most specific first: when several fire, the first one names
/// the escalation (a refund request that also asks for a person goes to billing).
pub const BUILT_IN: &[(&str, &str)] = &[
    ("legal_compliance", "legal"),
    ("billing_dispute", "billing"),
    ("cancellation", "account"),
    ("human_request", "general"),
];

/// Words between a negator and the intent that keep the negation on the intent
/// ("do not really want to talk" is negated; "not helpful, I want" is not).
const FILLERS: &[&str] = &[
    "to",
    "a",
    "an",
    "the",
    "any",
    "really",
    "even",
    "ever",
    "actually",
    "going",
    "plan",
    "planning",
    "intend",
    "intending",
    "try",
    "trying",
    "need",
    "want",
    "wish",
    "have",
    "like",
    "bother",
    "my",
    "me",
    "for",
    "more",
    "quiero",
    "voy",
    "mi",
    "la",
    "el",
    "necesito",
    "deseo",
    "tengo",
    "que",
    "de",
];

/// Everything the rules need about one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok<'a> {
    pub(crate) word: &'a str,
    pub(crate) concepts: Concepts,
    /// Index of the clause the word belongs to.
    pub(crate) clause: u16,
}

fn has(t: &Tok<'_>, c: Concepts) -> bool {
    t.concepts & c != 0
}

/// Is the intent word at `at` negated ("I don't want to talk to anyone")?
/// Inability ("I can't reach anyone") and negated knowing ("I don't know how to reach
/// someone") are not refusals.
fn negated(clause: &[Tok<'_>], at: usize) -> bool {
    let from = at.saturating_sub(5);
    for j in (from..at).rev() {
        if !has(&clause[j], lexicon::NEGATOR) {
            continue;
        }
        if j > 0 && has(&clause[j - 1], lexicon::ABILITY) && !has(&clause[j - 1], lexicon::AUX) {
            return false; // "can not", "am not able to": inability
        }
        if clause[j].word == "no" && clause.get(j + 1).is_some_and(|t| t.word == "one") {
            return false; // "no one answers"
        }
        return clause[j + 1..at].iter().all(|t| FILLERS.contains(&t.word));
    }
    false
}

/// A yes/no question about necessity or advice ("do I need to talk to someone?",
/// "should I contact support?"): asking whether, not asking for.
fn necessity_question(clause: &[Tok<'_>], at: usize) -> bool {
    let Some(first) = clause.first() else {
        return false;
    };
    if !has(first, lexicon::AUX) || first.word == "could" {
        return false;
    }
    let subject = clause.get(1).is_some_and(|t| matches!(t.word, "i" | "we"));
    if !subject {
        return false;
    }
    if matches!(first.word, "should" | "must" | "shall") {
        return at <= 4;
    }
    // "... need to [really] talk": necessity right before the intent.
    (2..at).any(|k| {
        has(&clause[k], lexicon::NECESSITY)
            && clause.get(k + 1).is_some_and(|t| t.word == "to")
            && at <= k + 3
    })
}

/// A condition before the intent ("if I cancel my plan, ..."), except "if possible".
fn conditional(clause: &[Tok<'_>], at: usize) -> bool {
    clause[..at].iter().enumerate().any(|(i, t)| {
        has(t, lexicon::CONDITIONAL)
            && !clause
                .get(i + 1)
                .is_some_and(|n| matches!(n.word, "possible" | "so" | "that"))
    })
}

fn blocked(clause: &[Tok<'_>], at: usize) -> bool {
    negated(clause, at) || conditional(clause, at)
}

/// Find a token with `c` within `window` tokens after `at` (exclusive).
fn after(clause: &[Tok<'_>], at: usize, window: usize, c: Concepts) -> Option<usize> {
    (at + 1..clause.len().min(at + 1 + window)).find(|&k| has(&clause[k], c))
}

fn phrase(clause: &[Tok<'_>], a: usize, b: usize) -> String {
    let (a, b) = (a.min(b), a.max(b));
    clause[a..=b]
        .iter()
        .map(|t| t.word)
        .collect::<Vec<_>>()
        .join(" ")
}

fn human_request(clause: &[Tok<'_>], all_short: bool) -> Option<String> {
    for (i, t) in clause.iter().enumerate() {
        // "talk to a real person", "contact a live agent", "speak with customer service".
        if has(t, lexicon::CONTACT) {
            let target = after(clause, i, 5, lexicon::HUMAN | lexicon::SERVICE);
            if let Some(k) = target {
                let service_ok = has(&clause[k], lexicon::HUMAN)
                    || clause[i + 1..k].iter().any(|t| has(t, lexicon::CUSTOMER))
                    || clause
                        .get(k + 1)
                        .is_some_and(|t| matches!(t.word, "team" | "agent" | "staff"))
                    || (k == i + 1
                        || clause[i + 1..k]
                            .iter()
                            .all(|t| FILLERS.contains(&t.word) || has(t, lexicon::LINK)));
                let to_bot = clause[i..k].iter().any(|t| has(t, lexicon::BOT));
                if service_ok && !to_bot && !blocked(clause, i) && !necessity_question(clause, i) {
                    return Some(phrase(clause, i, k));
                }
            }
        }
        // "I want a human", "get me an agent", "need someone".
        if has(t, lexicon::DESIRE) {
            if let Some(k) = after(clause, i, 3, lexicon::HUMAN) {
                let between_ok = clause[i + 1..k].iter().all(|t| {
                    matches!(
                        t.word,
                        "a" | "an"
                            | "the"
                            | "me"
                            | "to"
                            | "some"
                            | "real"
                            | "live"
                            | "actual"
                            | "us"
                            | "your"
                            | "one"
                            | "of"
                            | "with"
                    )
                });
                if between_ok && !blocked(clause, i) && !necessity_question(clause, i) {
                    return Some(phrase(clause, i, k));
                }
            }
        }
        // "a real person", "live agent", "human agent": unambiguous wherever they appear.
        if has(t, lexicon::REAL) || t.word == "human" {
            if let Some(k) = after(clause, i, 1, lexicon::HUMAN) {
                if !blocked(clause, i) && !necessity_question(clause, i) {
                    return Some(phrase(clause, i, k));
                }
            }
        }
        // A bare "agent please" / "human!" / "representative".
        if all_short
            && has(t, lexicon::HUMAN)
            && !matches!(t.word, "someone" | "somebody" | "anyone" | "anybody")
            && !blocked(clause, i)
        {
            return Some(t.word.to_owned());
        }
    }
    None
}

fn billing_dispute(clause: &[Tok<'_>]) -> Option<String> {
    for (i, t) in clause.iter().enumerate() {
        if has(t, lexicon::REFUND) {
            let about_policy = after(clause, i, 2, lexicon::POLICY).is_some();
            if !about_policy && !blocked(clause, i) {
                return Some(t.word.to_owned());
            }
        }
        // "money back"
        if t.word == "money"
            && clause.get(i + 1).is_some_and(|n| n.word == "back")
            && !blocked(clause, i)
        {
            return Some("money back".into());
        }
        if has(t, lexicon::PAYMENT) {
            // "charged twice", "payment failed", "problem with my invoice", "unauthorized charge".
            let lo = i.saturating_sub(4);
            let hi = (i + 5).min(clause.len());
            let problem = (lo..hi).find(|&k| {
                k != i
                    && has(&clause[k], lexicon::PROBLEM)
                    && !(clause[k].word == "double"
                        && clause.get(k + 1).is_some_and(|n| n.word == "check"))
                    && !has(&clause[k], lexicon::PAYMENT)
            });
            if let Some(k) = problem {
                let anchor = i.min(k);
                if !blocked(clause, anchor) {
                    return Some(phrase(clause, i, k));
                }
            }
            // "I can't pay", "unable to make a payment".
            let unable = clause[lo..i]
                .windows(2)
                .any(|w| (w[0].word == "can" || w[0].word == "could") && w[1].word == "not")
                || clause[lo..i].iter().any(|t| t.word == "unable");
            if unable && matches!(t.word, "pay" | "payment" | "payments" | "paying") {
                return Some(phrase(clause, lo, i));
            }
        }
    }
    None
}

fn cancellation(clause: &[Tok<'_>], account_mentioned: bool) -> Option<String> {
    if clause.iter().any(|t| has(t, lexicon::MAILING)) {
        return None; // unsubscribing from emails is routine
    }
    for (i, t) in clause.iter().enumerate() {
        if !has(t, lexicon::CANCEL) {
            continue;
        }
        // "I no longer use my account, help me close it": the account was named earlier.
        let pronoun = clause[i + 1..clause.len().min(i + 3)]
            .iter()
            .any(|n| matches!(n.word, "it" | "this" | "them"));
        if pronoun && account_mentioned && !blocked(clause, i) {
            return Some(phrase(clause, i, (i + 1).min(clause.len() - 1)));
        }
        let lo = i.saturating_sub(3);
        let hi = (i + 6).min(clause.len());
        let target = (lo..hi).find(|&k| {
            k != i && has(&clause[k], lexicon::ACCOUNT) && !has(&clause[k], lexicon::CANCEL)
        });
        let Some(k) = target else { continue };
        if k > i {
            // "delete the card from my account": the account is where, not what.
            let located = clause[i + 1..k].iter().any(|t| has(t, lexicon::LOCATION));
            let other_object = clause[i + 1..k].iter().any(|t| has(t, lexicon::ORDER));
            if located || other_object {
                continue;
            }
        }
        if !blocked(clause, i.min(k)) {
            return Some(phrase(clause, i, k));
        }
    }
    None
}

fn legal(clause: &[Tok<'_>]) -> Option<String> {
    for (i, t) in clause.iter().enumerate() {
        // "sue" needs someone to sue ("I'll sue you"); alone it is usually a typo of "use".
        let sue = has(t, lexicon::SUE)
            && clause[i + 1..clause.len().min(i + 3)].iter().any(|n| {
                matches!(
                    n.word,
                    "you" | "your" | "them" | "company" | "business" | "everyone"
                )
            });
        if (has(t, lexicon::LEGAL) || sue) && !blocked(clause, i) {
            return Some(t.word.to_owned());
        }
        // "take you to court" is covered by "court"; "report you to the regulator" by "regulator".
    }
    None
}

/// Words that do not count toward a message being "short".
const SHORT_IGNORED: &[&str] = &[
    "a", "an", "the", "please", "now", "i", "me", "a", "want", "need", "get", "talk", "to",
    "speak", "with", "live", "real", "just",
];

#[cfg(any(not(feature = "edge"), test))]
thread_local! {
    /// The normalised words of the text being checked, reused from text to text.
    static WORDS: RefCell<Words> = RefCell::new(Words::default());
}

/// The words of `text` with concepts and clauses, handed to `f`: normalised and tagged afresh.
#[cfg(any(not(feature = "edge"), test))]
fn plain_tokens<R>(
    text: &str,
    lex: &Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    WORDS.with(|words| match words.try_borrow_mut() {
        Ok(mut words) => plain_in(text, lex, &mut words, need, f),
        Err(_) => plain_in(text, lex, &mut Words::default(), need, f),
    })
}

#[cfg(any(not(feature = "edge"), test))]
fn plain_in<R>(
    text: &str,
    lex: &Lexicon,
    words: &mut Words,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    normalize_into(text, words);
    let mut toks = Vec::with_capacity(words.len() + 2);
    let mut present = Present::default();
    lex.tag(words, |word, concepts, clause| {
        present.add(word, concepts);
        toks.push(Tok {
            word,
            concepts,
            clause,
        })
    });
    need(&present).then(|| f(&toks, &present))
}

/// The words of `text` with concepts and clauses, handed to `f` if `need` says what they
/// hold is worth it. Edge builds, which check many texts, remember what each distinct token
/// gave, in the memo sentiment reads from too ([`crate::signal::reading`]); the widget reads
/// every text afresh.
fn tokens<R>(
    text: &str,
    lex: &'static Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    #[cfg(feature = "edge")]
    return crate::signal::reading::with_tokens(text, lex, need, f);
    #[cfg(not(feature = "edge"))]
    plain_tokens(text, lex, need, f)
}

/// What a text holds, for skipping the rules that cannot fire on it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Present {
    /// Every concept of every word.
    pub(crate) concepts: Concepts,
    /// The word "money" ("money back").
    pub(crate) money: bool,
    /// The word "human".
    pub(crate) human: bool,
}

impl Present {
    pub(crate) fn add(&mut self, word: &str, concepts: Concepts) {
        self.concepts |= concepts;
        self.money |= word == "money";
        self.human |= word == "human";
    }
}

/// Concepts one of the built-in rules needs to fire at all.
#[cfg(not(feature = "edge"))]
const ANCHORS: Concepts = lexicon::LEGAL
    | lexicon::SUE
    | lexicon::REFUND
    | lexicon::PAYMENT
    | lexicon::CANCEL
    | lexicon::CONTACT
    | lexicon::DESIRE
    | lexicon::REAL
    | lexicon::HUMAN;

/// Whether a built-in rule can fire on a text holding `present`, more exactly than by one of
/// the words each needs (edge builds, which check many texts: most texts are then never laid out for the
/// rules). Each rule needs, at the least (see the rules): a legal word or "sue"; a refund word,
/// "money", or a payment word with a problem or an (in)ability ("can not pay", "unable to
/// pay"); a cancel word and an account word; a person, or a contact word and a service word
/// (every way to ask for a human ends on one of these).
#[cfg(feature = "edge")]
fn builtin_may_fire(present: &Present) -> bool {
    let any = |c: Concepts| present.concepts & c != 0;
    any(lexicon::LEGAL | lexicon::SUE | lexicon::REFUND | lexicon::HUMAN)
        || present.money
        || (any(lexicon::PAYMENT) && any(lexicon::PROBLEM | lexicon::ABILITY))
        || (any(lexicon::CANCEL) && any(lexicon::ACCOUNT))
        || (any(lexicon::CONTACT) && any(lexicon::SERVICE))
}

/// Evaluates hard triggers: the built-in rules plus a site's own phrases and overrides.
#[derive(Clone, Debug, Default)]
pub struct HardTriggers {
    overrides: Vec<Override>,
    /// Some override has phrases of its own.
    phrases: bool,
}

/// A site's setting for one trigger, with its phrases normalised once.
#[derive(Clone, Debug)]
struct Override {
    config: HardTriggerConfig,
    /// Per locale key, each phrase's words (phrases with no words left out).
    phrases: Vec<(String, Vec<Vec<String>>)>,
}

impl std::ops::Deref for Override {
    type Target = HardTriggerConfig;

    fn deref(&self) -> &HardTriggerConfig {
        &self.config
    }
}

impl HardTriggers {
    /// The built-in triggers, unchanged.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// Built-ins adjusted by a site's `triggers.hard` (disable, shadow, recategorise, add phrases,
    /// add new triggers).
    pub fn from_config(config: &TriggerConfig) -> Self {
        let compile = |config: &HardTriggerConfig| Override {
            config: config.clone(),
            phrases: config
                .phrases
                .iter()
                .map(|(locale, phrases)| {
                    let words = phrases
                        .iter()
                        .map(|p| normalize(p).into_iter().map(|t| t.word).collect::<Vec<_>>())
                        .filter(|w| !w.is_empty())
                        .collect();
                    (locale.clone(), words)
                })
                .collect(),
        };
        let overrides: Vec<Override> = config.hard.iter().map(compile).collect();
        let phrases = overrides
            .iter()
            .any(|o| o.phrases.iter().any(|(_, p)| !p.is_empty()));
        Self { overrides, phrases }
    }

    fn setting(&self, id: &str) -> Option<&Override> {
        self.overrides.iter().find(|o| o.id.as_str() == id)
    }

    /// Every hard trigger the text fires, most specific first.
    pub fn detect_all(&self, text: &str, locale: &str) -> Vec<HardHit> {
        tokens(
            text,
            lexicon::for_locale(locale),
            |present| self.may_fire(present),
            |toks, present| self.detect_in(toks, present, locale),
        )
        .unwrap_or_default()
    }

    /// Whether any trigger can fire on a text holding `present`: a built-in rule needs one of
    /// its words, a site phrase needs there to be phrases.
    fn may_fire(&self, present: &Present) -> bool {
        #[cfg(feature = "edge")]
        return self.phrases || builtin_may_fire(present);
        #[cfg(not(feature = "edge"))]
        {
            self.phrases || present.concepts & ANCHORS != 0 || present.money || present.human
        }
    }

    fn detect_in(&self, toks: &[Tok<'_>], present: &Present, locale: &str) -> Vec<HardHit> {
        let text = Facts::of(toks, present);
        let mut hits = Vec::new();
        for (id, category) in BUILT_IN {
            let setting = self.setting(id);
            if setting.is_some_and(|s| !s.enabled) {
                continue;
            }
            let found = builtin_rule(id, toks, &text)
                .or_else(|| setting.and_then(|s| site_phrase(s, toks, locale)));
            if let Some(phrase) = found {
                hits.push(HardHit {
                    trigger: TriggerId::from(*id),
                    category: setting
                        .and_then(|s| s.category.clone())
                        .unwrap_or_else(|| Category::from(*category)),
                    phrase,
                    shadow: setting.is_some_and(|s| s.shadow),
                });
            }
        }
        // A site's own triggers, after the built-ins.
        for custom in self
            .overrides
            .iter()
            .filter(|o| o.enabled && !BUILT_IN.iter().any(|(id, _)| *id == o.id.as_str()))
        {
            if let Some(phrase) = site_phrase(custom, toks, locale) {
                hits.push(HardHit {
                    trigger: custom.config.id.clone(),
                    category: custom
                        .category
                        .clone()
                        .unwrap_or_else(|| Category::from("general")),
                    phrase,
                    shadow: custom.shadow,
                });
            }
        }
        hits
    }

    /// The trigger that decides, if any: the most specific that is not in shadow mode.
    pub fn detect(&self, text: &str, locale: &str) -> Option<HardHit> {
        self.detect_all(text, locale)
            .into_iter()
            .find(|h| !h.shadow)
    }
}

/// What the built-in rules look at besides the tokens: the text's concepts and shape.
struct Facts<'p> {
    present: &'p Present,
    /// At most five words, two of them not fillers.
    short: bool,
    /// An account is mentioned, not a mailing list.
    account_mentioned: bool,
}

impl<'p> Facts<'p> {
    fn of(toks: &[Tok<'_>], present: &'p Present) -> Self {
        let short = toks.len() <= 5
            && toks
                .iter()
                .filter(|t| !SHORT_IGNORED.contains(&t.word))
                .count()
                <= 2;
        let account_mentioned =
            present.concepts & lexicon::ACCOUNT != 0 && present.concepts & lexicon::MAILING == 0;
        Self {
            present,
            short,
            account_mentioned,
        }
    }
}

/// The phrase the built-in rule `id` fires on, if it does.
fn builtin_rule(id: &str, toks: &[Tok<'_>], text: &Facts<'_>) -> Option<String> {
    let present = text.present;
    let any = |c: Concepts| present.concepts & c != 0;
    // Runs of tokens in one clause.
    let clauses = || toks.chunk_by(|a, b| a.clause == b.clause);
    // Each rule needs one of these words to fire at all.
    match id {
        "legal_compliance" if any(lexicon::LEGAL | lexicon::SUE) => clauses().find_map(legal),
        "billing_dispute" if any(lexicon::REFUND | lexicon::PAYMENT) || present.money => {
            clauses().find_map(billing_dispute)
        }
        "cancellation" if any(lexicon::CANCEL) => {
            clauses().find_map(|c| cancellation(c, text.account_mentioned))
        }
        "human_request"
            if any(lexicon::CONTACT | lexicon::DESIRE | lexicon::REAL | lexicon::HUMAN)
                || present.human =>
        {
            clauses().find_map(|c| human_request(c, text.short))
        }
        _ => None,
    }
}

/// Whether a built-in hard trigger fires on `text`, with no site settings: the same answer as
/// `detect_hard(text, locale).is_some()`, without the code for site phrases and overrides (the
/// widget's instant feedback needs only this).
pub fn fires_builtin(text: &str, locale: &str) -> bool {
    tokens(
        text,
        lexicon::for_locale(locale),
        |present| HardTriggers::builtin().may_fire(present),
        |toks, present| {
            let text = Facts::of(toks, present);
            BUILT_IN
                .iter()
                .any(|(id, _)| builtin_rule(id, toks, &text).is_some())
        },
    )
    .unwrap_or(false)
}

/// A site phrase, matched as a run of normalised words, not negated or conditional.
fn site_phrase(setting: &Override, toks: &[Tok<'_>], locale: &str) -> Option<String> {
    let lang = locale.split(['-', '_']).next().unwrap_or(locale);
    let phrases = setting
        .phrases
        .iter()
        .filter(|(l, _)| l.as_str() == lang || l.as_str() == locale || l.as_str() == "*")
        .flat_map(|(_, p)| p.iter());
    for words in phrases {
        for clause in toks.chunk_by(|a, b| a.clause == b.clause) {
            if clause.len() < words.len() {
                continue;
            }
            for start in 0..=clause.len() - words.len() {
                if clause[start..start + words.len()]
                    .iter()
                    .zip(words)
                    .all(|(t, w)| t.word == w)
                    && !blocked(clause, start)
                {
                    return Some(words.join(" "));
                }
            }
        }
    }
    None
}

/// The first hard trigger the text fires with the built-in rules, if any. The widget calls this
/// for instant feedback; the worker calls the same rules authoritatively.
pub fn detect_hard(text: &str, locale: &str) -> Option<HardHit> {
    HardTriggers::builtin().detect(text, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fired(text: &str) -> Option<String> {
        detect_hard(text, "en").map(|h| h.trigger.to_string())
    }

    #[test]
    fn human_requests() {
        for text in [
            "I want to talk to a real person",
            "let me talk to someone",
            "put me through to a real person",
            "can I speak to a human?",
            "agent please",
            "representative",
            "get me a human",
            "I need to chat with an operator",
            "how do I contact a live agent",
            "I don't know how I can speak to a live agent",
            "what do I need to do to contact someone?",
            "you are not helpful, I want help to speak to an operator",
            "i need assistance speakign to a human agent",
            "I can't reach anyone, connect me to customer service",
            "I'd rather talk to a human",
        ] {
            assert_eq!(fired(text).as_deref(), Some("human_request"), "{text}");
        }
    }

    #[test]
    fn not_human_requests() {
        for text in [
            "do I need to talk to someone?",
            "I don't want to talk to anyone, just tell me the price",
            "should I contact support about this?",
            "if I need to talk to someone later, how?",
            "I need my team members to have access",
            "edit my personal information",
            "the agent was very helpful, thanks",
            "How much is the Pro plan?",
        ] {
            assert_eq!(fired(text), None, "{text}");
        }
    }

    #[test]
    fn billing_disputes() {
        for text in [
            "I was charged twice",
            "I want a refund",
            "i paid $1200 for this article i wana receive a rebate",
            "my card was declined",
            "there is an unauthorized charge on my statement",
            "I can't pay",
            "reporting payment issues",
            "I want my money back",
        ] {
            assert_eq!(fired(text).as_deref(), Some("billing_dispute"), "{text}");
        }
        for text in [
            "what payment methods do you accept?",
            "when is my bill due date?",
            "what is your refund policy?",
            "I don't want a refund, just the invoice",
            "can you double check my invoice address",
        ] {
            assert_eq!(fired(text), None, "{text}");
        }
    }

    #[test]
    fn cancellations() {
        for text in [
            "close my account",
            "I want to cancel my subscription",
            "help me delete my premium account",
            "how can I get information about a standard account removal?",
            "I can't cancel my membership",
        ] {
            assert_eq!(fired(text).as_deref(), Some("cancellation"), "{text}");
        }
        for text in [
            "I don't want to cancel my subscription",
            "cancel that",
            "unsubscribe me from the newsletter",
            "remove the old card from my account",
            "what happens if I cancel my plan?",
            "cancel order 1234",
        ] {
            assert_eq!(fired(text), None, "{text}");
        }
    }

    #[test]
    fn legal_language() {
        assert_eq!(
            fired("I will talk to my lawyer").as_deref(),
            Some("legal_compliance")
        );
        assert_eq!(
            fired("This is a GDPR request for my data").as_deref(),
            Some("legal_compliance")
        );
        assert_eq!(
            fired("I'm going to sue you").as_deref(),
            Some("legal_compliance")
        );
    }

    #[test]
    fn most_specific_trigger_names_the_escalation() {
        let hits =
            HardTriggers::builtin().detect_all("I want a refund, let me talk to a person", "en");
        assert_eq!(hits[0].trigger.as_str(), "billing_dispute");
        assert!(hits.iter().any(|h| h.trigger.as_str() == "human_request"));
    }

    /// Edge builds remember tokens; what they read must be what reading afresh gives.
    #[cfg(feature = "edge")]
    fn same_tokens(text: &str, locale: &str) {
        let lex = lexicon::for_locale(locale);
        let owned = |toks: &[Tok<'_>]| -> Vec<(String, Concepts, u16)> {
            toks.iter()
                .map(|t| (t.word.to_owned(), t.concepts, t.clause))
                .collect()
        };
        let owned = |toks: &[Tok<'_>], p: &Present| (owned(toks), format!("{p:?}"));
        let plain = plain_tokens(text, lex, |_| true, owned);
        // Twice: once read, once remembered.
        for _ in 0..2 {
            let cached = crate::signal::reading::with_tokens(text, lex, |_| true, owned);
            assert_eq!(cached, plain, "{text:?}");
        }
    }

    #[cfg(feature = "edge")]
    #[test]
    fn remembered_tokens_read_as_fresh_ones() {
        for text in [
            "",
            "  \n\n ",
            "I want a refund, but\nlet me talk to a person!!",
            "Hello.\nBut however: DON'T tosomebody myaccount can't-pay (refund)",
            "caf\u{e9} \u{130}stanbul \u{a0}agent\u{2019}s \u{2028}refund`s",
            "pleeease heeelp, the company's fault... sooo",
            "averyveryverylongtokenthatisnotremembered and another.one;two:three",
            "\n but \n but\n.",
            "refund,refund;agent.human!talk-to:someone,please(now) refund,refund;agent.human!talk-to:someone,please(now)",
            "but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,but,human",
        ] {
            same_tokens(text, "en");
            same_tokens(text, "es");
        }
    }

    #[cfg(feature = "edge")]
    proptest::proptest! {
        #[test]
        fn remembered_tokens_read_as_fresh_ones_anywhere(
            text in "([a-zA-Z']{1,7}|but|don't|refund|agent|[ .,;:!?()\n\t`-]|\u{e9}|\u{130}|\u{a0}|\u{2019}){0,30}"
        ) {
            same_tokens(&text, "en");
        }
    }

    /// Whatever a built-in rule fires on, `builtin_may_fire` lets through.
    #[cfg(feature = "edge")]
    fn may_fire_when_a_rule_fires(text: &str, locale: &str) {
        let lex = lexicon::for_locale(locale);
        let (fires, may) = plain_tokens(
            text,
            lex,
            |_| true,
            |toks, present| {
                let facts = Facts::of(toks, present);
                let fires = BUILT_IN
                    .iter()
                    .any(|(id, _)| builtin_rule(id, toks, &facts).is_some());
                (fires, builtin_may_fire(present))
            },
        )
        .unwrap_or_default();
        assert!(may || !fires, "{text:?}");
    }

    #[cfg(feature = "edge")]
    #[test]
    fn the_edge_prefilter_lets_through_every_text_that_fires() {
        for text in [
            "I want to talk to a real person",
            "talk to customer service",
            "connect me with support",
            "agent please",
            "get me a human now",
            "I want my money back",
            "I was charged twice",
            "I can't pay",
            "I could not pay the bill",
            "unable to make a payment",
            "my card was declined",
            "close my account",
            "I no longer use my account, help me close it",
            "I'm going to sue you",
            "my lawyer",
            "quiero hablar con una persona",
            "quiero cancelar mi cuenta",
        ] {
            may_fire_when_a_rule_fires(text, "en");
            may_fire_when_a_rule_fires(text, "es");
        }
    }

    #[cfg(feature = "edge")]
    proptest::proptest! {
        #[test]
        fn the_edge_prefilter_lets_through_every_text_that_fires_anywhere(
            text in "([a-zA-Z']{1,7}|talk|speak|contact|person|human|agent|someone|support|service|customer|live|real|want|need|get|refund|money|back|charged|pay|card|twice|declined|problem|failed|wrong|bill|invoice|cancel|close|delete|account|it|subscription|lawyer|sue|you|not|don't|can't|can|could|unable|[ .,;:!?\n]){0,25}",
            locale in "en|es",
        ) {
            may_fire_when_a_rule_fires(&text, &locale);
        }
    }

    #[test]
    fn fires_builtin_answers_as_detect_hard_does() {
        let texts = [
            ("I want to talk to a real person", "en", true),
            ("I was charged twice, I want a refund", "en", true),
            ("please cancel my account", "en", true),
            ("my lawyer will hear about this", "en", true),
            (
                "I don't want to talk to anyone, just tell me the price",
                "en",
                false,
            ),
            ("unsubscribe me from the newsletter", "en", false),
            ("how do I reset my password?", "en", false),
            ("", "en", false),
            ("Quiero hablar con una persona", "es", true),
            ("no quiero cancelar mi cuenta", "es", false),
        ];
        for (text, locale, fires) in texts {
            assert_eq!(detect_hard(text, locale).is_some(), fires, "{text}");
            assert_eq!(fires_builtin(text, locale), fires, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fires_builtin_is_detect_hard_is_some(
            text in "([a-zA-Z']{1,7}|talk|person|agent|refund|charged|cancel|account|lawyer|not|don't|[ .,;:!?\n]){0,25}",
            locale in "en|es",
        ) {
            proptest::prop_assert_eq!(
                fires_builtin(&text, &locale),
                detect_hard(&text, &locale).is_some()
            );
        }
    }

    #[test]
    fn spanish_starter_lexicon() {
        let hit = |t: &str| detect_hard(t, "es").map(|h| h.trigger.to_string());
        assert_eq!(
            hit("Quiero hablar con una persona").as_deref(),
            Some("human_request")
        );
        assert_eq!(
            hit("quiero un reembolso").as_deref(),
            Some("billing_dispute")
        );
        assert_eq!(
            hit("quiero cancelar mi suscripción").as_deref(),
            Some("cancellation")
        );
        assert_eq!(hit("no quiero cancelar mi cuenta"), None);
    }
}
