"""rubric.json / rubric.html (pass rule, thresholds merged with the profile and overridden
per variant, critical items with cue, standard and consequence) and xapi-profile.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinlang.compile import compile_files
from twinlang.compile import model as m
from twinlang.compile.rubric import rubric

from .test_injection import parse_html

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def loto(tmp_path_factory) -> Path:
    result = compile_files([ROOT / "examples" / "loto_conveyor.twin"],
                           tmp_path_factory.mktemp("out"))
    assert not result.report.has_errors, [d.message for d in result.report.diagnostics]
    return result.bundles[0]


@pytest.fixture(scope="module")
def data(loto) -> dict:
    return json.loads((loto / "rubric.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def comp(data) -> dict:
    (c,) = data["competencies"]
    return c


def by_metric(thresholds: list[dict]) -> dict[tuple, dict]:
    return {(t["metric"], t["subject"]): t for t in thresholds}


def test_header(data, loto):
    bundle = m.Bundle.model_validate_json((loto / "scenario.json").read_text("utf-8"))
    assert data["format"] == "twinlang.rubric/1"
    assert data["scenario"] == {"id": "loto-conveyor-c12",
                                "title": "Lockout of conveyor C-12 for belt replacement",
                                "risk": "high", "version": "1.0"}
    assert data["content_hash"] == bundle.content_hash


def test_competency_and_pass_rule(comp):
    assert comp["id"] == "loto_c12"
    assert comp["assesses"] == [{"id": "lockout", "title": "Lock out conveyor C-12"}]
    assert comp["based_on"] == "high_risk_initial" and comp["risk"] == "high"
    rule = comp["pass_rule"]
    assert rule["pass_score"] == 0.85
    assert rule["all_of"] == [{"rule": "score_at_least", "value": 0.85},
                              {"rule": "no_critical_item_failed"},
                              {"rule": "critical_thresholds_met"}]
    assert "at least 85 %" in rule["text"] and "critical" in rule["text"]
    assert comp["valid_for"] == {"seconds": 31557600.0, "value": 1.0, "unit": "year",
                                 "text": "1 year"}
    assert comp["xapi_activity"].endswith("/competencies/loto_c12")


def test_thresholds_merge_profile_competency_and_variant(comp):
    initial = by_metric(comp["thresholds"]["initial"])
    refresher = by_metric(comp["thresholds"]["refresher"])
    # from the profile (stdlib), kept in both variants
    role = initial[("wrong_role_errors", None)]
    assert role["source"].startswith("stdlib/competency.twin") and role["critical"]
    assert role["origin"] == "common" and refresher[("wrong_role_errors", None)] == role
    # the competency's own, replacing the profile's (pass_score 85 %, weight 2)
    seq = initial[("sequence_accuracy", None)]
    assert seq["value"]["si"] == 0.95 and seq["value"]["text"] == "95 %"
    assert seq["weight"] == 2.0 and seq["comparison"] == ">="
    assert seq["source"].startswith("loto_conveyor.twin:")
    assert initial[("critical_errors", None)]["critical"] is True
    # overridden per variant, in place
    assert initial[("hints_used", None)]["value"]["si"] == 2.0
    assert initial[("hints_used", None)]["origin"] == "initial"
    assert initial[("hints_used", None)]["overrides"] is True
    assert refresher[("hints_used", None)]["comparison"] == "=="
    assert refresher[("hints_used", None)]["value"]["si"] == 0.0
    # only in a variant, appended
    assert initial[("completion_time", None)]["value"]["si"] == 4800.0
    assert refresher[("completion_time", None)]["value"]["text"] == "70 min"
    assert refresher[("completion_time", None)]["overrides"] is False
    assert len(initial) == len(comp["thresholds"]["initial"])  # no duplicate metric+subject
    # subjects get a readable name; every threshold says what it measures
    step = initial[("step_time", "tryout")]
    assert step["subject_title"] == "step 12 (Try to start the conveyor)"
    assert step["requirement"] == "Step time (step 12 (Try to start the conveyor)): at most 2 min"
    assert initial[("recovery_time", "stuck_valve")]["subject_title"] == \
        "Take-up valve binds at 60 % open"
    assert all(t["description"] for t in comp["thresholds"]["initial"])
    assert initial[("decision_latency", None)]["description"] == \
        "time from an alarm to the first response"


def test_critical_items(comp, loto):
    items = {i["id"]: i for i in comp["critical_items"]}
    assert list(items) == ["lock_disconnect", "lock_valve", "bleed", "tryout"]
    assert [i["step"] for i in comp["critical_items"]] == [7, 8, 9, 12]
    bundle = m.Bundle.model_validate_json((loto / "scenario.json").read_text("utf-8"))
    assert [i["xapi_activity"] for i in comp["critical_items"]] == \
        [a.id for a in bundle.xapi.critical_items]

    tryout = items["tryout"]
    assert tryout["cue"]["after"] == ["after step 11 (Clear the conveyor)"]
    assert "only when step 7 (Lock and tag the disconnect) done" in tryout["cue"]["text"]
    assert tryout["standard"]["actions"] == ["Try start M-12 (C-12 drive motor)"]
    assert tryout["standard"]["expectations"] == ["M-12.speed = 0 rpm"]
    assert "verified by Shift supervisor" in tryout["standard"]["text"]
    cons = tryout["consequence"]
    assert "unexpected start-up of M-12, C-12" in cons["text"]
    assert "rated_voltage 480 V" in cons["text"]
    assert {(e["energy"], e["equipment"]) for e in cons["energy"]} == \
        {("electrical", "DS-12"), ("mechanical", "M-12")}
    assert cons["hazards"] == ["nip_points", "drive_circuit"]

    valve = items["lock_valve"]["consequence"]
    assert [(e["energy"], e["equipment"]) for e in valve["energy"]] == [("hydraulic", "ACC-3")]
    assert "sudden release of hydraulic pressure from ACC-3" in valve["text"]
    assert "working_pressure 140 bar" in valve["text"]
    assert valve["hazards"] == ["take_up"]

    bleed = items["bleed"]
    assert bleed["cue"]["after"] == ["after step 8 (Lock and tag the valve)",
                                     "when sent back here to repeat it, at most 3 times"]
    assert bleed["standard"]["expectations"] == ["ACC-3.pressure < 1 bar within 2 min"]
    assert bleed["standard"]["warnings"] == [
        "Bleed through the bleed valve only; never crack a fitting under pressure"]


def test_consequence_without_energy_names_what_is_skipped(tmp_path):
    src = tmp_path / "t.twin"
    src.write_text("""scenario "T" {
  id t
  risk low
}
use stdlib.equipment.{Tank}
role op "Operator"
equipment TK-1 "Tank" is Tank {
  volume = 1 m^3
}
procedure p "P" {
  performed_by op
  hazard slip "Wet floor" class fall
  step look "Look": inspect TK-1 expect TK-1.level < 10 % critical
}
competency c "C" {
  assesses p
  critical_errors == 0 critical
}
""", encoding="utf-8")
    result = compile_files([src], tmp_path / "out")
    assert not result.report.has_errors, [d.message for d in result.report.diagnostics]
    bundle = m.Bundle.model_validate_json(
        (result.bundles[0] / "scenario.json").read_text("utf-8"))
    (c,) = rubric(bundle)["competencies"]
    (item,) = c["critical_items"]
    assert item["cue"]["text"] == "At the start of the procedure."
    assert item["consequence"]["energy"] == []
    assert item["consequence"]["text"] == (
        "If this step is missed or done wrong, the procedure goes on without: "
        "TK-1.level < 10 %. Hazards this procedure controls: Wet floor.")
    # no pass score: every threshold counts
    assert c["pass_rule"]["pass_score"] is None
    assert c["pass_rule"]["all_of"][0] == {"rule": "score_at_least", "value": 1.0}
    assert c["thresholds"]["initial"] == c["thresholds"]["refresher"]


def test_rubric_html_for_trainers(loto, comp):
    raw = (loto / "rubric.html").read_text("utf-8")
    assert "@media print" in raw
    doc = parse_html(raw)
    text = doc.text()
    assert "Initial qualification" in text and "Refresher" in text
    for item in comp["critical_items"]:
        assert item["title"] in text
        assert item["cue"]["text"] in text
        assert item["consequence"]["text"] in text
    for who in ("Assessor", "Trainee", "Date"):
        assert who in text
    tables = list(doc.iter("table"))
    # a table per variant, the critical items and the sign-off
    assert len(tables) == 4
    rows = list(tables[0].iter("tr"))
    assert len(rows) == 1 + len(comp["thresholds"]["initial"])


# ------------------------------------------------------------------ xAPI


def test_xapi_profile(loto):
    bundle = m.Bundle.model_validate_json((loto / "scenario.json").read_text("utf-8"))
    prof = json.loads((loto / "xapi-profile.json").read_text("utf-8"))
    assert prof["format"] == "twinlang.xapi-profile/1"
    x = bundle.xapi
    acts = {a["id"]: a for a in prof["activities"]}
    wanted = [x.scenario, *x.procedures, *x.competencies, *x.critical_items]
    assert list(acts) == [a.id for a in wanted]
    for a in wanted:
        d = acts[a.id]["definition"]
        assert d["type"] == a.type and d["name"] == {"en-US": a.name}
        assert set(d["description"]) == {"en-US"}
    crit = acts[x.critical_items[0].id]
    assert crit["definition"]["interactionType"] == "performance"
    assert crit["parent"] == x.procedures[0].id
    assert {v["id"] for v in prof["verbs"]} == set(x.verbs.values())
    assert all(v["display"] == {"en-US": k} for k, v in
               zip(sorted(x.verbs), prof["verbs"], strict=True))
    templates = {t["id"]: t for t in prof["templates"]}
    assert [t for t in templates if t.startswith("attempt-")] == [
        "attempt-launched", "attempt-initialized", "attempt-completed",
        "attempt-passed-or-failed", "attempt-terminated"]
    assert templates["attempt-passed-or-failed"]["verb"] == [x.verbs["passed"],
                                                             x.verbs["failed"]]
    assert templates["competency-passed-or-failed"]["objects"] == [a.id for a in x.competencies]
    assert templates["critical-item-passed-or-failed"]["objects"] == \
        [a.id for a in x.critical_items]
    ext_ids = {e["id"] for e in prof["extensions"]}
    for t in prof["templates"]:
        used = set(t["context"]["extensions"]) | set(t.get("result", {}).get("extensions", {}))
        assert used <= ext_ids, used - ext_ids
        assert t["context"]["registration"].startswith("<")
