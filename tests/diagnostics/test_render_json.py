"""The json format: shape, schema, determinism."""

from __future__ import annotations

import json

import jsonschema

from twinlang.diagnostics.render import render
from twinlang.diagnostics.render.json_format import FORMAT_VERSION, JSON_SCHEMA

from .cases import CASES, all_cases


def _doc(diags, sources=None):
    return json.loads(render(diags, "json", sources or {}))


def test_document_matches_its_schema():
    jsonschema.Draft202012Validator.check_schema(JSON_SCHEMA)
    validator = jsonschema.Draft202012Validator(JSON_SCHEMA)
    for build in CASES.values():
        validator.validate(_doc(build()[0]))
    validator.validate(_doc([]))


def test_fields_of_a_diagnostic():
    diags, sources = CASES["single_line"]()
    doc = _doc(diags, sources)
    assert doc["version"] == FORMAT_VERSION == 1
    assert doc["summary"] == {"errors": 1, "warnings": 0, "notes": 0, "total": 1}
    (d,) = doc["diagnostics"]
    assert d == {
        "code": "TW0107",
        "name": "missing-equals",
        "severity": "error",
        "message": "a parameter needs `=` between its name and its value",
        "file": "examples/loto.twin",
        "line": 7, "column": 3, "end_line": 7, "end_column": 7,
        "labels": [{"file": "examples/loto.twin", "line": 7, "column": 3, "end_line": 7,
                    "end_column": 7, "message": "`=` expected after this name"}],
        "notes": ["parameters of `GateValve` are set with `NAME = VALUE`;\n"
                  "each on its own line or separated by `;`"],
        "help": "write it as `NAME = VALUE`, for example `size = 2 in`",
    }


def test_no_span_gives_null_position():
    doc = _doc(CASES["no_span"]()[0])
    d = doc["diagnostics"][0]
    assert [d[k] for k in ("file", "line", "column", "end_line", "end_column")] == [None] * 5


def test_summary_counts_severities():
    doc = _doc(CASES["severities"]()[0])
    assert doc["summary"] == {"errors": 1, "warnings": 1, "notes": 1, "total": 3}
    assert [d["severity"] for d in doc["diagnostics"]] == ["error", "warning", "note"]


def test_text_is_sorted_utf8_and_ends_with_newline():
    diags, sources = all_cases()
    text = render(diags, "json", sources)
    assert text.endswith("}\n")
    assert "作業者" not in text  # messages only: the wide-character source is not copied
    assert "“" in text and "\\u201c" not in text  # non-ASCII is written as UTF-8
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert all(list(d) == sorted(d) for d in doc["diagnostics"])
    assert json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text


def test_empty():
    assert _doc([]) == {"version": 1, "diagnostics": [],
                        "summary": {"errors": 0, "warnings": 0, "notes": 0, "total": 0}}
