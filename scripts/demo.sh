#!/usr/bin/env bash
# `make demo`: gwtrigger end to end on this machine, no AWS account needed.
#
#   1. prepares the tools (scripts/bootstrap.sh) and builds the provider and CLI (cargo build),
#   2. starts LocalStack (tests/e2e/support/localstack_server.py; it serves each stage from its
#      deployment, as AWS does) on a free loopback port, behind tests/e2e/support/fake_apigw.py,
#      which records each deployment's routes and answers GetDeployment's apiSummary as AWS does
#      (LocalStack has none, and drift needs it); without Python 3.13 it says so and uses moto,
#   3. creates a sample REST API (MOCK routes answering fixed bodies) with boto3,
#   4. installs the provider into a filesystem mirror under build/demo with its own CLI config
#      (TF_CLI_CONFIG_FILE; your ~/.terraformrc and TF_*/AWS_* variables are not used),
#   5. LocalStack: applies examples/local with a hand-kept id list as the deployment trigger, edits
#      the API (a new route, a new body) and applies: the stage answers 403 and the old body;
#   6. switches the trigger to data "gwtrigger", edits again and applies once: the stage answers
#      the new route and the new body; shows which route's hash moved.
#   On moto (no stage data plane) steps 5-6 show the hash and the deployment being replaced.
# The emulator is stopped on exit; the files stay in build/demo.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
demo_start=$SECONDS

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[[ -t 1 ]] || bold() { printf '\n== %s\n' "$*"; }

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "make demo supports Linux and macOS, not $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "make demo supports amd64 and arm64 machines, not $(uname -m)" >&2; exit 1 ;;
esac
platform="${os}_${arch}"

bold "1/6 Preparing tools (Terraform 1.15, moto, LocalStack) and building gwtrigger"
bash scripts/bootstrap.sh
data_plane=false
if [[ -f .venv-localstack/.gwtrigger-bootstrap ]]; then # written once LocalStack installed and imports
  data_plane=true
else
  echo "Without LocalStack (see above) the demo falls back to moto: the hash only, no stage to call."
fi
echo "cargo build (the first build compiles a few hundred crates: several minutes on a small machine; later runs take seconds)"
cargo build --bins 2>&1 | grep -vE '^\s*(Blocking|Downloaded|Downloading)' || { echo "cargo build failed" >&2; exit 1; }
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

emulator_pid=""
recorder_pid=""
cleanup() {
  for pid in $recorder_pid $emulator_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# wait_for_file PID FILE WHAT LOG: until the background process PID has written FILE; if it dies
# first, say that WHAT failed to start, show LOG and stop.
wait_for_file() {
  until [[ -s "$2" ]]; do
    if ! kill -0 "$1" 2>/dev/null; then
      echo "$3 failed to start:" >&2; cat "$4" >&2; exit 1
    fi
    sleep 0.1
  done
}

if $data_plane; then
  bold "2/6 Starting LocalStack (API Gateway with a stage data plane) on loopback"
  .venv/bin/python tests/e2e/support/localstack_server.py serve --dir "$demo_dir/localstack" \
    --url-file "$demo_dir/localstack.json" >"$demo_dir/localstack-serve.log" 2>&1 &
  emulator_pid=$!
  wait_for_file "$emulator_pid" "$demo_dir/localstack.json" LocalStack "$demo_dir/localstack-serve.log"
  endpoint="$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$demo_dir/localstack.json")"
  echo "LocalStack at $endpoint, ready in $(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["startup_seconds"])' "$demo_dir/localstack.json") s (log: build/demo/localstack/localstack.log)"
  # The stage is called on LocalStack itself. The control plane goes through a recorder: AWS's
  # GetDeployment reports the routes a deployment holds (apiSummary), LocalStack's does not, and
  # gwtrigger drift reads them from there.
  stage_endpoint="$endpoint"
  .venv/bin/python tests/e2e/support/fake_apigw.py --upstream "$endpoint" \
    >"$demo_dir/recorder.url" 2>"$demo_dir/recorder.log" &
  recorder_pid=$!
  wait_for_file "$recorder_pid" "$demo_dir/recorder.url" "The deployment recorder" "$demo_dir/recorder.log"
  endpoint="$(head -n1 "$demo_dir/recorder.url")"
  echo "control plane through the deployment recorder at $endpoint (it answers apiSummary as AWS does)"
else
  bold "2/6 Starting the API Gateway emulator (moto_server on loopback)"
  port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  endpoint="http://127.0.0.1:$port"
  .venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$demo_dir/moto.log" 2>&1 &
  emulator_pid=$!
  until .venv/bin/python -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/data.json', timeout=1)" 2>/dev/null; do
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
      echo "moto_server failed to start:" >&2; cat "$demo_dir/moto.log" >&2; exit 1
    fi
    sleep 0.2
  done
  echo "emulator at $endpoint (log: build/demo/moto.log)"
  stage_endpoint="$endpoint"
fi

api() { .venv/bin/python scripts/demo_api.py "$@" --endpoint "$endpoint"; }

bold "3/6 Creating a sample REST API with boto3 (MOCK routes answering fixed bodies)"
api_id="$(api create)"
stage=demo
echo "rest_api_id = $api_id; its routes:"
api routes --rest-api-id "$api_id" | sed 's/^/  /'
hand_kept_ids="$(api ids --rest-api-id "$api_id")"

bold "4/6 Installing the provider from a local filesystem mirror ($platform)"
mirror="$demo_dir/mirror"
dest="$mirror/registry.terraform.io/gwtrigger/gwtrigger/$version/$platform"
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
deploy_command="\"$repo_root/.venv/bin/python\" \"$repo_root/scripts/demo_api.py\" deploy --endpoint $endpoint --rest-api-id $api_id --stage $stage"
apply_with() { # apply_with TRIGGER
  tf_show 'must be replaced|will be created|terraform_data.deployment: (Creating|Destroying)|created deployment|No changes|Apply complete' apply -auto-approve -no-color -input=false \
    -var "endpoint=$endpoint" -var "rest_api_id=$api_id" -var "deploy_command=$deploy_command" \
    -var "trigger=$1" -var "hand_kept_ids=$hand_kept_ids"
}
call() {
  .venv/bin/python scripts/demo_api.py call --endpoint "$stage_endpoint" --rest-api-id "$api_id" \
    --stage "$stage" "$@"
}
routes_json() { tf output -json routes; }
# route_moves BEFORE_JSON AFTER_JSON: each route's hash before and after, and whether it moved
route_moves() {
  .venv/bin/python - "$1" "$2" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for route in sorted(set(before) | set(after)):
    b, a = before.get(route), after.get(route)
    what = "new route" if b is None else "removed" if a is None else "unchanged" if a == b else "MOVED"
    print(f"  {route:18} {(b or '-')[:12]:12} -> {(a or '-')[:12]:12} {what}")
PY
}

tf_show 'Installing|Installed|initialized' init -no-color -input=false
echo "(\"unauthenticated\" above: Terraform checks signatures only for providers from a registry; this one is your own build, from a local mirror)"

if ! $data_plane; then
  bold "5/6 terraform apply: read the live API, create the deployment"
  apply_with gwtrigger
  hash1="$(tf output -raw hash)"; deploy1="$(tf output -raw deployment_id)"; routes1="$(routes_json)"
  echo "hash = $hash1; the CLI agrees: $("$cli_bin" hash --rest-api-id "$api_id" --endpoint-url "$endpoint" --region us-east-1)"

  bold "6/6 Editing the API ($(api edit --rest-api-id "$api_id" --step 1)) and applying again"
  apply_with gwtrigger
  hash2="$(tf output -raw hash)"; deploy2="$(tf output -raw deployment_id)"
  echo "hash       $hash1 -> $hash2"
  echo "deployment $deploy1 -> $deploy2"
  echo "routes (sha1 of each route, before -> after):"
  route_moves "$routes1" "$(routes_json)"
  [[ "$hash1" != "$hash2" && "$deploy1" != "$deploy2" ]] || { echo "unexpected: the hash or the deployment did not change" >&2; exit 1; }
  echo
  echo "The edit moved the hash, so Terraform replaced the deployment. moto has no stage to call:"
  echo "install Python 3.13 (e.g. pyenv install 3.13) and run make demo again to watch a stage answer."
  echo "Emulator stopped; files are in build/demo. Took $((SECONDS - demo_start)) s."
  exit 0
fi

bold "5/6 The seed's trigger: a hand-kept list of resource ids"
echo "triggers_replace = $hand_kept_ids (the seed's resources, listed by hand)"
apply_with hand_kept
echo "the stage answers:"
call "GET /pets" "GET /pets/7"
echo
echo "Editing the API: $(api edit --rest-api-id "$api_id" --step 1). Applying with the hand-kept trigger:"
apply_with hand_kept
echo "the ids did not change, so nothing was redeployed; the stage answers:"
call "GET /owners" "GET /pets"
echo "GET /owners is not in the deployment the stage serves (403 until someone redeploys) and"
echo "GET /pets still answers its old body. Terraform reported no changes."
echo
echo "gwtrigger drift on this stage:"
if drift_out="$("$cli_bin" drift --rest-api-id "$api_id" --stage "$stage" --endpoint-url "$endpoint" --region us-east-1 2>&1)"; then
  drift_code=0
else
  drift_code=$?
fi
printf '%s\n' "$drift_out" | sed 's/^/  /'
if [[ $drift_code -eq 2 ]]; then
  echo "(exit 2: the stage serves a stale deployment; drift names the routes it lacks, the same"
  echo " GET /owners that answered 403 above. Run it in CI, or use data \"gwtrigger_stage\" in a check block.)"
else
  echo "(exit $drift_code)"
fi

bold "6/6 The same kind of edit with data \"gwtrigger\" as the trigger"
echo "triggers_replace = [data.gwtrigger.api.hash]; applying once catches the stage up:"
apply_with gwtrigger
call "GET /owners" "GET /pets"
routes1="$(routes_json)"; hash1="$(tf output -raw hash)"; deploy1="$(tf output -raw deployment_id)"
echo
echo "Editing the API: $(api edit --rest-api-id "$api_id" --step 2). ONE apply:"
apply_with gwtrigger
hash2="$(tf output -raw hash)"; deploy2="$(tf output -raw deployment_id)"
echo "the stage answers:"
call "GET /vets" "GET /pets"
echo "hash       $hash1 -> $hash2 (the CLI agrees: $("$cli_bin" hash --rest-api-id "$api_id" --endpoint-url "$endpoint" --region us-east-1))"
echo "deployment $deploy1 -> $deploy2"
echo "routes (sha1 of each route, before -> after):"
route_moves "$routes1" "$(routes_json)"
[[ "$hash1" != "$hash2" && "$deploy1" != "$deploy2" ]] || { echo "unexpected: the hash or the deployment did not change" >&2; exit 1; }
echo
echo "With the hand-kept list the stage kept serving the old deployment; with data \"gwtrigger\" the"
echo "new route and the new body are live after the same apply. Emulator stopped; files are in"
echo "build/demo. Took $((SECONDS - demo_start)) s."
