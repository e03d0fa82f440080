"""Helpers for test_mirror.py: `gwtrigger mirror`, a Terraform workspace whose only provider
source is a given mirror, a throwaway CA and an HTTPS network-mirror server on loopback, lock-file
parsing. Processes run through harness.py's runner and clean environment."""

from __future__ import annotations

import datetime
import functools
import http.server
import ipaddress
import json
import os
import re
import ssl
import threading
from pathlib import Path
from typing import Optional

from harness import PROVIDER_SOURCE, REPO_ROOT, Mirror, Terraform, run

PLATFORM = "linux_amd64"


def terraform_binary() -> Path:
    """TF_BIN, else the bootstrap'd `.venv/bin/terraform` shim."""
    for candidate in (os.environ.get("TF_BIN"), REPO_ROOT / ".venv/bin/terraform"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise RuntimeError(
        "no terraform found: set TF_BIN, or run scripts/bootstrap.sh to create .venv/bin/terraform"
    )


def gwtrigger_mirror(bin_dir: Path, out: Path, *extra: str) -> dict:
    """Runs `gwtrigger mirror --json` with the binaries in `bin_dir`; returns its document."""
    result = run([
        bin_dir / "gwtrigger", "mirror", "--json", "--out", out,
        "--provider-binary", bin_dir / "terraform-provider-gwtrigger",
        "--platform", PLATFORM, *extra,
    ])
    return json.loads(result.stdout)


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


class Workspace(Terraform):
    """A fresh Terraform working dir (`work`, holding CONFIG), data dir and CLI config whose only
    provider_installation block is `installation`, so the provider can come from nowhere else.
    `extra_env` is added to every run's environment (e.g. SSL_CERT_FILE)."""

    def __init__(self, root: Path, installation: str, extra_env: Optional[dict[str, str]] = None) -> None:
        self.root = root
        work, home = root / "work", root / "home"
        work.mkdir(parents=True)
        home.mkdir()
        (work / "main.tf").write_text(CONFIG)
        self.tfrc = root / "terraform.tfrc"
        self.tfrc.write_text("provider_installation {\n" + installation + "}\n")
        super().__init__(terraform_binary(), work, Mirror(root, self.tfrc, home))
        self.extra_env = {"TF_DATA_DIR": str(root / "tfdata"), **(extra_env or {})}

    def env(self, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        return super().env({**self.extra_env, **(extra or {})})

    @property
    def lock_file(self) -> Path:
        return self.workdir / ".terraform.lock.hcl"

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
