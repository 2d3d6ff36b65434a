//! One reading of a text, shared by sentiment and the hard triggers (edge builds): each distinct
//! whitespace-separated token's VADER features and normalised words are remembered in one memo.

use crate::signal::lexicon::{self, Concepts, Lexicon, WordMap};
use crate::signal::memo::{is_space, token_at, Memo};
use crate::signal::normalize::{scan, Sink};
use crate::signal::sentiment::{feat, Feat};
use crate::trigger::hard::{Present, Tok};
use std::cell::RefCell;

/// Most tokens remembered per thread; the memo is cleared when full.
const TOKEN_LIMIT: usize = 1 << 16;
/// The longest token remembered (longer ones are read each time).
const LONG_LIMIT: usize = 64;
/// Most words kept for them.
const ITEM_LIMIT: usize = 1 << 18;

/// What normalising a token gave, in order.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A word (its place in [`Reading::words`]) and its concepts.
    Word(u32, u32, Concepts),
    /// A new clause ("but").
    Contrast,
    /// Clause punctuation.
    Boundary,
}

/// What one token gave, in 16 bytes: the memo's slots stay small in cache.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// Its sentiment features (ASCII tokens only: others are read afresh, see [`read`]).
    feat: Feat,
    /// Every concept of its words.
    concepts: Concepts,
    /// Its items: `start..start + items` in [`Reading::items`].
    start: u32,
    items: u8,
    /// [`MONEY`], [`HUMAN`], [`ASCII`].
    flags: u8,
    /// The slot of the lexicon its words were tagged with, plus one.
    lex: u8,
    /// With [`INLINE`]: where its one word is in the token (high four bits) and its length.
    word: u8,
}

/// The token has the word "money".
const MONEY: u8 = 1;
/// The token has the word "human".
const HUMAN: u8 = 2;
/// The token is ASCII.
const ASCII: u8 = 4;
/// The token gives one word, written in it as it is (`word`), with a clause boundary before
/// it if [`BEFORE`] and after it if [`AFTER`]: read from the text, not from `items`.
const INLINE: u8 = 8;
const BEFORE: u8 = 16;
const AFTER: u8 = 32;

/// One token of the last text, for the hard triggers.
#[derive(Clone, Copy, Debug)]
enum Piece {
    /// A line break: a clause boundary.
    LineBreak,
    /// Its items, a range in [`Reading::items`].
    Items(u32, u32),
    /// One word in the text (where, how long), its concepts, and clause boundaries before and
    /// after it.
    Word(u32, u8, Concepts, bool, bool),
}

/// The memo, its buffers, and the reading of the last text.
struct Reading {
    memo: Memo<Entry>,
    /// The same for tokens too long for the memo's keys, up to [`LONG_LIMIT`] bytes.
    long: WordMap<Box<str>, Entry>,
    items: Vec<Item>,
    /// The words of the items, back to back.
    words: String,
    /// The word being read.
    raw: String,
    /// The lexicon sentiment reads with: the one the hard triggers last used.
    lex: &'static Lexicon,
    /// The last text read, and the slot of its lexicon (`None`: nothing read yet).
    last: String,
    last_lex: Option<usize>,
    /// Its tokens, with line breaks.
    pieces: Vec<Piece>,
    /// What its words hold.
    present: Present,
    /// Its tokens' sentiment features (tokens that count as words only).
    feats: Vec<Feat>,
}

impl Default for Reading {
    fn default() -> Self {
        Self {
            memo: Memo::default(),
            long: WordMap::default(),
            items: Vec::new(),
            words: String::new(),
            raw: String::new(),
            lex: lexicon::for_locale("en"),
            last: String::new(),
            last_lex: None,
            pieces: Vec::new(),
            present: Present::default(),
            feats: Vec::new(),
        }
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
pub(crate) fn with_feats<R>(text: &str, f: impl FnOnce(&[Feat]) -> R) -> R {
    with_reading(|r| {
        if r.last_lex.is_none() || r.last != text {
            let lex = r.lex;
            read(r, text, lex);
        }
        f(&r.feats)
    })
}

/// The words of `text` with concepts and clauses, as [`crate::trigger::hard`]'s plain reading
/// gives them, handed to `f` if `need` says what they hold is worth it.
pub(crate) fn with_tokens<R>(
    text: &str,
    lex: &'static Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    with_reading(|r| {
        if r.last_lex != Some(lex.slot()) || r.last != text {
            read(r, text, lex);
        }
        r.lex = lex;
        if !need(&r.present) {
            return None;
        }
        let mut toks = Vec::with_capacity(r.pieces.len() + 4);
        let (mut clause, mut last) = (0u16, None);
        for &piece in &r.pieces {
            let (a, b) = match piece {
                Piece::LineBreak => {
                    if last == Some(clause) {
                        clause += 1;
                    }
                    continue;
                }
                Piece::Items(a, b) => (a, b),
                Piece::Word(at, len, concepts, before, after) => {
                    if before && last == Some(clause) {
                        clause += 1;
                    }
                    let at = at as usize;
                    toks.push(Tok {
                        word: &text[at..at + usize::from(len)],
                        concepts,
                        clause,
                    });
                    last = Some(clause);
                    if after {
                        clause += 1;
                    }
                    continue;
                }
            };
            for item in &r.items[a as usize..b as usize] {
                match *item {
                    Item::Word(s, e, concepts) => {
                        toks.push(Tok {
                            word: &r.words[s as usize..e as usize],
                            concepts,
                            clause,
                        });
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
        Some(f(&toks, &r.present))
    })
}

/// Read `text` into `r`: its tokens (split at ASCII whitespace, which normalisation and
/// sentiment both split at) from the memo, or worked out and remembered.
fn read(r: &mut Reading, text: &str, lex: &'static Lexicon) {
    if r.memo.len() + r.long.len() >= TOKEN_LIMIT || r.items.len() >= ITEM_LIMIT {
        r.memo.clear();
        r.long.clear();
        r.items.clear();
        r.words.clear();
    }
    r.last.clear();
    r.last.push_str(text);
    r.last_lex = Some(lex.slot());
    r.pieces.clear();
    r.feats.clear();
    r.present = Present::default();
    let tag = lex.slot() as u8 + 1;
    let bytes = text.as_bytes();
    // What the remembered tokens' words hold, as their flags and concepts.
    let (mut flags, mut concepts) = (0u8, 0);
    let mut i = 0;
    loop {
        while let Some(&b) = bytes.get(i).filter(|&&b| is_space(b)) {
            if b == b'\n' {
                r.pieces.push(Piece::LineBreak);
            }
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i as u32;
        let (end, k) = token_at(bytes, i);
        i = end;
        let entry = match k {
            Some(k) => match r.memo.get(k) {
                Some(e) if e.lex == tag => e,
                found => {
                    let e = work_out(r, &text[start as usize..i], found, lex, tag);
                    if found.is_some() {
                        r.memo.set(k, e);
                    } else {
                        r.memo.insert(k, e);
                    }
                    e
                }
            },
            None => {
                let token = &text[start as usize..i];
                match r.long.get(token) {
                    Some(e) if e.lex == tag => *e,
                    found => {
                        let found = found.copied();
                        let items_before = r.items.len();
                        let e = work_out(r, token, found, lex, tag);
                        if token.len() > LONG_LIMIT || r.items.len() - items_before > 255 {
                            // Too long to remember (or too many items to count in a byte):
                            // read each time.
                            r.present.merge(&Present {
                                concepts: e.concepts,
                                money: e.flags & MONEY != 0,
                                human: e.flags & HUMAN != 0,
                            });
                            let start = items_before as u32;
                            r.pieces.push(Piece::Items(start, r.items.len() as u32));
                            fresh_feats(&mut r.feats, token);
                            continue;
                        }
                        r.long.insert(token.into(), e);
                        e
                    }
                }
            }
        };
        flags |= entry.flags;
        concepts |= entry.concepts;
        r.pieces.push(if entry.flags & INLINE != 0 {
            Piece::Word(
                start + u32::from(entry.word >> 4),
                entry.word & 15,
                entry.concepts,
                entry.flags & BEFORE != 0,
                entry.flags & AFTER != 0,
            )
        } else {
            Piece::Items(entry.start, entry.start + u32::from(entry.items))
        });
        if entry.flags & ASCII == 0 {
            // Split again at other Unicode whitespace, as sentiment reads it.
            fresh_feats(&mut r.feats, &text[start as usize..i]);
        } else if entry.feat.counts() {
            r.feats.push(entry.feat);
        }
    }
    r.present.merge(&Present {
        concepts,
        money: flags & MONEY != 0,
        human: flags & HUMAN != 0,
    });
}

/// Work out what `token` gives, to be remembered; `found` is what the memo had for it under
/// another lexicon, if anything.
fn work_out(
    r: &mut Reading,
    token: &str,
    found: Option<Entry>,
    lex: &'static Lexicon,
    tag: u8,
) -> Entry {
    let (start, items, present) = record(r, token, lex);
    let mut e = found.unwrap_or_else(|| {
        let ascii = token.is_ascii();
        Entry {
            feat: if ascii { feat(token) } else { Feat::default() },
            flags: if ascii { ASCII } else { 0 },
            ..Entry::default()
        }
    });
    let flag = |on: bool, flag: u8| if on { flag } else { 0 };
    e.flags = e.flags & ASCII | flag(present.money, MONEY) | flag(present.human, HUMAN);
    (e.start, e.items, e.concepts, e.lex) = (start, items as u8, present.concepts, tag);
    let span = start as usize..(start + items) as usize;
    if let Some((word, shape)) = inline(&r.items[span], &r.words, token) {
        (e.word, e.flags) = (word, e.flags | INLINE | shape);
    }
    e
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
    let word = &words[word.0 as usize..word.1 as usize];
    let at = token.find(word)?;
    (token.len() < 16 && !word.is_empty()).then_some(((at << 4 | word.len()) as u8, shape))
}

/// The sentiment features of a token read afresh.
fn fresh_feats(feats: &mut Vec<Feat>, token: &str) {
    feats.extend(token.split_whitespace().map(feat).filter(Feat::counts));
}

/// Normalise one token and tag its words: where its new items start, how many, and what its
/// words hold.
fn record(r: &mut Reading, token: &str, lex: &Lexicon) -> (u32, u32, Present) {
    let start = r.items.len() as u32;
    let mut recorder = Recorder {
        items: &mut r.items,
        words: &mut r.words,
        present: Present::default(),
        lex,
    };
    scan(token, &mut r.raw, &mut recorder);
    let present = recorder.present;
    (start, r.items.len() as u32 - start, present)
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
    use crate::signal::memo::Key;

    #[test]
    fn a_memo_slot_is_half_a_cache_line() {
        assert!(size_of::<(Key, Entry)>() <= 32);
    }
}
