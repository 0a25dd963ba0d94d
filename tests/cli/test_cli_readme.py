"""The README's example scenario is valid twinlang, and its quick start is two commands."""

from __future__ import annotations

import re
from pathlib import Path

import twinlang

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(lang: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_example_checks_clean(tmp_path):
    (block,) = _blocks("twin")
    path = tmp_path / "readme-example.twin"
    path.write_text(block, encoding="utf-8")
    module, diags = twinlang.parse(block, "readme-example.twin")
    assert module is not None, [d.message for d in diags]
    report = twinlang.check(path)
    errors = [f"{d.code} {d.message}" for d in report.diagnostics if d.severity.value == "error"]
    assert errors == [], "the README example no longer checks clean: update README.md"


def test_quick_start_is_exactly_the_two_documented_commands():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [b.strip() for b in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . "
        "&& .venv/bin/twinlang run examples/loto_conveyor.twin",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest",
    ]


def test_quick_start_main_job_runs_end_to_end(tmp_path):
    """`twinlang run` on the README's example: check, compile, play, assess, report."""
    import subprocess
    import sys

    root = README.parent
    proc = subprocess.run([sys.executable, "-m", "twinlang", "run",
                           str(root / "examples" / "loto_conveyor.twin"), "-o", str(tmp_path),
                           "--color", "never"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    where = tmp_path / "loto-conveyor-c12" / "lockout"
    for name in ("run.jsonl", "assessment.json", "report.html"):
        assert (where / name).is_file(), name
    assert "overall: PASS" in proc.stdout
