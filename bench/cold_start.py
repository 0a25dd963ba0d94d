"""Whole-process time of `twinlang check FILE`, and what its imports cost.

Runs the command ``--runs`` times in fresh processes (after ``--warmup`` runs that fill the
parser-table cache and the OS file cache) and prints the median and minimum wall time.
Then runs it once more under ``python -X importtime`` and lists the cumulative import time
of the top-level packages, and whether any package that `check` must never load
(the player's and the report writers' dependencies) was imported.

    .venv/bin/python bench/cold_start.py FILE [--runs 20] [--phases 10]

With ``--phases K`` it also runs, K times in fresh processes, a script that times the
parts of a cold check one after the other (the imports of pydantic, of the AST classes, of
lark and of the checker's modules, loading the parser tables, the first check, building
the command line) and prints the median of each, to show where the time goes.

hyperfine gives the same figure: ``hyperfine -N -w 3 -r 20 '.venv/bin/twinlang check FILE'``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

#: Packages `twinlang check` must not import.
FORBIDDEN = ("pybullet", "jinja2", "networkx", "matplotlib")


def _twinlang() -> list[str]:
    exe = Path(sys.executable).with_name("twinlang")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "twinlang"]


def import_times(stderr: str) -> dict[str, int]:
    """Top-level package → its own import time in microseconds (-X importtime "self" column,
    summed over the package's modules, wherever they were imported from)."""
    out: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _cumulative, name = line[len("import time:"):].split("|")
        if not own.strip().isdigit():  # the header line
            continue
        top = name.strip().split(".")[0]
        out[top] = out.get(top, 0) + int(own)
    return out


#: Run in a fresh interpreter by ``--phases``: prints ``name=seconds`` for each part.
PHASES = """
import sys, time
from pathlib import Path
marks = [("start", time.perf_counter())]
def mark(name):
    marks.append((name, time.perf_counter()))
import pydantic
mark("import pydantic")
import twinlang.ast
mark("import twinlang.ast (+ diagnostics)")
import lark
mark("import lark")
from twinlang.syntax import get_parser
import twinlang.api, twinlang.graph, twinlang.graph.rules, twinlang.semantics
import twinlang.semantics.allows
twinlang.graph.rules.load_packs()
mark("import syntax, semantics, graph, rule packs")
get_parser()
mark("parser tables (get_parser)")
report = twinlang.api.check_files([Path(sys.argv[1])])
mark("first check_files (parse, AST, checks)")
from twinlang.cli import build_parser
build_parser()
mark("command line (build_parser)")
print(" ".join(f"{name}={t - marks[i][1]:.6f}" for i, (name, t) in enumerate(marks[1:])))
"""


def phases(file: Path, runs: int) -> dict[str, float]:
    """Median seconds of each part of a cold check (see PHASES), over ``runs`` processes."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PHASES, str(file)], capture_output=True,
                             text=True, check=True).stdout
        for part in re.findall(r"(.+?)=([\d.]+)(?: |$)", out.strip()):
            samples.setdefault(part[0].strip(), []).append(float(part[1]))
    return {k: statistics.median(v) for k, v in samples.items()}


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file", type=Path)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--top", type=int, default=12, help="packages listed by import time")
    p.add_argument("--phases", type=int, default=0, metavar="K",
                   help="also time the parts of a cold check in K fresh processes")
    args = p.parse_args(argv)
    cmd = [*_twinlang(), "check", str(args.file)]
    times = []
    for i in range(args.warmup + args.runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    print(f"`{' '.join(cmd)}`: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms over {len(times)} runs")
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "twinlang", "check",
                           str(args.file)], capture_output=True, text=True, env=env,
                          check=False)
    imports = import_times(proc.stderr)
    total = sum(imports.values())
    print(f"imports (one run, -X importtime): {total / 1000:.0f} ms in all")
    for name, us in sorted(imports.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {name:40s} {us / 1000:7.1f} ms")
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0]
              for line in proc.stderr.splitlines() if line.startswith("import time:")}
    bad = [m for m in FORBIDDEN if m in loaded]
    print("pint imported:", "yes" if "pint" in loaded else "no")
    print("forbidden imports:", ", ".join(bad) if bad else "none")
    if args.phases:
        parts = phases(args.file, args.phases)
        print(f"parts of a cold check (median of {args.phases} processes, "
              f"{sum(parts.values()) * 1000:.0f} ms in all, interpreter start not included):")
        for name, sec in parts.items():
            print(f"  {name:45s} {sec * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
