//! Concept lexicons per locale: which words mean "talk to", "a person", "refund", "account",
//! "cancel", negation, and so on. Triggers are rules over these concepts, not phrase lists.

mod en;
mod es;

use crate::signal::normalize::Words;
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
        // Eight bytes at a time, then four, then one by one: no copies into a scratch buffer.
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*word));
            rest = tail;
        }
        if let Some((word, tail)) = rest.split_first_chunk::<4>() {
            self.add(u64::from(u32::from_le_bytes(*word)));
            rest = tail;
        }
        for &b in rest {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A hash map keyed by words, with [`WordHasher`].
pub type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Most words remembered per thread and lexicon; the memo is cleared when full.
const MEMO_LIMIT: usize = 50_000;

/// What the memo knows of a word: its concepts (typo-tolerant) and where it splits into two
/// words (0: it does not).
type Memo = WordMap<Box<str>, (Concepts, usize)>;

thread_local! {
    /// Lookup results per lexicon (by slot) and word: text repeats words, and fuzzy lookups
    /// and splits are not free.
    static MEMO: RefCell<[Memo; 2]> = RefCell::new([Memo::default(), Memo::default()]);
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
    /// Which memo slot this lexicon uses.
    slot: usize,
    words: WordMap<&'static str, Concepts>,
    /// Single-deletion neighbourhood of words of 5+ letters, for typo-tolerant lookup.
    deletions: WordMap<String, Vec<&'static str>>,
    /// Edge builds: which strings may be keys of `words` or `deletions`, so that most of the
    /// variants a typo-tolerant lookup tries are ruled out without being built.
    #[cfg(feature = "edge")]
    keys: filter::Filter,
}

impl Lexicon {
    fn build(slot: usize, tables: &[&[(Concepts, &'static str)]]) -> Self {
        let mut words: WordMap<&'static str, Concepts> = WordMap::default();
        for table in tables {
            for &(c, group) in table.iter() {
                for w in group.split(' ') {
                    *words.entry(w).or_default() |= c;
                }
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
        #[cfg(feature = "edge")]
        let keys = filter::Filter::of(
            words
                .keys()
                .copied()
                .chain(deletions.keys().map(|d| d.as_str())),
        );
        Self {
            slot,
            words,
            deletions,
            #[cfg(feature = "edge")]
            keys,
        }
    }

    /// Concepts of a word, tolerating one typo (insertion, deletion, substitution or
    /// transposition) in words of five letters or more.
    pub fn lookup(&self, word: &str) -> Concepts {
        if let Some(c) = self.words.get(word) {
            return *c;
        }
        MEMO.with(|m| match m.try_borrow_mut() {
            Ok(mut memo) => self.remembered(&mut memo[self.slot], word).0,
            Err(_) => self.lookup_uncached(word),
        })
    }

    /// Each word of `words` with its concepts, a run-together word ("tosomebody") as its two
    /// halves: `emit(word, concepts, clause)` in order.
    pub fn tag<'a>(&self, words: &'a Words, mut emit: impl FnMut(&'a str, Concepts, u16)) {
        self.with_memo(|memo| {
            for (word, clause) in words.iter() {
                self.tag_in(memo, word, |w, c| emit(w, c, clause));
            }
        });
    }

    /// One word with its concepts, or its two halves if it is two words run together, as
    /// [`Lexicon::tag`] gives them. Edge builds remember each token's words elsewhere
    /// (`signal::reading`), so this works them out afresh, without the memo: its lookups are
    /// cheap there ([`filter`]).
    #[cfg(feature = "edge")]
    pub(crate) fn tag_word<'a>(&self, word: &'a str, mut emit: impl FnMut(&'a str, Concepts)) {
        // The word's hashes, for the filter: once for its lookups and its split.
        let hashes = filter::Hashes::of(word.as_bytes());
        let may = |at: usize, n: usize, part: bool| match &hashes {
            Some(h) if part => self.keys.has(h.part(at, n)),
            Some(h) => self.keys.has(h.without(at, n)),
            None => true,
        };
        let concepts = match self.words.get(word) {
            Some(c) => *c,
            None => self.not_typo(word, self.fuzzy_in(word, |at, n| may(at, n, false))),
        };
        let split = if concepts == 0 && word.len() >= 5 {
            self.split_in(word, |at, n| may(at, n, true)).unwrap_or(0)
        } else {
            0
        };
        match word.split_at_checked(split) {
            Some((a, b)) if split != 0 => {
                emit(a, self.concepts(a));
                emit(b, self.concepts(b));
            }
            _ => emit(word, concepts),
        }
    }

    /// Concepts of a word, as [`Lexicon::remembered`] works them out.
    #[cfg(feature = "edge")]
    fn concepts(&self, word: &str) -> Concepts {
        match self.words.get(word) {
            Some(c) => *c,
            None => self.lookup_uncached(word),
        }
    }

    fn with_memo(&self, f: impl FnOnce(&mut Memo)) {
        MEMO.with(|m| match m.try_borrow_mut() {
            Ok(mut memo) => f(&mut memo[self.slot]),
            Err(_) => f(&mut Memo::default()),
        });
    }

    fn tag_in<'a>(&self, memo: &mut Memo, word: &'a str, mut emit: impl FnMut(&'a str, Concepts)) {
        let (concepts, split) = self.remembered(memo, word);
        // `split` is a char boundary (an ASCII word's); `split_at_checked` only keeps core's
        // slice-error formatting out of the widget's wasm.
        match word.split_at_checked(split) {
            Some((a, b)) if split != 0 => {
                emit(a, self.lookup_in(memo, a));
                emit(b, self.lookup_in(memo, b));
            }
            _ => emit(word, concepts),
        }
    }

    /// Which memo slot (and so which per-lexicon caches elsewhere) this lexicon uses.
    #[cfg(feature = "edge")]
    pub(crate) fn slot(&self) -> usize {
        self.slot
    }

    fn lookup_in(&self, memo: &mut Memo, word: &str) -> Concepts {
        self.remembered(memo, word).0
    }

    /// Concepts and split point of a word, from the memo or worked out: one hash lookup for a
    /// word seen before, in the lexicon or not.
    fn remembered(&self, memo: &mut Memo, word: &str) -> (Concepts, usize) {
        if let Some(found) = memo.get(word) {
            return *found;
        }
        let concepts = match self.words.get(word) {
            Some(c) => *c,
            None => self.lookup_uncached(word),
        };
        // Only a word of five letters or more, not in the lexicon and with no concepts from a
        // typo, is split.
        let split = if concepts == 0 && word.len() >= 5 {
            self.split_at(word).unwrap_or(0)
        } else {
            0
        };
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(word.into(), (concepts, split));
        (concepts, split)
    }

    fn lookup_uncached(&self, word: &str) -> Concepts {
        let found = self.fuzzy(word);
        if found != 0 && NOT_TYPOS.contains(&word) {
            return 0;
        }
        found
    }

    /// `found`, the concepts a typo-tolerant lookup of `word` found, unless `word` is an
    /// everyday word that is not a typo (as [`Lexicon::lookup_uncached`] has it).
    #[cfg(feature = "edge")]
    fn not_typo(&self, word: &str, found: Concepts) -> Concepts {
        if found != 0 && NOT_TYPOS.contains(&word) {
            return 0;
        }
        found
    }

    #[cfg(not(feature = "edge"))]
    fn fuzzy(&self, word: &str) -> Concepts {
        // One buffer for every variant of the word tried below.
        let mut variant = String::with_capacity(word.len());
        // A doubled letter typed once too often: "talkk", "refundd", "acccount".
        let bytes = word.as_bytes();
        for i in 1..bytes.len() {
            if bytes[i] == bytes[i - 1] && word.is_char_boundary(i) {
                if let Some(c) = self.words.get(without(&mut variant, word, i, 1)) {
                    return *c;
                }
            }
        }
        let len = word.chars().count();
        if !(5..=20).contains(&len) {
            return 0;
        }
        // One letter missing from the word: it is a deletion of a lexicon word.
        let mut found: Concepts = self
            .deletions
            .get(word)
            .map_or(0, |ws| ws.iter().fold(0, |f, w| f | self.words[w]));
        for (at, c) in word.char_indices() {
            let d = without(&mut variant, word, at, c.len_utf8());
            // The word with one letter too many.
            if let Some((w, c)) = self.words.get_key_value(d) {
                if fuzzy_eligible(w) {
                    found |= c;
                }
            }
            // A substitution or transposition: a deletion shared with a lexicon word.
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

    /// Edge builds: [`Lexicon::fuzzy_in`], with the filter.
    #[cfg(feature = "edge")]
    fn fuzzy(&self, word: &str) -> Concepts {
        let hashes = filter::Hashes::of(word.as_bytes());
        self.fuzzy_in(word, |at, n| {
            hashes
                .as_ref()
                .is_none_or(|h| self.keys.has(h.without(at, n)))
        })
    }

    /// Edge builds: the typo-tolerant lookup, trying only the variants `may` lets through:
    /// `may(at, n)`, whether the word without its `n` bytes at `at` may be a key (see
    /// [`filter`]; the widget's lookup tries them all).
    #[cfg(feature = "edge")]
    fn fuzzy_in(&self, word: &str, may: impl Fn(usize, usize) -> bool) -> Concepts {
        // One buffer for every variant of the word tried below (allocated at the first).
        let mut variant = String::new();
        // A doubled letter typed once too often: "talkk", "refundd", "acccount".
        let bytes = word.as_bytes();
        for i in 1..bytes.len() {
            if bytes[i] == bytes[i - 1] && word.is_char_boundary(i) && may(i, 1) {
                if let Some(c) = self.words.get(without(&mut variant, word, i, 1)) {
                    return *c;
                }
            }
        }
        let len = word.chars().count();
        if !(5..=20).contains(&len) {
            return 0;
        }
        // One letter missing from the word: it is a deletion of a lexicon word.
        let mut found: Concepts = if may(0, 0) {
            self.deletions
                .get(word)
                .map_or(0, |ws| ws.iter().fold(0, |f, w| f | self.words[w]))
        } else {
            0
        };
        for (at, c) in word.char_indices() {
            if !may(at, c.len_utf8()) {
                continue;
            }
            let d = without(&mut variant, word, at, c.len_utf8());
            // The word with one letter too many.
            if let Some((w, c)) = self.words.get_key_value(d) {
                if fuzzy_eligible(w) {
                    found |= c;
                }
            }
            // A substitution or transposition: a deletion shared with a lexicon word.
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

/// Edge builds: whether `half` is one of [`GLUE`], compared as one integer with each.
#[cfg(feature = "edge")]
fn is_glue(half: &str) -> bool {
    {
        /// A word of up to 4 bytes as one integer, its length in the top byte.
        const fn pack(w: &[u8]) -> u64 {
            let mut k = (w.len() as u64) << 56;
            let mut i = 0;
            while i < w.len() && i < 7 {
                k |= (w[i] as u64) << (8 * i);
                i += 1;
            }
            k
        }
        const KEYS: [u64; GLUE.len()] = {
            let mut keys = [0; GLUE.len()];
            let mut i = 0;
            while i < GLUE.len() {
                keys[i] = pack(GLUE[i].as_bytes());
                i += 1;
            }
            keys
        };
        half.len() <= 7 && KEYS.contains(&pack(half.as_bytes()))
    }
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
        let (a, b) = word.split_at_checked(self.split_at(word)?)?;
        Some((a.to_owned(), b.to_owned()))
    }

    /// Where [`Lexicon::split`] splits `word`, if it does.
    #[cfg(not(feature = "edge"))]
    fn split_at(&self, word: &str) -> Option<usize> {
        if word.len() < 5 || self.words.contains_key(word) || !word.is_ascii() {
            return None;
        }
        let known = |half: &str| {
            let lexical = half.len() >= 3 && self.words.contains_key(half);
            (
                lexical || (half.len() <= 4 && GLUE.contains(&half)),
                lexical,
            )
        };
        (1..word.len()).find(|&i| {
            let Some((a, b)) = word.split_at_checked(i) else {
                return false;
            };
            let (known_a, lexical_a) = known(a);
            if !known_a {
                return false;
            }
            let (known_b, lexical_b) = known(b);
            known_b && (lexical_a || lexical_b)
        })
    }

    /// Edge builds: [`Lexicon::split_in`], with no filter (a split is worked out with one in
    /// [`Lexicon::tag_word`]).
    #[cfg(feature = "edge")]
    fn split_at(&self, word: &str) -> Option<usize> {
        self.split_in(word, |_, _| true)
    }

    /// Edge builds: where a word splits, looking up only the parts `may` lets through:
    /// `may(at, n)`, whether the word's `n` bytes at `at` may be a key.
    #[cfg(feature = "edge")]
    fn split_in(&self, word: &str, may: impl Fn(usize, usize) -> bool) -> Option<usize> {
        if word.len() < 5 || !word.is_ascii() {
            return None;
        }
        if may(0, word.len()) && self.words.contains_key(word) {
            return None;
        }
        let known = |half: &str, at: usize| {
            let lexical = half.len() >= 3 && may(at, half.len()) && self.words.contains_key(half);
            (lexical || (half.len() <= 4 && is_glue(half)), lexical)
        };
        (1..word.len()).find(|&i| {
            let Some((a, b)) = word.split_at_checked(i) else {
                return false;
            };
            let (known_a, lexical_a) = known(a, 0);
            if !known_a {
                return false;
            }
            let (known_b, lexical_b) = known(b, i);
            known_b && (lexical_a || lexical_b)
        })
    }
}

/// Edge builds: a filter of the strings a lexicon looks up (its words and their deletions),
/// and a word's hashes from which those of its variants (a byte run taken out, a prefix, a
/// suffix) follow without building them. A string the filter does not have is no key; one it
/// has is looked up as before (the filter only saves lookups, it never decides).
#[cfg(feature = "edge")]
mod filter {
    /// The hash's base (odd, so that it has an inverse modulo 2^64).
    const BASE: u64 = 0x9E37_79B9_7F4A_7C15;
    /// Its inverse modulo 2^64 (Newton's iteration: each step doubles the correct bits).
    const INVERSE: u64 = {
        let mut x = BASE;
        let mut i = 0;
        while i < 6 {
            x = x.wrapping_mul(2u64.wrapping_sub(BASE.wrapping_mul(x)));
            i += 1;
        }
        x
    };
    /// The longest word whose hashes are worked out (longer ones are looked up as before).
    const LONGEST: usize = 32;
    /// Bits in the filter.
    const BITS: u32 = 16;

    /// The hash of `s`: the sum of `s[j] * BASE^j`.
    fn hash(s: &[u8]) -> u64 {
        s.iter().rev().fold(0u64, |h, &b| {
            h.wrapping_mul(BASE).wrapping_add(u64::from(b) + 1)
        })
    }

    /// `BASE^-n` for every `n` up to [`LONGEST`].
    const INVERSE_POWERS: [u64; LONGEST + 1] = {
        let mut p = [1u64; LONGEST + 1];
        let mut n = 1;
        while n <= LONGEST {
            p[n] = p[n - 1].wrapping_mul(INVERSE);
            n += 1;
        }
        p
    };

    fn inverse_power(n: usize) -> u64 {
        INVERSE_POWERS.get(n).copied().unwrap_or(0)
    }

    /// A set of string hashes, one bit each.
    pub(super) struct Filter(Vec<u64>);

    impl Filter {
        pub(super) fn of<'a>(keys: impl Iterator<Item = &'a str>) -> Self {
            let mut bits = vec![0u64; 1 << (BITS - 6)];
            for k in keys {
                let at = bit(hash(k.as_bytes()));
                bits[at / 64] |= 1 << (at % 64);
            }
            Self(bits)
        }

        /// Whether a string with hash `h` may be in the set.
        pub(super) fn has(&self, h: u64) -> bool {
            let at = bit(h);
            self.0.get(at / 64).is_some_and(|w| w >> (at % 64) & 1 == 1)
        }
    }

    fn bit(h: u64) -> usize {
        (h.wrapping_mul(0x2545_F491_4F6C_DD1D) >> (64 - BITS)) as usize
    }

    /// The hashes of a word's prefixes: `pre[i]` is the hash of its first `i` bytes.
    pub(super) struct Hashes {
        pre: [u64; LONGEST + 1],
        len: usize,
    }

    impl Hashes {
        /// `None` for a word too long.
        pub(super) fn of(word: &[u8]) -> Option<Self> {
            if word.len() > LONGEST {
                return None;
            }
            let mut pre = [0u64; LONGEST + 1];
            let mut power = 1u64;
            for (i, &b) in word.iter().enumerate() {
                pre[i + 1] = pre[i].wrapping_add((u64::from(b) + 1).wrapping_mul(power));
                power = power.wrapping_mul(BASE);
            }
            Some(Self {
                pre,
                len: word.len(),
            })
        }

        /// The hash of the word without its `n` bytes at `at`.
        pub(super) fn without(&self, at: usize, n: usize) -> u64 {
            let (head, rest) = (
                self.pre[at],
                self.pre[self.len].wrapping_sub(self.pre[at + n]),
            );
            head.wrapping_add(rest.wrapping_mul(inverse_power(n)))
        }

        /// The hash of its `n` bytes at `at`.
        pub(super) fn part(&self, at: usize, n: usize) -> u64 {
            (self.pre[at + n].wrapping_sub(self.pre[at])).wrapping_mul(inverse_power(at))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn variants_hash_as_themselves() {
            assert_eq!(BASE.wrapping_mul(INVERSE), 1);
            for word in [
                "refundd",
                "acccount",
                "caf\u{e9}s",
                "a",
                "talk",
                "x".repeat(32).as_str(),
            ] {
                let b = word.as_bytes();
                let h = Hashes::of(b).unwrap();
                for at in 0..=b.len() {
                    for n in 0..=(b.len() - at).min(4) {
                        let mut v = b[..at].to_vec();
                        v.extend_from_slice(&b[at + n..]);
                        assert_eq!(h.without(at, n), hash(&v), "{word} {at} {n}");
                        assert_eq!(h.part(at, n), hash(&b[at..at + n]), "{word} {at} {n}");
                    }
                }
            }
            // Every key of both lexicons is in their filters: no lookup is ruled out wrongly.
            for lex in [
                super::super::for_locale("en"),
                super::super::for_locale("es"),
            ] {
                let keys = lex.words.keys().copied();
                for k in keys.chain(lex.deletions.keys().map(|d| d.as_str())) {
                    assert!(lex.keys.has(hash(k.as_bytes())), "{k}");
                }
            }
            let f = Filter::of(["talk", "refund"].into_iter());
            assert!(f.has(hash(b"talk")) && f.has(hash(b"refund")));
            assert!(Hashes::of(&[b'x'; 33]).is_none());
        }
    }
}

/// `word` without its `len` bytes at `at`, written into `buf`.
fn without<'b>(buf: &'b mut String, word: &str, at: usize, len: usize) -> &'b str {
    buf.clear();
    buf.push_str(word.get(..at).unwrap_or(""));
    buf.push_str(word.get(at + len..).unwrap_or(""));
    buf
}

/// Every string `word` becomes with one character deleted.
fn single_deletions(word: &str) -> Vec<String> {
    word.char_indices()
        .map(|(at, c)| {
            let mut d = String::with_capacity(word.len());
            d.push_str(word.get(..at).unwrap_or(""));
            d.push_str(word.get(at + c.len_utf8()..).unwrap_or(""));
            d
        })
        .collect()
}

/// Substitution or adjacent transposition (same length), the cases shared deletions over-match.
fn is_one_edit(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la != lb {
        return la.abs_diff(lb) == 1;
    }
    // The first two differing positions, with both words' characters there.
    let mut diff: [(usize, char, char); 2] = [(0, ' ', ' '); 2];
    let mut n = 0;
    for (i, (x, y)) in a.chars().zip(b.chars()).enumerate() {
        if x != y {
            if n == 2 {
                return false;
            }
            diff[n] = (i, x, y);
            n += 1;
        }
    }
    match n {
        1 => true,
        2 => {
            let [(i, ai, bi), (j, aj, bj)] = diff;
            j == i + 1 && ai == bj && aj == bi
        }
        _ => false,
    }
}

/// The lexicon for a locale: its own words plus English, which customers mix in everywhere.
pub fn for_locale(locale: &str) -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    static ES: OnceLock<Lexicon> = OnceLock::new();
    // Edge builds ask for every text: the usual locale first, without splitting it.
    #[cfg(feature = "edge")]
    if locale == "en" {
        return EN.get_or_init(|| Lexicon::build(0, &[en::WORDS]));
    }
    match locale.split(['-', '_']).next().unwrap_or("en") {
        "es" => ES.get_or_init(|| Lexicon::build(1, &[es::WORDS, en::WORDS])),
        _ => EN.get_or_init(|| Lexicon::build(0, &[en::WORDS])),
    }
}

/// Every concept a word of any lexicon has.
#[cfg(all(test, feature = "edge"))]
pub(crate) fn all_concepts() -> Concepts {
    [es::WORDS, en::WORDS]
        .iter()
        .flat_map(|t| t.iter())
        .fold(0, |all, &(c, _)| all | c)
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
    fn word_groups_hold_single_spaced_words() {
        for (c, group) in en::WORDS.iter().chain(es::WORDS) {
            for w in group.split(' ') {
                assert!(
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                    "lexicon group {c:#x} {group:?}: {w:?} is not a normalised word"
                );
            }
        }
    }

    #[test]
    fn spanish_includes_english() {
        let es = for_locale("es-MX");
        assert_ne!(es.lookup("reembolso") & REFUND, 0);
        assert_ne!(es.lookup("refund") & REFUND, 0);
    }
}
