"""Confined-space atmosphere against the well-mixed dilution model, detector lag against
T90 = tau ln 10, transport delay, alarms, faults, entrants and rescue."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import (
    effect,
    environment,
    equipment,
    example,
    failed_expectations,
    fault_effects,
    substance,
)
from twinlang.player.behaviours import atmosphere as at
from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment

load_behaviours()  # the examples and the mixed environments use every family
DTS = [1 / 240, 0.1]
PPM = 1e-6


def run(env, seconds: float, dt: float = 0.1) -> list:
    events = []
    for _ in range(round(seconds / dt)):
        events += env.step(dt)
    return events


def effective_flow(rated_m3h: float, loss: float = 0.2, k: float = 3.0) -> float:
    return rated_m3h / 3600 * (1 - loss) / k


def space_env(*more, volume="1 m^3", blower="100 m^3/h", running=True, contains=(),
              substances=()):
    return environment(
        equipment("ConfinedSpace", "TK-1", volume=volume, contains=list(contains)),
        equipment("VentilationBlower", "BL-1", rated_flow=blower, feeds=["TK-1"],
                  initial={"status": "running" if running else "stopped"}),
        *more, substances=list(substances))


# ---------------------------------------------------------------- ventilation


@pytest.mark.parametrize("dt", DTS)
def test_purge_follows_the_dilution_equation(dt):
    env = space_env()
    tk = env["TK-1"]
    c0 = {"oxygen": 0.15, "lel": 0.5, "h2s": 200 * PPM, "co": 100 * PPM}
    tk.states.update(c0)
    q = effective_flow(100.0)  # 0.0074 m^3/s into 1 m^3: tau = 135 s
    worst = 0.0
    for t_check in (30.0, 120.0, 300.0):
        run(env, t_check - env.t, dt)
        # the blower's first step sets its flow, so the purge starts one step late
        decay = math.exp(-q * (env.t - dt) / 1.0)
        for sp, x0 in c0.items():
            expected = at.FRESH[sp] + (x0 - at.FRESH[sp]) * decay
            worst = max(worst, abs(tk.states[sp] - expected) / abs(expected - at.FRESH[sp]
                                                                     or 1.0))
    assert worst < 0.02, worst


def test_purge_time_for_seven_air_changes():
    # domain-facts 5.4: t = (V/Q') ln(C0/C); 7 air changes leave e^-7 of the start
    env = space_env(volume="30 m^3", blower="1700 m^3/h")
    tk = env["TK-1"]
    tk.states["h2s"] = 100 * PPM
    q = effective_flow(1700.0)
    t7 = 7 * 30.0 / q
    run(env, t7, 1.0)
    assert tk.states["h2s"] == pytest.approx(100 * PPM * math.exp(-7), rel=0.02)


def test_no_ventilation_no_change_and_unpowered_blower_does_not_run():
    env = environment(
        equipment("ConfinedSpace", "TK-1", volume="10 m^3"),
        equipment("Disconnect", "DS-1", feeds=["BL-1"], initial={"blades": "open",
                                                                  "handle": "off"}),
        equipment("VentilationBlower", "BL-1", rated_flow="1000 m^3/h", feeds=["TK-1"]))
    tk, bl = env["TK-1"], env["BL-1"]
    tk.states["h2s"] = 50 * PPM
    assert bl.act("start").accepted
    run(env, 60.0)
    assert bl.states["status"] == "stopped" and bl.states["flow"] == 0.0
    assert tk.states["h2s"] == pytest.approx(50 * PPM)
    env["DS-1"].states["blades"] = "closed"
    events = run(env, 1.0)
    assert bl.states["status"] == "running"
    assert bl.states["flow"] == pytest.approx(1000 / 3600 * 0.8)
    assert [e.kind for e in events] == ["switched"]
    bl.act("stop")
    run(env, 3.0)
    assert bl.states["status"] == "stopped"


# ---------------------------------------------------------------- leaks


@pytest.mark.parametrize("dt", DTS)
def test_leak_builds_up_to_g_over_q(dt):
    env = space_env(volume="0.5 m^3", contains=["methane"],
                    substances=[substance("methane")])
    tk = env["TK-1"]
    tk.inject(effect("leak", value="1 L/min", value_type="flow"))
    q, f = effective_flow(100.0), 1e-3 / 60
    y = 1 / 0.05  # pure methane, in LEL units
    k = (q + f) / 0.5
    worst = 0.0
    for t_check in (30.0, 100.0, 400.0):
        run(env, t_check - env.t, dt)
        exact = f * y / (q + f) * (1 - math.exp(-k * (env.t - dt)))
        worst = max(worst, abs(tk.states["lel"] / exact - 1))
    assert worst < 0.02, worst
    assert tk.states["lel"] == pytest.approx(f * y / q, rel=0.02)  # C_ss = G / Q'
    # the leaking gas displaces oxygen
    assert tk.states["oxygen"] == pytest.approx(0.209 * q / (q + f), rel=1e-3)


def test_passing_valve_brings_in_the_header_gases():
    # the tank entry example: V-702 isolates the digester gas header GH-1 and feeds TK-7
    env = environment(
        equipment("ConfinedSpace", "TK-7", volume="30 m^3",
                  contains=["methane", "hydrogen_sulfide"]),
        equipment("ProcessLine", "GH-1", phase="gas", operating_pressure="0.03 bar",
                  contains=["methane", "hydrogen_sulfide"]),
        equipment("GateValve", "V-702", isolates=["GH-1"], feeds=["TK-7"],
                  initial={"position": "0 %"}),
        equipment("ProcessLine", "SL-1", operating_pressure="1.5 bar"),
        equipment("GateValve", "V-701", isolates=["SL-1"], feeds=["TK-7"],
                  initial={"position": "0 %"}),
        equipment("VentilationBlower", "BL-1", rated_flow="1700 m^3/h", feeds=["TK-7"],
                  initial={"status": "running"}),
        equipment("GasDetector", "GD-1", located_in="TK-7", tubing_length="3 m"),
        substances=[substance("methane"), substance("hydrogen_sulfide")])
    tk = env["TK-7"]
    assert tk.upstream_gases("V-702") == ["methane", "hydrogen_sulfide"]
    assert tk.upstream_gases("V-701") == []  # a liquid line brings no gas
    run(env, 60.0, 0.5)
    assert tk.states["h2s"] == 0.0 and env["GD-1"].states["alarm"] == "none"
    env["V-702"].inject(effect("leak", value="60 L/min", value_type="flow"))
    events = run(env, 600.0, 0.5)
    q, f = effective_flow(1700.0), 1e-3
    y = at.composition(env, ["methane", "hydrogen_sulfide"])
    assert y["h2s"] == 0.5 and y["lel"] == pytest.approx(0.5 / 0.05 + 0.5 / 0.04)
    k = (q + f) / 30.0
    exact = f * y["h2s"] / (q + f) * (1 - math.exp(-k * 600.0))
    assert tk.states["h2s"] == pytest.approx(exact, rel=0.02)
    alarms = [e for e in events if e.kind == "alarm"]
    assert alarms and alarms[-1].detail["level"] == "high"


# ---------------------------------------------------------------- detector


def detector_env(**params):
    return environment(
        equipment("ConfinedSpace", "TK-1", volume="10 m^3"),
        equipment("GasDetector", "GD-1", located_in="TK-1", **params))


def crossing(env, b, state: str, level: float, dt: float, limit: float,
             rising: bool = True) -> float:
    prev, t_prev = b.states[state], env.t
    while env.t < limit:
        env.step(dt)
        x = b.states[state]
        if (rising and prev < level <= x) or (not rising and prev > level >= x):
            return t_prev + (level - prev) / (x - prev) * (env.t - t_prev)
        prev, t_prev = x, env.t
    raise AssertionError(f"{state} never crossed {level}")


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize(("state", "t90", "start", "step"), [
    ("h2s", 30.0, 0.0, 100 * PPM),
    ("oxygen", 10.0, 0.209, 0.15),
    ("lel", 15.0, 0.0, 0.4),
])
def test_reading_reaches_90_percent_of_a_step_at_t90(dt, state, t90, start, step):
    env = detector_env()
    env["TK-1"].states[state] = step
    rising = step > start
    t = crossing(env, env["GD-1"], state, start + 0.9 * (step - start), dt, 5 * t90, rising)
    assert t == pytest.approx(t90, rel=0.02)
    run(env, 5 * t90, dt)
    assert env["GD-1"].states[state] == pytest.approx(step, rel=1e-3)


@pytest.mark.parametrize("dt", DTS)
def test_tubing_delays_the_reading(dt):
    env = detector_env(tubing_length="22.9 m", pump_flow="0.3 L/min")
    gd = env["GD-1"]
    delay = 22.9 * math.pi * (3.2e-3 / 2) ** 2 / (0.3e-3 / 60)
    assert gd.transport_delay() == pytest.approx(delay)
    assert delay == pytest.approx(37, abs=1)  # domain-facts 5.5: about 37 s
    run(env, 1.0, dt)
    env["TK-1"].states["h2s"] = 50 * PPM
    t0 = env.t
    run(env, delay - 1.0, dt)
    assert gd.states["h2s"] < 1e-3 * 50 * PPM
    t = crossing(env, gd, "h2s", 45 * PPM, dt, 200.0)
    assert t - t0 == pytest.approx(delay + 30.0, rel=0.02)
    assert gd.act("measure").duration == pytest.approx(delay + at.MEASURE_TIME)


@pytest.mark.parametrize("dt", DTS)
def test_reading_follows_a_ventilation_decay(dt):
    # input x(t) = x0 exp(-a t) through the lag: y = x0 (a' e^(-a t) - a e^(-t/tau)) ...
    env = environment(
        equipment("ConfinedSpace", "TK-1", volume="1 m^3"),
        equipment("VentilationBlower", "BL-1", rated_flow="100 m^3/h", feeds=["TK-1"],
                  initial={"status": "running"}),
        equipment("GasDetector", "GD-1", located_in="TK-1"))
    x0 = 100 * PPM
    env["TK-1"].states["h2s"] = x0
    env["GD-1"].states["h2s"] = env["GD-1"].lagged["h2s"] = x0
    a = effective_flow(100.0)
    tau = 30.0 / math.log(10)
    run(env, 120.0, dt)
    t = env.t - dt  # the purge starts one step late (the blower's first step)
    # y' = (x - y)/tau, x = x0 e^(-a t), y(0) = x0
    exact = x0 * (math.exp(-a * t) - a * tau * math.exp(-t / tau)) / (1 - a * tau)
    assert env["GD-1"].states["h2s"] == pytest.approx(exact, rel=0.02)


def test_alarms_on_setpoints():
    env = detector_env(t90_toxic="1 s", t90_oxygen="1 s")
    tk, gd = env["TK-1"], env["GD-1"]
    tk.states["h2s"] = 15 * PPM
    events = run(env, 10.0)
    assert gd.states["alarm"] == "low"
    assert [(e.kind, e.detail["level"], e.detail["gases"]) for e in events] == [
        ("alarm", "low", ["h2s"])]
    tk.states["h2s"] = 25 * PPM
    run(env, 10.0)
    assert gd.states["alarm"] == "high"
    tk.states["h2s"] = 0.0
    tk.states["oxygen"] = 0.18
    events = run(env, 10.0)
    assert gd.states["alarm"] == "low"
    assert events[-1].detail["gases"] == ["oxygen"]
    tk.states["oxygen"] = 0.209
    events = run(env, 10.0)
    assert gd.states["alarm"] == "none" and events[-1].detail["level"] == "none"


def test_oxygen_drift_reaches_the_alarm_point():
    # the tank entry example: -0.1 % vol per minute
    env = detector_env()
    gd = env["GD-1"]
    drift = effect("drift", value="-0.1 % vol", value_type="concentration", per="1 min",
                   equipment="GD-1", state="oxygen")
    gd.inject(drift)
    run(env, 600.0, 0.5)
    assert gd.states["oxygen"] == pytest.approx(0.209 - 0.010, rel=0.02)
    assert gd.states["alarm"] == "none"
    events = run(env, 600.0, 0.5)
    assert gd.states["alarm"] == "low"
    assert [e.detail["level"] for e in events if e.kind == "alarm"] == ["low"]
    assert env["TK-1"].states["oxygen"] == pytest.approx(0.209)  # the air is fine
    gd.clear(drift)
    run(env, 1.0)
    assert gd.states["oxygen"] == pytest.approx(0.209)


def test_failed_sensor_reads_zero_and_fails_the_bump_test():
    env = detector_env()
    gd = env["GD-1"]
    out = gd.act("bump_test")
    assert out.duration == pytest.approx(at.BUMP_TEST_TIME)
    events = run(env, out.duration)
    assert gd.states["bump_tested"] is True and events[-1].detail["passed"]
    gd.states["bump_tested"] = False
    env["TK-1"].states["h2s"] = 50 * PPM
    gd.inject(effect("sensor_failure", equipment="GD-1", state="h2s"))
    run(env, 120.0)
    assert gd.states["h2s"] == pytest.approx(50 * PPM, rel=1e-3)
    assert gd.observe()["h2s"] == 0.0  # the failed cell shows clean air
    assert gd.states["alarm"] == "none"
    gd.act("bump_test")
    events = run(env, at.BUMP_TEST_TIME)
    assert gd.states["bump_tested"] is False
    assert events[-1].detail == {"passed": False, "failed": ["h2s"]}


def test_detector_outside_any_space_reads_fresh_air():
    env = environment(equipment("GasDetector", "GD-1"), equipment("ConfinedSpace", "A"),
                      equipment("ConfinedSpace", "B"))
    env["A"].states["h2s"] = 1e-3
    run(env, 300.0, 1.0)
    assert env["GD-1"].states["h2s"] == 0.0


# ---------------------------------------------------------------- entrants and rescue


def test_entry_count_and_hazard_on_entering_a_bad_atmosphere():
    env = space_env(running=False)
    tk = env["TK-1"]
    assert not tk.act("exit").accepted
    out = tk.act("enter")
    assert out.duration == pytest.approx(at.ENTRY_TIME)
    run(env, out.duration)
    assert tk.states["occupants"] == 1
    tk.states["h2s"] = 30 * PPM
    events = run(env, 1.0)
    assert [e.detail["conditions"] for e in events if e.kind == "hazard"] == [["h2s"]]
    assert run(env, 1.0) == []  # reported once
    tk.act("exit")
    assert not tk.act("exit").accepted  # the one entrant is already on the way out
    run(env, at.ENTRY_TIME)
    assert tk.states["occupants"] == 0
    tk.act("enter")
    events = run(env, 0.1)
    assert events and events[0].detail["entering"] is True


def test_retrieval_system():
    env = environment(
        equipment("ConfinedSpace", "TK-7", volume="30 m^3", vertical_depth="3 m"),
        equipment("RetrievalSystem", "RS-1"),
        equipment("RetrievalSystem", "RS-2", line_length="2 m", located_in="TK-7"))
    rs = env["RS-1"]
    assert not env["RS-2"].act("rig").accepted  # line shorter than the depth
    assert not rs.act("attach").accepted
    assert rs.act("rig").duration == pytest.approx(at.RIG_TIME)
    run(env, at.RIG_TIME, 1.0)
    assert rs.states["rigged"] is True
    assert not rs.act("retrieve").accepted  # nobody clipped on
    rs.act("attach")
    run(env, at.ATTACH_TIME, 1.0)
    assert rs.states["attached"] is True
    assert not rs.act("retrieve").accepted  # nobody inside
    env["TK-7"].act("enter")
    run(env, 30.0, 1.0)
    out = rs.act("retrieve")
    assert out.duration == pytest.approx(at.RETRIEVE_BASE + 3 / at.WINCH_SPEED)
    events = run(env, out.duration, 1.0)
    assert env["TK-7"].states["occupants"] == 0
    assert [e.kind for e in events] == ["retrieved"]


def test_long_run_with_leak_drift_and_no_ventilation_stays_finite():
    env = environment(
        equipment("ConfinedSpace", "TK-1", volume="0.5 m^3", contains=["nitrogen"]),
        equipment("GasDetector", "GD-1", located_in="TK-1", tubing_length="22.9 m"),
        substances=[substance("nitrogen")])
    env["TK-1"].inject(effect("leak", value="10 L/min", value_type="flow"))
    env["TK-1"].inject(effect("drift", value="5 ppm", value_type="concentration",
                              per="1 min", equipment="TK-1", state="co"))
    env["GD-1"].inject(effect("drift", value="-1 % vol", value_type="concentration",
                              per="1 min", equipment="GD-1", state="oxygen"))
    for _ in range(24 * 360):  # a day in 10 s steps
        env.step(10.0)
    tk, gd = env["TK-1"], env["GD-1"]
    for b in (tk, gd):
        assert all(math.isfinite(v) for v in b.states.values() if isinstance(v, float))
    assert tk.states["oxygen"] < 1e-6  # nitrogen has displaced the air
    assert tk.states["co"] == pytest.approx(5 * PPM / 60 * 0.5 / (10e-3 / 60), rel=0.02)
    assert gd.states["oxygen"] == 0.0 and gd.states["alarm"] == "high"  # CO 250 ppm


# ---------------------------------------------------------------- the example, step by step


@pytest.fixture(scope="module")
def tank(tmp_path_factory):
    load_behaviours()
    return example("tank_entry", tmp_path_factory.mktemp("tank"))


def entry_until_work(tank):
    env = Environment(tank)
    ok = lambda step: failed_expectations(env, tank, step) == []  # noqa: E731

    def do(tag, verb, **kw):
        out = env[tag].act(verb, **kw)
        assert out.accepted, out.reason
        return run(env, out.duration, 0.5)

    do("GD-1", "bump_test")
    assert ok("bump")
    do("GD-1", "measure")
    do("BL-1", "start")
    run(env, 30 * 60.0, 0.5)
    assert ok("ventilate")
    for step in ("test_oxygen", "test_lel", "test_h2s", "test_co"):
        do("GD-1", "measure")
        assert ok(step)
    do("RS-1", "rig")
    assert ok("rig")
    do("RS-1", "attach")
    assert ok("attach")
    do("TK-7", "enter")
    assert ok("enter")
    return env, ok


def test_tank_entry_example_expert_path(tank):
    env, ok = entry_until_work(tank)
    events = run(env, 40 * 60.0, 0.5)
    assert not [e for e in events if e.kind in ("hazard", "alarm")]
    env["TK-7"].act("exit")
    run(env, 60.0, 0.5)
    assert ok("leave") and ok("count")
    env["BL-1"].act("stop")
    run(env, 5.0, 0.5)
    assert env["BL-1"].states["status"] == "stopped"


def test_tank_entry_example_vent_valve_passes(tank):
    env, ok = entry_until_work(tank)
    for e in fault_effects(tank, "vent_valve_passes"):
        env["V-702"].inject(e)
    events = run(env, 60.0, 0.5)
    hazards = [e for e in events if e.kind == "hazard"]
    alarms = [e for e in events if e.kind == "alarm"]
    assert hazards and "h2s" in hazards[0].detail["conditions"]
    assert alarms and alarms[-1].detail["level"] == "high"
    assert env["GD-1"].observe()["h2s"] >= 10e-6  # the example's alarm condition
    env["TK-7"].act("exit")
    run(env, 120.0, 0.5)
    assert ok("escape")


def test_tank_entry_example_oxygen_sensor_drift(tank):
    env, _ = entry_until_work(tank)
    for e in fault_effects(tank, "o2_sensor_drift"):
        env["GD-1"].inject(e)
    # 20.9 % -> 19.5 % at 0.1 % vol per minute: the alarm after 14 min
    t0 = env.t
    while env["GD-1"].states["alarm"] == "none" and env.t - t0 < 30 * 60:
        env.step(0.5)
    assert env.t - t0 == pytest.approx(14 * 60.0, rel=0.02)
    assert env["GD-1"].observe()["oxygen"] < 0.195
    assert env["TK-7"].states["oxygen"] == pytest.approx(0.209)
