"""The pipeline behind the public functions in `twinlang/__init__.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, DiagnosticSink


@dataclass
class CheckReport:
    """What `check` found: diagnostics (sorted), and the text of every source read."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


def display_name(path: Path) -> str:
    """The name a file is reported under: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_files(files: list[Path]) -> CheckReport:
    """Parse and check each file (and the modules it uses); never raises on bad input."""
    from .semantics import check_program

    sink = DiagnosticSink()
    sources: dict[str, str] = {}
    check_program(files, sink, sources)
    return CheckReport(diagnostics=sink.sorted(), sources=sources,
                       files=[display_name(f) for f in files])
