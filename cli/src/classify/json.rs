//! The JSON of `baton classify` in its common shape, read and written without building a tree:
//! `{"id": "plain string", "text": "..."}` in, a decision out. Anything else is left to serde_json.

use baton_shared::decision::Verdict;
use serde_json::ser::{CompactFormatter, Formatter};

/// The first line of `rest` if it has exactly the shape `{"id": "...", "text": "..."}`
/// (either order): how many bytes it takes with its line ending, its id (a string with no
/// escapes, so it is written back as it came) and its text; `None` for any other line, valid
/// or not, so that serde_json reads it and words its errors. A line without a line ending
/// counts only if `last` (nothing follows). `buf` holds the text when it has escapes.
pub fn input<'a>(
    rest: &'a str,
    last: bool,
    buf: &'a mut String,
) -> Option<(usize, &'a str, &'a str)> {
    if let Some((used, id, text)) = exact(rest.as_bytes()) {
        return Some((used, rest.get(id.0..id.1)?, rest.get(text.0..text.1)?));
    }
    let line = rest;
    let mut r = Reader {
        s: line.as_bytes(),
        at: 0,
    };
    r.byte(b'{')?;
    let first = r.key()?;
    let (id, text) = if first == b"id" {
        let id = r.plain_string()?;
        r.byte(b',')?;
        (r.key()? == b"text").then_some(())?;
        let text = r.string()?;
        (id, text)
    } else if first == b"text" {
        let text = r.string()?;
        r.byte(b',')?;
        (r.key()? == b"id").then_some(())?;
        (r.plain_string()?, text)
    } else {
        return None;
    };
    r.byte(b'}')?;
    r.ws();
    let used = match r.s.get(r.at) {
        Some(b'\n') => r.at + 1,
        None if last => r.at,
        _ => return None,
    };
    let text = match text {
        Text::Plain(t) => &line[t.0..t.1],
        Text::Escaped(t) => {
            unescape(&line[t.0..t.1], buf)?;
            buf.as_str()
        }
    };
    Some((used, &line[id.0..id.1], text))
}

/// A byte range: start and end.
type Span = (usize, usize);

/// The first line of `s` if it is written exactly as `json.dumps` writes the shape:
/// `{"id": "...", "text": "..."}` and a line feed, neither string with escapes: how many bytes
/// it takes, and its id's and text's ranges. [`input`] reads every other line (that reads this
/// one the same) the long way.
fn exact(s: &[u8]) -> Option<(usize, Span, Span)> {
    const HEAD: &[u8] = b"{\"id\": \"";
    const MIDDLE: &[u8] = b"\", \"text\": \"";
    const TAIL: &[u8] = b"\"}\n";
    if !s.starts_with(HEAD) {
        return None;
    }
    let id = (HEAD.len(), special(s, HEAD.len()));
    if !s.get(id.1..)?.starts_with(MIDDLE) {
        return None;
    }
    let start = id.1 + MIDDLE.len();
    let text = (start, special(s, start));
    if !s.get(text.1..)?.starts_with(TAIL) {
        return None;
    }
    Some((text.1 + TAIL.len(), id, text))
}

/// Where the first line of `bytes` ends (its `\n`), if it does: eight bytes at a time.
pub fn line_end(bytes: &[u8]) -> Option<usize> {
    let (chunks, _) = bytes.as_chunks::<8>();
    let skip = chunks
        .iter()
        .position(|c| zero(u64::from_le_bytes(*c) ^ (ONES * u64::from(b'\n'))) != 0)
        .unwrap_or(chunks.len());
    let from = skip * 8;
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i)
}

/// A string's contents: their byte range, and whether they have escapes.
enum Text {
    Plain((usize, usize)),
    Escaped((usize, usize)),
}

struct Reader<'a> {
    s: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    /// Whitespace within a line.
    fn ws(&mut self) {
        while self
            .s
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            self.at += 1;
        }
    }

    /// Whitespace, then `b`.
    fn byte(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.s.get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    /// A string: the range of its contents. Control characters make it `None`.
    fn string(&mut self) -> Option<Text> {
        self.byte(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            self.at = special(self.s, self.at);
            match *self.s.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    // The escaped character is checked when unescaping; skip it here.
                    self.at += 2;
                }
                _ => return None,
            }
        }
        let range = (start, self.at);
        self.at += 1;
        Some(if escaped {
            Text::Escaped(range)
        } else {
            Text::Plain(range)
        })
    }

    /// A string with no escapes.
    fn plain_string(&mut self) -> Option<(usize, usize)> {
        match self.string()? {
            Text::Plain(range) => Some(range),
            Text::Escaped(_) => None,
        }
    }

    /// An object key (with no escapes) and its colon.
    fn key(&mut self) -> Option<&[u8]> {
        let (a, b) = self.plain_string()?;
        self.byte(b':')?;
        Some(&self.s[a..b])
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each zero byte of `x` (exact for the lowest one).
fn zero(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The first byte at or after `i` that ends plain string contents (`"`, `\\` or a control
/// character), or the end: sixteen bytes at a time, then eight.
fn special(s: &[u8], mut i: usize) -> usize {
    // The high bit of each byte that is a quote or a control character (xor 2 maps `"` to a
    // space and the control characters onto themselves: then they are the bytes below 0x21),
    // or a backslash. For each test the lowest byte flagged is exact, so the lowest of all is.
    let found = |x: u64| {
        let y = x ^ (ONES * 0x02);
        (y.wrapping_sub(ONES * 0x21) & !y & HIGH) | zero(x ^ (ONES * u64::from(b'\\')))
    };
    while let Some(chunk) = s.get(i..).and_then(|b| b.first_chunk::<16>()) {
        let (lo, hi) = chunk.split_at(8);
        let lo = found(u64::from_le_bytes(lo.try_into().unwrap_or_default()));
        let hi = found(u64::from_le_bytes(hi.try_into().unwrap_or_default()));
        if lo != 0 {
            return i + (lo.trailing_zeros() / 8) as usize;
        }
        if hi != 0 {
            return i + 8 + (hi.trailing_zeros() / 8) as usize;
        }
        i += 16;
    }
    while let Some(chunk) = s.get(i..).and_then(|b| b.first_chunk::<8>()) {
        let x = found(u64::from_le_bytes(*chunk));
        if x != 0 {
            return i + (x.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && !matches!(s[i], b'"' | b'\\' | 0..0x20) {
        i += 1;
    }
    i
}

/// JSON string contents with escapes, decoded into `out`; `None` for a bad escape or a lone
/// surrogate (serde_json then reports it).
fn unescape(s: &str, out: &mut String) -> Option<()> {
    out.clear();
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes();
        let c = match *b.get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(rest.get(i + 2..i + 6)?)?;
                let (c, used) = match hi {
                    0xD800..=0xDBFF => {
                        if rest.get(i + 6..i + 8)? != "\\u" {
                            return None;
                        }
                        let lo = hex4(rest.get(i + 8..i + 12)?)?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        (char::from_u32(c)?, 12)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => (char::from_u32(hi)?, 6),
                };
                out.push(c);
                rest = &rest[i + used..];
                continue;
            }
            _ => return None,
        };
        out.push(c);
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    Some(())
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// The last score written, as written: scores repeat from line to line.
#[derive(Default)]
pub struct LastScore {
    bits: Option<u64>,
    text: Vec<u8>,
}

/// One output line, as serde_json writes the same record: `id` is a string needing no escapes.
pub fn output(out: &mut Vec<u8>, id: &str, d: &Verdict, sentiment: f64, last: &mut LastScore) {
    out.extend_from_slice(b"{\"id\":\"");
    out.extend_from_slice(id.as_bytes());
    if !d.escalate && !d.hard && d.trigger.is_none() && d.category.is_none() {
        // Most lines: no escalation.
        out.extend_from_slice(
            b"\",\"escalate\":false,\"hard\":false,\"trigger\":null,\"category\":null,\"sentiment\":",
        );
    } else {
        out.extend_from_slice(b"\",\"escalate\":");
        out.extend_from_slice(if d.escalate { b"true" } else { b"false" });
        out.extend_from_slice(b",\"hard\":");
        out.extend_from_slice(if d.hard { b"true" } else { b"false" });
        out.extend_from_slice(b",\"trigger\":");
        string_or_null(out, d.trigger.as_ref().map(|t| t.as_str()));
        out.extend_from_slice(b",\"category\":");
        string_or_null(out, d.category.as_ref().map(|c| c.as_str()));
        out.extend_from_slice(b",\"sentiment\":");
    }
    number(out, sentiment);
    out.extend_from_slice(b",\"score\":");
    if last.bits != Some(d.score.to_bits()) {
        last.text.clear();
        number(&mut last.text, d.score);
        last.bits = Some(d.score.to_bits());
    }
    out.extend_from_slice(&last.text);
    out.extend_from_slice(b"}\n");
}

fn string_or_null(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.extend_from_slice(b"null"),
        Some(s) if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') => {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        }
        Some(s) => {
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, s);
        }
    }
}

/// A number as serde_json writes it (its own float formatting; `null` when not finite).
fn number(out: &mut Vec<u8>, x: f64) {
    if ten_thousandths(out, x) {
        return;
    }
    if x.is_finite() {
        // Writing to a Vec cannot fail.
        let _ = CompactFormatter.write_f64(out, x);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// `x.round()` (half away from zero, the sign of zero kept) for `|x|` up to 2^52, without a
/// call into the maths library (rounding is not an instruction of the baseline x86-64);
/// anything larger (or not a number) goes to `f64::round`. The test
/// `round_is_f64_round` checks it.
pub fn round(x: f64) -> f64 {
    let a = x.abs();
    // Also true for NaN.
    if a.is_nan() || a >= 4_503_599_627_370_496.0 {
        return x.round();
    }
    // Exact: `t` is `a` without its fraction, and `a - t` is exact (Sterbenz, or `t` zero).
    // Signed: x86-64 converts those to and from doubles in one instruction each.
    let t = a as i64;
    let up = a - t as f64 >= 0.5;
    ((t + i64::from(up)) as f64).copysign(x)
}

/// A number in [-1, 1] that is a whole number of ten-thousandths (as sentiment is rounded to),
/// written as serde_json writes it ("0.9571", "-0.5", "0.0", "-0.0", "1.0") without its general
/// float formatting; `false`, with nothing written, for any other number. The test
/// `ten_thousandths_are_written_as_serde_json_writes_them` checks every such number.
fn ten_thousandths(out: &mut Vec<u8>, x: f64) -> bool {
    // Also false for NaN.
    if x.is_nan() || x.abs() > 1.0 {
        return false;
    }
    let k = round(x * 10_000.0);
    if (k / 10_000.0).to_bits() != x.to_bits() {
        return false;
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let k = k.abs() as u32;
    let frac = k % 10_000;
    out.extend_from_slice(if k >= 10_000 { b"1." } else { b"0." });
    // The four digits, first in the lowest byte.
    let digits = u32::from_le_bytes(
        [frac / 1000, frac / 100 % 10, frac / 10 % 10, frac % 10].map(|d| d as u8),
    );
    // The shortest form: no trailing zeros (zero bytes at the top), but one digit after the
    // point.
    let n = (4 - (digits.leading_zeros() / 8) as usize).max(1);
    // All four written, then the zeros cut: one store, not a copy of `n` bytes.
    out.extend_from_slice(&(digits + 0x3030_3030).to_le_bytes());
    out.truncate(out.len() - (4 - n));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_finds_the_first_quote_backslash_or_control_character() {
        for b in 0..=255u8 {
            for at in [0, 3, 7, 8, 12, 15, 16, 20, 31, 40] {
                for len in [at + 1, at + 5, 48] {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    let want = s.iter().position(|c| matches!(c, b'"' | b'\\' | 0..0x20));
                    for from in [0, at.min(5), at] {
                        let want = want.filter(|&w| w >= from).unwrap_or(len);
                        assert_eq!(
                            special(&s, from),
                            want,
                            "{b:#x} at {at} of {len} from {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_exact_shape_reads_as_the_long_way_reads_it() {
        let lines = [
            "{\"id\": \"a-1\", \"text\": \"I want a refund\"}\n",
            "{\"id\": \"\", \"text\": \"\"}\nnext",
            "{\"id\": \"x\", \"text\": \"caf\u{e9} \\\"quoted\\\"\"}\n",
            "{\"id\": \"x\", \"text\": \"tab\there\"}\n",
            "{\"id\": \"x\", \"text\": \"no end\"}",
            "{\"id\": \"x\", \"text\": \"crlf\"}\r\n",
            "{\"id\":\"x\",\"text\":\"compact\"}\n",
            "{\"id\": \"x\\u0041\", \"text\": \"escaped id\"}\n",
            "{\"id\": \"x\", \"text\": \"a\"} \n",
        ];
        for line in lines {
            let mut buf = String::new();
            let got =
                input(line, true, &mut buf).map(|(n, id, t)| (n, id.to_owned(), t.to_owned()));
            // The long way alone: as if the line had a byte in front that it skips.
            let padded = format!(" {line}");
            let mut buf = String::new();
            let want = input(&padded, true, &mut buf)
                .map(|(n, id, t)| (n - 1, id.to_owned(), t.to_owned()));
            assert_eq!(got, want, "{line:?}");
        }
        assert!(exact(lines[0].as_bytes()).is_some());
        assert!(exact(lines[2].as_bytes()).is_none());
    }

    #[test]
    fn round_is_f64_round() {
        let mut xs: Vec<f64> = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            -4_503_599_627_370_497.0,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Every sentiment times 10,000 (and its neighbours), and numbers all over.
        for k in -10_001..=10_001 {
            let x = f64::from(k) / 10_000.0 * 10_000.0;
            xs.extend([x, x + 0.5, x - 0.5, f64::from(k) * 0.999_99]);
            xs.extend([x.to_bits() + 1, x.to_bits().wrapping_sub(1)].map(f64::from_bits));
        }
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            xs.push(f64::from_bits(seed));
            xs.push((seed >> 11) as f64 / (1u64 << 40) as f64 - 4096.0);
        }
        for x in xs {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x:e}");
        }
        assert!(round(f64::NAN).is_nan());
    }

    #[test]
    fn ten_thousandths_are_written_as_serde_json_writes_them() {
        let mut fast = Vec::new();
        let mut serde = Vec::new();
        let xs = (-10_000..=10_000).map(|k| f64::from(k) / 10_000.0);
        for x in xs.chain([-0.0]) {
            fast.clear();
            serde.clear();
            assert!(ten_thousandths(&mut fast, x), "{x}");
            CompactFormatter.write_f64(&mut serde, x).unwrap();
            assert_eq!(fast, serde, "{x}");
        }
        for x in [
            0.123_45,
            1.0001,
            -1.5,
            1e-5,
            0.1 + 0.2,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(!ten_thousandths(&mut fast, x), "{x}");
        }
    }
}
