//! Sentiment of a customer message in [-1, 1], lexicon-based in the manner of VADER (Hutto &
//! Gilbert 2014): word valences adjusted for boosters, negation, contrast and emphasis.

use crate::signal::lexicon::WordMap;
use crate::signal::memo::count_bytes;
use std::sync::OnceLock;

/// The word list: token → valence on −4…+4 (see `shared/lexicon/README.md`), grouped by
/// valence by `build.rs`: a line `\t<valence>` starts a group, then one word per line.
const LEXICON: &str = include_str!(concat!(env!("OUT_DIR"), "/vader_by_valence.txt"));

const BOOST: f64 = 0.293;
const CAPS_BOOST: f64 = 0.733;
const NEGATION_SCALE: f64 = -0.74;
/// Normalisation constant: compound = s / sqrt(s² + ALPHA).
const ALPHA: f64 = 15.0;

/// What the scorer knows of one lower-case word.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// Its valence, if the word list has it.
    valence: Option<f64>,
    /// How it strengthens (+) or softens (−) the next sentiment word (0: not a booster).
    boost: f64,
    /// A negation word ("not", "never"; "n't" forms are also caught by their spelling).
    negation: bool,
    /// Its valence's place in [`valences`] plus one (0: none), and that of its valence damped
    /// for an inflection (see [`inflected`]).
    at: u8,
    damped_at: u8,
    /// Which named word it is (see [`NAMED`]; 0: none), and whether an idiom ends in it.
    id: u8,
    idiom_end: bool,
}

/// The word map and every valence a word can have.
struct Tables {
    words: WordMap<&'static str, Entry>,
    valences: Vec<f64>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut map: WordMap<&'static str, Entry> = WordMap::default();
        let mut valence: Option<f64> = None;
        for l in LEXICON.lines() {
            match l.strip_prefix('\t') {
                Some(v) => valence = v.parse().ok(),
                None => {
                    if let Some(v) = valence {
                        map.entry(l).or_default().valence = Some(v);
                    }
                }
            }
        }
        for (words, boost) in [(BOOSTERS_UP, BOOST), (BOOSTERS_DOWN, -BOOST)] {
            for w in words {
                map.entry(w).or_default().boost = boost;
            }
        }
        for w in NEGATIONS {
            map.entry(w).or_default().negation = true;
        }
        for w in NAMED {
            map.entry(w).or_default().id = named(w);
        }
        for w in IDIOM_ENDS {
            map.entry(w).or_default().idiom_end = true;
        }
        let mut valences: Vec<f64> = Vec::new();
        let mut place = |v: f64| {
            let at = match valences.iter().position(|x| x.to_bits() == v.to_bits()) {
                Some(at) => at,
                None => {
                    valences.push(v);
                    valences.len() - 1
                }
            };
            u8::try_from(at + 1).unwrap_or(0)
        };
        for e in map.values_mut() {
            if let Some(v) = e.valence {
                (e.at, e.damped_at) = (place(v), place(v * 0.9));
            }
        }
        Tables {
            words: map,
            valences,
        }
    })
}

/// The word list, boosters and negations in one map: one lookup per word.
fn lexicon() -> &'static WordMap<&'static str, Entry> {
    &tables().words
}

/// Every valence a word can have: those of the word list, and those damped for inflections
/// (see [`inflected`]). Fewer than 255.
fn valences() -> &'static [f64] {
    &tables().valences
}

/// Words that strengthen the next sentiment word.
const BOOSTERS_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

/// Words that soften the next sentiment word.
const BOOSTERS_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sorta",
    "sortof",
    "sort-of",
];

/// Negation words; any word with "n't" in it negates too.
const NEGATIONS: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt",
    "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "neednt", "never", "none", "nope",
    "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
    "without", "wont", "wouldnt", "rarely", "seldom", "despite", "uh-uh",
];

/// Words the rules below name, numbered from 1 (0: any other word), so that the scorer
/// compares numbers, not strings.
const NAMED: &[&str] = &[
    "no", "or", "nor", "but", "kind", "of", "never", "so", "this", "without", "doubt", "least",
    "at", "very", "the", "shit", "bomb", "bad", "ass", "yeah", "right", "cut", "mustard", "kiss",
    "death", "hand", "to", "mouth", "die", "for", "beating", "heart", "broken", "badass",
];

/// The number of a named word (0 for any other).
const fn named(word: &str) -> u8 {
    let w = word.as_bytes();
    let mut i = 0;
    while i < NAMED.len() {
        let n = NAMED[i].as_bytes();
        if n.len() == w.len() {
            let mut j = 0;
            while j < n.len() && n[j] == w[j] {
                j += 1;
            }
            if j == n.len() {
                return i as u8 + 1;
            }
        }
        i += 1;
    }
    0
}

const NO: u8 = named("no");
const OR: u8 = named("or");
const NOR: u8 = named("nor");
const BUT: u8 = named("but");
const KIND: u8 = named("kind");
const OF: u8 = named("of");
const NEVER: u8 = named("never");
const SO: u8 = named("so");
const THIS: u8 = named("this");
const WITHOUT: u8 = named("without");
const DOUBT: u8 = named("doubt");
const LEAST: u8 = named("least");
const AT: u8 = named("at");
const VERY: u8 = named("very");

/// Every idiom ends in one of these words (see [`IDIOMS`]).
const IDIOM_ENDS: &[&str] = &[
    "shit", "bomb", "ass", "badass", "right", "mustard", "death", "mouth", "for", "heart",
];

/// Multi-word expressions whose valence replaces their words'. (VADER's single-word "badass"
/// entry is left out: it is compared with two- and three-word candidates, so never matches.)
const IDIOMS: &[(&[&str], f64)] = &[
    (&["the", "shit"], 3.0),
    (&["the", "bomb"], 3.0),
    (&["bad", "ass"], 1.5),
    (&["yeah", "right"], -2.0),
    (&["cut", "the", "mustard"], 2.0),
    (&["kiss", "of", "death"], -1.5),
    (&["hand", "to", "mouth"], -2.0),
    (&["to", "die", "for"], 3.0),
    (&["beating", "heart"], 3.1),
    (&["broken", "heart"], -2.9),
];

/// [`IDIOMS`] as named-word numbers, up to three per idiom.
const IDIOM_IDS: [([u8; 3], f64); IDIOMS.len()] = {
    let mut out = [([0u8; 3], 0.0); IDIOMS.len()];
    let mut i = 0;
    while i < IDIOMS.len() {
        let words = IDIOMS[i].0;
        let mut j = 0;
        while j < words.len() {
            out[i].0[j] = named(words[j]);
            j += 1;
        }
        out[i].1 = IDIOMS[i].1;
        i += 1;
    }
    out
};

/// What the scorer needs of one token, worked out once per distinct token, in one integer (so
/// that it is copied as one): its valence's place in [`valences`] plus one (0: none; from the
/// word list, else from an inflection, see [`inflected`]) in the low byte, then whether it is
/// a booster (+1 strengthens, −1 softens the next sentiment word, as an `i8`), its flags
/// ([`PRESENT`], [`LISTED`], [`NEGATES`], [`UPPER`], [`IDIOM_END`], [`VALENCE`], [`IS_BUT`],
/// [`CONTEXT`]) and
/// which named word it is (see [`NAMED`]). A byte for the valence, not a number, so that the
/// memo of tokens stays small.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Feat(u32);

/// The token counts as a word (single letters do not).
const PRESENT: u8 = 1;
/// The word list has the word itself.
const LISTED: u8 = 2;
/// A negation ("not", "never", "isn't").
const NEGATES: u8 = 4;
/// Written in capitals ("GOOD").
const UPPER: u8 = 8;
/// Every idiom ends in one of these words; the idiom check is skipped for all others.
const IDIOM_END: u8 = 16;
/// It has a valence.
const VALENCE: u8 = 32;
/// It is "but".
const IS_BUT: u8 = 64;
/// A rule looks at it when it is one of the three words before a sentiment word: a negation,
/// a booster, "no" or "least". A sentiment word with none of these before it, and that is not
/// "kind", "no" or the end of an idiom, keeps its valence (see [`valence`]).
const CONTEXT: u8 = 128;

impl Feat {
    fn new(valence: u8, boost: i8, flags: u8, id: u8) -> Self {
        Self(u32::from_le_bytes([valence, boost as u8, flags, id]))
    }

    fn valence(self) -> u8 {
        self.0 as u8
    }

    fn boost(self) -> i8 {
        (self.0 >> 8) as u8 as i8
    }

    fn flags(self) -> u8 {
        (self.0 >> 16) as u8
    }

    fn id(self) -> u8 {
        (self.0 >> 24) as u8
    }

    fn is(self, flag: u8) -> bool {
        self.flags() & flag != 0
    }

    /// The token counts as a word (single letters do not).
    pub(crate) fn counts(self) -> bool {
        self.is(PRESENT)
    }

    fn base(self) -> Option<f64> {
        let i = usize::from(self.valence().checked_sub(1)?);
        valences().get(i).copied()
    }
}

/// The features of one whitespace-free token as VADER reads it: surrounding punctuation
/// stripped unless that leaves two characters or fewer (so emoticons like `:)` survive),
/// single letters dropped, looked up in lower case.
pub(crate) fn feat(token: &str) -> Feat {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    let t = if stripped.chars().count() <= 2 {
        token
    } else {
        stripped
    };
    if t.chars().count() <= 1 {
        return Feat::default();
    }
    // Lower case, on the stack for a short ASCII word.
    let mut buf = [0u8; 32];
    let owned;
    let lower = match buf.get_mut(..t.len()) {
        Some(b) if t.is_ascii() => {
            b.copy_from_slice(t.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).unwrap_or_default()
        }
        _ => {
            owned = t.to_lowercase();
            owned.as_str()
        }
    };
    let lex = lexicon();
    let entry = lex.get(lower).copied().unwrap_or_default();
    let flag = |on: bool, flag: u8| if on { flag } else { 0 };
    let valence = if entry.valence.is_some() {
        entry.at
    } else {
        inflected(lex, lower)
    };
    let (id, idiom_end) = (entry.id, entry.idiom_end);
    let boost = if entry.boost > 0.0 {
        1
    } else if entry.boost < 0.0 {
        -1
    } else {
        0
    };
    let negates = entry.negation || lower.as_bytes().windows(3).any(|w| w == b"n't");
    let flags = PRESENT
        | flag(entry.valence.is_some(), LISTED)
        | flag(negates, NEGATES)
        | flag(is_upper(t), UPPER)
        | flag(idiom_end, IDIOM_END)
        | flag(valence != 0, VALENCE)
        | flag(id == BUT, IS_BUT)
        | flag(negates || boost != 0 || id == NO || id == LEAST, CONTEXT);
    Feat::new(valence, boost, flags, id)
}

fn is_upper(word: &str) -> bool {
    if word.is_ascii() {
        let b = word.as_bytes();
        return b.iter().any(u8::is_ascii_alphabetic) && !b.iter().any(u8::is_ascii_lowercase);
    }
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// Sentiment of `text` in [-1, 1] (VADER's "compound" score).
/// Edge builds remember each distinct token's features ([`super::reading`]).
pub fn sentiment(text: &str) -> f64 {
    super::reading::with_feats(text, |feats, marks| score(text, feats, marks))
}

/// The score of `text` from its tokens' features (`words`); `marks`: whether it may have a
/// `!` or a `?` (when not, they are not counted).
fn score(text: &str, words: &[Feat], marks: bool) -> f64 {
    // One look at every word, with no branches: capitals, whether any has a valence, and
    // whether any is "but"; then where the first "but" is.
    let (any_flags, all_flags) = words.iter().fold((0, u8::MAX), |(any, all), w| {
        (any | w.flags(), all & w.flags())
    });
    if any_flags & VALENCE == 0 {
        return 0.0;
    }
    let (upper, lower) = (any_flags & UPPER != 0, all_flags & UPPER == 0);
    let but = if any_flags & IS_BUT != 0 {
        words.iter().position(|w| w.id() == BUT)
    } else {
        None
    };
    let caps_differ = upper && lower;
    // Every word's valence added in order as `Iterator::sum` adds them, from −0.0; a word with
    // none adds +0.0, and a run of them adds what one does.
    let mut sum = -0.0;
    let mut zero = false;
    for i in 0..words.len() {
        let Some(mut v) = valence(words, i, caps_differ) else {
            zero = true;
            continue;
        };
        // Contrast: what follows "but" weighs more than what precedes it.
        match but {
            Some(b) if i < b => v *= 0.5,
            Some(b) if i > b => v *= 1.5,
            _ => {}
        }
        if zero {
            sum += 0.0;
            zero = false;
        }
        sum += v;
    }
    if zero {
        sum += 0.0;
    }
    // `marks`: whether the text may have a `!` or a `?`.
    if sum != 0.0 && marks {
        let (bangs, questions) = count_bytes(text.as_bytes(), b'!', b'?');
        let bangs = bangs.min(4) as f64 * 0.292;
        let questions = match questions {
            0 | 1 => 0.0,
            n @ 2..=3 => n as f64 * 0.18,
            _ => 0.96,
        };
        sum += (bangs + questions) * sum.signum();
    }
    let compound = sum / (sum * sum + ALPHA).sqrt();
    compound.clamp(-1.0, 1.0)
}

/// The valence word `i` adds, before contrast; `None` when it adds none.
fn valence(words: &[Feat], i: usize, caps_differ: bool) -> Option<f64> {
    let w = words[i];
    let base = w.base()?;
    if w.boost() != 0 {
        return None;
    }
    // Nothing before it that a rule below looks at, and nothing in it: only capitals count
    // (a booster of zero adds zero of the valence's sign, which changes no valence).
    let before = words[i.saturating_sub(3)..i]
        .iter()
        .fold(0, |f, p| f | p.flags());
    if before & CONTEXT == 0 && !matches!(w.id(), KIND | NO) && !w.is(IDIOM_END) {
        let mut v = base;
        if caps_differ && w.is(UPPER) {
            v += CAPS_BOOST * v.signum();
        }
        return Some(v);
    }
    by_the_rules(words, i, caps_differ)
}

/// [`valence`], every rule applied.
fn by_the_rules(words: &[Feat], i: usize, caps_differ: bool) -> Option<f64> {
    let w = words[i];
    let base = w.base()?;
    if w.boost() != 0 {
        return None;
    }
    let id = |i: usize| words[i].id();
    let next = words.get(i + 1);
    if w.id() == KIND && next.is_some_and(|n| n.id() == OF) {
        return None;
    }
    let mut v = base;
    // "no" before a sentiment word negates it rather than counting itself.
    if w.id() == NO && next.is_some_and(|n| n.is(LISTED)) {
        return None;
    }
    if (i > 0 && id(i - 1) == NO)
        || (i > 1 && id(i - 2) == NO)
        || (i > 2 && id(i - 3) == NO && matches!(id(i - 1), OR | NOR))
    {
        v = base * NEGATION_SCALE;
    }
    if caps_differ && w.is(UPPER) {
        v += CAPS_BOOST * v.signum();
    }
    for back in 0..3 {
        if i <= back {
            break;
        }
        let prev = words[i - back - 1];
        if prev.is(LISTED) {
            continue;
        }
        let boost = f64::from(prev.boost()) * BOOST;
        let mut s = boost * v.signum();
        if s != 0.0 && caps_differ && prev.is(UPPER) {
            s += CAPS_BOOST * v.signum() * (boost.signum());
        }
        s *= [1.0, 0.95, 0.9][back];
        v += s;
        v = negation(v, &|k| words[i - k], back);
        if back == 2 && w.is(IDIOM_END) {
            v = idioms(v, words, i);
        }
    }
    // "least": "the least good" reverses; "at least" does not.
    let least = (i > 1 && id(i - 1) == LEAST && !matches!(id(i - 2), AT | VERY))
        || (i == 1 && id(0) == LEAST);
    if least {
        v *= NEGATION_SCALE;
    }
    Some(v)
}

/// Valence of an inflected form missing from the list, from its base form, damped a little
/// (its place in [`valences`] plus one, 0 for none): "-ily" adverbs ("angrily"), "-ness" nouns
/// ("rudeness"), plurals of longer nouns ("idiots"). Other "-ly" adverbs are left alone: too
/// many are discourse words ("honestly", "likely").
fn inflected(lex: &WordMap<&'static str, Entry>, w: &str) -> u8 {
    if w.len() < 5 || !w.is_ascii() {
        return 0;
    }
    let mut buf = [0u8; 64];
    let base: Option<&[u8]> = if let Some(stem) = w.strip_suffix("ily") {
        buf.get_mut(..stem.len() + 1).map(|b| {
            b[..stem.len()].copy_from_slice(stem.as_bytes());
            b[stem.len()] = b'y';
            &*b
        })
    } else if let Some(stem) = w.strip_suffix("ness") {
        (stem.len() >= 4).then_some(stem.as_bytes())
    } else if let Some(stem) = w.strip_suffix('s') {
        (stem.len() >= 5 && !stem.ends_with('s')).then_some(stem.as_bytes())
    } else {
        None
    };
    // The base is ASCII, as `w` is; a base too long for the buffer is in no word list.
    base.and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|b| lex.get(b))
        .map_or(0, |e| if e.valence.is_some() { e.damped_at } else { 0 })
}

/// Negation `back + 1` words before the sentiment word; `w(k)` is the word `k` before it.
fn negation(v: f64, w: &impl Fn(usize) -> Feat, back: usize) -> f64 {
    let id = |k: usize| w(k).id();
    match back {
        0 if w(1).is(NEGATES) => v * NEGATION_SCALE,
        1 => {
            if id(2) == NEVER && matches!(id(1), SO | THIS) {
                v * 1.25
            } else if id(2) == WITHOUT && id(1) == DOUBT {
                v
            } else if w(2).is(NEGATES) {
                v * NEGATION_SCALE
            } else {
                v
            }
        }
        2 => {
            if id(3) == NEVER && (matches!(id(2), SO | THIS) || matches!(id(1), SO | THIS)) {
                v * 1.25
            } else if id(3) == WITHOUT && (id(2) == DOUBT || id(1) == DOUBT) {
                v
            } else if w(3).is(NEGATES) {
                v * NEGATION_SCALE
            } else {
                v
            }
        }
        _ => v,
    }
}

/// The valence of an idiom ending at word `i` (the last one found wins), else `v`.
fn idioms(v: f64, words: &[Feat], i: usize) -> f64 {
    let id = |k: usize| words[k].id();
    let mut out = v;
    // The two words ending here, the three, and the two before this one.
    let candidates = [
        (i >= 1).then(|| [id(i - 1), id(i), 0]),
        (i >= 2).then(|| [id(i - 2), id(i - 1), id(i)]),
        (i >= 2).then(|| [id(i - 2), id(i - 1), 0]),
    ];
    for c in candidates.into_iter().flatten() {
        for (idiom, val) in &IDIOM_IDS {
            // A word outside the named ones (0) matches no idiom word.
            if c[0] != 0 && c == *idiom {
                out = *val;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polarity_and_range() {
        assert!(sentiment("This is great, thank you!") > 0.5);
        assert!(sentiment("This is terrible and I am angry") < -0.5);
        assert_eq!(sentiment(""), 0.0);
        assert_eq!(sentiment("the invoice is attached"), 0.0);
        for t in [
            "GREAT!!!!!!",
            "worst worst worst worst terrible awful horrible",
        ] {
            let s = sentiment(t);
            assert!((-1.0..=1.0).contains(&s), "{t}: {s}");
        }
    }

    #[test]
    fn negation_boosters_and_contrast() {
        let good = sentiment("the service is good");
        assert!(sentiment("the service is not good") < 0.0);
        assert!(sentiment("the service is very good") > good);
        assert!(sentiment("the service is GOOD") > good);
        assert!(sentiment("the service is good!!!") > good);
        assert!(sentiment("the price is fine but support is horrible") < 0.0);
        assert!(sentiment("the service is kind of good") < sentiment("the service is very good"));
    }

    #[test]
    fn remembered_tokens_score_as_fresh_ones() {
        for t in [
            "GOOD but BAD!!",
            "the shit badass",
            "the least helpful answer",
            "caf\u{e9} \u{a0}great\u{a0}job never so good",
            "isn't it kind of nice??",
        ] {
            let feats: Vec<Feat> = t
                .split_whitespace()
                .map(feat)
                .filter(|f| f.counts())
                .collect();
            let fresh = score(t, &feats, true);
            assert_eq!(sentiment(t), fresh, "{t}");
            assert_eq!(sentiment(t), fresh, "{t}");
        }
    }

    /// The score as every word's valence added one by one, from −0.0 (as `Iterator::sum`).
    fn score_word_by_word(text: &str, words: &[Feat]) -> f64 {
        let caps = words.iter().any(|w| w.is(UPPER)) && !words.iter().all(|w| w.is(UPPER));
        let but = words.iter().position(|w| w.id() == BUT);
        let mut sum: f64 = (0..words.len())
            .map(|i| {
                let v = by_the_rules(words, i, caps).unwrap_or(0.0);
                match but {
                    Some(b) if i < b => v * 0.5,
                    Some(b) if i > b => v * 1.5,
                    _ => v,
                }
            })
            .sum();
        if words.iter().all(|w| !w.is(VALENCE)) {
            return 0.0;
        }
        if sum != 0.0 {
            let (bangs, questions) = count_bytes(text.as_bytes(), b'!', b'?');
            let bangs = bangs.min(4) as f64 * 0.292;
            let questions = match questions {
                0 | 1 => 0.0,
                n @ 2..=3 => n as f64 * 0.18,
                _ => 0.96,
            };
            sum += (bangs + questions) * sum.signum();
        }
        (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
    }

    proptest::proptest! {
        /// The score of only the words with a valence is the score word by word, to the bit
        /// (the sign of zero too), for texts of more than 64 words as well.
        #[test]
        fn scores_are_sums_word_by_word(
            text in "((good|BAD|great|not|no|never|so|very|kind|of|least|at|but|the|shit|hardly|extremely|Nice|x|y|z|a|b|c|d)[!?]{0,2} ){0,80}",
        ) {
            let words: Vec<Feat> = text.split_whitespace().map(feat).filter(|f| f.counts()).collect();
            let (fast, slow) = (score(&text, &words, true), score_word_by_word(&text, &words));
            proptest::prop_assert_eq!(fast.to_bits(), slow.to_bits(), "{}", text);
        }

        /// The short way to a valence gives what the rules give, to the bit.
        #[test]
        fn valences_are_the_rules_valences(
            text in "((good|BAD|great|not|no|never|so|this|very|kind|of|least|at|the|shit|without|doubt|isn't|hardly|extremely|or|nor|but|yeah|right|bomb|cut|mustard|Nice|x|y|z) ){0,16}",
        ) {
            let words: Vec<Feat> = text.split_whitespace().map(feat).filter(|f| f.counts()).collect();
            for caps in [false, true] {
                for i in 0..words.len() {
                    let (fast, slow) = (valence(&words, i, caps), by_the_rules(&words, i, caps));
                    proptest::prop_assert_eq!(fast.map(f64::to_bits), slow.map(f64::to_bits), "{} {}", text, i);
                }
            }
        }
    }

    #[test]
    fn every_valence_is_kept_exactly() {
        assert!(valences().len() < 255);
        let listed = |w: &str| lexicon().get(w).and_then(|e| e.valence);
        for (word, stem, damped) in [("good", "good", 1.0), ("idiots", "idiot", 0.9)] {
            let want = listed(stem).map(|v| if damped == 1.0 { v } else { v * 0.9 });
            assert!(want.is_some(), "{stem}");
            assert_eq!(feat(word).base(), want, "{word}");
        }
        assert_eq!(feat("invoice").base(), None);
    }

    #[test]
    fn named_words_and_idiom_ends_are_in_the_map() {
        for w in NAMED.iter().chain(IDIOM_ENDS) {
            let e = lexicon().get(w).copied().unwrap_or_default();
            assert_eq!(e.id, named(w), "{w}");
            assert_eq!(e.idiom_end, IDIOM_ENDS.contains(w), "{w}");
        }
        for (words, _) in IDIOMS {
            assert!(IDIOM_ENDS.contains(words.last().unwrap()));
        }
        assert_eq!(feat("The").id(), named("the"));
        assert_eq!(feat("nothing").id(), 0);
    }

    #[test]
    fn least_and_never() {
        assert!(sentiment("at least it is good") > 0.0);
        assert!(sentiment("this is the least helpful answer") < 0.0);
    }
}
