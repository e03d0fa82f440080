#!/usr/bin/env bash
# `make demo`: gwtrigger end to end on this machine, no AWS account needed.
#
#   1. builds the provider and CLI (cargo build),
#   2. starts moto_server (a local API Gateway emulator) on a free loopback port,
#   3. creates a sample REST API in it with boto3,
#   4. installs the provider into a filesystem mirror under build/demo with its own CLI config
#      (TF_CLI_CONFIG_FILE; your ~/.terraformrc and TF_*/AWS_* variables are not used),
#   5. runs terraform init + apply on examples/local and prints the hash and routes,
#   6. changes a route's integration and applies again: the hash changes, the deployment is
#      replaced. The emulator is stopped on exit.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[[ -t 1 ]] || bold() { printf '\n== %s\n' "$*"; }

bold "1/6 Preparing tools (Python venv with Terraform 1.15 and moto) and building gwtrigger"
bash scripts/bootstrap.sh
cargo build --bins --quiet
target_dir="$(cargo metadata --format-version 1 --no-deps |
  .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
provider_bin="$target_dir/debug/terraform-provider-gwtrigger"
cli_bin="$target_dir/debug/gwtrigger"
version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)"
echo "built $provider_bin (version $version)"

# A clean environment: nothing from the user's Terraform or AWS set-up leaks in.
tf_bin_keep="${TF_BIN:-}"
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(TF_|AWS_)' || true)
[[ -n "$tf_bin_keep" ]] && export TF_BIN="$tf_bin_keep"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1

demo_dir="$repo_root/build/demo"
rm -rf "$demo_dir"
mkdir -p "$demo_dir/tf" "$demo_dir/home"
# empty AWS config files: no profile of yours is read
: >"$demo_dir/home/aws-config"
: >"$demo_dir/home/aws-credentials"
export AWS_CONFIG_FILE="$demo_dir/home/aws-config" AWS_SHARED_CREDENTIALS_FILE="$demo_dir/home/aws-credentials"

bold "2/6 Starting the API Gateway emulator (moto_server on loopback)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port"
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$demo_dir/moto.log" 2>&1 &
moto_pid=$!
cleanup() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('$endpoint/moto-api/data.json', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "moto_server failed to start:" >&2; cat "$demo_dir/moto.log" >&2; exit 1
  fi
  sleep 0.2
done
echo "emulator at $endpoint (log: build/demo/moto.log)"

bold "3/6 Creating a sample REST API with boto3"
api_id="$(.venv/bin/python scripts/demo_api.py create --endpoint "$endpoint")"
echo "rest_api_id = $api_id; its routes:"
.venv/bin/python scripts/demo_api.py routes --endpoint "$endpoint" --rest-api-id "$api_id" | sed 's/^/  /'

bold "4/6 Installing the provider from a local filesystem mirror"
mirror="$demo_dir/mirror"
dest="$mirror/registry.terraform.io/gwtrigger/gwtrigger/$version/linux_amd64"
mkdir -p "$dest"
# hard link when possible: a debug build is a few hundred MB
ln -f "$provider_bin" "$dest/terraform-provider-gwtrigger_v$version" 2>/dev/null ||
  cp "$provider_bin" "$dest/terraform-provider-gwtrigger_v$version"
cat >"$demo_dir/terraform.tfrc" <<TFRC
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/gwtrigger/*"]
  }
  direct {
    exclude = ["registry.terraform.io/gwtrigger/*"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$demo_dir/terraform.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0
export HOME="$demo_dir/home"
cp examples/local/*.tf "$demo_dir/tf/"
echo "mirror: ${dest#"$repo_root"/}/terraform-provider-gwtrigger_v$version"
echo "config: build/demo/terraform.tfrc; working dir: build/demo/tf (copy of examples/local)"

tf() { (cd "$demo_dir/tf" && "$repo_root/.venv/bin/terraform" "$@"); }
# tf_show PATTERN ARGS...: run terraform, print only the lines matching PATTERN; on failure print
# everything and stop.
tf_show() {
  local pattern="$1"; shift
  local log="$demo_dir/last-terraform.log"
  if ! tf "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "terraform $1 failed (output above; log: ${log#"$repo_root"/})" >&2
    exit 1
  fi
  grep -E "$pattern" "$log" | sed 's/^/  /' || true
}
vars=(-var "endpoint=$endpoint" -var "rest_api_id=$api_id")

tf_show 'Installing|Installed|initialized' init -no-color -input=false

bold "5/6 terraform apply: read the live API, create the deployment"
tf_show 'terraform_data|Apply complete' apply -auto-approve -no-color -input=false "${vars[@]}"
hash1="$(tf output -raw hash)"
deploy1="$(tf output -raw deployment_id)"
echo
echo "hash          = $hash1"
echo "deployment_id = $deploy1"
echo "routes (\"VERB /path\" => sha1 of that route):"
tf output -json routes | .venv/bin/python -c 'import json,sys; [print(f"  {k:18} {v}") for k,v in sorted(json.load(sys.stdin).items())]'
echo "the CLI agrees: $("$cli_bin" hash --rest-api-id "$api_id" --endpoint-url "$endpoint" --region us-east-1)"

bold "6/6 Changing GET /pets to a new Lambda (ids stay the same) and applying again"
.venv/bin/python scripts/demo_api.py change --endpoint "$endpoint" --rest-api-id "$api_id"
tf_show 'terraform_data|Apply complete' apply -auto-approve -no-color -input=false "${vars[@]}"
hash2="$(tf output -raw hash)"
deploy2="$(tf output -raw deployment_id)"
echo
echo "hash before   = $hash1"
echo "hash after    = $hash2"
echo "deployment    = $deploy1 -> $deploy2"
if [[ "$hash1" != "$hash2" && "$deploy1" != "$deploy2" ]]; then
  echo
  echo "The integration change produced a new hash, so Terraform replaced the deployment."
  echo "With a hand-kept id list nothing would have changed and the stage would keep serving"
  echo "the old snapshot. Emulator stopped; files are in build/demo."
else
  echo "unexpected: the hash or the deployment did not change" >&2
  exit 1
fi
