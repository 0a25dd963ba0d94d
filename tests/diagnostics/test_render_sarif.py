"""The sarif format, validated against the official SARIF 2.1.0 schema.

The schema is read from ``<repo>/../shared/schemas/sarif-schema-2.1.0.json`` or from the
file named by the environment variable ``TWINLANG_SARIF_SCHEMA``; without it the schema
tests are skipped (the structural tests still run).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from twinlang.diagnostics import Label, Span, catalogue, make
from twinlang.diagnostics.render import render
from twinlang.diagnostics.render.sarif import artifact_uri

from .cases import CASES, all_cases, code

REPO = Path(__file__).resolve().parents[2]
SCHEMA_NAME = "sarif-schema-2.1.0.json"


def _schema_path() -> Path | None:
    env = os.environ.get("TWINLANG_SARIF_SCHEMA")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "schemas" / SCHEMA_NAME)
    return next((p for p in candidates if p.is_file()), None)


@pytest.fixture(scope="module")
def validator():
    path = _schema_path()
    if path is None:
        pytest.skip(f"SARIF schema not found: put {SCHEMA_NAME} in ../shared/schemas/ "
                    "next to the repository or set TWINLANG_SARIF_SCHEMA to its path")
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _log(diags, sources=None):
    return json.loads(render(diags, "sarif", sources or {}, tool_version="1.2.3"))


def _inputs():
    yield "empty", [], {}
    for name, build in sorted(CASES.items()):
        yield name, *build()
    yield "all", *all_cases()
    span = Span(file="dir with space/ü#1?.twin", line=2, column=1, end_line=2, end_column=4)
    yield "unicode", [make(code("unexpected-character"), "unexpected `“` in “Überdruck”",
                           span, labels=[Label(span=span)], notes=["ä", "ö"])], {}


@pytest.mark.parametrize(("name", "diags", "sources"), list(_inputs()),
                         ids=[i[0] for i in _inputs()])
def test_valid_against_official_schema(validator, name, diags, sources):
    log = _log(diags, sources)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_run_shape():
    diags, sources = all_cases()
    log = _log(diags, sources)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "twinlang"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/twinlang/twinlang"
    assert run["columnKind"] == "unicodeCodePoints"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == sorted({d.code for d in diags})
    assert len(run["results"]) == len(diags)
    for result, diag in zip(run["results"], diags, strict=True):
        assert result["ruleId"] == diag.code
        assert driver["rules"][result["ruleIndex"]]["id"] == diag.code
        assert result["level"] == diag.severity.value


def test_rules_come_from_the_catalogue():
    diags, _ = CASES["single_line"]()
    (rule,) = _log(diags)["runs"][0]["tool"]["driver"]["rules"]
    info = catalogue()["TW0107"]
    assert rule["id"] == "TW0107" and rule["name"] == "missing-equals"
    assert rule["shortDescription"]["text"] == info.summary
    assert rule["fullDescription"]["text"] == info.explain.strip()
    assert rule["help"]["text"] == info.explain.strip()
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["helpUri"].endswith("/docs/diagnostics.md#tw0107-missing-equals")


def test_result_message_location_and_related_locations():
    diags, sources = CASES["labels_same_line"]()
    (result,) = _log(diags, sources)["runs"][0]["results"]
    assert result["message"]["text"] == (
        "two statements on one line need `;` between them\n"
        "help: put each statement on its own line, or separate them with `;`")
    (loc,) = result["locations"]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "examples/loto.twin"},
        "region": {"startLine": 10, "startColumn": 48, "endLine": 10, "endColumn": 58},
    }
    related = result["relatedLocations"]
    assert [r["id"] for r in related] == [0, 1, 2]
    assert related[2]["message"]["text"] == "in this block"
    assert related[2]["physicalLocation"]["region"]["startColumn"] == 25


def test_notes_in_message_and_no_span_without_locations():
    diags, _ = CASES["no_span"]()
    (result,) = _log(diags)["runs"][0]["results"]
    assert "locations" not in result
    assert result["message"]["text"].split("\n")[1:] == [
        "note: the limit keeps editors and CI responsive",
        "help: split the scenario into modules joined with `use`"]


def test_uncatalogued_code_still_gets_a_rule():
    diags, _ = CASES["single_line"]()
    odd = diags[0].model_copy(update={"code": "TW9999", "name": "not-yet-catalogued"})
    (rule,) = _log([odd])["runs"][0]["tool"]["driver"]["rules"]
    assert rule == {"id": "TW9999", "name": "not-yet-catalogued",
                    "defaultConfiguration": {"level": "error"}}


@pytest.mark.parametrize(("name", "uri"), [
    ("examples/loto.twin", "examples/loto.twin"),
    ("plant/area 3.twin", "plant/area%203.twin"),
    ("a#b?c%d.twin", "a%23b%3Fc%25d.twin"),
    ("weird:name.twin", "weird%3Aname.twin"),
    ("dir\\win.twin", "dir/win.twin"),
    ("ü/ß.twin", "%C3%BC/%C3%9F.twin"),
    ("/abs/path x.twin", "file:///abs/path%20x.twin"),
    ("C:/work/a b.twin", "file:///C:/work/a%20b.twin"),
])
def test_artifact_uri(name, uri):
    assert artifact_uri(name) == uri
    if not uri.startswith("file:"):
        assert unquote(uri) == name.replace("\\", "/")
