"""Manual valves: turning time under a human torque limit, characteristics, locks, faults."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import effect, environment, equipment
from twinlang.player.behaviours import (
    pressure,  # noqa: F401  (registers ProcessLine)
    rotating,  # noqa: F401  (registers Pump)
)
from twinlang.player.behaviours import valves as vv

DTS = [1 / 240, 0.1]
#: one person's sustained cranking power, W, and the fastest turning rate, turns/s
POWER, MAX_RATE, GRIP = vv.CRANK_POWER, vv.MAX_TURN_RATE, vv.GRIP_TIME


def run(env, seconds: float, dt: float) -> list:
    events = []
    for _ in range(round(seconds / dt)):
        events += env.step(dt)
    return events


def handwheel_position(t: float, start: float, turns: float, torque: float) -> float:
    """Closing from ``start``: still for the grip time, then turns at the power-limited rate."""
    rate = min(MAX_RATE, POWER / (2 * math.pi * torque))  # turns/s
    return max(0.0, start - max(0.0, t - GRIP) * rate / turns)


# ---------------------------------------------------------------- timing


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize(("kind", "turns", "torque"), [
    ("GateValve", 8, 40.0), ("GlobeValve", 4, 40.0), ("GateValve", 14, 60.0),
    ("GateValve", 5, 4.0),  # light valve: limited by the turning rate, not by power
])
def test_handwheel_position_ramps_over_the_turns(kind, turns, torque, dt):
    env = environment(equipment(kind, "V-1", turns_to_close=turns,
                                operating_torque=f"{torque} N*m"))
    v = env["V-1"]
    out = v.act("close", actor="mechanic")
    rate = min(MAX_RATE, POWER / (2 * math.pi * torque))
    assert out.accepted
    assert out.duration == pytest.approx(GRIP + turns / rate, rel=1e-9)
    checked = 0
    for frac in (0.25, 0.5, 0.75):
        run(env, frac * out.duration - env.t, dt)
        expected = handwheel_position(env.t, 1.0, turns, torque)
        assert v.states["position"] == pytest.approx(expected, rel=0.02, abs=1e-9)
        checked += 1
    events = run(env, out.duration - env.t + 2 * dt, dt)
    assert v.states["position"] == 0.0
    assert v.passes("hydraulic") == 0.0
    assert any(e.kind == "limit" for e in events)
    assert checked == 3


@pytest.mark.parametrize("dt", DTS)
def test_ball_valve_swings_a_quarter_turn(dt):
    env = environment(equipment("BallValve", "BV-1", initial={"position": "0 %"}))
    v = env["BV-1"]
    out = v.act("open")
    assert out.duration == pytest.approx(GRIP / 2 + vv.LEVER_SWING_TIME)
    run(env, GRIP / 2 + vv.LEVER_SWING_TIME / 2, dt)
    expected = (env.t - GRIP / 2) / vv.LEVER_SWING_TIME
    assert v.states["position"] == pytest.approx(expected, rel=0.02)
    run(env, vv.LEVER_SWING_TIME, dt)
    assert v.states["position"] == 1.0


def test_partial_opening_with_at():
    env = environment(equipment("GlobeValve", "V-1", initial={"position": "0 %"}))
    out = env["V-1"].act("open", at=0.5)
    run(env, out.duration + 0.1, 0.1)
    assert env["V-1"].states["position"] == pytest.approx(0.5)


def test_operating_a_valve_already_there_takes_only_a_check():
    env = environment(equipment("GateValve", "V-1"))
    out = env["V-1"].act("open")
    assert out.accepted and out.duration == GRIP and "already" in out.reason


# ---------------------------------------------------------------- what passes


@pytest.mark.parametrize(("kind", "law"), [
    ("GateValve", math.sqrt),
    ("GlobeValve", lambda x: x),
    ("BallValve", lambda x: (30 ** x - 1) / 29),
])
def test_position_to_flow_share(kind, law):
    env = environment(equipment(kind, "V-1"))
    v = env["V-1"]
    for x in (0.0, 0.1, 0.5, 0.9, 1.0):
        v.states["position"] = x
        assert v.passes("pneumatic") == pytest.approx(law(x), abs=1e-12)
    v.states["position"] = 1.0
    assert v.passes("electrical") == 0.0  # a valve carries no electricity


def test_flow_follows_the_pump_that_feeds_the_valve():
    env = environment(equipment("Pump", "P-1", feeds=["V-1"], rated_flow="36 m^3/h"),
                      equipment("GateValve", "V-1", initial={"position": "50 %"}))
    env.step(0.01)
    assert env["V-1"].observe()["flow"] == pytest.approx(math.sqrt(0.5) * 0.01, rel=1e-6)


def test_valve_with_no_source_passes_a_full_bore_flow():
    env = environment(equipment("GlobeValve", "V-1", size="2 in",
                                initial={"position": "25 %"}))
    area = math.pi / 4 * 0.0508 ** 2
    assert env["V-1"].observe()["flow"] == pytest.approx(0.25 * area * vv.LIQUID_VELOCITY)


# ---------------------------------------------------------------- refusals and locks


def test_a_valve_can_be_locked_only_when_closed():
    env = environment(equipment("GateValve", "V-1", turns_to_close=5,
                                operating_torque="25 N*m"))
    v = env["V-1"]
    refused = v.apply("lock", "mechanic")
    assert not refused.accepted and "safe position" in refused.reason
    out = v.act("close")
    run(env, out.duration / 2, 0.1)
    assert not v.apply("lock", "mechanic").accepted  # still turning
    run(env, out.duration, 0.1)
    assert v.apply("lock", "mechanic").accepted
    opened = v.act("open", actor="operator")
    assert not opened.accepted
    assert "locked by `mechanic`" in opened.reason
    run(env, 30, 0.1)
    assert v.states["position"] == 0.0
    assert v.remove("lock", "mechanic").accepted
    assert v.act("open").accepted


def test_a_failed_lock_does_not_hold_the_valve():
    env = environment(equipment("GateValve", "V-1", initial={"position": "0 %"}))
    v = env["V-1"]
    assert v.apply("lock", "mechanic").accepted
    assert not v.act("open").accepted
    fault = effect("lock_failure")
    v.inject(fault)
    out = v.act("open")
    assert out.accepted
    run(env, out.duration + 0.1, 0.1)
    assert v.states["position"] == 1.0


def test_a_tag_alone_does_not_stop_anyone():
    env = environment(equipment("GateValve", "V-1"))
    assert env["V-1"].apply("tag", "mechanic").accepted
    assert env["V-1"].act("close").accepted


@pytest.mark.parametrize(("params", "ok"), [
    # API 6D sizing: no diameter given, the wheel is as large as 360 N needs
    ({"breakaway_torque": "100 N*m"}, True),
    # the author's 200 mm wheel: 100 N*m needs 1000 N at the rim
    ({"breakaway_torque": "100 N*m", "handwheel_diameter": "200 mm"}, False),
    ({"breakaway_torque": "36 N*m", "handwheel_diameter": "200 mm",
      "operating_torque": "20 N*m"}, True),
    # even a 1065 mm wheel needs 470 N for 250 N*m
    ({"breakaway_torque": "250 N*m"}, False),
])
def test_breakaway_beyond_one_person_is_refused(params, ok):
    env = environment(equipment("GateValve", "V-1", **params))
    out = env["V-1"].act("close")
    assert out.accepted is ok
    if not ok:
        assert "360 N" in out.reason and "valve wrench" in out.reason
        run(env, 5, 0.1)
        assert env["V-1"].states["position"] == 1.0


def test_default_breakaway_is_at_least_one_and_a_half_times_running():
    # running 150 N*m -> breakaway 225 N*m -> 423 N on the largest (1065 mm) wheel
    env = environment(equipment("GlobeValve", "V-1", operating_torque="150 N*m"))
    out = env["V-1"].act("close")
    assert not out.accepted and "423 N" in out.reason


def test_ball_valve_lever_limit():
    heavy = environment(equipment("BallValve", "BV-1", breakaway_torque="250 N*m"))
    out = heavy["BV-1"].act("close")
    assert not out.accepted and "833 N" in out.reason and "gear operator" in out.reason
    light = environment(equipment("BallValve", "BV-1"))  # 49 N*m on 300 mm: 163 N
    assert light["BV-1"].act("close").accepted


def test_a_verb_the_kind_does_not_accept_is_refused():
    env = environment(equipment("GateValve", "V-1"))
    out = env["V-1"].act("bleed")
    assert not out.accepted and "does not accept `bleed`" in out.reason
    assert env["V-1"].act("inspect").accepted


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("dt", DTS)
def test_stuck_valve_binds_then_closes_when_freed(dt):
    env = environment(equipment("GateValve", "V-31", turns_to_close=5,
                                operating_torque="25 N*m"))
    v = env["V-31"]
    stuck = effect("stuck", value="60 %", value_type="fraction")
    v.inject(stuck)
    out = v.act("close")
    events = run(env, out.duration + 10, dt)
    assert v.states["position"] == pytest.approx(0.6)
    assert [e.kind for e in events] == ["stuck"]
    assert not v.apply("lock", "mechanic").accepted
    v.clear(stuck)
    rate = min(MAX_RATE, POWER / (2 * math.pi * 25.0)) / 5  # stroke per second
    run(env, 0.3 / rate, dt)
    assert v.states["position"] == pytest.approx(0.3, abs=0.02)
    run(env, 0.3 / rate + 1, dt)
    assert v.states["position"] == 0.0


def test_stuck_without_a_value_freezes_the_valve_where_it_is():
    env = environment(equipment("GlobeValve", "V-1", initial={"position": "40 %"}))
    v = env["V-1"]
    v.inject(effect("stuck"))
    out = v.act("open")
    assert out.accepted
    run(env, out.duration + 5, 0.1)
    assert v.states["position"] == pytest.approx(0.4)


def test_leaking_closed_valve_passes_the_leak():
    env = environment(equipment("GateValve", "V-702", size="3 in",
                                initial={"position": "0 %"}))
    v = env["V-702"]
    assert v.observe()["flow"] == 0.0 and v.passes("chemical") == 0.0
    leak = effect("leak", value="60 L/min", value_type="flow")
    v.inject(leak)
    env.step(0.1)
    assert v.observe()["flow"] == pytest.approx(1e-3)
    full_bore = math.pi / 4 * 0.0762 ** 2 * vv.LIQUID_VELOCITY
    assert v.passes("chemical") == pytest.approx(1e-3 / full_bore)
    v.clear(leak)
    assert v.observe()["flow"] == 0.0


def test_leak_needs_something_upstream_to_leak():
    env = environment(equipment("ProcessLine", "GH-1", operating_pressure="0.03 bar",
                                phase="gas", initial={"pressure": "0 bar"}),
                      equipment("GateValve", "V-702", isolates=["GH-1"],
                                initial={"position": "0 %"}))
    v = env["V-702"]
    v.inject(effect("leak", value="60 L/min", value_type="flow"))
    assert v.passes("chemical") == 0.0 and v.observe()["flow"] == 0.0
    env["GH-1"].states["pressure"] = 3000.0  # the header holds gas again
    assert v.observe()["flow"] == pytest.approx(1e-3)


def test_drift_moves_the_reading_not_the_valve():
    env = environment(equipment("GateValve", "V-1"))
    v = env["V-1"]
    drift = effect("drift", value="-1 %", value_type="fraction", per="1 min",
                   equipment="V-1", state="position")
    v.inject(drift)
    run(env, 120, 0.1)
    assert v.observe()["position"] == pytest.approx(0.98, abs=1e-6)
    assert v.states["position"] == 1.0
    v.clear(drift)
    env.step(0.1)
    assert v.observe()["position"] == 1.0


def test_sensor_failure_shows_the_failed_reading():
    env = environment(equipment("GateValve", "V-1"))
    v = env["V-1"]
    v.inject(effect("sensor_failure", value="0 %", value_type="fraction",
                    equipment="V-1", state="position"))
    assert v.observe()["position"] == 0.0 and v.states["position"] == 1.0


def test_long_run_stays_finite():
    env = environment(equipment("Pump", "P-1", feeds=["V-1"]),
                      equipment("GateValve", "V-1"), equipment("BallValve", "V-2"),
                      equipment("GlobeValve", "V-3"))
    for cycle in range(40):
        for vid in ("V-1", "V-2", "V-3"):
            env[vid].act("close" if cycle % 2 == 0 else "open")
        run(env, 90, 0.1)
        for vid in ("V-1", "V-2", "V-3"):
            obs = env[vid].observe()
            assert all(math.isfinite(x) for x in obs.values())
            assert 0.0 <= obs["position"] <= 1.0
    assert env.t == pytest.approx(40 * 90)
