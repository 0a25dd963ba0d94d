"""Compile time per scenario, and the share of each stage of the pipeline.

For each example in ``examples/`` and for a generated corpus (``bench/corpus.py``, one
scenario file of ``--lines`` lines), compiles the scenario ``--repeat`` times in one
process and times, inside each run, every stage of ``twinlang compile``:

  parse          decode, Lark parse and tree → AST of every module the scenario reads
                 (the file, the standard-library modules it uses, the implicit prelude)
  semantics      ``twinlang.semantics.check_program`` with those ASTs already parsed
  graph          step graph build and verification of each procedure
                 (``build_graph``, ``verify_graph``), then ``apply_allows``
  lower          checked program → bundle model (``twinlang.compile.lower.Lowerer``)
  <writer>       each registered writer (``twinlang.compile.WRITERS``), one column each
  scenario.json  file digests and the serialisation of the bundle
  write          ``write_atomically``: the bundle directory on disk

The stages are the pipeline's own functions called in the order ``twinlang.api.check_files``
and ``twinlang.compile.build_bundle`` / ``compile_files`` call them; nothing is patched.
Before the first timed run the files of each example are compared byte for byte with
``build_bundle``'s, so the benchmark notices when the pipeline changes under it.

Every run starts from nothing: the cache of parsed modules is emptied, the previous
output is removed and ``gc.collect()`` runs.  The collector is on during the run, except
in parse, semantics and graph, where it is paused as ``check_files`` pauses it.  One
warm-up run (imports, parser tables, templates) precedes the timed ones.  Two clocks:
wall (``time.perf_counter``) and CPU (``time.process_time`` plus the CPU of finished child
processes, which is where Graphviz ``dot`` runs for the SOP's diagram); ``--shares``
chooses the one the percentages are computed from.

``--no-graphviz`` hides ``dot`` from ``PATH`` for the run: the SOP is then written with
its Mermaid diagram only, as on a machine without Graphviz.

Run from a checkout:  .venv/bin/python bench/compile_throughput.py [--repeat K] [--lines N]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

try:
    from . import corpus
except ImportError:  # run as a script: bench/ is sys.path[0]
    import corpus  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHECK_STAGES = ("parse", "semantics", "graph")
LOWER_STAGES = ("lower",)
TAIL_STAGES = ("scenario.json", "write")


def stage_names() -> list[str]:
    """The columns of the table: the check stages, lowering, each writer, the rest."""
    from twinlang import compile as tc

    tc._load_writers()
    return [*CHECK_STAGES, *LOWER_STAGES, *sorted(tc.WRITERS), *TAIL_STAGES]


def _cpu() -> float:
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


class Clock:
    """Wall and CPU seconds per stage of one run."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        w0, c0 = time.perf_counter(), _cpu()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w0
            self.cpu[name] = self.cpu.get(name, 0.0) + _cpu() - c0


def module_plan(path: Path) -> list[tuple[str, Path]]:
    """(display name, path) of every module a check of ``path`` reads, prelude included."""
    from twinlang.diagnostics import DiagnosticSink
    from twinlang.semantics import check_program

    program = check_program([path], DiagnosticSink(), {})
    return [(mod.display, mod.path) for mod in program.modules]


def compile_staged(path: Path, plan: list[tuple[str, Path]], out: Path,
                   clock: Clock) -> dict[Path, dict[str, bytes]]:
    """Compile ``path`` into ``out`` stage by stage; return the files of each bundle."""
    from twinlang import compile as tc
    from twinlang.compile.lower import Lowerer, bundle_names

    tc._load_writers()
    # check_files pauses the cyclic garbage collector for parse, semantics and graph
    paused = gc.isenabled()
    gc.disable()
    try:
        report, program = _check_staged(path, plan, clock)
    finally:
        if paused:
            gc.enable()
    if report.has_errors:
        first = next(d for d in report.diagnostics if d.severity.value == "error")
        raise SystemExit(f"{path} does not compile: {first.code} {first.message}")
    built: dict[Path, dict[str, bytes]] = {}
    for mod in program.roots:  # as twinlang.compile.compile_files and build_bundle
        if mod.ast is None or mod.ast.header is None:
            continue
        with clock.stage("lower"):
            mod_graphs = [g for g in report.graphs if g.module is mod]
            used = tc._used_sources(report, mod)
            lowerer = Lowerer(mod, mod_graphs, report.sources, bundle_names(program, mod))
            draft = lowerer.bundle(files={}, used_sources=used)
        ctx = tc.WriteContext(report=report, module=mod, graphs=mod_graphs)
        files: dict[str, bytes] = {}
        for name in sorted(tc.WRITERS):
            with clock.stage(name):
                files.update(tc.WRITERS[name](draft, ctx))
        with clock.stage("scenario.json"):
            digests = {p: hashlib.sha256(d).hexdigest() for p, d in sorted(files.items())}
            bundle = draft.model_copy(update={"files": digests})
            files["scenario.json"] = tc.bundle_json(bundle)
        built[out / tc._dir_name(bundle.scenario.id)] = files
    with clock.stage("write"):
        for target, files in built.items():
            tc.write_atomically(target, files)
    return built


def _check_staged(path: Path, plan: list[tuple[str, Path]], clock: Clock):
    """Parse, semantics and graph, as ``twinlang.api.check_files`` does them."""
    from twinlang import ast
    from twinlang.api import CheckReport, _is_library, display_name
    from twinlang.diagnostics import DiagnosticSink
    from twinlang.graph import verify_graph
    from twinlang.graph.build import build_graph
    from twinlang.semantics import check_program, modules
    from twinlang.semantics.allows import apply_allows
    from twinlang.syntax import parse_bytes

    with clock.stage("parse"):
        for display, file in plan:
            modules._parse_cached(file.read_bytes(), display, parse_bytes)
    parsed = len(modules._PARSED)
    with clock.stage("semantics"):
        sink = DiagnosticSink()
        sources: dict[str, str] = {}
        program = check_program([path], sink, sources)
    if len(modules._PARSED) != parsed:
        raise RuntimeError("the semantic stage parsed a module again; the plan is stale")
    with clock.stage("graph"):  # as twinlang.api.check_files
        broken = {d.span.file for d in sink if d.span is not None and d.severity.value == "error"}
        graphs = []
        for mod in program.roots:
            if mod.ast is None or mod.display in broken or _is_library(mod.ast):
                continue
            for item in mod.ast.items:
                if isinstance(item, ast.Procedure):
                    sg = build_graph(item, mod, sink)
                    verify_graph(sg, sink)
                    graphs.append(sg)
        diagnostics = apply_allows(program, sink.sorted())
        diagnostics.sort(key=lambda d: d.sort_key)
        report = CheckReport(diagnostics=diagnostics, sources=sources,
                             files=[display_name(path)], program=program, graphs=graphs)
    return report, program


def same_as_pipeline(path: Path, built: dict[Path, dict[str, bytes]]) -> None:
    """Fail when the staged compile no longer writes what ``build_bundle`` writes."""
    from twinlang.api import check_files
    from twinlang.compile import build_bundle

    report = check_files([path])
    mods = [m for m in report.program.roots if m.ast is not None and m.ast.header is not None]
    expected = [build_bundle(report, mod)[1] for mod in mods]
    if expected != list(built.values()):
        raise SystemExit(f"the staged compile of {path} differs from build_bundle's; "
                         "bench/compile_throughput.py must follow twinlang/compile/__init__.py")


@contextmanager
def graphviz_hidden(hide: bool) -> Iterator[None]:
    """Remove every directory holding a ``dot`` executable from PATH while active."""
    old = os.environ.get("PATH", "")
    if hide:
        keep = [d for d in old.split(os.pathsep) if not shutil.which("dot", path=d)]
        os.environ["PATH"] = os.pathsep.join(keep)
    try:
        yield
    finally:
        os.environ["PATH"] = old


def graphviz_version() -> str:
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        return "not installed (SOP without SVG)"
    proc = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (proc.stderr or proc.stdout).strip() or dot


def measure(path: Path, repeat: int, out: Path, warm_up: bool, check: bool) -> dict:
    """``repeat`` timed staged compiles of ``path``, after one untimed one if ``warm_up``
    (which ``check`` compares with the pipeline's own output)."""
    from twinlang.semantics import modules

    plan = module_plan(path)
    runs: list[Clock] = []
    for i in range(repeat + (1 if warm_up else 0)):
        modules._PARSED.clear()
        shutil.rmtree(out, ignore_errors=True)
        clock = Clock()
        gc.collect()
        built = compile_staged(path, plan, out, clock)
        if warm_up and i == 0:
            if check:
                same_as_pipeline(path, built)
        else:
            runs.append(clock)
    lines = sum(p.read_bytes().count(b"\n") for _d, p in plan)
    return {"lines": path.read_bytes().count(b"\n"), "parsed_lines": lines, "runs": runs}


def _row(name: str, result: dict, stages: list[str], shares: str) -> list[str]:
    runs: list[Clock] = result["runs"]
    walls = [sum(r.wall.values()) for r in runs]
    cpus = [sum(r.cpu.values()) for r in runs]
    per = {s: statistics.median([getattr(r, shares).get(s, 0.0) for r in runs]) for s in stages}
    whole = sum(per.values()) or 1.0
    return [name, f"{result['lines']:,}", f"{result['parsed_lines']:,}",
            f"{1e3 * statistics.median(walls):,.1f}", f"{1e3 * min(walls):,.1f}",
            f"{1e3 * statistics.median(cpus):,.1f}",
            *(f"{100 * per[s] / whole:.1f}" for s in stages)]


def table(rows: list[list[str]], stages: list[str]) -> str:
    head = ["scenario", "lines", "parsed", "total ms", "min ms", "cpu ms",
            *(f"{s} %" for s in stages)]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = [lambda s, w: s.ljust(w), *([lambda s, w: s.rjust(w)] * (len(head) - 1))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(f(c, w) for f, c, w in zip(fmt, cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ("-" if i == 0 else ":") for i, w in
                          enumerate(widths)) + "|"
    return "\n".join([line(head), rule, *(line(r) for r in rows)])


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="timed runs per scenario (default 5)")
    p.add_argument("--lines", type=int, default=30_000,
                   help="lines of the generated corpus (default 30000)")
    p.add_argument("--seed", type=int, default=20240601, help="corpus seed")
    p.add_argument("--skip-corpus", action="store_true", help="time the examples only")
    p.add_argument("--skip-examples", action="store_true", help="time the corpus only")
    p.add_argument("--no-graphviz", action="store_true",
                   help="hide Graphviz `dot` from PATH: the SOP gets no SVG diagram")
    p.add_argument("--shares", choices=("wall", "cpu"), default="wall",
                   help="clock the stage percentages are computed from (default wall)")
    p.add_argument("--examples", type=Path, default=ROOT / "examples",
                   help="directory of example scenarios (default examples/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1 or args.lines < 1:
        print("--repeat and --lines must be at least 1", file=sys.stderr)
        return 2
    with graphviz_hidden(args.no_graphviz), \
            tempfile.TemporaryDirectory(prefix="twinlang-compile-bench-") as tmp:
        return _run(args, Path(tmp))


def _run(args: argparse.Namespace, tmp: Path) -> int:
    stages = stage_names()
    scenarios: list[tuple[str, Path, bool]] = []
    if not args.skip_examples:
        scenarios += [(p.name, p, True) for p in sorted(args.examples.glob("*.twin"))]
    if not args.skip_corpus:
        big = corpus.write_corpus(tmp / "corpus", args.lines, args.seed)[0]
        scenarios.append((f"corpus ({args.lines:,} lines)", big, False))
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPU(s); "
          f"graphviz: {graphviz_version()}")
    print(f"{args.repeat} timed run(s) per scenario after a warm-up; gc.collect() before each; "
          f"stage shares from {args.shares} time; total = sum of the stages")
    rows = []
    rate = ""
    for i, (name, path, is_example) in enumerate(scenarios):
        # The examples warm up (and are checked against the pipeline) each; the corpus
        # only when it runs alone, since a warm-up costs a whole compile.
        result = measure(path, args.repeat, tmp / f"out{i}", warm_up=is_example or i == 0,
                         check=is_example)
        rows.append(_row(name, result, stages, args.shares))
        if not is_example:
            wall = statistics.median(sum(r.wall.values()) for r in result["runs"])
            cpu = statistics.median(sum(r.cpu.values()) for r in result["runs"])
            rate = (f"corpus: {result['lines'] / wall:,.0f} lines/s wall, "
                    f"{result['lines'] / cpu:,.0f} lines/s CPU (median run)")
    print(table(rows, stages))
    if rate:
        print(rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
