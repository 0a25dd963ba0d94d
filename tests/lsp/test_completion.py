"""Completion contexts, read from the text before the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinlang.lsp.analysis import check_buffer
from twinlang.lsp.completion import complete, units_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analysis():
    path = ROOT / "examples" / "loto_conveyor.twin"
    return check_buffer(path, path.read_text(encoding="utf-8"))


def _labels(analysis, text: str, cursor: str) -> list[str]:
    """Complete at the first ``|`` of ``cursor``, inserted into the example after `text`."""
    base = analysis.text.replace("\r\n", "\n")
    at = base.index(text) + len(text)
    before, after = cursor.split("|")
    buffer = base[:at] + before + after + base[at:]
    return [i.label for i in complete(analysis, buffer, at + len(before))]


def test_nothing_inside_strings_and_comments(analysis):
    assert _labels(analysis, "  step prepare", ' "Review | ') == []
    assert _labels(analysis, "# ----", " press |") == []


def test_units_by_dimension():
    assert units_for("pressure")[:1] == ("Pa",) and "psi" in units_for("pressure")
    assert units_for("flammability") == ("% LEL", "% LFL")
    assert "gpm" in units_for("flow")


def test_units_of_a_new_parameter_line(analysis):
    found = _labels(analysis, "  volume = 10 L\n", "  precharge = 80 |\n")
    assert "bar" in found and "L" not in found


def test_states_after_a_tag_and_a_dot(analysis):
    found = _labels(analysis, "    bleed ACC-3\n", "    expect ACC-3.|\n")
    assert found[0] == "pressure"


def test_keywords_of_the_block(analysis):
    found = _labels(analysis, "  description \"Scale on the stem; the valve closes after the "
                    "handwheel is worked back and forth\"\n", "  |\n")
    assert {"trigger", "effect", "clears"} <= set(found) and "step" not in found


def test_parameters_of_the_equipment_kind(analysis):
    found = _labels(analysis, "  volume = 10 L\n", "  |\n")
    assert "discharge_coefficient" in found and "feeds" in found
