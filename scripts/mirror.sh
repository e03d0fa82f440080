#!/usr/bin/env bash
# Release-builds gwtrigger and the provider, then writes provider mirrors with `gwtrigger mirror`:
#   $MIRROR_OUT/packed    zip + index.json + VERSION.json (filesystem mirror, or serve over HTTPS
#                         as a network mirror)
#   $MIRROR_OUT/unpacked  HOST/NS/gwtrigger/VERSION/OS_ARCH/terraform-provider-gwtrigger_vVERSION
#
# Environment:
#   MIRROR_OUT        output root (default: build/mirror); existing versions/platforms are kept
#   TARGET, PLATFORM  cross-build the provider for a Rust target triple and publish it as the
#                     matching Terraform platform, e.g.
#                     TARGET=aarch64-unknown-linux-gnu PLATFORM=linux_arm64 scripts/mirror.sh
#                     (the linker for TARGET must be set up; see docs/guides/install-from-a-mirror.md)
#   CARGO_TARGET_DIR  honoured (default: target)
# Extra arguments go to both `gwtrigger mirror` runs, e.g. --version 0.1.1 or --hostname my.host.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${MIRROR_OUT:-build/mirror}"
target_dir="${CARGO_TARGET_DIR:-target}"

# gwtrigger runs here, so it is always built for the host.
cargo build --release --bin gwtrigger
gwtrigger="$target_dir/release/gwtrigger"

if [[ -n "${TARGET:-}" ]]; then
  if [[ -z "${PLATFORM:-}" ]]; then
    echo "scripts/mirror.sh: TARGET=$TARGET needs PLATFORM (Terraform's OS_ARCH, e.g. linux_arm64)" >&2
    exit 2
  fi
  cargo build --release --bin terraform-provider-gwtrigger --target "$TARGET"
  provider="$target_dir/$TARGET/release/terraform-provider-gwtrigger"
  [[ "$PLATFORM" == windows_* ]] && provider="$provider.exe"
  platform_args=(--platform "$PLATFORM")
else
  cargo build --release --bin terraform-provider-gwtrigger
  provider="$target_dir/release/terraform-provider-gwtrigger"
  platform_args=()
fi

"$gwtrigger" mirror --out "$out/packed" --provider-binary "$provider" "${platform_args[@]}" "$@"
echo
"$gwtrigger" mirror --out "$out/unpacked" --unpacked --provider-binary "$provider" "${platform_args[@]}" "$@"
