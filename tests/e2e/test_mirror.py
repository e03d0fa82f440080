"""`gwtrigger mirror` against real Terraform: `init` + `plan` from the packed and the unpacked
filesystem mirror and from an HTTPS network mirror on loopback (throwaway CA via SSL_CERT_FILE);
`terraform providers lock` records exactly our h1/zh; a tampered archive fails `init` with a
checksum error, and the intact mirror passes again with the existing lock file.

Binaries: conftest's `cargo_bins` (GWTRIGGER_BIN_DIR=target/release tests the release build).
Terraform: TF_BIN, else .venv/bin/terraform."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from mirror_support import (
    PLATFORM,
    PROVIDER_SOURCE,
    HttpsMirrorServer,
    Workspace,
    filesystem_mirror,
    gwtrigger_mirror,
    make_ca_and_server_cert,
    network_mirror,
)


# A debug provider binary is hundreds of MB and every case copies/installs it, so each case's
# files are removed when it ends (failures are reported through the assertion messages).
@pytest.fixture(autouse=True)
def _remove_case_files(tmp_path: Path) -> Iterator[None]:
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(scope="module")
def module_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="gwtrigger-mirror-e2e-") as directory:
        yield Path(directory)


@pytest.fixture(scope="module")
def bin_dir(cargo_bins: dict[str, Path]) -> Path:
    """The directory holding both binaries (`gwtrigger mirror` takes the provider from there)."""
    return cargo_bins["gwtrigger"].parent


@pytest.fixture(scope="module")
def mirrors(bin_dir: Path, module_dir: Path) -> dict:
    """One packed and one unpacked mirror of the freshly built provider, with their JSON reports."""
    packed = gwtrigger_mirror(bin_dir, module_dir / "packed")
    unpacked = gwtrigger_mirror(bin_dir, module_dir / "unpacked", "--unpacked")
    return {"packed": packed, "unpacked": unpacked}


@pytest.fixture(scope="module")
def https_mirror(mirrors: dict, module_dir: Path) -> Iterator[tuple[HttpsMirrorServer, Path]]:
    certs = module_dir / "certs"
    certs.mkdir()
    ca, cert, key = make_ca_and_server_cert(certs)
    with HttpsMirrorServer(Path(mirrors["packed"]["out"]), cert, key) as server:
        yield server, ca


# Terraform's message when a package matches none of the hashes in .terraform.lock.hcl.
LOCK_MISMATCH = "doesn't match any of the checksums previously recorded in the dependency lock file"


def our_hashes(report: dict) -> set[str]:
    return {report["h1"], report["zh"]} if report["zh"] else {report["h1"]}


def installed_executables(ws: Workspace) -> list[Path]:
    providers = ws.root / "tfdata" / "providers"
    return sorted(providers.rglob("terraform-provider-gwtrigger*")) if providers.exists() else []


def lock_file_text(version: str, hashes: list[str]) -> str:
    listed = "".join(f'    "{h}",\n' for h in hashes)
    return (
        f'provider "{PROVIDER_SOURCE}" {{\n  version     = "{version}"\n'
        f'  constraints = "{version}"\n  hashes = [\n{listed}  ]\n}}\n'
    )


def test_mirror_reports_consistent_hashes(mirrors: dict) -> None:
    packed, unpacked = mirrors["packed"], mirrors["unpacked"]
    assert packed["source"] == unpacked["source"] == PROVIDER_SOURCE
    assert packed["h1"].startswith("h1:") and packed["zh"].startswith("zh:")
    assert packed["h1"] == unpacked["h1"], "packed and unpacked h1 must agree"
    archive = Path(packed["paths"]["archive"])
    assert archive.name == f"terraform-provider-gwtrigger_{packed['version']}_{PLATFORM}.zip"


def test_init_and_plan_from_packed_filesystem_mirror(mirrors: dict, tmp_path: Path) -> None:
    packed = mirrors["packed"]
    ws = Workspace(tmp_path, filesystem_mirror(Path(packed["out"])))
    ws.init()
    # Terraform records the h1 it computes over the archive's entries (zh only comes with a
    # registry's signed SHA256SUMS): it must be ours.
    assert ws.locked_hashes() == {packed["h1"]}
    # The zip's unix permissions survive extraction: Terraform can execute what it unpacked.
    [executable] = installed_executables(ws)
    assert executable.name == f"terraform-provider-gwtrigger_v{packed['version']}"
    assert executable.stat().st_mode & 0o777 == 0o755
    ws.plan()


def test_init_and_plan_from_unpacked_filesystem_mirror(mirrors: dict, tmp_path: Path) -> None:
    unpacked = mirrors["unpacked"]
    ws = Workspace(tmp_path, filesystem_mirror(Path(unpacked["out"])))
    ws.init()
    # Terraform hashes the unpacked directory itself; it must agree with our (and the zip's) h1.
    assert ws.locked_hashes() == {unpacked["h1"]}
    assert unpacked["h1"] == mirrors["packed"]["h1"]
    ws.plan()


def test_init_and_plan_from_https_network_mirror(mirrors: dict, https_mirror, tmp_path: Path) -> None:
    server, ca = https_mirror
    packed = mirrors["packed"]
    ws = Workspace(tmp_path, network_mirror(server.url), {"SSL_CERT_FILE": str(ca)})
    before = len(server.requests)
    ws.init()
    fetched = server.requests[before:]
    dir_url = f"/{PROVIDER_SOURCE}/"
    assert dir_url + "index.json" in fetched
    assert f"{dir_url}{packed['version']}.json" in fetched
    assert dir_url + Path(packed["paths"]["archive"]).name in fetched
    # The mirror's h1/zh are unsigned, so Terraform verifies the archive against them but records
    # only the h1 it computes itself.
    assert ws.locked_hashes() == {packed["h1"]}
    ws.plan()


def test_network_mirror_needs_the_ca(mirrors: dict, https_mirror, tmp_path: Path) -> None:
    """Without SSL_CERT_FILE the throwaway CA is unknown, so the TLS setup above is what's tested."""
    server, _ca = https_mirror
    ws = Workspace(tmp_path, network_mirror(server.url))
    result = ws.init(expect=None)
    assert result.code != 0
    assert "certificate" in result.output.lower(), result.output


def test_providers_lock_records_exactly_our_hashes(mirrors: dict, tmp_path: Path) -> None:
    packed = mirrors["packed"]
    ws = Workspace(tmp_path, filesystem_mirror(Path(packed["out"])))
    ws.run(
        "providers", "lock", f"-fs-mirror={packed['out']}", f"-platform={PLATFORM}", "-no-color"
    )
    assert ws.locked_hashes() == {packed["h1"]}


def test_terraform_accepts_our_zh_and_rejects_a_wrong_one(mirrors: dict, tmp_path: Path) -> None:
    """A lock file holding only our zh: Terraform checks the archive's sha256 against it, passes,
    and adds its h1, leaving exactly our two hashes. One hex digit off and `init` refuses."""
    packed = mirrors["packed"]
    ws = Workspace(tmp_path / "ok", filesystem_mirror(Path(packed["out"])))
    ws.lock_file.write_text(lock_file_text(packed["version"], [packed["zh"]]))
    ws.init()
    assert ws.locked_hashes() == our_hashes(packed)

    wrong_zh = packed["zh"][:-1] + ("0" if packed["zh"][-1] != "0" else "1")
    bad = Workspace(tmp_path / "bad", filesystem_mirror(Path(packed["out"])))
    bad.lock_file.write_text(lock_file_text(packed["version"], [wrong_zh]))
    result = bad.init(expect=None)
    assert result.code != 0, result.output
    assert LOCK_MISMATCH in " ".join(result.output.split()), result.output


def test_network_mirror_verifies_the_listed_hashes(mirrors: dict, https_mirror, tmp_path: Path) -> None:
    """Terraform checks the archive against VERSION.json's hashes: a wrong h1 there fails `init`."""
    _server, ca = https_mirror
    packed = mirrors["packed"]
    tree = tmp_path / "tree"
    shutil.copytree(packed["out"], tree)
    version_json = tree / Path(packed["paths"]["version_json"]).relative_to(packed["out"])
    document = json.loads(version_json.read_text())
    assert document["archives"][PLATFORM]["hashes"] == [packed["h1"], packed["zh"]]
    wrong_h1 = "h1:" + base64.b64encode(hashlib.sha256(b"not our archive").digest()).decode()
    document["archives"][PLATFORM]["hashes"] = [wrong_h1]
    version_json.write_text(json.dumps(document))
    _ca, cert, key = make_ca_and_server_cert(tmp_path)
    with HttpsMirrorServer(tree, cert, key) as server:
        ws = Workspace(tmp_path / "case", network_mirror(server.url), {"SSL_CERT_FILE": str(_ca)})
        result = ws.init(expect=None)
    assert result.code != 0, result.output
    assert "checksum" in result.output.lower(), result.output


def test_tampered_archive_fails_init_and_intact_one_passes(mirrors: dict, tmp_path: Path) -> None:
    packed = mirrors["packed"]
    mirror = tmp_path / "mirror"
    shutil.copytree(packed["out"], mirror)
    archive = mirror / Path(packed["paths"]["archive"]).relative_to(packed["out"])
    intact = archive.read_bytes()

    ws = Workspace(tmp_path / "case", filesystem_mirror(mirror))
    ws.run(
        "providers", "lock", f"-fs-mirror={mirror}", f"-platform={PLATFORM}", "-no-color"
    )
    assert ws.locked_hashes() == {packed["h1"]}
    lock_before = ws.lock_file.read_text()

    # One byte changed in the middle of the compressed executable, after the lock was written.
    tampered = bytearray(intact)
    tampered[len(tampered) // 2] ^= 0xFF
    archive.write_bytes(bytes(tampered))
    result = ws.init(expect=None)
    assert result.code != 0, f"init accepted a tampered archive:\n{result.output}"
    assert "checksum" in result.output.lower(), result.output
    assert not installed_executables(ws), "the tampered provider must not be installed"

    archive.write_bytes(intact)
    ws.init()
    assert ws.lock_file.read_text() == lock_before, "a passing init must not rewrite the lock file"
    ws.plan()


def test_rebuilt_archive_is_rejected_by_existing_lock(mirrors: dict, bin_dir: Path, tmp_path: Path) -> None:
    """A well-formed archive with different content (a rebuilt binary under the same version)
    does not match the recorded checksums."""
    packed = mirrors["packed"]
    ws = Workspace(tmp_path / "case", filesystem_mirror(Path(packed["out"])))
    ws.run(
        "providers", "lock", f"-fs-mirror={packed['out']}", f"-platform={PLATFORM}", "-no-color"
    )

    other_binary = tmp_path / "terraform-provider-gwtrigger"
    content = bytearray((bin_dir / "terraform-provider-gwtrigger").read_bytes())
    content[-1] ^= 0xFF
    other_binary.write_bytes(bytes(content))
    other_bin_dir = tmp_path / "bin"
    other_bin_dir.mkdir()
    (other_bin_dir / "terraform-provider-gwtrigger").write_bytes(bytes(content))
    (other_bin_dir / "gwtrigger").symlink_to(bin_dir / "gwtrigger")
    rebuilt = gwtrigger_mirror(other_bin_dir, tmp_path / "rebuilt")
    assert rebuilt["h1"] != packed["h1"] and rebuilt["zh"] != packed["zh"]

    ws.tfrc.write_text("provider_installation {\n" + filesystem_mirror(Path(rebuilt["out"])) + "}\n")
    result = ws.init(expect=None)
    assert result.code != 0, result.output
    assert LOCK_MISMATCH in " ".join(result.output.split()), result.output
