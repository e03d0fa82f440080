//! The inputs of a release: prebuilt provider binaries, one per platform, laid out as
//! `DIR/OS_ARCH/terraform-provider-gwtrigger[.exe]` (what the release workflow downloads from its
//! per-platform build jobs, and what `make release` stages for the host).

use std::fs;
use std::path::{Path, PathBuf};

use super::ReleaseError;
use crate::mirror::{Platform, PROVIDER_TYPE};

/// One platform's provider executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformBinary {
    pub platform: Platform,
    pub path: PathBuf,
}

/// Lists `dir/OS_ARCH/terraform-provider-gwtrigger[.exe]`, sorted by platform. Every
/// subdirectory must be a platform holding its executable: a stray or misnamed directory is an
/// error rather than a platform silently missing from the release.
pub fn find_binaries(dir: &Path) -> Result<Vec<PlatformBinary>, ReleaseError> {
    let no_binaries = |why: String| ReleaseError::NoBinaries {
        dir: dir.to_path_buf(),
        why,
    };
    let entries = fs::read_dir(dir).map_err(|e| no_binaries(e.to_string()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| no_binaries(e.to_string()))?;
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let platform = Platform::parse(&name)?;
        let executable = format!(
            "terraform-provider-{PROVIDER_TYPE}{}",
            platform.executable_suffix()
        );
        let path = entry.path().join(&executable);
        if !path.is_file() {
            return Err(no_binaries(format!(
                "{name}/ has no {executable}; put each platform's provider executable at \
                 OS_ARCH/{executable}"
            )));
        }
        found.push(PlatformBinary { platform, path });
    }
    if found.is_empty() {
        return Err(no_binaries(format!(
            "expected one OS_ARCH/terraform-provider-{PROVIDER_TYPE}[.exe] per platform, e.g. \
             linux_amd64/terraform-provider-{PROVIDER_TYPE}"
        )));
    }
    found.sort_by_key(|b| b.platform.to_string());
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_platform_and_rejects_strays() {
        let dir = tempfile::tempdir().unwrap();
        for (platform, file) in [
            ("linux_amd64", "terraform-provider-gwtrigger"),
            ("windows_amd64", "terraform-provider-gwtrigger.exe"),
        ] {
            fs::create_dir(dir.path().join(platform)).unwrap();
            fs::write(dir.path().join(platform).join(file), b"bin").unwrap();
        }
        let found = find_binaries(dir.path()).unwrap();
        let names: Vec<String> = found.iter().map(|b| b.platform.to_string()).collect();
        assert_eq!(names, ["linux_amd64", "windows_amd64"]);

        fs::create_dir(dir.path().join("darwin_arm64")).unwrap();
        let err = find_binaries(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("darwin_arm64/ has no terraform-provider-gwtrigger"),
            "{err}"
        );

        fs::remove_dir(dir.path().join("darwin_arm64")).unwrap();
        fs::create_dir(dir.path().join("macos")).unwrap();
        let err = find_binaries(dir.path()).unwrap_err().to_string();
        assert!(err.contains("invalid platform \"macos\""), "{err}");
    }

    #[test]
    fn an_empty_directory_says_what_it_expects() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_binaries(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("linux_amd64/terraform-provider-gwtrigger"),
            "{err}"
        );
    }
}
