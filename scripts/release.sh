#!/usr/bin/env bash
# `make release`: writes a signed provider release and a static provider registry into
# build/release/ with `gwtrigger release` (see docs/guides/publishing-to-a-private-registry.md),
# then checks SHA256SUMS and the signature the way a user would (sha256sum -c, gpg --verify).
#
# Environment:
#   GWTRIGGER_GPG_KEY   required: id or fingerprint of the RSA key that signs SHA256SUMS
#   GNUPGHOME           the gpg keyring to use (default: gpg's own, ~/.gnupg)
#   RELEASE_BINARIES    directory of prebuilt binaries, DIR/OS_ARCH/terraform-provider-gwtrigger[.exe]
#                       (what the release workflow collects from its per-platform builds); default:
#                       release-build the host's provider and release that platform only
#   RELEASE_OUT         output directory (default: build/release)
#   GWTRIGGER_BIN       the gwtrigger executable to run (default: release-build it)
#   CARGO_TARGET_DIR    honoured (default: target)
# Extra arguments go to `gwtrigger release`, e.g. --version 0.2.0 --namespace platform
# --hostname registry.example.com --download-url https://github.com/OWNER/REPO/releases/download/v0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${GWTRIGGER_GPG_KEY:-}" ]]; then
  cat >&2 <<'MSG'
make release: no signing key configured.
Set GWTRIGGER_GPG_KEY to the id or fingerprint of an RSA key in your gpg keyring (GNUPGHOME picks
another keyring), e.g.
  gpg --list-secret-keys --keyid-format long
  GWTRIGGER_GPG_KEY=0123456789ABCDEF make release
To make a key: gpg --quick-gen-key 'ACME provider releases <releases@acme.example>' rsa4096 sign 2y
(see docs/guides/publishing-to-a-private-registry.md).
MSG
  exit 2
fi

out="${RELEASE_OUT:-build/release}"
target_dir="${CARGO_TARGET_DIR:-target}"

# One cargo invocation for whatever has to be built (the release profile links with LTO).
build_bins=()
[[ -z "${GWTRIGGER_BIN:-}" ]] && build_bins+=(--bin gwtrigger)
[[ -z "${RELEASE_BINARIES:-}" ]] && build_bins+=(--bin terraform-provider-gwtrigger)
if ((${#build_bins[@]})); then
  cargo build --release "${build_bins[@]}"
fi
gwtrigger="${GWTRIGGER_BIN:-$target_dir/release/gwtrigger}"

if [[ -n "${RELEASE_BINARIES:-}" ]]; then
  inputs=(--binaries "$RELEASE_BINARIES")
else
  inputs=(--provider-binary "$target_dir/release/terraform-provider-gwtrigger")
  echo "make release: releasing the host's platform only; set RELEASE_BINARIES for more" >&2
fi

"$gwtrigger" release "${inputs[@]}" --out "$out" "$@"

# Check what was written the way a user (or a registry) will.
shasums="$(ls -t "$out"/terraform-provider-gwtrigger_*_SHA256SUMS | head -n1)"
(cd "$(dirname "$shasums")" && sha256sum --check --quiet "$(basename "$shasums")")
gpg --batch --verify "$shasums.sig" "$shasums"
echo "make release: SHA256SUMS matches and its signature verifies ($shasums)"
