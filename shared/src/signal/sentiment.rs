//! Sentiment of a customer message in [-1, 1], lexicon-based in the manner of VADER (Hutto &
//! Gilbert 2014): word valences adjusted for boosters, negation, contrast and emphasis.

use crate::signal::lexicon::WordMap;
use std::sync::OnceLock;

/// The word list: token → valence on −4…+4 (see `shared/lexicon/README.md`).
const LEXICON: &str = include_str!("../../lexicon/vader_lexicon.tsv");

const BOOST: f64 = 0.293;
const CAPS_BOOST: f64 = 0.733;
const NEGATION_SCALE: f64 = -0.74;
/// Normalisation constant: compound = s / sqrt(s² + ALPHA).
const ALPHA: f64 = 15.0;

fn lexicon() -> &'static WordMap<&'static str, f64> {
    static MAP: OnceLock<WordMap<&'static str, f64>> = OnceLock::new();
    MAP.get_or_init(|| {
        LEXICON
            .lines()
            .filter_map(|l| {
                let (w, v) = l.split_once('\t')?;
                Some((w, v.trim().parse().ok()?))
            })
            .collect()
    })
}

/// Words that strengthen (+) or soften (−) the next sentiment word.
fn booster(word: &str) -> f64 {
    match word {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably"
        | "decidedly" | "deeply" | "effing" | "enormous" | "enormously" | "entirely"
        | "especially" | "exceptional" | "exceptionally" | "extreme" | "extremely"
        | "fabulously" | "flipping" | "flippin" | "frackin" | "fracking" | "fricking"
        | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly"
        | "intensely" | "major" | "majorly" | "more" | "most" | "particularly" | "purely"
        | "quite" | "really" | "remarkably" | "so" | "substantially" | "thoroughly" | "total"
        | "totally" | "tremendous" | "tremendously" | "uber" | "unbelievably" | "unusually"
        | "utter" | "utterly" | "very" => BOOST,
        "almost" | "barely" | "hardly" | "kinda" | "kindof" | "kind-of" | "less" | "little"
        | "marginal" | "marginally" | "occasional" | "occasionally" | "partly" | "scarce"
        | "scarcely" | "slight" | "slightly" | "somewhat" | "sorta" | "sortof" | "sort-of" => {
            -BOOST
        }
        _ => 0.0,
    }
}

fn is_negation(word: &str) -> bool {
    matches!(
        word,
        "aint"
            | "arent"
            | "cannot"
            | "cant"
            | "couldnt"
            | "darent"
            | "didnt"
            | "doesnt"
            | "dont"
            | "hadnt"
            | "hasnt"
            | "havent"
            | "isnt"
            | "mightnt"
            | "mustnt"
            | "neither"
            | "neednt"
            | "never"
            | "none"
            | "nope"
            | "nor"
            | "not"
            | "nothing"
            | "nowhere"
            | "oughtnt"
            | "shant"
            | "shouldnt"
            | "uhuh"
            | "wasnt"
            | "werent"
            | "without"
            | "wont"
            | "wouldnt"
            | "rarely"
            | "seldom"
            | "despite"
            | "uh-uh"
    ) || word.contains("n't")
}

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

/// Tokens as VADER sees them: whitespace-separated, surrounding punctuation stripped unless
/// that leaves two characters or fewer (so emoticons like `:)` survive), single letters dropped.
fn tokens(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|t| {
            let stripped = t.trim_matches(|c: char| c.is_ascii_punctuation());
            if stripped.chars().count() <= 2 {
                t
            } else {
                stripped
            }
        })
        .filter(|t| t.chars().count() > 1)
        .collect()
}

fn is_upper(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// Sentiment of `text` in [-1, 1] (VADER's "compound" score).
pub fn sentiment(text: &str) -> f64 {
    let lex = lexicon();
    let words = tokens(text);
    if words.is_empty() {
        return 0.0;
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let some_caps = words.iter().any(|w| is_upper(w));
    let caps_differ = some_caps && words.iter().any(|w| !is_upper(w));

    let mut valences = vec![0.0f64; words.len()];
    for i in 0..words.len() {
        let w = lower[i].as_str();
        if booster(w) != 0.0 {
            continue;
        }
        if w == "kind" && lower.get(i + 1).is_some_and(|n| n == "of") {
            continue;
        }
        let Some(base) = lex.get(w).copied().or_else(|| inflected(lex, w)) else {
            continue;
        };
        let mut v = base;
        // "no" before a sentiment word negates it rather than counting itself.
        if w == "no"
            && lower
                .get(i + 1)
                .is_some_and(|n| lex.contains_key(n.as_str()))
        {
            continue;
        }
        if (i > 0 && lower[i - 1] == "no")
            || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && matches!(lower[i - 1].as_str(), "or" | "nor"))
        {
            v = base * NEGATION_SCALE;
        }
        if caps_differ && is_upper(words[i]) {
            v += CAPS_BOOST * v.signum();
        }
        for back in 0..3 {
            if i <= back {
                break;
            }
            let prev = lower[i - back - 1].as_str();
            if lex.contains_key(prev) {
                continue;
            }
            let mut s = booster(prev) * v.signum();
            if s != 0.0 && caps_differ && is_upper(words[i - back - 1]) {
                s += CAPS_BOOST * v.signum() * (booster(prev).signum());
            }
            s *= [1.0, 0.95, 0.9][back];
            v += s;
            v = negation(v, &lower, back, i);
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
        let least =
            (i > 1 && lower[i - 1] == "least" && !matches!(lower[i - 2].as_str(), "at" | "very"))
                || (i == 1 && lower[0] == "least");
        if least {
            v *= NEGATION_SCALE;
        }
        valences[i] = v;
    }
    // Contrast: what follows "but" weighs more than what precedes it.
    if let Some(b) = lower.iter().position(|w| w == "but") {
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
        let bangs = text.matches('!').count().min(4) as f64 * 0.292;
        let questions = match text.matches('?').count() {
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
fn inflected(lex: &WordMap<&'static str, f64>, w: &str) -> Option<f64> {
    if w.len() < 5 || !w.is_ascii() {
        return None;
    }
    let base: Option<String> = if let Some(stem) = w.strip_suffix("ily") {
        Some(format!("{stem}y"))
    } else if let Some(stem) = w.strip_suffix("ness") {
        (stem.len() >= 4).then(|| stem.to_owned())
    } else if let Some(stem) = w.strip_suffix('s') {
        (stem.len() >= 5 && !stem.ends_with('s')).then(|| stem.to_owned())
    } else {
        None
    };
    base.and_then(|b| lex.get(b.as_str()).map(|v| v * 0.9))
}

fn negation(v: f64, lower: &[String], back: usize, i: usize) -> f64 {
    let w = |k: usize| lower[i - k].as_str();
    match back {
        0 if is_negation(w(1)) => v * NEGATION_SCALE,
        1 => {
            if w(2) == "never" && matches!(w(1), "so" | "this") {
                v * 1.25
            } else if w(2) == "without" && w(1) == "doubt" {
                v
            } else if is_negation(w(2)) {
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
            } else if is_negation(w(3)) {
                v * NEGATION_SCALE
            } else {
                v
            }
        }
        _ => v,
    }
}

fn idioms(v: f64, lower: &[String], i: usize) -> f64 {
    let pair = |a: usize, b: usize| format!("{} {}", lower[a], lower[b]);
    let mut out = v;
    let candidates = [
        (i >= 1).then(|| pair(i - 1, i)),
        (i >= 2).then(|| format!("{} {} {}", lower[i - 2], lower[i - 1], lower[i])),
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
