"""A small assessed run for the report tests: the conveyor lockout compiled from
`examples/loto_conveyor.twin` (optionally with hostile titles), a hand-written event log of
a short run with one error of each kind, assessed by `twinlang.assess.assess_log`.

The log (line numbers as in the file, the header is line 1)::

     2  0.0  procedure_started
     3  0.0  step_entered prepare            4 action   5 step_completed
     6  0.0  step_entered notify_start
     7  0.5  hint (notify_start)
     8  1.0  action by electrician           9 wrong_role (notify_start)
    10  1.0  step_completed notify_start
    11  1.0  step_entered stop              12 action press PB-12S
    13 40.0  expectation_failed (stop)      14 step_completed stop
    15 40.0  step_entered open_disconnect
    16 41.0  action close V-31, out of order (close_valve)
    17 41.0  step_skipped open_disconnect   18 step_entered close_valve
    19 41.0  fault_injected stuck_valve
    20 42.0  action of no step, refused
    21 60.0  step_completed close_valve     22 step_entered lock_disconnect
    23 61.0  critical (no step)
    24 62.0  alarm, interrupts lock_disconnect
    25 64.0  resumed
    26 65.0  fault_cleared
    27 70.0  procedure_ended (stopped)
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.player.factory import example
from twinlang.assess import assess_log
from twinlang.bundle import model as m

# Strings that would break out of HTML text, attributes or comments if not escaped.
HOSTILE_SCENARIO = "<script>alert(\"t\")</script> & 'q' <!-- x"
HOSTILE_STEP = 'Tell <img src=x onerror=alert(1)> & "op"'
HOSTILE_PROCEDURE = "Lock out </title><script>x</script>"
HOSTILE_TRAINEE = "Ann \"<b>O'Neil</b>\" & co"
HOSTILE_ACTION = "dance <script>alert(1)</script>"
HOSTILE_REASON = "<b>\"x\" & 'y'</b> --> <style>body{display:none}</style>"
HOSTILE = [HOSTILE_SCENARIO, HOSTILE_STEP, HOSTILE_PROCEDURE, HOSTILE_TRAINEE, HOSTILE_ACTION,
           HOSTILE_REASON]

_REPLACE = {
    'scenario "Lockout of conveyor C-12 for belt replacement"':
        'scenario "<script>alert(\\"t\\")</script> & \'q\' <!-- x"',
    'step notify_start "Tell the operator"':
        'step notify_start "Tell <img src=x onerror=alert(1)> & \\"op\\""',
    'procedure lockout "Lock out conveyor C-12"':
        'procedure lockout "Lock out </title><script>x</script>"',
}

STEP_EVENTS = 26  # events after the header


def events(*, hostile: bool) -> list[dict]:
    action = HOSTILE_ACTION if hostile else "dance"
    reason = HOSTILE_REASON if hostile else "no step asks for this"
    ended = HOSTILE_REASON if hostile else "the trainee stopped"

    def entered(t, step, by, critical=False):
        return {"t": t, "type": "step_entered", "step": step, "title": step,
                "performed_by": by, "critical": critical}

    def act(t, step, by, text, **extra):
        ev = {"t": t, "type": "action", "by": by, "action": text, "op": "do", "verb": None,
              "targets": [], "step": step, "deviation": None, "accepted": True,
              "reason": None, "duration": 0.0}
        ev.update(extra)
        return ev

    def done(t, step, duration, out_of_order=False):
        return {"t": t, "type": "step_completed", "step": step, "duration": duration,
                "out_of_order": out_of_order}

    return [
        {"t": 0.0, "type": "procedure_started", "procedure": "lockout"},
        entered(0.0, "prepare", "mechanic"),
        act(0.0, "prepare", "mechanic", "record", op="record"),
        done(0.0, "prepare", 0.0),
        entered(0.0, "notify_start", "mechanic"),
        {"t": 0.5, "type": "hint", "by": "mechanic", "step": "notify_start"},
        act(1.0, "notify_start", "electrician", "notify operator", op="notify"),
        {"t": 1.0, "type": "wrong_role", "step": "notify_start", "by": "electrician",
         "expected": "mechanic"},
        done(1.0, "notify_start", 1.0),
        entered(1.0, "stop", "operator"),
        act(1.0, "stop", "operator", "press PB-12S", verb="press", targets=["PB-12S"]),
        {"t": 40.0, "type": "expectation_failed", "step": "stop",
         "expect": "M-12.speed <= 0.1 rpm", "critical": False},
        done(40.0, "stop", 39.0),
        entered(40.0, "open_disconnect", "electrician"),
        act(41.0, "close_valve", "mechanic", "close V-31", verb="close", targets=["V-31"],
            deviation="out_of_order"),
        {"t": 41.0, "type": "step_skipped", "step": "open_disconnect", "critical": False,
         "to": "close_valve"},
        entered(41.0, "close_valve", "mechanic"),
        {"t": 41.0, "type": "fault_injected", "fault": "stuck_valve", "target": "V-31.position",
         "effects": ["stuck"], "trigger": "step", "count": 1},
        act(42.0, None, "mechanic", action, op="do", deviation="extra", accepted=False,
            reason=reason),
        done(60.0, "close_valve", 19.0),
        entered(60.0, "lock_disconnect", "electrician", critical=True),
        {"t": 61.0, "type": "critical", "what": "hazard", "equipment": "DS-12"},
        {"t": 62.0, "type": "alarm", "alarm": "alarm#1", "interrupted": ["lock_disconnect"],
         "states": {"ACC-3.pressure": 600000.0}},
        {"t": 64.0, "type": "resumed", "alarm": "alarm#1"},
        {"t": 65.0, "type": "fault_cleared", "fault": "stuck_valve", "target": "V-31.position",
         "effects": ["stuck"], "how": "after", "active_for": 24.0},
        {"t": 70.0, "type": "procedure_ended", "outcome": "stopped", "reason": ended,
         "omitted": []},
    ]


def compile_bundle(out_dir: Path, *, hostile: bool = False) -> tuple[Path, m.Bundle]:
    """Compile the conveyor lockout into ``out_dir``; return (bundle dir, bundle)."""
    bundle = example("loto_conveyor", out_dir, replace=_REPLACE if hostile else None)
    return out_dir / "build" / "loto-conveyor-c12", bundle


def write_log(path: Path, bundle: m.Bundle, *, hostile: bool = False) -> Path:
    header = {"type": "header", "format": "twinlang.log/1",
              "bundle": {"id": bundle.scenario.id, "content_hash": bundle.content_hash,
                         "format": "twinlang.scenario/1"},
              "dt": 0.00416666667, "player": {"name": "twinlang", "version": "0.1.0"},
              "procedure": "lockout", "seed": 7,
              "trainee": HOSTILE_TRAINEE if hostile else "trainee-1"}
    lines = [header, *events(hostile=hostile)]
    path.write_text("".join(json.dumps(x, sort_keys=True) + "\n" for x in lines),
                    encoding="utf-8")
    return path


def assessed_run(out_dir: Path, *, hostile: bool = False):
    """(assessment, run, bundle) of the hand-written log.  With ``hostile``, hostile strings
    are also put where the assessment carries text (reasons, warnings, details)."""
    bundle_dir, bundle = compile_bundle(out_dir, hostile=hostile)
    log = write_log(out_dir / "run.jsonl", bundle, hostile=hostile)
    assessment, run = assess_log(log, bundle_dir)
    if hostile:
        comp = assessment.competencies[0]
        items = [i.model_copy(update={"reasons": [*i.reasons, HOSTILE_REASON]})
                 for i in comp.critical_items]
        thresholds = [t.model_copy(update={"why": HOSTILE_REASON, "requirement":
                                           t.requirement + " " + HOSTILE_REASON})
                      for t in comp.thresholds]
        comp = comp.model_copy(update={"critical_items": items, "thresholds": thresholds,
                                       "title": HOSTILE_REASON,
                                       "reasons": [*comp.reasons, HOSTILE_REASON]})
        metrics = [mv.model_copy(update={"detail": HOSTILE_REASON}) for mv in
                   assessment.metrics]
        steps = [s.model_copy(update={"errors": [*s.errors, HOSTILE_REASON]})
                 for s in assessment.steps]
        assessment = assessment.model_copy(update={
            "competencies": [comp, *assessment.competencies[1:]], "metrics": metrics,
            "steps": steps, "warnings": [*assessment.warnings, HOSTILE_REASON]})
    return assessment, run, bundle
