"""The same sources give byte-identical bundles: twice in one process, in fresh processes
with other hash seeds, and from another working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from twinlang.compile import compile_files

from .test_injection import SOURCE as HOSTILE
from .test_sop import FLOW

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


def compile_here(src: Path, out: Path) -> dict[str, bytes]:
    result = compile_files([src], out)
    assert not result.report.has_errors, (
        f"{src.name} does not check clean: "
        + "; ".join(d.message for d in result.report.diagnostics
                    if d.severity.value == "error"))
    (bundle,) = result.bundles
    return tree(bundle)


def compile_in_subprocess(sources: list[Path], out: Path, cwd: Path,
                          seed: str) -> dict[str, dict[str, bytes]]:
    """Compile each source on its own in one fresh interpreter; {source name: tree}."""
    code = ("import sys; from pathlib import Path; from twinlang.compile import compile_files\n"
            "bad = []\n"
            "for i, src in enumerate(sys.argv[2:]):\n"
            "    r = compile_files([Path(src)], Path(sys.argv[1]) / str(i))\n"
            "    if r.report.has_errors or len(r.bundles) != 1: bad.append(src)\n"
            "sys.exit('does not compile: ' + ', '.join(bad) if bad else 0)\n")
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", code, str(out), *map(str, sources)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    out_trees = {}
    for i, src in enumerate(sources):
        (bundle,) = [p for p in (out / str(i)).iterdir() if not p.name.startswith(".")]
        out_trees[src.name] = tree(bundle)
    return out_trees


def assert_same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"files differ: {differ}"


@pytest.mark.parametrize("src", EXAMPLES, ids=lambda p: p.stem)
def test_compiling_twice_gives_identical_trees(src, tmp_path):
    first = compile_here(src, tmp_path / "one")
    second = compile_here(src, tmp_path / "two")
    assert {"scenario.json", "rubric.json", "rubric.html", "procedure.md",
            "procedure.html", "xapi-profile.json", "scene.json"} <= set(first)
    assert_same(first, second)


@pytest.mark.parametrize("name, text", [("hostile", HOSTILE), ("flow", FLOW)])
def test_compiling_twice_gives_identical_trees_for_test_scenarios(name, text, tmp_path):
    src = tmp_path / f"{name}.twin"
    src.write_text(text, encoding="utf-8")
    assert_same(compile_here(src, tmp_path / "one"), compile_here(src, tmp_path / "two"))


def test_hash_seed_does_not_change_the_bytes(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    (tmp_path / "src").mkdir()
    extra = [tmp_path / "src" / "hostile.twin", tmp_path / "src" / "flow.twin"]
    extra[0].write_text(HOSTILE, encoding="utf-8")
    extra[1].write_text(FLOW, encoding="utf-8")
    sources = [src.relative_to(ROOT) for src in EXAMPLES] + extra
    here = {src.name: compile_here(src, tmp_path / "here" / src.stem) for src in sources}
    for seed in ("0", "4242"):
        there = compile_in_subprocess(sources, tmp_path / f"seed{seed}", ROOT, seed)
        for name in here:
            assert_same(here[name], there[name])


def test_working_directory_does_not_change_the_bytes(tmp_path, monkeypatch):
    src = ROOT / "examples" / "loto_conveyor.twin"
    monkeypatch.chdir(ROOT)
    here = compile_here(src.relative_to(ROOT), tmp_path / "here")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    there = compile_in_subprocess([src], tmp_path / "there", elsewhere, "0")
    assert_same(here, there[src.name])
