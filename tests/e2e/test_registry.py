"""`gwtrigger release` against real Terraform: one signed multi-platform release, served as a
static provider registry over HTTPS (throwaway CA via SSL_CERT_FILE) on loopback, installed by
its registry source address with an empty CLI configuration (no provider_installation block).

- `terraform init` installs the provider; the lock file holds the `zh:` of every platform in
  SHA256SUMS and the `h1:` of the host's package; a plan runs with the installed provider.
- A zip that does not match SHA256SUMS, and a SHA256SUMS whose signature does not verify, each
  stop `init` with Terraform's own error, and nothing is installed.
- `gwtrigger mirror` packs the same binaries into the same bytes, and Terraform installs from
  that mirror under the lock file the registry install wrote.
- The artifact set verifies with plain `gpg --verify` and `sha256sum`-style checks.

The host's package is the real provider; darwin_arm64, darwin_amd64, linux_arm64 and
windows_amd64 are stand-in files (this machine cannot build them), which is enough to prove one
release, one registry and one lock file cover every platform. gpg runs with a throwaway RSA key
in a temporary GNUPGHOME."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import pytest

from harness import PROVIDER_VERSION, Mirror, Terraform
from mirror_support import HttpsMirrorServer, lock_file_hashes, make_ca_and_server_cert, terraform_binary

HOST_PLATFORM = "linux_amd64"
STAND_IN_PLATFORMS = ("darwin_amd64", "darwin_arm64", "linux_arm64", "windows_amd64")
NAMESPACE = "platform"
NAME = "terraform-provider-gwtrigger"


@dataclass
class Gpg:
    home: Path
    key: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.home)}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["gpg", "--batch", *args], env=self.env(), capture_output=True, text=True)


@pytest.fixture(scope="module")
def gpg() -> Iterator[Gpg]:
    """A throwaway RSA 3072 signing key in a temporary GNUPGHOME (short path: gpg-agent's socket
    path must stay under the unix-socket limit)."""
    if shutil.which("gpg") is None:
        pytest.fail("gpg (GnuPG) is required to sign releases; install it (apt-get install gnupg)")
    home = Path(tempfile.mkdtemp(prefix="gwt-gpg-"))
    home.chmod(0o700)
    gpg = Gpg(home, "gwtrigger release test <release-test@example.invalid>")
    made = gpg.run("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", gpg.key, "rsa3072", "sign", "1d")
    assert made.returncode == 0, f"gpg could not make a test key:\n{made.stderr}"
    yield gpg
    subprocess.run(["gpgconf", "--kill", "all"], env=gpg.env(), capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca_and_server_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def binaries(tmp_path_factory: pytest.TempPathFactory, provider_binary: Path) -> Path:
    """DIR/OS_ARCH/terraform-provider-gwtrigger[.exe]: the real host binary plus stand-ins."""
    root = tmp_path_factory.mktemp("binaries")
    (root / HOST_PLATFORM).mkdir()
    shutil.copy2(provider_binary, root / HOST_PLATFORM / NAME)
    for platform in STAND_IN_PLATFORMS:
        (root / platform).mkdir()
        suffix = ".exe" if platform.startswith("windows") else ""
        (root / platform / f"{NAME}{suffix}").write_text(f"stand-in provider for {platform}\n")
    return root


def release(cli_binary: Path, gpg: Gpg, binaries: Path, out: Path, hostname: str) -> dict:
    done = subprocess.run(
        [str(cli_binary), "release", "--json", "--binaries", str(binaries), "--out", str(out),
         "--hostname", hostname, "--namespace", NAMESPACE, "--version", PROVIDER_VERSION],
        env={**gpg.env(), "GWTRIGGER_GPG_KEY": gpg.key}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"gwtrigger release failed:\n{done.stderr}"
    return json.loads(done.stdout)


@dataclass
class Registry:
    server: HttpsMirrorServer
    ca: Path
    release: dict
    out: Path

    @property
    def hostname(self) -> str:
        return f"localhost:{self.server.httpd.server_address[1]}"

    @property
    def source(self) -> str:
        return f"{self.hostname}/{NAMESPACE}/gwtrigger"


def serve(root: Path, tls: tuple[Path, Path, Path]) -> HttpsMirrorServer:
    _, cert, key = tls
    return HttpsMirrorServer(root, cert, key).__enter__()


@pytest.fixture(scope="module")
def registry(tmp_path_factory, tls, cli_binary: Path, gpg: Gpg, binaries: Path) -> Iterator[Registry]:
    """The release, made for the hostname of the server that serves its registry tree. The
    server starts before the release (its port is in the source address) on an empty root that
    the release then fills."""
    out = tmp_path_factory.mktemp("release")
    (out / "registry").mkdir()
    server = serve(out / "registry", tls)
    hostname = f"localhost:{server.httpd.server_address[1]}"
    made = release(cli_binary, gpg, binaries, out, hostname)
    yield Registry(server, tls[0], made, out)
    server.__exit__(None, None, None)


class Workdir(Terraform):
    """A Terraform working directory requiring gwtrigger from `source`, with an empty CLI
    configuration (no provider_installation block) and the test CA trusted."""

    def __init__(self, root: Path, source: str, ca: Path) -> None:
        self.root = root
        self.source = source
        work, home = root / "work", root / "home"
        work.mkdir(parents=True)
        home.mkdir()
        (work / "main.tf").write_text(
            'terraform {\n  required_providers {\n    gwtrigger = {\n'
            f'      source  = "{source}"\n      version = "{PROVIDER_VERSION}"\n'
            '    }\n  }\n}\n\nprovider "gwtrigger" {\n  region = "us-east-1"\n}\n'
        )
        self.tfrc = root / "empty.tfrc"
        self.tfrc.write_text("")
        super().__init__(terraform_binary(), work, Mirror(root, self.tfrc, home))
        self.extra_env = {"TF_DATA_DIR": str(root / "tfdata"), "SSL_CERT_FILE": str(ca)}

    def env(self, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        return super().env({**self.extra_env, **(extra or {})})

    def installed(self) -> list[Path]:
        providers = self.root / "tfdata" / "providers"
        return [p for p in providers.rglob("*") if p.is_file()] if providers.exists() else []

    def lock_hashes(self) -> set[str]:
        return lock_file_hashes((self.workdir / ".terraform.lock.hcl").read_text(), self.source)


def shasums(release_doc: dict) -> dict[str, str]:
    """file name -> hex sha256, from the release's SHA256SUMS."""
    lines = Path(release_doc["shasums"]).read_text().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_release_files_are_the_goreleaser_set_and_verify(registry: Registry, gpg: Gpg) -> None:
    doc = registry.release
    out = registry.out
    version = PROVIDER_VERSION
    platforms = sorted([HOST_PLATFORM, *STAND_IN_PLATFORMS])
    expected = {f"{NAME}_{version}_{p}.zip" for p in platforms} | {
        f"{NAME}_{version}_manifest.json",
        f"{NAME}_{version}_SHA256SUMS",
        f"{NAME}_{version}_SHA256SUMS.sig",
        f"{NAME}_{version}_signing-key.asc",
    }
    assert {p.name for p in out.iterdir() if p.is_file()} == expected
    assert json.loads((out / f"{NAME}_{version}_manifest.json").read_text()) == {
        "version": 1, "metadata": {"protocol_versions": ["6.0"]}}

    sums = shasums(doc)
    assert set(sums) == {f"{NAME}_{version}_{p}.zip" for p in platforms} | {f"{NAME}_{version}_manifest.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name

    # A detached binary signature (an OpenPGP packet, not ASCII armour) that gpg accepts.
    signature = Path(doc["signature"]).read_bytes()
    assert not signature.startswith(b"-----BEGIN"), "the signature must be binary, not armoured"
    verified = gpg.run("--verify", doc["signature"], doc["shasums"])
    assert verified.returncode == 0, verified.stderr
    assert "Good signature" in verified.stderr
    assert (out / f"{NAME}_{version}_signing-key.asc").read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")

    # Windows packages hold an .exe, the others a plain executable.
    for p in platforms:
        with zipfile.ZipFile(out / f"{NAME}_{version}_{p}.zip") as archive:
            suffix = ".exe" if p.startswith("windows") else ""
            assert archive.namelist() == [f"{NAME}_v{version}{suffix}"], p


def test_registry_documents_follow_the_protocol(registry: Registry) -> None:
    root = registry.out / "registry"
    assert json.loads((root / ".well-known/terraform.json").read_text()) == {"providers.v1": "/v1/providers/"}
    provider = root / "v1/providers" / NAMESPACE / "gwtrigger"
    versions = json.loads((provider / "versions").read_text())["versions"]
    assert [v["version"] for v in versions] == [PROVIDER_VERSION]
    assert versions[0]["protocols"] == ["6.0"]
    assert sorted(f"{p['os']}_{p['arch']}" for p in versions[0]["platforms"]) == sorted(
        [HOST_PLATFORM, *STAND_IN_PLATFORMS])
    download = json.loads((provider / PROVIDER_VERSION / "download/windows/amd64").read_text())
    assert download["os"] == "windows" and download["arch"] == "amd64"
    assert download["filename"] == f"{NAME}_{PROVIDER_VERSION}_windows_amd64.zip"
    key = download["signing_keys"]["gpg_public_keys"][0]
    assert key["key_id"] == registry.release["key_id"] and len(key["key_id"]) == 16
    assert key["ascii_armor"].startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")


def test_init_installs_by_registry_address_and_locks_every_platform(registry: Registry, tmp_path: Path) -> None:
    tf = Workdir(tmp_path, registry.source, registry.ca)
    init = tf.init()
    said = " ".join(init.output.split())
    assert f"Installed {registry.source} v{PROVIDER_VERSION} (self-signed, key ID {registry.release['key_id']})" in said, said
    assert "provider_installation" not in tf.tfrc.read_text()

    host = next(p for p in registry.release["platforms"] if p["platform"] == HOST_PLATFORM)
    # Terraform trusts every line of the signed SHA256SUMS: each platform's zip (and the
    # manifest, as for any GoReleaser release) becomes a zh: hash; h1: is the installed package's.
    every_zh = {f"zh:{digest}" for digest in shasums(registry.release).values()}
    assert {p["zh"] for p in registry.release["platforms"]} <= every_zh
    assert len(every_zh) == 2 + len(STAND_IN_PLATFORMS)
    assert tf.lock_hashes() == every_zh | {host["h1"]}
    # Terraform fetched the documents and files of the protocol, relative URLs resolved.
    requested = set(registry.server.requests)
    assert any(r.startswith("/.well-known/terraform.json") for r in requested), requested

    plan = tf.plan()
    assert "No changes." in plan.output, plan.output


def tampered_copy(registry: Registry, tmp_path: Path, name: str, edit) -> Path:
    """The registry tree with hard links for every file but `name` (in the version directory),
    which gets `edit(bytes)`."""
    root = tmp_path / "registry"
    shutil.copytree(registry.out / "registry", root, copy_function=os.link)
    target = root / "v1/providers" / NAMESPACE / "gwtrigger" / PROVIDER_VERSION / name
    content = edit(target.read_bytes())
    target.unlink()
    target.write_bytes(content)
    return root


@pytest.mark.parametrize(
    "name, edit, terraform_says",
    [
        (f"{NAME}_{PROVIDER_VERSION}_{HOST_PLATFORM}.zip", lambda b: b + b"\0", "archive has incorrect checksum"),
        (f"{NAME}_{PROVIDER_VERSION}_SHA256SUMS", lambda b: b.replace(b"  ", b"  x", 1), "error checking signature"),
    ],
    ids=["tampered-zip", "bad-signature"],
)
def test_init_refuses_tampered_artifacts(registry: Registry, tls, tmp_path: Path, name, edit, terraform_says) -> None:
    root = tampered_copy(registry, tmp_path, name, edit)
    # The registry documents link their files relatively, so the copy works on its own port.
    server = serve(root, tls)
    try:
        source = f"localhost:{server.httpd.server_address[1]}/{NAMESPACE}/gwtrigger"
        tf = Workdir(tmp_path / "tf", source, registry.ca)
        init = tf.init(expect=None)
    finally:
        server.__exit__(None, None, None)
    assert init.code != 0, f"init accepted a tampered {name}:\n{init.output}"
    assert "Failed to install provider" in init.output, init.output
    assert terraform_says in " ".join(init.output.split()), init.output
    assert tf.installed() == [], tf.installed()
    assert not (tf.workdir / ".terraform.lock.hcl").exists()


def test_the_same_binaries_feed_gwtrigger_mirror(registry: Registry, cli_binary: Path, binaries: Path, tmp_path: Path) -> None:
    """`gwtrigger mirror` of each release input writes the release's zip byte for byte, so the
    lock file of a registry install also accepts a mirror install."""
    mirror = tmp_path / "mirror"
    by_platform = {p["platform"]: p for p in registry.release["platforms"]}
    for platform, released in by_platform.items():
        suffix = ".exe" if platform.startswith("windows") else ""
        done = subprocess.run(
            [str(cli_binary), "mirror", "--json", "--out", str(mirror), "--provider-binary",
             str(binaries / platform / f"{NAME}{suffix}"), "--platform", platform,
             "--hostname", registry.hostname, "--namespace", NAMESPACE, "--version", PROVIDER_VERSION],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        mirrored = json.loads(done.stdout)
        assert (mirrored["zh"], mirrored["h1"]) == (released["zh"], released["h1"]), platform
        assert Path(mirrored["paths"]["archive"]).read_bytes() == Path(released["archive"]).read_bytes()

    # Install from the registry (writes the lock file), then from the mirror under that lock file.
    tf = Workdir(tmp_path / "tf", registry.source, registry.ca)
    tf.init()
    locked = tf.lock_hashes()
    shutil.rmtree(tmp_path / "tf" / "tfdata")
    tf.tfrc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n'
        f'    include = ["{registry.source}"]\n  }}\n}}\n'
    )
    tf.init()
    assert tf.lock_hashes() == locked


def test_make_release_signs_and_checks_with_the_configured_key(cli_binary: Path, gpg: Gpg, binaries: Path, tmp_path: Path, repo_root: Path) -> None:
    """scripts/release.sh (`make release`) with prebuilt binaries: writes the set, then verifies
    SHA256SUMS and the signature itself; without a configured key it stops and says how to set one."""
    env = {**gpg.env(), "GWTRIGGER_BIN": str(cli_binary), "RELEASE_BINARIES": str(binaries),
           "RELEASE_OUT": str(tmp_path / "out")}
    env.pop("GWTRIGGER_GPG_KEY", None)
    script = [str(repo_root / "scripts" / "release.sh"), "--version", PROVIDER_VERSION]

    unconfigured = subprocess.run(["bash", *script], env=env, capture_output=True, text=True, timeout=120)
    assert unconfigured.returncode == 2, unconfigured.stderr
    assert "no signing key configured" in unconfigured.stderr
    assert "GWTRIGGER_GPG_KEY" in unconfigured.stderr
    assert not (tmp_path / "out").exists()

    done = subprocess.run(["bash", *script], env={**env, "GWTRIGGER_GPG_KEY": gpg.key},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SHA256SUMS matches and its signature verifies" in done.stdout
    assert (tmp_path / "out" / f"{NAME}_{PROVIDER_VERSION}_SHA256SUMS.sig").is_file()
    assert (tmp_path / "out" / "registry" / ".well-known" / "terraform.json").is_file()


def test_release_refuses_a_key_that_is_not_rsa(cli_binary: Path, gpg: Gpg, binaries: Path, tmp_path: Path) -> None:
    """Terraform registries accept RSA keys only: an ed25519 key stops the release before any
    file is written, with the reason."""
    uid = "gwtrigger ecc test <ecc-test@example.invalid>"
    made = gpg.run("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "1d")
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [str(cli_binary), "release", "--binaries", str(binaries), "--out", str(tmp_path / "out"), "--gpg-key", uid],
        env=gpg.env(), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "is not RSA" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
