"""Realistic mistakes in the conveyor lockout (examples/loto_conveyor.twin) are caught by
the energy-control pack (29 CFR 1910.147) with the right code and the path that breaks it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinlang.api import check_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "loto_conveyor.twin"


def _remove_step(text: str, name: str) -> str:
    """Delete `step NAME ...` (one line, or a block up to its closing brace)."""
    lines = text.split("\n")
    out, skipping, depth = [], False, 0
    for line in lines:
        if not skipping and re.match(rf"\s*step {name}\b", line):
            depth = line.count("{") - line.count("}")
            skipping = depth > 0
            continue
        if skipping:
            depth += line.count("{") - line.count("}")
            skipping = depth > 0
            continue
        out.append(line)
    return "\n".join(out)


def _check(tmp_path, text):
    path = tmp_path / "variant.twin"
    path.write_text(text, encoding="utf-8")
    return check_files([path]).diagnostics


def _one(diags, code):
    found = [d for d in diags if d.code == code]
    assert found, f"{code} not reported; got {[(d.code, d.message) for d in diags]}"
    return found[0]


def test_the_example_is_clean(tmp_path):
    assert _check(tmp_path, EXAMPLE.read_text(encoding="utf-8")) == []


def test_try_out_removed(tmp_path):
    text = _remove_step(EXAMPLE.read_text(encoding="utf-8"), "tryout")
    text = text.replace("  step_time tryout <= 2 min\n", "")
    d = _one(_check(tmp_path, text), "TW0601")
    assert "is not verified" in d.message and "`work`" in d.message
    path = next(n for n in d.notes if n.startswith("path: "))
    assert "tryout" not in path and path.endswith("work")
    assert d.span.line == text[: text.index("step work")].count("\n") + 1


def test_lock_before_isolation(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    a = text.index('  step close_valve "')
    b = text.index('  step lock_disconnect "')
    c = text.index('  step lock_valve "')
    d_ = text.index('  step bleed "')
    # the valve is locked before it is closed
    text = text[:a] + text[c:d_] + text[a:b] + text[b:c] + text[d_:]
    d = _one(_check(tmp_path, text), "TW0601")
    assert "ACC-3" in d.message
    assert any(n.startswith("path: ") and "lock_valve" in n for n in d.notes)
    assert any("comes before" in n for n in d.notes)


def test_bleed_removed(tmp_path):
    text = _remove_step(EXAMPLE.read_text(encoding="utf-8"), "bleed")
    text = (text.replace(" and bleed", "")
            .replace("-> goto bleed up to 3 times", "-> goto read_gauge up to 3 times")
            .replace("clears on step bleed", "clears on step read_gauge"))
    d = _one(_check(tmp_path, text), "TW0601")
    assert "stored hydraulic energy of `ACC-3` is not released" in d.message
    assert any(n.startswith("path: start") for n in d.notes)


def test_lock_removed_by_another_role(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "    remove tag from DS-12\n    performed_by electrician",
        "    remove tag from DS-12\n    performed_by mechanic")
    d = _one(_check(tmp_path, text), "TW0603")
    assert "`DS-12`" in d.message and "`mechanic`" in d.message and "`electrician`" in d.message


def test_locks_removed_before_the_headcount(tmp_path):
    text = _remove_step(EXAMPLE.read_text(encoding="utf-8"), "headcount")
    d = _one(_check(tmp_path, text), "TW0605")
    assert "accounted for" in d.message
    assert any(n.startswith("path: ") and "work" in n for n in d.notes)


def test_release_before_the_work(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    a = text.index('  step work "')
    b = text.index("\n", a) + 1
    work = text[a:b]
    text = text[:a] + text[b:]
    c = text.index('  step notify_end "')
    text = text[:c] + work + text[c:]
    text = text.replace("during work -> goto bleed", "during tryout -> goto bleed")
    diags = _check(tmp_path, text)
    d = _one(diags, "TW0604")
    assert "removed before any work is done" in d.message
    assert any(n.startswith("path: ") and "work" not in n.split("→")[-1] for n in d.notes)


def test_no_notification_after_release(tmp_path):
    text = _remove_step(EXAMPLE.read_text(encoding="utf-8"), "notify_end")
    d = _one(_check(tmp_path, text), "TW0606")
    assert any(n.startswith("path: ") for n in d.notes)


@pytest.mark.parametrize("device", ["lock", "tag"])
def test_push_button_locked_instead_of_the_disconnect(tmp_path, device):
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("    apply lock to DS-12\n", f"    apply {device} to PB-12S\n", 1)
    diags = _check(tmp_path, text)
    codes = {d.code for d in diags}
    assert "TW0602" in codes or "TW0309" in codes
    if device == "tag":
        assert "TW0602" in codes
