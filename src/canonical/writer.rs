//! A minimal canonical JSON writer: compact output straight into a byte buffer.
//!
//! It knows nothing about API Gateway. Callers emit object keys in ascending byte order (checked
//! in debug builds) and decide what to omit; the writer only handles separators, string escaping
//! and numbers, always the same way (see docs/hash-contract.md, "Encoding").
//!
//! Either writer computes the sha1 of everything written and of each *message* — a span marked
//! with [`Writer::end_message`] — hashing the two in interleaved lanes (`crate::sha1_pair`).
//! One made with [`Writer::hashing`] hashes finished bytes at [`Writer::flush`] and forgets
//! them: hashing a large API then needs a small reused buffer, not the whole document.

use std::ops::Range;

use serde_json::{Number, Value};

use super::output::{needs_escape_byte, Output};
use crate::sha1_pair::{Lanes, BLOCK};

/// Bytes a hashing writer buffers before its first flush. Below glibc's 64 KiB threshold, at
/// which freeing a chunk consolidates every free list (costly after thousands of small frees).
const HASHING_BUFFER: usize = 32 * 1024;

/// A hashing writer hashes at a flush once this many bytes are buffered: batches big enough
/// to pair many blocks per call, small enough to still be in cache when hashed.
const FLUSH_AT: usize = 16 * 1024;

/// Position to roll back to when an optional object turns out empty.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    /// Absolute position (flushed bytes included).
    len: usize,
    first: Option<bool>,
}

/// The sha1 of a writer's whole output and of each message, in the order they were ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    pub(crate) whole: [u8; 20],
    pub(crate) messages: Vec<[u8; 20]>,
}

#[derive(Debug, Default)]
pub(crate) struct Writer {
    /// Bytes not yet dropped (all of them unless hashing).
    buf: Output,
    /// Bytes already hashed and dropped from `buf`: a multiple of the block size.
    flushed: usize,
    /// Drops bytes once hashed ([`Writer::hashing`]).
    forgets: bool,
    /// The whole output's sha1 so far, and where message digests are computed beside it.
    lanes: Lanes,
    /// Absolute spans of ended messages not hashed yet.
    messages: Vec<Range<usize>>,
    /// Digests of the messages hashed so far.
    digests: Vec<[u8; 20]>,
    /// One entry per open object/array: true until its first member is written.
    first: Vec<bool>,
    /// Last key written per open container (debug builds only), to enforce sorted keys.
    #[cfg(debug_assertions)]
    last_key: Vec<KeyOrder>,
}

/// How a container's keys are checked in debug builds.
#[cfg(debug_assertions)]
#[derive(Debug)]
enum KeyOrder {
    /// The document's top level: section order is fixed by the contract, not sorted.
    Fixed,
    Ascending(Option<Vec<u8>>),
}

impl Writer {
    pub(crate) fn with_capacity(capacity: usize) -> Writer {
        Writer {
            buf: Output::with_capacity(capacity),
            ..Writer::default()
        }
    }

    /// A writer that hashes its output at [`Writer::flush`] instead of keeping it.
    pub(crate) fn hashing() -> Writer {
        Writer {
            buf: Output::with_capacity(HASHING_BUFFER),
            forgets: true,
            ..Writer::default()
        }
    }

    /// Bytes written so far, flushed ones included: a position for [`Writer::end_message`].
    pub(crate) fn len(&self) -> usize {
        self.flushed + self.buf.len()
    }

    /// Ends a message: the bytes from position `start` to here get a digest of their own (in
    /// [`Digests::messages`], in the order messages end). They must not be rolled back.
    pub(crate) fn end_message(&mut self, start: usize) {
        debug_assert!(start >= self.flushed, "bytes before {start} were flushed");
        self.messages.push(start..self.len());
    }

    /// Lets a hashing writer hash what it has buffered (a no-op for a keeping writer). Call
    /// only where no [`Mark`] is pending and no message is still being written.
    pub(crate) fn flush(&mut self) {
        if self.forgets && self.buf.len() >= FLUSH_AT {
            let whole = self.buf.len() / BLOCK * BLOCK;
            self.hash(whole);
            self.buf.drop_front(whole);
            self.flushed += whole;
        }
    }

    /// Feeds the buffered bytes up to `end` (whole blocks) to the whole output's hash and every
    /// ended message to its own, paired.
    fn hash(&mut self, end: usize) {
        // Everything flushed was hashed, and nothing else: the buffer starts at the first
        // unhashed byte.
        debug_assert_eq!(self.lanes.stream_len(), self.flushed as u64);
        let (blocks, _) = self.buf[..end].as_chunks::<BLOCK>();
        let base = self.flushed;
        let buf = &self.buf;
        let messages = self
            .messages
            .drain(..)
            .map(|span| &buf[span.start - base..span.end - base]);
        self.lanes.run(blocks, messages, &mut self.digests);
    }

    /// The sha1 of everything written and of each message (either kind of writer).
    pub(crate) fn finish(mut self) -> Digests {
        self.hash_rest()
    }

    /// [`Writer::finish`] and the bytes of a writer that keeps its document.
    pub(crate) fn finish_keeping(mut self) -> (Digests, Vec<u8>) {
        debug_assert!(!self.forgets, "a hashing writer keeps no bytes");
        let digests = self.hash_rest();
        (digests, self.buf.into_vec())
    }

    /// Hashes everything not hashed yet and pads both kinds of digest.
    fn hash_rest(&mut self) -> Digests {
        let whole = self.buf.len() / BLOCK * BLOCK;
        self.hash(whole);
        Digests {
            whole: std::mem::take(&mut self.lanes).finish(&self.buf[whole..]),
            messages: std::mem::take(&mut self.digests),
        }
    }

    /// The bytes of a writer that keeps its document (a value rendered on its own).
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        debug_assert!(!self.forgets, "a hashing writer keeps no bytes");
        self.buf.into_vec()
    }

    /// Writes the separator before the next member of the innermost container.
    fn separate(&mut self) {
        if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.buf.push(b',');
            }
        }
    }

    pub(crate) fn begin_object(&mut self) {
        self.buf.push(b'{');
        self.first.push(true);
        #[cfg(debug_assertions)]
        self.last_key.push(KeyOrder::Ascending(None));
    }

    /// Opens the document's top-level object, whose keys come in the contract's fixed order.
    pub(crate) fn begin_document(&mut self) {
        self.buf.push(b'{');
        self.first.push(true);
        #[cfg(debug_assertions)]
        self.last_key.push(KeyOrder::Fixed);
    }

    pub(crate) fn end_object(&mut self) {
        self.close(b'}');
    }

    pub(crate) fn begin_array(&mut self) {
        self.buf.push(b'[');
        self.first.push(true);
        #[cfg(debug_assertions)]
        self.last_key.push(KeyOrder::Ascending(None));
    }

    pub(crate) fn end_array(&mut self) {
        self.close(b']');
    }

    fn close(&mut self, close: u8) {
        self.buf.push(close);
        self.first.pop();
        #[cfg(debug_assertions)]
        self.last_key.pop();
    }

    /// Starts the next array element.
    pub(crate) fn item(&mut self) {
        self.separate();
    }

    /// Writes `"key":`. Keys of one object must come in strictly ascending byte order, except
    /// at the top level of the document (see [`Writer::begin_document`]).
    pub(crate) fn key(&mut self, key: &str) {
        self.check_key_order(key);
        self.separate();
        self.string(key);
        self.buf.push(b':');
    }

    #[cfg_attr(not(debug_assertions), allow(unused_variables))]
    fn check_key_order(&mut self, key: &str) {
        #[cfg(debug_assertions)]
        if let Some(KeyOrder::Ascending(last)) = self.last_key.last_mut() {
            if let Some(last) = last {
                debug_assert!(
                    last.as_slice() < key.as_bytes(),
                    "canonical keys out of order: {:?} then {key:?}",
                    String::from_utf8_lossy(last)
                );
            }
            *last = Some(key.as_bytes().to_vec());
        }
    }

    /// Writes `"name":` for a fixed field name of the contract (plain ASCII, never escaped).
    /// Inlined so each call site copies its constant name with fixed-size moves.
    #[inline(always)]
    pub(crate) fn field(&mut self, name: &'static str) {
        debug_assert!(!name.bytes().any(needs_escape_byte));
        self.check_key_order(name);
        self.separate();
        self.buf.put_field(name.as_bytes());
    }

    /// Remembers the current position, before writing a member that may be discarded.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            len: self.len(),
            first: self.first.last().copied(),
        }
    }

    /// Closes an object opened after `mark`; if it has no members, removes it and its key.
    pub(crate) fn end_object_or_discard(&mut self, mark: Mark) {
        let empty = self.first.last().copied().unwrap_or(false);
        self.end_object();
        if empty {
            debug_assert!(mark.len >= self.flushed, "flushed past a pending mark");
            self.buf.truncate(mark.len.saturating_sub(self.flushed));
            if let (Some(first), Some(saved)) = (self.first.last_mut(), mark.first) {
                *first = saved;
            }
            // The key's order slot is not restored: keys stay ascending regardless.
        }
    }

    /// Appends bytes that are already canonical JSON (a value rendered by another writer).
    pub(crate) fn raw(&mut self, json: &[u8]) {
        self.buf.put(json);
    }

    pub(crate) fn bool(&mut self, value: bool) {
        self.buf.put(if value { b"true" } else { b"false" });
    }

    pub(crate) fn int(&mut self, value: i64) {
        let mut digits = [0u8; 20];
        let mut n = value.unsigned_abs();
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if value < 0 {
            self.buf.push(b'-');
        }
        self.buf.put(&digits[at..]);
    }

    /// A JSON number from a parsed document: integers as plain decimal integers, every other
    /// number as ECMAScript's `Number.prototype.toString` writes it (the RFC 8785 rule):
    /// `3.0` → `3`, `0.5` → `0.5`, `1e-7` → `1e-7`, `1e21` → `1e+21`.
    pub(crate) fn number(&mut self, value: &Number) {
        if let Some(i) = value.as_i64() {
            self.int(i);
        } else if let Some(u) = value.as_u64() {
            self.buf.put(u.to_string().as_bytes());
        } else if let Some(f) = value.as_f64() {
            self.buf.put(ecmascript_number(f).as_bytes());
        }
    }

    /// A JSON string: `"` and `\` backslash-escaped, U+0000..U+001F as `\b \t \n \f \r` or
    /// `\u00xx` (lowercase hex), every other character as its raw UTF-8 bytes.
    pub(crate) fn string(&mut self, value: &str) {
        self.buf.push(b'"');
        let mut rest = value.as_bytes();
        loop {
            let clean = self.buf.put_unescaped(rest);
            match rest.get(clean) {
                Some(&b) => {
                    self.escape(b);
                    rest = &rest[clean + 1..];
                }
                None => break,
            }
        }
        self.buf.push(b'"');
    }

    fn escape(&mut self, b: u8) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            _ => {
                self.buf.put(b"\\u00");
                self.buf.push(HEX[(b >> 4) as usize]);
                self.buf.push(HEX[(b & 0xf) as usize]);
                return;
            }
        };
        self.buf.put(short);
    }

    /// A parsed JSON value with object keys sorted by byte order; arrays keep their order.
    pub(crate) fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.buf.put(b"null"),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.item();
                    self.value(item);
                }
                self.end_array();
            }
            Value::Object(map) => {
                // Sorted explicitly: serde_json's map order depends on its features.
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                self.begin_object();
                for (key, member) in entries {
                    self.key(key);
                    self.value(member);
                }
                self.end_object();
            }
        }
    }
}

/// Formats a float like ECMAScript's `Number.prototype.toString` (ECMA-262 Number::toString):
/// the shortest digits that round-trip, positional for 1e-7 ≤ |x| < 1e21, else exponential.
fn ecmascript_number(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_owned(); // unreachable from a JSON parse; JSON has no NaN/Infinity
    }
    if f == 0.0 {
        return "0".to_owned();
    }
    let sign = if f < 0.0 { "-" } else { "" };
    // `{:e}` yields the shortest round-trip digits as `d[.ddd]e[-]x`.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n = exponent.parse::<i64>().unwrap_or(0) + 1; // decimal point position
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let fraction = if k > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        format!("{}{fraction}e{e_sign}{}", &digits[..1], e.abs())
    };
    format!("{sign}{body}")
}

/// Canonical bytes of one parsed value, e.g. to sort set members by their encoding.
pub(crate) fn value_bytes(value: &Value) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.value(value);
    writer.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::{Digest, Sha1};

    fn render(f: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer::default();
        f(&mut w);
        String::from_utf8(w.into_bytes()).unwrap_or_default()
    }

    #[test]
    fn a_hashing_writer_hashes_exactly_what_a_keeping_writer_keeps() {
        let write = |w: &mut Writer| {
            w.begin_document();
            w.field("a");
            w.begin_object();
            for i in 0..2_000 {
                w.key(&format!("k{i:05}"));
                let start = w.len();
                let mark = w.mark();
                w.begin_object();
                w.end_object_or_discard(mark);
                w.string(&"value \"quoted\"\n".repeat(i % 11));
                w.end_message(start);
                if i % 7 == 0 {
                    w.flush();
                }
            }
            w.end_object();
            w.end_object();
        };
        let mut kept = Writer::default();
        write(&mut kept);
        let mut hashed = Writer::hashing();
        write(&mut hashed);
        assert_eq!(hashed.len(), kept.len());
        assert!(hashed.buf.len() < kept.buf.len());
        let spans = kept.messages.clone();
        let (digests, bytes) = kept.finish_keeping();
        let expected: [u8; 20] = Sha1::digest(&bytes).into();
        assert_eq!(digests.whole, expected);
        let expected: Vec<[u8; 20]> = spans
            .iter()
            .map(|span| Sha1::digest(&bytes[span.clone()]).into())
            .collect();
        assert_eq!(spans.len(), 2_000);
        assert_eq!(digests.messages, expected);
        assert_eq!(hashed.finish(), digests);
        assert_eq!(
            Writer::with_capacity(4).finish(),
            Digests {
                whole: Sha1::digest(b"").into(),
                messages: Vec::new()
            }
        );
    }

    #[test]
    fn escapes_strings_with_the_fixed_rule() {
        let text = render(|w| w.string("a\"b\\c\n\t\u{1}\u{1f}/é\u{2028}"));
        assert_eq!(text, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/é\u{2028}\"");
    }

    #[test]
    fn escapes_exactly_the_quote_backslash_and_control_bytes_anywhere() {
        for byte in 0u8..0x80 {
            let escaped = match byte {
                b'"' => "\\\"".to_owned(),
                b'\\' => "\\\\".to_owned(),
                0x08 => "\\b".to_owned(),
                0x09 => "\\t".to_owned(),
                0x0a => "\\n".to_owned(),
                0x0c => "\\f".to_owned(),
                0x0d => "\\r".to_owned(),
                0x00..=0x1f => format!("\\u{byte:04x}"),
                _ => char::from(byte).to_string(),
            };
            for (before, after) in [(0, 0), (7, 1), (8, 8), (20, 13)] {
                let text = format!(
                    "{}{}{}",
                    "a".repeat(before),
                    char::from(byte),
                    "é".repeat(after)
                );
                let expected = format!("\"{}{escaped}{}\"", "a".repeat(before), "é".repeat(after));
                assert_eq!(render(|w| w.string(&text)), expected, "byte {byte:#x}");
            }
        }
    }

    #[test]
    fn writes_integers_and_floats() {
        let text = render(|w| {
            w.begin_array();
            for n in [
                Number::from(0),
                Number::from(-17),
                Number::from(u64::MAX),
                Number::from(i64::MIN),
            ] {
                w.item();
                w.number(&n);
            }
            for f in [
                3.0,
                -0.0,
                1.5,
                1e300,
                -2.5e-7,
                9_007_199_254_740_993.0,
                1e21,
                123e18,
                0.000001,
                1e-7,
                -0.5,
            ] {
                w.item();
                if let Some(n) = Number::from_f64(f) {
                    w.number(&n);
                }
            }
            w.end_array();
        });
        assert_eq!(
            text,
            "[0,-17,18446744073709551615,-9223372036854775808,3,0,1.5,1e+300,-2.5e-7,9007199254740992,1e+21,123000000000000000000,0.000001,1e-7,-0.5]"
        );
    }

    #[test]
    fn sorts_object_keys_and_discards_empty_objects() {
        let value: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[2,1],"c":null}}"#).unwrap_or(Value::Null);
        assert_eq!(
            String::from_utf8(value_bytes(&value)).unwrap_or_default(),
            r#"{"a":{"c":null,"d":[2,1]},"b":1}"#
        );
        let text = render(|w| {
            w.begin_object();
            w.key("a");
            w.int(1);
            let mark = w.mark();
            w.key("b");
            w.begin_object();
            w.end_object_or_discard(mark);
            w.key("c");
            w.bool(true);
            w.end_object();
        });
        assert_eq!(text, r#"{"a":1,"c":true}"#);
    }
}
