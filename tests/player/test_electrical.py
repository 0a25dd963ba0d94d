"""Electrical behaviours: switching, locks, control devices, capacitor discharge against
V0 exp(-t/RC), panel voltages, the live-dead-live test and its faults."""

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
)
from twinlang.player.behaviours import electrical as el
from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment

load_behaviours()  # the examples and the mixed environments use every family
DTS = [1 / 240, 0.1]


def run(env, seconds: float, dt: float = 0.1) -> list:
    events = []
    for _ in range(round(seconds / dt)):
        events += env.step(dt)
    return events


def panel_env(*, cap_initial: dict | None = None, **extra):
    """DS-4 and CB-4P feed PNL-4, which feeds CAP-4 (the ESWC example's one-line)."""
    return environment(
        equipment("Disconnect", "DS-4", feeds=["PNL-4"]),
        equipment("CircuitBreaker", "CB-4P", feeds=["PNL-4"], **extra),
        equipment("Panelboard", "PNL-4", feeds=["CAP-4"], nominal_voltage="480 V"),
        equipment("CapacitorBank", "CAP-4", capacitance="300 uF", bleed_resistor="50000 ohm",
                  initial=cap_initial),
        equipment("VoltageTester", "VT-1"),
        equipment("ProvingUnit", "PU-1", output_voltage="240 V"),
    )


# ---------------------------------------------------------------- disconnects and breakers


def test_disconnect_blades_move_at_mid_throw_then_the_handle():
    env = environment(equipment("Disconnect", "DS-1", feeds=["PNL-1"]),
                      equipment("Panelboard", "PNL-1"))
    ds = env["DS-1"]
    assert ds.passes("electrical") == 1.0 and env.supply("PNL-1", "electrical") == 1.0
    out = ds.act("open")
    assert out.accepted and out.duration == pytest.approx(el.DISCONNECT_DURATION)
    events = run(env, 1.2, 0.1)
    assert ds.states == {"handle": "on", "blades": "closed"}
    events += run(env, 0.2, 0.1)
    assert ds.states["blades"] == "open" and ds.states["handle"] == "on"
    assert [e.kind for e in events] == ["switched"]
    run(env, 0.2, 0.1)
    assert ds.states["handle"] == "off"
    assert ds.passes("electrical") == 0.0 and ds.passes("electrical_stored") == 0.0
    assert ds.passes("hydraulic") == 1.0
    assert env.supply("PNL-1", "electrical") == 0.0
    run(env, 1.0)
    assert env["PNL-1"].states["voltage_ab"] == 0.0


def test_disconnect_locks_only_when_open_and_refuses_to_close_while_locked():
    env = environment(equipment("Disconnect", "DS-1"))
    ds = env["DS-1"]
    assert not ds.apply("lock", "electrician").accepted
    ds.act("open")
    assert not ds.act("close").accepted  # still being operated
    run(env, 2.0)
    assert ds.apply("lock", "electrician").accepted
    refusal = ds.act("close")
    assert not refusal.accepted and "electrician" in refusal.reason
    run(env, 3.0)
    assert ds.states["blades"] == "open"
    # an induced lock failure lets it close, and the event says so
    ds.inject(effect("lock_failure"))
    assert ds.act("close").accepted
    events = run(env, 2.0)
    assert ds.states == {"handle": "on", "blades": "closed"}
    assert any(e.kind == "hazard" and e.detail["hazard"] == "lock_failure" for e in events)


def test_stuck_blades_stay_closed_while_the_handle_shows_off():
    env = environment(equipment("Disconnect", "DS-1", feeds=["M-1"]),
                      equipment("Motor", "M-1", coast_down="10 s"))
    ds = env["DS-1"]
    ds.inject(effect("stuck", value="closed", value_type="choice"))  # state inferred: blades
    ds.act("open")
    run(env, 3.0)
    assert ds.states == {"handle": "off", "blades": "closed"}
    assert ds.can_lock() and ds.passes("electrical") == 1.0
    assert env.supply("M-1", "electrical") == 1.0  # the hazard ESWC step 3 looks for


def test_frozen_mechanism_refuses():
    env = environment(equipment("Disconnect", "DS-1"))
    env["DS-1"].inject(effect("stuck"))
    out = env["DS-1"].act("open")
    assert not out.accepted and "will not move" in out.reason


def test_breaker_contacts_part_after_the_clearing_time():
    env = environment(equipment("CircuitBreaker", "CB-1", clearing_time="0.1 s"))
    cb = env["CB-1"]
    assert not cb.can_lock()
    assert cb.act("open").duration == pytest.approx(el.BREAKER_DURATION)
    run(env, el.BREAKER_PRESS + 0.05, 1 / 240)
    assert cb.states["position"] == "closed"
    run(env, 0.1, 1 / 240)
    assert cb.states["position"] == "open" and cb.passes("electrical") == 0.0
    assert cb.apply("lock", "electrician").accepted
    assert not cb.act("close").accepted


def test_drawout_breaker_racks_out_and_in():
    env = environment(equipment("CircuitBreaker", "CB-1", drawout=True),
                      equipment("CircuitBreaker", "CB-2"))
    cb = env["CB-1"]
    assert not env["CB-2"].act("open", at="disconnected").accepted  # fixed-mounted
    assert not cb.act("open", at="halfway").accepted
    out = cb.act("open", at="disconnected")
    assert out.accepted and out.duration == pytest.approx(el.BREAKER_DURATION + 2 * el.RACK_STEP)
    run(env, out.duration + 0.1)
    assert cb.states == {"position": "open", "racked": "disconnected"}
    # closed but not racked in: passes nothing
    cb.act("close")
    run(env, 2.0)
    assert cb.states["position"] == "closed" and cb.passes("electrical") == 0.0
    cb.act("open")
    run(env, 2.0)
    out = cb.act("close", at="connected")
    run(env, out.duration + 0.1)
    assert cb.states == {"position": "closed", "racked": "connected"}
    assert cb.passes("electrical") == 1.0


# ---------------------------------------------------------------- control devices


def test_stop_button_stops_the_motor_it_feeds_and_never_isolates():
    env = environment(equipment("PushButton", "PB-1", function="stop", feeds=["M-1"]),
                      equipment("Motor", "M-1", coast_down="5 s"))
    pb, motor = env["PB-1"], env["M-1"]
    assert pb.passes("electrical") == 1.0 and "electrical" not in pb.eq.isolates
    assert motor.states["status"] == "running"
    assert pb.act("press").accepted
    events = run(env, 0.6)
    assert pb.states["pressed"] is True
    assert motor.states["status"] == "stopped"
    assert any(e.kind == "control" and e.detail["command"] == "stop" for e in events)
    run(env, 0.5)
    assert pb.states["pressed"] is False


def test_undeclared_button_controls_the_prime_mover():
    # the conveyor example: PB-12S declares nothing; M-12 drives C-12
    env = environment(equipment("Disconnect", "DS-12", feeds=["M-12"]),
                      equipment("Motor", "M-12", coast_down="25 s", feeds=["C-12"]),
                      equipment("Conveyor", "C-12"),
                      equipment("PushButton", "PB-12S", function="stop"),
                      equipment("SelectorSwitch", "SS-12"),
                      equipment("VentilationBlower", "BL-1", rated_flow="100 m^3/h"))
    assert el.prime_movers(env) == ["M-12"]
    assert env["PB-12S"].controlled() == ["M-12"]
    env["PB-12S"].act("press")
    run(env, 1.0)
    assert env["M-12"].states["status"] == "stopped"


def test_selector_off_stops_and_blocks_the_start_button():
    env = environment(equipment("Motor", "M-1", coast_down="5 s",
                                initial={"status": "stopped"}),
                      equipment("PushButton", "PB-1", function="start", feeds=["M-1"]),
                      equipment("SelectorSwitch", "SS-1", feeds=["M-1"]))
    assert not env["SS-1"].act("position", at="sideways").accepted
    assert not env["SS-1"].act("position").accepted
    env["PB-1"].act("press")
    run(env, 1.0)
    assert env["M-1"].states["status"] == "running"
    env["SS-1"].act("position", at="off")
    run(env, 1.0)
    assert env["SS-1"].states["position"] == "off"
    assert env["M-1"].states["status"] == "stopped"
    env["PB-1"].act("press")
    events = run(env, 1.0)
    assert env["M-1"].states["status"] == "stopped"
    assert any(e.kind == "blocked" for e in events)
    env["SS-1"].act("position", at="hand")
    run(env, 1.0)
    assert env["M-1"].states["status"] == "running"


def test_jog_runs_only_while_pressed():
    env = environment(equipment("Motor", "M-1", coast_down="5 s",
                                initial={"status": "stopped"}),
                      equipment("PushButton", "PB-1", function="jog", feeds=["M-1"]))
    env["PB-1"].act("press")
    run(env, 0.7)
    assert env["M-1"].states["status"] == "running"
    run(env, 0.5)
    assert env["M-1"].states["status"] == "stopped"


# ---------------------------------------------------------------- capacitors


@pytest.mark.parametrize("dt", DTS)
def test_capacitor_bleeds_down_as_v0_exp_minus_t_over_rc(dt):
    env = panel_env()
    cap, ds, cb = env["CAP-4"], env["DS-4"], env["CB-4P"]
    assert cap.states["voltage"] == pytest.approx(480.0)
    assert cap.stored()["electrical_stored"] == pytest.approx(0.5 * 300e-6 * 480.0 ** 2)
    ds.states["blades"] = cb.states["position"] = "open"  # isolated at t = 0
    tau = 50_000 * 300e-6
    worst = 0.0
    for t_check in (5.0, 15.0, 30.0, 45.0):
        run(env, t_check - env.t, dt)
        expected = 480.0 * math.exp(-env.t / tau)
        worst = max(worst, abs(cap.states["voltage"] / expected - 1))
    assert worst < 0.02, worst
    v = cap.states["voltage"]
    assert cap.stored()["electrical_stored"] == pytest.approx(0.5 * 300e-6 * v * v)


@pytest.mark.parametrize("dt", DTS)
def test_discharge_stick_empties_the_bank_fast(dt):
    env = panel_env()
    env["DS-4"].states["blades"] = env["CB-4P"].states["position"] = "open"
    cap = env["CAP-4"]
    out = cap.act("discharge")
    assert out.accepted and not cap.act("discharge").accepted
    r = 50_000 * el.DISCHARGE_STICK_OHM / (50_000 + el.DISCHARGE_STICK_OHM)
    tau = r * 300e-6
    for _ in range(3):  # the stick goes on at the start of the first step
        env.step(dt)
        assert cap.states["voltage"] == pytest.approx(480.0 * math.exp(-env.t / tau),
                                                      rel=0.02)
    run(env, out.duration, dt)
    assert cap.states["voltage"] < 1e-6 and not cap.discharging


def test_capacitor_recharges_when_fed_and_not_after_switch_off():
    env = panel_env()
    cap, ds, cb = env["CAP-4"], env["DS-4"], env["CB-4P"]
    ds.states["blades"] = cb.states["position"] = "open"
    run(env, 20.0)
    assert cap.states["voltage"] < 480 * math.exp(-1)
    ds.states["blades"] = "closed"
    run(env, 0.1)
    assert cap.states["voltage"] == pytest.approx(480.0)
    assert cap.act("switch_off").duration == pytest.approx(el.SWITCH_OFF_DURATION)
    run(env, el.SWITCH_OFF_DURATION + 0.1)
    assert cap.states["stages"] == "off"
    run(env, 15.0)  # fed, but disconnected from the bus: bleeds down
    assert cap.states["voltage"] == pytest.approx(480 * math.exp(-15 / 15), rel=0.02)


def test_discharging_an_energized_bank_is_a_hazard():
    env = panel_env()
    env["CAP-4"].act("discharge")
    events = run(env, 1.0)
    assert [e.detail["hazard"] for e in events if e.kind == "hazard"] == [
        "discharge_on_energized_bank"]
    assert env["CAP-4"].states["voltage"] == pytest.approx(480.0)


def test_stuck_bleed_resistor_holds_the_charge():
    env = panel_env()
    env["DS-4"].states["blades"] = env["CB-4P"].states["position"] = "open"
    env["CAP-4"].inject(effect("stuck", value="480 V", value_type="voltage"))
    run(env, 60.0)
    assert env["CAP-4"].states["voltage"] == pytest.approx(480.0)


# ---------------------------------------------------------------- panelboard


def test_panel_voltages_follow_supply_and_capacitors():
    env = panel_env()
    pnl = env["PNL-4"]
    assert pnl.states["voltage_ab"] == pytest.approx(480.0)
    assert pnl.states["voltage_ag"] == pytest.approx(480.0 / math.sqrt(3), rel=1e-9)
    env["DS-4"].states["blades"] = "open"
    run(env, 1.0)
    assert pnl.states["voltage_bc"] == pytest.approx(480.0)  # the PV backfeed through CB-4P
    env["CB-4P"].states["position"] = "open"
    run(env, 10.0)
    # de-energized, but the capacitors still on the bus hold it up
    v_cap = env["CAP-4"].states["voltage"]
    assert v_cap == pytest.approx(480 * math.exp(-(10.0 - 0.1) / 15), rel=0.02)
    # (the panel steps before the bank in this environment: it reads the bank one step late)
    assert pnl.states["voltage_ca"] == pytest.approx(v_cap, rel=0.01)
    assert pnl.states["voltage_cg"] == pytest.approx(pnl.states["voltage_ca"] / math.sqrt(3))
    env["CAP-4"].states["stages"] = "off"
    run(env, 0.1)
    assert all(pnl.states[s] == 0.0 for s in (*el.LINE, *el.PHASE))


def test_ground_on_a_live_bus_is_a_hazard_and_reads_zero():
    env = panel_env()
    assert env["PNL-4"].apply("ground", "electrician").accepted
    events = run(env, 0.5)
    assert [e.detail["hazard"] for e in events if e.kind == "hazard"] == [
        "ground_on_energized_bus"]
    assert env["PNL-4"].states["voltage_ab"] == 0.0
    assert env["PNL-4"].passes("electrical") == 0.0


# ---------------------------------------------------------------- testers


def test_live_dead_live():
    env = panel_env(cap_initial={"stages": "off"})
    vt = env["VT-1"]
    out = vt.act("verify", to=["PU-1"])
    assert out.accepted and out.duration == pytest.approx(el.TEST_DURATION)
    run(env, out.duration)
    assert vt.observe()["reading"] == pytest.approx(240.0)
    vt.act("test", to=["PNL-4.voltage_ab"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] == pytest.approx(480.0)  # live: the panel is fed
    vt.act("test", to=["PNL-4.voltage_bg"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] == pytest.approx(480.0 / math.sqrt(3))
    env["DS-4"].states["blades"] = env["CB-4P"].states["position"] = "open"
    run(env, 0.1)
    vt.act("test", to=["PNL-4.voltage_ab"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] == 0.0
    # the reading holds after the probes are lifted, and follows the point while they touch
    vt.act("test", to=["CAP-4"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] < 480.0


def test_dead_battery_reads_zero_on_a_live_point():
    # the ESWC example's fault: the effect has no state; it is inferred (`reading`, a voltage)
    env = panel_env()
    vt = env["VT-1"]
    vt.inject(effect("sensor_failure", value="0 V", value_type="voltage"))
    vt.act("test", to=["PNL-4.voltage_ab"])
    run(env, el.TEST_DURATION)
    assert vt.states["reading"] == pytest.approx(480.0)  # true value, for the assessment
    assert vt.observe()["reading"] == 0.0  # what the electrician sees: "dead"
    vt.act("verify", to=["PU-1"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] < 216.0  # the second known-source check catches it
    vt.clear(vt.faults[0])
    assert vt.observe()["reading"] == pytest.approx(240.0)


def test_weak_battery_reads_low_and_a_failure_without_value_reads_zero():
    env = panel_env()
    vt = env["VT-1"]
    vt.states["battery"] = 0.3
    vt.act("verify", to=["PU-1"])
    run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] == pytest.approx(240.0 * 0.3 / 0.5)
    vt.inject(effect("sensor_failure", equipment="VT-1", state="reading"))
    assert vt.observe()["reading"] == 0.0


def test_proximity_tester_proves_nothing():
    env = environment(equipment("VoltageTester", "VT-2", tester_type="proximity"),
                      equipment("Panelboard", "PNL-1"), equipment("ProvingUnit", "PU-1"))
    vt = env["VT-2"]
    vt.act("test", to=["PNL-1.voltage_ab"])
    events = run(env, el.TEST_DURATION)
    assert vt.observe()["reading"] == 0.0  # on a live 480 V bus
    assert [e.detail["hazard"] for e in events] == ["proximity_tester"]


def test_tester_refusals_and_overvoltage():
    env = panel_env()
    vt = env["VT-1"]
    assert not vt.act("test").accepted
    assert not vt.act("test", to=["PNL-9.voltage_ab"]).accepted
    assert not vt.act("verify", to=["DS-4"]).accepted
    env["PU-1"].params["output_voltage"] = 1200.0
    vt.act("verify", to=["PU-1"])
    assert not vt.act("verify", to=["PU-1"]).accepted  # still in use
    events = run(env, el.TEST_DURATION)
    assert [e.detail["hazard"] for e in events] == ["tester_overvoltage"]


def test_long_run_with_faults_stays_finite():
    env = panel_env()
    env["VT-1"].inject(effect("drift", value="-0.1 %", value_type="fraction", per="1 min",
                              equipment="VT-1", state="battery"))
    env["DS-4"].act("open")
    env["CB-4P"].act("open")
    for _ in range(24 * 60):  # one day, a minute at a time
        env.step(60.0)
    for b in env.behaviours.values():
        for k, v in b.states.items():
            assert not isinstance(v, float) or math.isfinite(v), (b.id, k)
    assert env["CAP-4"].states["voltage"] == 0.0 or env["CAP-4"].states["voltage"] < 1e-30
    assert env["VT-1"].states["battery"] == 0.0


# ---------------------------------------------------------------- the examples, step by step


@pytest.fixture(scope="module")
def eswc(tmp_path_factory):
    load_behaviours()
    return example("eswc_panel", tmp_path_factory.mktemp("eswc"))


def do(env, tag: str, verb: str, **kw) -> float:
    out = env[tag].act(verb, **kw)
    assert out.accepted, out.reason
    return out.duration


def test_eswc_example_expert_path(eswc):
    env = Environment(eswc)
    ok = lambda step: failed_expectations(env, eswc, step) == []  # noqa: E731
    run(env, do(env, "AHU-4", "stop"))
    run(env, 60.0)
    assert ok("interrupt_load")
    run(env, do(env, "CAP-4", "switch_off"))
    assert ok("caps_off")
    run(env, do(env, "DS-4", "open"))
    run(env, do(env, "CB-4P", "open"))
    assert ok("open_sources")
    run(env, do(env, "DS-4", "inspect"))
    assert ok("check_blades")
    run(env, do(env, "CAP-4", "discharge"))
    assert ok("discharge_caps")
    assert env["CAP-4"].stored()["electrical_stored"] < 1e-6
    for tag in ("DS-4", "CB-4P"):
        assert env[tag].apply("lock", "electrician").accepted
        assert env[tag].apply("tag", "electrician").accepted
    run(env, do(env, "VT-1", "verify", to=["PU-1"]))
    assert ok("verify_before")
    for point in ("ab", "bc", "ca", "ag", "bg", "cg"):
        run(env, do(env, "VT-1", "test", to=[f"PNL-4.voltage_{point}"]))
        assert ok(f"test_{point}")
    run(env, do(env, "VT-1", "verify", to=["PU-1"]))
    assert ok("verify_after")
    assert not env["DS-4"].act("close").accepted  # locked out


def test_eswc_example_dead_tester_is_caught_by_the_second_check(eswc):
    # the trainee forgot the PV breaker; the tester battery dies at test_ab
    env = Environment(eswc)
    ok = lambda step: failed_expectations(env, eswc, step) == []  # noqa: E731
    run(env, do(env, "CAP-4", "switch_off"))
    run(env, do(env, "DS-4", "open"))
    run(env, do(env, "VT-1", "verify", to=["PU-1"]))
    assert ok("verify_before")
    for e in fault_effects(eswc, "tester_battery"):
        env["VT-1"].inject(e)
    run(env, do(env, "VT-1", "test", to=["PNL-4.voltage_ab"]))
    assert env["PNL-4"].states["voltage_ab"] == pytest.approx(480.0)  # live (PV backfeed)
    assert ok("test_ab")  # ... but the dead tester says 0 V
    run(env, do(env, "VT-1", "verify", to=["PU-1"]))
    assert not ok("verify_after")  # live-dead-live: the known source reads 0 V too


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory):
    load_behaviours()
    return example("loto_conveyor", tmp_path_factory.mktemp("loto"))


def test_conveyor_example_stop_button_and_selector(conveyor):
    env = Environment(conveyor)
    assert env["PB-12S"].controlled() == ["M-12"]
    run(env, do(env, "PB-12S", "press"))
    run(env, 40.0)
    assert failed_expectations(env, conveyor, "stop") == []
    run(env, do(env, "DS-12", "open"))
    assert failed_expectations(env, conveyor, "open_disconnect") == []
    run(env, do(env, "SS-12", "position", at="off"))
    assert env["SS-12"].states["position"] == "off"
    assert env["M-12"].states["speed"] == 0.0
