"""The process models at the runner's coarser rate (Environment(process_every=8)): one
exact update every 8 physics steps, sooner when a timer of an action falls due or a valve
reaches its stop, and a sync before the plant is changed.  The timed events of actions fall
on the same physics step as when every behaviour steps every 1/240 s, and the continuous
models stay within 2 % of the analytic solution."""

from __future__ import annotations

import math

import pytest

from tests.player.factory import bundle, equipment
from twinlang.player.behaviours import atmosphere as at
from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment
from twinlang.player.runner import DT, PROCESS_EVERY

load_behaviours()


def _pair(*eqs):
    b = bundle(*eqs)
    return Environment(b, process_every=1), Environment(b, process_every=PROCESS_EVERY)


def _act(env, eq_id, verb, **kw):
    """As the engine does: the plant brought up to now, the action, the change seen."""
    env.sync()
    out = env[eq_id].act(verb, **kw)
    env.sync()
    return out


def _run(env, seconds, log):
    for _ in range(round(seconds / DT)):
        for e in env.step(DT):
            log.append((env._steps, e.kind, e.equipment))


def test_action_timers_fall_on_the_same_step():
    fine, coarse = _pair(equipment("Disconnect", "DS-1", feeds=["M-1"]),
                         equipment("Motor", "M-1"))
    logs = {}
    for env in (fine, coarse):
        log = logs[env.process_every] = []
        _act(env, "M-1", "start")
        _run(env, 7.31, log)  # 1754 steps: between two advances of the coarse rate
        assert _act(env, "DS-1", "open").accepted
        _run(env, 40.0, log)
    events = {k: [(n, kind) for n, kind, _ in v if kind != "stopped"] for k, v in logs.items()}
    assert events[1] == events[PROCESS_EVERY]
    assert ("switched" in {k for _, k in events[1]}
            and "deenergized" in {k for _, k in events[1]})
    stop = {k: next(n for n, kind, _ in v if kind == "stopped") for k, v in logs.items()}
    # the coast-down ends on a threshold: seen at the next advance at most
    assert 0 <= stop[PROCESS_EVERY] - stop[1] < PROCESS_EVERY


def test_a_valve_reaches_its_stop_on_the_same_step():
    fine, coarse = _pair(equipment("GateValve", "V-1", turns_to_close=5))
    steps = {}
    for env in (fine, coarse):
        log = []
        _run(env, 3 * DT, log)  # the close starts between two advances of the coarse rate
        out = _act(env, "V-1", "close")
        _run(env, out.duration + 1.0, log)
        steps[env.process_every] = [(n, k) for n, k, _ in log]
        assert env["V-1"].states["position"] == 0.0
    assert steps[1] == steps[PROCESS_EVERY] and steps[1][0][1] == "limit"


def test_motor_speed_and_coast_down_within_two_percent():
    fine, coarse = _pair(equipment("Disconnect", "DS-1", feeds=["M-1"]),
                         equipment("Motor", "M-1", coast_down="25 s"))
    traces = {}
    for env in (fine, coarse):
        _act(env, "M-1", "start")
        speeds = []
        for t in range(1, 60):
            if t == 10:
                _act(env, "DS-1", "open")
            _run(env, 1.0, [])
            env.sync()
            speeds.append(env["M-1"].states["speed"])
        traces[env.process_every] = speeds
    rated = max(traces[1])
    assert rated > 0 and traces[1][20] > 0.1 * rated  # coasting, not stopped yet
    for a, b in zip(traces[1], traces[PROCESS_EVERY], strict=True):
        assert abs(a - b) <= 0.02 * rated


@pytest.mark.parametrize("every", [1, PROCESS_EVERY])
def test_purge_within_two_percent_of_the_dilution_equation(every):
    env = Environment(bundle(
        equipment("ConfinedSpace", "TK-1", volume="1 m^3"),
        equipment("VentilationBlower", "BL-1", rated_flow="100 m^3/h", feeds=["TK-1"],
                  initial={"status": "running"})), process_every=every)
    tk = env["TK-1"]
    c0 = {"oxygen": 0.15, "lel": 0.5, "h2s": 200e-6, "co": 100e-6}
    tk.states.update(c0)
    q = 100.0 / 3600 * (1 - 0.2) / 3.0   # delivered flow / mixing factor (as test_atmosphere)
    worst = 0.0
    for t_check in (30.0, 120.0, 300.0):
        _run(env, t_check - env.t, [])
        env.sync()
        decay = math.exp(-q * env.t / 1.0)
        for sp, x0 in c0.items():
            expected = at.FRESH[sp] + (x0 - at.FRESH[sp]) * decay
            worst = max(worst, abs(tk.states[sp] - expected) / abs(x0 - at.FRESH[sp]))
    assert worst < 0.02, worst
