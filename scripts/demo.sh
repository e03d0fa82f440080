#!/usr/bin/env bash
# `make demo`: gwtrigger end to end on this machine, no AWS account needed.
#
#   1. prepares the tools (scripts/bootstrap.sh) and builds the provider and CLI (cargo build),
#   2. starts LocalStack (tests/e2e/support/localstack_server.py; it serves each stage from its
#      deployment, as AWS does) on a free loopback port, behind tests/e2e/support/fake_apigw.py,
#      which records each deployment's routes and answers GetDeployment's apiSummary as AWS does
#      (LocalStack has none, and drift needs it); without Python 3.13 it says so and uses moto,
#   3. installs the providers with their own CLI config (TF_CLI_CONFIG_FILE; your ~/.terraformrc
#      and TF_*/AWS_* variables are not used): gwtrigger from a filesystem mirror under build/demo,
#      hashicorp/aws from a filesystem mirror or the registry (tests/e2e/support/aws_provider.py,
#      the tests' discovery); without hashicorp/aws it says so and runs examples/local/stand-in,
#      where boto3 makes the API and terraform_data stands in for the deployment,
#   4. LocalStack: applies examples/local (aws_api_gateway_* resources, MOCK routes answering fixed
#      bodies, a deployment and a stage) with a hand-kept id list as the deployment's trigger,
#   5. edits the routes (a new route, a new body) and applies: the stage answers 403 and the old
#      body; gwtrigger drift names the stale route, gwtrigger explain the 403's layer,
#   6. switches the trigger to data "gwtrigger", edits again and applies once: the stage answers
#      the new route and the new body; shows which route's hash moved.
#   On moto (no stage data plane) steps 4-6 show the hash and the deployment being replaced.
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

api() { .venv/bin/python scripts/demo_api.py "$@" --endpoint "$endpoint"; }
stage=demo

bold "3/6 Installing the providers: gwtrigger from a local filesystem mirror ($platform), hashicorp/aws"
mirror="$demo_dir/mirror"
dest="$mirror/registry.terraform.io/gwtrigger/gwtrigger/$version/$platform"
mkdir -p "$dest"
# hard link when possible: a debug build is a few hundred MB
ln -f "$provider_bin" "$dest/terraform-provider-gwtrigger_v$version" 2>/dev/null ||
  cp "$provider_bin" "$dest/terraform-provider-gwtrigger_v$version"
echo "gwtrigger: ${dest#"$repo_root"/}/terraform-provider-gwtrigger_v$version"
# hashicorp/aws from a filesystem mirror (GWTRIGGER_AWS_PROVIDER_MIRROR or a usual location) or,
# with GWTRIGGER_AWS_PROVIDER_FROM_REGISTRY=1, the registry: the same discovery as the tests.
aws_provider=true
if .venv/bin/python tests/e2e/support/aws_provider.py cli-config --mirror "$mirror" \
  --include "registry.terraform.io/gwtrigger/*" >"$demo_dir/terraform.tfrc" 2>"$demo_dir/aws-provider.log"; then
  aws_from="$(sed -n 's/^ *path *= *"\(.*\)"/\1/p' "$demo_dir/terraform.tfrc" | sed -n 2p)"
  echo "hashicorp/aws: ${aws_from:-from registry.terraform.io}"
  cp examples/local/*.tf "$demo_dir/tf/"
  echo "config: build/demo/terraform.tfrc; working dir: build/demo/tf (copy of examples/local)"
else
  aws_provider=false
  echo "hashicorp/aws cannot be installed here, so terraform_data stands in for the aws_api_gateway_* resources (examples/local/stand-in): $(cat "$demo_dir/aws-provider.log")"
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
  cp examples/local/stand-in/*.tf "$demo_dir/tf/"
  echo "config: build/demo/terraform.tfrc; working dir: build/demo/tf (copy of examples/local/stand-in)"
fi
export TF_CLI_CONFIG_FILE="$demo_dir/terraform.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0
export HOME="$demo_dir/home"

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

tf_show 'Installing|Installed|initialized' init -no-color -input=false
echo "(\"unauthenticated\" above: Terraform checks signatures only for providers from a registry; gwtrigger is your own build, from a local mirror)"

# The API: with hashicorp/aws, Terraform makes it from var.routes (edits rewrite
# terraform.tfvars.json); with the stand-in, boto3 makes and edits it.
if $aws_provider; then
  edit_api() { api_edit="$(.venv/bin/python scripts/demo_api.py tfvars --step "$1" --out "$demo_dir/tf/terraform.tfvars.json")"; }
  edit_api 0
  api_id="" # known after the first apply
  mode_vars=()
  deployment=aws_api_gateway_deployment.demo
else
  edit_api() { api_edit="$(api edit --rest-api-id "$api_id" --step "$1")"; }
  api_id="$(api create)"
  deploy_command="\"$repo_root/.venv/bin/python\" \"$repo_root/scripts/demo_api.py\" deploy --endpoint $endpoint --rest-api-id $api_id --stage $stage"
  mode_vars=(-var "rest_api_id=$api_id" -var "deploy_command=$deploy_command" -var "hand_kept_ids=$(api ids --rest-api-id "$api_id")")
  deployment=terraform_data.deployment
fi
apply_with() { # apply_with TRIGGER
  tf_show "Plan:|$deployment (must be replaced|will be created)|$deployment: (Creation complete|Destruction complete|Creating|Destroying)|created deployment|No changes|Apply complete" \
    apply -auto-approve -no-color -input=false -var "endpoint=$endpoint" -var "trigger=$1" ${mode_vars[@]+"${mode_vars[@]}"}
  tf output -json >"$demo_dir/outputs.json" # one read of the outputs per apply
  api_id="$(out rest_api_id)"
}
# out NAME: an output of the last apply (JSON for maps, the plain value for strings; empty if none)
out() {
  .venv/bin/python -c 'import json, sys
value = json.load(open(sys.argv[1])).get(sys.argv[2], {}).get("value", "")
print(value if isinstance(value, str) else json.dumps(value))' "$demo_dir/outputs.json" "$1"
}
call() {
  .venv/bin/python scripts/demo_api.py call --endpoint "$stage_endpoint" --rest-api-id "$api_id" \
    --stage "$stage" "$@"
}
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

if ! $data_plane; then
  bold "4/6 terraform apply: the sample REST API (MOCK routes answering fixed bodies), its hash, its deployment"
  apply_with gwtrigger
  hash1="$(out hash)"; deploy1="$(out deployment_id)"; routes1="$(out routes)"
  echo "rest_api_id = $api_id; its routes:"
  api routes --rest-api-id "$api_id" | sed 's/^/  /'
  echo "hash = $hash1; the CLI agrees: $("$cli_bin" hash --rest-api-id "$api_id" --endpoint-url "$endpoint" --region us-east-1)"

  edit_api 1
  bold "5/6 Editing the API ($api_edit) and applying again"
  apply_with gwtrigger
  hash2="$(out hash)"; deploy2="$(out deployment_id)"
  bold "6/6 What moved"
  echo "hash       $hash1 -> $hash2"
  echo "deployment $deploy1 -> $deploy2"
  echo "routes (sha1 of each route, before -> after):"
  route_moves "$routes1" "$(out routes)"
  [[ "$hash1" != "$hash2" && "$deploy1" != "$deploy2" ]] || { echo "unexpected: the hash or the deployment did not change" >&2; exit 1; }
  echo
  echo "The edit moved the hash, so Terraform replaced the deployment. moto has no stage to call:"
  echo "install Python 3.13 (e.g. pyenv install 3.13) and run make demo again to watch a stage answer."
  echo "Emulator stopped; files are in build/demo. Took $((SECONDS - demo_start)) s."
  exit 0
fi

bold "4/6 terraform apply: the sample REST API (MOCK routes answering fixed bodies), deployed with the seed's trigger"
if $aws_provider; then
  echo "triggers = { redeployment = sha1(jsonencode(local.hand_kept_ids)) }: the ids of the seed's resources,"
  echo "methods and integrations, listed by hand in main.tf"
else
  echo "triggers_replace = the seed's resource ids, listed by hand"
fi
apply_with hand_kept
echo "rest_api_id = $api_id; its routes:"
api routes --rest-api-id "$api_id" | sed 's/^/  /'
echo "the stage answers:"
call "GET /pets" "GET /pets/7"

edit_api 1
bold "5/6 Editing the API ($api_edit), applying with the hand-kept trigger"
apply_with hand_kept
echo "the ids did not change, so nothing was redeployed; the stage answers:"
call "GET /owners" "GET /pets"
echo "GET /owners is not in the deployment the stage serves (403 until someone redeploys) and"
echo "GET /pets still answers its old body. Terraform reported no error."
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
echo
owners_url="$stage_endpoint/restapis/$api_id/$stage/_user_request_/owners"
echo "gwtrigger explain, starting from the request that failed:"
if explain_out="$("$cli_bin" explain "$owners_url" --endpoint-url "$endpoint" --region us-east-1 --no-logs 2>&1)"; then
  explain_code=0
else
  explain_code=$?
fi
printf '%s\n' "$explain_out" | sed 's/^/  /'
echo "(exit $explain_code)"

bold "6/6 The same kind of edit with data \"gwtrigger\" as the trigger"
echo "triggers = { redeployment = data.gwtrigger.api.hash }; applying once catches the stage up:"
apply_with gwtrigger
call "GET /owners" "GET /pets"
routes1="$(out routes)"; hash1="$(out hash)"; deploy1="$(out deployment_id)"
edit_api 2
echo
echo "Editing the API: $api_edit. ONE apply:"
apply_with gwtrigger
hash2="$(out hash)"; deploy2="$(out deployment_id)"
echo "the stage answers:"
call "GET /vets" "GET /pets"
echo "hash       $hash1 -> $hash2 (the CLI agrees: $("$cli_bin" hash --rest-api-id "$api_id" --endpoint-url "$endpoint" --region us-east-1))"
echo "deployment $deploy1 -> $deploy2"
echo "routes (sha1 of each route, before -> after):"
route_moves "$routes1" "$(out routes)"
[[ "$hash1" != "$hash2" && "$deploy1" != "$deploy2" ]] || { echo "unexpected: the hash or the deployment did not change" >&2; exit 1; }
echo
echo "With the hand-kept list the stage kept serving the old deployment; with data \"gwtrigger\" the"
echo "new route and the new body are live after the same apply. Emulator stopped; files are in"
echo "build/demo. Took $((SECONDS - demo_start)) s."
