"""Self-contained helpers for test_mirror.py: binaries, `gwtrigger mirror`, Terraform runs, a
throwaway CA and an HTTPS network-mirror server on loopback, lock-file parsing.

Kept apart from the shared harness on purpose (see test_mirror.py)."""

from __future__ import annotations

import datetime
import functools
import http.server
import ipaddress
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

REPO_ROOT = Path(__file__).resolve().parents[3]  # tests/e2e/support/<this file>
PROVIDER_SOURCE = "registry.terraform.io/gwtrigger/gwtrigger"
PLATFORM = "linux_amd64"


def terraform_command() -> list[str]:
    """TF_BIN, else the bootstrap'd `.venv/bin/terraform` shim."""
    for candidate in (os.environ.get("TF_BIN"), REPO_ROOT / ".venv/bin/terraform"):
        if candidate and Path(candidate).is_file():
            return [str(candidate)]
    raise RuntimeError(
        "no terraform found: set TF_BIN, or run scripts/bootstrap.sh to create .venv/bin/terraform"
    )


BINARIES = ("gwtrigger", "terraform-provider-gwtrigger")


def build_binaries(copy_to: Path) -> Path:
    """Builds `gwtrigger` and `terraform-provider-gwtrigger` and copies them into `copy_to`, so a
    later build in a shared CARGO_TARGET_DIR cannot swap them mid-test. Returns `copy_to`.

    GWTRIGGER_BIN_DIR skips the build and uses the binaries there (e.g. release binaries)."""
    given = os.environ.get("GWTRIGGER_BIN_DIR")
    if given:
        source = Path(given)
    else:
        subprocess.run(["cargo", "build", "--bins"], cwd=REPO_ROOT, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
        if not target.is_absolute():
            target = REPO_ROOT / target
        source = target / "debug"
    for name in BINARIES:
        shutil.copy2(source / name, copy_to / name)
    return copy_to


def gwtrigger_mirror(bin_dir: Path, out: Path, *extra: str) -> dict:
    """Runs `gwtrigger mirror --json` and returns its document."""
    done = subprocess.run(
        [
            str(bin_dir / "gwtrigger"), "mirror", "--json", "--out", str(out),
            "--provider-binary", str(bin_dir / "terraform-provider-gwtrigger"),
            "--platform", PLATFORM, *extra,
        ],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, f"gwtrigger mirror failed:\n{done.stderr}"
    return json.loads(done.stdout)


def clean_env(home: Path, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    """No inherited TF_*/AWS_* settings or user config; test credentials; no IMDS."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("TF_", "AWS_", "CHECKPOINT_", "SSL_CERT_")) and k != "GWTRIGGER_LOG"
    }
    if os.environ.get("TF_BIN"):
        env["TF_BIN"] = os.environ["TF_BIN"]
    env.update(
        HOME=str(home),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
    )
    env.update(extra or {})
    return env


CONFIG = """\
terraform {
  required_providers {
    gwtrigger = {
      source = "gwtrigger/gwtrigger"
    }
  }
}

provider "gwtrigger" {
  region = "us-east-1"
}
"""


@dataclass
class TfResult:
    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def expect_ok(self) -> "TfResult":
        assert self.code == 0, f"terraform {' '.join(self.args)} failed ({self.code}):\n{self.output}"
        return self


@dataclass
class Workspace:
    """A fresh Terraform working dir, data dir and CLI config (nothing of the user's leaks)."""

    root: Path
    installation: str  # the body of the provider_installation block
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.work = self.root / "work"
        self.home = self.root / "home"
        self.work.mkdir(parents=True)
        self.home.mkdir()
        (self.work / "main.tf").write_text(CONFIG)
        self.tfrc = self.root / "terraform.tfrc"
        self.tfrc.write_text("provider_installation {\n" + self.installation + "}\n")

    def env(self) -> dict[str, str]:
        return clean_env(self.home, {
            "TF_CLI_CONFIG_FILE": str(self.tfrc),
            "TF_DATA_DIR": str(self.root / "tfdata"),
            **self.extra_env,
        })

    def terraform(self, *args: str, timeout: float = 300) -> TfResult:
        done = subprocess.run(
            terraform_command() + list(args), cwd=self.work, env=self.env(),
            capture_output=True, text=True, timeout=timeout,
        )
        return TfResult(list(args), done.returncode, done.stdout, done.stderr)

    def init(self) -> TfResult:
        return self.terraform("init", "-input=false", "-no-color")

    def plan(self) -> TfResult:
        return self.terraform("plan", "-input=false", "-no-color", "-lock=false")

    @property
    def lock_file(self) -> Path:
        return self.work / ".terraform.lock.hcl"

    def locked_hashes(self) -> set[str]:
        return lock_file_hashes(self.lock_file.read_text(), PROVIDER_SOURCE)


def filesystem_mirror(path: Path) -> str:
    # No `direct` block: the mirror is the only source, so nothing can come from the internet.
    return f'  filesystem_mirror {{\n    path    = "{path}"\n    include = ["{PROVIDER_SOURCE}"]\n  }}\n'


def network_mirror(url: str) -> str:
    return f'  network_mirror {{\n    url     = "{url}"\n    include = ["{PROVIDER_SOURCE}"]\n  }}\n'


def lock_file_hashes(text: str, source: str) -> set[str]:
    """The `hashes` of one provider block of a .terraform.lock.hcl."""
    block = re.search(r'provider\s+"' + re.escape(source) + r'"\s*\{(.*?)\n\}', text, re.S)
    assert block, f"no provider block for {source} in lock file:\n{text}"
    hashes = re.search(r"hashes\s*=\s*\[(.*?)\]", block.group(1), re.S)
    assert hashes, f"no hashes for {source} in lock file:\n{text}"
    return set(re.findall(r'"([^"]+)"', hashes.group(1)))


# --- a throwaway CA and an HTTPS server on loopback ---------------------------------------------

def make_ca_and_server_cert(directory: Path) -> tuple[Path, Path, Path]:
    """Writes ca.pem, server.pem and server.key (SAN 127.0.0.1 and localhost); returns their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    validity = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gwtrigger mirror test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0]).not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0]).not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    ca_pem, cert_pem, key_pem = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    return ca_pem, cert_pem, key_pem


class HttpsMirrorServer:
    """Serves a packed mirror tree over HTTPS on 127.0.0.1 (a free port) and records the paths
    requested."""

    def __init__(self, root: Path, cert: Path, key: Path) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                requests.append(self.path)

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> "HttpsMirrorServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
