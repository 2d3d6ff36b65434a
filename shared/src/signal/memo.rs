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
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
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

/// The token starting at `i` (a byte that is not whitespace): where it ends (as
/// [`find_space`]) and its [`key`] if it has one. A token of up to 15 bytes followed by
/// whitespace is found and packed from two eight-byte reads.
pub(crate) fn token_at(bytes: &[u8], i: usize) -> (usize, Option<Key>) {
    if let Some(chunk) = bytes.get(i..).and_then(|b| b.first_chunk::<16>()) {
        let both = u128::from_le_bytes(*chunk);
        let (lo, hi) = (both as u64, (both >> 64) as u64);
        // Bytes below 0x21 in each half; the lowest one flagged is exact.
        let low = |x: u64| x.wrapping_sub(ONES * 0x21) & !x & HIGH;
        let (l, h) = (low(lo), low(hi));
        let n = if l != 0 {
            (l.trailing_zeros() / 8) as usize
        } else {
            8 + (h.trailing_zeros() / 8) as usize
        };
        // A control character (not whitespace) or a token of 16 bytes or more: the long way.
        if n < 16 && n > 0 && is_space(bytes[i + n]) {
            let keep = |x: u64, n: usize| if n >= 8 { x } else { x & ((1 << (8 * n)) - 1) };
            let (lo, hi) = if n >= 8 {
                (lo, keep(hi, n - 8))
            } else {
                (keep(lo, n), 0)
            };
            return (i + n, Some([lo, hi | (n as u64) << 56]));
        }
    }
    let end = find_space(bytes, i);
    (end, key(&bytes[i..end]))
}

/// How many bytes of `bytes` are `a` and how many are `b`: eight at a time, in one pass.
pub(crate) fn count_bytes(bytes: &[u8], a: u8, b: u8) -> (usize, usize) {
    let (chunks, rest) = bytes.as_chunks::<8>();
    let seven = ONES * 0x7f;
    // The high bit of each byte of `x` that is zero, exactly.
    let zeros = |x: u64| HIGH & !(((x & seven).wrapping_add(seven) | x) & HIGH);
    let (mut na, mut nb) = (0, 0);
    for chunk in chunks {
        let x = u64::from_le_bytes(*chunk);
        na += zeros(x ^ (ONES * u64::from(a))).count_ones() as usize;
        nb += zeros(x ^ (ONES * u64::from(b))).count_ones() as usize;
    }
    for &c in rest {
        na += usize::from(c == a);
        nb += usize::from(c == b);
    }
    (na, nb)
}

/// An open-addressing table from [`Key`]s to small values; it only grows, and its owner clears
/// it when it holds enough.
#[derive(Clone, Debug)]
pub(crate) struct Memo<V> {
    /// Keys and values; an all-zero key marks an empty slot (no real key is all zero: its
    /// length byte is at least 1).
    slots: Vec<Slot<V>>,
    len: usize,
}

/// One key and its value, aligned so that a slot of up to 32 bytes never straddles two cache
/// lines: a lookup of a rarely seen word then waits on one memory read, not two.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
struct Slot<V> {
    key: Key,
    value: V,
}

impl<V: Copy + Default> Slot<V> {
    const EMPTY: Key = [0, 0];

    fn empty() -> Self {
        Self {
            key: Self::EMPTY,
            value: V::default(),
        }
    }
}

impl<V: Copy + Default> Default for Memo<V> {
    fn default() -> Self {
        Self {
            slots: vec![Slot::empty(); 1 << 10],
            len: 0,
        }
    }
}

impl<V: Copy + Default> Memo<V> {
    /// How many words it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn start(&self, key: Key) -> usize {
        let h = (key[0].wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26) ^ key[1])
            .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        (h >> 32) as usize & (self.slots.len() - 1)
    }

    /// The value remembered for `key`.
    pub(crate) fn get(&self, key: Key) -> Option<V> {
        let mask = self.slots.len() - 1;
        let mut i = self.start(key);
        loop {
            let slot = &self.slots[i];
            if slot.key == key {
                return Some(slot.value);
            }
            if slot.key == Slot::<V>::EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Remember `value` for `key`, in place of what was remembered for it.
    pub(crate) fn set(&mut self, key: Key, value: V) {
        let mask = self.slots.len() - 1;
        let mut i = self.start(key);
        loop {
            if self.slots[i].key == key {
                self.slots[i].value = value;
                return;
            }
            if self.slots[i].key == Slot::<V>::EMPTY {
                return self.insert(key, value);
            }
            i = (i + 1) & mask;
        }
    }

    /// Remember `value` for `key` (which is not there yet).
    pub(crate) fn insert(&mut self, key: Key, value: V) {
        // At most three quarters full: short probes, and a table that stays small in cache.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let bigger = vec![Slot::empty(); self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, bigger);
            self.len = 0;
            for slot in old {
                if slot.key != Slot::<V>::EMPTY {
                    self.insert(slot.key, slot.value);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.start(key);
        while self.slots[i].key != Slot::<V>::EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot { key, value };
        self.len += 1;
    }

    /// Forget everything.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(Slot::empty());
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
            for i in (0..b.len()).filter(|&i| !is_space(b[i])) {
                let end = find_space(b, i);
                assert_eq!(token_at(b, i), (end, key(&b[i..end])), "{t:?} from {i}");
            }
            let count = |c: u8| b.iter().filter(|&&x| x == c).count();
            assert_eq!(count_bytes(b, b'!', b'?'), (count(b'!'), count(b'?')));
            assert_eq!(count_bytes(b, b' ', b'a'), (count(b' '), count(b'a')));
        }
    }

    #[test]
    fn slots_of_up_to_32_bytes_stay_in_one_cache_line() {
        assert_eq!(size_of::<Slot<[u64; 2]>>(), 32);
        assert_eq!(align_of::<Slot<u32>>(), 32);
        let m: Memo<[u64; 2]> = Memo::default();
        assert_eq!(m.slots.as_ptr() as usize % 32, 0);
    }

    #[test]
    fn remembers_and_grows() {
        let mut m: Memo<u32> = Memo::default();
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            let k = key(w.as_bytes()).unwrap();
            assert_eq!(m.get(k), None);
            m.insert(k, i as u32);
        }
        assert_eq!(m.len(), 5000);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(m.get(key(w.as_bytes()).unwrap()), Some(i as u32));
        }
        m.set(key(b"w7").unwrap(), 70);
        assert_eq!(m.get(key(b"w7").unwrap()), Some(70));
        assert_eq!(m.get(key(b"w8").unwrap()), Some(8));
        m.clear();
        assert_eq!(m.get(key(b"w1").unwrap()), None);
    }
}
