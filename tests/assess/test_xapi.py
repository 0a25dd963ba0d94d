"""xAPI statements of an assessment, checked without a Learning Record Store: structure
(required properties, IRIs, UUIDs, ISO 8601, score ranges), determinism, the mapping of
competencies and critical items to the bundle's activity ids, and the CLI options."""

from __future__ import annotations

import argparse
import json
import os
import uuid

import pytest

from tests.assess.report_fixture import HOSTILE_REASON, assessed_run
from twinlang.assess import xapi
from twinlang.assess.xapi_cli import actor_from_args, add_xapi_arguments, handle_xapi
from twinlang.cli import UsageError

ACTOR = {"objectType": "Agent", "name": "Ann Example", "mbox": "mailto:ann@example.org"}
START = "2026-11-22T08:00:00Z"
EXT = "https://twinlang.org/xapi/extensions"
VERBS = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(assessment, bundle, log path) of the hand-written failing run, hostile strings in."""
    out = tmp_path_factory.mktemp("xapi")
    assessment, _run, bundle = assessed_run(out, hostile=True)
    return assessment, bundle, out / "run.jsonl"


def passing(assessment):
    """The same run as if everything went right: completed, every competency and critical
    item passed (to see the `completed` and `passed` statements)."""
    comps = []
    for c in assessment.competencies:
        items = [i.model_copy(update={"failed": False, "reasons": []})
                 for i in c.critical_items]
        comps.append(c.model_copy(update={"passed": True, "score": 0.9, "reasons": [],
                                          "critical_items": items}))
    run = assessment.run.model_copy(update={"outcome": "completed"})
    return assessment.model_copy(update={"competencies": comps, "passed": True, "run": run})


def make(assessment, bundle, **kw):
    kw.setdefault("actor", ACTOR)
    kw.setdefault("timestamp", START)
    return xapi.statements(assessment, bundle, **kw)


def verbs(statements):
    return [s["verb"]["id"].removeprefix(VERBS) for s in statements]


def test_failing_run_statements_in_cmi5_order(run):
    assessment, bundle, _ = run
    ss = make(assessment, bundle)
    comp = assessment.competencies[0]
    due = [i.step for i in comp.critical_items]
    assert due == ["lock_disconnect", "lock_valve", "bleed", "tryout"]
    # the run stopped: no `completed`; the verdict comes before `terminated`
    assert verbs(ss) == ["launched", "initialized", *["failed"] * len(due), "failed", "failed",
                         "terminated"]
    scenario = bundle.xapi.scenario.id
    assert [s["object"]["id"] for s in ss[:2]] == [scenario, scenario]
    assert [s["object"]["id"] for s in ss[2:6]] == [
        f"{scenario}/procedures/lockout/steps/{step}" for step in due]
    assert ss[6]["object"]["id"] == comp.xapi_activity == bundle.xapi.competencies[0].id
    assert ss[7]["object"]["id"] == scenario and ss[8]["object"]["id"] == scenario


def test_every_statement_is_valid_xapi(run):
    assessment, bundle, _ = run
    for ss in (make(assessment, bundle), make(passing(assessment), bundle)):
        for s in ss:
            assert xapi.problems(s) == [], s
            assert set(s) == {"id", "actor", "verb", "object", "context", "timestamp"} | (
                {"result"} if "result" in s else set())
            assert s["verb"]["display"] == {"en-US": s["verb"]["id"].removeprefix(VERBS)}
            assert uuid.UUID(s["id"]).version == 5
            json.dumps(s, allow_nan=False)
        assert len({s["id"] for s in ss}) == len(ss)


def test_statements_pass_ralphs_strict_model(run):
    models = pytest.importorskip(
        "ralph.models.xapi.base.statements",
        reason="ralph-malph is not importable: pip install 'ralph-malph[backend-lrs,lrs,cli]'",
        exc_type=ImportError)
    assessment, bundle, _ = run
    for s in make(assessment, bundle) + make(passing(assessment), bundle):
        models.BaseXapiStatement.model_validate(s)


def test_objects_are_activities_of_the_bundle_profile(run):
    assessment, bundle, _ = run
    profile = json.loads((run[2].parent / "build" / "loto-conveyor-c12" /
                          "xapi-profile.json").read_text())
    defined = {a["id"]: a for a in profile["activities"]}
    for s in make(assessment, bundle):
        obj = s["object"]
        assert obj["id"] in defined
        assert obj["definition"] == defined[obj["id"]]["definition"]
        for acts in s["context"].get("contextActivities", {}).values():
            assert all(a["id"] in defined for a in acts)
    assert {v["id"] for v in profile["verbs"]} >= {s["verb"]["id"] for s in
                                                   make(assessment, bundle)}


def test_context_carries_registration_session_seed_and_bundle(run):
    assessment, bundle, _ = run
    reg = "0b5d8c9e-3f1a-4c2b-9d7e-6a5b4c3d2e1f"
    ss = make(assessment, bundle, registration=reg.upper(), session_id="session-42")
    for s in ss:
        ctx = s["context"]
        assert ctx["registration"] == reg
        ext = ctx["extensions"]
        assert ext[f"{EXT}/session"] == "session-42"
        assert ext[f"{EXT}/seed"] == 7
        assert ext[f"{EXT}/bundle"] == bundle.content_hash
        assert ext[f"{EXT}/procedure"] == "lockout"
        assert ext[f"{EXT}/variant"] == "initial"
    item = ss[2]["context"]
    assert item["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": f"{bundle.xapi.scenario.id}/procedures/lockout"}]
    assert item["contextActivities"]["grouping"][0]["id"] == bundle.xapi.scenario.id
    assert item["extensions"][f"{EXT}/step"] == "lock_disconnect"
    assert item["extensions"][f"{EXT}/step-number"] == 7  # as in procedure.md and rubric.json
    assert ss[6]["context"]["contextActivities"]["parent"][0]["id"] == bundle.xapi.scenario.id


def test_scores_durations_and_reasons(run):
    assessment, bundle, _ = run
    ss = make(assessment, bundle)
    comp = assessment.competencies[0]
    c = ss[6]["result"]
    assert c["success"] is False
    assert c["score"]["scaled"] == pytest.approx(comp.score, abs=1e-4)
    assert 0 <= c["score"]["scaled"] <= 1 and c["score"]["min"] == 0 and c["score"]["max"] == 1
    assert ss[6]["context"]["extensions"][f"{EXT}/mastery-score"] == comp.pass_score
    assert c["response"] == "; ".join(comp.reasons)
    thresholds = c["extensions"][f"{EXT}/thresholds"]
    assert [t["met"] for t in thresholds] == [t.met for t in comp.thresholds]
    measured = {(m.metric, m.subject): m.value for m in assessment.metrics}
    assert c["extensions"][f"{EXT}/metrics"] == {
        t.metric + (f"/{t.subject}" if t.subject else ""): xapi._num(measured[t.metric, t.subject])
        for t in comp.thresholds if (t.metric, t.subject) in measured}
    assert any(t.subject for t in comp.thresholds)  # the `metric/subject` keys are seen
    verdict = ss[7]["result"]
    assert verdict == {**verdict, "success": False, "duration": "PT1M10S"}
    assert verdict["extensions"][f"{EXT}/critical-items-failed"] == [
        "lock_disconnect", "lock_valve", "bleed", "tryout"]
    item = ss[2]["result"]
    assert item["success"] is False
    assert item["response"] == f"left out; {HOSTILE_REASON}"  # text as is: JSON escapes it
    assert item["extensions"] == {f"{EXT}/error": "omission"}
    assert ss[-1]["result"] == {"duration": "PT1M10S"}


def test_passing_run_sends_completed_and_passed(run):
    assessment, bundle, _ = run
    ss = make(passing(assessment), bundle)
    assert verbs(ss) == ["launched", "initialized", "passed", "passed", "passed", "passed",
                         "passed", "completed", "passed", "terminated"]
    assert ss[7]["result"] == {"completion": True, "duration": "PT1M10S"}
    assert ss[8]["result"]["success"] is True and ss[8]["result"]["score"] == {"scaled": 0.9}
    assert "response" not in ss[2]["result"]


def test_no_verdict_statement_when_no_competency_assesses_the_procedure(run):
    assessment, bundle, _ = run
    comps = [c.model_copy(update={"assessed": False}) for c in assessment.competencies]
    ss = make(assessment.model_copy(update={"competencies": comps, "passed": False}), bundle)
    assert verbs(ss) == ["launched", "initialized", "terminated"]


def test_timestamps_are_start_plus_simulation_time(run):
    assessment, bundle, _ = run
    ss = make(assessment, bundle, timestamp="2026-11-22T09:00:00+01:00")
    stamps = [s["timestamp"] for s in ss]
    assert stamps[0] == "2026-11-22T08:00:00.000Z"
    assert stamps[2] == "2026-11-22T08:01:00.000Z"   # lock_disconnect: evidence at t = 60 s
    assert stamps[-1] == "2026-11-22T08:01:10.000Z"  # the run ended at t = 70 s
    assert stamps == sorted(stamps)


def test_statements_are_deterministic_and_ids_depend_on_the_attempt(run):
    assessment, bundle, _ = run
    a = make(assessment, bundle)
    assert a == make(assessment, bundle)
    b = make(assessment, bundle, session_id="another session")
    c = make(assessment, bundle, registration=str(uuid.uuid4()))
    assert not {s["id"] for s in a} & {s["id"] for s in b}
    assert not {s["id"] for s in a} & {s["id"] for s in c}
    assert a[0]["id"] == xapi.statement_id(a[0]["context"]["registration"],
                                           a[0]["context"]["extensions"][f"{EXT}/session"],
                                           VERBS + "launched", bundle.xapi.scenario.id)


def test_refuses_another_bundle_and_a_bad_registration(run):
    assessment, bundle, _ = run
    other = assessment.model_copy(update={"bundle_hash": "sha256:" + "0" * 64})
    with pytest.raises(ValueError, match="another build"):
        make(other, bundle)
    with pytest.raises(ValueError):
        make(assessment, bundle, registration="not-a-uuid")
    with pytest.raises(ValueError, match="time zone"):
        make(assessment, bundle, timestamp="2026-11-22T08:00:00")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "PT0S"), (0.004, "PT0S"), (0.005, "PT0.01S"), (1.5, "PT1.5S"), (59.999, "PT1M"),
    (70, "PT1M10S"), (3196.68333, "PT53M16.68S"), (3600, "PT1H"), (3661.25, "PT1H1M1.25S"),
    (90000, "PT25H"),
])
def test_duration(seconds, text):
    assert xapi.duration(seconds) == text
    assert xapi.problems({"result": {"duration": text}}) == [
        p for p in xapi.problems({}) if "duration" not in p]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda s: s.update(id="not-a-uuid"), "id is not a lowercase UUID"),
    (lambda s: s["actor"].pop("mbox"), "actor needs exactly one identifier"),
    (lambda s: s["actor"].update(account={"homePage": "x", "name": "y"}),
     "actor needs exactly one identifier"),
    (lambda s: s["actor"].update(mbox="ann@example.org"), "actor.mbox is not a mailto IRI"),
    (lambda s: s["verb"].update(id="passed"), "verb.id is not an IRI"),
    (lambda s: s["object"].update(id="no iri"), "object.id is not an IRI"),
    (lambda s: s["result"]["score"].update(scaled=1.2), "result.score.scaled is not in -1..1"),
    (lambda s: s["result"]["score"].update(raw=2), "result.score.raw is outside min..max"),
    (lambda s: s["result"].update(duration="70 s"), "result.duration is not an ISO 8601"),
    (lambda s: s["result"].update(success="no"), "result.success is not a boolean"),
    (lambda s: s["result"]["extensions"].update({"metrics": 1}), "key `metrics` is not an IRI"),
    (lambda s: s["context"].update(registration="1"), "context.registration is not a lower"),
    (lambda s: s.update(timestamp="2026-11-22 08:00"), "timestamp is not ISO 8601"),
    (lambda s: s["result"]["score"].update(raw=float("nan")), "NaN"),
    (lambda s: s.update(extra=1), "unknown property `extra`"),
])
def test_problems_finds_what_is_wrong(run, change, problem):
    assessment, bundle, _ = run
    s = json.loads(json.dumps(make(assessment, bundle)[6]))
    assert xapi.problems(s) == []
    change(s)
    assert any(p.startswith(problem) or problem in p for p in xapi.problems(s)), \
        xapi.problems(s)


def test_write_statements_json_lines(run, tmp_path):
    assessment, bundle, _ = run
    ss = make(assessment, bundle)
    path = tmp_path / "out.jsonl"
    xapi.write_statements(ss, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == ss
    assert len(lines) == len(ss) and path.read_text(encoding="utf-8").endswith("}\n")
    assert '<b>\\"x\\"' in lines[2]  # the hostile reason, kept as text, escaped by JSON


# ------------------------------------------------------------------ the CLI options


def parse(argv):
    parser = argparse.ArgumentParser()
    add_xapi_arguments(parser)
    return parser.parse_args(argv)


def test_handle_xapi_writes_statements_deterministically(run, tmp_path):
    assessment, bundle, log = run
    ended = 1_795_000_000.0
    os.utime(log, (ended, ended))
    out = tmp_path / "s.jsonl"
    lines = handle_xapi(parse(["--xapi", str(out), "--actor-mbox", "ann@example.org"]),
                        assessment, bundle)
    assert lines == [f"wrote 9 xAPI statements to {out}"]
    first = [json.loads(x) for x in out.read_text().splitlines()]
    assert first[0]["actor"] == {"objectType": "Agent", "name": assessment.run.trainee,
                                 "mbox": "mailto:ann@example.org"}
    # default start: the log's modification time less the run's 70 s
    assert first[0]["timestamp"] == "2026-11-18T11:05:30.000Z"
    assert first[-1]["timestamp"] == "2026-11-18T11:06:40.000Z"
    session = first[0]["context"]["extensions"][f"{EXT}/session"]
    assert session == xapi.session_uuid(log.read_bytes())
    handle_xapi(parse(["--xapi", str(out), "--actor-mbox", "ann@example.org"]),
                assessment, bundle)
    assert [json.loads(x) for x in out.read_text().splitlines()] == first
    reg = str(uuid.uuid4())
    handle_xapi(parse(["--xapi", str(out), "--actor-account", "https://lms.example.org:8443:ann",
                       "--actor-name", "Ann", "--registration", reg, "--session-id", "s1",
                       "--started-at", "2026-11-22T10:00:00+02:00"]), assessment, bundle)
    again = [json.loads(x) for x in out.read_text().splitlines()]
    assert again[0]["actor"] == {"objectType": "Agent", "name": "Ann", "account": {
        "homePage": "https://lms.example.org:8443", "name": "ann"}}
    assert again[0]["context"]["registration"] == reg
    assert again[0]["timestamp"] == "2026-11-22T08:00:00.000Z"


def test_handle_xapi_does_nothing_without_xapi_or_lrs(run):
    assessment, bundle, _ = run
    assert handle_xapi(parse([]), assessment, bundle) == []
    assert handle_xapi(argparse.Namespace(), assessment, bundle) == []


def test_handle_xapi_refuses_a_bad_lrs_before_writing(run, tmp_path, monkeypatch):
    assessment, bundle, _ = run
    out = tmp_path / "x.jsonl"
    with pytest.raises(UsageError, match="contains credentials"):
        handle_xapi(parse(["--xapi", str(out), "--lrs", "https://u:p@lrs.example.org/",
                           "--actor-mbox", "a@example.org"]), assessment, bundle)
    monkeypatch.setenv("TWINLANG_LRS_USERNAME", "ann")
    monkeypatch.delenv("TWINLANG_LRS_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="set both"):
        handle_xapi(parse(["--xapi", str(out), "--lrs", "https://lrs.example.org/",
                           "--actor-mbox", "a@example.org"]), assessment, bundle)
    assert not out.exists()


@pytest.mark.parametrize(("argv", "message"), [
    ([], "need the trainee's identity"),
    (["--actor-mbox", "ann"], "is not an e-mail address"),
    (["--actor-account", "lms.example.org:ann"], "is not HOMEPAGE:NAME"),
    (["--actor-account", "https://lms.example.org"], "is not HOMEPAGE:NAME"),
    (["--actor-mbox", "a@example.org", "--registration", "12"], "is not a UUID"),
    (["--actor-mbox", "a@example.org", "--started-at", "yesterday"], "is not an ISO 8601"),
    (["--actor-mbox", "a@example.org", "--started-at", "2026-11-22T08:00"], "time zone"),
])
def test_handle_xapi_bad_input(run, tmp_path, argv, message):
    assessment, bundle, _ = run
    with pytest.raises(UsageError, match=message):
        handle_xapi(parse(["--xapi", str(tmp_path / "x.jsonl"), *argv]), assessment, bundle)
    assert not (tmp_path / "x.jsonl").exists()


def test_handle_xapi_unwritable_file(run, tmp_path):
    assessment, bundle, _ = run
    with pytest.raises(UsageError, match="cannot write"):
        handle_xapi(parse(["--xapi", str(tmp_path / "no" / "x.jsonl"), "--actor-mbox",
                           "a@example.org"]), assessment, bundle)


def test_actor_mbox_accepts_mailto():
    args = parse(["--actor-mbox", "mailto:ann@example.org"])
    assert actor_from_args(args) == {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
