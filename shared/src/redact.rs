//! Optional PII redaction before text leaves for a helpdesk: card numbers (Luhn-checked),
//! email addresses and phone numbers; order numbers, prices and dates are left alone.

/// What to redact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redact {
    /// Payment card numbers (13–19 digits, Luhn-valid).
    pub cards: bool,
    /// Email addresses.
    pub emails: bool,
    /// Phone numbers.
    pub phones: bool,
}

impl Default for Redact {
    fn default() -> Self {
        Self {
            cards: true,
            emails: true,
            phones: true,
        }
    }
}

fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Replace PII in `text` with `[card]`, `[email]`, `[phone]`.
pub fn redact(text: &str, what: Redact) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A run of digits with spaces, dashes, dots or brackets inside, maybe starting with '+'.
        let starts_number = c.is_ascii_digit()
            || (matches!(c, '+' | '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if starts_number {
            let prev_word = i > 0
                && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '#' || chars[i - 1] == '$');
            let mut j = i;
            let mut digits: Vec<u8> = Vec::new();
            while j < chars.len() {
                let d = chars[j];
                if let Some(v) = d.to_digit(10) {
                    digits.push(v as u8);
                    j += 1;
                    continue;
                }
                // Up to two separators ("-", " ", ") ") between digit groups.
                let is_sep = |ch: char| matches!(ch, ' ' | '-' | '.' | '(' | ')' | '+');
                if is_sep(d) && (j == i || !digits.is_empty()) {
                    let mut k = j;
                    while k < chars.len()
                        && k < j + 2
                        && is_sep(chars[k])
                        && (chars[k] != '+' || k == i)
                    {
                        k += 1;
                    }
                    if chars.get(k).is_some_and(char::is_ascii_digit) {
                        j = k;
                        continue;
                    }
                }
                break;
            }
            let run: String = chars[i..j].iter().collect();
            let run_trimmed = run.trim_end();
            let separators = run_trimmed.chars().filter(|c| !c.is_ascii_digit()).count();
            let is_card = what.cards && (13..=19).contains(&digits.len()) && luhn(&digits);
            let looks_like_date = run_trimmed.matches('-').count() == 2 && digits.len() == 8;
            let is_phone = what.phones
                && !prev_word
                && !looks_like_date
                && (10..=15).contains(&digits.len())
                && (run_trimmed.starts_with('+') || separators >= 1 || digits.len() >= 10)
                && !run_trimmed.contains('.');
            if is_card {
                out.push_str("[card]");
                i += run_trimmed.chars().count();
                continue;
            }
            if is_phone {
                out.push_str("[phone]");
                i += run_trimmed.chars().count();
                continue;
            }
            out.push_str(run_trimmed);
            i += run_trimmed.chars().count();
            continue;
        }
        if what.emails && c == '@' {
            // Back up over the local part already written, then skip the domain.
            let local_len = out
                .chars()
                .rev()
                .take_while(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '_' | '-' | '+' | '%'))
                .count();
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || matches!(chars[j], '.' | '-')) {
                j += 1;
            }
            let domain: String = chars[i + 1..j].iter().collect();
            let domain = domain.trim_end_matches('.');
            if local_len > 0 && domain.contains('.') && !domain.starts_with('.') {
                for _ in 0..local_len {
                    out.pop();
                }
                out.push_str("[email]");
                i += 1 + domain.chars().count();
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(t: &str) -> String {
        redact(t, Redact::default())
    }

    #[test]
    fn removes_pii() {
        assert_eq!(
            r("my card is 4242 4242 4242 4242 thanks"),
            "my card is [card] thanks"
        );
        assert_eq!(r("card 4111-1111-1111-1111"), "card [card]");
        assert_eq!(
            r("mail me at dana.w+test@example.co.uk."),
            "mail me at [email]."
        );
        assert_eq!(r("call +44 20 7946 0958 please"), "call [phone] please");
        assert_eq!(r("my number is (415) 555-0132"), "my number is [phone]");
        assert_eq!(r("ring 07700 900123"), "ring [phone]");
    }

    #[test]
    fn leaves_ordinary_numbers() {
        for t in [
            "order 00123842 arrived",
            "I paid $1200 for this",
            "invoice INV-2026-0042",
            "on 2026-11-24 at 10:30",
            "version 1.2.3",
            "4242 4242 4242 4241 is not a valid card",
            "tracking #1234567890123",
            "user@localhost is not an address here",
        ] {
            assert_eq!(r(t), t, "{t}");
        }
    }

    #[test]
    fn switches_are_respected() {
        let only_cards = Redact {
            cards: true,
            emails: false,
            phones: false,
        };
        assert_eq!(
            redact("a@b.com 4242424242424242 +1 415 555 0132", only_cards),
            "a@b.com [card] +1 415 555 0132"
        );
    }
}
