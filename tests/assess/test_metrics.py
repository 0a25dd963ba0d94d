"""Every metric on small hand-written logs, against values computed by hand.

The scenario is tests/assess/data/mini.twin.  Its step graph: `brief`, then `shut_in`
and `shut_out` in parallel, then `confirm`, then a choice between `file_sheet` and
`get_signature`, then `report`; an alarm handler with `reclose`.  Required on every
path: brief, shut_in, shut_out, confirm, report.  Order constraints (immediate
predecessors): brief→shut_in, brief→shut_out, shut_in→confirm, shut_out→confirm,
confirm→file_sheet, confirm→get_signature, file_sheet→report, get_signature→report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinlang.assess import AssessError, assess, load_rubric, parse_run
from twinlang.assess.runlog import check_bundle
from twinlang.bundle import load
from twinlang.compile import compile_files

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini")
    result = compile_files([DATA / "mini.twin"], out)
    assert not result.report.has_errors
    path = result.bundles[0]
    return load(path), load_rubric(path)


# ------------------------------------------------------------------ a tiny log writer


class Log:
    def __init__(self, bundle):
        self.bundle = bundle
        self.events: list[dict] = [{"t": 0.0, "type": "procedure_started",
                                    "procedure": "lineup"}]

    def add(self, t, type_, **fields):
        self.events.append({"t": float(t), "type": type_, **fields})
        return self

    def step(self, t0, step, t1, by="operator", action="record", deviation=None):
        """Enter at t0, act at t0, complete at t1."""
        self.add(t0, "step_entered", step=step)
        self.add(t0, "action", step=step, by=by, action=action, deviation=deviation,
                 accepted=True)
        return self.add(t1, "step_completed", step=step, duration=t1 - t0)

    def end(self, t, outcome="completed"):
        return self.add(t, "procedure_ended", outcome=outcome, omitted=[])

    def run(self):
        header = {"type": "header", "format": "twinlang.log/1", "procedure": "lineup",
                  "seed": 0, "trainee": "test",
                  "bundle": {"id": self.bundle.scenario.id,
                             "content_hash": self.bundle.content_hash}}
        lines = [header, *self.events]
        data = "".join(json.dumps(x) + "\n" for x in lines).encode()
        return parse_run(data, name="hand.jsonl")


def correct(bundle) -> Log:
    """A correct run: the parallel branches done outlet first (a valid interleaving)."""
    log = Log(bundle)
    log.step(0, "brief", 2)
    log.step(2, "shut_out", 20, action="close V-2")
    log.step(20, "shut_in", 45, action="close V-1")
    log.step(45, "confirm", 50, action="inspect V-1, V-2")
    log.add(50, "choice_made", option="Yes", by="operator")
    log.step(50, "file_sheet", 51)
    log.step(51, "report", 60, action="notify checker")
    return log.end(60)


def value(a, metric, subject=None):
    return next(v for v in a.metrics if v.metric == metric and v.subject == subject)


def run(mini, log: Log):
    bundle, rubric = mini
    return assess(log.run(), bundle, rubric)


# ------------------------------------------------------------------ the metrics


def test_correct_run_any_interleaving_of_parallel_branches(mini):
    a = run(mini, correct(mini[0]))
    assert value(a, "sequence_accuracy").value == 1.0      # 6 of 6 constraints
    assert value(a, "sequence_accuracy").detail == "6 of 6 order constraints respected"
    for m in ("omission_errors", "wrong_order_errors", "commission_errors",
              "wrong_role_errors", "critical_errors", "expectations_failed", "hints_used"):
        assert value(a, m).value == 0.0, m
    assert value(a, "completion_time").value == 60.0
    assert a.passed


def test_wrong_order(mini):
    # confirm begun at 15, before shut_in (completed at 45): 1 order error, and the
    # constraint shut_in→confirm broken: 5 of 6
    log = Log(mini[0])
    log.step(0, "brief", 2)
    log.step(2, "shut_out", 14, action="close V-2")
    log.add(15, "step_entered", step="confirm")
    log.add(15, "action", step="confirm", by="operator", action="inspect V-1, V-2",
            deviation="out_of_order")
    log.step(20, "shut_in", 45, action="close V-1")
    log.add(46, "step_completed", step="confirm", duration=31.0)
    log.add(46, "choice_made", option="Yes")
    log.step(46, "file_sheet", 47)
    log.step(47, "report", 50)
    a = run(mini, log.end(50))
    assert value(a, "wrong_order_errors").value == 1.0
    assert value(a, "wrong_order_errors").evidence[0].step == "confirm"
    assert value(a, "sequence_accuracy").value == pytest.approx(5 / 6)
    assert value(a, "omission_errors").value == 0.0


def test_omission(mini):
    # shut_out never done: 1 omission; brief→shut_out and shut_out→confirm broken: 4 of 6
    log = Log(mini[0])
    log.step(0, "brief", 2)
    log.step(2, "shut_in", 20, action="close V-1")
    log.add(21, "step_skipped", step="shut_out", critical=False, to="confirm")
    log.step(21, "confirm", 25, action="inspect V-1, V-2")
    log.add(25, "choice_made", option="No")
    log.step(25, "get_signature", 26, action="notify checker")
    log.step(26, "report", 30)
    a = run(mini, log.end(30))
    assert value(a, "omission_errors").value == 1.0
    assert [e.step for e in value(a, "omission_errors").evidence] == ["shut_out"]
    assert value(a, "sequence_accuracy").value == pytest.approx(4 / 6)
    assert value(a, "wrong_order_errors").value == 0.0     # an omission is not an order error
    assert not a.passed


def test_steps_of_an_untaken_branch_are_not_omitted(mini):
    a = run(mini, correct(mini[0]))
    status = {s.step: s.status for s in a.steps}
    assert status["get_signature"] == "not_required" and status["reclose"] == "not_required"


def test_commission(mini):
    log = correct(mini[0])
    log.events.insert(3, {"t": 1.0, "type": "action", "by": "operator", "action": "open V-1",
                          "deviation": "extra", "step": None, "accepted": True})
    log.events.insert(4, {"t": 1.5, "type": "action", "by": "operator", "action": "open V-2",
                          "deviation": "extra", "step": None, "accepted": False})
    assert value(run(mini, log), "commission_errors").value == 2.0


def test_wrong_role_counts_steps_and_bad_verifications(mini):
    log = correct(mini[0])
    log.events.insert(5, {"t": 2.0, "type": "wrong_role", "step": "shut_out", "by": "checker",
                          "expected": "operator"})
    log.events.insert(6, {"t": 2.0, "type": "wrong_role", "step": "shut_out", "by": "checker",
                          "expected": "operator"})     # same step: counted once
    log.events.insert(-1, {"t": 60.0, "type": "verification", "step": "confirm",
                           "by": "operator", "expected": "checker", "ok": False})
    assert value(run(mini, log), "wrong_role_errors").value == 2.0


def test_critical_errors_items_plus_other_critical_events(mini):
    # shut_in (critical) with a failed expectation: 1 critical item; a hazard event not
    # tied to a step: 1 more; 2 in all
    log = Log(mini[0])
    log.step(0, "brief", 2)
    log.step(2, "shut_out", 20, action="close V-2")
    log.add(20, "step_entered", step="shut_in")
    log.add(20, "action", step="shut_in", by="operator", action="close V-1")
    log.add(160, "expectation_failed", step="shut_in", expect="V-1.position == 0 %",
            critical=True)
    log.add(160, "step_completed", step="shut_in", duration=140.0)
    log.add(161, "critical", what="hazard", equipment="V-1")
    log.step(161, "confirm", 165)
    log.add(165, "choice_made", option="Yes")
    log.step(165, "file_sheet", 166)
    log.step(166, "report", 170)
    a = run(mini, log.end(170))
    assert value(a, "critical_errors").value == 2.0
    assert value(a, "expectations_failed").value == 1.0
    item = next(i for i in a.competencies[0].critical_items if i.step == "shut_in")
    assert item.failed and item.reasons == ["its expected results were not met in time"]
    assert not a.passed
    assert any("critical" in r for r in a.competencies[0].reasons)


def test_hints(mini):
    log = correct(mini[0])
    for t in (3, 4, 5):
        log.events.insert(-1, {"t": 60.0, "type": "hint", "by": "operator", "n": t})
    assert value(run(mini, log), "hints_used").value == 3.0


def test_step_time_is_the_longest_occurrence(mini):
    log = correct(mini[0])
    assert value(run(mini, log), "step_time", "shut_in").value == 25.0   # 20 -> 45
    log = correct(mini[0])
    log.events.insert(-1, {"t": 60.0, "type": "step_completed", "step": "shut_in",
                           "duration": 31.5})
    assert value(run(mini, log), "step_time", "shut_in").value == 31.5


def _with_fault(mini, *, resumed_at=42.0, alarm_at=30.0, respond_at=34.5):
    log = Log(mini[0])
    log.step(0, "brief", 2)
    log.step(2, "shut_out", 10, action="close V-2")
    log.step(10, "shut_in", 20, action="close V-1")
    log.add(20, "step_entered", step="confirm")
    log.add(20, "fault_injected", fault="creep", target="V-1.position")
    if alarm_at is not None:
        log.add(alarm_at, "alarm", alarm="alarm#1", interrupted=["confirm"])
        log.add(alarm_at, "step_entered", step="reclose")
        if respond_at is not None:
            log.add(respond_at, "action", step="reclose", by="operator", action="close V-1")
        if resumed_at is not None:
            log.add(resumed_at, "step_completed", step="reclose", duration=12.0)
            log.add(resumed_at, "fault_cleared", fault="creep", how="step")
            log.add(resumed_at, "resumed", alarm="alarm#1")
    return log


def test_recovery_time_from_the_alarm_to_the_safe_state(mini):
    log = _with_fault(mini)
    log.add(42, "action", step="confirm", by="operator", action="inspect V-1, V-2")
    log.add(47, "step_completed", step="confirm", duration=27.0)
    log.add(47, "choice_made", option="Yes")
    log.step(47, "file_sheet", 48)
    log.step(48, "report", 50)
    a = run(mini, log.end(50))
    assert value(a, "recovery_time", "creep").value == 12.0      # 30 -> 42
    assert value(a, "recovery_time").value == 12.0
    assert value(a, "decision_latency").value == 4.5             # 30 -> 34.5
    # the handler's step became required once it ran
    assert {s.step: s.required for s in a.steps}["reclose"] is True


def test_recovery_not_reached_is_not_measured_and_fails(mini):
    log = _with_fault(mini, resumed_at=None, respond_at=None)
    a = run(mini, log.end(100, outcome="incomplete"))
    rec = value(a, "recovery_time", "creep")
    assert rec.value is None and rec.applicable
    assert value(a, "decision_latency").value is None
    assert value(a, "completion_time").value is None
    t = {x.metric + (x.subject or ""): x for x in a.competencies[0].thresholds}
    assert not t["recovery_timecreep"].met and not t["decision_latency"].met
    assert not t["completion_time"].met


def test_no_fault_no_alarm_is_not_applicable_and_met(mini):
    a = run(mini, correct(mini[0]))
    assert not value(a, "decision_latency").applicable
    assert not value(a, "recovery_time").applicable
    t = {x.metric + (x.subject or ""): x for x in a.competencies[0].thresholds}
    assert t["decision_latency"].met and t["recovery_timecreep"].met
    assert t["recovery_timecreep"].measured_text.startswith("not applicable")


def test_decision_latency_is_the_longest_over_alarms(mini):
    log = _with_fault(mini)
    log.add(50, "alarm", alarm="alarm#2")
    log.add(71, "action", step="confirm", by="operator", action="inspect V-1, V-2")
    a = run(mini, log.end(80, outcome="incomplete"))
    assert value(a, "decision_latency").value == 21.0            # max(4.5, 71 - 50)


# ------------------------------------------------------------------ the verdict


def test_score_is_weights_met_over_all_weights(mini):
    # the wrong-order run: wrong_order_errors == 0 (weight 1) and sequence >= 90 %
    # (weight 2, 5/6 = 83 %) unmet; 13 weights in all -> (13 - 3) / 13
    log = Log(mini[0])
    log.step(0, "brief", 2)
    log.step(2, "shut_out", 14)
    log.add(15, "step_entered", step="confirm")
    log.add(15, "action", step="confirm", by="operator", action="inspect V-1, V-2")
    log.step(20, "shut_in", 45)
    log.add(46, "step_completed", step="confirm", duration=31.0)
    log.step(46, "file_sheet", 47)
    log.step(47, "report", 50)
    a = run(mini, log.end(50))
    c = a.competencies[0]
    total = sum(t.weight for t in c.thresholds)
    assert total == 13.0
    assert c.score == pytest.approx(10 / 13)
    assert c.passed is False and c.reasons == [f"score {10 / 13 * 100:.1f} % is below the "
                                               "pass score 80 %"]


def test_refresher_variant_is_applied(mini):
    bundle, rubric = mini
    a = assess(correct(bundle).run(), bundle, rubric, variant="refresher")
    assert a.competencies[0].variant == "refresher"


# ------------------------------------------------------------------ bad logs


def test_truncated_log_is_assessed_up_to_the_last_good_event(mini):
    log = correct(mini[0]).run()
    data = "".join(json.dumps(x) + "\n" for x in [log.header, *log.events]).encode()
    cut = data[: data.rindex(b'{"t": 51.0')] + b'{"t": 51.0, "ty'
    run_ = parse_run(cut)
    assert not run_.complete and "cut off" in run_.warnings[0]
    a = assess(run_, *mini)
    assert a.run.outcome == "incomplete" and not a.run.complete_log
    assert value(a, "omission_errors").value == 1.0              # report never reached


def test_malformed_line_and_time_going_back(mini):
    log = correct(mini[0]).run()
    lines = [json.dumps(x) for x in [log.header, *log.events]]
    bad = "\n".join([*lines[:4], "not json", *lines[4:]]) + "\n"
    assert "line 5 is not valid JSON" in parse_run(bad.encode()).warnings[0]
    back = "\n".join([*lines[:4], json.dumps({"t": 5.0, "type": "hint"}), *lines[4:]]) + "\n"
    assert "goes back in time" in parse_run(back.encode()).warnings[0]


def test_logs_that_cannot_be_trusted_are_refused(mini):
    bundle, _ = mini
    with pytest.raises(AssessError, match="not an event log"):
        parse_run(b'{"t": 0, "type": "action"}\n')
    with pytest.raises(AssessError, match="format"):
        parse_run(b'{"type": "header", "format": "twinlang.log/9"}\n')
    run_ = correct(bundle).run()
    run_.header["bundle"]["content_hash"] = "sha256:" + "0" * 64
    with pytest.raises(AssessError, match="another build"):
        check_bundle(run_, bundle_id=bundle.scenario.id, content_hash=bundle.content_hash)
    run_.header["bundle"]["id"] = "other"
    with pytest.raises(AssessError, match="from bundle `other`"):
        check_bundle(run_, bundle_id=bundle.scenario.id, content_hash=bundle.content_hash)


def test_critical_events_of_an_induced_fault_are_not_the_trainees(mini):
    log = _with_fault(mini)
    log.add(42, "critical", what="hazard", equipment="V-1", faults=["creep"])
    log.add(43, "critical", what="hazard", equipment="V-2")
    log.add(43, "action", step="confirm", by="operator", action="inspect V-1, V-2")
    a = run(mini, log.end(50, outcome="incomplete"))
    crit = value(a, "critical_errors")
    assert crit.value == 1.0                                   # only the one at V-2
    assert "1 more while an induced fault was in effect" in crit.detail


def test_completion_time_is_not_applicable_after_the_procedures_own_abort(mini):
    log = _with_fault(mini, resumed_at=None)
    # `confirm` begun before the alarm interrupted it
    log.events.insert(next(i for i, e in enumerate(log.events) if e["type"] == "alarm"),
                      {"t": 21.0, "type": "action", "step": "confirm", "by": "operator",
                       "action": "inspect V-1, V-2"})
    a = run(mini, log.end(40, outcome="aborted"))
    c = value(a, "completion_time")
    assert c.value is None and not c.applicable
    # steps entered are required (the handler's `reclose`, never finished), the rest of
    # the main path is not, nor `confirm`, which the alarm interrupted
    assert value(a, "omission_errors").value == 1.0
    assert value(a, "omission_errors").evidence[0].step == "reclose"


def test_expectations_failed_under_an_induced_fault_are_not_the_trainees(mini):
    log = _with_fault(mini)
    log.add(43, "expectation_failed", step="confirm", expect="V-1.position == 0 %",
            faults=["creep"])
    log.add(44, "expectation_failed", step="shut_in", expect="V-1.position == 0 %")
    a = run(mini, log.end(50, outcome="incomplete"))
    e = value(a, "expectations_failed")
    assert e.value == 1.0 and "1 more while an induced fault" in e.detail


def test_a_step_never_begun_before_the_alarm_is_omitted_even_after_an_abort(mini):
    # `confirm` entered at 20, the alarm at 30, nothing done on it in between
    log = _with_fault(mini, resumed_at=None)
    a = run(mini, log.end(40, outcome="aborted"))
    assert sorted(e.step for e in value(a, "omission_errors").evidence) == ["confirm",
                                                                             "reclose"]
