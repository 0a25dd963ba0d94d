"""The sarif format: a SARIF 2.1.0 log for code-scanning services and IDEs.

One run; ``tool.driver.rules`` holds one rule per code that occurs (sorted by code) with
its summary, its long explanation and its default level from the code catalogue; each
result points at its rule by ``ruleId`` and ``ruleIndex``.

* Locations use the display name of the file as a relative URI reference (forward slashes,
  percent-encoded); an absolute path becomes a ``file://`` URI.
* ``columnKind`` is ``unicodeCodePoints``: regions use the same 1-based, end-exclusive
  code-point columns as :class:`Span`.
* ``message.text`` is the message, then each note (``note: ...``) and the help
  (``help: ...``) on lines of their own.  Labels become ``relatedLocations``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ..codes import lookup
from ..model import Diagnostic, Severity, Span

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/twinlang/twinlang"
DOCS_URI = f"{INFORMATION_URI}/blob/main/docs/diagnostics.md"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
# Characters kept as they are in a URI path (RFC 3986 pchar minus ":", plus "/").
_SAFE = "/-._~!$&'()*+,;=@"
_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_uri(name: str) -> str:
    """The URI reference for display file name ``name``."""
    path = name.replace("\\", "/")
    if _DRIVE.match(path):
        return "file:///" + path[:2] + quote(path[2:], safe=_SAFE)
    if path.startswith("/"):
        return "file://" + quote(path, safe=_SAFE)
    return quote(path, safe=_SAFE)


def doc_anchor(code: str, name: str) -> str:
    """The anchor of a code's heading in docs/diagnostics.md (as GitHub makes it)."""
    return f"{code.lower()}-{name}"


def _rule(diag: Diagnostic) -> dict[str, Any]:
    info = lookup(diag.code)
    if info is None:  # an uncatalogued code: still a valid rule, just without prose
        return {"id": diag.code, "name": diag.name,
                "defaultConfiguration": {"level": _LEVEL[diag.severity]}}
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.explain.strip()},
        "help": {"text": info.explain.strip(), "markdown": info.explain.strip()},
        "helpUri": f"{DOCS_URI}#{doc_anchor(info.code, info.name)}",
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
    }


def _physical(span: Span) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": artifact_uri(span.file)},
        "region": {
            "startLine": max(span.line, 1),
            "startColumn": max(span.column, 1),
            "endLine": max(span.end_line, span.line, 1),
            "endColumn": max(span.end_column, 1),
        },
    }


def _message(diag: Diagnostic) -> str:
    lines = [diag.message]
    lines += [f"note: {n}" for n in diag.notes]
    if diag.help:
        lines.append(f"help: {diag.help}")
    return "\n".join(lines)


def _result(diag: Diagnostic, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[diag.severity],
        "message": {"text": _message(diag)},
    }
    if diag.span is not None:
        result["locations"] = [{"physicalLocation": _physical(diag.span)}]
    if diag.labels:
        related = []
        for i, lab in enumerate(diag.labels):
            loc: dict[str, Any] = {"id": i, "physicalLocation": _physical(lab.span)}
            if lab.message:
                loc["message"] = {"text": lab.message}
            related.append(loc)
        result["relatedLocations"] = related
    return result


def sarif_log(diagnostics: Sequence[Diagnostic], tool_version: str) -> dict[str, Any]:
    """The SARIF log as plain data."""
    codes = sorted({d.code for d in diagnostics})
    first = {}
    for d in diagnostics:
        first.setdefault(d.code, d)
    rules = [_rule(first[c]) for c in codes]
    index = {c: i for i, c in enumerate(codes)}
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "twinlang",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(d, index[d.code]) for d in diagnostics],
        }],
    }


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    *,
    color: bool = False,
    tool_version: str = "",
) -> str:
    """The SARIF 2.1.0 log for ``diagnostics`` as UTF-8 JSON text."""
    log = sarif_log(diagnostics, tool_version)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
