"""`twinlang new`: every template, filled as its comments say, checks clean; unfilled, it
reports exactly one TW0006 per placeholder and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinlang import cli
from twinlang.api import check_files
from twinlang.commands.new import templates

PLACEHOLDER = re.compile(r"<<[^<>\n]+>>")

#: What an author would write for each placeholder (taken from the examples).
FILLS: dict[str, dict[str, str]] = {
    "lockout_tagout": {
        "scenario title": '"Lockout of conveyor C-12 for belt replacement"',
        "scenario id": "loto-conveyor-c12",
        "site": '"Packaging hall, line 1"',
        "scenario description": '"Two authorized employees lock out the drive and the '
                                'hydraulic take-up of C-12"',
        "disconnect tag": "DS-12", "disconnect rated voltage": "480 V",
        "disconnect rated current": "30 A", "motor tag": "M-12", "motor rated power": "7.5 kW",
        "motor coast-down time": "25 s", "stop button tag": "PB-12S",
        "selector switch tag": "SS-12", "valve tag": "V-31", "valve size": "1 in",
        "accumulator tag": "ACC-3", "accumulator working pressure": "140 bar",
        "procedure title": '"Lock out conveyor C-12"',
        "machine hazard": '"Belt and pulley nip points"',
        "energy survey": '"480 V at DS-12, drive inertia at M-12, 140 bar at ACC-3"',
        "work description": '"Replace the conveyor belt"', "work duration": "45 min",
    },
    "electrically_safe_work": {
        "scenario title": '"Electrically safe work condition on panelboard PNL-4"',
        "scenario id": "eswc-panel-pnl4", "site": '"Building 2, electrical room 2.14"',
        "scenario description": '"Put a 480 V panelboard into an electrically safe work '
                                'condition before a branch breaker is replaced"',
        "panel tag": "PNL-4", "nominal voltage": "480 V", "available fault current": "22 kA",
        "incident energy": "6.2 cal/cm^2", "arc flash boundary": "1.2 m",
        "feeder disconnect tag": "DS-4", "feeder rated current": "225 A", "load tag": "AHU-4",
        "load rated power": "11 kW", "load coast-down time": "40 s", "tester tag": "VT-1",
        "proving unit tag": "PU-1",
        "procedure title": '"Establish an electrically safe work condition on PNL-4"',
        "arc-rated PPE": '"arc-rated clothing and face shield, 8 cal/cm2 or more"',
        "limited approach boundary": "3.5 ft", "restricted approach boundary": "1 ft",
        "sources of supply": '"One-line SLD-2-E04 rev C: utility feeder via DS-4 only"',
        "stored energy": '"None: no capacitors, molded-case breakers without closing springs"',
        "work description": '"Replace branch breaker 4-17"', "work duration": "30 min",
    },
    "chemical_transfer": {
        "scenario title": '"Transfer of acetone from a drum to a safety can"',
        "scenario id": "chem-acetone-transfer",
        "site": '"Maintenance workshop, solvent dispensing room"',
        "scenario description": '"Dispense acetone from a grounded 55 gal drum into a bonded '
                                '5 gal safety can"',
        "substance": "acetone", "drum tag": "D-1", "drum capacity": "55 gal",
        "safety can tag": "SC-1", "safety can capacity": "5 gal",
        "procedure title": '"Fill safety can SC-1 from drum D-1"',
        "vapor hazard": '"Acetone vapor, flash point -18 degC"',
        "gloves": '"butyl rubber gloves"',
        "SDS summary": '"Acetone SDS reviewed: flammable liquid category 2; SC-1 is '
                       'dedicated to acetone"',
        "fill volume": "15 L",
    },
    "confined_space_entry": {
        "scenario title": '"Permit-required entry into equalization tank TK-7"',
        "scenario id": "cse-tank-tk7", "site": '"Effluent treatment plant"',
        "scenario description": '"Isolate, test, ventilate and enter TK-7 with an attendant '
                                'and a retrieval system outside"',
        "substance in the space": "hydrogen_sulfide", "space tag": "TK-7",
        "space volume": "30 m^3", "vertical depth": "3 m", "agitator disconnect tag": "DS-7A",
        "agitator motor tag": "M-7A", "agitator coast-down time": "15 s",
        "inlet line tag": "SL-1", "inlet line size": "4 in", "inlet valve tag": "V-701",
        "gas monitor tag": "GD-1", "blower tag": "BL-1", "blower flow": "1700 m^3/h",
        "retrieval system tag": "RS-1",
        "procedure title": '"Enter TK-7 to inspect the agitator"', "purge time": "30 min",
        "rescue arrangement": '"Plant rescue team on standby; radio checked"',
        "work description": '"Inspect the agitator blades, shaft and tank floor"',
        "work duration": "40 min",
    },
}

NAMES = sorted(FILLS)


def _placeholders(text: str) -> list[tuple[int, str]]:
    """(line, placeholder) of every placeholder written in code (not in a comment)."""
    found = []
    for n, line in enumerate(text.split("\n"), start=1):
        found += [(n, m) for m in PLACEHOLDER.findall(line.split("#", 1)[0])]
    return found


def _new(tmp_path, monkeypatch, capsys, name: str, target: str = "scenario.twin"):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["new", name, target])
    return code, capsys.readouterr()


def test_the_four_templates_are_installed():
    assert sorted(templates()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_unfilled_template_reports_one_diagnostic_per_placeholder(name, tmp_path, monkeypatch,
                                                                  capsys):
    code, out = _new(tmp_path, monkeypatch, capsys, name)
    assert code == 0 and out.out == ""
    path = tmp_path / "scenario.twin"
    text = path.read_text(encoding="utf-8")
    assert text == templates()[name].read_text(encoding="utf-8")
    expected = _placeholders(text)
    assert f"fill its {len(expected)} placeholders" in out.err
    report = check_files([Path("scenario.twin")])
    assert {d.code for d in report.diagnostics} == {"TW0006"}
    got = [(d.span.line, text[d.span.start:d.span.end]) for d in report.diagnostics]
    assert got == expected
    assert all(d.severity.value == "error" and d.help for d in report.diagnostics)


@pytest.mark.parametrize("name", NAMES)
def test_every_placeholder_is_explained_by_a_comment(name):
    text = templates()[name].read_text(encoding="utf-8")
    names = {p[2:-2] for _, p in _placeholders(text)}
    explained = set(re.findall(r"^\s*#.*?<<([^<>\n]+)>>:", text, flags=re.M))
    explained |= set(re.findall(r"^\s*#\s*<<([^<>\n]+)>>,", text, flags=re.M))
    assert names - explained == set()
    assert names == set(FILLS[name]), "the test's fills must match the template"


@pytest.mark.parametrize("name", NAMES)
def test_filled_template_checks_clean(name, tmp_path, monkeypatch, capsys):
    code, _ = _new(tmp_path, monkeypatch, capsys, name)
    assert code == 0
    path = tmp_path / "scenario.twin"
    text = path.read_text(encoding="utf-8")
    for key, value in FILLS[name].items():
        text = text.replace(f"<<{key}>>", value)
    path.write_text(text, encoding="utf-8")
    report = check_files([Path("scenario.twin")])
    assert report.diagnostics == [], [(d.code, d.message) for d in report.diagnostics]
    assert report.graphs, "the filled procedure is verified by the step-graph rules"


def test_partly_filled_template_reports_only_what_is_left(tmp_path, monkeypatch, capsys):
    _new(tmp_path, monkeypatch, capsys, "lockout_tagout")
    path = tmp_path / "scenario.twin"
    text = path.read_text(encoding="utf-8")
    for key, value in FILLS["lockout_tagout"].items():
        if key != "valve tag":
            text = text.replace(f"<<{key}>>", value)
    path.write_text(text, encoding="utf-8")
    report = check_files([Path("scenario.twin")])
    left = [text[d.span.start:d.span.end] for d in report.diagnostics]
    assert set(left) == {"<<valve tag>>"}
    assert left == [p for _, p in _placeholders(text)] and len(left) == 9


def test_new_never_overwrites(tmp_path, monkeypatch, capsys):
    (tmp_path / "scenario.twin").write_text("role a\n", encoding="utf-8")
    code, out = _new(tmp_path, monkeypatch, capsys, "lockout_tagout")
    assert code == 2
    assert "error: `scenario.twin` already exists" in out.err
    assert (tmp_path / "scenario.twin").read_text(encoding="utf-8") == "role a\n"


def test_new_creates_missing_directories(tmp_path, monkeypatch, capsys):
    code, _ = _new(tmp_path, monkeypatch, capsys, "chemical_transfer", "site/a/transfer.twin")
    assert code == 0 and (tmp_path / "site" / "a" / "transfer.twin").is_file()


@pytest.mark.parametrize("typo, suggestion", [
    ("lockout", "lockout_tagout"), ("confined_space", "confined_space_entry"),
    ("chemical-transfer", "chemical_transfer"), ("electrically_safe_work_condition",
                                                 "electrically_safe_work"),
])
def test_unknown_template_suggests_a_name(typo, suggestion, tmp_path, monkeypatch, capsys):
    code, out = _new(tmp_path, monkeypatch, capsys, typo)
    assert code == 2 and out.out == ""
    assert f"error: there is no template `{typo}`; did you mean `{suggestion}`?" in out.err
    assert not (tmp_path / "scenario.twin").exists()


def test_unknown_template_without_a_close_name_lists_them(tmp_path, monkeypatch, capsys):
    code, out = _new(tmp_path, monkeypatch, capsys, "xyz")
    assert code == 2 and "did you mean" not in out.err
    assert "(templates: `chemical_transfer`, `confined_space_entry`" in out.err


def test_list_and_missing_arguments(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "--list"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()] == NAMES
    assert "lockout/tagout of a motor-driven machine" in out
    assert cli.main(["new", "lockout_tagout"]) == 2
    assert "`new` needs a TEMPLATE and a PATH" in capsys.readouterr().err


def test_templates_are_in_the_canonical_layout():
    from twinlang.fmt import format_text

    for path in templates().values():
        text = path.read_text(encoding="utf-8")
        assert format_text(text) == text, path.name
