#!/usr/bin/env python3
"""Provider start-up: time from spawning the release provider to its go-plugin handshake line.

Each run starts `terraform-provider-gwtrigger` as Terraform does (TF_PLUGIN_MAGIC_COOKIE,
PLUGIN_PROTOCOL_VERSIONS=6, PLUGIN_MIN_PORT/MAX_PORT) and times `Popen` → first stdout line,
then stops it with SIGTERM. Modes, interleaved run by run:
  - mtls:  PLUGIN_CLIENT_CERT set to an ECDSA P-521 certificate (what go-plugin sends), so the
           provider generates its own P-256 server certificate before printing the line;
  - plain: no PLUGIN_CLIENT_CERT (plaintext gRPC);
  - floor: `/bin/echo` printing a line — what the driver's fork/exec/pipe costs on its own.
Reports median, p95 and min per mode.

    .venv/bin/python scripts/bench_startup.py [--runs 200] [--provider PATH] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from statistics import median

from bench_support import machine_line, percentile, release_binary

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def client_cert_pem(tmp: Path) -> str:
    key, cert = tmp / "client.key", tmp / "client.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes",
         "-subj", "/O=HashiCorp/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert.read_text()


def time_to_first_line(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if not line:
        raise SystemExit(f"{argv[0]} printed nothing")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--provider", type=Path, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    provider = args.provider or release_binary("terraform-provider-gwtrigger")
    print(machine_line(), flush=True)

    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_", "GWTRIGGER_"))}
    base_env.update(TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS="6",
                    PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000")
    with tempfile.TemporaryDirectory(prefix="gwtrigger-startup-") as tmp:
        mtls_env = dict(base_env, PLUGIN_CLIENT_CERT=client_cert_pem(Path(tmp)))
        modes = {
            "mtls": ([str(provider)], mtls_env),
            "plain": ([str(provider)], base_env),
            "floor": (["/bin/echo", "1|6|tcp|127.0.0.1:1|grpc"], base_env),
        }
        for argv, env in modes.values():  # warm the page cache
            time_to_first_line(argv, env)
        samples: dict[str, list[float]] = {name: [] for name in modes}
        for _ in range(args.runs):
            for name, (argv, env) in modes.items():
                samples[name].append(time_to_first_line(argv, env))

    results = {}
    for name, values in samples.items():
        ms = [v * 1000 for v in values]
        results[name] = {"runs": len(ms), "median_ms": round(median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
                         "min_ms": round(min(ms), 2)}
        print(f"{name:6s} runs={len(ms)} median={results[name]['median_ms']:.2f} ms "
              f"p95={results[name]['p95_ms']:.2f} ms min={results[name]['min_ms']:.2f} ms", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine_line(), "provider": str(provider), "results": results}, indent=2))


if __name__ == "__main__":
    main()
