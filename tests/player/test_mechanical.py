"""Springs and raised loads: stored energy until released or blocked."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import effect, environment, equipment
from twinlang.player.behaviours import mechanical as mech

DTS = [1 / 240, 0.1]
G = 9.80665


def run(env, seconds: float, dt: float) -> list:
    events = []
    for _ in range(max(0, round(seconds / dt))):
        events += env.step(dt)
    return events


def spring(**kw):
    return environment(equipment("SpringMechanism", "SP-1", **kw))


def load(**kw):
    return environment(equipment("RaisedLoad", "RL-1", **kw))


# ---------------------------------------------------------------- stored energy


def test_spring_energy_from_force_and_stroke():
    env = spring(spring_force="2 kN", stroke="50 mm")
    assert env["SP-1"].stored() == {"mechanical_spring": pytest.approx(0.5 * 2000 * 0.05)}


def test_spring_energy_given_directly_wins():
    env = spring(spring_force="2 kN", stored_energy="80 J")
    assert env["SP-1"].stored()["mechanical_spring"] == pytest.approx(80.0)


def test_spring_with_no_data_stores_nothing_known():
    assert spring()["SP-1"].stored()["mechanical_spring"] == 0.0


def test_raised_load_energy():
    env = load(load_mass="500 kg", height="1.2 m")
    assert env["RL-1"].stored() == {"gravitational": pytest.approx(500 * G * 1.2)}


# ---------------------------------------------------------------- release


@pytest.mark.parametrize("dt", DTS)
def test_spring_release_backs_off_the_compression(dt):
    env = spring(spring_force="4 kN", stroke="100 mm")
    sp = env["SP-1"]
    e0 = 0.5 * 4000 * 0.1
    out = sp.act("release", actor="mechanic")
    grip, travel = mech.HANDLING_TIME, mech.SPRING_RELEASE_TIME
    assert out.accepted and out.duration == pytest.approx(grip + travel)
    for frac in (0.25, 0.5, 0.75):
        run(env, grip + frac * travel - env.t, dt)
        x = 1 - (env.t - grip) / travel  # remaining compression share
        assert sp.stored()["mechanical_spring"] == pytest.approx(e0 * x * x, rel=0.02)
        assert sp.states["condition"] == "loaded"
    events = run(env, out.duration - env.t + 2 * dt, dt)
    assert sp.states["condition"] == "released"
    assert sp.stored()["mechanical_spring"] == 0.0
    assert [e.kind for e in events] == ["released"]
    again = sp.act("release")
    assert again.accepted and "already released" in again.reason


@pytest.mark.parametrize("dt", DTS)
def test_raised_load_lowers_at_a_controlled_speed(dt):
    env = load(load_mass="800 kg", height="1.5 m")
    rl = env["RL-1"]
    out = rl.act("release")
    travel = 1.5 / mech.LOWERING_SPEED
    assert out.duration == pytest.approx(mech.HANDLING_TIME + travel)
    run(env, mech.HANDLING_TIME + travel / 2, dt)
    h = 1.5 - (env.t - mech.HANDLING_TIME) * mech.LOWERING_SPEED
    assert rl.height() == pytest.approx(h, rel=0.02)
    assert rl.stored()["gravitational"] == pytest.approx(800 * G * h, rel=0.02)
    run(env, travel, dt)
    assert rl.states["condition"] == "lowered" and rl.stored()["gravitational"] == 0.0


# ---------------------------------------------------------------- blocking


def test_block_holds_the_load_and_release_is_refused():
    env = load(load_mass="300 kg", height="1 m")
    rl = env["RL-1"]
    assert rl.apply("block", "mechanic").accepted
    assert rl.states["condition"] == "blocked"
    assert rl.stored()["gravitational"] == pytest.approx(300 * G)  # still stored
    out = rl.act("release")
    assert not out.accepted and "block" in out.reason
    run(env, 20, 0.1)
    assert rl.height() == 1.0
    assert rl.remove("block", "mechanic").accepted
    assert rl.states["condition"] == "raised"
    assert rl.act("release").accepted


def test_block_applied_during_the_release_stops_it_where_it_is():
    env = spring(stored_energy="100 J")
    sp = env["SP-1"]
    sp.act("release")
    run(env, mech.HANDLING_TIME + mech.SPRING_RELEASE_TIME / 2, 0.1)
    left = sp.stored()["mechanical_spring"]
    assert 0.0 < left < 100.0
    sp.apply("block", "mechanic")
    run(env, 10, 0.1)
    assert sp.stored()["mechanical_spring"] == pytest.approx(left)
    assert sp.states["condition"] == "blocked"


def test_blocked_at_the_start():
    env = spring(stored_energy="50 J", initial={"condition": "blocked"})
    sp = env["SP-1"]
    assert not sp.act("release").accepted
    assert sp.remove("block", None).accepted
    assert sp.states["condition"] == "loaded"


def test_released_at_the_start_stores_nothing():
    env = load(load_mass="100 kg", initial={"condition": "lowered"})
    assert env["RL-1"].stored()["gravitational"] == 0.0


# ---------------------------------------------------------------- refusals and faults


def test_refusals():
    env = spring(stored_energy="50 J")
    out = env["SP-1"].act("open")
    assert not out.accepted and "does not accept `open`" in out.reason
    assert not env["SP-1"].apply("lock", "mechanic").accepted  # not lockable


def test_jammed_mechanism_does_not_move():
    env = spring(stored_energy="50 J")
    sp = env["SP-1"]
    jam = effect("stuck")
    sp.inject(jam)
    out = sp.act("release")
    assert out.accepted and "jammed" in out.reason
    run(env, 20, 0.1)
    assert sp.stored()["mechanical_spring"] == pytest.approx(50.0)
    assert sp.states["condition"] == "loaded"


def test_sensor_failure_on_the_condition():
    env = load(load_mass="100 kg")
    rl = env["RL-1"]
    rl.inject(effect("sensor_failure", value="lowered", equipment="RL-1", state="condition"))
    assert rl.observe()["condition"] == "lowered" and rl.states["condition"] == "raised"


def test_long_run_stays_finite():
    env = environment(equipment("SpringMechanism", "SP-1", spring_force="1 kN"),
                      equipment("RaisedLoad", "RL-1", load_mass="2 t", height="3 m"))
    for cycle in range(20):
        for bid in ("SP-1", "RL-1"):
            b = env[bid]
            if cycle % 3 == 0:
                b.apply("block", "mechanic")
            elif cycle % 3 == 1:
                b.remove("block", "mechanic")
            b.act("release")
        run(env, 30, 0.1)
        for b in env.behaviours.values():
            assert all(math.isfinite(v) and v >= 0 for v in b.stored().values())
    assert env["RL-1"].states["condition"] == "lowered"
