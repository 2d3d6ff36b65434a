//! Sentiment of a customer message in [-1, 1], lexicon-based in the manner of VADER (Hutto &
//! Gilbert 2014): word valences adjusted for boosters, negation, contrast and emphasis.

use crate::signal::lexicon::WordMap;
use std::cell::RefCell;
use std::sync::OnceLock;

/// The word list: token → valence on −4…+4 (see `shared/lexicon/README.md`).
const LEXICON: &str = include_str!("../../lexicon/vader_lexicon.tsv");

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
}

/// The word list, boosters and negations in one map: one lookup per word.
fn lexicon() -> &'static WordMap<&'static str, Entry> {
    static MAP: OnceLock<WordMap<&'static str, Entry>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: WordMap<&'static str, Entry> = WordMap::default();
        for l in LEXICON.lines() {
            let Some((w, v)) = l.split_once('\t') else {
                continue;
            };
            if let Ok(v) = v.trim().parse() {
                map.entry(w).or_default().valence = Some(v);
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
        map
    })
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

/// Multi-word expressions whose valence replaces their words'.
const IDIOMS: &[(&str, &str, f64)] = &[
    ("the", "shit", 3.0),
    ("the", "bomb", 3.0),
    ("bad", "ass", 1.5),
    ("badass", "", 1.5),
    ("yeah", "right", -2.0),
    ("cut", "the mustard", 2.0),
    ("kiss", "of death", -1.5),
    ("hand", "to mouth", -2.0),
    ("to", "die for", 3.0),
    ("beating", "heart", 3.1),
    ("broken", "heart", -2.9),
];

/// One token as the scorer sees it.
#[derive(Clone, Copy, Debug)]
struct Word {
    /// Where its lower-case form is: in the text itself, or in [`Scratch::lower`].
    in_text: bool,
    start: usize,
    end: usize,
    /// Written in capitals ("GOOD").
    upper: bool,
    /// What the lexicon says about its lower-case form.
    entry: Entry,
}

/// Buffers reused from text to text.
#[derive(Default)]
struct Scratch {
    /// Lower-case forms of the tokens that are not lower case already, back to back.
    lower: String,
    words: Vec<Word>,
    valences: Vec<f64>,
    /// For building an inflection's base form.
    base: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Byte classes for [`tokens`].
const SPACE: u8 = 1;
const PUNCT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
const APOSTROPHE: u8 = 16;
const NON_ASCII: u8 = 32;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if !c.is_ascii() {
            NON_ASCII
        } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            // `char::is_whitespace` for ASCII.
            SPACE
        } else if c == b'\'' {
            PUNCT | APOSTROPHE
        } else if c.is_ascii_punctuation() {
            PUNCT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else {
            0
        };
        b += 1;
    }
    table
};

/// The class of the character at `i`, and its length: multi-byte characters are decoded,
/// and are `SPACE` if Unicode calls them whitespace.
fn class_at(text: &str, i: usize) -> (u8, usize) {
    let class = CLASS[usize::from(text.as_bytes()[i])];
    if class & NON_ASCII == 0 {
        return (class, 1);
    }
    let c = text[i..].chars().next().unwrap_or(' ');
    let class = if c.is_whitespace() { SPACE } else { NON_ASCII };
    (class, c.len_utf8())
}

/// Tokens as VADER sees them: whitespace-separated, surrounding punctuation stripped unless
/// that leaves two characters or fewer (so emoticons like `:)` survive), single letters dropped.
/// Each goes to `scratch.words` with its lower-case form. Returns the number of `!` and `?`.
fn tokens(text: &str, scratch: &mut Scratch) -> (usize, usize) {
    let lex = lexicon();
    scratch.lower.clear();
    scratch.words.clear();
    let bytes = text.as_bytes();
    let (mut bangs, mut questions) = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        let (class, len) = class_at(text, i);
        if class & SPACE != 0 {
            i += len;
            continue;
        }
        // A token: up to the next whitespace.
        let start = i;
        let mut seen = 0;
        while i < bytes.len() {
            let (class, len) = class_at(text, i);
            if class & SPACE != 0 {
                break;
            }
            if class & PUNCT != 0 {
                bangs += usize::from(bytes[i] == b'!');
                questions += usize::from(bytes[i] == b'?');
            }
            seen |= class;
            i += len;
        }
        let punct = |b: u8| CLASS[usize::from(b)] & PUNCT != 0;
        let (mut a, mut e) = (start, i);
        while a < e && punct(bytes[a]) {
            a += 1;
        }
        while e > a && punct(bytes[e - 1]) {
            e -= 1;
        }
        let ascii = seen & NON_ASCII == 0;
        let count = |a: usize, e: usize| {
            if ascii {
                e - a
            } else {
                text[a..e].chars().count()
            }
        };
        let (a, e) = if count(a, e) <= 2 { (start, i) } else { (a, e) };
        if count(a, e) <= 1 {
            continue;
        }
        let t = &text[a..e];
        let seen = if (a, e) == (start, i) {
            seen
        } else {
            t.bytes().fold(0, |s, b| s | CLASS[usize::from(b)])
        };
        let (lower, in_text, upper) = if ascii {
            if seen & UPPER != 0 {
                let from = scratch.lower.len();
                scratch.lower.push_str(t);
                scratch.lower[from..].make_ascii_lowercase();
                (from, false, seen & LOWER == 0)
            } else {
                (a, true, false)
            }
        } else {
            let from = scratch.lower.len();
            scratch.lower.push_str(&t.to_lowercase());
            (from, false, is_upper(t))
        };
        let (source, end) = if in_text {
            (text, e)
        } else {
            (scratch.lower.as_str(), scratch.lower.len())
        };
        let word = &source[lower..end];
        let mut entry = lex.get(word).copied().unwrap_or_default();
        if seen & APOSTROPHE != 0 {
            entry.negation |= word.as_bytes().windows(3).any(|w| w == b"n't");
        }
        scratch.words.push(Word {
            in_text,
            start: lower,
            end,
            upper,
            entry,
        });
    }
    (bangs, questions)
}

fn is_upper(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// Sentiment of `text` in [-1, 1] (VADER's "compound" score).
pub fn sentiment(text: &str) -> f64 {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut scratch) => score(text, &mut scratch),
        Err(_) => score(text, &mut Scratch::default()),
    })
}

fn score(text: &str, scratch: &mut Scratch) -> f64 {
    let lex = lexicon();
    let (bangs, questions) = tokens(text, scratch);
    let Scratch {
        lower: buf,
        words,
        valences,
        base: base_buf,
    } = scratch;
    let (buf, words) = (buf.as_str(), words.as_slice());
    if words.is_empty() {
        return 0.0;
    }
    let lower = |i: usize| {
        let w = &words[i];
        if w.in_text {
            &text[w.start..w.end]
        } else {
            &buf[w.start..w.end]
        }
    };
    let in_lex = |i: usize| words[i].entry.valence.is_some();
    let some_caps = words.iter().any(|w| w.upper);
    let caps_differ = some_caps && words.iter().any(|w| !w.upper);

    valences.clear();
    valences.resize(words.len(), 0.0);
    let mut but = None;
    for i in 0..words.len() {
        let w = lower(i);
        if but.is_none() && w == "but" {
            but = Some(i);
        }
        let entry = words[i].entry;
        if entry.boost != 0.0 {
            continue;
        }
        let next = |n: &str| i + 1 < words.len() && lower(i + 1) == n;
        if w == "kind" && next("of") {
            continue;
        }
        let Some(base) = entry.valence.or_else(|| inflected(lex, w, base_buf)) else {
            continue;
        };
        let mut v = base;
        // "no" before a sentiment word negates it rather than counting itself.
        if w == "no" && i + 1 < words.len() && in_lex(i + 1) {
            continue;
        }
        if (i > 0 && lower(i - 1) == "no")
            || (i > 1 && lower(i - 2) == "no")
            || (i > 2 && lower(i - 3) == "no" && matches!(lower(i - 1), "or" | "nor"))
        {
            v = base * NEGATION_SCALE;
        }
        if caps_differ && words[i].upper {
            v += CAPS_BOOST * v.signum();
        }
        for back in 0..3 {
            if i <= back {
                break;
            }
            let p = i - back - 1;
            if in_lex(p) {
                continue;
            }
            let boost = words[p].entry.boost;
            let mut s = boost * v.signum();
            if s != 0.0 && caps_differ && words[p].upper {
                s += CAPS_BOOST * v.signum() * (boost.signum());
            }
            s *= [1.0, 0.95, 0.9][back];
            v += s;
            v = negation(v, &|k| lower(i - k), |k| words[i - k].entry.negation, back);
            // Every idiom ends in one of these words; skip the check for all others.
            if back == 2
                && matches!(
                    w,
                    "shit"
                        | "bomb"
                        | "ass"
                        | "badass"
                        | "right"
                        | "mustard"
                        | "death"
                        | "mouth"
                        | "for"
                        | "heart"
                )
            {
                v = idioms(v, &lower, i);
            }
        }
        // "least": "the least good" reverses; "at least" does not.
        let least = (i > 1 && lower(i - 1) == "least" && !matches!(lower(i - 2), "at" | "very"))
            || (i == 1 && lower(0) == "least");
        if least {
            v *= NEGATION_SCALE;
        }
        valences[i] = v;
    }
    // Contrast: what follows "but" weighs more than what precedes it.
    if let Some(b) = but {
        for (i, v) in valences.iter_mut().enumerate() {
            if i < b {
                *v *= 0.5;
            } else if i > b {
                *v *= 1.5;
            }
        }
    }
    let mut sum: f64 = valences.iter().sum();
    if sum != 0.0 {
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

/// Valence of an inflected form missing from the list, from its base form, damped a little:
/// "-ily" adverbs ("angrily"), "-ness" nouns ("rudeness"), plurals of longer nouns ("idiots").
/// Other "-ly" adverbs are left alone: too many are discourse words ("honestly", "likely").
fn inflected(lex: &WordMap<&'static str, Entry>, w: &str, buf: &mut String) -> Option<f64> {
    if w.len() < 5 || !w.is_ascii() {
        return None;
    }
    let base: &str = if let Some(stem) = w.strip_suffix("ily") {
        buf.clear();
        buf.push_str(stem);
        buf.push('y');
        buf
    } else if let Some(stem) = w.strip_suffix("ness") {
        if stem.len() < 4 {
            return None;
        }
        stem
    } else if let Some(stem) = w.strip_suffix('s') {
        if stem.len() < 5 || stem.ends_with('s') {
            return None;
        }
        stem
    } else {
        return None;
    };
    lex.get(base).and_then(|e| e.valence).map(|v| v * 0.9)
}

/// Negation `back + 1` words before the sentiment word: `w(k)` is the word `k` before it and
/// `negates(k)` whether that word is a negation.
fn negation<'a>(
    v: f64,
    w: &impl Fn(usize) -> &'a str,
    negates: impl Fn(usize) -> bool,
    back: usize,
) -> f64 {
    match back {
        0 if negates(1) => v * NEGATION_SCALE,
        1 => {
            if w(2) == "never" && matches!(w(1), "so" | "this") {
                v * 1.25
            } else if w(2) == "without" && w(1) == "doubt" {
                v
            } else if negates(2) {
                v * NEGATION_SCALE
            } else {
                v
            }
        }
        2 => {
            if w(3) == "never" && (matches!(w(2), "so" | "this") || matches!(w(1), "so" | "this")) {
                v * 1.25
            } else if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") {
                v
            } else if negates(3) {
                v * NEGATION_SCALE
            } else {
                v
            }
        }
        _ => v,
    }
}

fn idioms<'a>(v: f64, lower: &impl Fn(usize) -> &'a str, i: usize) -> f64 {
    let pair = |a: usize, b: usize| format!("{} {}", lower(a), lower(b));
    let mut out = v;
    let candidates = [
        (i >= 1).then(|| pair(i - 1, i)),
        (i >= 2).then(|| format!("{} {} {}", lower(i - 2), lower(i - 1), lower(i))),
        (i >= 2).then(|| pair(i - 2, i - 1)),
    ];
    for c in candidates.into_iter().flatten() {
        for (a, b, val) in IDIOMS {
            let idiom = if b.is_empty() {
                (*a).to_owned()
            } else {
                format!("{a} {b}")
            };
            if c == idiom {
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
    fn least_and_never() {
        assert!(sentiment("at least it is good") > 0.0);
        assert!(sentiment("this is the least helpful answer") < 0.0);
    }
}
