"""Chemical containers: transfer volumes against rate x time, bonding and grounding,
static and reaction events, the EPA pair table; group lock boxes."""

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
    quantity,
    substance,
)
from twinlang import ast
from twinlang.paths import stdlib_dir
from twinlang.player.behaviours import chemical as ch
from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment
from twinlang.syntax.parser import parse_source
from twinlang.syntax.source import decode

load_behaviours()  # the examples and the mixed environments use every family
DTS = [1 / 240, 0.1]
GAL = 3.785411784e-3


def run(env, seconds: float, dt: float = 0.1) -> list:
    events = []
    for _ in range(round(seconds / dt)):
        events += env.step(dt)
    return events


def drum_and_can(*, can_contains=("acetone",), can_fill="0 %", conductive=True,
                 subs=("acetone",), drum_contains=("acetone",)):
    """The chemical transfer example: a 55 gal drum 60 % full and a 5 gal safety can."""
    return environment(
        equipment("ChemicalContainer", "D-1", capacity="55 gal", initial_fill="60 %",
                  contains=list(drum_contains)),
        equipment("ChemicalContainer", "SC-1", container_type="safety_can",
                  capacity="5 gal", spring_closing_lid=True, conductive=conductive,
                  initial_fill=can_fill, contains=list(can_contains)),
        substances=[substance(s) for s in subs])


def prepare(env, *, ground=True, bond=True):
    if ground:
        env["D-1"].apply("ground", "handler")
    if bond:
        env["D-1"].apply("bond", "handler")
        env["SC-1"].apply("bond", "handler")
    env["D-1"].act("open")
    run(env, ch.VENT_TIME + 0.1)


# ---------------------------------------------------------------- transfer


@pytest.mark.parametrize("dt", DTS)
def test_transfer_moves_rate_times_time(dt):
    env = drum_and_can()
    prepare(env)
    drum, can = env["D-1"], env["SC-1"]
    start = drum.states["contents"]
    assert start == pytest.approx(0.6 * 55 * GAL)
    out = drum.act("transfer", to=["SC-1"])
    target = ch.FILL_TO * 5 * GAL
    assert out.accepted and out.duration == pytest.approx(target / ch.POUR_RATE)
    worst = 0.0
    for t_check in (30.0, 60.0, 90.0):
        run(env, 30.0, dt)
        moved = can.states["contents"]
        worst = max(worst, abs(moved / (ch.POUR_RATE * t_check) - 1))
        assert drum.states["contents"] + moved == pytest.approx(start, rel=1e-12)
    assert worst < 0.02, worst
    events = run(env, out.duration - 90.0 + 1.0, dt)
    # the example expects 15 L .. 17 L in the can within 5 min
    assert can.states["contents"] == pytest.approx(target, rel=0.02)
    assert 15e-3 <= can.states["contents"] <= 17e-3 and out.duration < 300
    assert [e.kind for e in events] == ["transferred"]
    assert not [e for e in events if e.kind == "hazard"]


def test_transfer_refusals_and_pause():
    env = drum_and_can()
    drum = env["D-1"]
    assert not drum.act("transfer").accepted
    assert not drum.act("transfer", to=["D-1"]).accepted
    assert not drum.act("transfer", to=["X-9"]).accepted
    closed = drum.act("transfer", to=["SC-1"])
    assert not closed.accepted and "vent" in closed.reason
    prepare(env)
    assert drum.act("transfer", to=["SC-1"]).accepted
    assert not drum.act("transfer", to=["SC-1"]).accepted  # already pouring
    run(env, 30.0)
    drum.act("close")  # the alarm handler's stop: flow stops when the vent is shut
    run(env, ch.VENT_TIME + 0.1)
    held = env["SC-1"].states["contents"]
    run(env, 60.0)
    assert env["SC-1"].states["contents"] == held
    drum.act("open")
    run(env, 200.0)
    assert env["SC-1"].states["contents"] == pytest.approx(ch.FILL_TO * 5 * GAL)


def test_transfer_to_a_volume_or_fill_level_and_spill():
    env = drum_and_can()
    prepare(env)
    drum, can = env["D-1"], env["SC-1"]
    out = drum.act("transfer", to=["SC-1"], at=quantity("10 L", "volume"))
    run(env, out.duration + 1)
    assert can.states["contents"] == pytest.approx(10e-3)
    out = drum.act("transfer", to=["SC-1"], at=quantity("50 %", "fraction"))
    assert not out.accepted  # already past half
    out = drum.act("transfer", to=["SC-1"], at=quantity("20 L", "volume"))
    events = run(env, out.duration + 1)
    assert can.states["contents"] == pytest.approx(5 * GAL)
    assert drum.states["contents"] == pytest.approx(0.6 * 55 * GAL - 30e-3)
    assert [e.detail["hazard"] for e in events if e.kind == "hazard"] == ["spill"]


# ---------------------------------------------------------------- bonding and static


def test_resistance_to_ground_from_ground_and_bond():
    env = drum_and_can()
    drum, can = env["D-1"], env["SC-1"]
    run(env, 0.1)
    assert drum.states["resistance_to_ground"] == ch.R_OPEN
    drum.apply("ground", "handler")
    run(env, 0.1)
    assert drum.states["resistance_to_ground"] == ch.R_GROUND
    assert can.states["resistance_to_ground"] == ch.R_OPEN
    drum.apply("bond", "handler")
    can.apply("bond", "handler")
    run(env, 0.1)
    assert can.states["resistance_to_ground"] == ch.R_GROUND + ch.R_BOND
    can.remove("bond", "handler")
    run(env, 0.1)
    assert can.states["resistance_to_ground"] == ch.R_OPEN


def test_plastic_container_cannot_be_bonded():
    env = drum_and_can(conductive=False)
    prepare(env)
    assert env["SC-1"].states["resistance_to_ground"] == ch.R_OPEN
    env["D-1"].act("transfer", to=["SC-1"])
    events = run(env, 1.0)
    assert [e.detail["hazard"] for e in events if e.kind == "hazard"] == ["static_discharge"]


@pytest.mark.parametrize(("ground", "bond"), [(False, False), (True, False), (False, True)])
def test_unbonded_or_ungrounded_flammable_transfer_is_a_hazard(ground, bond):
    env = drum_and_can()
    prepare(env, ground=ground, bond=bond)
    env["D-1"].act("transfer", to=["SC-1"])
    events = run(env, 30.0)
    hazards = [e for e in events if e.kind == "hazard"]
    assert len(hazards) == 1 and hazards[0].detail["hazard"] == "static_discharge"
    assert hazards[0].detail["substances"] == ["acetone"]


def test_clamp_slipping_off_mid_pour():
    # the example's fault: stuck at 1000 Mohm on SC-1.resistance_to_ground (no state given)
    env = drum_and_can()
    prepare(env)
    env["D-1"].act("transfer", to=["SC-1"])
    assert run(env, 10.0) == []
    fault = effect("stuck", value="1000 Mohm", value_type="resistance")
    env["SC-1"].inject(fault)
    events = run(env, 1.0)
    assert env["SC-1"].states["resistance_to_ground"] == pytest.approx(1e9)
    assert [e.detail["hazard"] for e in events] == ["static_discharge"]
    env["SC-1"].clear(fault)
    env["D-1"].apply("bond", "handler")
    env["SC-1"].apply("bond", "handler")
    run(env, 1.0)
    assert env["SC-1"].states["resistance_to_ground"] == ch.R_GROUND + ch.R_BOND


def test_bonding_needed_by_category_and_flash_point():
    env = environment(substances=[
        substance("acetone"), substance("sodium_hydroxide"),
        substance("cat3_low", groups=[], flammable_category=3, flash_point="30 degC"),
        substance("cat3_high", groups=[], flammable_category=3, flash_point="50 degC"),
        substance("diesel", groups=[], flash_point="55 degC")])
    assert ch.needs_bonding(env, "acetone")
    assert not ch.needs_bonding(env, "sodium_hydroxide")
    assert ch.needs_bonding(env, "cat3_low")
    assert not ch.needs_bonding(env, "cat3_high")
    assert not ch.needs_bonding(env, "diesel")
    assert not ch.needs_bonding(env, "unknown")


def test_water_based_transfer_needs_no_bond():
    env = drum_and_can(can_contains=(), drum_contains=("sodium_hydroxide",),
                       subs=("sodium_hydroxide",))
    env["D-1"].act("open")
    run(env, ch.VENT_TIME + 0.1)
    env["D-1"].act("transfer", to=["SC-1"])
    assert [e.kind for e in run(env, 200.0)] == ["transferred"]


# ---------------------------------------------------------------- reactions


def test_bleach_into_acid_residue_reacts_once():
    env = drum_and_can(drum_contains=("sodium_hypochlorite",),
                       can_contains=("hydrochloric_acid",), can_fill="10 %",
                       subs=("sodium_hypochlorite", "hydrochloric_acid"))
    prepare(env)
    env["D-1"].act("transfer", to=["SC-1"])
    events = [e for e in run(env, 60.0) if e.kind == "reaction"]
    assert len(events) == 1
    d = events[0].detail
    assert events[0].equipment == "SC-1"
    assert d["substances"] == ["sodium_hypochlorite", "hydrochloric_acid"]
    assert set(d["groups"]) == {"oxidizers_strong", "acids_mineral_nonoxidizing"}
    assert d["heat"] and d["gas"] == ["toxic_gas"]
    assert "explosion" in d["consequences"]
    assert set(env["SC-1"].present()) == {"sodium_hypochlorite", "hydrochloric_acid"}


def test_compatible_and_empty_receivers_do_not_react():
    env = drum_and_can(can_fill="10 %")  # acetone onto acetone
    prepare(env)
    env["D-1"].act("transfer", to=["SC-1"])
    assert not [e for e in run(env, 60.0) if e.kind == "reaction"]
    env = drum_and_can(drum_contains=("sodium_hypochlorite",),
                       can_contains=("hydrochloric_acid",), can_fill="0 %",
                       subs=("sodium_hypochlorite", "hydrochloric_acid"))
    prepare(env)
    env["D-1"].act("transfer", to=["SC-1"])
    assert not [e for e in run(env, 60.0) if e.kind == "reaction"]  # an empty can


def test_water_reactive_reacts_with_anything():
    env = environment(substances=[substance("hydride", groups=["water_reactive"]),
                                  substance("toluene"), substance("sodium_hydroxide")])
    assert ch.reaction(env, "hydride", "toluene") == (["water_reactive", "hydrocarbons_aromatic"],
                                                      ["unknown"])
    _, cons = ch.reaction(env, "sodium_hydroxide", "hydride")
    assert cons == ["heat", "flammable_gas", "toxic_gas"]  # the prelude's 107 + 106 cell


def test_pair_table_is_the_preludes():
    path = stdlib_dir() / "prelude.twin"
    source, _ = decode(path.name, path.read_bytes())
    module, _ = parse_source(source)
    prelude = {}
    for item in module.items:
        if isinstance(item, ast.Incompatible):
            key = frozenset((item.first.name, item.second.name))
            prelude[key] = tuple(dict.fromkeys(prelude.get(key, ())
                                               + tuple(c.name for c in item.consequences)))
    assert prelude and ch.EPA_PAIRS == prelude


# ---------------------------------------------------------------- lock box


def test_lock_box_keys_and_personal_locks():
    env = environment(equipment("Disconnect", "DS-1", initial={"blades": "open",
                                                              "handle": "off"}),
                      equipment("GateValve", "V-1", initial={"position": "0 %"}),
                      equipment("LockBox", "LB-1", lock_points=2))
    lb = env["LB-1"]
    assert not lb.act("deposit").accepted  # no isolation locks yet
    env["DS-1"].apply("lock", "electrician")
    env["V-1"].apply("lock", "mechanic")
    out = lb.act("deposit")
    assert out.accepted
    run(env, out.duration)
    assert lb.states["keys_inside"] == 2 and not lb.keys_held()
    assert lb.apply("lock", "mechanic").accepted
    assert lb.apply("lock", "electrician").accepted
    assert not lb.apply("lock", "operator").accepted  # two lock points
    assert lb.states["personal_locks"] == 2 and lb.keys_held()
    lb.remove("lock", "mechanic")
    assert lb.states["personal_locks"] == 1 and lb.keys_held()
    lb.inject(effect("lock_failure"))
    assert not lb.keys_held()


def test_isolation_locks_stay_on_while_the_keys_are_in_the_box():
    """Group lockout (1910.147(f)(3)): no isolation lock comes off while a personal lock
    holds the box with the keys inside."""
    env = environment(equipment("Disconnect", "DS-1", initial={"blades": "open",
                                                              "handle": "off"}),
                      equipment("LockBox", "LB-1"))
    ds, lb = env["DS-1"], env["LB-1"]
    assert ds.apply("lock", "electrician").accepted
    run(env, lb.act("deposit").duration)
    assert ds.remove("lock", "electrician").accepted  # keys inside, no personal lock yet
    assert ds.apply("lock", "electrician").accepted
    assert lb.apply("lock", "mechanic").accepted and lb.apply("lock", "operator").accepted
    refused = ds.remove("lock", "electrician")
    assert not refused.accepted and "`LB-1`" in refused.reason and "2 personal" in refused.reason
    lb.remove("lock", "mechanic")
    assert not ds.remove("lock", "electrician").accepted  # one personal lock still on
    lb.remove("lock", "operator")
    assert ds.remove("lock", "electrician").accepted


def test_long_run_stays_finite():
    env = drum_and_can(drum_contains=("sodium_hypochlorite", "acetone"),
                       can_contains=("hydrochloric_acid",), can_fill="50 %",
                       subs=("sodium_hypochlorite", "acetone", "hydrochloric_acid"))
    prepare(env, bond=False)
    env["D-1"].act("transfer", to=["SC-1"], at=1.0)  # 1 m^3: more than there is
    for _ in range(24 * 60):
        env.step(60.0)
    total = env["D-1"].states["contents"] + env["SC-1"].states["contents"]
    assert math.isfinite(total) and env["D-1"].states["contents"] == 0.0
    assert env["SC-1"].states["contents"] == pytest.approx(5 * GAL)


# ---------------------------------------------------------------- the example, step by step


@pytest.mark.parametrize("clamp_slips", [False, True])
def test_acetone_transfer_example(tmp_path, clamp_slips):
    load_behaviours()
    bundle = example("chemical_transfer", tmp_path)
    env = Environment(bundle)
    ok = lambda step: failed_expectations(env, bundle, step) == []  # noqa: E731
    drum, can = env["D-1"], env["SC-1"]

    def do(b, verb, **kw):
        out = b.act(verb, **kw)
        assert out.accepted, out.reason
        return run(env, out.duration)

    for b in (drum, can):
        do(b, "inspect")
    assert drum.apply("ground", "handler").accepted
    run(env, 20.0)
    for b in (drum, can):
        assert b.apply("bond", "handler").accepted
    run(env, 20.0)
    do(drum, "measure")
    do(can, "measure")
    assert ok("continuity")
    do(drum, "open")
    assert ok("open_vent")
    out = drum.act("transfer", to=["SC-1"])
    events = run(env, 30.0)
    if clamp_slips:
        effects = fault_effects(bundle, "clamp_off")
        for e in effects:
            can.inject(e)
        events += run(env, 1.0)
        assert [e.detail["hazard"] for e in events if e.kind == "hazard"] == [
            "static_discharge"]
        assert can.observe()["resistance_to_ground"] > 10.0  # the alarm condition
        events += do(drum, "close")
        assert ok("stop_pour")
        for e in effects:  # clears on step rebond
            can.clear(e)
        for b in (drum, can):
            assert b.apply("bond", "handler").accepted
        events += run(env, 20.0)
        do(can, "measure")
        assert ok("recheck")
        do(drum, "open")
    events += run(env, out.duration)
    assert ok("pour") and env.t < 5 * 60 + 120
    assert [e.kind for e in events if e.kind != "hazard"] == ["transferred"]
    do(drum, "close")
    do(can, "close")
    assert ok("close_all")
    do(can, "label")
    assert ok("label")
