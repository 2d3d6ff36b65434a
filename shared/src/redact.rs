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

/// Card numbers start with an issuer digit 2–6 (Mastercard 2-series, Amex/Diners/JCB, Visa,
/// Mastercard/Maestro, Discover/UnionPay) and, when spaced, come in groups of at least four
/// (4-4-4-4, Amex 4-6-5) rather than the short groups of phone numbers.
fn card_shaped(digits: &[u8], groups: &[usize]) -> bool {
    let issuer = digits.first().is_some_and(|d| (2..=6).contains(d));
    let grouped = groups.len() == 1 || groups[..groups.len() - 1].iter().all(|g| *g >= 4);
    issuer && grouped
}

/// What the words just before a number say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    /// "call", "phone", "mobile"...: a phone number.
    Phone,
    /// "order", "invoice", "tracking"...: an identifier, never a phone number.
    Identifier,
    /// Nothing either way.
    None,
}

/// Look at the last three words before a number.
fn cue_before(before: &[char]) -> Cue {
    let start = before.len().saturating_sub(40);
    // Character by character (no final-sigma rule): only ASCII cue words are compared.
    let window: String = before[start..]
        .iter()
        .flat_map(|&c| crate::signal::lower::to_lower(c))
        .collect();
    let words: Vec<&str> = window
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = &words[words.len().saturating_sub(3)..];
    const IDS: &[&str] = &[
        "order",
        "orders",
        "invoice",
        "ticket",
        "tracking",
        "ref",
        "reference",
        "id",
        "case",
        "sku",
        "serial",
        "account",
        "acct",
        "transaction",
        "booking",
        "confirmation",
        "parcel",
        "iban",
        "isbn",
        "timestamp",
        "version",
    ];
    const PHONES: &[&str] = &[
        "call",
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cell",
        "cellphone",
        "number",
        "whatsapp",
        "sms",
        "text",
        "ring",
        "reach",
        "contact",
        "landline",
        "fax",
    ];
    if last.iter().any(|w| IDS.contains(w)) {
        Cue::Identifier
    } else if last.iter().any(|w| PHONES.contains(w)) {
        Cue::Phone
    } else {
        Cue::None
    }
}

/// Whether a run of digits and separators reads as a phone number. International forms
/// (`+44 20 7946 0958`, `0044 …`) and grouped national forms (`(415) 555-0132`,
/// `06 12 34 56 78`, `415.555.0132`) qualify; a bare run of digits only after words such as
/// "call me on"; anything after "order", "invoice", "tracking"... never; nor dates, IP
/// addresses, versions, or groupings such as ISBNs with single digits late in the number.
fn phone_shaped(run: &str, digits: &[u8], groups: &[usize], cue: Cue) -> bool {
    if cue == Cue::Identifier {
        return false;
    }
    let international = run.starts_with('+') || (run.starts_with("00") && groups.len() > 1);
    let min = if international || cue == Cue::Phone {
        8
    } else {
        10
    };
    if !(min..=15).contains(&digits.len()) {
        return false;
    }
    if groups.len() == 1 {
        return international || cue == Cue::Phone;
    }
    // A date such as 2026-11-24 or 20261124-like groupings.
    if groups == [4, 2, 2] || groups == [2, 2, 4] {
        return false;
    }
    // Single digits only as a country or trunk code ("+1 415…", "+33 6 12…", "1-800-…").
    if groups.iter().skip(2).any(|g| *g < 2) {
        return false;
    }
    if run.contains('.') {
        // 192.168.10.10 is an address; 415.555.0132 and 01.23.45.67.89 are phones.
        let ipv4 = groups.len() == 4 && groups.iter().all(|g| *g <= 3);
        if ipv4 || groups.len() < 3 {
            return false;
        }
    }
    true
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
                        // An opening bracket only around an area code, early in the number:
                        // "4222222222222 (13 digits)" is a card and a remark.
                        && (chars[k] != '(' || digits.len() <= 3)
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
            let groups: Vec<usize> = run_trimmed
                .split(|c: char| !c.is_ascii_digit())
                .filter(|g| !g.is_empty())
                .map(str::len)
                .collect();
            let is_card = what.cards
                && (13..=19).contains(&digits.len())
                && card_shaped(&digits, &groups)
                && luhn(&digits);
            let is_phone = what.phones
                && !prev_word
                && phone_shaped(run_trimmed, &digits, &groups, cue_before(&chars[..i]));
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

/// The first phone number in a reply to "which number should we call?", as written
/// (`+44 20 7946 0958`); the same rule as [`redact`], with the question as its cue.
pub fn first_phone(reply: &str) -> Option<String> {
    found(
        reply,
        "phone: ",
        Redact {
            cards: false,
            emails: false,
            phones: true,
        },
        "[phone]",
        |c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'),
    )
}

/// The first email address in `text`, by the same rule as [`redact`].
pub fn first_email(text: &str) -> Option<String> {
    found(
        text,
        "",
        Redact {
            cards: false,
            emails: true,
            phones: false,
        },
        "[email]",
        |c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%' | '@'),
    )
}

/// What [`redact`] replaced first, recovered from the original: the text before the marker is
/// copied verbatim, so the match starts where the prefixes part and runs while `part_of` holds.
fn found(
    text: &str,
    cue: &str,
    what: Redact,
    marker: &str,
    part_of: impl Fn(char) -> bool,
) -> Option<String> {
    let cued = format!("{cue}{text}");
    let masked = redact(&cued, what);
    let at = masked.find(marker)?;
    let start = cued[..at].len().checked_sub(cue.len())?;
    let rest = &text[start..];
    let end = rest.find(|c: char| !part_of(c)).unwrap_or(rest.len());
    let value = rest[..end].trim_end_matches(|c: char| !c.is_alphanumeric());
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(t: &str) -> String {
        redact(t, Redact::default())
    }

    /// (input, expected): every row is a real-world shape a customer might type.
    const REDACTED: &[(&str, &str)] = &[
        // Cards: Visa, Mastercard, Amex (4-6-5), Discover, with spaces, dashes or none.
        (
            "my card is 4242 4242 4242 4242 thanks",
            "my card is [card] thanks",
        ),
        ("card 4111-1111-1111-1111", "card [card]"),
        ("5555555555554444 expired", "[card] expired"),
        ("amex 3782 822463 10005", "amex [card]"),
        ("discover 6011 1111 1111 1117.", "discover [card]."),
        ("visa 4222222222222 (13 digits)", "visa [card] (13 digits)"),
        // A valid card is removed whatever the words before it say.
        ("ticket 4532015112830366", "ticket [card]"),
        // Emails.
        (
            "mail me at dana.w+test@example.co.uk.",
            "mail me at [email].",
        ),
        ("x@y.io and a.b-c@sub.example.org", "[email] and [email]"),
        ("contact_support@help.example.com!", "[email]!"),
        ("(jörg@müller.de)", "([email])"),
        // Phones: international, national with groups, dotted, and bare after a cue.
        ("call +44 20 7946 0958 please", "call [phone] please"),
        ("my number is (415) 555-0132", "my number is [phone]"),
        ("ring 07700 900123", "ring [phone]"),
        ("+1 (415) 555-0132", "[phone]"),
        ("+33 6 12 34 56 78", "[phone]"),
        ("06 12 34 56 78", "[phone]"),
        ("0044 20 7946 0958", "[phone]"),
        ("+91 98765 43210", "[phone]"),
        ("+49 30 901820", "[phone]"),
        ("1-800-555-0199", "[phone]"),
        ("reach me at 415.555.0132", "reach me at [phone]"),
        ("phone: 5551234567", "phone: [phone]"),
        ("whatsapp +4915123456789", "whatsapp [phone]"),
        ("call me on 030 901820", "call me on [phone]"),
    ];

    /// Ordinary numbers that must survive: ids, prices, dates, versions, addresses.
    const KEPT: &[&str] = &[
        "order 00123842 arrived",
        "order 1234567890 shipped",
        "order number 1234567890",
        "order id 2026112400001",
        "invoice INV-2026-0042",
        "tracking #1234567890123",
        "my order #123456789012 is late",
        "I paid $1200 for this",
        "£1,299.99 for 2 seats",
        "$1 234 567",
        "1,000,000 users",
        "on 2026-11-24 at 10:30",
        "24/11/2026",
        "11/24/2026 10:30",
        "version 1.2.3",
        "ip 192.168.1.1",
        "server 192.168.10.10",
        "ISBN 978-3-16-148410-0",
        "4242 4242 4242 4241 is not a valid card",
        "1234567812345670",
        "timestamp 1732406400000",
        "between 9 and 17 hours",
        "user@localhost is not an address here",
        "email me: john@example",
        "see @mention on twitter",
        "room 12 34 56",
        "SKU 12-34-56-78-90",
    ];

    #[test]
    fn contacts_are_found_as_written() {
        assert_eq!(
            first_phone("sure, +44 20 7946 0958 after 5pm").as_deref(),
            Some("+44 20 7946 0958")
        );
        assert_eq!(first_phone("415-555-0132").as_deref(), Some("415-555-0132"));
        assert_eq!(first_phone("call me tomorrow"), None);
        assert_eq!(first_phone("order 12345678"), None);
        assert_eq!(
            first_email("it's dana.k@example.co.uk, thanks").as_deref(),
            Some("dana.k@example.co.uk")
        );
        assert_eq!(first_email("no address here"), None);
    }

    #[test]
    fn removes_pii() {
        for (input, expected) in REDACTED {
            assert_eq!(r(input), *expected, "{input}");
        }
    }

    #[test]
    fn leaves_ordinary_numbers() {
        for t in KEPT {
            assert_eq!(r(t), *t, "{t}");
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
