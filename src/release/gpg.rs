//! Signing through GnuPG: the user's `gpg` and keyring (GNUPGHOME selects another one), so the
//! private key never passes through this program. Checks that the key is RSA, which is all the
//! Terraform registries accept, before anything is signed.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::ReleaseError;

/// OpenPGP public-key algorithm number of RSA (RFC 4880 §9.1; gpg prints 1 for RSA).
const RSA_ALGORITHMS: [&str; 3] = ["1", "2", "3"];

/// A validated signing key in the user's gpg keyring.
#[derive(Debug, Clone)]
pub struct GpgSigner {
    program: PathBuf,
    /// The primary key's fingerprint: unambiguous wherever the user's id was short.
    fingerprint: String,
    /// The primary key's 16-hex-digit key id, as the registry's `signing_keys` lists it.
    key_id: String,
}

impl GpgSigner {
    /// Looks `key` (an id, fingerprint or user id) up among the secret keys and checks that it
    /// names exactly one key, that the key is RSA, and so is every subkey that can sign.
    pub fn new(program: &Path, key: &str) -> Result<Self, ReleaseError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(ReleaseError::NoSigningKey);
        }
        let listing = run_gpg(
            program,
            "list the secret key",
            [
                "--with-colons",
                "--fixed-list-mode",
                "--list-secret-keys",
                "--",
                key,
            ],
        )?;
        let listing = String::from_utf8_lossy(&listing.stdout);
        let parsed = parse_secret_key_listing(&listing);
        match parsed.as_slice() {
            [] => Err(ReleaseError::Gpg {
                action: "find the signing key",
                why: format!("no secret key matches {key:?} in this keyring"),
            }),
            [one] => {
                if let Some(algorithm) = one.signing_algorithms.iter().find(|a| !is_rsa(a)) {
                    return Err(ReleaseError::NotRsa {
                        key: key.to_string(),
                        algorithm: algorithm.clone(),
                    });
                }
                Ok(Self {
                    program: program.to_path_buf(),
                    fingerprint: one.fingerprint.clone(),
                    key_id: one.key_id.clone(),
                })
            }
            _ => Err(ReleaseError::Gpg {
                action: "pick the signing key",
                why: format!(
                    "{key:?} matches {} secret keys; pass one key's fingerprint",
                    parsed.len()
                ),
            }),
        }
    }

    /// The primary key id (16 uppercase hex digits).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Writes a detached, binary (not armoured) signature of `input` to `output`.
    pub fn detach_sign(&self, input: &Path, output: &Path) -> Result<(), ReleaseError> {
        let _ = std::fs::remove_file(output);
        run_gpg(
            &self.program,
            "sign",
            [
                OsStr::new("--yes"),
                OsStr::new("--local-user"),
                OsStr::new(&self.fingerprint),
                OsStr::new("--detach-sign"),
                OsStr::new("--output"),
                output.as_os_str(),
                OsStr::new("--"),
                input.as_os_str(),
            ],
        )?;
        Ok(())
    }

    /// The public key, ASCII-armoured, as `signing_keys.gpg_public_keys[].ascii_armor` holds it.
    pub fn armored_public_key(&self) -> Result<String, ReleaseError> {
        let exported = run_gpg(
            &self.program,
            "export the public key",
            ["--armor", "--export", "--", &self.fingerprint],
        )?;
        let armor = String::from_utf8(exported.stdout).map_err(|e| ReleaseError::Gpg {
            action: "export the public key",
            why: e.to_string(),
        })?;
        if !armor.contains("BEGIN PGP PUBLIC KEY BLOCK") {
            return Err(ReleaseError::Gpg {
                action: "export the public key",
                why: "gpg printed no public key block".to_string(),
            });
        }
        Ok(armor)
    }
}

/// Runs `gpg --batch ARGS…`; a non-zero exit is an error carrying gpg's own message.
fn run_gpg<I, S>(program: &Path, action: &'static str, args: I) -> Result<Output, ReleaseError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = Command::new(program)
        .arg("--batch")
        .args(args)
        .output()
        .map_err(|source| ReleaseError::GpgMissing {
            program: program.to_path_buf(),
            source,
        })?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(ReleaseError::Gpg {
            action,
            why: format!(
                "{} ({})",
                String::from_utf8_lossy(&output.stderr).trim(),
                output.status
            ),
        })
    }
}

/// One secret key of `gpg --with-colons --list-secret-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SecretKey {
    key_id: String,
    fingerprint: String,
    /// The algorithm of the primary key and of every subkey that can sign.
    signing_algorithms: Vec<String>,
}

/// Parses gpg's colon listing: `sec` starts a key (field 4 algorithm, 5 key id, 12
/// capabilities), the first `fpr` after it is its fingerprint, `ssb` lines are its subkeys.
fn parse_secret_key_listing(listing: &str) -> Vec<SecretKey> {
    let mut keys: Vec<SecretKey> = Vec::new();
    let mut awaiting_fingerprint = false;
    for line in listing.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or("");
        match field(0) {
            "sec" => {
                keys.push(SecretKey {
                    key_id: field(4).to_string(),
                    fingerprint: String::new(),
                    signing_algorithms: vec![field(3).to_string()],
                });
                awaiting_fingerprint = true;
            }
            "fpr" if awaiting_fingerprint => {
                if let Some(key) = keys.last_mut() {
                    key.fingerprint = field(9).to_string();
                }
                awaiting_fingerprint = false;
            }
            "ssb" => {
                if let Some(key) = keys.last_mut() {
                    if field(11).contains('s') {
                        key.signing_algorithms.push(field(3).to_string());
                    }
                }
            }
            _ => {}
        }
    }
    keys
}

fn is_rsa(algorithm: &str) -> bool {
    RSA_ALGORITHMS.contains(&algorithm)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_LISTING: &str = "\
sec:u:3072:1:0123456789ABCDEF:1700000000:::u:::scESC:::+:::23::0:
fpr:::::::::AAAABBBBCCCCDDDDEEEEFFFF0123456789ABCDEF:
grp:::::::::0000:
uid:u::::1700000000::HASH::Release <release@example.com>::::::::::0:
ssb:u:3072:1:FEDCBA9876543210:1700000000::::::e:::+:::23:
fpr:::::::::1111222233334444555566667777FEDCBA987654:
";

    #[test]
    fn reads_the_primary_key_of_a_listing() {
        let keys = parse_secret_key_listing(RSA_LISTING);
        assert_eq!(
            keys,
            [SecretKey {
                key_id: "0123456789ABCDEF".into(),
                fingerprint: "AAAABBBBCCCCDDDDEEEEFFFF0123456789ABCDEF".into(),
                // The encryption-only subkey cannot sign, so it is not checked.
                signing_algorithms: vec!["1".into()],
            }]
        );
    }

    #[test]
    fn an_ecc_signing_subkey_is_seen() {
        let listing = format!(
            "{RSA_LISTING}ssb:u:255:22:1234123412341234:1700000000::::::s:::+::ed25519:23:\n"
        );
        let keys = parse_secret_key_listing(&listing);
        assert_eq!(keys[0].signing_algorithms, ["1", "22"]);
        assert!(!keys[0].signing_algorithms.iter().all(|a| is_rsa(a)));
    }

    #[test]
    fn two_keys_are_two_entries() {
        let listing = format!("{RSA_LISTING}{RSA_LISTING}");
        assert_eq!(parse_secret_key_listing(&listing).len(), 2);
    }

    #[test]
    fn an_empty_key_name_means_no_key_configured() {
        let err = GpgSigner::new(Path::new("gpg"), "  ").unwrap_err();
        assert!(matches!(err, ReleaseError::NoSigningKey), "{err}");
    }
}
