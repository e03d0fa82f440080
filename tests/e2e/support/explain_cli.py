"""Runs `gwtrigger explain` for the e2e tests and checks what every diagnosis must carry.

`explain(cli, url, *flags, ...)` runs the command twice on the same failing request, once with
`--json` and once for people (every run sends the request again: the stand-ins answer the same),
and returns the parsed JSON plus the text. On every run it asserts the exit code (0 did not fail,
2 a layer named, 1 error), that the JSON has the documented fields, that the text starts with the
verdict, and that no secret given in `secrets` (API keys, Authorization values) appears in stdout
or stderr. `assert_layer` then checks the layer, that there is evidence and a fix, and that words
the diagnosis must name appear in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from harness import REGION, Cli, Result

LAYERS = {
    "stale_deployment", "no_such_route", "wrong_method", "stage_prefix", "api_key", "resource_policy",
    "authorizer", "iam_auth", "integration", "waf_or_private_endpoint", "none", "unknown",
}
FIELDS = {"url", "method", "status", "error_type", "message", "request_id", "rest_api_id", "stage", "route",
          "layer", "verdict", "evidence", "fix", "execution_log"}


@dataclass
class Explained:
    doc: dict[str, Any]
    text: str
    runs: list[Result]

    @property
    def layer(self) -> str:
        return self.doc["layer"]

    @property
    def evidence(self) -> str:
        return "\n".join(map(str, self.doc.get("evidence") or []))

    def said(self) -> str:
        """Everything the diagnosis says, lower-cased: verdict, evidence, fix, text output."""
        return "\n".join([str(self.doc.get("verdict")), self.evidence, str(self.doc.get("fix")), self.text]).lower()


def run_explain(cli: Cli, args: Iterable[Any], *, endpoint: str, logs_url: Optional[str],
                expect: int | list[int], secrets: Iterable[str] = ()) -> Result:
    env = {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": logs_url} if logs_url else {}
    result = cli.run("explain", *args, "--endpoint-url", endpoint, "--region", REGION, expect=expect, env=env)
    for secret in secrets:
        assert secret not in result.output, f"a secret value was printed\n{result.describe()}"
    return result


def explain(cli: Cli, *args: Any, endpoint: str, logs_url: Optional[str] = None, expect: int = 2,
            secrets: Iterable[str] = (), text: bool = True) -> Explained:
    secrets = list(secrets)
    runs = [run_explain(cli, [*args, "--json"], endpoint=endpoint, logs_url=logs_url, expect=expect, secrets=secrets)]
    try:
        doc = json.loads(runs[0].stdout)
    except ValueError:
        raise AssertionError(f"explain --json did not print JSON\n{runs[0].describe()}") from None
    missing = FIELDS - set(doc)
    assert not missing, f"explain --json lacks {sorted(missing)}\n{runs[0].describe()}"
    assert doc["layer"] in LAYERS, runs[0].describe()
    assert set(doc["execution_log"]) >= {"state", "lines", "note"}, runs[0].describe()
    out = ""
    if text:
        runs.append(run_explain(cli, args, endpoint=endpoint, logs_url=logs_url, expect=expect, secrets=secrets))
        out = runs[-1].stdout
        first = next((line for line in out.splitlines() if line.strip()), "")
        assert doc["verdict"] and doc["verdict"] in first, f"the text does not start with the verdict\n{runs[-1].describe()}"
    return Explained(doc, out, runs)


def assert_layer(explained: Explained, layer: str, *named: str) -> None:
    doc, said = explained.doc, explained.said()
    context = json.dumps(doc, indent=2) + "\n--- text ---\n" + explained.text
    assert doc["layer"] == layer, f"expected layer {layer}\n{context}"
    assert doc["evidence"], f"no evidence\n{context}"
    assert doc["fix"], f"no fix\n{context}"
    for word in named:
        assert word.lower() in said, f"the diagnosis does not name {word!r}\n{context}"
