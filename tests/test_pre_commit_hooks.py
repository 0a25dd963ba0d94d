"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself in a test repository.

`pre-commit try-repo` installs twinlang from a repository into an environment of its own (pip
reads the package indexes configured on the machine; nothing else is fetched) and runs the
hooks on a scratch git repository holding a clean scenario, a scenario with an error and a
badly laid out one.  The working tree is copied into a temporary repository and committed
there first, because `try-repo` reads a committed revision.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

CLEAN = """scenario "Clean" {
  id clean
  risk low
}

role operator "Operator"
"""
MESSY = """scenario   "Messy"   {
id messy
    risk    low
}
role operator    "Operator"
"""
BROKEN = """scenario "Broken" {
  id broken
  risk low
}

use stdlib.equipment.{Motor}

equipment M-1 is Motor {
  coast_down = 25
}
"""

_SKIP = shutil.ignore_patterns(".git", ".venv*", "node_modules", "__pycache__", "*.egg-info",
                               "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis",
                               "out")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=twinlang tests", "-c",
                    "user.email=tests@twinlang.invalid", "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"twinlang-check", "twinlang-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == r"\.twin$"
        assert hook["entry"].split()[0] == "twinlang"
    assert hooks["twinlang-check"]["entry"] == "twinlang check"
    assert hooks["twinlang-fmt"]["entry"] == "twinlang fmt"


@pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None,
                    reason="needs pre-commit (in the test extra) and git")
def test_try_repo_runs_both_hooks(tmp_path: Path):
    hooks_repo = tmp_path / "twinlang"
    shutil.copytree(ROOT, hooks_repo, ignore=_SKIP)
    _git(hooks_repo, "init", "-q")
    _git(hooks_repo, "add", "-A")
    _git(hooks_repo, "commit", "-q", "-m", "snapshot of the working tree")

    project = tmp_path / "plant"
    project.mkdir()
    (project / "clean.twin").write_text(CLEAN, encoding="utf-8")
    (project / "messy.twin").write_text(MESSY, encoding="utf-8")
    (project / "broken.twin").write_text(BROKEN, encoding="utf-8")
    (project / "notes.txt").write_text("not a scenario {", encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", "-A")

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    env.pop("VIRTUAL_ENV", None)
    run = subprocess.run([str(PRE_COMMIT), "try-repo", str(hooks_repo), "--all-files",
                          "--color", "never"], cwd=project, env=env, capture_output=True,
                         text=True, timeout=900)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    # twinlang-check fails on the missing unit, and names the file and the code.
    check = out[out.index("twinlang check"):out.index("twinlang fmt")]
    assert "Failed" in check
    assert "broken.twin:9:" in check and "TW0303" in check
    assert "clean.twin" not in check and "notes.txt" not in check
    # twinlang-fmt rewrote the messy file and left the clean one alone.
    fmt = out[out.index("twinlang fmt"):]
    assert "files were modified by this hook" in fmt
    assert (project / "clean.twin").read_text(encoding="utf-8") == CLEAN
    from twinlang.fmt import format_text

    formatted = format_text(MESSY, name="messy.twin")
    assert formatted != MESSY
    assert (project / "messy.twin").read_text(encoding="utf-8") == formatted
