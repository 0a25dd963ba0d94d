"""The first half of `run` and `test`: find the sources, check and compile them.

Not a verb (the name starts with `_`, so `twinlang.cli.command_modules` skips it).
"""

from __future__ import annotations

from pathlib import Path

from ..cli import UsageError, _emit, _error, _os_error_text, _report_text


def compile_sources(paths_given: list[str], out: Path, *, color: bool, verb: str,
                    done: str) -> list[Path] | None:
    """Compile the scenario files under ``paths_given`` into ``out``.

    Prints the diagnostics; returns the bundle directories, or None when the check found
    errors (after saying that nothing was ``done``: "run", "tested").  Usage and I/O
    problems, and sources with no scenario to ``verb``, raise `UsageError`."""
    from .. import paths
    from ..compile import CompileError, compile_files

    try:
        files = paths.find_sources(paths_given)
    except paths.SourcePathError as exc:
        raise UsageError(str(exc)) from None
    if out.exists() and not out.is_dir():
        raise UsageError(f"`{out}` exists and is not a directory")
    try:
        result = compile_files(files, out)
    except CompileError as exc:
        _error(str(exc))
        return None
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write" if exc.filename else "read")) from None
    report = result.report
    if report.diagnostics:
        _emit(_report_text(report.diagnostics, report, "human", color=color, quiet=True), None)
    if report.has_errors:
        _error(f"nothing was {done}: fix the errors above first")
        return None
    if not result.bundles:
        raise UsageError(f"no scenario to {verb}: no file has a `scenario` header")
    return [Path(b) for b in result.bundles]
