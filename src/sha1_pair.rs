//! SHA-1 of two independent messages at once (pure, no IO).
//!
//! One SHA-1 stream is a chain of dependent rounds: with SHA-NI a core spends most of each block
//! waiting on the previous round. The fingerprint hashes two streams of about the same size —
//! the document and the routes' method objects inside it — so interleaving their rounds keeps
//! the core busy: on the AMD machine in BENCHMARKS.md two lanes ran 1.8× faster than two passes.
//!
//! [`compress_pair`] is the interleaved SHA-NI path (chosen at run time; elsewhere it falls back
//! to the `sha1` crate's block function one lane after the other). [`Lanes`] schedules a long
//! stream against many short messages; [`State`] is one SHA-1 computation.

/// SHA-1 processes messages in blocks of this many bytes.
pub(crate) const BLOCK: usize = 64;

/// One block of input.
pub(crate) type Block = [u8; BLOCK];

/// SHA-1's initial chaining value (FIPS 180-4, 5.3.1).
const INITIAL: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// The chaining value of one SHA-1 computation and how many bytes it has consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State {
    words: [u32; 5],
    len: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            words: INITIAL,
            len: 0,
        }
    }
}

impl State {
    /// Consumes whole blocks.
    pub(crate) fn update_blocks(&mut self, blocks: &[Block]) {
        compress(&mut self.words, blocks);
        self.len += (blocks.len() * BLOCK) as u64;
    }

    /// Pads `tail` (the message's last `len % 64` bytes; shorter than a block) and returns the
    /// digest of the whole message.
    pub(crate) fn finish(mut self, tail: &[u8]) -> [u8; 20] {
        let (blocks, count) = final_blocks(tail, self.len + tail.len() as u64);
        compress(&mut self.words, &blocks[..count]);
        self.digest()
    }

    fn digest(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.words) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// The one or two padded blocks that end a message of `message_len` bytes whose unprocessed
/// rest is `tail`: `0x80`, zeros, then the length in bits (big-endian) in the last 8 bytes.
fn final_blocks(tail: &[u8], message_len: u64) -> ([Block; 2], usize) {
    debug_assert!(tail.len() < BLOCK);
    let mut blocks = [[0u8; BLOCK]; 2];
    blocks[0][..tail.len()].copy_from_slice(tail);
    blocks[0][tail.len()] = 0x80;
    // The length needs a second block when the tail leaves fewer than 8 bytes after 0x80.
    let count = if tail.len() < BLOCK - 8 { 1 } else { 2 };
    blocks[count - 1][BLOCK - 8..].copy_from_slice(&(message_len * 8).to_be_bytes());
    (blocks, count)
}

/// Hashes a long stream (lane one) while digesting many short messages (lane two) in the
/// gaps, pairing their blocks so both dependency chains run at once.
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    stream: State,
}

impl Lanes {
    /// Bytes of the long stream consumed so far.
    pub(crate) fn stream_len(&self) -> u64 {
        self.stream.len
    }

    /// Feeds `stream` (whole blocks) to the long stream and returns the digest of each message,
    /// in order. Messages need not be block-aligned; each is hashed on its own.
    pub(crate) fn run<'m>(
        &mut self,
        mut stream: &[Block],
        messages: impl IntoIterator<Item = &'m [u8]>,
        digests: &mut Vec<[u8; 20]>,
    ) {
        for message in messages {
            let mut state = State::default();
            let (full, tail) = message.as_chunks::<BLOCK>();
            let (ending, ending_count) = final_blocks(tail, message.len() as u64);
            for blocks in [full, &ending[..ending_count]] {
                let paired = blocks.len().min(stream.len());
                compress_pair(
                    &mut self.stream.words,
                    &stream[..paired],
                    &mut state.words,
                    &blocks[..paired],
                );
                compress(&mut state.words, &blocks[paired..]);
                self.stream.len += (paired * BLOCK) as u64;
                stream = &stream[paired..];
            }
            digests.push(state.digest());
        }
        self.stream.update_blocks(stream);
    }

    /// The digest of the long stream, given its last `len % 64` bytes.
    pub(crate) fn finish(self, tail: &[u8]) -> [u8; 20] {
        self.stream.finish(tail)
    }
}

/// The `sha1` crate's block type.
type GenericBlock = sha1::digest::generic_array::GenericArray<u8, sha1::digest::consts::U64>;

/// One lane: the `sha1` crate's block function (SHA-NI when the CPU has it, else portable).
fn compress(words: &mut [u32; 5], blocks: &[Block]) {
    if blocks.is_empty() {
        return;
    }
    // SAFETY: `GenericArray<u8, U64>` is `#[repr(transparent)]` over `[u8; 64]` (generic-array
    // 0.14), so a slice of one is a slice of the other with the same length.
    let generic: &[GenericBlock] =
        unsafe { std::slice::from_raw_parts(blocks.as_ptr().cast(), blocks.len()) };
    sha1::compress(words, generic);
}

/// Two lanes of equal block count, interleaved when the CPU has SHA-NI.
fn compress_pair(a: &mut [u32; 5], a_blocks: &[Block], b: &mut [u32; 5], b_blocks: &[Block]) {
    debug_assert_eq!(a_blocks.len(), b_blocks.len());
    #[cfg(target_arch = "x86_64")]
    if !a_blocks.is_empty() && shani::available() {
        // SAFETY: the CPU has every feature `shani::pair` is compiled for (checked just now).
        unsafe { shani::pair(a, a_blocks, b, b_blocks) };
        return;
    }
    compress(a, a_blocks);
    compress(b, b_blocks);
}

/// Both lanes with the SHA extensions, one instruction of each lane after the other.
#[cfg(target_arch = "x86_64")]
mod shani {
    use std::arch::x86_64::*;

    use super::Block;

    pub(super) fn available() -> bool {
        // std caches the CPUID answer; this is one relaxed load after the first call.
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
    }

    /// Four rounds: `sha1nexte` derives E from the previous ABCD and adds the message words.
    macro_rules! rounds4 {
        ($abcd:expr, $e:expr, $w:expr, $f:literal) => {
            _mm_sha1rnds4_epu32($abcd, _mm_sha1nexte_epu32($e, $w), $f)
        };
    }

    /// The next four message words from the previous sixteen.
    macro_rules! schedule {
        ($w0:expr, $w1:expr, $w2:expr, $w3:expr) => {
            _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32($w0, $w1), $w2), $w3)
        };
    }

    /// Both lanes' chaining values and message schedules; `[lane]` indexes everything.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn pair(
        a: &mut [u32; 5],
        a_blocks: &[Block],
        b: &mut [u32; 5],
        b_blocks: &[Block],
    ) {
        // Byte order: each 16-byte load holds four big-endian words, first word in the top lane.
        let reverse = _mm_set_epi64x(0x0001_0203_0405_0607, 0x0809_0a0b_0c0d_0e0f);
        let load_abcd =
            |s: &[u32; 5]| _mm_set_epi32(s[0] as i32, s[1] as i32, s[2] as i32, s[3] as i32);
        let mut abcd = [load_abcd(a), load_abcd(b)];
        let mut e = [
            _mm_set_epi32(a[4] as i32, 0, 0, 0),
            _mm_set_epi32(b[4] as i32, 0, 0, 0),
        ];
        for (block_a, block_b) in a_blocks.iter().zip(b_blocks) {
            let mut w = [[_mm_setzero_si128(); 5]; 2];
            for (lane, block) in [block_a, block_b].into_iter().enumerate() {
                let words = block.as_ptr().cast::<__m128i>();
                for (k, slot) in w[lane].iter_mut().take(4).enumerate() {
                    // SAFETY: `k < 4`, so the 16 bytes read lie inside the 64-byte block;
                    // `loadu` has no alignment requirement.
                    *slot = _mm_shuffle_epi8(unsafe { _mm_loadu_si128(words.add(k)) }, reverse);
                }
            }
            let mut h0 = abcd;
            let mut h1 = [_mm_add_epi32(e[0], w[0][0]), _mm_add_epi32(e[1], w[1][0])];
            for l in 0..2 {
                h1[l] = _mm_sha1rnds4_epu32(h0[l], h1[l], 0);
            }
            for l in 0..2 {
                h0[l] = rounds4!(h1[l], h0[l], w[l][1], 0);
            }
            for l in 0..2 {
                h1[l] = rounds4!(h0[l], h1[l], w[l][2], 0);
            }
            for l in 0..2 {
                h0[l] = rounds4!(h1[l], h0[l], w[l][3], 0);
            }
            // Rounds 16..80 in groups of four: group `n` schedules words into slot `(n+4) % 5`
            // and alternates which of h0/h1 holds ABCD. `f` is the round function (0..=3).
            macro_rules! group {
                ($n:literal, $f:literal) => {
                    for l in 0..2 {
                        let next = schedule!(
                            w[l][$n % 5],
                            w[l][($n + 1) % 5],
                            w[l][($n + 2) % 5],
                            w[l][($n + 3) % 5]
                        );
                        w[l][($n + 4) % 5] = next;
                        if $n % 2 == 0 {
                            h1[l] = rounds4!(h0[l], h1[l], next, $f);
                        } else {
                            h0[l] = rounds4!(h1[l], h0[l], next, $f);
                        }
                    }
                };
            }
            group!(0, 0);
            group!(1, 1);
            group!(2, 1);
            group!(3, 1);
            group!(4, 1);
            group!(5, 1);
            group!(6, 2);
            group!(7, 2);
            group!(8, 2);
            group!(9, 2);
            group!(10, 2);
            group!(11, 3);
            group!(12, 3);
            group!(13, 3);
            group!(14, 3);
            group!(15, 3);
            for l in 0..2 {
                abcd[l] = _mm_add_epi32(abcd[l], h0[l]);
                e[l] = _mm_sha1nexte_epu32(h1[l], e[l]);
            }
        }
        for (lane, words) in [a, b].into_iter().enumerate() {
            words[0] = _mm_extract_epi32(abcd[lane], 3) as u32;
            words[1] = _mm_extract_epi32(abcd[lane], 2) as u32;
            words[2] = _mm_extract_epi32(abcd[lane], 1) as u32;
            words[3] = _mm_extract_epi32(abcd[lane], 0) as u32;
            words[4] = _mm_extract_epi32(e[lane], 3) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::{Digest, Sha1};

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
            .collect()
    }

    fn digest_of(message: &[u8]) -> [u8; 20] {
        let mut state = State::default();
        let (full, tail) = message.as_chunks::<BLOCK>();
        state.update_blocks(full);
        state.finish(tail)
    }

    #[test]
    fn one_state_matches_the_sha1_crate_at_every_padding_boundary() {
        for len in (0..200).chain([1_000, 4_095, 4_096, 65_537]) {
            let message = bytes(len, len as u8);
            let expected: [u8; 20] = Sha1::digest(&message).into();
            assert_eq!(digest_of(&message), expected, "length {len}");
        }
        // FIPS 180 example: "abc".
        assert_eq!(
            hex::encode(digest_of(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn paired_lanes_equal_two_separate_passes() {
        for blocks in [1usize, 2, 7, 64] {
            let a = bytes(blocks * BLOCK, 1);
            let b = bytes(blocks * BLOCK, 2);
            let (a, _) = a.as_chunks::<BLOCK>();
            let (b, _) = b.as_chunks::<BLOCK>();
            let (mut pa, mut pb) = (INITIAL, INITIAL);
            compress_pair(&mut pa, a, &mut pb, b);
            let (mut sa, mut sb) = (INITIAL, INITIAL);
            compress(&mut sa, a);
            compress(&mut sb, b);
            assert_eq!((pa, pb), (sa, sb), "{blocks} blocks");
        }
    }

    #[test]
    fn lanes_digest_the_stream_and_every_message() {
        // Streams longer and shorter than the messages, so both lanes run out first somewhere.
        for (stream_len, sizes) in [
            (10_000usize, vec![0usize, 1, 55, 56, 63, 64, 65, 700, 2_000]),
            (130, vec![700, 3, 1_000]),
            (0, vec![64, 128]),
            (5_000, vec![]),
        ] {
            let stream = bytes(stream_len, 9);
            let messages: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| bytes(n, i as u8))
                .collect();
            let (full, tail) = stream.as_chunks::<BLOCK>();
            let mut lanes = Lanes::default();
            let mut digests = Vec::new();
            // In two calls, as the writer flushes: the state carries over.
            let half = full.len() / 2;
            lanes.run(
                &full[..half],
                messages.iter().take(2).map(Vec::as_slice),
                &mut digests,
            );
            lanes.run(
                &full[half..],
                messages.iter().skip(2).map(Vec::as_slice),
                &mut digests,
            );
            assert_eq!(lanes.stream_len(), (full.len() * BLOCK) as u64);
            let expected: [u8; 20] = Sha1::digest(&stream).into();
            assert_eq!(lanes.finish(tail), expected);
            let expected: Vec<[u8; 20]> = messages.iter().map(|m| Sha1::digest(m).into()).collect();
            assert_eq!(digests, expected);
        }
    }
}
