//! The `zh:` lock-file hash: lowercase hex sha256 of a packed provider archive's bytes.
//! Terraform records it only for zip archives, never for an unpacked directory. A registry
//! release's SHA256SUMS lists the same digest, which is how Terraform gets `zh:` for every platform.

use sha2::{Digest, Sha256};

/// `zh:` + lowercase hex sha256 of `zip_bytes`.
pub fn zh(zip_bytes: &[u8]) -> String {
    format!("zh:{}", sha256_hex(zip_bytes))
}

/// Lowercase hex sha256, as `zh:` and the lines of a release's SHA256SUMS spell it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zh_is_hex_sha256_with_prefix() {
        // sha256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            zh(b"abc"),
            "zh:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
