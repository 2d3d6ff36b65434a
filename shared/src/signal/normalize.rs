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

/// Contractions and chat spellings, expanded to the words they stand for.
fn expansion(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "can't" => &["can", "not"],
        "cant" => &["can", "not"],
        "cannot" => &["can", "not"],
        "won't" => &["will", "not"],
        "wont" => &["will", "not"],
        "don't" => &["do", "not"],
        "dont" => &["do", "not"],
        "doesn't" => &["does", "not"],
        "doesnt" => &["does", "not"],
        "didn't" => &["did", "not"],
        "didnt" => &["did", "not"],
        "isn't" => &["is", "not"],
        "isnt" => &["is", "not"],
        "aren't" => &["are", "not"],
        "wasn't" => &["was", "not"],
        "weren't" => &["were", "not"],
        "haven't" => &["have", "not"],
        "havent" => &["have", "not"],
        "hasn't" => &["has", "not"],
        "hadn't" => &["had", "not"],
        "wouldn't" => &["would", "not"],
        "shouldn't" => &["should", "not"],
        "couldn't" => &["could", "not"],
        "couldnt" => &["could", "not"],
        "mustn't" => &["must", "not"],
        "needn't" => &["need", "not"],
        "ain't" => &["is", "not"],
        "i'm" => &["i", "am"],
        "im" => &["i", "am"],
        "i've" => &["i", "have"],
        "ive" => &["i", "have"],
        "i'd" => &["i", "would"],
        "i'll" => &["i", "will"],
        "you're" => &["you", "are"],
        "youre" => &["you", "are"],
        "it's" => &["it", "is"],
        "that's" => &["that", "is"],
        "let's" => &["let", "us"],
        "wanna" => &["want", "to"],
        "wana" => &["want", "to"],
        "gonna" => &["going", "to"],
        "gotta" => &["got", "to"],
        "hafta" => &["have", "to"],
        "u" => &["you"],
        "ya" => &["you"],
        "ur" => &["your"],
        "pls" => &["please"],
        "plz" => &["please"],
        "thx" => &["thanks"],
        "r" => &["are"],
        _ => return None,
    })
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

fn push_word(out: &mut Vec<Token>, raw: &mut String, clause: &mut u16) {
    if raw.is_empty() {
        return;
    }
    let word = raw.trim_matches('\'');
    if word.is_empty() {
        raw.clear();
        return;
    }
    if word == "but" || word == "however" || word == "although" {
        *clause += 1;
        raw.clear();
        return;
    }
    let had_run = word
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == w[1] && w[1] == w[2]);
    let squeezed;
    let word = if had_run {
        squeezed = squeeze(word);
        squeezed.as_str()
    } else {
        word
    };
    match expansion(word) {
        Some(parts) => {
            for p in parts {
                out.push(Token {
                    word: (*p).to_owned(),
                    clause: *clause,
                });
            }
        }
        None => {
            // Possessive or stray apostrophes: "company's" → "company".
            let word = word.strip_suffix("'s").unwrap_or(word);
            out.push(Token {
                word: word.replace('\'', ""),
                clause: *clause,
            });
        }
    }
    raw.clear();
}

/// Normalise `text` into word tokens with clause numbers.
pub fn normalize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    let mut raw = String::new();
    let mut clause: u16 = 0;
    for c in text.chars() {
        for c in c.to_lowercase() {
            let c = fold(c);
            if c.is_alphanumeric() || c == '\'' {
                raw.push(c);
            } else {
                push_word(&mut out, &mut raw, &mut clause);
                let boundary = matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')');
                if boundary && out.last().is_some_and(|t| t.clause == clause) {
                    clause += 1;
                }
            }
        }
    }
    push_word(&mut out, &mut raw, &mut clause);
    out
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
