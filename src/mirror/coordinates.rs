//! The validated coordinates of one provider package: registry hostname, namespace, type,
//! version and platform. Validation happens once, here, with messages that say how to fix input.

use std::fmt;

use super::MirrorError;

/// The provider type; fixed, because the binary serves exactly this provider.
pub const PROVIDER_TYPE: &str = "gwtrigger";

/// A Terraform platform, `OS_ARCH` in Go's names (`linux_amd64`, `darwin_arm64`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    /// Parses `os_arch`, e.g. `linux_amd64`.
    pub fn parse(text: &str) -> Result<Self, MirrorError> {
        let hint =
            "use Go's OS_ARCH names, e.g. linux_amd64, linux_arm64, darwin_arm64, windows_amd64";
        let Some((os, arch)) = text.split_once('_') else {
            return Err(MirrorError::invalid(
                "platform",
                text,
                format!("expected OS_ARCH; {hint}"),
            ));
        };
        let is_word = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !is_word(os) || !is_word(arch) {
            return Err(MirrorError::invalid(
                "platform",
                text,
                format!(
                    "OS and ARCH must be lowercase letters and digits joined by one `_`; {hint}"
                ),
            ));
        }
        Ok(Self {
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    /// The platform this program was compiled for, in Go's names.
    pub fn current() -> Result<Self, MirrorError> {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64",
            "s390x" => "s390x",
            other => other,
        };
        Self::parse(&format!("{os}_{arch}"))
    }

    /// `.exe` on Windows, where Terraform requires it; empty elsewhere.
    pub fn executable_suffix(&self) -> &'static str {
        if self.os == "windows" {
            ".exe"
        } else {
            ""
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.os, self.arch)
    }
}

/// Everything that names one provider package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCoordinates {
    pub hostname: String,
    pub namespace: String,
    pub version: String,
    pub platform: Platform,
}

impl ProviderCoordinates {
    /// Validates each part.
    pub fn new(
        hostname: &str,
        namespace: &str,
        version: &str,
        platform: Platform,
    ) -> Result<Self, MirrorError> {
        validate_hostname(hostname)?;
        validate_namespace(namespace)?;
        validate_version(version)?;
        Ok(Self {
            hostname: hostname.to_string(),
            namespace: namespace.to_string(),
            version: version.to_string(),
            platform,
        })
    }

    /// `HOST/NS/gwtrigger`, the source address users put in `required_providers`.
    pub fn source_address(&self) -> String {
        format!("{}/{}/{}", self.hostname, self.namespace, PROVIDER_TYPE)
    }

    /// The executable's name inside both layouts: `terraform-provider-gwtrigger_vX.Y.Z[.exe]`.
    pub fn executable_name(&self) -> String {
        format!(
            "terraform-provider-{PROVIDER_TYPE}_v{}{}",
            self.version,
            self.platform.executable_suffix()
        )
    }

    /// The packed archive's name: `terraform-provider-gwtrigger_X.Y.Z_OS_ARCH.zip`.
    pub fn archive_name(&self) -> String {
        format!(
            "terraform-provider-{PROVIDER_TYPE}_{}_{}.zip",
            self.version, self.platform
        )
    }
}

fn validate_hostname(hostname: &str) -> Result<(), MirrorError> {
    let invalid = |why: &str| Err(MirrorError::invalid("hostname", hostname, why));
    if hostname.bytes().any(|b| b.is_ascii_uppercase()) {
        return invalid("use lowercase; Terraform normalizes hostnames to lowercase");
    }
    let (host, port) = match hostname.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostname, None),
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("the port after `:` must be a number");
        }
    }
    if host.is_empty() || host.len() > 253 {
        return invalid("expected a DNS name such as registry.terraform.io");
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return invalid(
                "expected a DNS name such as registry.terraform.io (labels of lowercase letters, \
                 digits and inner hyphens, no scheme or path)",
            );
        }
    }
    Ok(())
}

fn validate_namespace(namespace: &str) -> Result<(), MirrorError> {
    let ok = !namespace.is_empty()
        && namespace.len() <= 64
        && !namespace.starts_with('-')
        && !namespace.ends_with('-')
        && namespace
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(MirrorError::invalid(
            "namespace",
            namespace,
            "expected up to 64 lowercase letters, digits and inner hyphens, e.g. gwtrigger",
        ))
    }
}

/// Semantic version `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, without a leading `v`.
fn validate_version(version: &str) -> Result<(), MirrorError> {
    let invalid = |why: &str| Err(MirrorError::invalid("version", version, why));
    if version.starts_with('v') {
        return invalid("drop the leading `v`, e.g. 0.1.0");
    }
    let (core, rest) = match version.find(['-', '+']) {
        Some(at) => (&version[..at], Some(&version[at + 1..])),
        None => (version, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = |s: &&str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s.len() == 1 || !s.starts_with('0'))
    };
    if numbers.len() != 3 || !numbers.iter().all(numeric) {
        return invalid("expected MAJOR.MINOR.PATCH, e.g. 0.1.0");
    }
    if let Some(rest) = rest {
        let ok = rest
            .split(['.', '-', '+'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !ok {
            return invalid(
                "the pre-release/build suffix must be dot-separated alphanumerics, e.g. 0.2.0-rc.1",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform() -> Platform {
        Platform::parse("linux_amd64").unwrap()
    }

    #[test]
    fn accepts_usual_inputs() {
        let c = ProviderCoordinates::new("registry.terraform.io", "gwtrigger", "0.1.0", platform())
            .unwrap();
        assert_eq!(
            c.source_address(),
            "registry.terraform.io/gwtrigger/gwtrigger"
        );
        assert_eq!(c.executable_name(), "terraform-provider-gwtrigger_v0.1.0");
        assert_eq!(
            c.archive_name(),
            "terraform-provider-gwtrigger_0.1.0_linux_amd64.zip"
        );
        ProviderCoordinates::new(
            "mirror.example.com:8443",
            "my-org",
            "1.2.3-rc.1+b7",
            platform(),
        )
        .unwrap();
    }

    #[test]
    fn windows_executables_get_exe() {
        let c = ProviderCoordinates::new(
            "registry.terraform.io",
            "gwtrigger",
            "0.1.0",
            Platform::parse("windows_amd64").unwrap(),
        )
        .unwrap();
        assert_eq!(
            c.executable_name(),
            "terraform-provider-gwtrigger_v0.1.0.exe"
        );
    }

    #[test]
    fn rejects_bad_versions() {
        for bad in [
            "v0.1.0",
            "0.1",
            "0.1.0.0",
            "01.2.3",
            "0.1.x",
            "0.1.0-",
            "0.1.0-a..b",
            "",
        ] {
            let err =
                ProviderCoordinates::new("registry.terraform.io", "gwtrigger", bad, platform())
                    .unwrap_err();
            assert!(err.to_string().contains("invalid version"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_bad_platforms() {
        for bad in [
            "linux",
            "linux_x86_64",
            "Linux_amd64",
            "_amd64",
            "linux_",
            "linux-amd64",
        ] {
            let err = Platform::parse(bad).unwrap_err();
            assert!(err.to_string().contains("invalid platform"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_bad_hostnames_and_namespaces() {
        for bad in [
            "https://registry.terraform.io",
            "Registry.io",
            "a..b",
            "-a.io",
            "a.io:",
            "a.io/x",
        ] {
            assert!(
                ProviderCoordinates::new(bad, "gwtrigger", "0.1.0", platform()).is_err(),
                "{bad}"
            );
        }
        for bad in ["", "-x", "x-", "My", "a/b", &"a".repeat(65)] {
            assert!(
                ProviderCoordinates::new("registry.terraform.io", bad, "0.1.0", platform())
                    .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn current_platform_is_valid() {
        let p = Platform::current().unwrap();
        assert!(!p.os.is_empty() && !p.arch.is_empty());
    }
}
