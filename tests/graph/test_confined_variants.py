"""Defective variants of examples/tank_entry.twin caught by the confined-space pack.

Each test takes the example as written, applies one realistic mistake in memory (a step
removed, two steps swapped, a role changed, a limit loosened), checks the result and
expects the right TW07xx code with a `path:` note, located where the mistake shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twinlang.api import check_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tank_entry.twin"

def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def step_block(text: str, name: str) -> str:
    """The source of step ``name``: its line, or its `{ ... }` block."""
    m = re.search(rf"^(?P<ind> *)step {name}\b[^\n]*?(\{{\n.*?\n(?P=ind)\}}\n|\n)", text,
                  re.M | re.S)
    assert m is not None, f"no step {name} in the example"
    return m.group(0)


def remove(text: str, name: str) -> str:
    return text.replace(step_block(text, name), "", 1)


def swap(text: str, a: str, b: str) -> str:
    first, second = step_block(text, a), step_block(text, b)
    i, j = text.index(first), text.index(second)
    assert i < j
    return text[:i] + second + text[i + len(first):j] + first + text[j + len(second):]


def performed_by(text: str, name: str, role: str) -> str:
    block = step_block(text, name)
    assert "performed_by" not in block
    return text.replace(block, block[:-1] + f" performed_by {role}\n", 1)


def remove_handler_count(text: str) -> str:
    """Drop the steps of the alarm handler that count the entrants out."""
    start = text.index("on alarm")
    end = text.index("abort", start)
    handler = text[start:end]
    kept = "".join(line for line in handler.splitlines(keepends=True)
                   if "account for" not in line and "record TK-7.occupants" not in line)
    return text[:start] + kept + text[end:]


def check(text: str, tmp_path: Path, monkeypatch) -> list:
    (tmp_path / "tank_entry.twin").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return check_files([Path("tank_entry.twin")]).diagnostics


def line_of(text: str, name: str) -> int:
    return text[: text.index(step_block(text, name))].count("\n") + 1


def test_example_has_no_confined_space_finding(tmp_path, monkeypatch):
    diags = check(example(), tmp_path, monkeypatch)
    assert [d for d in diags if d.code.startswith("TW07")] == []


VARIANTS = [
    # (id, mutation, code, step where it shows, words in the message)
    ("permit-never-issued", lambda t: remove(t, "issue"), "TW0702", "enter", "is issued"),
    ("entrant-never-leaves", lambda t: remove(t, "leave"), "TW0707", "enter", "never leaves"),
    ("flammables-before-oxygen", lambda t: swap(t, "test_oxygen", "test_lel"), "TW0704",
     "enter", "flammable gas is tested (`test_lel`) before oxygen"),
    ("permit-cancelled-inside", lambda t: swap(t, "leave", "cancel"), "TW0713", "cancel",
     "while the entrant is still in `TK-7`"),
    ("attendant-enters", lambda t: performed_by(t, "enter", "attendant"), "TW0709", "enter",
     "the attendant `attendant` enters `TK-7`"),
    ("attendant-works", lambda t: performed_by(t, "work", "attendant"), "TW0710", "work",
     "works in `work`"),
    ("no-attendant", lambda t: t.replace("  attendant attendant\n", "", 1), "TW0708", None,
     "names no attendant"),
    ("oxygen-limit-loosened",
     lambda t: t.replace("between 19.5 % vol and 23.5 % vol\n", "between 18 % vol and 23.5 % vol\n",
                         1), "TW0705", "test_oxygen", "down to 18 % vol"),
    ("no-count-after-evacuation", remove_handler_count, "TW0714", "escape",
     "after `escape` nobody accounts"),
]


@pytest.mark.parametrize("mutate, code, where, words", [v[1:] for v in VARIANTS],
                         ids=[v[0] for v in VARIANTS])
def test_variant_is_caught(mutate, code, where, words, tmp_path, monkeypatch):
    original = example()
    text = mutate(original)
    assert text != original
    diags = check(text, tmp_path, monkeypatch)
    hits = [d for d in diags if d.code == code]
    assert hits, f"expected {code}, got {[(d.code, d.message) for d in diags]}"
    d = hits[0]
    assert words in d.message
    assert any(n.startswith("path: start → ") for n in d.notes), d.notes
    if where is not None:  # the diagnostic points into the step where the mistake shows
        first = line_of(text, where)
        assert first <= d.span.line < first + step_block(text, where).count("\n")
    # the mistake is reported by its own rule, not drowned in errors of an unrelated stage
    assert not [x for x in diags if x.code < "TW0500" and x.severity.value == "error"]


PIT = """\
scenario "Enter the sump pit" {
  id pit
  risk critical
}

use stdlib.chemicals.{hydrogen_sulfide}

kind Pit "Sump pit" {
  param volume: volume range 1 m^3 .. 100 m^3
  state occupants: count = 0
  action enter, exit
}

kind Monitor "Single-gas and oxygen monitor" {
  state oxygen: concentration = 20.9 % vol
  state lel: flammability = 0 % LEL
  state h2s: concentration = 0 ppm
  action measure
}

role entrant "Entrant"
role attendant "Attendant"
role supervisor "Supervisor"

equipment P-1 "Sump pit" is Pit {
  volume = 6 m^3
  contains hydrogen_sulfide
}
equipment GM-1 "Monitor" is Monitor

procedure pit_entry "Clean the sump" {
  performed_by entrant
  roles entrant, attendant, supervisor
  permit p "Entry permit P-1"
  attendant attendant
  rescue "Fire brigade, 6 minutes"
  step issue: issue permit p performed_by supervisor
  step readings "Read the monitor" {
    measure GM-1.oxygen and measure GM-1.lel and measure GM-1.h2s
    expect GM-1.oxygen between 19.5 % vol and 23.5 % vol
    expect GM-1.lel < 10 % LEL
    expect GM-1.h2s < 15 ppm
    performed_by attendant
  }
  step sign: sign permit p performed_by supervisor
  step enter: enter P-1
  step work: work "Clean the sump" for 30 min
  on alarm GM-1.oxygen < 19.5 % vol or GM-1.h2s >= 15 ppm during work {
    step out: exit P-1
    step count_out: account for entrant performed_by attendant
    step cancel_alarm: revoke permit p performed_by supervisor
    abort "Alarm"
  }
  step leave: exit P-1
  step count: account for entrant performed_by attendant
  step cancel: revoke permit p performed_by supervisor
}
"""


def test_toxic_limit_is_the_pel_of_the_substance(tmp_path, monkeypatch):
    """No instrument parameter sets a limit: the PEL of hydrogen_sulfide (20 ppm) does, so
    15 ppm passes; 25 ppm is reported at the expectation and at the alarm."""
    assert [d.code for d in check(PIT, tmp_path, monkeypatch)] == []
    text = PIT.replace("GM-1.h2s < 15 ppm", "GM-1.h2s < 25 ppm").replace(
        "GM-1.h2s >= 15 ppm", "GM-1.h2s >= 25 ppm")
    diags = check(text, tmp_path, monkeypatch)
    assert sorted(d.code for d in diags) == ["TW0705", "TW0715"]
    assert all("20 ppm (the PEL of `hydrogen_sulfide`)" in d.message for d in diags)


def test_one_step_testing_in_the_wrong_order_is_not_credited(tmp_path, monkeypatch):
    """The checks inside one step count in the order written: flammables checked before
    oxygen is an order mistake, not a pass."""
    oxygen = "    expect GM-1.oxygen between 19.5 % vol and 23.5 % vol\n"
    lel = "    expect GM-1.lel < 10 % LEL\n"
    text = PIT.replace(oxygen + lel, lel + oxygen)
    diags = check(text, tmp_path, monkeypatch)
    assert [d.code for d in diags] == ["TW0704"]
    assert "flammable gas is tested (`readings`) before oxygen" in diags[0].message


def test_readings_without_a_limit_are_not_a_test(tmp_path, monkeypatch):
    text = PIT.replace("    expect GM-1.oxygen between 19.5 % vol and 23.5 % vol\n", "")
    diags = check(text, tmp_path, monkeypatch)
    assert [d.code for d in diags] == ["TW0703"]
    assert "before oxygen is tested" in diags[0].message
    assert "`readings` reads oxygen but does not check the reading against a limit" in \
        diags[0].notes
