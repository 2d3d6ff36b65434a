//! Text normalisation for matching: lower case, accents folded, contractions expanded, long
//! letter runs squeezed, split into word tokens with clause boundaries kept.

/// One word of normalised text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The normalised word (lower case, no accents, letters and digits only).
    pub word: String,
    /// Index of the clause (split at `. , ; : ! ?` and "but") the word belongs to.
    pub clause: u16,
}

/// Fold a lower-case character to its unaccented ASCII letter where one is obvious.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ß' => 's',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ť' => 't',
        'ď' => 'd',
        '\u{2019}' | '\u{2018}' | '`' | '´' => '\'',
        other => other,
    }
}

/// Contractions and chat spellings, and the words they stand for.
const EXPANSIONS: &[(&str, &[&str])] = &[
    ("can't", &["can", "not"]),
    ("cant", &["can", "not"]),
    ("cannot", &["can", "not"]),
    ("won't", &["will", "not"]),
    ("wont", &["will", "not"]),
    ("don't", &["do", "not"]),
    ("dont", &["do", "not"]),
    ("doesn't", &["does", "not"]),
    ("doesnt", &["does", "not"]),
    ("didn't", &["did", "not"]),
    ("didnt", &["did", "not"]),
    ("isn't", &["is", "not"]),
    ("isnt", &["is", "not"]),
    ("aren't", &["are", "not"]),
    ("wasn't", &["was", "not"]),
    ("weren't", &["were", "not"]),
    ("haven't", &["have", "not"]),
    ("havent", &["have", "not"]),
    ("hasn't", &["has", "not"]),
    ("hadn't", &["had", "not"]),
    ("wouldn't", &["would", "not"]),
    ("shouldn't", &["should", "not"]),
    ("couldn't", &["could", "not"]),
    ("couldnt", &["could", "not"]),
    ("mustn't", &["must", "not"]),
    ("needn't", &["need", "not"]),
    ("ain't", &["is", "not"]),
    ("i'm", &["i", "am"]),
    ("im", &["i", "am"]),
    ("i've", &["i", "have"]),
    ("ive", &["i", "have"]),
    ("i'd", &["i", "would"]),
    ("i'll", &["i", "will"]),
    ("you're", &["you", "are"]),
    ("youre", &["you", "are"]),
    ("it's", &["it", "is"]),
    ("that's", &["that", "is"]),
    ("let's", &["let", "us"]),
    ("wanna", &["want", "to"]),
    ("wana", &["want", "to"]),
    ("gonna", &["going", "to"]),
    ("gotta", &["got", "to"]),
    ("hafta", &["have", "to"]),
    ("u", &["you"]),
    ("ya", &["you"]),
    ("ur", &["your"]),
    ("pls", &["please"]),
    ("plz", &["please"]),
    ("thx", &["thanks"]),
    ("r", &["are"]),
];

/// Per first letter, the lengths (as bits) of the [`EXPANSIONS`] that start with it: most
/// words are ruled out by one table read.
const EXPANDABLE: [u16; 128] = {
    let mut table = [0u16; 128];
    let mut i = 0;
    while i < EXPANSIONS.len() {
        let w = EXPANSIONS[i].0.as_bytes();
        table[w[0] as usize] |= 1 << w.len();
        i += 1;
    }
    table
};

/// A word of up to 16 bytes as one number (words have no NUL bytes, so no two collide).
const fn pack(word: &[u8]) -> u128 {
    let mut key = 0;
    let mut i = 0;
    while i < word.len() {
        key = key << 8 | word[i] as u128;
        i += 1;
    }
    key
}

/// The packed keys of [`EXPANSIONS`], sorted for a binary search, and where each one is.
const EXPANSION_KEYS: ([u128; EXPANSIONS.len()], [u8; EXPANSIONS.len()]) = {
    let mut keys = [0u128; EXPANSIONS.len()];
    let mut at = [0u8; EXPANSIONS.len()];
    let mut i = 0;
    while i < EXPANSIONS.len() {
        keys[i] = pack(EXPANSIONS[i].0.as_bytes());
        at[i] = i as u8;
        // Insertion sort.
        let mut j = i;
        while j > 0 && keys[j - 1] > keys[j] {
            (keys[j - 1], keys[j]) = (keys[j], keys[j - 1]);
            (at[j - 1], at[j]) = (at[j], at[j - 1]);
            j -= 1;
        }
        i += 1;
    }
    (keys, at)
};

/// The words a contraction or chat spelling stands for.
fn expansion(word: &str) -> Option<&'static [&'static str]> {
    let b = word.as_bytes();
    let first = usize::from(*b.first()?);
    if first >= 128 || b.len() >= 16 || EXPANDABLE[first] & (1 << b.len()) == 0 {
        return None;
    }
    let (keys, at) = &EXPANSION_KEYS;
    let i = keys.binary_search(&pack(b)).ok()?;
    Some(EXPANSIONS[usize::from(at[i])].1)
}

/// "but", "however", "although": what follows is a new clause.
fn is_contrast(word: &str) -> bool {
    matches!(word.len(), 3 | 7 | 8) && matches!(word, "but" | "however" | "although")
}

/// Three equal bytes in a row ("sooo").
fn has_run(word: &str) -> bool {
    word.as_bytes()
        .windows(3)
        .any(|w| w[0] == w[1] && w[1] == w[2])
}

/// Squeeze runs of three or more equal letters to two ("pleeease" → "please" after `squeeze_more`).
fn squeeze(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        if c == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
            last = c;
        }
        out.push(c);
    }
    out
}

/// Where [`scan`] sends what it reads.
pub(crate) trait Sink {
    /// A normalised word.
    fn word(&mut self, word: &str);
    /// "but", "however", "although": a new clause starts.
    fn contrast(&mut self);
    /// Clause punctuation (`. , ; : ! ? ( )` or a line break): a new clause starts unless the
    /// current one is still empty.
    fn boundary(&mut self);
}

/// Normalised words of one text in one reusable buffer: classifying many texts with the same
/// `Words` allocates nothing once it has grown.
#[derive(Clone, Debug, Default)]
pub struct Words {
    /// The words, back to back.
    text: String,
    /// Each word's end in `text` and its clause.
    ends: Vec<(usize, u16)>,
    /// The clause being read.
    clause: u16,
    /// The word being read.
    raw: String,
}

impl Words {
    /// How many words.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No words at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`th word and its clause.
    pub fn get(&self, i: usize) -> (&str, u16) {
        let start = if i == 0 { 0 } else { self.ends[i - 1].0 };
        let (end, clause) = self.ends[i];
        // Word ends are char boundaries; `get` only keeps core's slice-error formatting out of
        // the widget's wasm.
        (self.text.get(start..end).unwrap_or(""), clause)
    }

    /// Every word with its clause, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u16)> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(end, clause)| {
            let word = self.text.get(start..end).unwrap_or("");
            start = end;
            (word, clause)
        })
    }
}

impl Sink for Words {
    fn word(&mut self, word: &str) {
        self.text.push_str(word);
        self.ends.push((self.text.len(), self.clause));
    }

    fn contrast(&mut self) {
        self.clause += 1;
    }

    fn boundary(&mut self) {
        if self.ends.last().is_some_and(|&(_, c)| c == self.clause) {
            self.clause += 1;
        }
    }
}

/// End the word being read in `raw`, if any.
fn end_word(raw: &mut String, out: &mut impl Sink) {
    if raw.is_empty() {
        return;
    }
    push_word(raw, raw.contains('\''), out);
    raw.clear();
}

/// A whole word, lower case; `apostrophe`: whether it has one.
fn push_word(raw: &str, apostrophe: bool, out: &mut impl Sink) {
    if apostrophe || raw.is_empty() || has_run(raw) {
        return push_unusual_word(raw, out);
    }
    // The common case: nothing to trim, squeeze or drop.
    if is_contrast(raw) {
        out.contrast();
    } else if let Some(parts) = expansion(raw) {
        for p in parts {
            out.word(p);
        }
    } else {
        out.word(raw);
    }
}

/// A word with apostrophes or letter runs.
#[cold]
fn push_unusual_word(raw: &str, out: &mut impl Sink) {
    let word = raw.trim_matches('\'');
    if word.is_empty() {
        return;
    }
    if is_contrast(word) {
        out.contrast();
        return;
    }
    let squeezed;
    let word = if has_run(word) {
        squeezed = squeeze(word);
        squeezed.as_str()
    } else {
        word
    };
    match expansion(word) {
        Some(parts) => {
            for p in parts {
                out.word(p);
            }
        }
        None => {
            // Possessive or stray apostrophes: "company's" → "company".
            let word = word.strip_suffix("'s").unwrap_or(word);
            out.word(&word.replace('\'', ""));
        }
    }
}

/// A character that is not part of a word: ends the word, and a clause at punctuation.
fn separator(c: char, raw: &mut String, out: &mut impl Sink) {
    end_word(raw, out);
    if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')') {
        out.boundary();
    }
}

/// Byte classes for [`scan`].
const WORD: u8 = 1;
const UPPER: u8 = 2;
const APOSTROPHE: u8 = 4;
/// Not plain ASCII: a byte of a multi-byte character, or a backtick (read as an apostrophe).
const SPECIAL: u8 = 8;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            WORD
        } else if c.is_ascii_uppercase() {
            WORD | UPPER
        } else if c == b'\'' {
            WORD | APOSTROPHE
        } else if c == b'`' || !c.is_ascii() {
            SPECIAL
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Read `text` into `out`: lower case, accents folded, contractions expanded, long letter
/// runs squeezed, with clause boundaries. `raw` is a buffer for the word being read.
pub(crate) fn scan(text: &str, raw: &mut String, out: &mut impl Sink) {
    raw.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[usize::from(bytes[i])];
        if class & WORD != 0 {
            // A run of ASCII word characters.
            let start = i;
            let mut seen = 0;
            while i < bytes.len() && CLASS[usize::from(bytes[i])] & WORD != 0 {
                seen |= CLASS[usize::from(bytes[i])];
                i += 1;
            }
            let run = text.get(start..i).unwrap_or("");
            let whole = raw.is_empty()
                && bytes
                    .get(i)
                    .is_none_or(|&b| CLASS[usize::from(b)] & SPECIAL == 0);
            if whole && seen & UPPER == 0 {
                // The common case: a lower-case word on its own, read in place.
                push_word(run, seen & APOSTROPHE != 0, out);
            } else {
                let at = raw.len();
                raw.push_str(run);
                if let Some(tail) = raw.get_mut(at..) {
                    tail.make_ascii_lowercase();
                }
            }
        } else if class & SPECIAL == 0 {
            separator(char::from(bytes[i]), raw, out);
            i += 1;
        } else if bytes[i] == b'`' {
            raw.push('\'');
            i += 1;
        } else {
            let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            for c in super::lower::to_lower(c) {
                let c = fold(c);
                if c.is_alphanumeric() || c == '\'' {
                    raw.push(c);
                } else {
                    separator(c, raw, out);
                }
            }
        }
    }
    end_word(raw, out);
}

/// Normalise `text` into `out` (cleared first): word tokens with clause numbers.
pub fn normalize_into(text: &str, out: &mut Words) {
    out.text.clear();
    out.ends.clear();
    out.clause = 0;
    let mut raw = std::mem::take(&mut out.raw);
    scan(text, &mut raw, out);
    out.raw = raw;
}

/// Normalise `text` into word tokens with clause numbers.
pub fn normalize(text: &str) -> Vec<Token> {
    let mut words = Words::default();
    normalize_into(text, &mut words);
    words
        .iter()
        .map(|(w, clause)| Token {
            word: w.to_owned(),
            clause,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        normalize(text).into_iter().map(|t| t.word).collect()
    }

    #[test]
    fn lower_cases_folds_and_expands() {
        assert_eq!(
            words("I DON'T want Café"),
            ["i", "do", "not", "want", "cafe"]
        );
        assert_eq!(words("I can’t pay"), ["i", "can", "not", "pay"]);
        assert_eq!(words("pls help u"), ["please", "help", "you"]);
    }

    #[test]
    fn every_expansion_is_found() {
        for (word, parts) in EXPANSIONS {
            assert_eq!(expansion(word), Some(*parts), "{word}");
        }
        for word in ["the", "is", "it", "in", "what", "cants", "youre'", ""] {
            assert_eq!(expansion(word), None, "{word}");
        }
    }

    #[test]
    fn squeezes_elongated_words() {
        assert_eq!(words("pleeeease heeelp"), ["pleease", "heelp"]);
        assert_eq!(words("sooo good"), ["soo", "good"]);
    }

    #[test]
    fn clauses_split_at_punctuation_and_but() {
        let t = normalize("no thanks, but get me a human");
        let clauses: Vec<u16> = t.iter().map(|t| t.clause).collect();
        assert_eq!(clauses, [0, 0, 2, 2, 2, 2]);
    }

    #[test]
    fn possessives_drop() {
        assert_eq!(words("the company's fault"), ["the", "company", "fault"]);
    }
}
