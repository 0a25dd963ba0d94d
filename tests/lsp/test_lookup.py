"""What the name under the cursor refers to (hover and go to definition build on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinlang.lsp.analysis import check_buffer
from twinlang.lsp.hover import hover_text
from twinlang.lsp.lookup import find_target

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis():
    path = ROOT / "examples" / "loto_conveyor.twin"
    return check_buffer(path, path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("needle,delta,category,name,where", [
    ("assesses lockout", 9, "procedure", "lockout", "examples/loto_conveyor.twin"),
    ("based_on high_risk_initial", 9, "profile", "high_risk_initial", "stdlib/competency.twin"),
    ("recovery_time stuck_valve", 14, "fault", "stuck_valve", "examples/loto_conveyor.twin"),
    ("trigger at step close_valve", 16, "step", "close_valve", "examples/loto_conveyor.twin"),
    ("clears on step bleed", 15, "step", "bleed", "examples/loto_conveyor.twin"),
    ("    bleed ACC-3", 4, "action", "bleed", "stdlib/equipment.twin"),
    ("on V-31.position", 8, "state", "position", "stdlib/equipment.twin"),
    ("use stdlib.equipment", 11, "module", "stdlib.equipment", "stdlib/equipment.twin"),
    ("Conveyor, PushButton", 0, "kind", "Conveyor", "stdlib/equipment.twin"),
    ("roles electrician", 6, "role", "electrician", "examples/loto_conveyor.twin"),
    ("energy electrical", 7, "energy type", "electrical", "stdlib/prelude.twin"),
])
def test_targets(analysis, needle, delta, category, name, where):
    target = find_target(analysis.module, analysis.text.index(needle) + delta)
    assert (target.category, target.name) == (category, name)
    assert target.module.display.endswith(where)


def test_nothing_on_keywords_strings_and_numbers(analysis):
    for needle in ("procedure lockout", '"Lock out conveyor', "90 bar"):
        assert find_target(analysis.module, analysis.text.index(needle) + 1) is None


def test_hover_on_a_kind_action_and_a_fault(analysis):
    text = analysis.text
    hover = hover_text(analysis, text.index("    bleed ACC-3") + 4, 0, 0)
    assert hover.startswith("**action** `bleed` of kind `Accumulator`")
    hover = hover_text(analysis, text.index("recovery_time stuck_valve") + 14, 0, 0)
    assert "**fault** `stuck_valve` \"Take-up valve binds at 60 % open\"" in hover
