"""Diagnostics: the model, the code catalogue and the renderers."""

from .codes import CodeInfo, catalogue, define, lookup, make
from .model import Diagnostic, DiagnosticSink, Label, Severity, Span

__all__ = [
    "CodeInfo",
    "Diagnostic",
    "DiagnosticSink",
    "Label",
    "Severity",
    "Span",
    "catalogue",
    "define",
    "lookup",
    "make",
]
