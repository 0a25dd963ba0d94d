"""The catalogue of diagnostic codes.

Each stage declares its codes with :func:`define` in its own ``codes`` module; the
catalogue here is the one place that knows them all (for ``twinlang explain``, the SARIF
rule table and ``docs/diagnostics.md``).  Codes are grouped by stage:

* ``TW00xx`` reading the source (size, encoding, nesting limits)
* ``TW01xx`` syntax
* ``TW02xx`` modules and names
* ``TW03xx`` equipment kinds, parameters and units
* ``TW04xx`` procedures, roles, faults and competencies
* ``TW05xx`` and above: the step graph and its rule packs
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .model import Diagnostic, Label, Severity, Span


@dataclass(frozen=True)
class CodeInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    explain: str
    stage: str


_CATALOGUE: dict[str, CodeInfo] = {}
_BY_NAME: dict[str, str] = {}

# Modules that declare codes; imported on demand by :func:`catalogue`.
CODE_MODULES = (
    "twinlang.syntax.codes",
    "twinlang.semantics.codes",
    "twinlang.graph.codes",
    "twinlang.graph.rules.catalogue",
)

#: The note that reports each `allow` (declared with the graph's codes).
RULE_ALLOWED_CODE = "TW0500"


def define(code: str, name: str, severity: str, summary: str, explain: str, stage: str) -> CodeInfo:
    if code in _CATALOGUE:
        raise ValueError(f"diagnostic code {code} defined twice")
    if name in _BY_NAME:
        raise ValueError(f"diagnostic name {name} defined twice")
    info = CodeInfo(code, name, Severity(severity), summary, _dedent(explain), stage)
    _CATALOGUE[code] = info
    _BY_NAME[name] = code
    return info


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip() + "\n"


def _load_all() -> None:
    for mod in CODE_MODULES:
        importlib.import_module(mod)


def catalogue() -> dict[str, CodeInfo]:
    """Every known code, sorted by code."""
    _load_all()
    return dict(sorted(_CATALOGUE.items()))


def lookup(code_or_name: str) -> CodeInfo | None:
    _load_all()
    key = code_or_name.strip()
    if key.upper() in _CATALOGUE:
        return _CATALOGUE[key.upper()]
    if key.lower() in _BY_NAME:
        return _CATALOGUE[_BY_NAME[key.lower()]]
    return None


def make(
    info: CodeInfo,
    message: str,
    span: Span | None,
    *,
    labels: tuple[Label, ...] | list[Label] = (),
    notes: tuple[str, ...] | list[str] = (),
    help: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic for a catalogued code."""
    return Diagnostic(
        code=info.code,
        name=info.name,
        severity=severity or info.severity,
        message=message,
        span=span,
        labels=tuple(labels),
        notes=tuple(notes),
        help=help,
    )
