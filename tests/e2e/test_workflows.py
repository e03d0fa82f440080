"""The GitHub Actions workflows lint clean with actionlint (installed into the venv by
scripts/bootstrap.sh from requirements-dev.txt): runner labels, action versions, expressions,
job dependencies and `run:` scripts are checked before a tag ever runs them."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from harness import REPO_ROOT, Tools


def test_workflows_lint_clean(tools: Tools) -> None:
    actionlint = tools.venv / "bin" / "actionlint"
    if not actionlint.exists():
        # requirements-dev.txt installs it where a wheel exists (linux x86_64, where CI runs).
        on_ci_platform = sys.platform == "linux" and platform.machine() == "x86_64"
        assert not on_ci_platform, f"{actionlint} missing after scripts/bootstrap.sh"
        pytest.skip(f"no actionlint wheel for {sys.platform} {platform.machine()}")
    workflows = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflow files found"
    done = subprocess.run([str(actionlint), "-no-color", *map(str, workflows)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"actionlint found problems:\n{done.stdout}{done.stderr}"
