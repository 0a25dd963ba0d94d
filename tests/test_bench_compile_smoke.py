"""The compile benchmark runs and prints a row per scenario with every stage.

No timing is asserted here; docs/performance.md has the measured figures.
"""

from __future__ import annotations

import gc
import os
import re
from pathlib import Path

import pytest

from bench import compile_throughput as ct

EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.twin"))


def _table(out: str) -> tuple[list[str], list[list[str]]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in out.splitlines() if line.startswith("| ")]
    assert rows, f"no table in:\n{out}"
    return rows[0], rows[1:]


def test_stages_are_the_pipeline_and_every_writer():
    from twinlang.compile import WRITERS

    names = ct.stage_names()
    assert names[:4] == ["parse", "semantics", "graph", "lower"]
    assert names[-2:] == ["scenario.json", "write"]
    assert set(names[4:-2]) == set(WRITERS) >= {"rubric", "sop", "urdf", "xapi"}


def test_benchmark_prints_every_stage_for_examples_and_corpus(capsys):
    assert ct.main(["--lines", "1000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    head, rows = _table(out)
    assert head[:6] == ["scenario", "lines", "parsed", "total ms", "min ms", "cpu ms"]
    assert head[6:] == [f"{s} %" for s in ct.stage_names()]
    assert [r[0] for r in rows] == [*EXAMPLES, "corpus (1,000 lines)"]
    for row in rows:
        assert len(row) == len(head)
        total, shares = float(row[3].replace(",", "")), [float(x) for x in row[6:]]
        assert total > 0
        assert abs(sum(shares) - 100) < 0.5, row
    corpus_lines = int(rows[-1][1].replace(",", ""))
    assert corpus_lines >= 1000
    assert re.search(r"^corpus: [\d,]+ lines/s wall, [\d,]+ lines/s CPU", out, re.M)
    assert "graphviz:" in out and "python 3." in out


def test_no_graphviz_hides_dot_and_restores_path(capsys):
    path = os.environ.get("PATH")
    assert ct.main(["--skip-corpus", "--repeat", "1", "--no-graphviz", "--shares", "cpu"]) == 0
    assert os.environ.get("PATH") == path
    out = capsys.readouterr().out
    assert "graphviz: not installed" in out and "from cpu time" in out
    _head, rows = _table(out)
    assert [r[0] for r in rows] == EXAMPLES
    assert "lines/s" not in out


def test_staged_compile_writes_what_compile_files_writes(tmp_path):
    from twinlang.compile import compile_files

    src = Path(__file__).resolve().parents[1] / "examples" / EXAMPLES[0]
    clock = ct.Clock()
    built = ct.compile_staged(src, ct.module_plan(src), tmp_path / "staged", clock)
    assert set(clock.wall) == set(ct.stage_names())
    assert gc.isenabled()  # paused for the check stages only, as check_files does
    result = compile_files([src], tmp_path / "pipeline")
    [staged_dir] = built
    [pipeline_dir] = result.bundles
    assert staged_dir.name == pipeline_dir.name
    for rel, data in built[staged_dir].items():
        assert (pipeline_dir / rel).read_bytes() == data, rel
    assert sorted(p.relative_to(staged_dir).as_posix() for p in staged_dir.rglob("*")
                  if p.is_file()) == sorted(built[staged_dir])


def test_a_scenario_with_errors_is_refused(tmp_path):
    bad = tmp_path / "bad.twin"
    bad.write_text('scenario "Bad" {\n  id bad\n  risk high\n}\nequipment X-1 "x" is Nope\n',
                   encoding="utf-8")
    with pytest.raises(SystemExit, match="does not compile"):
        ct.compile_staged(bad, ct.module_plan(bad), tmp_path / "out", ct.Clock())


def test_bad_arguments():
    assert ct.main(["--repeat", "0", "--skip-corpus"]) == 2
