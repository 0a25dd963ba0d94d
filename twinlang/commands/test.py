"""`twinlang test FILE.twin...`: prove each rubric right before anyone is scored with it.

Compiles the scenarios, plays the expert policy through every assessed procedure (it must
pass every competency) and generated mutants of its run (each must fail, for its reason),
and prints one line per case and a closing `N passed, N failed` line.  Exit 0 when every
case is as expected.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, _os_error_text, _use_color, _write
from ._pipeline import compile_sources

KINDS = ("omit", "swap", "role", "verify", "late")


def register(verbs) -> None:
    p = verbs.add_parser(
        "test", help="self-test the rubrics: the expert passes, every mutant fails",
        description="Compile the scenarios, play the expert policy through each assessed "
        "procedure and generated mutants of its run (each required step omitted, adjacent "
        "safety steps swapped, a step done by the wrong role, a verification by the "
        "performer, a late recovery after each fault). The expert must pass every "
        "competency and each mutant must fail for its reason.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .twin file or a directory")
    p.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="cases to run at once (default: the number of CPUs)")
    p.add_argument("-k", "--kind", action="append", choices=KINDS, metavar="KIND",
                   help="run only the mutants of this kind (repeatable): "
                   + ", ".join(KINDS))
    p.add_argument("--procedure", metavar="NAME", help="test only this procedure")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--variant", choices=("initial", "refresher"), default="initial",
                   help="the thresholds to apply (default: initial)")
    p.add_argument("--keep", metavar="DIR",
                   help="keep each case's trace and event log in DIR")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the output (default: on a terminal, unless NO_COLOR)")
    p.set_defaults(command="test", func=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    color = _use_color(args.color, sys.stdout)
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="twinlang-test-") as tmp:
        bundles = compile_sources(args.paths, Path(tmp) / "bundles", color=color,
                                  verb="test", done="tested")
        if bundles is None:
            return EXIT_DIAGNOSTICS
        return _run(args, bundles, jobs, color, began)


def _run(args, bundles: list[Path], jobs: int, color: bool, began: float) -> int:
    from ..assess import AssessError
    from ..assess.selftest import junit_xml, plan, run_cases
    from ..bundle import BundleError

    kinds = frozenset(args.kind) | {"expert"} if args.kind else None
    cases = []
    try:
        for b in bundles:
            cases.extend(plan(b, seed=args.seed, variant=args.variant,
                              procedure=args.procedure, kinds=kinds))
    except (BundleError, AssessError) as exc:
        raise UsageError(str(exc)) from None
    if not cases:
        raise UsageError("nothing to test: no competency assesses a procedure of these "
                         "scenarios")

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    def show(r) -> None:
        mark = paint("ok  ", "32") if r.ok else paint("FAIL", "1;31")
        _write(sys.stdout, f"{mark} {r.case.name} — {r.case.description}: {r.message}\n")

    results = run_cases(cases, jobs=jobs, keep=args.keep, on_result=show)
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    if args.junit:
        try:
            Path(args.junit).parent.mkdir(parents=True, exist_ok=True)
            Path(args.junit).write_bytes(junit_xml(results))
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "write")) from None
    summary = f"{passed} passed, {failed} failed in {time.perf_counter() - began:.1f} s"
    _write(sys.stdout, (paint(summary, "1;31") if failed else paint(summary, "32")) + "\n")
    return EXIT_OK if failed == 0 else EXIT_DIAGNOSTICS
