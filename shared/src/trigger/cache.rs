//! Hard-trigger words remembered per distinct token (edge builds, which classify many texts):
//! a text's words and concepts come from what its whitespace-separated tokens gave before.

use super::hard::{Present, Tok};
use crate::signal::lexicon::{Concepts, Lexicon};
use crate::signal::memo::{find_space, is_space, key, Memo};
use crate::signal::normalize::{scan, Sink};
use std::cell::RefCell;

/// Most tokens remembered per thread and lexicon; the cache is cleared when full.
const TOKEN_LIMIT: usize = 1 << 16;
/// Most words kept for them.
const ITEM_LIMIT: usize = 1 << 18;

/// What normalising a token gave, in order.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A word (its place in [`Cache::text`]) and its concepts.
    Word(u32, u32, Concepts),
    /// A new clause ("but").
    Contrast,
    /// Clause punctuation.
    Boundary,
}

/// Per lexicon: each token's items, and the buffers a text needs.
#[derive(Default)]
struct Cache {
    /// Token → its range in `items`, and what its words hold.
    memo: Memo<Remembered>,
    items: Vec<Item>,
    /// The words of the items, back to back.
    text: String,
    /// The word being read.
    raw: String,
    /// The current text's tokens, as ranges in `items`.
    ranges: Vec<(u32, u32)>,
}

/// What a token gave: its range in [`Cache::items`] and what its words hold.
#[derive(Clone, Copy, Debug, Default)]
struct Remembered {
    start: u32,
    end: u32,
    present: Present,
}

/// A line break between tokens: a clause boundary.
const LINE_BREAK: (u32, u32) = (u32::MAX, u32::MAX);

thread_local! {
    static CACHES: RefCell<[Cache; 2]> = RefCell::new([Cache::default(), Cache::default()]);
}

/// The words of `text` with concepts and clauses, as [`super::hard`]'s plain reading gives
/// them, handed to `f` if `need` says what they hold is worth it.
pub(super) fn with_tokens<R>(
    text: &str,
    lex: &Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    CACHES.with(|c| match c.try_borrow_mut() {
        Ok(mut caches) => run(&mut caches[lex.slot()], text, lex, need, f),
        Err(_) => run(&mut Cache::default(), text, lex, need, f),
    })
}

fn run<R>(
    cache: &mut Cache,
    text: &str,
    lex: &Lexicon,
    need: impl FnOnce(&Present) -> bool,
    f: impl FnOnce(&[Tok<'_>], &Present) -> R,
) -> Option<R> {
    if cache.memo.len() >= TOKEN_LIMIT || cache.items.len() >= ITEM_LIMIT {
        cache.memo.clear();
        cache.items.clear();
        cache.text.clear();
    }
    cache.ranges.clear();
    let mut present = Present::default();
    // Split at ASCII whitespace, a separator everywhere in normalisation; a line break also
    // ends a clause.
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && is_space(bytes[i]) {
            if bytes[i] == b'\n' {
                cache.ranges.push(LINE_BREAK);
            }
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        i = find_space(bytes, i);
        let token = &text[start..i];
        let r = match key(token.as_bytes()) {
            Some(k) => match cache.memo.get(k) {
                Some(r) => r,
                None => {
                    let r = record(cache, token, lex);
                    cache.memo.insert(k, r);
                    r
                }
            },
            // Too long to remember: read each time.
            None => record(cache, token, lex),
        };
        present.merge(&r.present);
        cache.ranges.push((r.start, r.end));
    }
    if !need(&present) {
        return None;
    }
    let mut toks = Vec::with_capacity(cache.ranges.len() + 4);
    let (mut clause, mut last) = (0u16, None);
    for &(a, b) in &cache.ranges {
        if (a, b) == LINE_BREAK {
            if last == Some(clause) {
                clause += 1;
            }
            continue;
        }
        for item in &cache.items[a as usize..b as usize] {
            match *item {
                Item::Word(s, e, concepts) => {
                    toks.push(Tok {
                        word: &cache.text[s as usize..e as usize],
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
    Some(f(&toks, &present))
}

/// Normalise one token and tag its words: its new items.
fn record(cache: &mut Cache, token: &str, lex: &Lexicon) -> Remembered {
    let start = cache.items.len() as u32;
    let mut recorder = Recorder {
        items: &mut cache.items,
        text: &mut cache.text,
        present: Present::default(),
        lex,
    };
    scan(token, &mut cache.raw, &mut recorder);
    let present = recorder.present;
    Remembered {
        start,
        end: cache.items.len() as u32,
        present,
    }
}

struct Recorder<'a> {
    items: &'a mut Vec<Item>,
    text: &'a mut String,
    present: Present,
    lex: &'a Lexicon,
}

impl Sink for Recorder<'_> {
    fn word(&mut self, word: &str) {
        let (items, text, present) = (&mut *self.items, &mut *self.text, &mut self.present);
        self.lex.tag_word(word, |w, concepts| {
            let start = text.len() as u32;
            text.push_str(w);
            items.push(Item::Word(start, text.len() as u32, concepts));
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
