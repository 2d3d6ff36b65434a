//! A memo keyed by short words (up to 15 bytes, packed into two integers): what the text
//! scorers remember per word between texts, found with one hash and one comparison.

/// A word packed into two integers: its bytes, zero-padded, and its length in the top byte.
pub(crate) type Key = [u64; 2];

/// The longest word a [`Key`] holds.
const MAX_LEN: usize = 15;

/// The key of `word`, if it is short enough (1 to 15 bytes).
pub(crate) fn key(word: &[u8]) -> Option<Key> {
    let n = word.len();
    if n == 0 || n > MAX_LEN {
        return None;
    }
    // Overlapping reads instead of a copy into a buffer.
    let (lo, hi) = if n >= 8 {
        let lo = u64::from_le_bytes(*word.first_chunk::<8>()?);
        let tail = u64::from_le_bytes(*word.last_chunk::<8>()?);
        // Bytes 8.. are the top `n - 8` bytes of the last eight.
        let hi = if n == 8 { 0 } else { tail >> (8 * (16 - n)) };
        (lo, hi)
    } else if n >= 4 {
        let head = u64::from(u32::from_le_bytes(*word.first_chunk::<4>()?));
        let tail = u64::from(u32::from_le_bytes(*word.last_chunk::<4>()?));
        (head | tail << (8 * (n - 4)), 0)
    } else {
        let lo = word
            .iter()
            .enumerate()
            .fold(0, |k, (i, &b)| k | u64::from(b) << (8 * i));
        (lo, 0)
    };
    Some([lo, hi | (n as u64) << 56])
}

/// ASCII whitespace (as `char::is_whitespace` has it): where texts split into tokens.
#[inline(always)]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// [`is_space`] for a byte below 0x21, with one shift.
#[inline(always)]
pub(crate) fn is_low_space(b: u8) -> bool {
    const SPACES: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0b | 1 << 0x0c | 1 << b'\r' | 1 << b' ';
    SPACES >> (b & 63) & 1 == 1
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The first ASCII whitespace byte at or after `i`, or the end: eight bytes at a time.
pub(crate) fn find_space(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..).and_then(|b| b.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*chunk);
        // Bytes below 0x21; the lowest one flagged is exact.
        let low = x.wrapping_sub(ONES * 0x21) & !x & HIGH;
        if low == 0 {
            i += 8;
            continue;
        }
        let j = i + (low.trailing_zeros() / 8) as usize;
        if is_space(bytes[j]) {
            return j;
        }
        // A control character: not whitespace, go on after it.
        i = j + 1;
    }
    while i < bytes.len() && !is_space(bytes[i]) {
        i += 1;
    }
    i
}

/// The high bit of each byte of `x` below 0x21 (exact for the lowest one: later ones may be
/// set by a borrow).
#[inline(always)]
pub(crate) fn below_21(x: u64) -> u64 {
    x.wrapping_sub(ONES * 0x21) & !x & HIGH
}

/// What a text is followed by for [`next_token`]: a space, so that every token ends; a zero
/// byte, which no whitespace is, so that a loop over the text's tokens may stop on it instead
/// of checking where the text ends; then enough for sixteen bytes to be read at any byte of
/// the text and the two after it.
pub(crate) const PAD: [u8; 18] = [
    b' ', 0, b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ', b' ',
    b' ', b' ',
];

/// A token of a text: where it starts and ends, and (if it is at most 15 bytes long) its bytes
/// zero-padded, the first eight then the rest (as [`key`] packs them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) lo: u64,
    pub(crate) hi: u64,
}

/// The first token at or after `i` of `padded`, a text of `n` bytes followed by [`PAD`]: a run of bytes that are not ASCII whitespace. A token of up to 15 bytes is found
/// and packed from one sixteen-byte read.
#[inline(always)]
pub(crate) fn next_token(padded: &[u8], n: usize, mut i: usize) -> Option<Token> {
    let low = below_21;
    loop {
        if i >= n {
            return None;
        }
        let chunk = *padded.get(i..)?.first_chunk::<16>()?;
        let both = u128::from_le_bytes(chunk);
        let (lo, hi) = (both as u64, (both >> 64) as u64);
        let l = low(lo);
        if l & 0x80 != 0 {
            if is_space(chunk[0]) {
                i += 1;
                continue;
            }
        } else {
            let h = low(hi);
            let len = if l != 0 {
                (l.trailing_zeros() / 8) as usize
            } else {
                8 + (h.trailing_zeros() / 8) as usize
            };
            // Not a control character (which is part of a token) or a token of 16 bytes or
            // more: the long way.
            if len < 16 && is_space(chunk[len]) {
                let keep = |x: u64, n: usize| if n >= 8 { x } else { x & ((1 << (8 * n)) - 1) };
                let (lo, hi) = if len >= 8 {
                    (lo, keep(hi, len - 8))
                } else {
                    (keep(lo, len), 0)
                };
                let end = i + len;
                return Some(Token {
                    start: i,
                    end,
                    lo,
                    hi,
                });
            }
        }
        return Some(token_from(padded, i));
    }
}

/// The token starting at `i` of a padded text, found byte by byte.
#[cold]
fn token_from(padded: &[u8], start: usize) -> Token {
    let end = find_space(padded, start);
    let [lo, hi] = padded.get(start..end).and_then(key).unwrap_or_default();
    Token {
        start,
        end,
        lo,
        hi: hi & !(0xff << 56),
    }
}

/// How many bytes of `bytes` are `a` and how many are `b`: eight at a time, counting only in
/// the eight bytes that have either (few have: `!` and `?` are rare).
pub(crate) fn count_bytes(bytes: &[u8], a: u8, b: u8) -> (usize, usize) {
    let (chunks, rest) = bytes.as_chunks::<8>();
    let seven = ONES * 0x7f;
    // The high bit of each byte of `x` that is zero, exactly.
    let zeros = |x: u64| HIGH & !(((x & seven).wrapping_add(seven) | x) & HIGH);
    let (mut na, mut nb) = (0, 0);
    for chunk in chunks {
        let x = u64::from_le_bytes(*chunk);
        let (za, zb) = (
            zeros(x ^ (ONES * u64::from(a))),
            zeros(x ^ (ONES * u64::from(b))),
        );
        if za | zb != 0 {
            // At most eight flags, summed into the top byte by one multiply (`count_ones` is a
            // long sequence on processors without a population count instruction).
            let count = |z: u64| ((z >> 7).wrapping_mul(ONES) >> 56) as usize;
            na += count(za);
            nb += count(zb);
        }
    }
    for &c in rest {
        na += usize::from(c == a);
        nb += usize::from(c == b);
    }
    (na, nb)
}

/// A memo key: a word packed into one or two integers. All zero marks an empty slot (no real
/// key is all zero: its length byte is at least 1).
pub(crate) trait MemoKey: Copy + PartialEq {
    /// The key of an empty slot.
    const EMPTY: Self;
    /// Its hash; the table takes the top bits.
    fn hash(self) -> u64;
}

/// A word of up to 7 bytes: its bytes and, in the top byte, its length (and whatever else the
/// owner packs there).
impl MemoKey for u64 {
    const EMPTY: Self = 0;

    fn hash(self) -> u64 {
        self.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// A word of up to 15 bytes (see [`Key`]).
impl MemoKey for Key {
    const EMPTY: Self = [0, 0];

    fn hash(self) -> u64 {
        (self[0].wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26) ^ self[1])
            .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
}

/// One key and its value.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Slot<K, V> {
    key: K,
    value: V,
}

/// `N` slots in one cache line: a lookup of a rarely seen word waits on one memory read.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Line<K, V, const N: usize>([Slot<K, V>; N]);

/// A hash table from keys to small values, `N` slots to a cache line, each slot with a value of
/// its own `S` kept apart (read less often, so the slots stay small in cache). A key goes in
/// the first free slot of its line, or of the next line with one; a lookup compares all of a
/// line's keys at once, with no branch on which one matches, so that the processor can go on
/// to the next word while a rarely seen one's line is still on its way. Its owner clears it
/// when it holds enough.
#[derive(Clone, Debug)]
pub(crate) struct Memo<K, V, S, const N: usize> {
    lines: Vec<Line<K, V, N>>,
    side: Vec<S>,
    /// 64 minus the log2 of the number of lines: a hash's top bits are its line.
    shift: u32,
    len: usize,
}

impl<K: MemoKey, V: Copy + Default, S: Copy + Default, const N: usize> Default
    for Memo<K, V, S, N>
{
    fn default() -> Self {
        Self::with_slots(1 << 10)
    }
}

impl<K: MemoKey, V: Copy + Default, S: Copy + Default, const N: usize> Memo<K, V, S, N> {
    /// An empty table of `slots` slots (a power of two, `N` at least twice).
    fn with_slots(slots: usize) -> Self {
        let empty = Slot {
            key: K::EMPTY,
            value: V::default(),
        };
        Self {
            lines: vec![Line([empty; N]); slots / N],
            side: vec![S::default(); slots],
            shift: 64 - (slots / N).trailing_zeros(),
            len: 0,
        }
    }

    /// How many words it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn slots(&self) -> usize {
        self.lines.len() * N
    }

    /// The line `key` goes in first.
    fn home(&self, key: K) -> usize {
        (key.hash() >> self.shift) as usize
    }

    /// Where `key` is and its value, if it is there.
    pub(crate) fn get(&self, key: K) -> Option<(usize, V)> {
        let mut line = self.home(key);
        loop {
            let slots = &self.lines.get(line)?.0;
            // The slot that holds the key, if one does, picked without a branch.
            let mut at = 0;
            for (j, slot) in slots.iter().enumerate().skip(1) {
                at = std::hint::select_unpredictable(slot.key == key, j, at);
            }
            let slot = &slots[at % N];
            if slot.key == key {
                return Some((line * N + at, slot.value));
            }
            // Keys are never taken out: a free slot ends the search.
            if slots.iter().any(|s| s.key == K::EMPTY) {
                return None;
            }
            line = (line + 1) % self.lines.len();
        }
    }

    /// The value kept apart for the key at `at`.
    pub(crate) fn side(&self, at: usize) -> S {
        self.side.get(at).copied().unwrap_or_default()
    }

    /// Remember `key` (which is not there yet) with `value` and `side`: where it is. The table
    /// grows (every key may move) when it is three quarters full: few lines then overflow into
    /// the next.
    pub(crate) fn insert(&mut self, key: K, value: V, side: S) -> usize {
        if (self.len + 1) * 4 > self.slots() * 3 {
            let old = std::mem::replace(self, Self::with_slots(self.slots() * 2));
            for (i, slot) in old.lines.iter().flat_map(|l| &l.0).enumerate() {
                if slot.key != K::EMPTY {
                    self.insert(slot.key, slot.value, old.side(i));
                }
            }
        }
        let mut line = self.home(key);
        loop {
            let slots = &mut self.lines[line].0;
            if let Some(j) = slots.iter().position(|s| s.key == K::EMPTY) {
                slots[j] = Slot { key, value };
                let at = line * N + j;
                self.side[at] = side;
                self.len += 1;
                return at;
            }
            line = (line + 1) % self.lines.len();
        }
    }

    /// Forget everything.
    pub(crate) fn clear(&mut self) {
        let empty = Slot {
            key: K::EMPTY,
            value: V::default(),
        };
        self.lines.fill(Line([empty; N]));
        self.side.fill(S::default());
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_bounded() {
        let words = [
            "a",
            "b",
            "ab",
            "ba",
            "abc",
            "abcd",
            "abcde",
            "abcdef",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghij",
            "abcdefghijklmno",
            "\0",
            "\0\0",
            "a\0",
            "\0a",
        ];
        let keys: Vec<Key> = words.iter().map(|w| key(w.as_bytes()).unwrap()).collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(key(b""), None);
        assert_eq!(key(b"abcdefghijklmnop"), None);
    }

    #[test]
    fn finds_spaces_and_counts_bytes() {
        let texts = [
            "",
            "a",
            "hello world",
            "averyveryverylongword\tx",
            "ctrl\u{1}chars\u{7}here and\nthere",
            "caf\u{e9} na\u{ef}ve\r\nok!!",
            "!?!?!?!?!?!?!?!?!?",
            "a b\tcd\ne fghijklmnopq rstuvwxyz0123 x\u{1}y 15bytesxxxxxxx 16bytesxxxxxxxx 7bytesx end",
            "\u{1}\u{2}\u{3} \u{1}aaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbb\u{1}ccc dddddddd\u{7f}",
        ];
        for t in texts {
            let b = t.as_bytes();
            for i in 0..=b.len() {
                let want = (i..b.len()).find(|&j| is_space(b[j])).unwrap_or(b.len());
                assert_eq!(find_space(b, i), want, "{t:?} from {i}");
            }
            let count = |c: u8| b.iter().filter(|&&x| x == c).count();
            assert_eq!(count_bytes(b, b'!', b'?'), (count(b'!'), count(b'?')));
            assert_eq!(count_bytes(b, b' ', b'a'), (count(b' '), count(b'a')));
        }
    }

    #[test]
    fn finds_every_token() {
        let texts = [
            String::new(),
            " ".into(),
            "a".into(),
            "  a b\tcd\ne fghijklmnopq rstuvwxyz0123 x\u{1}y 15bytesxxxxxxx 16bytesxxxxxxxx 7bytesx end".into(),
            format!("{}ab  c{}d\ne ", " ".repeat(62), "x".repeat(70)),
            format!("{}\u{b}{}\t{}", "y".repeat(15), "z".repeat(16), "w".repeat(129)),
            "ctrl\u{1}chars\u{7}here and\nthere caf\u{e9}\u{a0}x \u{1}\u{2} \u{1}a".into(),
        ];
        for text in texts {
            let mut padded = text.clone().into_bytes();
            padded.extend_from_slice(&PAD);
            let mut got = Vec::new();
            let mut i = 0;
            while let Some(t) = next_token(&padded, text.len(), i) {
                let word = &text.as_bytes()[t.start..t.end];
                if let Some([lo, hi]) = key(word) {
                    assert_eq!([t.lo, t.hi], [lo, hi & !(0xff << 56)], "{text:?}");
                }
                got.push(&text[t.start..t.end]);
                i = t.end + 1;
            }
            let want: Vec<&str> = text
                .split(|c: char| c.is_ascii() && is_space(c as u8))
                .filter(|t| !t.is_empty())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn slots_fill_whole_cache_lines() {
        assert_eq!(size_of::<Line<u64, [u32; 2], 4>>(), 64);
        assert_eq!(size_of::<Line<Key, [u64; 2], 2>>(), 64);
        assert_eq!(align_of::<Line<u64, u32, 4>>(), 64);
    }

    #[test]
    fn remembers_and_grows() {
        let mut m: Memo<Key, u32, u16, 2> = Memo::default();
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            let k = key(w.as_bytes()).unwrap();
            assert_eq!(m.get(k), None);
            let at = m.insert(k, i as u32, i as u16);
            assert_eq!(m.get(k), Some((at, i as u32)));
        }
        assert_eq!(m.len(), 5000);
        for (i, w) in words.iter().enumerate() {
            let (at, value) = m.get(key(w.as_bytes()).unwrap()).unwrap();
            assert_eq!((value, m.side(at)), (i as u32, i as u16));
        }
        m.clear();
        assert_eq!(m.get(key(b"w1").unwrap()), None);
        assert_eq!(m.len(), 0);
        // Up to three quarters full, some lines overflow into the next ones.
        let mut small: Memo<u64, u64, (), 4> = Memo::default();
        for k in 1..=768u64 {
            small.insert(k, k, ());
        }
        assert_eq!(small.slots(), 1024);
        assert!((1..=768u64).all(|k| small.get(k).is_some_and(|(_, v)| v == k)));
        assert_eq!(small.get(769), None);
    }
}
