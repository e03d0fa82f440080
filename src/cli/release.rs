//! `gwtrigger release`: packages prebuilt provider binaries for several platforms into a signed
//! registry release plus a static provider registry tree, and prints what to publish. Thin:
//! parsing and printing only; the work lives in [`crate::release`].
//!
//! A subcommand rather than a script because the archives and hashes must be byte-for-byte the
//! ones `gwtrigger mirror` makes (one zip writer, one h1/zh), and because it then runs the same
//! way on every platform the release workflow uses.

use std::path::PathBuf;

use serde_json::json;

use crate::mirror::{MirrorError, Platform};
use crate::release::{
    find_binaries, write_registry, write_release, GpgSigner, PlatformBinary, ReleaseError,
};

/// Arguments of `gwtrigger release`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// Directory of prebuilt binaries, one per platform:
    /// DIR/OS_ARCH/terraform-provider-gwtrigger[.exe] (e.g. linux_amd64, darwin_arm64,
    /// windows_amd64).
    #[arg(long, value_name = "DIR", required_unless_present = "provider_binary")]
    pub binaries: Option<PathBuf>,
    /// Release a single provider executable built for the platform gwtrigger runs on, instead
    /// of --binaries.
    #[arg(long, value_name = "PATH", conflicts_with = "binaries")]
    pub provider_binary: Option<PathBuf>,
    /// Directory to write the release files into; the registry tree goes to OUT/registry.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Provider version of the release.
    #[arg(long, value_name = "X.Y.Z", default_value = crate::VERSION)]
    pub version: String,
    /// Registry hostname of the source address users will write (shown in the summary).
    #[arg(long, default_value = "registry.terraform.io")]
    pub hostname: String,
    /// Namespace of the source address (HOST/NAMESPACE/gwtrigger).
    #[arg(long, default_value = "gwtrigger")]
    pub namespace: String,
    /// The gpg key that signs SHA256SUMS: an RSA key id or fingerprint in your keyring
    /// (GNUPGHOME selects another keyring).
    #[arg(long, env = "GWTRIGGER_GPG_KEY", value_name = "KEY")]
    pub gpg_key: Option<String>,
    /// The gpg program to run.
    #[arg(
        long,
        env = "GWTRIGGER_GPG",
        value_name = "PATH",
        default_value = "gpg"
    )]
    pub gpg: PathBuf,
    /// URL the release files will be published under (e.g. a GitHub release's download URL);
    /// by default they are copied into the registry tree and linked relatively.
    #[arg(long, value_name = "URL")]
    pub download_url: Option<String>,
    /// Print a JSON document instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

/// Runs `gwtrigger release`; returns the text to print on stdout.
pub fn run(args: &ReleaseArgs) -> Result<String, ReleaseError> {
    let key = args.gpg_key.as_deref().ok_or(ReleaseError::NoSigningKey)?;
    let signer = GpgSigner::new(&args.gpg, key)?;
    // clap requires one of --binaries and --provider-binary.
    let binaries = match &args.provider_binary {
        Some(path) => vec![PlatformBinary {
            platform: Platform::current()?,
            path: path.clone(),
        }],
        None => find_binaries(&args.binaries.clone().unwrap_or_default())?,
    };
    let out =
        std::path::absolute(&args.out).map_err(|e| MirrorError::io("resolve", &args.out, e))?;
    let release = write_release(
        &out,
        &args.hostname,
        &args.namespace,
        &args.version,
        &binaries,
        &signer,
    )?;
    let registry = write_registry(
        &out.join("registry"),
        &args.namespace,
        &release,
        args.download_url.as_deref(),
    )?;
    let source = release
        .platforms
        .first()
        .map(|p| p.coordinates.source_address())
        .unwrap_or_default();

    if args.json {
        let platforms: Vec<serde_json::Value> = release
            .platforms
            .iter()
            .map(|p| {
                json!({
                    "platform": p.coordinates.platform.to_string(),
                    "archive": p.archive.display().to_string(),
                    "zh": p.zh,
                    "h1": p.h1,
                })
            })
            .collect();
        let document = json!({
            "source": source,
            "version": release.version,
            "key_id": release.key_id,
            "out": out.display().to_string(),
            "platforms": platforms,
            "manifest": release.manifest.display().to_string(),
            "shasums": release.shasums.display().to_string(),
            "signature": release.signature.display().to_string(),
            "public_key": release.public_key.display().to_string(),
            "registry": registry.root.display().to_string(),
        });
        return Ok(format!("{document:#}\n"));
    }

    let count = release.platforms.len();
    let mut text = format!(
        "Wrote the release of {source} {} ({count} platform{}), signed by key {}:\n",
        release.version,
        if count == 1 { "" } else { "s" },
        release.key_id
    );
    for file in release.files() {
        text.push_str(&format!("  {}\n", file.display()));
    }
    text.push_str("Lock-file hashes (zh: every platform; h1: after installing each):\n");
    for p in &release.platforms {
        let platform = p.coordinates.platform.to_string();
        text.push_str(&format!(
            "  {platform:<14} {}\n  {:<14} {}\n",
            p.zh, "", p.h1
        ));
    }
    text.push_str(&format!(
        "\nStatic registry tree: {}\n\
         Serve it at the root of https://{}/ (any static HTTPS server), then use\n  \
         source = \"{source}\"\n\
         See docs/guides/publishing-to-a-private-registry.md.\n",
        registry.root.display(),
        args.hostname,
    ));
    Ok(text)
}
