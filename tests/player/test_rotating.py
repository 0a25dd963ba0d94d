"""Motors, pumps, conveyors: coast-down against closed forms, start only when energized."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import effect, environment, equipment
from twinlang.player.behaviours import rotating as rot
from twinlang.player.behaviours.base import Behaviour

DTS = [1 / 240, 0.1]
EPS = rot.FRICTION_SHARE
W0 = 1750 * 2 * math.pi / 60


class Switch(Behaviour):
    """A stand-in disconnect: passes electrical energy while closed."""

    closed = True

    def passes(self, energy: str) -> float:
        return 1.0 if self.closed else 0.0


def with_switch(*eqs):
    env = environment(equipment("Disconnect", "DS-1", feeds=[eqs[0].id]), *eqs)
    sw = Switch(env.bundle.equipment[0], env)
    env.behaviours["DS-1"] = sw
    return env, sw


def run(env, seconds: float, dt: float) -> list:
    events = []
    for _ in range(max(0, round(seconds / dt))):
        events += env.step(dt)
    return events


def closed_form(law: str, j: float, w0: float, t_stop: float):
    """w(t) of J dw/dt = -T(w), calibrated (independently of the module) to stop at t_stop."""
    if law == "constant":
        t0 = j * w0 / t_stop
        return lambda t: max(0.0, w0 - t0 / j * t), (lambda w: t0)
    if law == "linear":
        b = j * math.log(1 + 1 / EPS) / t_stop
        tc = EPS * b * w0
        return (lambda t: max(0.0, (w0 + tc / b) * math.exp(-b * t / j) - tc / b),
                lambda w: tc + b * w)
    c = j * math.atan(1 / math.sqrt(EPS)) / (t_stop * w0 * math.sqrt(EPS))
    tc = EPS * c * w0 * w0
    s = math.sqrt(tc / c)

    def w_of(t):
        theta = math.atan(w0 / s) - math.sqrt(tc * c) / j * t
        return s * math.tan(theta) if theta > 0 else 0.0

    return w_of, (lambda w: tc + c * w * w)


def rk4_reference(torque, j: float, w0: float, t_end: float, h: float = 1e-3) -> float:
    w, t = w0, 0.0
    f = lambda y: -torque(y) / j if y > 0 else 0.0  # noqa: E731
    while t < t_end - 1e-12:
        hh = min(h, t_end - t)
        k1 = f(w)
        k2 = f(w + hh / 2 * k1)
        k3 = f(w + hh / 2 * k2)
        k4 = f(w + hh * k3)
        w = max(0.0, w + hh * (k1 + 2 * k2 + 2 * k3 + k4) / 6)
        t += hh
    return w


# ---------------------------------------------------------------- coast-down


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize("law", ["constant", "linear", "quadratic"])
def test_coast_down_follows_the_closed_form_and_stops_at_coast_down(law, dt):
    env, sw = with_switch(equipment("Motor", "M-12", coast_down="25 s",
                                    rotor_inertia="0.06 kg*m^2", load_torque_law=law))
    m = env["M-12"]
    w_of, torque = closed_form(law, 0.06, W0, 25.0)
    sw.closed = False  # supply removed: the motor coasts
    env.step(dt)
    t0 = 0.0  # it coasts during the first step already
    stopped_at = None
    worst = 0.0
    while env.t < 30:
        events = env.step(dt)
        w = m.states["speed"]
        exact = w_of(env.t - t0)
        if exact > 0.01 * W0:
            worst = max(worst, abs(w - exact) / exact)
        if stopped_at is None and any(e.kind == "stopped" for e in events):
            stopped_at = env.t - t0
    assert worst < 0.02
    assert stopped_at == pytest.approx(25.0, rel=0.02)
    assert m.states["status"] == "stopped" and m.states["current"] == 0.0
    # the closed form itself solves the ODE (fine-step RK4 reference)
    for t in (2.0, 10.0, 20.0):
        assert rk4_reference(torque, 0.06, W0, t) == pytest.approx(w_of(t), rel=0.02)


def test_coast_down_without_data_uses_the_rated_torque():
    # constant law: t_stop = J w0 / T_rated, T_rated = P / w0
    env = environment(equipment("Motor", "M-1", load_torque_law="constant"))
    m = env["M-1"]
    t_stop = 0.05 * W0 / (7500 / W0)
    m.act("stop")
    run(env, t_stop / 2, 1 / 240)
    assert m.states["speed"] == pytest.approx(W0 * (1 - env.t / t_stop), rel=0.02)
    run(env, t_stop, 1 / 240)
    assert m.states["speed"] == 0.0


@pytest.mark.parametrize("law", ["linear", "quadratic"])
def test_derived_coast_down_load_at_rated_speed_is_the_rated_torque(law):
    c = rot.CoastLaw.from_load(law, 0.05, W0, 7500 / W0)
    assert c.torque(W0) == pytest.approx(7500 / W0)
    assert c.advance(W0, c.t_stop * 1.0001) == 0.0
    assert c.advance(W0, c.t_stop * 0.99) > 0.0


def test_zero_coast_down_stops_at_once():
    env = environment(equipment("Motor", "M-1", coast_down="0 s"))
    env["M-1"].act("stop")
    env.step(1 / 240)
    assert env["M-1"].states["speed"] == 0.0


# ---------------------------------------------------------------- energization


def test_try_start_does_nothing_without_supply_and_starts_with_it():
    env, sw = with_switch(equipment("Motor", "M-12", coast_down="25 s",
                                    rotor_inertia="0.06 kg*m^2", load_torque_law="constant"))
    m = env["M-12"]
    sw.closed = False
    events = run(env, 30, 0.1)
    assert [e.kind for e in events] == ["deenergized", "stopped"]
    out = m.act("try_start", actor="mechanic")
    assert out.accepted and "no energy" in out.reason
    events = run(env, 10, 0.1)
    assert m.states["speed"] == 0.0 and not events
    sw.closed = True  # supply back: the starter dropped out, no restart by itself
    events = run(env, 10, 0.1)
    assert m.states["speed"] == 0.0 and not events
    out = m.act("try_start", actor="mechanic")
    assert out.accepted and not out.reason
    t_act = env.t
    events = env.step(1 / 240)
    assert [e.kind for e in events] == ["started"]
    assert events[0].detail["actor"] == "mechanic"
    assert m.states["status"] == "running"
    # run-up with the rated torque as net accelerating torque: J w / T_rated
    t_run = 0.06 * W0 / (7500 / W0)
    run(env, t_run / 2, 1 / 240)
    assert m.states["speed"] == pytest.approx(W0 * (env.t - t_act) / t_run, rel=0.02)
    assert m.states["current"] == pytest.approx(6 * 7500 / (math.sqrt(3) * 480 * 0.75))
    run(env, t_run, 1 / 240)
    assert m.states["speed"] == W0
    assert m.states["current"] == pytest.approx(7500 / (math.sqrt(3) * 480 * 0.75))
    assert m.act("start").accepted and not env.step(0.1)  # already running: no event


def test_stop_then_start_while_supplied():
    env = environment(equipment("Motor", "M-1", coast_down="5 s"))
    m = env["M-1"]
    m.act("stop")
    run(env, 6, 0.1)
    assert m.states["speed"] == 0.0
    m.act("start")
    events = run(env, 2, 0.1)
    assert [e.kind for e in events] == ["started"]
    assert m.states["speed"] == W0


def test_stuck_controls_do_not_stop_the_motor_but_the_disconnect_does():
    env, sw = with_switch(equipment("Motor", "M-1", coast_down="5 s"))
    m = env["M-1"]
    m.inject(effect("stuck"))
    out = m.act("stop")
    assert out.accepted and "does not respond" in out.reason
    run(env, 10, 0.1)
    assert m.states["speed"] == W0
    sw.closed = False
    run(env, 6, 0.1)
    assert m.states["speed"] == 0.0


def test_refusals():
    env = environment(equipment("Motor", "M-1"))
    out = env["M-1"].act("open")
    assert not out.accepted and "does not accept `open`" in out.reason
    assert not env["M-1"].apply("lock", "electrician").accepted  # a motor takes no lock


def test_kinetic_energy():
    env = environment(equipment("Motor", "M-1", rotor_inertia="0.06 kg*m^2",
                                coast_down="10 s"))
    assert env["M-1"].stored()["mechanical"] == pytest.approx(0.5 * 0.06 * W0 ** 2)
    env["M-1"].act("stop")
    run(env, 11, 0.1)
    assert env["M-1"].stored()["mechanical"] == 0.0


def test_speed_reading_drift_and_sensor_failure():
    env = environment(equipment("Motor", "M-1"))
    m = env["M-1"]
    m.inject(effect("drift", value="-60 rpm", value_type="angular_speed", per="1 min",
                    equipment="M-1", state="speed"))
    run(env, 60, 0.1)
    assert m.observe()["speed"] == pytest.approx(W0 - 2 * math.pi, rel=1e-6)
    assert m.states["speed"] == W0
    m.inject(effect("sensor_failure", value="0 rpm", value_type="angular_speed",
                    equipment="M-1", state="speed"))
    assert m.observe()["speed"] == 0.0


# ---------------------------------------------------------------- driven machines


@pytest.mark.parametrize("dt", DTS)
def test_conveyor_belt_follows_its_motor(dt):
    env = environment(equipment("Motor", "M-12", feeds=["C-12"], coast_down="25 s",
                                load_torque_law="constant"),
                      equipment("Conveyor", "C-12", belt_speed="1.2 m/s", length="18 m"))
    c, m = env["C-12"], env["M-12"]
    env.step(dt)
    assert c.states["speed"] == pytest.approx(1.2)
    assert c.stored()["mechanical"] == pytest.approx(0.5 * 2 * 18 * 10 * 1.2 ** 2)
    assert c.act("stop").accepted  # the conveyor's stop control stops its drive
    run(env, 10, dt)
    assert c.states["speed"] == pytest.approx(m.states["speed"] / W0 * 1.2, rel=1e-9)
    assert c.states["speed"] == pytest.approx(1.2 * (1 - (env.t - dt) / 25), rel=0.02)
    assert c.states["status"] == "stopped"
    run(env, 20, dt)
    assert c.states["speed"] == 0.0
    c.act("try_start")
    events = run(env, 1, dt)
    assert [(e.kind, e.equipment) for e in events] == [("started", "M-12")]
    assert c.states["speed"] == pytest.approx(1.2) and c.states["status"] == "running"


def test_conveyor_without_a_motor_drives_itself():
    env, sw = with_switch(equipment("Conveyor", "C-1", belt_speed="2 m/s"))
    c = env["C-1"]
    sw.closed = False
    run(env, rot.BELT_STOP_TIME / 2, 0.1)
    assert c.states["speed"] == pytest.approx(1.0, rel=0.02)
    run(env, rot.BELT_STOP_TIME, 0.1)
    assert c.states["speed"] == 0.0
    c.act("try_start")
    assert not run(env, 1, 0.1) and c.states["speed"] == 0.0
    sw.closed = True
    c.act("start")
    assert [e.kind for e in run(env, 1, 0.1)] == ["started"]
    assert c.states["speed"] == 2.0


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize(("pump_type", "law"), [("centrifugal", "quadratic"),
                                                ("positive_displacement", "constant")])
def test_pump_flow_and_pressure_follow_speed(pump_type, law, dt):
    env = environment(equipment("Pump", "P-1", rated_flow="60 m^3/h", rated_pressure="4 bar",
                                coast_down="10 s", pump_type=pump_type))
    p = env["P-1"]
    w_of, _ = closed_form(law, p.j, p.wr, 10.0)
    p.act("stop")
    run(env, 4, dt)
    x = w_of(env.t) / p.wr
    assert p.states["speed"] == pytest.approx(x * p.wr, rel=0.02)
    assert p.states["flow"] == pytest.approx(60 / 3600 * x, rel=0.02)
    assert p.states["discharge_pressure"] == pytest.approx(4e5 * x * x, rel=0.02)
    assert p.passes("chemical") == pytest.approx(x * x, rel=0.02)
    run(env, 7, dt)
    assert p.states["flow"] == 0.0 and p.passes("hydraulic") == 0.0


def test_pump_driven_by_a_motor_turns_with_it():
    env = environment(equipment("Motor", "M-1", feeds=["P-1"], coast_down="8 s",
                                rated_speed="3500 rpm"),
                      equipment("Pump", "P-1", rated_flow="10 m^3/h"))
    env["P-1"].act("stop")  # forwarded to the motor
    run(env, 2, 0.1)
    x = env["M-1"].states["speed"] / (3500 * 2 * math.pi / 60)
    assert 0.0 < x < 1.0
    assert env["P-1"].states["flow"] == pytest.approx(10 / 3600 * x)
    assert env["P-1"].states["status"] == "stopped"


def test_long_run_stays_finite():
    env, sw = with_switch(
        equipment("Motor", "M-1", feeds=["C-1"], coast_down="20 s", load_torque_law="linear"),
        equipment("Conveyor", "C-1"),
        equipment("Motor", "M-2", coast_down="40 s"),
        equipment("Pump", "P-1", coast_down="10 s"),
        equipment("Pump", "P-2", pump_type="positive_displacement"))
    for cycle in range(60):
        sw.closed = cycle % 3 != 0
        for mid in ("M-1", "M-2", "P-1", "P-2"):
            env[mid].act("try_start" if cycle % 2 else "stop")
        run(env, 60, 0.1)
        for b in env.behaviours.values():
            for v in (*b.observe().values(), *b.stored().values()):
                assert not isinstance(v, float) or (math.isfinite(v) and v >= 0.0)
