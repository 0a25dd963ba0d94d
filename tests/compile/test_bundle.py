"""The bundle format: committed schema in sync with the models, every example's bundle
valid against it, and the loader's refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from twinlang.bundle import BundleError, load, schema_text
from twinlang.compile import compile_files

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "schema" / "scenario-1.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("bundles")
    result = compile_files(EXAMPLES, out)
    assert not result.report.has_errors, [d.message for d in result.report.diagnostics][:10]
    return result.bundles


def test_committed_schema_matches_the_models():
    committed = SCHEMA.read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "docs/schema/scenario-1.json is out of date: run "
        "`twinlang schema -o docs/schema/scenario-1.json` and review the change "
        "(a change that breaks old bundles needs a new major version)")


def test_one_bundle_per_example(bundles):
    assert len(bundles) == len(EXAMPLES)
    for b in bundles:
        assert (b / "scenario.json").is_file()


def test_every_bundle_validates_against_the_committed_schema(bundles):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for b in bundles:
        data = json.loads((b / "scenario.json").read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, f"{b.name}: {errors[0].message} at {list(errors[0].path)}"


def test_loader_accepts_every_bundle(bundles):
    for b in bundles:
        bundle = load(b)
        assert bundle.format == "twinlang.scenario/1"
        assert bundle.procedures and bundle.equipment
        assert set(bundle.files) >= {"rubric.json", "scene.json"}


def _copy(bundle: Path, tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / bundle.name
    shutil.copytree(bundle, dest)
    return dest


def _edit(path: Path, **changes) -> None:
    data = json.loads((path / "scenario.json").read_text(encoding="utf-8"))
    data.update(changes)
    (path / "scenario.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(("fmt", "version", "words"), [
    ("twinlang.scenario/2", "2.0", "newer than this twinlang reads"),
    ("twinlang.scenario/0", "0.9", "older than this twinlang reads"),
    ("other.format/1", "1.0", "has format `other.format/1`"),
    (None, None, "no `format` field"),
])
def test_loader_refuses_other_formats(bundles, tmp_path, fmt, version, words):
    b = _copy(bundles[0], tmp_path)
    _edit(b, format=fmt, format_version=version)
    with pytest.raises(BundleError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load(b)


def test_loader_accepts_a_newer_minor_of_its_major(bundles, tmp_path):
    b = _copy(bundles[0], tmp_path)
    _edit(b, format_version="1.7")
    assert load(b).format_version == "1.7"


def test_loader_refuses_a_tampered_file(bundles, tmp_path):
    b = _copy(bundles[0], tmp_path)
    (b / "rubric.json").write_text("{}", encoding="utf-8")
    with pytest.raises(BundleError, match="changed after compiling"):
        load(b)


def test_loader_refuses_a_missing_file(bundles, tmp_path):
    b = _copy(bundles[0], tmp_path)
    (b / "scene.json").unlink()
    with pytest.raises(BundleError, match="missing"):
        load(b)


def test_loader_refuses_invalid_json_and_wrong_shapes(tmp_path):
    (tmp_path / "scenario.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BundleError, match="not valid JSON"):
        load(tmp_path)
    (tmp_path / "scenario.json").write_text(
        json.dumps({"format": "twinlang.scenario/1", "format_version": "1.0"}), encoding="utf-8")
    with pytest.raises(BundleError, match="does not match the bundle format"):
        load(tmp_path)
    with pytest.raises(BundleError, match="not found"):
        load(tmp_path / "nowhere")


def test_compile_cli_end_to_end(tmp_path):
    out = tmp_path / "build"
    proc = subprocess.run([sys.executable, "-m", "twinlang", "compile", str(ROOT / "examples"),
                           "-o", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        json.loads((p / "scenario.json").read_text())["scenario"]["id"]
        for p in out.iterdir())
    assert len(list(out.iterdir())) == len(EXAMPLES)


def test_compile_refuses_on_errors_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.twin"
    bad.write_text('scenario "Bad" {\n  id bad\n  risk hihg\n}\n', encoding="utf-8")
    out = tmp_path / "build"
    proc = subprocess.run([sys.executable, "-m", "twinlang", "compile", str(bad), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "TW0403" in proc.stdout
    assert not out.exists() or not any(out.iterdir())


def test_schema_cli_prints_the_committed_schema(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "twinlang", "schema"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == SCHEMA.read_text(encoding="utf-8")
