//! The writer's byte buffer: appends without a library call per piece.
//!
//! A canonical document is hundreds of thousands of short pieces (keys, punctuation, short
//! values). `Vec::extend_from_slice` turns each into a `memcpy` call, which profiling showed
//! costing more than the bytes themselves. [`Output`] keeps initialised room past its end and
//! copies short pieces with a few fixed-size moves the compiler inlines; strings are copied
//! eight bytes at a time while being checked for bytes that need escaping.

use std::ops::Deref;

/// Room kept past the written bytes, so word-sized copies never need a bounds-checked grow.
const SLACK: usize = 16;

/// Bytes written so far (`bytes[..len]`); the rest of `bytes` is scratch.
#[derive(Debug, Default)]
pub(crate) struct Output {
    bytes: Vec<u8>,
    len: usize,
}

impl Deref for Output {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Output {
    pub(crate) fn with_capacity(capacity: usize) -> Output {
        Output {
            bytes: vec![0; capacity + SLACK],
            len: 0,
        }
    }

    /// Makes room for `extra` more bytes (plus the slack).
    #[inline]
    fn reserve(&mut self, extra: usize) {
        if self.bytes.len() - self.len < extra + SLACK {
            self.grow(extra);
        }
    }

    #[cold]
    fn grow(&mut self, extra: usize) {
        let needed = self.len + extra + SLACK;
        let size = needed.max(self.bytes.len() * 2).max(256);
        self.bytes.resize(size, 0);
    }

    #[inline]
    pub(crate) fn push(&mut self, byte: u8) {
        self.reserve(1);
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Appends `piece` (see [`copy_small`]).
    #[inline]
    pub(crate) fn put(&mut self, piece: &[u8]) {
        let n = piece.len();
        self.reserve(n);
        copy_small(&mut self.bytes[self.len..self.len + n], piece);
        self.len += n;
    }

    /// Appends `"name":` for a name that needs no escaping, with one capacity check.
    #[inline(always)]
    pub(crate) fn put_field(&mut self, name: &[u8]) {
        let n = name.len();
        self.reserve(n + 3);
        let at = self.len;
        self.bytes[at] = b'"';
        copy_small(&mut self.bytes[at + 1..at + 1 + n], name);
        self.bytes[at + 1 + n] = b'"';
        self.bytes[at + 2 + n] = b':';
        self.len += n + 3;
    }

    /// Appends the longest prefix of `text` that needs no escaping and returns its length
    /// (`text.len()` when nothing in it does). Escaped are `"`, `\` and bytes below 0x20.
    #[inline]
    pub(crate) fn put_unescaped(&mut self, text: &[u8]) -> usize {
        let n = text.len();
        self.reserve(n);
        let base = self.len;
        let mut done = 0;
        while done + 8 <= n {
            let word = word_at(text, done);
            if needs_escape(word) {
                return self.put_until_escape(text, done);
            }
            self.bytes[base + done..base + done + 8].copy_from_slice(&word.to_le_bytes());
            done += 8;
        }
        if done < n {
            // The last partial word: the final eight bytes again (the overlap is clean and is
            // rewritten with the same bytes), or for a short text its bytes padded with spaces
            // (clean; the padding lands in the slack and the next write overwrites it).
            let at = n.saturating_sub(8);
            let word = if n >= 8 {
                word_at(text, at)
            } else {
                short_word(text)
            };
            if needs_escape(word) {
                return self.put_until_escape(text, done);
            }
            self.bytes[base + at..base + at + 8].copy_from_slice(&word.to_le_bytes());
        }
        self.len += n;
        n
    }

    /// Appends `text[..clean]`, where `clean` is the first byte to escape at or after `from`
    /// (`text[..from]` is already in place, unescaped).
    fn put_until_escape(&mut self, text: &[u8], from: usize) -> usize {
        let clean = from
            + text[from..]
                .iter()
                .position(|&b| needs_escape_byte(b))
                .unwrap_or(text.len() - from);
        let base = self.len;
        self.bytes[base + from..base + clean].copy_from_slice(&text[from..clean]);
        self.len += clean;
        clean
    }

    /// Forgets everything after the first `len` bytes.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Drops the first `n` written bytes, moving the rest to the front.
    pub(crate) fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len);
        self.bytes.copy_within(n..self.len, 0);
        self.len -= n;
    }

    pub(crate) fn into_vec(mut self) -> Vec<u8> {
        self.bytes.truncate(self.len);
        self.bytes
    }
}

/// Eight bytes of `text` from `at` as a little-endian word.
#[inline]
fn word_at(text: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&text[at..at + 8]);
    u64::from_le_bytes(word)
}

/// A text shorter than eight bytes, padded with spaces, as a little-endian word. Built from
/// overlapping loads in registers: copying the bytes into a stack buffer and reading it back
/// as a word stalls on store forwarding (~10 % of string writing in a profile).
#[inline]
fn short_word(text: &[u8]) -> u64 {
    let n = text.len();
    debug_assert!(n < 8);
    let byte = |at: usize| u64::from(text[at]) << (8 * at);
    let bytes = match n {
        0 => 0,
        1..=3 => byte(0) | byte(n / 2) | byte(n - 1),
        // Bytes 0..4 and n-4..n: the overlap is the same bytes, so or-ing them is exact.
        _ => u64::from(u32_at(text, 0)) | u64::from(u32_at(text, n - 4)) << (8 * (n - 4)),
    };
    let spaces = u64::from_le_bytes([b' '; 8]);
    bytes | spaces << (8 * n)
}

/// Four bytes of `text` from `at` as a little-endian word.
#[inline]
fn u32_at(text: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&text[at..at + 4]);
    u32::from_le_bytes(word)
}

/// `out.copy_from_slice(piece)` with fixed-size (overlapping) moves up to 32 bytes, which the
/// compiler inlines; a variable-length copy would be a `memcpy` call. `memcpy` beyond 32.
/// Always inlined: for a constant piece (a field name) the match folds to one or two moves,
/// and as a call it showed as 9 % of rendering.
#[inline(always)]
fn copy_small(out: &mut [u8], piece: &[u8]) {
    let n = piece.len();
    debug_assert_eq!(out.len(), n);
    match n {
        0 => {}
        1..=3 => {
            out[0] = piece[0];
            out[n / 2] = piece[n / 2];
            out[n - 1] = piece[n - 1];
        }
        4..=7 => {
            out[..4].copy_from_slice(&piece[..4]);
            out[n - 4..].copy_from_slice(&piece[n - 4..]);
        }
        8..=15 => {
            out[..8].copy_from_slice(&piece[..8]);
            out[n - 8..].copy_from_slice(&piece[n - 8..]);
        }
        16..=32 => {
            out[..16].copy_from_slice(&piece[..16]);
            out[n - 16..].copy_from_slice(&piece[n - 16..]);
        }
        _ => out.copy_from_slice(piece),
    }
}

/// Whether one byte is `"`, `\` or below 0x20, which JSON strings escape.
#[inline]
pub(crate) fn needs_escape_byte(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of eight bytes is `"`, `\` or below 0x20. Exact: the bit tricks can only
/// misreport bytes *after* a real hit, never invent one in a word without any.
#[inline]
fn needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let zero_quote = quote.wrapping_sub(ONES) & !quote;
    let zero_backslash = backslash.wrapping_sub(ONES) & !backslash;
    (below_space | zero_quote | zero_backslash) & HIGHS != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_appends_pieces_of_every_length() {
        let source: Vec<u8> = (0..100u8).collect();
        let mut out = Output::default();
        let mut expected = Vec::new();
        for n in 0..70 {
            out.put(&source[..n]);
            out.push(b'|');
            expected.extend_from_slice(&source[..n]);
            expected.push(b'|');
        }
        assert_eq!(&out[..], &expected[..]);
        out.truncate(5);
        out.put(b"xy");
        out.drop_front(2);
        assert_eq!(out.into_vec(), [b'|', 0, 1, b'x', b'y']);
    }

    #[test]
    fn put_unescaped_stops_exactly_at_the_first_byte_to_escape() {
        for len in 0..40 {
            for at in (0..len).chain([usize::MAX]) {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    if at != usize::MAX {
                        text[at] = special;
                    }
                    // Bytes at or above 0x80 (UTF-8) and 0x20..=0x7f other than `"`/`\` pass.
                    if len > 2 && at != 1 {
                        text[1] = 0xc3;
                    }
                    let mut out = Output::default();
                    out.put(b"<");
                    let clean = out.put_unescaped(&text);
                    let expected = if at == usize::MAX { len } else { at };
                    assert_eq!(clean, expected, "len {len} at {at} byte {special}");
                    assert_eq!(&out[1..], &text[..expected]);
                }
            }
        }
    }

    #[test]
    fn grows_past_any_initial_capacity() {
        let mut out = Output::with_capacity(3);
        let long = vec![b'z'; 10_000];
        assert_eq!(out.put_unescaped(&long), 10_000);
        out.put(&long);
        assert_eq!(out.len(), 20_000);
        assert!(out.iter().all(|&b| b == b'z'));
    }
}
