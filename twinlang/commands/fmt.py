"""`twinlang fmt`: rewrite `.twin` files in the canonical layout (or check or diff them).

Exit codes: 0 nothing to do (or everything rewritten), 1 with ``--check`` a file would
change, or a file could not be formatted because it has syntax errors (reported like
`check` does, on standard error), 2 usage or I/O problem.
"""

from __future__ import annotations

import argparse
import sys

from ..cli import (
    EXIT_DIAGNOSTICS,
    EXIT_OK,
    UsageError,
    _os_error_text,
    _use_color,
    _write,
)

STDIN = "-"


def register(verbs) -> None:
    fmt = verbs.add_parser(
        "fmt", help="format .twin files in the canonical layout",
        description="Rewrite .twin files in twinlang's one canonical layout (comments kept). "
        "Directories are searched recursively for *.twin files. `-` formats standard input "
        "to standard output. Files with syntax errors are reported and left alone. Output "
        "uses LF line ends and no byte-order mark.",
        epilog="Exit codes: 0 done (or nothing to change), 1 a file would change (--check) or "
        "has syntax errors, 2 usage or I/O problem.",
    )
    fmt.add_argument("paths", nargs="+", metavar="PATH",
                     help="a .twin file, a directory, or - for standard input")
    fmt.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if any file would be reformatted")
    fmt.add_argument("--diff", action="store_true",
                     help="write nothing; print a unified diff of the changes")
    fmt.add_argument("-q", "--quiet", action="store_true",
                     help="print only errors (no per-file lines, no summary)")
    fmt.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the diagnostics of files that cannot be formatted")
    fmt.set_defaults(command="fmt", func=cmd_fmt)


def cmd_fmt(args: argparse.Namespace) -> int:
    from .. import paths

    if args.paths.count(STDIN) > 1 or (STDIN in args.paths and len(args.paths) > 1):
        raise UsageError("`-` (standard input) cannot be combined with other paths")
    if args.paths == [STDIN]:
        return _format_stdin(args)
    try:
        files = paths.find_sources(args.paths)
    except paths.SourcePathError as exc:
        raise UsageError(str(exc)) from None
    from ..api import display_name

    changed = unchanged = failed = 0
    for path in files:
        name = display_name(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "read", name)) from None
        result = _format(data, name, args)
        if result is None:
            failed += 1
            continue
        if result.encode("utf-8") == data:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            _write(sys.stdout, _unified_diff(data, result, name))
        if args.check or args.diff:
            if args.check and not args.quiet:
                _write(sys.stderr, f"would reformat {name}\n")
            continue
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as out:
                out.write(result)
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "write", name)) from None
        if not args.quiet:
            _write(sys.stderr, f"reformatted {name}\n")
    if not args.quiet:
        _write(sys.stderr, _summary(changed, unchanged, failed, args.check or args.diff) + "\n")
    if failed or (args.check and changed):
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def _format_stdin(args: argparse.Namespace) -> int:
    stream = getattr(sys.stdin, "buffer", None)
    try:
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "read", "<stdin>")) from None
    result = _format(data, "<stdin>", args)
    if result is None:
        return EXIT_DIAGNOSTICS
    same = result.encode("utf-8") == data
    if args.diff:
        if not same:
            _write(sys.stdout, _unified_diff(data, result, "<stdin>"))
    elif not args.check:
        out = getattr(sys.stdout, "buffer", None)
        if out is not None:
            sys.stdout.flush()
            out.write(result.encode("utf-8"))
            out.flush()
        else:
            sys.stdout.write(result)
    if args.check and not same:
        if not args.quiet:
            _write(sys.stderr, "would reformat <stdin>\n")
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def _format(data: bytes, name: str, args: argparse.Namespace) -> str | None:
    """The formatted text, or None after reporting why the file cannot be formatted."""
    from ..diagnostics.render import render
    from ..fmt import FormatError, format_text
    from ..syntax.source import decode

    source, diags = decode(name, data)
    if source is not None:
        try:
            return format_text(source.text, name=name)
        except FormatError as exc:
            diags = exc.diagnostics
    color = _use_color(args.color, sys.stderr)
    text = render(diags, "human", {name: source.text} if source else {}, color=color)
    _write(sys.stderr, text.rstrip("\n") + "\n")
    _write(sys.stderr, f"error: cannot format {name}: it has "
           f"{_plural(len(diags), 'error')}; fix {'it' if len(diags) == 1 else 'them'} "
           "and run `twinlang fmt` again\n")
    return None


def _unified_diff(data: bytes, result: str, name: str) -> str:
    import difflib

    before = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 result.splitlines(keepends=True),
                                 f"{name}\t(original)", f"{name}\t(formatted)")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    if not text:  # only the BOM or the line ends differ
        text = (f"--- {name}\t(original)\n+++ {name}\t(formatted)\n"
                "# line ends or byte-order mark only: the output uses LF and no BOM\n")
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(changed: int, unchanged: int, failed: int, dry: bool) -> str:
    parts = []
    if changed:
        parts.append(f"{_plural(changed, 'file')} {'would be ' if dry else ''}reformatted")
    if unchanged:
        parts.append(f"{_plural(unchanged, 'file')} {'would be ' if dry else ''}left unchanged")
    if failed:
        parts.append(f"{_plural(failed, 'file')} could not be formatted")
    return ", ".join(parts) or "no files"
