"""`twinlang run` and `twinlang test` on bad input: clear messages and exit codes, no run."""

from __future__ import annotations

import subprocess
import sys

import pytest

BROKEN = """scenario "Tank 7 monitor" {
  id tank7-monitor
  risk medium
}
use stdlib.equipment.{GasDetector}
equipment GD-7 "Tank 7 monitor" is GasDetector {
  tubing_length = 3
}
"""

LIBRARY = """module "Shared kinds"
role operator "Operator"
"""


def _twinlang(*args, cwd):
    return subprocess.run([sys.executable, "-m", "twinlang", *args, "--color", "never"],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("verb, done", [("run", "run"), ("test", "tested")])
def test_errors_stop_before_anything_is_played(tmp_path, verb, done):
    (tmp_path / "broken.twin").write_text(BROKEN, encoding="utf-8")
    proc = _twinlang(verb, "broken.twin", cwd=tmp_path)
    assert proc.returncode == 1
    assert "error[TW03" in proc.stdout + proc.stderr
    assert f"nothing was {done}: fix the errors above first" in proc.stderr
    assert not (tmp_path / "twinlang-run" / "tank7-monitor").exists()


@pytest.mark.parametrize("verb", ["run", "test"])
def test_no_scenario_is_a_usage_error(tmp_path, verb):
    (tmp_path / "lib.twin").write_text(LIBRARY, encoding="utf-8")
    proc = _twinlang(verb, "lib.twin", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"no scenario to {verb}: no file has a `scenario` header" in proc.stderr


def test_run_output_must_be_a_directory(tmp_path):
    (tmp_path / "lib.twin").write_text(LIBRARY, encoding="utf-8")
    (tmp_path / "out").write_text("", encoding="utf-8")
    proc = _twinlang("run", "lib.twin", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2 and "`out` exists and is not a directory" in proc.stderr
