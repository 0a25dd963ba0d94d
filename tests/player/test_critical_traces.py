"""Issue 5 done-when: hand-written traces that skip the try-out, remove a lock early, enter
before testing the atmosphere, or work before the live-dead-live test produce the right
critical events.  The traces (tests/player/traces/) were derived from expert runs of the
examples with the long work steps cut to 1 min, then edited."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinlang.bundle import load
from twinlang.player.runner import play
from twinlang.player.trace import load_trace

from .factory import example

TRACES = Path(__file__).parent / "traces"


def _run(tmp_path, name, replace, trace, faults):
    example(name, tmp_path, replace=replace)
    bdir = next((tmp_path / "build").iterdir())
    return play(bdir, world=False, faults=faults,
                trace=load_trace(TRACES / trace, load(bdir))).events


def _critical(events, **match):
    return [e for e in events if e["type"] == "critical"
            and all(e.get(k) == v for k, v in match.items())]


def test_skipping_the_try_out_with_the_disconnect_closed(tmp_path):
    """The disconnect is never opened (its lock is refused) and the try-out is skipped:
    the belt is worked on with 480 V at the drive."""
    ev = _run(tmp_path, "loto_conveyor", {"for 45 min": "for 1 min"},
              "conveyor_skip_tryout.jsonl", False)
    assert _critical(ev, what="critical step skipped", step="tryout")
    (exposed,) = _critical(ev, what="worker exposed to hazardous energy", equipment="DS-12")
    assert exposed["energized"] is True and exposed["step"] == "work"
    refused = [e for e in ev if e["type"] == "action" and e["action"] == "apply lock to DS-12"]
    assert refused[0]["accepted"] is False


def test_removing_a_lock_while_the_work_is_under_way(tmp_path):
    """The electrician takes the disconnect lock off during the belt work and the operator
    closes the disconnect and starts the drive: the worker on the belt is exposed to the
    480 V supply and to the moving drive."""
    ev = _run(tmp_path, "loto_conveyor", {"for 45 min": "for 1 min"},
              "conveyor_early_unlock.jsonl", False)
    unlock = next(e for e in ev if e["type"] == "action"
                  and e["action"] == "remove lock from DS-12")
    assert unlock["accepted"] and unlock["deviation"] == "out_of_order"
    (live,) = _critical(ev, what="worker exposed to hazardous energy", equipment="DS-12")
    assert live["energized"] is True and live["step"] == "work"
    (moving,) = _critical(ev, what="worker exposed to hazardous energy", equipment="M-12")
    assert moving["stored_j"] > 0 and moving["t"] > unlock["t"]
    assert not [e for e in ev if e["type"] == "step_skipped" and e["step"] == "work"]


def test_entering_the_tank_before_testing_the_atmosphere(tmp_path):
    """The vent header valve passes digester gas from the isolation on; the entrant goes
    in without testing or ventilating: entry into a hazardous atmosphere."""
    ev = _run(tmp_path, "tank_entry",
              {"for 40 min": "for 1 min", "wait 30 min": "wait 1 min",
               "trigger at step work\n  effect leak": "trigger at step isolate\n  effect leak"},
              "tank_enter_before_test.jsonl", {"vent_valve_passes"})
    assert any(e["type"] == "fault_injected" and e["fault"] == "vent_valve_passes" for e in ev)
    (hazard,) = _critical(ev, what="hazard", hazard="atmosphere", equipment="TK-7")
    assert hazard["entering"] is True and hazard["occupants"] == 1
    assert {"lel", "h2s"} <= set(hazard["conditions"])
    ended = ev[-1]
    assert {"test_oxygen", "test_lel", "test_h2s"} <= set(ended["omitted"])


def test_working_before_the_live_dead_live_test(tmp_path):
    """The PV breaker is left closed, the tester is dead from the lockout on, the tester is
    not proven and the electrician goes to work after one (false) dead reading."""
    ev = _run(tmp_path, "eswc_panel",
              {"for 30 min": "for 1 min", "trigger at step test_ab": "trigger at step lock"},
              "eswc_touch_before_test.jsonl", True)
    assert _critical(ev, what="critical step skipped", step="verify_before")
    assert _critical(ev, what="critical step skipped", step="test_bc")
    (exposed,) = _critical(ev, what="worker exposed to hazardous energy", equipment="CB-4P")
    assert exposed["energized"] is True and exposed["step"] == "work"
    # the dead tester said "dead" on a live bus
    met = [e for e in ev if e["type"] == "expectation_met" and e["step"] == "test_ab"]
    assert met and any(e["type"] == "fault_injected" and e["fault"] == "tester_battery"
                       for e in ev)


@pytest.mark.parametrize("trace", sorted(p.name for p in TRACES.glob("*.jsonl")))
def test_trace_files_are_json_lines(trace):
    import json

    for line in (TRACES / trace).read_text(encoding="utf-8").splitlines():
        keys = set(json.loads(line))
        assert {"t", "by"} <= keys and len(keys & {"action", "verify", "choose", "hint"}) == 1
