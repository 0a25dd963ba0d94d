"""Golden-file comparison for rendered diagnostics.

``assert_golden(path, actual)`` fails with a unified diff when ``actual`` differs from the
file at ``path``.  With the environment variable ``TWINLANG_UPDATE_GOLDEN=1`` it writes
``actual`` to ``path`` instead (creating directories), so after an intended change:

    TWINLANG_UPDATE_GOLDEN=1 .venv/bin/pytest tests/diagnostics
    git diff tests/diagnostics/golden      # review every change before committing

Files are compared byte for byte (UTF-8, ``\\n`` line ends, no newline translation).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

UPDATE_ENV = "TWINLANG_UPDATE_GOLDEN"
GOLDEN_DIR = Path(__file__).parent / "golden"


def updating() -> bool:
    """True when goldens should be rewritten rather than compared."""
    return os.environ.get(UPDATE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def assert_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file ``path`` (or rewrite it, see module doc)."""
    path = Path(path)
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(actual)
        return
    if not path.exists():
        pytest.fail(f"golden file {path} does not exist; create it with {UPDATE_ENV}=1",
                    pytrace=False)
    with path.open(encoding="utf-8", newline="") as f:
        expected = f.read()
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"{path} (golden)", tofile="actual"))
        pytest.fail(f"output differs from {path}; if the change is intended, rerun with "
                    f"{UPDATE_ENV}=1 and review the diff\n{diff}", pytrace=False)
