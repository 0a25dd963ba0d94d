"""Realistic defects in the examples, caught by the sign-off rules (TW10xx).

Each test changes a role in an example (a verifier, the role list, a performer) or drops
the check of a critical step, and asserts the code, the step and the `path:` note; the
unchanged examples give none of the pack's codes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .variants import check_edited as check
from .variants import only, path_note

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PACK = ("TW1001", "TW1002", "TW1003", "TW1004")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.twin")))
def test_the_examples_are_clean(tmp_path, example):
    diags = check(tmp_path, example)
    assert not [d for d in diags if d.code in PACK], [d.message for d in diags]


def test_tryout_verified_by_its_own_performer(tmp_path):
    # loto_conveyor: the mechanic performs the try-out; the supervisor verifies it
    diags = check(tmp_path, "loto_conveyor.twin", (
        "    critical\n    verified_by supervisor\n", "    critical\n    verified_by mechanic\n"))
    d = only(diags, "TW1001", "step `tryout` is verified by `mechanic`")
    assert path_note(d).endswith("stand_clear → tryout")
    assert [label.message for label in d.labels] == ["performer"]


def test_known_source_check_verified_by_the_electrician(tmp_path):
    diags = check(tmp_path, "eswc_panel.twin",
                  ("    verified_by supervisor\n", "    verified_by electrician\n"))
    d = only(diags, "TW1001", "step `verify_after` is verified by `electrician`")
    assert path_note(d).endswith("test_cg → verify_after")


TANK_ROLES = "  roles entrant, attendant, supervisor, operator\n"


def test_operator_dropped_from_the_roles(tmp_path):
    diags = check(tmp_path, "tank_entry.twin",
                  (TANK_ROLES, "  roles entrant, attendant, supervisor\n"))
    d = only(diags, "TW1002", "`operator` is told in step `notify_start`")
    assert path_note(d) == "path: start → notify_start"
    assert len([x for x in diags if x.code == "TW1002"]) == 1  # one report per role


def test_attendant_not_among_the_roles(tmp_path):
    diags = check(tmp_path, "tank_entry.twin",
                  (TANK_ROLES, "  roles entrant, supervisor, operator\n"))
    only(diags, "TW1002", "the attendant `attendant` is not among `roles`")


def test_oxygen_test_without_its_limits(tmp_path):
    diags = check(tmp_path, "tank_entry.twin",
                  ("    expect GD-1.oxygen between 19.5 % vol and 23.5 % vol\n", ""))
    d = only(diags, "TW1003", "critical step `test_oxygen` operates `GD-1.oxygen`")
    assert path_note(d).endswith("ventilate → test_oxygen")


def test_stop_filling_without_a_check(tmp_path):
    diags = check(tmp_path, "chemical_transfer.twin", ("      expect D-1.vent == closed\n", ""))
    d = only(diags, "TW1003", "critical step `stop_pour` operates `D-1`")
    assert path_note(d).endswith("open_vent → pour → stop_pour")


def test_discharge_without_a_voltage_check(tmp_path):
    diags = check(tmp_path, "eswc_panel.twin",
                  ("    expect CAP-4.voltage < 50 V within 2 min\n", ""))
    d = only(diags, "TW1003", "critical step `discharge_caps` operates `CAP-4`")
    assert path_note(d).endswith("check_blades → discharge_caps")


def test_default_performer_removed(tmp_path):
    diags = check(tmp_path, "loto_conveyor.twin", ("  performed_by mechanic\n  roles", "  roles"))
    nobody = [d for d in diags if d.code == "TW1004"]
    assert "nobody performs step `prepare`" in [d.message for d in nobody]
    # steps with a performer of their own are fine
    assert not [d for d in nobody if "`open_disconnect`" in d.message]
    assert all(path_note(d) for d in nobody)
