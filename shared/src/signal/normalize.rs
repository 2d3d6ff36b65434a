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

/// The words a contraction or chat spelling stands for.
fn expansion(word: &str) -> Option<&'static [&'static str]> {
    let b = word.as_bytes();
    let first = usize::from(*b.first()?);
    if first >= 128 || b.len() >= 16 || EXPANDABLE[first] & (1 << b.len()) == 0 {
        return None;
    }
    EXPANSIONS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, parts)| *parts)
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

/// Normalised words of one text in one reusable buffer: classifying many texts with the same
/// `Words` allocates nothing once it has grown.
#[derive(Clone, Debug, Default)]
pub struct Words {
    /// The words, back to back.
    text: String,
    /// Each word's end in `text` and its clause.
    ends: Vec<(usize, u16)>,
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
        (&self.text[start..end], clause)
    }

    /// Every word with its clause, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u16)> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&(end, clause)| {
            let word = &self.text[start..end];
            start = end;
            (word, clause)
        })
    }

    fn push(&mut self, word: &str, clause: u16) {
        self.text.push_str(word);
        self.ends.push((self.text.len(), clause));
    }

    fn last_clause(&self) -> Option<u16> {
        self.ends.last().map(|&(_, c)| c)
    }

    /// End the word being read, if any.
    fn end_word(&mut self, clause: &mut u16) {
        if self.raw.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.raw);
        self.push_word(&raw, raw.contains('\''), clause);
        self.raw = raw;
        self.raw.clear();
    }

    /// A whole word, lower case; `apostrophe`: whether it has one.
    fn push_word(&mut self, raw: &str, apostrophe: bool, clause: &mut u16) {
        let word = if apostrophe {
            raw.trim_matches('\'')
        } else {
            raw
        };
        if word.is_empty() {
            return;
        }
        if matches!(word.len(), 3 | 7 | 8)
            && (word == "but" || word == "however" || word == "although")
        {
            *clause += 1;
            return;
        }
        let had_run = word
            .as_bytes()
            .windows(3)
            .any(|w| w[0] == w[1] && w[1] == w[2]);
        let squeezed;
        let (word, apostrophe) = if had_run {
            squeezed = squeeze(word);
            (squeezed.as_str(), squeezed.contains('\''))
        } else {
            (word, apostrophe)
        };
        match expansion(word) {
            Some(parts) => {
                for p in parts {
                    self.push(p, *clause);
                }
            }
            None if apostrophe => {
                // Possessive or stray apostrophes: "company's" → "company".
                let word = word.strip_suffix("'s").unwrap_or(word);
                self.text.extend(word.chars().filter(|&c| c != '\''));
                self.ends.push((self.text.len(), *clause));
            }
            None => self.push(word, *clause),
        }
    }

    /// A character that is not part of a word: ends the word, and a clause at punctuation.
    fn separator(&mut self, c: char, clause: &mut u16) {
        self.end_word(clause);
        let boundary = matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')');
        if boundary && self.last_clause() == Some(*clause) {
            *clause += 1;
        }
    }
}

/// Byte classes for [`normalize_into`].
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

/// Normalise `text` into `out` (cleared first): word tokens with clause numbers.
pub fn normalize_into(text: &str, out: &mut Words) {
    out.text.clear();
    out.ends.clear();
    out.raw.clear();
    let bytes = text.as_bytes();
    let mut clause: u16 = 0;
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
            let run = &text[start..i];
            let whole = out.raw.is_empty()
                && bytes
                    .get(i)
                    .is_none_or(|&b| CLASS[usize::from(b)] & SPECIAL == 0);
            if whole && seen & UPPER == 0 {
                // The common case: a lower-case word on its own, read in place.
                out.push_word(run, seen & APOSTROPHE != 0, &mut clause);
            } else {
                let at = out.raw.len();
                out.raw.push_str(run);
                out.raw[at..].make_ascii_lowercase();
            }
        } else if class & SPECIAL == 0 {
            out.separator(char::from(bytes[i]), &mut clause);
            i += 1;
        } else if bytes[i] == b'`' {
            out.raw.push('\'');
            i += 1;
        } else {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            for c in c.to_lowercase() {
                let c = fold(c);
                if c.is_alphanumeric() || c == '\'' {
                    out.raw.push(c);
                } else {
                    out.separator(c, &mut clause);
                }
            }
        }
    }
    out.end_word(&mut clause);
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
