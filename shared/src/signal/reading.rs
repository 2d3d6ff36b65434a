//! One reading of a text, shared by sentiment and the hard triggers (edge builds): each distinct
//! whitespace-separated token's VADER features and normalised words are remembered, in memos
//! by token length.

use crate::signal::lexicon::{self, Concepts, Lexicon, WordMap};
use crate::signal::memo::{self, Key, Memo, Token, PAD};
use crate::signal::normalize::{scan, Sink};
use crate::signal::sentiment::{feat, Feat};
use crate::trigger::hard::{Present, Tok};
use std::cell::RefCell;

/// Most tokens remembered per thread; the memos are cleared when they hold this many.
const TOKEN_LIMIT: usize = 1 << 16;
/// The longest token remembered (longer ones are read each time).
const LONG_LIMIT: usize = 64;
/// Most words kept for them.
const ITEM_LIMIT: usize = 1 << 18;

/// What normalising a token gave, in order.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A word (its place in [`Store::words`]) and its concepts.
    Word(u32, u32, Concepts),
    /// A new clause ("but").
    Contrast,
    /// Clause punctuation.
    Boundary,
}

/// What every text needs of a token, in 8 bytes: its sentiment features and what its words
/// hold. The memo of short tokens keeps only this in its slots (16 bytes, four to a cache line).
#[derive(Clone, Copy, Debug, Default)]
struct Hot {
    /// Its sentiment features (ASCII tokens only: others are read afresh, see [`read`]).
    feat: Feat,
    /// Every concept of its words ([`CONCEPTS`]), and [`MONEY`], [`HUMAN`], [`ASCII`]; for a
    /// long token, above them, which lexicon it was read with ([`LEXICON`]); [`MARKS`].
    tags: u32,
}

/// The bits of [`Hot::tags`] that hold concepts.
const CONCEPTS: u32 = (1 << 25) - 1;
/// The token has the word "money".
const MONEY: u32 = 1 << 25;
/// The token has the word "human".
const HUMAN: u32 = 1 << 26;
/// The token is ASCII.
const ASCII: u32 = 1 << 27;
/// Where a long token's lexicon slot (plus one) is in its tags (two bits).
const LEXICON: u32 = 28;
/// The token has a `!` or a `?` (sentiment counts them in texts that have one).
const MARKS: u32 = 1 << 30;

/// How a token's words are laid out for the hard triggers, in 8 bytes: read only for texts a
/// trigger may fire on.
#[derive(Clone, Copy, Debug, Default)]
struct Cold {
    /// Its items: `start..start + items` in [`Store::items`].
    start: u32,
    items: u16,
    /// With [`INLINE`]: where its one word is in the token (high four bits) and its length.
    word: u8,
    /// [`INLINE`], [`BEFORE`], [`AFTER`].
    shape: u8,
}

/// The token gives one word, written in it as it is ([`Cold::word`]), with a clause boundary
/// before it if [`BEFORE`] and after it if [`AFTER`]: read from the text, not from the items.
const INLINE: u8 = 1;
const BEFORE: u8 = 2;
const AFTER: u8 = 4;

/// All a token gives.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    hot: Hot,
    cold: Cold,
}

/// The memos, their buffers, and the reading of the last text.
struct Reading {
    /// Per lexicon, tokens of up to 7 bytes (most of them), keyed by their bytes and length in
    /// one integer: the hot parts in the slots, the cold parts apart.
    short: [Memo<u64, Hot, Cold, 4>; lexicon::LOCALES.len()],
    /// Tokens of 8 to 15 bytes.
    medium: [Memo<Key, Entry, (), 2>; lexicon::LOCALES.len()],
    /// Tokens of 16 to [`LONG_LIMIT`] bytes, and their entries' places in `long_entries`.
    long: WordMap<Box<str>, u32>,
    long_entries: Vec<Entry>,
    /// What normalising every token remembered gave.
    store: Store,
    /// The lexicon sentiment reads with: the one the hard triggers last used.
    lex: &'static Lexicon,
    /// The last text read, followed by [`PAD`], and the slot of its lexicon (`None`:
    /// nothing read yet).
    last: Vec<u8>,
    last_len: usize,
    last_lex: Option<usize>,
    /// What its words hold, and whether it has a `!` or a `?`.
    present: Present,
    marks: bool,
    /// Its tokens' sentiment features (tokens that count as words only): the first `counted`.
    feats: Vec<Feat>,
    counted: usize,
}

/// What normalising the remembered tokens gave.
#[derive(Default)]
struct Store {
    items: Vec<Item>,
    /// The words of the items, back to back.
    words: String,
    /// The word being read.
    raw: String,
}

impl Default for Reading {
    fn default() -> Self {
        Self {
            short: Default::default(),
            medium: Default::default(),
            long: WordMap::default(),
            long_entries: Vec::new(),
            store: Store::default(),
            lex: lexicon::for_locale("en"),
            last: Vec::new(),
            last_len: 0,
            last_lex: None,
            present: Present::default(),
            marks: true,
            feats: Vec::new(),
            counted: 0,
        }
    }
}

impl Reading {
    /// Whether the last text read is `text`.
    fn is_last(&self, text: &str) -> bool {
        self.last_len == text.len() && self.last.get(..self.last_len) == Some(text.as_bytes())
    }
}

thread_local! {
    static READING: RefCell<Reading> = RefCell::new(Reading::default());
}

fn with_reading<R>(f: impl FnOnce(&mut Reading) -> R) -> R {
    READING.with(|c| match c.try_borrow_mut() {
        Ok(mut reading) => f(&mut reading),
        Err(_) => f(&mut Reading::default()),
    })
}

/// The sentiment features of `text`'s tokens that count as words, in order, handed to `f`.
/// When the hard triggers read the same text next, they read it from here.
pub(crate) fn with_feats<R>(text: &str, f: impl FnOnce(&[Feat], bool) -> R) -> R {
    with_reading(|r| {
        if r.last_lex.is_none() || !r.is_last(text) {
            let lex = r.lex;
            read(r, text, lex);
        }
        f(r.feats.get(..r.counted).unwrap_or_default(), r.marks)
    })
}

/// The words of `text` with concepts and clauses, as [`crate::trigger::hard`]'s plain reading
/// gives them, handed to `f` if `need` says what they hold is worth it: they are laid out only
/// then.
pub(crate) fn with_tokens<R>(
    text: &str,
    lex: &'static Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    with_reading(|r| {
        if r.last_lex != Some(lex.slot()) || !r.is_last(text) {
            read(r, text, lex);
        }
        r.lex = lex;
        if !need(&r.present) {
            return None;
        }
        let (spans, present) = (lay_out(r, text, lex), r.present);
        let toks: Vec<Tok<'_>> = spans
            .iter()
            .map(|&(word, concepts, clause)| Tok {
                word: match word {
                    Word::Text(a, b) => text.get(a..b).unwrap_or(""),
                    Word::Store(a, b) => r.store.words.get(a..b).unwrap_or(""),
                },
                concepts,
                clause,
            })
            .collect();
        Some(f(&toks, &present))
    })
}

/// Where a laid out word is: in the text, or in [`Store::words`].
#[derive(Clone, Copy)]
enum Word {
    Text(usize, usize),
    Store(usize, usize),
}

/// The key of a token of up to 7 bytes.
fn short_key(t: &Token) -> u64 {
    t.lo | ((t.end - t.start) as u64) << 56
}

/// The key of a token of 8 to 15 bytes.
fn medium_key(t: &Token) -> Key {
    [t.lo, t.hi | ((t.end - t.start) as u64) << 56]
}

/// Read `text` into `r`: its tokens (split at ASCII whitespace, which normalisation and
/// sentiment both split at) from the memos, or worked out and remembered. Only what every text
/// needs is read: the sentiment features, and what the words hold; the words themselves are
/// laid out for the hard triggers only when they may fire ([`lay_out`]).
fn read(r: &mut Reading, text: &str, lex: &'static Lexicon) {
    let held = r.short.iter().map(Memo::len).sum::<usize>()
        + r.medium.iter().map(Memo::len).sum::<usize>()
        + r.long.len();
    if held >= TOKEN_LIMIT || r.store.items.len() >= ITEM_LIMIT {
        r.short.iter_mut().for_each(Memo::clear);
        r.medium.iter_mut().for_each(Memo::clear);
        r.long.clear();
        r.long_entries.clear();
        r.store.items.clear();
        r.store.words.clear();
    }
    let n = text.len();
    r.last.clear();
    r.last.extend_from_slice(text.as_bytes());
    r.last.extend_from_slice(&PAD);
    r.last_len = n;
    r.last_lex = Some(lex.slot());
    // No text has more tokens (or words counting for sentiment) than this.
    let most = n / 2 + 1;
    if r.feats.len() < most {
        r.feats.resize(most, Feat::default());
    }
    let slot = lex.slot();
    let mut at = Scan::default();
    // The tokens the memos have, until one they do not: that one is worked out and
    // remembered, then on.
    while let Some(t) = known(
        &r.short[slot],
        &r.medium[slot],
        &r.last,
        n,
        &mut r.feats,
        &mut at,
    ) {
        let hot = entry_of(r, text, t, lex).0.hot;
        at.i = t.end + 1;
        at.tags |= hot.tags;
        if hot.tags & ASCII != 0 {
            r.feats[at.counted] = hot.feat;
            at.counted += usize::from(hot.feat.counts());
        } else {
            // Split again at other Unicode whitespace, as sentiment reads it.
            for f in text[t.start..t.end].split_whitespace().map(feat) {
                r.feats[at.counted] = f;
                at.counted += usize::from(f.counts());
            }
        }
    }
    r.counted = at.counted;
    r.marks = at.tags & MARKS != 0;
    r.present = Present {
        concepts: at.tags & CONCEPTS,
        money: at.tags & MONEY != 0,
        human: at.tags & HUMAN != 0,
    };
}

/// How far [`known`] has read a text.
#[derive(Default)]
struct Scan {
    /// Where the next token is looked for.
    i: usize,
    /// The tags of the tokens read.
    tags: u32,
    /// How many features `feats` has.
    counted: usize,
}

/// Read the tokens of the padded text `padded` (of `n` bytes) from `at` on that the memos
/// (of the lexicon it is read with) have, into `feats` and `at`: the first token they do not have
/// (or that is too long for them, or not ASCII), if there is one. Nothing here changes the
/// memos, so that they stay in registers.
#[inline(always)]
fn known(
    short: &Memo<u64, Hot, Cold, 4>,
    medium: &Memo<Key, Entry, (), 2>,
    padded: &[u8],
    n: usize,
    feats: &mut [Feat],
    at: &mut Scan,
) -> Option<Token> {
    let (mut i, mut tags, mut counted) = (at.i, at.tags, at.counted);
    let out = loop {
        // The text's end is found as a zero byte, below, not by checking `n` each time.
        let Some(chunk) = padded.get(i..).and_then(|b| b.first_chunk::<16>()) else {
            break None;
        };
        let (head, tail) = chunk.split_at(8);
        let lo = u64::from_le_bytes(head.try_into().unwrap_or_default());
        let hi = u64::from_le_bytes(tail.try_into().unwrap_or_default());
        // Bytes below 0x21; the lowest one flagged is exact.
        let l = memo::below_21(lo);
        let hot = if l & 0x80 != 0 {
            // Whitespace (skipped), or a control character starting a token.
            if memo::is_low_space(lo as u8) {
                i += 1;
                continue;
            }
            None
        } else if l != 0 {
            // A token of up to 7 bytes, if whitespace ends it.
            let len = (l.trailing_zeros() / 8) as usize;
            let key = lo & ((1 << (8 * len)) - 1) | (len as u64) << 56;
            if memo::is_low_space((lo >> (8 * len)) as u8) {
                short.get(key).map(|(_, hot)| (hot, len))
            } else {
                None
            }
        } else {
            let h = memo::below_21(hi);
            let len = 8 + (h.trailing_zeros() / 8) as usize;
            if len < 16 && memo::is_low_space((hi >> (8 * (len - 8))) as u8) {
                let rest = hi & ((1 << (8 * (len - 8))) - 1);
                let key = [lo, rest | (len as u64) << 56];
                medium.get(key).map(|(_, e)| (e.hot, len))
            } else {
                None
            }
        };
        let Some((hot, len)) = hot.filter(|h| h.0.tags & ASCII != 0) else {
            break memo::next_token(padded, n, i);
        };
        i += len + 1;
        tags |= hot.tags;
        feats[counted] = hot.feat;
        counted += usize::from(hot.feat.counts());
    };
    (at.i, at.tags, at.counted) = (i, tags, counted);
    out
}

/// What the token `t` of `text` gives, and where its items are: from the memos, or worked out
/// (and remembered, unless it is too long).
#[inline(never)]
fn entry_of(
    r: &mut Reading,
    text: &str,
    t: Token,
    lex: &'static Lexicon,
) -> (Entry, std::ops::Range<usize>) {
    let items = |c: Cold| c.start as usize..c.start as usize + usize::from(c.items);
    let token = &text[t.start..t.end];
    let len = t.end - t.start;
    let slot = lex.slot();
    let lexicon = (slot as u32 + 1) << LEXICON;
    if len <= 7 {
        if let Some((at, hot)) = r.short[slot].get(short_key(&t)) {
            let cold = r.short[slot].side(at);
            return (Entry { hot, cold }, items(cold));
        }
    } else if len <= 15 {
        if let Some((_, e)) = r.medium[slot].get(medium_key(&t)) {
            return (e, items(e.cold));
        }
    } else if let Some(&e) = r
        .long
        .get(token)
        .and_then(|&at| r.long_entries.get(at as usize))
    {
        if e.hot.tags & 3 << LEXICON == lexicon {
            return (e, items(e.cold));
        }
    }
    let (mut e, items) = work_out(&mut r.store, token, lex);
    if len <= 7 {
        r.short[slot].insert(short_key(&t), e.hot, e.cold);
    } else if len <= 15 {
        r.medium[slot].insert(medium_key(&t), e, ());
    } else if len <= LONG_LIMIT {
        e.hot.tags |= lexicon;
        r.long.insert(token.into(), r.long_entries.len() as u32);
        r.long_entries.push(e);
    }
    (e, items)
}

/// The words of the text `r` last read, with their concepts and clauses: where each word is,
/// its concepts and its clause.
fn lay_out(r: &mut Reading, text: &str, lex: &'static Lexicon) -> Vec<(Word, Concepts, u16)> {
    let n = text.len();
    let mut out = Vec::with_capacity(n / 4 + 4);
    let (mut clause, mut last) = (0u16, None);
    let (mut i, mut from) = (0, 0);
    while let Some(t) = memo::next_token(&r.last, n, i) {
        // A line break between the last token and this one is a clause boundary.
        if last == Some(clause)
            && r.last
                .get(from..t.start)
                .is_some_and(|gap| gap.contains(&b'\n'))
        {
            clause += 1;
        }
        (i, from) = (t.end + 1, t.end);
        let (Entry { hot, cold }, items) = entry_of(r, text, t, lex);
        if cold.shape & INLINE != 0 {
            if cold.shape & BEFORE != 0 && last == Some(clause) {
                clause += 1;
            }
            let at = t.start + usize::from(cold.word >> 4);
            let word = Word::Text(at, at + usize::from(cold.word & 15));
            out.push((word, hot.tags & CONCEPTS, clause));
            last = Some(clause);
            if cold.shape & AFTER != 0 {
                clause += 1;
            }
            continue;
        }
        for item in r.store.items.get(items).unwrap_or_default() {
            match *item {
                Item::Word(s, e, concepts) => {
                    out.push((Word::Store(s as usize, e as usize), concepts, clause));
                    last = Some(clause);
                }
                Item::Contrast => clause += 1,
                Item::Boundary => {
                    if last == Some(clause) {
                        clause += 1;
                    }
                }
            }
        }
    }
    out
}

/// Work out what `token` gives, and where its items are.
fn work_out(
    store: &mut Store,
    token: &str,
    lex: &'static Lexicon,
) -> (Entry, std::ops::Range<usize>) {
    let (start, items, present) = record(store, token, lex);
    let ascii = token.is_ascii();
    let flag = |on: bool, flag: u32| if on { flag } else { 0 };
    let hot = Hot {
        feat: if ascii { feat(token) } else { Feat::default() },
        tags: present.concepts
            | flag(present.money, MONEY)
            | flag(present.human, HUMAN)
            | flag(ascii, ASCII)
            | flag(token.bytes().any(|b| b == b'!' || b == b'?'), MARKS),
    };
    let mut cold = Cold {
        start,
        // Only a token of more than `LONG_LIMIT` bytes (not remembered) has more.
        items: u16::try_from(items).unwrap_or(u16::MAX),
        word: 0,
        shape: 0,
    };
    let span = start as usize..(start + items) as usize;
    if let Some((word, shape)) = inline(&store.items[span.clone()], &store.words, token) {
        (cold.word, cold.shape) = (word, INLINE | shape);
    }
    (Entry { hot, cold }, span)
}

/// Whether a token's items are one word written in the token as it is, with at most a clause
/// boundary on either side: where the word is (high four bits) and its length, and
/// [`BEFORE`] and [`AFTER`].
fn inline(items: &[Item], words: &str, token: &str) -> Option<(u8, u8)> {
    let (word, shape) = match *items {
        [Item::Word(s, e, _)] => ((s, e), 0),
        [Item::Boundary, Item::Word(s, e, _)] => ((s, e), BEFORE),
        [Item::Word(s, e, _), Item::Boundary] => ((s, e), AFTER),
        [Item::Boundary, Item::Word(s, e, _), Item::Boundary] => ((s, e), BEFORE | AFTER),
        _ => return None,
    };
    let word = words.get(word.0 as usize..word.1 as usize)?.as_bytes();
    if token.len() >= 16 || word.is_empty() {
        return None;
    }
    // Where `str::find` finds it: a match of a whole UTF-8 word starts at a character.
    let at = token
        .as_bytes()
        .windows(word.len())
        .position(|w| w == word)?;
    Some(((at << 4 | word.len()) as u8, shape))
}

/// Normalise one token and tag its words: where its new items start, how many, and what its
/// words hold.
fn record(store: &mut Store, token: &str, lex: &Lexicon) -> (u32, u32, Present) {
    let start = store.items.len() as u32;
    let mut recorder = Recorder {
        items: &mut store.items,
        words: &mut store.words,
        present: Present::default(),
        lex,
    };
    scan(token, &mut store.raw, &mut recorder);
    let present = recorder.present;
    (start, store.items.len() as u32 - start, present)
}

struct Recorder<'a> {
    items: &'a mut Vec<Item>,
    words: &'a mut String,
    present: Present,
    lex: &'a Lexicon,
}

impl Sink for Recorder<'_> {
    fn word(&mut self, word: &str) {
        let (items, words, present) = (&mut *self.items, &mut *self.words, &mut self.present);
        self.lex.tag_word(word, |w, concepts| {
            let start = words.len() as u32;
            words.push_str(w);
            items.push(Item::Word(start, words.len() as u32, concepts));
            present.add(w, concepts);
        });
    }

    fn contrast(&mut self) {
        self.items.push(Item::Contrast);
    }

    fn boundary(&mut self) {
        self.items.push(Item::Boundary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_small() {
        assert_eq!(size_of::<Hot>(), 8);
        assert_eq!(size_of::<Cold>(), 8);
        assert_eq!(size_of::<Entry>(), 16);
    }

    #[test]
    fn every_concept_fits_in_the_tags() {
        assert_eq!(lexicon::all_concepts() & !CONCEPTS, 0);
    }
}
