//! One reading of a text, shared by sentiment and the hard triggers (edge builds): each distinct
//! whitespace-separated token's VADER features and normalised words are remembered in one memo.

use crate::signal::lexicon::{self, Concepts, Lexicon};
use crate::signal::memo::{find_space, is_space, key, Memo};
use crate::signal::normalize::{scan, Sink};
use crate::signal::sentiment::{feat, Feat};
use crate::trigger::hard::{Present, Tok};
use std::cell::RefCell;

/// Most tokens remembered per thread; the memo is cleared when full.
const TOKEN_LIMIT: usize = 1 << 16;
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

/// What one token gave.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// Its sentiment features (ASCII tokens only: others are read afresh, see [`read`]).
    feat: Feat,
    /// What its words hold.
    present: Present,
    /// Its items: `start..start + items` in [`Reading::items`].
    start: u32,
    items: u16,
    /// The slot of the lexicon its words were tagged with, plus one.
    lex: u8,
    ascii: bool,
}

/// A line break between tokens: a clause boundary.
const LINE_BREAK: (u32, u32) = (u32::MAX, u32::MAX);

/// The memo, its buffers, and the reading of the last text.
struct Reading {
    memo: Memo<Entry>,
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
    /// Its tokens, as ranges in `items`, with line breaks.
    ranges: Vec<(u32, u32)>,
    /// What its words hold.
    present: Present,
    /// Its tokens' sentiment features (tokens that count as words only).
    feats: Vec<Feat>,
}

impl Default for Reading {
    fn default() -> Self {
        Self {
            memo: Memo::default(),
            items: Vec::new(),
            words: String::new(),
            raw: String::new(),
            lex: lexicon::for_locale("en"),
            last: String::new(),
            last_lex: None,
            ranges: Vec::new(),
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
        let mut toks = Vec::with_capacity(r.ranges.len() + 4);
        let (mut clause, mut last) = (0u16, None);
        for &(a, b) in &r.ranges {
            if (a, b) == LINE_BREAK {
                if last == Some(clause) {
                    clause += 1;
                }
                continue;
            }
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
    if r.memo.len() >= TOKEN_LIMIT || r.items.len() >= ITEM_LIMIT {
        r.memo.clear();
        r.items.clear();
        r.words.clear();
    }
    r.last.clear();
    r.last.push_str(text);
    r.last_lex = Some(lex.slot());
    r.ranges.clear();
    r.feats.clear();
    r.present = Present::default();
    let tag = lex.slot() as u8 + 1;
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && is_space(bytes[i]) {
            if bytes[i] == b'\n' {
                r.ranges.push(LINE_BREAK);
            }
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        i = find_space(bytes, i);
        let token = &text[start..i];
        let Some(k) = key(token.as_bytes()) else {
            // Too long to remember: read each time.
            let (start, items, present) = record(r, token, lex);
            r.present.merge(&present);
            r.ranges.push((start, start + items));
            fresh_feats(&mut r.feats, token);
            continue;
        };
        let entry = match r.memo.get(k) {
            Some(e) if e.lex == tag => e,
            found => {
                let (start, items, present) = record(r, token, lex);
                let mut e = found.unwrap_or_else(|| {
                    let ascii = token.is_ascii();
                    Entry {
                        feat: if ascii { feat(token) } else { Feat::default() },
                        ascii,
                        ..Entry::default()
                    }
                });
                (e.start, e.items, e.present, e.lex) = (start, items as u16, present, tag);
                if found.is_some() {
                    r.memo.set(k, e);
                } else {
                    r.memo.insert(k, e);
                }
                e
            }
        };
        r.present.merge(&entry.present);
        r.ranges
            .push((entry.start, entry.start + u32::from(entry.items)));
        if !entry.ascii {
            // Split again at other Unicode whitespace, as sentiment reads it.
            fresh_feats(&mut r.feats, token);
        } else if entry.feat.counts() {
            r.feats.push(entry.feat);
        }
    }
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
