#!/usr/bin/env python3
"""Where hashicorp/aws, the provider users write their API with, is installed from: the one
discovery the e2e tests (harness.find_aws_provider) and `make demo` share.

A Terraform filesystem mirror holding it (GWTRIGGER_AWS_PROVIDER_MIRROR, else the first of
MIRROR_CANDIDATES that does), or the public registry when GWTRIGGER_AWS_PROVIDER_FROM_REGISTRY=1
(a machine with internet). Neither: `AwsProviderUnavailable`, whose message says how to provide it.

`cli_config` writes the Terraform CLI configuration that installs our provider from a filesystem
mirror and hashicorp/aws from where `find` says (harness.write_mirror and `make demo` use it):

  tests/e2e/support/aws_provider.py cli-config --mirror DIR --include 'registry.terraform.io/gwtrigger/*'
      # prints that CLI configuration; exit 1 with the reason on stderr when hashicorp/aws
      # cannot be installed here
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

SOURCE = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = (
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
)
HELP = (
    "hashicorp/aws is needed to apply a user's configuration. Either point "
    "GWTRIGGER_AWS_PROVIDER_MIRROR at a Terraform filesystem mirror holding it (the folder above "
    "registry.terraform.io; `terraform providers mirror DIR` in a config requiring hashicorp/aws "
    "writes one), or set GWTRIGGER_AWS_PROVIDER_FROM_REGISTRY=1 on a machine that reaches "
    "registry.terraform.io."
)


class AwsProviderUnavailable(RuntimeError):
    """hashicorp/aws cannot be installed here; the message says where it was looked for and how to fix it."""


@dataclass
class AwsProvider:
    """Where hashicorp/aws is installed from: a filesystem mirror root, or the registry (None)."""

    mirror: Optional[Path]
    version: str

    @property
    def version_constraint(self) -> str:
        return self.version if self.mirror else ">= 5.0, < 7.0"



def host_platform() -> str:
    """Terraform's name of this machine's platform, e.g. linux_amd64, darwin_arm64."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    return f"{sys.platform.replace('linux2', 'linux')}_{arch}"


def versions_in(root: Path, host: str) -> list[str]:
    """The hashicorp/aws versions a filesystem mirror at `root` holds for `host`, oldest first."""
    base = root / SOURCE
    if not base.is_dir():
        return []
    return sorted(
        (v.name for v in base.iterdir() if any((v / host).glob("terraform-provider-aws_v*"))),
        key=lambda v: [int(x) if x.isdigit() else x for x in v.replace("-", ".").split(".")],
    )


def find() -> AwsProvider:
    """hashicorp/aws for this machine, or AwsProviderUnavailable saying how to provide it."""
    host = host_platform()
    named = os.environ.get("GWTRIGGER_AWS_PROVIDER_MIRROR")
    candidates = [Path(named)] if named else list(MIRROR_CANDIDATES)
    for root in candidates:
        versions = versions_in(root, host)
        if versions:
            return AwsProvider(root, versions[-1])
    if os.environ.get("GWTRIGGER_AWS_PROVIDER_FROM_REGISTRY") == "1":
        return AwsProvider(None, "")
    where = f"GWTRIGGER_AWS_PROVIDER_MIRROR={named} holds no" if named else (
        "no filesystem mirror holding it was found in " + ", ".join(map(str, MIRROR_CANDIDATES)) + "; no")
    raise AwsProviderUnavailable(f"{where} {SOURCE}/*/{host} provider. {HELP}")


def cli_config(our_mirror: Path, our_include: str, aws: Optional[AwsProvider]) -> str:
    """A Terraform CLI configuration: providers matching `our_include` from the filesystem mirror
    `our_mirror`; with `aws`, hashicorp/aws from its mirror (or the registry); nothing else."""
    aws_block, exclude = "", [our_include]
    if aws is not None and aws.mirror is not None:
        aws_block = f"""
  filesystem_mirror {{
    path    = "{aws.mirror}"
    include = ["{SOURCE}"]
  }}"""
        exclude.append(SOURCE)
    return f"""disable_checkpoint = true
provider_installation {{
  filesystem_mirror {{
    path    = "{our_mirror}"
    include = ["{our_include}"]
  }}{aws_block}
  direct {{
    exclude = [{", ".join(f'"{e}"' for e in exclude)}]
  }}
}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cli-config", help="print a CLI configuration with our mirror and hashicorp/aws")
    c.add_argument("--mirror", type=Path, required=True, help="filesystem mirror holding our provider")
    c.add_argument("--include", required=True, help="what that mirror provides, e.g. registry.terraform.io/gwtrigger/*")
    args = parser.parse_args()
    try:
        aws = find()
    except AwsProviderUnavailable as err:
        print(err, file=sys.stderr)
        return 1
    print(cli_config(args.mirror, args.include, aws), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
