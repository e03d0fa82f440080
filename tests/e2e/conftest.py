"""Fixtures for gwtrigger's end-to-end tests: real Terraform, real binaries, moto, our proxy.

Session:  repo_root, tools (bootstrap'd venv: terraform shim, moto_server, python),
          cargo_bins / provider_binary / cli_binary (one `cargo build` per session; honours
          CARGO_TARGET_DIR; GWTRIGGER_BIN_DIR takes prebuilt ones), tf_mirror (unpacked
          filesystem mirror + .tfrc), terraform_factory.
Session:  localstack (one LocalStack per run, started on first use, via localstack_server.py;
          a test using it fails, never skips, when Python 3.13 / .venv-localstack is missing).
Function: localstack_recorder (fake_apigw in front of it: GetDeployment with apiSummary).
Module:   moto_server (one moto_server per test module on a free loopback port).
Function: moto (the module's server with its state reset), apigw (boto3 client on moto),
          proxy (ApigwProxy in front of moto), cli (runs `gwtrigger` with test credentials).

The helpers these fixtures wrap live in `support/`.

Every subprocess gets `clean_env()`: no inherited TF_*/AWS_* variables (TF_BIN excepted, it picks
the terraform the shim runs), test credentials, IMDS disabled, no user config files.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

# The helpers live in support/ so this directory shows what is a test. Tests, the helpers
# themselves and scripts/bench_support.py import them by plain module name (`from harness import
# Cli`); putting support/ on sys.path here, before pytest imports any test module, keeps every
# such import working without a package prefix.
SUPPORT_DIR = Path(__file__).resolve().parent / "support"
sys.path.insert(0, str(SUPPORT_DIR))

from apigw_proxy import ApigwProxy  # noqa: E402
from fake_apigw import FakeApigw  # noqa: E402
from localstack_server import LocalStack, LocalStackUnavailable  # noqa: E402
from harness import (  # noqa: E402
    MATRIX_RESULTS,
    REPORT_SECTIONS,
    AwsProvider,
    PROVIDER_SOURCE,
    PROVIDER_VERSION,
    REGION,
    REPO_ROOT,
    Cli,
    Mirror,
    MotoServer,
    Terraform,
    Tools,
    apigw_client,
    find_aws_provider,
    run,
    write_mirror,
)


def pytest_configure(config: pytest.Config) -> None:
    # boto3 in this process talks to moto only.
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    tr = terminalreporter
    for title, lines in REPORT_SECTIONS:
        tr.section(title)
        for line in lines:
            tr.write_line(line)
    if not MATRIX_RESULTS:
        return
    tr.section("gwtrigger hash mutation matrix")
    width = max(len(r["row"]) for r in MATRIX_RESULTS)
    tr.write_line(f"{'row'.ljust(width)}  expected   observed   ok   note")
    for r in MATRIX_RESULTS:
        ok = "yes" if r["observed"] == r["expected"] else "NO"
        tr.write_line(
            f"{r['row'].ljust(width)}  {r['expected'].ljust(9)}  {r['observed'].ljust(9)}  {ok.ljust(3)}  {r.get('note', '')}"
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def tools() -> Tools:
    """The project venv made by scripts/bootstrap.sh (idempotent: a no-op when up to date)."""
    run(["bash", REPO_ROOT / "scripts" / "bootstrap.sh"], timeout=900)
    venv = REPO_ROOT / ".venv"
    t = Tools(venv, venv / "bin" / "terraform", venv / "bin" / "moto_server", venv / "bin" / "python")
    for path in (t.terraform, t.moto_server, t.python):
        assert path.exists(), f"{path} missing after scripts/bootstrap.sh"
    return t


@pytest.fixture(scope="session")
def cargo_bins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build both binaries once per session; return their paths (CARGO_TARGET_DIR honoured).

    GWTRIGGER_BIN_DIR skips the build and takes the binaries from that directory instead (e.g.
    `target/release`, to test what users get). The binaries are hard-linked (or copied) into the
    session's temp dir, so a later build in the same target dir (another worktree sharing
    CARGO_TARGET_DIR) cannot swap them in the middle of the run.
    """
    given = os.environ.get("GWTRIGGER_BIN_DIR")
    if given:
        target = Path(given).resolve()
    else:
        run(["cargo", "build", "--bins", "--quiet"], cwd=REPO_ROOT, timeout=1800)
        meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO_ROOT).stdout)
        target = Path(meta["target_directory"]) / "debug"
    snapshot = tmp_path_factory.mktemp("bin")
    bins = {}
    for name in ("terraform-provider-gwtrigger", "gwtrigger"):
        built = target / name
        assert built.exists(), f"{built} missing" + ("" if given else " after cargo build")
        bins[name] = snapshot / name
        try:
            os.link(built, bins[name])
        except OSError:
            shutil.copy2(built, bins[name])
    return bins


@pytest.fixture(scope="session")
def provider_binary(cargo_bins: dict[str, Path]) -> Path:
    return cargo_bins["terraform-provider-gwtrigger"]


@pytest.fixture(scope="session")
def cli_binary(cargo_bins: dict[str, Path]) -> Path:
    return cargo_bins["gwtrigger"]


@pytest.fixture(scope="session")
def tf_mirror(tmp_path_factory: pytest.TempPathFactory, provider_binary: Path) -> Mirror:
    return write_mirror(tmp_path_factory.mktemp("tf"), provider_binary)


@pytest.fixture(scope="session")
def terraform_factory(tools: Tools, tf_mirror: Mirror) -> Callable[[Path], Terraform]:
    def make(workdir: Path) -> Terraform:
        workdir.mkdir(parents=True, exist_ok=True)
        return Terraform(tools.terraform, workdir, tf_mirror)

    return make


@pytest.fixture(scope="session")
def aws_provider() -> AwsProvider:
    """hashicorp/aws for tests standing for a user's configuration (fails saying how to provide it)."""
    return find_aws_provider()


@pytest.fixture(scope="session")
def aws_tf_mirror(tmp_path_factory: pytest.TempPathFactory, provider_binary: Path,
                  aws_provider: AwsProvider) -> Mirror:
    return write_mirror(tmp_path_factory.mktemp("tf-aws"), provider_binary, aws=aws_provider)


@pytest.fixture(scope="session")
def aws_terraform_factory(tools: Tools, aws_tf_mirror: Mirror) -> Callable[[Path], Terraform]:
    """Terraform runners whose CLI config installs gwtrigger and hashicorp/aws."""
    def make(workdir: Path) -> Terraform:
        workdir.mkdir(parents=True, exist_ok=True)
        return Terraform(tools.terraform, workdir, aws_tf_mirror)

    return make


@pytest.fixture(scope="module")
def moto_server(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(tools.moto_server, tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def localstack(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """One LocalStack for the whole run (its API Gateway state is shared: tests create their own APIs)."""
    server = LocalStack(tmp_path_factory.mktemp("localstack"))
    try:
        server.start()
    except LocalStackUnavailable as err:
        pytest.fail(f"LocalStack unavailable: {err}", pytrace=False)
    print(f"\nLocalStack ready at {server.url} in {server.startup_seconds:.1f}s", file=sys.stderr)
    yield server
    server.stop()


@pytest.fixture
def localstack_recorder(localstack: LocalStack) -> Iterator[FakeApigw]:
    """The deployment recorder (fake_apigw) in front of the session's LocalStack: a control-plane
    endpoint whose GetDeployment has the apiSummary AWS answers (LocalStack's has none)."""
    recorder = FakeApigw(localstack.url, region=REGION).start()
    yield recorder
    recorder.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """The module's moto_server with fresh (empty) state for this test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def apigw(moto: MotoServer) -> Any:
    """A boto3 API Gateway client talking to moto directly."""
    return apigw_client(moto.url)


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[ApigwProxy]:
    """Our paginating / fault-injecting proxy in front of this test's moto."""
    p = ApigwProxy(moto.url).start()
    yield p
    p.stop()


@pytest.fixture(scope="session")
def cli(cli_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(cli_binary, tmp_path_factory.mktemp("cli-home"))


@pytest.fixture(scope="session")
def venv_python(tools: Tools) -> Path:
    return tools.python


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"gwtrigger e2e: repo {REPO_ROOT}, provider {PROVIDER_SOURCE} {PROVIDER_VERSION}, python {sys.version.split()[0]}"]
