"""`twinlang assess LOG --bundle BUNDLE`: measure a run against its rubric."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, _os_error_text, _use_color, _write
from ._xapi_options import add_xapi_arguments


def register(verbs) -> None:
    p = verbs.add_parser(
        "assess", help="assess the event log of a run against the scenario's rubric",
        description="Compute the metrics of a run from its event log, apply each "
        "competency's thresholds and pass rule, and report the verdict. Exit 0 when every "
        "assessed competency passed, 1 when one failed, 2 when the log cannot be assessed.",
    )
    p.add_argument("log", metavar="LOG.jsonl", help="the event log of the run (from `play`)")
    p.add_argument("--bundle", required=True, metavar="BUNDLE",
                   help="the bundle directory the run was played from")
    add_common(p)
    p.set_defaults(command="assess", func=cmd_assess)


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="DIR",
                   help="write assessment.json and report.html into DIR")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="what to print: a text summary (default), assessment.json, or only "
                   "the path of report.html (written to DIR, default ./report)")
    p.add_argument("--variant", choices=("initial", "refresher"), default="initial",
                   help="the thresholds to apply (default: initial)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text summary (default: on a terminal, unless NO_COLOR)")
    add_xapi_arguments(p)


def cmd_assess(args: argparse.Namespace) -> int:
    from ..assess import AssessError, assess_file, load_bundle

    try:
        bundle, rubric = load_bundle(args.bundle)
        assessment, run = assess_file(args.log, bundle, rubric, variant=args.variant)
    except AssessError as exc:
        raise UsageError(str(exc)) from None
    return deliver(args, assessment, run, bundle)


def deliver(args: argparse.Namespace, assessment, run, bundle) -> int:
    """Write and print what the options ask for; the exit code says pass or fail."""
    from ..assess import to_json

    out = Path(args.output) if args.output else None
    if out is None and args.format == "html":
        out = Path("report")
    messages: list[str] = []
    if out is not None:
        if out.exists() and not out.is_dir():
            raise UsageError(f"`{out}` exists and is not a directory")
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "assessment.json").write_text(to_json(assessment), encoding="utf-8")
            report = _write_report(assessment, run, bundle, out)
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "write")) from None
        messages.append(f"wrote {out / 'assessment.json'}")
        messages.append(f"wrote {report}")
    delivery = _xapi(args, assessment, bundle)
    messages.extend(delivery)
    undelivered = any(m.startswith(("warning:", "error:")) for m in delivery)
    if args.format == "json":
        _write(sys.stdout, to_json(assessment))
    elif args.format == "text":
        from ..assess.text import summary

        _write(sys.stdout, summary(assessment, color=_use_color(args.color, sys.stdout)))
    elif out is not None:
        _write(sys.stdout, f"{report}\n")
    if messages:
        _write(sys.stderr, "\n".join(messages) + "\n")
    # 1 also when xAPI statements were kept in the outbox or refused: the evidence is
    # not in the system of record yet, and a script must not take it as delivered
    return EXIT_OK if assessment.passed and not undelivered else EXIT_DIAGNOSTICS


def _write_report(assessment, run, bundle, out: Path):
    from ..assess.report import write_report

    return write_report(assessment, run, bundle, out)


def _xapi(args: argparse.Namespace, assessment, bundle) -> list[str]:
    from ..assess.xapi_cli import handle_xapi

    return handle_xapi(args, assessment, bundle)
