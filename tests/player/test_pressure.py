"""Stored pressure: bleed-down against closed forms and reference integrations,
re-accumulation through an inlet valve, process lines, tanks, faults."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import effect, environment, equipment
from twinlang.player.behaviours import pressure as pr
from twinlang.player.behaviours import (
    rotating,  # noqa: F401  (registers Pump)
    valves,  # noqa: F401  (registers the valves)
)

DTS = [1 / 240, 0.1]
PA = 101_325.0
GAMMA, R = 1.4, 287.05
RHO = pr.RHO_OIL


def run(env, seconds: float, dt: float) -> list:
    events = []
    for _ in range(round(seconds / dt)):
        events += env.step(dt)
    return events


def crossing_times(env, b, levels: list[float], dt: float, limit: float) -> list[float]:
    """Times at which the gauge pressure of ``b`` falls through each of ``levels`` (Pa),
    interpolated linearly between steps."""
    out, levels = [], sorted(levels, reverse=True)
    p_prev, t_prev = b.states["pressure"], env.t
    while levels and env.t < limit:
        env.step(dt)
        p = b.states["pressure"]
        while levels and p <= levels[0] < p_prev:
            out.append(t_prev + (p_prev - levels[0]) / (p_prev - p) * (env.t - t_prev))
            levels.pop(0)
        p_prev, t_prev = p, env.t
    return out


def simpson(f, a: float, b: float, n: int = 4000) -> float:
    h = (b - a) / n
    s = f(a) + f(b) + sum((4 if i % 2 else 2) * f(a + i * h) for i in range(1, n))
    return s * h / 3


# ---------------------------------------------------------------- gas: closed form


def c_star(t: float) -> float:
    return math.sqrt(GAMMA * R * t) * (2 / (GAMMA + 1)) ** ((GAMMA + 1) / (2 * (GAMMA - 1)))


def test_time_constant_matches_the_worked_example():
    # domain-facts 5.2: 1 m3, 6 mm, Cd 0.62, 293 K -> tau about 290 s; 8 -> 1.9 bar(a) ~ 7 min
    env = environment(equipment("PressureVessel", "R-1", volume="1 m^3"))
    tau = env["R-1"].tau()
    assert tau == pytest.approx(290, rel=0.02)
    assert tau * math.log(8 / 1.9) == pytest.approx(7 * 60, rel=0.02)


@pytest.mark.parametrize("dt", DTS)
def test_gas_vessel_choked_bleed_down_is_exponential(dt):
    env = environment(equipment("PressureVessel", "R-1", volume="250 L",
                                design_pressure="7 bar", gas_temperature="20 degC"))
    b = env["R-1"]
    area = math.pi / 4 * 0.006 ** 2
    tau = 0.25 / (0.62 * area * c_star(293.15))
    p0 = 7e5 + PA
    assert b.act("bleed").accepted
    t_choked = tau * math.log(p0 / (PA * ((GAMMA + 1) / 2) ** (GAMMA / (GAMMA - 1))))
    worst = 0.0
    while env.t < t_choked - dt:
        env.step(dt)
        exact = p0 * math.exp(-env.t / tau) - PA
        worst = max(worst, abs(b.states["pressure"] - exact) / exact)
    assert worst < 0.02
    assert worst < 1e-9  # exact exponential update: independent of the step


def subsonic_rate(pa: float, cda: float, v: float, t: float) -> float:
    r = PA / pa
    return -(cda / v) * pa * math.sqrt(2 * GAMMA * R * t / (GAMMA - 1)
                                      * (r ** (2 / GAMMA) - r ** ((GAMMA + 1) / GAMMA)))


@pytest.mark.parametrize("dt", DTS)
def test_gas_vessel_full_bleed_down_against_reference_integration(dt):
    # a 2 L air line: tau 0.57 s, so dt = 0.1 s is coarse here
    env = environment(equipment("PneumaticLine", "PL-1", supply_pressure="6 bar"))
    b = env["PL-1"]
    v, cda, temp = 0.002, 0.62 * math.pi / 4 * 0.006 ** 2, 293.15
    tau = v / (cda * c_star(temp))
    p0 = 6e5 + PA
    p_crit = PA * ((GAMMA + 1) / 2) ** (GAMMA / (GAMMA - 1))
    t_crit = tau * math.log(p0 / p_crit)

    def t_of(p_gauge: float) -> float:  # reference: t(P) by quadrature of dt = dP / (dP/dt)
        pa = p_gauge + PA
        if pa >= p_crit:
            return tau * math.log(p0 / pa)
        return t_crit + simpson(lambda y: -1 / subsonic_rate(y, cda, v, temp), pa, p_crit)

    levels = [4e5, 1e5, 0.5e5, 0.2e5, 0.1e5, 0.05e5]
    b.act("bleed")
    got = crossing_times(env, b, levels, dt, 30)
    assert len(got) == len(levels)
    for level, t in zip(levels, got, strict=True):
        assert t == pytest.approx(t_of(level), rel=0.02), level
    events = run(env, 10, dt)
    assert b.states["pressure"] == 0.0 and not b.bleeding
    assert [e.kind for e in events] == ["released"]


# ---------------------------------------------------------------- accumulator


def accumulator_t_isothermal(p_gauge: float, pw: float, p0: float, v0: float,
                             cda: float) -> float:
    """Closed form for n = 1: dPa/dt = -Pa^2 c sqrt(Pa - a) / (V0 P0a), c = CdA sqrt(2/rho);
    integral of dx / (x^2 sqrt(x - a)) = sqrt(x - a)/(a x) + a^-1.5 atan(sqrt((x - a)/a))."""
    a = PA
    c = cda * math.sqrt(2 / RHO)

    def big_f(x):
        return math.sqrt(x - a) / (a * x) + a ** -1.5 * math.atan(math.sqrt((x - a) / a))

    return (v0 * (p0 + a) / c) * (big_f(pw + a) - big_f(p_gauge + a))


@pytest.mark.parametrize("dt", DTS)
def test_accumulator_isothermal_bleed_down_closed_form(dt):
    env = environment(equipment("Accumulator", "ACC-3", precharge="90 bar",
                                working_pressure="140 bar", volume="10 L",
                                bleed_orifice="2 mm"))
    b = env["ACC-3"]
    cda = 0.62 * math.pi / 4 * 0.002 ** 2
    levels = [130e5, 120e5, 110e5, 100e5, 95e5, 90.5e5]
    b.act("bleed")
    got = crossing_times(env, b, levels, dt, 60)
    assert len(got) == len(levels)
    for level, t in zip(levels, got, strict=True):
        exact = accumulator_t_isothermal(level, 140e5, 90e5, 0.01, cda)
        assert t == pytest.approx(exact, rel=0.02), level
    # liquid gone at the precharge, then the port drains: below 1 bar within 2 min
    run(env, 120 - env.t, dt)
    assert b.states["pressure"] < 1e5
    assert b.stored()["hydraulic"] == 0.0


@pytest.mark.parametrize("dt", DTS)
def test_accumulator_adiabatic_against_reference_integration(dt):
    env = environment(equipment("Accumulator", "A-1", precharge="50 bar",
                                working_pressure="200 bar", volume="4 L",
                                bleed_orifice="1.5 mm", polytropic_index=1.4))
    b = env["A-1"]
    n, v0, p0a = 1.4, 0.004, 50e5 + PA
    cda = 0.62 * math.pi / 4 * 0.0015 ** 2

    def rate(pa):
        vg = v0 * (p0a / pa) ** (1 / n)
        return -n * pa / vg * cda * math.sqrt(2 * (pa - PA) / RHO)

    def t_of(p_gauge):
        return simpson(lambda y: -1 / rate(y), p_gauge + PA, 200e5 + PA)

    levels = [180e5, 150e5, 120e5, 90e5, 60e5, 51e5]
    b.act("bleed")
    got = crossing_times(env, b, levels, dt, 120)
    assert len(got) == len(levels)
    for level, t in zip(levels, got, strict=True):
        assert t == pytest.approx(t_of(level), rel=0.02), level


def test_accumulator_stored_energy_is_the_gas_work():
    env = environment(equipment("Accumulator", "A-1", polytropic_index=1.2))
    b = env["A-1"]
    n, v0, p0a, pa = 1.2, 0.01, 90e5 + PA, 140e5 + PA
    vg = v0 * (p0a / pa) ** (1 / n)
    work = simpson(lambda v: pa * (vg / v) ** n - PA, vg, v0)
    assert b.stored()["hydraulic"] == pytest.approx(work, rel=1e-6)


def test_vessel_stored_energy_is_brode():
    env = environment(equipment("PressureVessel", "R-1", volume="1 m^3",
                                design_pressure="8 bar"))
    assert env["R-1"].stored()["pneumatic"] == pytest.approx(8e5 * 1 / 0.4)


def test_bleeding_the_example_accumulator_takes_seconds():
    env = environment(equipment("Accumulator", "ACC-3", bleed_orifice="2 mm"))
    out = env["ACC-3"].act("bleed")
    assert out.accepted and out.duration == pr.BLEED_OPEN_TIME
    events = run(env, 30, 1 / 240)
    assert env["ACC-3"].states["pressure"] == 0.0
    assert [e.kind for e in events] == ["released"]


def test_bleeding_what_is_already_relieved_releases_nothing():
    env = bled()
    out = env["ACC-3"].act("bleed")
    assert out.accepted and "holds no pressure" in out.reason
    assert not run(env, 5, 0.1)


# ---------------------------------------------------------------- re-accumulation


def bled(dt: float = 0.1, **valve):
    env = environment(
        equipment("GateValve", "V-31", isolates=["ACC-3"], initial={"position": "0 %"},
                  **valve),
        equipment("Accumulator", "ACC-3", bleed_orifice="2 mm"))
    env["ACC-3"].act("bleed")
    run(env, 30, dt)
    assert env["ACC-3"].states["pressure"] == 0.0
    return env


@pytest.mark.parametrize("dt", DTS)
def test_pressure_reaccumulates_through_an_open_inlet(dt):
    env = bled(dt)
    acc = env["ACC-3"]
    run(env, 60, dt)
    assert acc.states["pressure"] == 0.0  # closed inlet: stays bled
    env["V-31"].states["position"] = 1.0
    t0 = env.t
    run(env, 5, dt)
    tau = pr.TAU_FEED["Accumulator"]
    exact = 140e5 * (1 - math.exp(-(env.t - t0) / tau))
    assert acc.states["pressure"] == pytest.approx(exact, rel=0.02)
    run(env, 5, dt)  # above the precharge: liquid flows in through the valve
    assert acc.states["pressure"] > 90e5
    assert env["V-31"].observe()["flow"] > 0.0
    run(env, 60, dt)
    assert acc.states["pressure"] == pytest.approx(140e5, rel=1e-4)
    assert env["V-31"].observe()["flow"] == pytest.approx(0.0, abs=1e-7)


def test_bleeding_against_an_open_supply_settles_above_zero():
    env = environment(equipment("GateValve", "V-31", isolates=["ACC-3"]),
                      equipment("Accumulator", "ACC-3", bleed_orifice="2 mm"))
    env["ACC-3"].act("bleed")
    run(env, 120, 0.1)
    p = env["ACC-3"].states["pressure"]
    assert 1e5 < p < 140e5 and env["ACC-3"].bleeding


def test_leaking_inlet_valve_repressurizes_slowly():
    env = bled()
    env["V-31"].inject(effect("leak", value="1 L/min", value_type="flow"))
    run(env, 10, 0.1)
    p = env["ACC-3"].states["pressure"]
    assert 0.0 < p < 140e5 * 0.2
    run(env, 600, 0.1)
    assert env["ACC-3"].states["pressure"] > p


def test_no_declared_inlet_means_no_refill():
    env = environment(equipment("PressureVessel", "R-1", volume="50 L"))
    env["R-1"].act("bleed")
    run(env, 200, 0.1)
    assert env["R-1"].states["pressure"] == 0.0
    run(env, 100, 0.1)
    assert env["R-1"].states["pressure"] == 0.0


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("dt", DTS)
def test_drift_creeps_the_pressure_back_until_bled_again(dt):
    env = bled(dt)
    acc = env["ACC-3"]
    creep = effect("drift", value="2 bar", value_type="pressure", per="1 min",
                   equipment="ACC-3", state="pressure")
    acc.inject(creep)
    run(env, 150, dt)
    assert acc.states["pressure"] == pytest.approx(5e5, rel=0.02)
    acc.clear(creep)
    acc.act("bleed")
    run(env, 10, dt)
    assert acc.states["pressure"] == 0.0


@pytest.mark.parametrize("dt", DTS)
def test_vessel_leak_is_an_orifice_sized_to_the_flow(dt):
    # Q at vessel conditions through an equivalent choked orifice: Pa(t) = P0a exp(-Q t / V)
    env = environment(equipment("PressureVessel", "R-1", volume="1 m^3",
                                design_pressure="8 bar"))
    env["R-1"].inject(effect("leak", value="10 L/s", value_type="flow"))
    run(env, 30, dt)
    exact = (8e5 + PA) * math.exp(-0.01 * 30 / 1.0) - PA
    assert env["R-1"].states["pressure"] == pytest.approx(exact, rel=0.02)


def test_stuck_bleed_path_does_not_relieve_the_pressure():
    env = environment(equipment("Accumulator", "A-1"))
    b = env["A-1"]
    b.inject(effect("stuck"))
    out = b.act("bleed")
    assert out.accepted and "blocked" in out.reason
    run(env, 60, 0.1)
    assert b.states["pressure"] == pytest.approx(140e5)


def test_gauge_failure_reads_zero_while_pressure_is_there():
    env = environment(equipment("Accumulator", "A-1"))
    b = env["A-1"]
    b.inject(effect("sensor_failure", value="0 bar", value_type="pressure",
                    equipment="A-1", state="pressure"))
    assert b.observe()["pressure"] == 0.0
    assert b.stored()["hydraulic"] > 1e4


def test_refusals():
    env = environment(equipment("Accumulator", "A-1"), equipment("Tank", "T-1", volume="1 m^3"))
    assert not env["A-1"].act("drain").accepted
    assert not env["T-1"].act("bleed").accepted
    assert not env["A-1"].apply("lock", "mechanic").accepted  # not lockable


# ---------------------------------------------------------------- lines and tanks


def test_process_line_follows_its_pump():
    env = environment(equipment("Pump", "P-1", feeds=["SL-1"], rated_flow="60 m^3/h",
                                coast_down="10 s"),
                      equipment("ProcessLine", "SL-1", operating_pressure="1.5 bar"),
                      equipment("GateValve", "V-1", isolates=["SL-1"]))
    run(env, 1, 0.1)
    assert env["SL-1"].states["pressure"] == pytest.approx(1.5e5, rel=1e-6)
    assert env["SL-1"].states["flow"] == pytest.approx(60 / 3600, rel=1e-6)
    assert env["V-1"].observe()["flow"] == pytest.approx(60 / 3600, rel=1e-6)
    env["P-1"].act("stop")
    run(env, 30, 0.1)
    assert env["SL-1"].states["pressure"] < 1.0
    assert env["V-1"].observe()["flow"] == 0.0


@pytest.mark.parametrize("dt", DTS)
def test_draining_an_unfed_line(dt):
    env = environment(equipment("Pump", "P-1", feeds=["SL-1"],
                                initial={"status": "stopped"}),
                      equipment("ProcessLine", "SL-1", operating_pressure="2 bar",
                                initial={"pressure": "2 bar"}))
    b = env["SL-1"]
    assert b.act("drain").accepted
    run(env, 3, dt)
    # no supply: the line relaxes to 0 (TAU_LINE) and drains (TAU_DRAIN) at once
    exact = 2e5 * math.exp(-env.t * (1 / pr.TAU_LINE + 1 / pr.TAU_DRAIN))
    assert b.states["pressure"] == pytest.approx(exact, rel=0.02)


@pytest.mark.parametrize("dt", DTS)
def test_tank_drains_by_torricelli(dt):
    env = environment(equipment("Tank", "T-1", volume="300 L", height="1 m",
                                initial={"level": "100 %"}))
    b = env["T-1"]
    k = 0.62 * math.pi / 4 * pr.TANK_DRAIN ** 2 * math.sqrt(2 * 9.80665) / 0.3
    b.act("drain")
    e0 = b.stored()["chemical"]
    assert e0 == pytest.approx(0.5 * 1000 * 9.80665 * 0.3 * 1.0)
    for t in (20, 50, 80):
        run(env, t - env.t, dt)
        exact = (1 - k * env.t / 2) ** 2
        assert b.states["level"] == pytest.approx(exact, rel=0.02)
    run(env, 2 / k - env.t + 1, dt)
    assert b.states["level"] == 0.0 and b.stored()["chemical"] == 0.0


def test_tank_fills_from_its_feeder_and_reports_full():
    env = environment(equipment("Pump", "P-1", feeds=["T-1"], rated_flow="36 m^3/h"),
                      equipment("Tank", "T-1", volume="1 m^3", height="1 m"))
    run(env, 50, 0.1)
    assert env["T-1"].states["level"] == pytest.approx(0.5, rel=0.02)
    events = run(env, 60, 0.1)
    assert env["T-1"].states["level"] == 1.0
    assert [e.kind for e in events if e.equipment == "T-1"] == ["limit"]


def test_long_run_stays_finite():
    env = environment(
        equipment("GateValve", "V-1", isolates=["A-1"]),
        equipment("Accumulator", "A-1", polytropic_index=1.4),
        equipment("BallValve", "V-2", isolates=["R-1"]),
        equipment("PressureVessel", "R-1", volume="100 L"),
        equipment("PneumaticLine", "PL-1"),
        equipment("Pump", "P-1", feeds=["SL-1"]),
        equipment("ProcessLine", "SL-1", operating_pressure="3 bar"),
        equipment("Tank", "T-1", volume="2 m^3"))
    for cycle in range(12):
        for vid in ("V-1", "V-2"):
            env[vid].act("close" if cycle % 2 == 0 else "open")
        for bid in ("A-1", "R-1", "PL-1"):
            env[bid].act("bleed")
        env["P-1"].act("stop" if cycle % 3 == 0 else "start")
        env["SL-1"].act("drain")
        run(env, 300, 0.1)
        for b in env.behaviours.values():
            for v in (*b.observe().values(), *b.stored().values()):
                assert not isinstance(v, float) or (math.isfinite(v) and v >= 0.0)
