"""The json format: one stable, versioned document for tools that read diagnostics.

::

    {
      "diagnostics": [
        {
          "code": "TW0108",
          "column": 40,
          "end_column": 41,
          "end_line": 14,
          "file": "examples/loto.twin",
          "help": "write `==` (or `<`, `<=`, `>`, `>=`, `!=`)",
          "labels": [
            {"column": 3, "end_column": 7, "end_line": 14, "file": "examples/loto.twin",
             "line": 14, "message": "in this step"}
          ],
          "line": 14,
          "message": "conditions compare with `==`; a single `=` only sets a parameter",
          "name": "single-equals-in-condition",
          "notes": [],
          "severity": "error"
        }
      ],
      "summary": {"errors": 1, "notes": 0, "total": 1, "warnings": 0},
      "version": 1
    }

* ``version`` is the version of this document format (:data:`FORMAT_VERSION`); it changes
  only when a field is removed or changes meaning.  New fields may appear at any time.
* Positions are 1-based; columns count Unicode code points and ``end_column`` is
  exclusive.  ``file`` is the display name (as in the human format).  A diagnostic about a
  whole file or about no file has ``file``, ``line``, ``column``, ``end_line`` and
  ``end_column`` set to ``null``.
* ``severity`` is ``error``, ``warning`` or ``note``; ``help`` is ``null`` when absent.
* Keys are sorted, the text is UTF-8 (not ``\\u``-escaped), indented by two spaces, and
  ends with a new line, so the same diagnostics always give the same bytes.

:data:`JSON_SCHEMA` describes the document (JSON Schema draft 2020-12).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Diagnostic, Severity, Span

FORMAT_VERSION = 1


def _position(span: Span | None) -> dict[str, Any]:
    if span is None:
        return {"file": None, "line": None, "column": None, "end_line": None, "end_column": None}
    return {"file": span.file, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def diagnostic_to_dict(diag: Diagnostic) -> dict[str, Any]:
    """One diagnostic as the plain data of the json format."""
    return {
        "code": diag.code,
        "name": diag.name,
        "severity": diag.severity.value,
        "message": diag.message,
        **_position(diag.span),
        "labels": [{**_position(lab.span), "message": lab.message} for lab in diag.labels],
        "notes": list(diag.notes),
        "help": diag.help,
    }


def summary(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    counts = {sev: sum(1 for d in diagnostics if d.severity is sev) for sev in Severity}
    return {"errors": counts[Severity.ERROR], "warnings": counts[Severity.WARNING],
            "notes": counts[Severity.NOTE], "total": len(diagnostics)}


def render_json(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    *,
    color: bool = False,
    tool_version: str = "",
) -> str:
    """The json document for ``diagnostics`` (``sources`` and ``color`` are not used)."""
    doc = {
        "version": FORMAT_VERSION,
        "diagnostics": [diagnostic_to_dict(d) for d in diagnostics],
        "summary": summary(diagnostics),
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_POSITION_SCHEMA = {
    "file": {"type": ["string", "null"]},
    "line": {"type": ["integer", "null"], "minimum": 1},
    "column": {"type": ["integer", "null"], "minimum": 1},
    "end_line": {"type": ["integer", "null"], "minimum": 1},
    "end_column": {"type": ["integer", "null"], "minimum": 1},
}

#: A JSON Schema of the document :func:`render_json` writes.
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "twinlang diagnostics",
    "type": "object",
    "required": ["version", "diagnostics", "summary"],
    "properties": {
        "version": {"const": FORMAT_VERSION},
        "diagnostics": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "severity", "message", *_POSITION_SCHEMA,
                             "labels", "notes", "help"],
                "properties": {
                    "code": {"type": "string", "pattern": "^TW[0-9]{4}$"},
                    "name": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                    "severity": {"enum": [s.value for s in Severity]},
                    "message": {"type": "string"},
                    **_POSITION_SCHEMA,
                    "labels": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [*_POSITION_SCHEMA, "message"],
                            "properties": {**_POSITION_SCHEMA, "message": {"type": "string"}},
                        },
                    },
                    "notes": {"type": "array", "items": {"type": "string"}},
                    "help": {"type": ["string", "null"]},
                },
            },
        },
        "summary": {
            "type": "object",
            "required": ["errors", "warnings", "notes", "total"],
            "properties": {k: {"type": "integer", "minimum": 0}
                           for k in ("errors", "warnings", "notes", "total")},
        },
    },
}
