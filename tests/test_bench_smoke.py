"""The check benchmark runs: its corpus is valid twinlang and its figures are printed.

No timing is asserted here; docs/performance.md has the measured figures.
"""

from __future__ import annotations

import re

from bench import check_throughput, cold_start, corpus
from twinlang.api import check_files


def test_generated_corpus_checks_clean(tmp_path):
    paths = corpus.write_corpus(tmp_path, lines=2_000)
    text = paths[0].read_text(encoding="utf-8")
    assert text.count("\n") >= 2_000
    report = check_files(paths)
    assert [f"{d.code} {d.message}" for d in report.diagnostics] == []


def test_corpus_has_the_constructs_it_claims():
    text = corpus.generate(2_000)
    for construct in ("\nkind ", "\nequipment ", "\nprocedure ", "parallel ", "branch ",
                      "  if ", "} else {", "choose ", "option ", "on alarm ", "-> goto ",
                      "abort ", "call ", "\nfault ", "\ncompetency ", "\nprofile ",
                      "\nsubstance ", "requires ", "expect "):
        assert construct in text, construct
    units = set(re.findall(r"= [-\d.]+ ([A-Za-z][\w*/^]*)$", text, re.MULTILINE))
    assert len(units) >= 12, units  # mixed units: bar, psi, kPa, in, mm, lbf*ft, degF, ...


def test_corpus_is_deterministic_and_seeded():
    assert corpus.generate(1_500, seed=5) == corpus.generate(1_500, seed=5)
    assert corpus.generate(1_500, seed=5) != corpus.generate(1_500, seed=6)


def test_extra_files_check_clean_together(tmp_path):
    paths = corpus.write_corpus(tmp_path, lines=600, files=2, small_lines=300)
    assert [p.name for p in paths] == ["site.twin", "unit01.twin", "unit02.twin"]
    assert check_files(paths).diagnostics == []


def _figures(out: str) -> dict[str, float]:
    found = {}
    for key, pattern in (("a", r"^\(a\) bare Lark parse\s+median\s+([\d.]+) s"),
                         ("b", r"^\(b\) full check .*?median\s+([\d.]+) s"),
                         ("c", r"^\(c\) ratio b/a\s+median\s+([\d.]+)")):
        m = re.search(pattern, out, re.MULTILINE)
        assert m, f"figure ({key}) missing from:\n{out}"
        found[key] = float(m.group(1))
    return found


def test_benchmark_prints_the_three_figures(capsys):
    assert check_throughput.main(["--lines", "2000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    fig = _figures(out)
    assert fig["a"] > 0 and fig["b"] > 0
    assert abs(fig["c"] - fig["b"] / fig["a"]) <= 0.02 * fig["b"] / fig["a"] + 0.01
    assert "lines/s" in out


def test_benchmark_stages_and_keep(tmp_path, capsys):
    keep = tmp_path / "corpus"
    argv = ["--lines", "800", "--repeat", "1", "--stages", "--gc-off", "--keep", str(keep)]
    assert check_throughput.main(argv) == 0
    out = capsys.readouterr().out
    _figures(out)
    assert "parse + AST + semantics" in out and "collector off" in out
    assert (keep / "site.twin").read_text(encoding="utf-8") == corpus.generate(800)


def test_cold_start_reads_importtime_output():
    stderr = ("import time: self [us] | cumulative | imported package\n"
              "import time:       100 |        100 |   lark.utils\n"
              "import time:       250 |        350 | lark\n"
              "import time:        40 |         40 | twinlang.paths\n")
    assert cold_start.import_times(stderr) == {"lark": 350, "twinlang": 40}
