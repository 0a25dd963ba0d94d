"""Fault injection on the compiled conveyor lockout: triggers, clearing, seeded randomness,
and effects that reach the behaviours."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment
from twinlang.player.engine import Engine
from twinlang.player.faults import DEFAULT_EVERY, FaultInjector, derived_seed
from twinlang.player.log import EventLog
from twinlang.player.runner import DT, play
from twinlang.player.trace import parse_action

from .factory import example

#: Extra faults on the conveyor, each played alone with `play(..., faults={id})`.
EXTRA = """
fault at_time "Valve binds at 10 s" on V-31.position {
  trigger at time 10 s
  effect stuck at 100 %
  clears after 5 s
}

fault on_condition "Valve binds once the disconnect is off" on V-31.position {
  trigger when DS-12.handle == off
  effect stuck at 100 %
  clears when SS-12.position == off
}

fault until_locked "Valve binds until the valve is locked" on V-31.position {
  trigger at step close_valve
  effect stuck at 60 %
  clears on step lock_valve
}

fault for_ever "Valve binds for good" on V-31.position {
  trigger at step close_valve
  effect stuck at 60 %
  clears never
}

fault flaky "Valve binds now and then" on V-31.position {
  trigger random probability 20 % every 2 s
  effect stuck at 100 %
  clears after 3 s
}

fault flaky_seeded "Valve binds now and then (own seed)" on V-31.position {
  trigger random probability 20 % seed 42
  effect stuck at 100 %
  clears after 3 s
}

fault horn "Control room calls" on DS-12 {
  trigger at step check_blades
  effect alarm "Control room: line 1 drive tripped on overload"
  clears never
}

"""

MARK = "# ---------------------------------------------------------------- competency"


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faults")
    example("loto_conveyor", out, replace={"for 45 min": "for 1 min", MARK: EXTRA + MARK})
    return next((out / "build").iterdir())


def _of(events, type_, **match):
    return [e for e in events if e["type"] == type_
            and all(e.get(k) == v for k, v in match.items())]


def _entered(events, step):
    return _of(events, "step_entered", step=step)[0]["t"]


# ---------------------------------------------------------------- triggers


def test_step_trigger_fires_when_the_step_is_entered(conveyor):
    run = play(conveyor, world=False, faults={"stuck_valve"})
    (inj,) = _of(run.events, "fault_injected")
    assert inj["fault"] == "stuck_valve" and inj["trigger"] == "step"
    assert inj["target"] == "V-31.position" and inj["effects"] == ["stuck"]
    assert inj["t"] == _entered(run.events, "close_valve")


def test_time_trigger_and_after_clearing(conveyor):
    run = play(conveyor, world=False, faults={"at_time"})
    (inj,) = _of(run.events, "fault_injected", fault="at_time")
    (clr,) = _of(run.events, "fault_cleared", fault="at_time")
    assert inj["trigger"] == "time" and 10.0 <= inj["t"] < 10.0 + 2 * DT
    assert clr["how"] == "after" and clr["t"] == pytest.approx(inj["t"] + 5.0, abs=2 * DT)


def test_when_trigger_fires_on_the_rising_edge_and_when_clearing(conveyor):
    run = play(conveyor, world=False, faults={"on_condition"})
    ev = run.events
    (inj,) = _of(ev, "fault_injected", fault="on_condition")
    opened = _of(ev, "action", action="open DS-12")[0]["t"]
    met = _of(ev, "expectation_met", step="open_disconnect")[0]["t"]
    assert inj["trigger"] == "when"
    assert opened < inj["t"] <= met  # the handle reached off while the action went on
    (clr,) = _of(ev, "fault_cleared", fault="on_condition")
    turned = _of(ev, "action", action="position SS-12 at off")[0]["t"]
    assert clr["how"] == "when" and turned < clr["t"] <= turned + 2.0
    # the disconnect stays off for a long time: one rising edge, one firing
    assert len(_of(ev, "fault_injected")) == 1


def test_step_clearing_when_that_step_completes(conveyor):
    run = play(conveyor, world=False, faults={"until_locked"})
    (clr,) = _of(run.events, "fault_cleared", fault="until_locked")
    done = _of(run.events, "step_completed", step="lock_valve")
    assert clr["how"] == "step" and done and clr["t"] == done[0]["t"]


def test_alarm_effect_is_a_message_in_the_log(conveyor):
    run = play(conveyor, world=False, faults={"horn"})
    (alarm,) = _of(run.events, "fault_alarm")
    assert alarm["message"] == "Control room: line 1 drive tripped on overload"
    assert alarm["fault"] == "horn" and alarm["t"] == _entered(run.events, "check_blades")
    assert run.outcome == "completed"
    assert not _of(run.events, "fault_cleared")  # clears never


# ---------------------------------------------------------------- randomness


def _times(conveyor, fault, seed):
    run = play(conveyor, world=False, faults={fault}, seed=seed)
    return [e["t"] for e in _of(run.events, "fault_injected", fault=fault)], run.events


def test_random_faults_are_reproducible_and_depend_on_the_seed(conveyor):
    a, events = _times(conveyor, "flaky", 1)
    b, _ = _times(conveyor, "flaky", 1)
    c, _ = _times(conveyor, "flaky", 2)
    assert a and a == b
    assert a != c
    # draws every 2 s: a firing is at a multiple of the interval
    assert all(abs(t / 2.0 - round(t / 2.0)) < 0.01 for t in a)
    # it fires again only after it has cleared
    kinds = [e["type"] for e in events if e["type"] in ("fault_injected", "fault_cleared")]
    assert kinds[:2] == ["fault_injected", "fault_cleared"]
    assert all(x != y for x, y in pairwise(kinds))
    counts = [e["count"] for e in _of(events, "fault_injected")]
    assert counts == list(range(1, len(counts) + 1))


def test_a_fault_seed_wins_over_the_run_seed(conveyor):
    a, _ = _times(conveyor, "flaky_seeded", 1)
    b, _ = _times(conveyor, "flaky_seeded", 2)
    assert a and a == b
    assert all(abs(t / DEFAULT_EVERY - round(t / DEFAULT_EVERY)) < 0.01 for t in a)


def test_derived_seeds_are_stable_and_distinct():
    assert derived_seed(1, "flaky", 0) == derived_seed(1, "flaky", 0)
    assert len({derived_seed(1, "flaky", 0), derived_seed(2, "flaky", 0),
                derived_seed(1, "other", 0), derived_seed(1, "flaky", 1)}) == 4


# ---------------------------------------------------------------- effects on the plant


def _rig(conveyor, only):
    """The runner's parts, driven by hand."""
    from twinlang.bundle import load

    bundle = load(conveyor)
    load_behaviours()
    env = Environment(bundle, seed=0)
    log = EventLog(None, {"seed": 0})
    engine = Engine(bundle, bundle.procedures[0], env, log)
    faults = FaultInjector(bundle, engine, env, log, seed=0, only=only)
    return bundle, env, engine, faults, log


def _advance(env, engine, faults, seconds, watch=None):
    seen = []
    for _ in range(round(seconds / DT)):
        env.step(DT)
        faults.tick()
        engine.tick()
        if watch is not None:
            seen.append(watch())
    return seen


def test_the_effect_reaches_the_behaviour_with_the_fault_target(conveyor):
    _b, env, engine, faults, _log = _rig(conveyor, {"stuck_valve"})
    engine.start()
    valve = env["V-31"]
    # the expert's first steps, up to closing the valve
    while "close_valve" not in engine.active:
        for st in list(engine.active.values()):
            for act in list(st.pending):
                engine.act(st.node.performed_by, act)
        _advance(env, engine, faults, 1.0)
    (effect,) = valve.faults
    assert effect.kind == "stuck" and effect.state.equipment == "V-31"
    assert effect.state.state == "position"  # filled from the fault's target
    engine.act("mechanic", parse_action("close V-31"))
    injected = env.t
    positions = _advance(env, engine, faults, 85.0, lambda: valve.states["position"])
    # the valve runs from open to the binding point and stays there
    assert min(positions) == pytest.approx(0.6)
    assert positions[-1] == pytest.approx(0.6)
    assert faults.active() == ["stuck_valve"]
    _advance(env, engine, faults, injected + 90.0 + 2 * DT - env.t)
    assert faults.active() == [] and valve.faults == []


def test_expert_run_with_the_stuck_valve_waits_for_it(conveyor):
    """The valve binds at 60 % for 90 s; the close expectation has 2 min, so the expert
    run still completes: the valve is closed only after the fault cleared."""
    run = play(conveyor, world=False, faults={"stuck_valve"})
    ev = run.events
    assert run.outcome == "completed"
    (stuck,) = [e for e in ev if e["type"] == "physics" and e["kind"] == "stuck"]
    assert stuck["equipment"] == "V-31" and stuck["position"] == pytest.approx(0.6)
    (clr,) = _of(ev, "fault_cleared", fault="stuck_valve")
    (met,) = _of(ev, "expectation_met", step="close_valve")
    assert met["t"] > clr["t"]
    assert not _of(ev, "expectation_failed") and not _of(ev, "critical")


def test_expert_run_with_a_valve_stuck_for_good_records_the_failure(conveyor):
    run = play(conveyor, world=False, faults={"for_ever"})
    ev = run.events
    (failed,) = _of(ev, "expectation_failed", step="close_valve")
    assert failed["expect"] == "V-31.position == 0 %"
    assert failed["t"] == pytest.approx(_entered(ev, "close_valve") + 17.708 + 120, abs=1.0)
    # a valve that is not closed cannot be locked: the lock is refused and logged
    lock = _of(ev, "action", action="apply lock to V-31")
    assert lock and lock[0]["accepted"] is False
    assert not _of(ev, "fault_cleared")
