"""The diagnostic data model shared by every stage.

A diagnostic is data: stages append them to a :class:`DiagnosticSink` and keep going;
renderers (``twinlang.diagnostics.render``) turn a list of them into text, JSON, SARIF or
GitHub workflow commands.  Nothing here knows how it will be displayed.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "note": 0}[self.value]


class Span(BaseModel):
    """A region of one source file.

    ``line``/``column`` are 1-based and count Unicode code points; ``end_column`` is the
    column just after the last character (exclusive), as in Lark and SARIF.  ``start`` and
    ``end`` are 0-based code-point offsets into the decoded source text.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    start: int = 0
    end: int = 0
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.file}:{self.line}:{self.column}"


class Label(BaseModel):
    """A secondary span with a short message, shown under the source line."""

    model_config = ConfigDict(frozen=True)

    span: Span
    message: str = ""


class Diagnostic(BaseModel):
    """One problem found in a scenario source.

    ``code`` is stable (``TW0203``), ``name`` is its kebab-case name
    (``unknown-equipment``).  ``message`` is lowercase, without a trailing period, and
    stands on its own; ``help`` is the only place that says how to fix it.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    severity: Severity
    message: str
    span: Span | None = None
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None

    @property
    def sort_key(self) -> tuple:
        s = self.span
        if s is None:
            return ("", 0, 0, self.code, self.message)
        return (s.file, s.start, s.end, self.code, self.message)


class DiagnosticSink:
    """Collects diagnostics from every stage; de-duplicates and sorts on read."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[tuple] = set()

    def add(self, diag: Diagnostic) -> None:
        key = (diag.code, diag.message, diag.sort_key)
        if key in self._seen:
            return
        self._seen.add(key)
        self._items.append(diag)

    def extend(self, diags) -> None:
        for d in diags:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self._items if d.severity is severity)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self._items, key=lambda d: d.sort_key)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self.sorted())
