//! Concept lexicons per locale: which words mean "talk to", "a person", "refund", "account",
//! "cancel", negation, and so on. Triggers are rules over these concepts, not phrase lists.

mod en;
mod es;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A small, fast, non-cryptographic hasher for short words (the Fx/rustc hash).
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A hash map keyed by words, with [`WordHasher`].
pub type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// A word split in two, if it splits.
type Split = Option<(String, String)>;

/// Most words remembered per thread; the memo is cleared when full.
const MEMO_LIMIT: usize = 50_000;

thread_local! {
    /// Lookup results per (lexicon, word): text repeats words, and fuzzy lookups are not free.
    static MEMO: RefCell<WordMap<usize, WordMap<String, Concepts>>> = RefCell::new(WordMap::default());
    /// Split results per (lexicon, word).
    static SPLITS: RefCell<WordMap<(usize, String), Split>> = RefCell::new(WordMap::default());
}

/// A set of concept tags, one bit each.
pub type Concepts = u32;

/// Talk, speak, chat, contact, reach, call, connect, transfer, escalate.
pub const CONTACT: Concepts = 1 << 0;
/// Want, need, give me, get me, let me, request, ask for.
pub const DESIRE: Concepts = 1 << 1;
/// A person: human, agent, representative, operator, someone, staff, manager.
pub const HUMAN: Concepts = 1 << 2;
/// Makes the next HUMAN unambiguous: live, real, actual (agent/person).
pub const REAL: Concepts = 1 << 3;
/// Not, no, never, without.
pub const NEGATOR: Concepts = 1 << 4;
/// Know, understand, find, figure out: a negation before these is about knowing, not wanting.
pub const KNOW: Concepts = 1 << 5;
/// Can, could, able, am, is: "can not reach" is inability, not refusal.
pub const ABILITY: Concepts = 1 << 6;
/// Do, does, will, would, should, must: yes/no question openers.
pub const AUX: Concepts = 1 << 7;
/// Need, have (to), required, necessary.
pub const NECESSITY: Concepts = 1 << 8;
/// If, unless, whether: a condition, not an intent.
pub const CONDITIONAL: Concepts = 1 << 9;
/// Refund, reimburse, money back, chargeback: a billing dispute on its own.
pub const REFUND: Concepts = 1 << 10;
/// Payment, pay, charge, bill, transaction, card, invoice.
pub const PAYMENT: Concepts = 1 << 11;
/// Issue, problem, error, failed, declined, wrong, twice, unauthorized.
pub const PROBLEM: Concepts = 1 << 12;
/// Cancel, delete, close, terminate, deactivate, remove.
pub const CANCEL: Concepts = 1 << 13;
/// Account, subscription, membership, profile, contract, plan.
pub const ACCOUNT: Concepts = 1 << 14;
/// Newsletter, emails, mailing list: unsubscribing from these is routine.
pub const MAILING: Concepts = 1 << 15;
/// Policy: "refund policy" is a question, not a dispute.
pub const POLICY: Concepts = 1 << 16;
/// Lawyer, attorney, lawsuit, GDPR, regulator: legal or compliance language.
pub const LEGAL: Concepts = 1 << 17;
/// From, in, on, into: "delete X from my account" is not closing the account.
pub const LOCATION: Concepts = 1 << 18;
/// Order, purchase, item: cancelling these is routine.
pub const ORDER: Concepts = 1 << 19;
/// Support, service, care (as in customer service).
pub const SERVICE: Concepts = 1 << 20;
/// Customer (as in customer service).
pub const CUSTOMER: Concepts = 1 << 21;
/// To, with (as in talk to).
pub const LINK: Concepts = 1 << 22;
/// Sue, take to court: legal threats as verbs.
pub const SUE: Concepts = 1 << 23;
/// Bot, robot, machine, AI: talking about the assistant itself.
pub const BOT: Concepts = 1 << 24;

/// A locale's words and their concepts.
pub struct Lexicon {
    words: WordMap<&'static str, Concepts>,
    /// Single-deletion neighbourhood of words of 5+ letters, for typo-tolerant lookup.
    deletions: WordMap<String, Vec<&'static str>>,
}

impl Lexicon {
    fn build(tables: &[&[(&'static str, Concepts)]]) -> Self {
        let mut words: WordMap<&'static str, Concepts> = WordMap::default();
        for table in tables {
            for (w, c) in table.iter() {
                *words.entry(w).or_default() |= c;
            }
        }
        let mut deletions: WordMap<String, Vec<&'static str>> = WordMap::default();
        for w in words.keys() {
            if fuzzy_eligible(w) {
                for d in single_deletions(w) {
                    deletions.entry(d).or_default().push(w);
                }
            }
        }
        Self { words, deletions }
    }

    /// Concepts of a word, tolerating one typo (insertion, deletion, substitution or
    /// transposition) in words of five letters or more.
    pub fn lookup(&self, word: &str) -> Concepts {
        if let Some(c) = self.words.get(word) {
            return *c;
        }
        let me = self as *const Self as usize;
        if let Some(c) = MEMO.with(|m| {
            m.borrow()
                .get(&me)
                .and_then(|words| words.get(word).copied())
        }) {
            return c;
        }
        let found = self.lookup_uncached(word);
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            let words = m.entry(me).or_default();
            if words.len() >= MEMO_LIMIT {
                words.clear();
            }
            words.insert(word.to_owned(), found);
        });
        found
    }

    fn lookup_uncached(&self, word: &str) -> Concepts {
        if NOT_TYPOS.contains(&word) {
            return 0;
        }
        // A doubled letter typed once too often: "talkk", "refundd", "acccount".
        let bytes = word.as_bytes();
        for i in 1..bytes.len() {
            if bytes[i] == bytes[i - 1] && word.is_char_boundary(i) {
                let mut shorter = String::with_capacity(word.len());
                shorter.push_str(&word[..i]);
                shorter.push_str(&word[i + 1..]);
                if let Some(c) = self.words.get(shorter.as_str()) {
                    return *c;
                }
            }
        }
        let len = word.chars().count();
        if !(5..=20).contains(&len) {
            return 0;
        }
        let mut found: Concepts = 0;
        // The word with one letter too many, or one wrong letter, or two swapped letters.
        let mut consider = |candidate: &str| {
            if let Some((w, c)) = self.words.get_key_value(candidate) {
                if fuzzy_eligible(w) {
                    found |= c;
                }
            }
        };
        let dels = single_deletions(word);
        for d in &dels {
            consider(d);
        }
        // One letter missing from the word, or a substitution/transposition: shared deletions.
        if let Some(ws) = self.deletions.get(word) {
            for w in ws {
                found |= self.words[w];
            }
        }
        for d in &dels {
            if let Some(ws) = self.deletions.get(d) {
                for w in ws {
                    if is_one_edit(word, w) {
                        found |= self.words[w];
                    }
                }
            }
        }
        found
    }
}

/// Short words are too close to other words ("close"/"chose") to correct; these few are not.
const FUZZY_SHORT: &[&str] = &[
    "human", "agent", "speak", "staff", "legal", "issue", "money",
];

/// Everyday words one typo away from a lexicon word; never "corrected" into it
/// ("changing" is not "charging").
const NOT_TYPOS: &[&str] = &[
    "changing", "change", "changed", "changes", "chance", "charity", "prison", "poison", "reason",
    "season", "lesson", "using", "cancer", "parcel", "closer", "clothes", "pending", "spending",
    "sending", "lending", "ending", "mending", "tending", "attend", "agents", "urgent", "regent",
    "remote", "removal", "relate", "refuse", "refused", "perform", "payments", "accounts", "awful",
    "caution", "lawn", "several", "general", "central", "regular", "illness", "billion", "legend",
];

fn fuzzy_eligible(word: &str) -> bool {
    word.chars().count() >= 6 || FUZZY_SHORT.contains(&word)
}

/// Short words that run into their neighbour when a space is missed ("tosomebody", "myaccount").
const GLUE: &[&str] = &[
    "to", "my", "with", "a", "an", "the", "of", "for", "in", "on", "me", "your", "this", "it", "i",
    "is",
];

impl Lexicon {
    /// Split a word that is two words run together, when both halves are known: a lexicon word
    /// and a short function word, or two lexicon words ("freemiumaccount" stays whole unless
    /// "freemium" is known; "mynewsletter" → "my newsletter").
    pub fn split(&self, word: &str) -> Option<(String, String)> {
        if word.len() < 5 || self.words.contains_key(word) || !word.is_ascii() {
            return None;
        }
        let key = (self as *const Self as usize, word.to_owned());
        if let Some(found) = SPLITS.with(|m| m.borrow().get(&key).cloned()) {
            return found;
        }
        let found = self.split_uncached(word);
        SPLITS.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= MEMO_LIMIT {
                m.clear();
            }
            m.insert(key, found.clone());
        });
        found
    }

    fn split_uncached(&self, word: &str) -> Option<(String, String)> {
        for i in 1..word.len() {
            let (a, b) = word.split_at(i);
            let known_a = GLUE.contains(&a) || (a.len() >= 3 && self.words.contains_key(a));
            let known_b = GLUE.contains(&b) || (b.len() >= 3 && self.words.contains_key(b));
            let lexical = (a.len() >= 3 && self.words.contains_key(a))
                || (b.len() >= 3 && self.words.contains_key(b));
            if known_a && known_b && lexical {
                return Some((a.to_owned(), b.to_owned()));
            }
        }
        None
    }
}

fn single_deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect()
        })
        .collect()
}

/// Substitution or adjacent transposition (same length), the cases shared deletions over-match.
fn is_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return a.len().abs_diff(b.len()) == 1;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

/// The lexicon for a locale: its own words plus English, which customers mix in everywhere.
pub fn for_locale(locale: &str) -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    static ES: OnceLock<Lexicon> = OnceLock::new();
    match locale.split(['-', '_']).next().unwrap_or("en") {
        "es" => ES.get_or_init(|| Lexicon::build(&[es::WORDS, en::WORDS])),
        _ => EN.get_or_init(|| Lexicon::build(&[en::WORDS])),
    }
}

/// Locales with a lexicon of their own.
pub const LOCALES: &[&str] = &["en", "es"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_typo_tolerant_lookup() {
        let en = for_locale("en");
        assert_ne!(en.lookup("representative") & HUMAN, 0);
        assert_ne!(en.lookup("represntative") & HUMAN, 0, "deletion");
        assert_ne!(en.lookup("assistgant") & HUMAN, 0, "insertion");
        assert_ne!(en.lookup("speakign") & CONTACT, 0, "transposition");
        assert_ne!(en.lookup("paymnent") & PAYMENT, 0);
        assert_eq!(
            en.lookup("personal") & HUMAN,
            0,
            "two edits away is another word"
        );
        assert_eq!(en.lookup("zzzzzz"), 0);
    }

    #[test]
    fn spanish_includes_english() {
        let es = for_locale("es-MX");
        assert_ne!(es.lookup("reembolso") & REFUND, 0);
        assert_ne!(es.lookup("refund") & REFUND, 0);
    }
}
