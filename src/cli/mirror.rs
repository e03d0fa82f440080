//! `gwtrigger mirror`: turns the provider binary into a filesystem/network provider mirror and
//! prints the lock-file hashes and the `.tfrc` to use it. Thin: parsing and printing only; the
//! work lives in [`crate::mirror`].

use std::path::{Path, PathBuf};

use serde_json::json;

pub use crate::mirror::MirrorError;
use crate::mirror::{
    read_provider_binary, write_packed, write_unpacked, Platform, ProviderCoordinates,
    PROVIDER_TYPE,
};

/// Arguments of `gwtrigger mirror`.
#[derive(Debug, Clone, clap::Args)]
pub struct MirrorArgs {
    /// Directory to write the mirror tree into (created if missing; existing versions and
    /// platforms are kept).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The provider executable to package [default: terraform-provider-gwtrigger next to this
    /// gwtrigger executable].
    #[arg(long, value_name = "PATH")]
    pub provider_binary: Option<PathBuf>,
    /// Registry hostname of the provider source address.
    #[arg(long, default_value = "registry.terraform.io")]
    pub hostname: String,
    /// Namespace of the provider source address.
    #[arg(long, default_value = "gwtrigger")]
    pub namespace: String,
    /// Provider version to publish (a rebuilt binary needs a new version: lock files pin hashes).
    #[arg(long, value_name = "X.Y.Z", default_value = crate::VERSION)]
    pub version: String,
    /// Target platform of the binary, Go style OS_ARCH [default: the platform gwtrigger runs on].
    #[arg(long, value_name = "OS_ARCH")]
    pub platform: Option<String>,
    /// Write the unpacked layout (HOST/NS/gwtrigger/VERSION/OS_ARCH/executable) instead of the
    /// packed one (zip + index.json + VERSION.json).
    #[arg(long)]
    pub unpacked: bool,
    /// Print a JSON document instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

/// Runs `gwtrigger mirror`; returns the text to print on stdout.
pub fn run(args: &MirrorArgs) -> Result<String, MirrorError> {
    let platform = match &args.platform {
        Some(text) => Platform::parse(text)?,
        None => Platform::current()?,
    };
    let coordinates =
        ProviderCoordinates::new(&args.hostname, &args.namespace, &args.version, platform)?;
    let binary_path = match &args.provider_binary {
        Some(path) => path.clone(),
        None => default_provider_binary()?,
    };
    let binary = read_provider_binary(&binary_path)?;
    let out =
        std::path::absolute(&args.out).map_err(|e| MirrorError::io("resolve", &args.out, e))?;

    let (layout, paths, h1, zh, warning) = if args.unpacked {
        let written = write_unpacked(&out, &coordinates, &binary)?;
        let paths = vec![("executable", written.executable)];
        ("unpacked", paths, written.h1, None, None)
    } else {
        let written = write_packed(&out, &coordinates, &binary)?;
        let warning = written.replaced_different_hashes.then(|| {
            format!(
                "version {} for {} was already in this mirror with other hashes and has been \
                 replaced; lock files that recorded the old hashes will refuse it, so publish a \
                 rebuilt binary under a new --version",
                coordinates.version, coordinates.platform
            )
        });
        let paths = vec![
            ("archive", written.archive),
            ("index_json", written.index_json),
            ("version_json", written.version_json),
        ];
        ("packed", paths, written.h1, Some(written.zh), warning)
    };
    let tfrc = tfrc_snippet(&out, &coordinates.source_address());

    if args.json {
        let paths: serde_json::Map<String, serde_json::Value> = paths
            .iter()
            .map(|(key, path)| (key.to_string(), json!(path.display().to_string())))
            .collect();
        let document = json!({
            "layout": layout,
            "source": coordinates.source_address(),
            "version": coordinates.version,
            "platform": coordinates.platform.to_string(),
            "out": out.display().to_string(),
            "paths": paths,
            "h1": h1,
            "zh": zh,
            "warning": warning,
            "tfrc": tfrc,
        });
        return Ok(format!("{document:#}\n"));
    }

    let mut text = format!(
        "Wrote the {layout} mirror of {} {} ({}):\n",
        coordinates.source_address(),
        coordinates.version,
        coordinates.platform
    );
    for (key, path) in &paths {
        text.push_str(&format!("  {key:<13} {}\n", path.display()));
    }
    text.push_str("Lock-file hashes (.terraform.lock.hcl):\n");
    text.push_str(&format!("  {h1}\n"));
    if let Some(zh) = &zh {
        text.push_str(&format!("  {zh}\n"));
    }
    if let Some(warning) = &warning {
        text.push_str(&format!("Warning: {warning}\n"));
    }
    text.push_str(&format!(
        "\nUse it with this CLI configuration (point TF_CLI_CONFIG_FILE at it):\n{tfrc}"
    ));
    if !args.unpacked {
        text.push_str(&format!(
            "To serve it as a network mirror instead, publish {} over HTTPS and use\n  \
             network_mirror {{ url = \"https://YOUR-HOST/\" }}\n",
            out.display()
        ));
    }
    Ok(text)
}

/// `terraform-provider-gwtrigger` next to the running `gwtrigger`, as `cargo build` lays them out.
fn default_provider_binary() -> Result<PathBuf, MirrorError> {
    let exe = std::env::current_exe().map_err(|e| MirrorError::io("locate", "gwtrigger", e))?;
    let name = format!(
        "terraform-provider-{PROVIDER_TYPE}{}",
        std::env::consts::EXE_SUFFIX
    );
    Ok(exe.parent().unwrap_or(Path::new(".")).join(name))
}

/// The `provider_installation` block that makes Terraform install this provider from `out`.
pub fn tfrc_snippet(out: &Path, source_address: &str) -> String {
    // A JSON string is a valid HCL string once template sequences are escaped.
    let path = serde_json::Value::String(out.display().to_string())
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {path}\n    include = \
         [\"{source_address}\"]\n  }}\n  direct {{\n    exclude = [\"{source_address}\"]\n  }}\n}}\n"
    )
}
