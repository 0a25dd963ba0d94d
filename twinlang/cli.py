"""The `twinlang` command: one small function per verb.

The work is done by `twinlang.api` and the renderers in `twinlang.diagnostics.render`;
this module only reads arguments, picks streams and colours, and maps results to exit
codes.  Imports of anything beyond the standard library are deferred into the verbs, so
`twinlang --version` and `twinlang explain` start fast and `twinlang check` never loads
the player's dependencies.

Exit codes: 0 no errors (warnings allowed), 1 at least one error-level diagnostic,
2 usage or I/O problem (or an internal error), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ._version import __version__

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

FORMATS = ("human", "json", "sarif", "github")


class UsageError(Exception):
    """A problem with the command line or the files it names; exits 2."""


# ------------------------------------------------------------------ entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    try:
        return _run(argv)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except SystemExit as exc:  # argparse: --help exits 0, a usage error exits 2
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exception as exc:  # never show a traceback to the user
        _internal_error(exc)
        return EXIT_USAGE


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        return cmd_version(args)
    if args.command is None:
        parser.print_usage(sys.stderr)
        _error("a command is required: "
               + ", ".join(f"`{name}`" for name in _verb_names(parser)))
        return EXIT_USAGE
    return args.func(args)


def _verb_names(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._subparsers._group_actions:  # argparse keeps sub-parsers here
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twinlang",
        description="Check digital-twin training scenarios for high-risk industrial work.",
        epilog="Exit codes: 0 no errors, 1 errors found, 2 usage or I/O problem.",
    )
    parser.add_argument("--version", action="store_true",
                        help="print the version of twinlang and of what it runs on")
    parser.set_defaults(command=None)
    verbs = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = verbs.add_parser(
        "check", help="check .twin files and report problems",
        description="Parse and check scenario files. Directories are searched recursively "
        "for *.twin files (hidden directories and virtual environments are skipped).",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="a .twin file or a directory")
    check.add_argument("--format", choices=FORMATS, default="human",
                       help="output format (default: human)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="report errors only; print nothing when there are none")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour human output (default: auto, i.e. on a terminal unless "
                       "NO_COLOR is set)")
    check.add_argument("-o", "--output", metavar="FILE",
                       help="write the report to FILE instead of standard output")
    check.set_defaults(command="check", func=cmd_check)

    explain = verbs.add_parser(
        "explain", help="explain a diagnostic code",
        description="Print the long explanation of a diagnostic code such as TW0100.",
    )
    explain.add_argument("code", nargs="?", metavar="CODE",
                         help="a code (TW0100) or its name (syntax-error)")
    explain.add_argument("--list", action="store_true", help="list every diagnostic code")
    explain.set_defaults(command="explain", func=cmd_explain)

    graph = verbs.add_parser(
        "graph", help="export the step graph of a procedure",
        description="Check a .twin file and export the step graph of one of its procedures "
        "as JSON (networkx node-link), Graphviz DOT, Mermaid or SVG (needs Graphviz).",
    )
    graph.add_argument("file", metavar="FILE", help="a .twin file")
    graph.add_argument("--procedure", metavar="NAME",
                       help="the procedure to export (needed when the file has several)")
    graph.add_argument("--format", choices=("json", "dot", "mermaid", "svg"), required=True,
                       help="the export format")
    graph.add_argument("-o", "--output", metavar="FILE",
                       help="write the graph to FILE instead of standard output")
    graph.set_defaults(command="graph", func=cmd_graph)

    comp = verbs.add_parser(
        "compile", help="compile scenarios into bundles players can load",
        description="Check scenario files and write one bundle directory per scenario "
        "(scenario.json, URDF equipment, rubric, SOP, xAPI profile) into OUT. Nothing is "
        "written when the check finds errors.",
    )
    comp.add_argument("paths", nargs="+", metavar="PATH", help="a .twin file or a directory")
    comp.add_argument("-o", "--output", metavar="OUT", required=True,
                      help="the directory to write the bundles into")
    comp.add_argument("--format", choices=FORMATS, default="human",
                      help="format of the diagnostics (default: human)")
    comp.add_argument("-q", "--quiet", action="store_true",
                      help="print errors only and no list of bundles")
    comp.set_defaults(command="compile", func=cmd_compile)

    schema = verbs.add_parser(
        "schema", help="print the JSON Schema of the bundle format",
        description="Print the JSON Schema of scenario.json (format twinlang.scenario/1).",
    )
    schema.add_argument("-o", "--output", metavar="FILE",
                        help="write the schema to FILE instead of standard output")
    schema.set_defaults(command="schema", func=cmd_schema)

    play = verbs.add_parser(
        "play", help="play a compiled scenario (expert policy or a trace)",
        description="Run a procedure of a compiled bundle headless, with the built-in expert "
        "policy or the timed actions of a trace file, and write the event log.",
    )
    play.add_argument("bundle", metavar="BUNDLE", help="a bundle directory (from `compile`)")
    who = play.add_mutually_exclusive_group()
    who.add_argument("--trace", metavar="FILE", help="a trace of timed actions (JSON Lines)")
    who.add_argument("--expert", action="store_true",
                     help="let the expert policy perform a correct path (the default)")
    play.add_argument("--procedure", metavar="NAME", help="the procedure to play")
    play.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    play.add_argument("--log", metavar="OUT.jsonl", help="write the event log to this file")
    play.add_argument("--gui", action="store_true",
                      help="show the scene in a PyBullet window (headless without a display)")
    play.add_argument("--speed", type=float, default=1.0, metavar="X",
                      help="with --gui, run at X times real time (default 1)")
    play.add_argument("--snapshot", metavar="PNG", help="write a picture of the scene at the end")
    play.add_argument("--sample-every", type=float, metavar="SECONDS",
                      help="also log every equipment state this often (simulated seconds)")
    play.set_defaults(command="play", func=cmd_play)
    for module in command_modules():
        module.register(verbs)
    return parser


def command_modules() -> list:
    """The verbs defined outside this module: every module of `twinlang.commands`.

    Each module has ``register(verbs)``, which adds its sub-parser(s) and sets
    ``command`` and ``func`` on them; it must import nothing heavy at module level.
    Modules are taken in name order, so ``--help`` is the same on every machine.
    """
    import importlib
    import pkgutil

    from . import commands

    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__)
                   if not m.name.startswith("_"))
    return [importlib.import_module(f"{commands.__name__}.{name}") for name in names]


# ------------------------------------------------------------------ verbs


def cmd_version(args: argparse.Namespace) -> int:
    from importlib import metadata

    from . import paths

    try:
        lark_version = metadata.version("lark")
    except metadata.PackageNotFoundError:
        lark_version = "not installed"
    python = ".".join(str(n) for n in sys.version_info[:3])
    _write(sys.stdout, f"twinlang {__version__}\npython {python}, lark {lark_version}\n")
    try:
        grammar, stdlib = paths.grammar_dir(), paths.stdlib_dir()
    except FileNotFoundError as exc:
        _error(str(exc))
        return EXIT_USAGE
    _write(sys.stdout, f"data: {paths.layout()} (grammar: {grammar}, stdlib: {stdlib})\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from . import paths

    try:
        files = paths.find_sources(args.paths)
    except paths.SourcePathError as exc:
        raise UsageError(str(exc)) from None

    from .api import check_files

    try:
        report = check_files(files)
    except OSError as exc:  # a file vanished or changed between listing and reading
        raise UsageError(_os_error_text(exc)) from None

    shown = report.diagnostics
    if args.quiet:
        shown = [d for d in shown if d.severity.value == "error"]
    to_file = args.output not in (None, "-")
    color = args.format == "human" and _use_color(args.color, None if to_file else sys.stdout)
    text = _report_text(shown, report, args.format, color=color, quiet=args.quiet)
    if text or to_file:
        _emit(text, args.output if to_file else None)
    return EXIT_DIAGNOSTICS if report.has_errors else EXIT_OK


def _report_text(shown, report, fmt: str, *, color: bool, quiet: bool) -> str:
    """The rendered report; the human format ends with the summary line (unless quiet and clean)."""
    from .diagnostics.render import render
    from .diagnostics.render.human import summary_line

    text = render(shown, fmt, report.sources, color=color, tool_version=__version__)
    if fmt == "human":
        text = text.rstrip("\n")
        if shown or not quiet:
            summary = summary_line(shown, len(report.files), color=color)
            text = f"{text}\n\n{summary}" if text else summary
    return text if not text or text.endswith("\n") else text + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    from .diagnostics.explain import closest_codes, explain_text

    if args.list:
        from .diagnostics import catalogue

        lines = [f"{c.code}  {c.name:<28} {c.summary}" for c in catalogue().values()]
        _write(sys.stdout, "\n".join(lines) + "\n")
        return EXIT_OK
    if not args.code:
        raise UsageError("give a diagnostic code such as `TW0100`, or `--list` to see them all")
    text = explain_text(args.code)
    if text is None:
        _error(f"unknown diagnostic code `{args.code}`")
        near = closest_codes(args.code)
        if near:
            quoted = [f"`{c}`" for c in near]
            choices = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1
                                  else quoted)
            _help(f"did you mean {choices}?")
        else:
            _help("run `twinlang explain --list` to see every code")
        return EXIT_USAGE
    _write(sys.stdout, text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .graph import export

    if Path(args.file).is_dir():
        raise UsageError(f"`{args.file}` is a directory; `graph` takes one .twin file")
    from . import paths

    try:
        (path,) = paths.find_sources([args.file])
        report, sg = export.graph_of_file(path, args.procedure)
        data = export.render(sg, args.format) if sg is not None else None
    except paths.SourcePathError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(_os_error_text(exc)) from None
    except export.GraphError as exc:
        _error(str(exc))
        if exc.help:
            _help(exc.help)
        return EXIT_USAGE
    if data is None:  # the file has errors: show them, draw nothing
        color = _use_color("auto", sys.stderr)
        _write(sys.stderr, _report_text(report.diagnostics, report, "human", color=color,
                                        quiet=False))
        return EXIT_DIAGNOSTICS
    out = args.output if args.output not in (None, "-") else None
    try:
        export.write_output(data, out)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write", out or "<stdout>")) from None
    return EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import paths

    try:
        files = paths.find_sources(args.paths)
    except paths.SourcePathError as exc:
        raise UsageError(str(exc)) from None
    from .compile import CompileError, compile_files

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise UsageError(f"`{out}` exists and is not a directory")
    try:
        result = compile_files(files, out)
    except CompileError as exc:
        _error(str(exc))
        return EXIT_DIAGNOSTICS
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write" if exc.filename else "read")) from None
    report = result.report
    shown = report.diagnostics
    if args.quiet:
        shown = [d for d in shown if d.severity.value == "error"]
    color = args.format == "human" and _use_color("auto", sys.stdout)
    text = _report_text(shown, report, args.format, color=color, quiet=True) if shown else ""
    if report.has_errors:
        if text:
            _emit(text, None)
        _error("nothing was compiled: fix the errors above first")
        return EXIT_DIAGNOSTICS
    if text:
        _emit(text, None)
    if not args.quiet and args.format == "human":
        lines = [f"wrote {p}" for p in result.bundles] or ["no scenario to compile (no file has "
                                                          "a `scenario` header)"]
        _write(sys.stderr, "\n".join(lines) + "\n")
    return EXIT_OK


def cmd_play(args: argparse.Namespace) -> int:
    from .bundle import BundleError, load
    from .player.runner import play
    from .player.trace import TraceError, load_trace

    if args.sample_every is not None and not args.sample_every > 0:
        raise UsageError("`--sample-every` needs a time in seconds greater than 0")
    try:
        trace = load_trace(args.trace, load(args.bundle)) if args.trace else None
        result = play(args.bundle, trace=trace, seed=args.seed, log_path=args.log,
                      procedure=args.procedure, gui=args.gui, speed=args.speed,
                      snapshot=args.snapshot, sample_every=args.sample_every)
    except (BundleError, TraceError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write")) from None
    counts: dict[str, int] = {}
    for e in result.events:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    lines = [f"{result.outcome} after {result.time:.1f} s of simulated time"
             + (f": {result.reason}" if result.reason else "")]
    for kind, label in (("step_completed", "steps completed"), ("step_skipped", "steps skipped"),
                        ("expectation_failed", "expectations failed"),
                        ("wrong_role", "steps by the wrong role"), ("critical", "critical events"),
                        ("alarm", "alarms")):
        if counts.get(kind):
            lines.append(f"  {counts[kind]} {label}")
    if args.log:
        lines.append(f"event log: {args.log}")
    _write(sys.stdout, "\n".join(lines) + "\n")
    return EXIT_OK if result.outcome == "completed" and not counts.get("critical") else \
        EXIT_DIAGNOSTICS


def cmd_schema(args: argparse.Namespace) -> int:
    from .bundle import schema_text

    out = args.output if args.output not in (None, "-") else None
    _emit(schema_text(), out)
    return EXIT_OK


# ------------------------------------------------------------------ helpers


def _use_color(choice: str, stream: TextIO | None) -> bool:
    if choice != "auto":
        return choice == "always"
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _emit(text: str, path: str | None) -> None:
    """Write the report to standard output, or to the file ``path``."""
    try:
        if path is None:
            _write(sys.stdout, text)
            return
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            _write(out, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write", path or "<stdout>")) from None


def _os_error_text(exc: OSError, verb: str = "read", name: str | None = None) -> str:
    reason = (exc.strerror or str(exc) or type(exc).__name__).lower()
    name = name if name is not None else exc.filename
    if name is not None:
        return f"cannot {verb} `{name}`: {reason}"
    return f"cannot {verb} a file: {reason}"


def _write(stream: TextIO, text: str) -> None:
    """Write all of ``text``; characters the stream's encoding lacks become escapes.

    Bytes go to the binary buffer in a loop: an unbuffered stdout (``PYTHONUNBUFFERED``)
    may accept part of a write, and a text stream would drop the rest silently instead of
    reporting the closed pipe.
    """
    encoding = getattr(stream, "encoding", None) or "utf-8"
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
        return
    stream.flush()
    data = memoryview(text.encode(encoding, "backslashreplace"))
    while data:
        written = buffer.write(data)
        data = data[written or 0:]
    buffer.flush()


def _error(message: str) -> None:
    _write(sys.stderr, f"error: {message}\n")


def _help(message: str) -> None:
    _write(sys.stderr, f"help: {message}\n")


def _internal_error(exc: BaseException) -> None:
    summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    try:
        _error(f"internal error: {summary}")
        _write(sys.stderr, "note: this is a bug in twinlang, not in your scenario; please "
               "report this with the command you ran and the files it read\n")
        if os.environ.get("TWINLANG_TRACEBACK"):
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
        else:
            _help("set TWINLANG_TRACEBACK=1 to include the traceback in the report")
    except OSError:
        pass


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
