"""`twinlang check` stays light: no player dependencies, and a measured cold start."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from cli_helpers import CLEAN, clean_env

#: Modules that only the player and the report writers may load.
FORBIDDEN = ("pybullet", "jinja2")


def _imported_modules(importtime_stderr: str) -> set[str]:
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_check_does_not_import_player_dependencies(tmp_path):
    (tmp_path / "ok.twin").write_text(CLEAN)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "twinlang", "check",
                           "ok.twin"], cwd=tmp_path, capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = _imported_modules(proc.stderr)
    assert "twinlang.cli" in modules and "lark" in modules  # the probe does see imports
    top_level = {m.split(".")[0] for m in modules}
    for name in FORBIDDEN:
        assert name not in top_level, f"`twinlang check` imported {name}"


def test_version_does_not_import_the_parser(tmp_path):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "twinlang", "--version"],
                          cwd=tmp_path, capture_output=True, text=True, env=clean_env(),
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    modules = _imported_modules(proc.stderr)
    assert "twinlang.cli" in modules
    for heavy in ("lark", "pydantic", "pint", *FORBIDDEN):
        assert heavy not in modules


def test_cold_start_of_check_is_measured(tmp_path, capsys):
    """Prints the wall time of `python -m twinlang check` on a small file (no assertion)."""
    (tmp_path / "ok.twin").write_text(CLEAN)
    argv = [sys.executable, "-m", "twinlang", "check", "ok.twin"]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, env=clean_env(),
                              timeout=60)
        times.append(time.perf_counter() - t0)
        assert proc.returncode == 0
    with capsys.disabled():
        print(f"\ncold start of `twinlang check` on a small file: median "
              f"{statistics.median(times) * 1000:.0f} ms, runs "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms")
