"""twinlang diagnostics as LSP diagnostics: code, severity, related information, docs link."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ..diagnostics import Diagnostic, Severity
from ..diagnostics.render.sarif import DOCS_URI, doc_anchor
from .analysis import Analysis
from .positions import LineIndex

SOURCE = "twinlang"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}


def doc_link(diag: Diagnostic) -> str:
    """The code's entry in docs/diagnostics.md (the link the SARIF report gives too)."""
    return f"{DOCS_URI}#{doc_anchor(diag.code, diag.name)}"


class Locator:
    """Turns spans of any module the analysis read into LSP locations."""

    def __init__(self, analysis: Analysis, own: LineIndex, encoding: str) -> None:
        self.analysis = analysis
        self.encoding = encoding
        self._indexes: dict[str, LineIndex] = {analysis.display: own}

    def index(self, display: str) -> LineIndex:
        if display not in self._indexes:
            self._indexes[display] = LineIndex(self.analysis.sources.get(display, ""),
                                               self.encoding)
        return self._indexes[display]

    def uri(self, display: str) -> str | None:
        mod = self.analysis.modules.get(display)
        if mod is not None:
            return mod.path.as_uri()
        path = Path(display)
        return path.resolve().as_uri() if path.is_file() else None

    def location(self, span) -> types.Location | None:
        uri = self.uri(span.file)
        if uri is None:
            return None
        return types.Location(uri=uri, range=self.index(span.file).range(span))


def to_lsp(diag: Diagnostic, locator: Locator) -> types.Diagnostic:
    own = locator.index(locator.analysis.display)
    message = diag.message
    if diag.notes:
        message += "".join(f"\nnote: {n}" for n in diag.notes)
    if diag.help:
        message += f"\nhelp: {diag.help}"
    related = []
    for label in diag.labels:
        loc = locator.location(label.span)
        if loc is not None:
            related.append(types.DiagnosticRelatedInformation(
                location=loc, message=label.message or "related"))
    tags = [types.DiagnosticTag.Unnecessary] if diag.code == "TW0207" else None
    return types.Diagnostic(
        range=own.range(diag.span),
        message=message,
        severity=_SEVERITY[diag.severity],
        code=diag.code,
        code_description=types.CodeDescription(href=doc_link(diag)),
        source=SOURCE,
        related_information=related or None,
        tags=tags,
        data={"name": diag.name},
    )
