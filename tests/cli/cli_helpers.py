"""Scenario snippets and a subprocess runner shared by the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: A small scenario that parses cleanly.
CLEAN = """\
scenario "CLI test" {
  id cli-test
  risk low
}
role authorized "Authorized employee"
"""

#: The same with a syntax error on line 5 (a role needs a name before its title).
BROKEN = """\
scenario "CLI test" {
  id cli-test
  risk low
}
role "Authorized employee"
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without variables that change the CLI's behaviour."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"NO_COLOR", "FORCE_COLOR", "TWINLANG_TRACEBACK", "TERM"}}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_subprocess(*args: str, cwd: Path, env: dict[str, str] | None = None,
                   timeout: float = 60) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "twinlang", *args], cwd=cwd, capture_output=True,
        text=True, encoding="utf-8", env=env or clean_env(), timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
