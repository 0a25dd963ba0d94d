"""`twinlang run FILE.twin`: check, compile, play the expert trace, assess, report.

This is the whole pipeline in one command, and the quick check that a scenario is
complete: the expert policy performs a correct path through each procedure that a
competency assesses, and every competency must pass on it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, _os_error_text, _use_color, _write
from ._pipeline import compile_sources


def register(verbs) -> None:
    p = verbs.add_parser(
        "run", help="check, compile, play the expert trace, assess and write the report",
        description="Check the scenario files, compile them into OUT/bundles/, play the "
        "expert policy through each procedure a competency assesses (event log "
        "OUT/<scenario>/<procedure>/run.jsonl), assess the run and write assessment.json "
        "and report.html next to the log. Exit 0 when every run completed and passed.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .twin file or a directory")
    p.add_argument("-o", "--output", metavar="OUT", default="twinlang-run",
                   help="the directory to write into (default: ./twinlang-run)")
    p.add_argument("--procedure", metavar="NAME", help="play only this procedure")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--variant", choices=("initial", "refresher"), default="initial",
                   help="the thresholds to apply (default: initial)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the output (default: on a terminal, unless NO_COLOR)")
    p.set_defaults(command="run", func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise UsageError(f"`{out}` exists and is not a directory")
    color = _use_color(args.color, sys.stdout)
    bundles = compile_sources(args.paths, out / "bundles", color=color, verb="run",
                              done="run")
    if bundles is None:
        return EXIT_DIAGNOSTICS
    ok = True
    for bundle_dir in bundles:
        ok &= _run_bundle(bundle_dir, out, args, color)
    return EXIT_OK if ok else EXIT_DIAGNOSTICS


def _procedures(bundle, rubric: dict, only: str | None) -> list[str]:
    if only is not None:
        if only not in [p.id for p in bundle.procedures]:
            raise UsageError(f"`{bundle.scenario.id}` has no procedure `{only}`")
        return [only]
    assessed = {a["id"] for c in rubric.get("competencies", []) for a in c.get("assesses", [])}
    names = [p.id for p in bundle.procedures if p.id in assessed]
    return names or [p.id for p in bundle.procedures]


def _run_bundle(bundle_dir: Path, out: Path, args: argparse.Namespace, color: bool) -> bool:
    from ..assess import AssessError, assess_file, load_bundle, to_json
    from ..assess.text import summary
    from ..bundle import BundleError
    from ..player.runner import play

    try:
        bundle, rubric = load_bundle(bundle_dir)
    except AssessError as exc:
        raise UsageError(str(exc)) from None
    ok = True
    for name in _procedures(bundle, rubric, args.procedure):
        where = out / bundle_dir.name / name
        log = where / "run.jsonl"
        try:
            where.mkdir(parents=True, exist_ok=True)
            result = play(bundle_dir, seed=args.seed, log_path=log, procedure=name)
            assessment, run = assess_file(log, bundle, rubric, variant=args.variant)
            (where / "assessment.json").write_text(to_json(assessment), encoding="utf-8")
            report = _report(assessment, run, bundle, where)
        except (BundleError, AssessError) as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "write")) from None
        _write(sys.stdout, summary(assessment, color=color))
        lines = [f"event log: {log}", f"assessment: {where / 'assessment.json'}"]
        lines.append(f"report: {report}")
        _write(sys.stdout, "\n".join(lines) + "\n\n")
        # `aborted`: the procedure's own abort (an evacuation when an alarm says so)
        ok &= result.outcome in ("completed", "aborted") and assessment.passed
    return ok


def _report(assessment, run, bundle, where: Path):
    from ..assess.report import write_report

    return write_report(assessment, run, bundle, where)
