"""Throughput of `twinlang check` against a bare Lark parse of the same text.

Generates a deterministic corpus (see `bench/corpus.py`), writes it to a directory, and
measures in one process, alternating, each ``--repeat`` times after one warm-up run:

  (a) a bare parse: ``twinlang.syntax.get_parser().parse(text)`` for every corpus file;
  (b) the full check: ``twinlang.api.check_files(paths)`` (decode, parse, AST, semantic
      checks, step graph; the implicit prelude is parsed too).  Before each run the files
      get a new trailing comment, so that no run reuses the AST of an earlier one;
  (c) the ratio b / a, of the medians and of the minimums.

``check_files`` pauses the cyclic garbage collector while it runs (the parse trees and
ASTs are millions of objects that live to the end); the bare parse of (a) runs with it on,
as any program calling Lark would.  So that the ratio hides nothing, the script also times
(a') the same bare parse with the collector paused, and prints (c') b / a'.

With ``--stages`` it also times the stages inside (b): parse + AST
(``twinlang.syntax.parse_bytes``) and parse + AST + semantics
(``twinlang.semantics.check_program``); the rest of (b) is the step graph.

The garbage collector stays on during the timed runs (as in the command line) and
``gc.collect()`` runs before each one; ``--gc-off`` disables it during the runs instead.

Besides the wall time (``time.perf_counter``) each figure shows the CPU time of the process
(``time.process_time``), which other jobs on a shared machine disturb far less.

Run from a checkout:  .venv/bin/python bench/check_throughput.py [--lines N] [--repeat K]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

try:
    from . import corpus
except ImportError:  # run as a script: bench/ is sys.path[0]
    import corpus  # type: ignore[no-redef]


def _time(fn: Callable[[], object], gc_off: bool,
          setup: Callable[[], object] | None) -> tuple[float, float]:
    """Wall time (perf_counter) and CPU time of this process (process_time) of one run."""
    if setup is not None:
        setup()
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        return time.perf_counter() - t0, time.process_time() - c0
    finally:
        gc.enable()


def _fmt(runs: list[tuple[float, float]], lines: int | None = None) -> str:
    wall = [w for w, _c in runs]
    cpu = [c for _w, c in runs]
    out = (f"median {statistics.median(wall):8.3f} s   min {min(wall):8.3f} s   "
           f"(cpu median {statistics.median(cpu):8.3f} s)")
    if lines is not None:
        out += f"   {lines / statistics.median(wall):9,.0f} lines/s"
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=30_000,
                   help="lines in the big corpus file (default 30000)")
    p.add_argument("--files", type=int, default=0,
                   help="extra smaller, self-contained files checked together with it")
    p.add_argument("--small-lines", type=int, default=1_000,
                   help="lines in each extra file (default 1000)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    p.add_argument("--seed", type=int, default=20240601, help="corpus seed")
    p.add_argument("--keep", metavar="DIR", type=Path,
                   help="write the corpus to DIR and leave it there")
    p.add_argument("--stages", action="store_true",
                   help="also time parse + AST and parse + AST + semantics")
    p.add_argument("--gc-off", action="store_true",
                   help="disable the garbage collector during the timed runs")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1 or args.lines < 1:
        print("--repeat and --lines must be at least 1", file=sys.stderr)
        return 2
    if args.keep is not None:
        return _run(args, args.keep)
    with tempfile.TemporaryDirectory(prefix="twinlang-bench-") as tmp:
        return _run(args, Path(tmp))


def _run(args: argparse.Namespace, directory: Path) -> int:
    from twinlang.api import check_files
    from twinlang.syntax import get_parser

    paths = corpus.write_corpus(directory, args.lines, args.seed, args.files, args.small_lines)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    n_lines = sum(t.count("\n") for t in texts)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    parser = get_parser()

    def bare() -> None:
        for t in texts:
            parser.parse(t)

    def bare_paused() -> None:
        paused = gc.isenabled()
        gc.disable()
        try:
            bare()
        finally:
            if paused:
                gc.enable()

    runs = iter(range(1_000_000))

    def forget() -> None:
        from twinlang.semantics import modules

        getattr(modules, "_PARSED", {}).clear()

    def fresh() -> None:
        """Make every timed check parse the corpus again, as a new process would.

        The loader keeps the ASTs of modules it has read, keyed by their content; a
        comment that differs from run to run defeats that, and the cache is emptied so
        that the ASTs of earlier runs do not stay alive (and burden the collector).
        """
        forget()
        n = next(runs)
        for p, t in zip(paths, texts, strict=True):
            p.write_text(f"{t}# run {n}\n", encoding="utf-8")

    def full() -> None:
        report = check_files(paths)
        if report.diagnostics:
            first = report.diagnostics[0]
            raise SystemExit(f"the corpus does not check clean: {len(report.diagnostics)} "
                             f"diagnostics, first {first.code} {first.message}")

    stages: dict[str, Callable[[], object]] = {"bare": bare, "bare_paused": bare_paused,
                                               "check": full}
    if args.stages:
        from twinlang.diagnostics import DiagnosticSink
        from twinlang.semantics import check_program
        from twinlang.syntax import parse_bytes

        blobs = [t.encode("utf-8") for t in texts]

        def ast_only() -> None:
            for p, b in zip(paths, blobs, strict=True):
                parse_bytes(b, p.name)

        def semantics() -> None:
            check_program(paths, DiagnosticSink(), {})

        stages = {"bare": bare, "bare_paused": bare_paused, "ast": ast_only,
                  "semantics": semantics, "check": full}

    print(f"corpus: {len(paths)} file(s), {n_lines:,} lines, {n_bytes / 1e6:.2f} MB "
          f"(seed {args.seed}){'' if args.keep is None else f', in {directory}'}")
    print(f"python {sys.version.split()[0]}; {args.repeat} timed run(s) each after a warm-up; "
          f"garbage collector {'off' if args.gc_off else 'on'} during runs")
    setups = {"bare": forget, "bare_paused": forget, "ast": forget, "semantics": fresh,
              "check": fresh}
    for name, fn in stages.items():  # warm-up: parser tables, unit registry, caches
        setups[name]()
        fn()
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in stages}
    for _ in range(args.repeat):
        for name, fn in stages.items():  # alternate, so drift hits all alike
            times[name].append(_time(fn, args.gc_off, setups[name]))
    for p, t in zip(paths, texts, strict=True):  # leave the corpus as generated
        p.write_text(t, encoding="utf-8")

    a, b = times["bare"], times["check"]
    print(f"(a) bare Lark parse          {_fmt(a, n_lines)}")
    print(f"(a') bare, collector paused  {_fmt(times['bare_paused'], n_lines)}")
    if args.stages:
        print(f"    parse + AST              {_fmt(times['ast'])}")
        print(f"    parse + AST + semantics  {_fmt(times['semantics'])}   (with the prelude)")
    print(f"(b) full check (check_files) {_fmt(b, n_lines)}")
    def ratio(pick: Callable[[list[float]], float], i: int,
              base: list[tuple[float, float]] = a) -> float:
        return pick([r[i] for r in b]) / pick([r[i] for r in base])

    print(f"(c) ratio b/a                median {ratio(statistics.median, 0):8.2f}     "
          f"min {ratio(min, 0):8.2f}   (cpu median {ratio(statistics.median, 1):8.2f})   "
          "target: at most 2")
    ap = times["bare_paused"]
    print(f"(c') ratio b/a'              median {ratio(statistics.median, 0, ap):8.2f}     "
          f"min {ratio(min, 0, ap):8.2f}   (cpu median {ratio(statistics.median, 1, ap):8.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
