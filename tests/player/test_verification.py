"""The two-person rule: a step with `verified_by` is done when its verifier has seen it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinlang.bundle import load
from twinlang.compile import compile_files
from twinlang.player.runner import play
from twinlang.player.trace import TraceError, parse_trace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    src = out / "loto_conveyor.twin"
    text = (ROOT / "examples" / "loto_conveyor.twin").read_text(encoding="utf-8")
    src.write_text(text.replace("for 45 min", "for 1 min"), encoding="utf-8")
    result = compile_files([src], out / "build")
    assert not result.report.has_errors
    return result.bundles[0]


@pytest.fixture(scope="module")
def expert(conveyor):
    """The expert's run and its actions as trace lines."""
    result = play(conveyor, world=False, faults=False)
    lines = []
    for e in result.events:
        if e["type"] == "action":
            lines.append({"t": e["t"], "by": e["by"], "action": e["action"]})
        elif e["type"] == "verification":
            lines.append({"t": e["t"], "by": e["by"], "verify": e["step"]})
    return result, lines


def _play(conveyor, lines):
    trace = parse_trace("\n".join(json.dumps(x) for x in lines), load(conveyor))
    return play(conveyor, trace=trace, world=False, faults=False)


def test_the_expert_has_the_verifier_verify(expert):
    result, _ = expert
    v = [e for e in result.events if e["type"] == "verification"]
    assert [(e["step"], e["by"], e["ok"]) for e in v] == [("tryout", "supervisor", True)]
    assert v[0]["performed_by"] == ["mechanic"]
    due = next(e for e in result.events if e["type"] == "verification_due")
    done = next(e for e in result.events if e["type"] == "step_completed"
                and e["step"] == "tryout")
    assert due["t"] <= v[0]["t"] <= done["t"]


def test_without_the_verification_the_step_waits(conveyor, expert):
    _, lines = expert
    cut = [x for x in lines if "verify" not in x]
    result = _play(conveyor, cut)
    assert result.outcome != "completed"
    assert not any(e["type"] == "step_completed" and e["step"] == "tryout"
                   for e in result.events)


def test_a_verification_by_the_performer_is_marked(conveyor, expert):
    _, lines = expert
    wrong = [dict(x, by="mechanic") if "verify" in x else x for x in lines]
    result = _play(conveyor, wrong)
    v = next(e for e in result.events if e["type"] == "verification")
    assert (v["by"], v["expected"], v["ok"]) == ("mechanic", "supervisor", False)
    assert result.outcome == "completed"        # the plant does not stop the run


def test_a_verification_too_early_is_ignored(conveyor, expert):
    _, lines = expert
    i = next(i for i, x in enumerate(lines) if "verify" in x)
    early = [*lines[:i], {"t": 0.0, "by": "supervisor", "verify": "tryout"}, *lines[i:]]
    early.sort(key=lambda x: x["t"])
    result = _play(conveyor, early)
    ignored = [e for e in result.events if e["type"] == "verification_ignored"]
    assert ignored and "not under way" in ignored[0]["reason"]
    assert result.outcome == "completed"


def test_verify_names_a_step_with_a_verifier(conveyor):
    with pytest.raises(TraceError, match="`verify` names a step with `verified_by`"):
        parse_trace('{"t": 1, "by": "supervisor", "verify": "bleed"}', load(conveyor))


def test_which_state_is_read_is_part_of_the_action(conveyor):
    from twinlang.player.trace import parse_action

    oxygen, lel = parse_action("measure GD-1.oxygen"), parse_action("measure GD-1.lel")
    assert oxygen.targets == lel.targets == ("GD-1",)
    assert oxygen.key() != lel.key()
    assert oxygen.describe() == "measure GD-1.oxygen"
    with pytest.raises(TraceError, match="has no state `pressur`"):
        parse_trace('{"t": 1, "by": "mechanic", "action": "record ACC-3.pressur"}',
                    load(conveyor))
