"""Realistic defects in the examples, caught by the fault and alarm rules (TW11xx).

Each test removes or rescopes the alarm handler that recovers an injected fault, moves a
trigger, or retargets an expectation, and asserts the code, where it points and the
`path:` note; the unchanged examples give none of the pack's codes.
"""

from __future__ import annotations

import pytest

from .variants import EXAMPLES, check_text, only, path_note, read
from .variants import check_edited as check

PACK = ("TW1101", "TW1102", "TW1103", "TW1104", "TW1105", "TW1106")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.twin")))
def test_the_examples_are_clean(tmp_path, example):
    diags = check(tmp_path, example)
    assert not [d for d in diags if d.code in PACK], [d.message for d in diags]


def test_pressure_alarm_removed(tmp_path):
    # loto_conveyor: pressure creeping back during the work is caught by the alarm that
    # sends the mechanic back to bleed; without it nothing notices and `bleed` never recurs
    diags = check(tmp_path, "loto_conveyor.twin",
                  ("  on alarm ACC-3.pressure > 5 bar during work -> goto bleed up to 3 times\n",
                   ""))
    d = only(diags, "TW1104", "fault `pressure_creep` starts at `work`")
    assert path_note(d) == ("path: work → inspect_area → headcount → unlock_valve → "
                            "unlock_disconnect → notify_end → restore_hydraulics → "
                            "restore_power → end")
    c = only(diags, "TW1105", "clears on step `bleed`, which never comes after its trigger")
    assert path_note(c).startswith("path: work → ")


def test_atmosphere_alarm_removed(tmp_path):
    text = read("tank_entry.twin")
    start = text.index("  on alarm GD-1.oxygen")
    end = text.index('  step leave "Leave the tank"')
    diags = check_text(tmp_path, "tank_entry.twin", text[:start] + text[end:])
    drift = only(diags, "TW1104", "fault `o2_sensor_drift` starts at `work`")
    leak = only(diags, "TW1104", "fault `vent_valve_passes` starts at `work`")
    for d in (drift, leak):
        assert path_note(d).startswith("path: work → leave → count")
        assert path_note(d).endswith("→ end")


def test_bond_alarm_watching_the_wrong_step(tmp_path):
    # chemical_transfer: the alarm covers opening the vent instead of the pour, so a bond
    # clamp slipping off during the pour goes unnoticed
    diags = check(tmp_path, "chemical_transfer.twin", ("during pour {", "during open_vent {"))
    d = only(diags, "TW1104", "fault `clamp_off` starts at `pour`")
    assert path_note(d) == "path: pour → close_all → unbond → unground → label → cleanup → end"
    only(diags, "TW1105", "clears on step `rebond`")


def test_tester_failure_with_no_check_after_the_tests(tmp_path):
    # eswc_panel: without the second known-source check and the tester swap, the dead
    # tester's 0 V passes every "< 50 V" expectation
    text = read("eswc_panel.twin")
    start = text.index('  step verify_after "')
    end = text.index("  # ESWC step 8")
    text = text[:start] + text[end:]
    text = text.replace("  clears on step replace_tester\n", "  clears never\n")
    diags = check_text(tmp_path, "eswc_panel.twin", text)
    d = only(diags, "TW1104", "fault `tester_battery` starts at `test_ab`")
    assert path_note(d) == ("path: test_ab → test_bc → test_ca → test_ag → test_bg → test_cg → "
                            "grounds → work → end")
    assert any("the faulty value 0 V passes" in n for n in d.notes)


def test_the_second_check_catches_the_dead_tester(tmp_path):
    # the same fault with the second known-source check in place: `verify_after` expects
    # 216 V or more, which the dead tester's 0 V fails, so the fault is noticed
    text = read("eswc_panel.twin").replace("  clears on step replace_tester\n",
                                           "  clears never\n")
    diags = check_text(tmp_path, "eswc_panel.twin", text)
    assert not [d for d in diags if d.code == "TW1104"]


def test_fault_clearing_on_a_step_before_its_trigger(tmp_path):
    # chemical_transfer: the slipped clamp is said to clear on the bond check before the
    # pour, which the alarm handler never goes back to (it resumes the pour)
    diags = check(tmp_path, "chemical_transfer.twin", ("  clears on step rebond\n",
                                                       "  clears on step continuity\n"))
    d = only(diags, "TW1105", "clears on step `continuity`, which never comes after its "
                              "trigger `pour`")
    assert path_note(d).startswith("path: pour → close_all")


def test_the_loop_back_to_the_clearing_step_counts(tmp_path):
    # loto_conveyor: clearing on `read_gauge`, before the work, is fine: the alarm during
    # the work goes back to `bleed`, then `read_gauge`
    diags = check(tmp_path, "loto_conveyor.twin",
                  ("  clears on step bleed\n", "  clears on step read_gauge\n"))
    assert not [d for d in diags if d.code in PACK]


def test_expectations_on_connected_or_used_equipment_pass(tmp_path):
    # tank_entry: the inlet check reads the vent header behind the closed valve instead of
    # the valve: connected by `isolates`, so it is observable
    diags = check(tmp_path, "tank_entry.twin", ("    expect V-702.flow == 0 L/min\n",
                                                "    expect GH-1.flow == 0 L/min\n"))
    assert not [d for d in diags if d.code == "TW1106"]
    # loto_conveyor: an expectation on the selector, which `controls_off` operates
    diags = check(tmp_path, "loto_conveyor.twin", ("expect V-31.position == 0 % within 2 min",
                                                   "expect SS-12.position == off within 2 min"))
    assert not [d for d in diags if d.code == "TW1106"]


def test_expectation_on_equipment_nothing_uses(tmp_path):
    # tank_entry: the agitator check expects the inlet pump's flow, but after the edit no
    # step operates the pump (its stop is gone) and the agitator is not connected to it
    diags = check(tmp_path, "tank_entry.twin",
                  ("    stop P-701\n", ""),
                  ("try_start M-7A expect M-7A.speed == 0 rpm",
                   "try_start M-7A expect P-701.speed == 0 rpm"))
    d = only(diags, "TW1106", "step `tryout` expects `P-701.speed`, but no step acts on or "
                              "reads `P-701`")
    assert path_note(d).endswith("lock → tryout")
