"""Property tests: `fmt` is idempotent and keeps the syntax tree, on generated modules and
on the shipped sources mutated in whitespace, blank lines, spacing and comments.

The default run is small and derandomised (about 10 s); `pytest -m slow tests/fmt` runs
many more random examples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.fmt.util import assert_same_tree
from twinlang.fmt import FormatError, format_text

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p.read_text(encoding="utf-8") for p in sorted([
    *(ROOT / "examples").glob("*.twin"), *(ROOT / "stdlib").rglob("*.twin"),
    *(ROOT / "tests" / "syntax" / "corpus").glob("*.twin"),
    *(Path(__file__).parent / "golden").glob("*.in.twin"),
])]

FAST = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SLOW = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def check_property(text: str) -> str:
    out = format_text(text)
    assert format_text(out) == out, "formatting is not idempotent"
    assert_same_tree(text, out)
    return out


# ------------------------------------------------------------------ generated modules

SPACE = st.sampled_from([" ", " ", "  ", "\t", " \t"])
NAMES = st.sampled_from(["a", "b", "lock", "V-1", "M-12", "DS-12", "P-101A", "x_2"])
REFS = st.lists(NAMES, min_size=1, max_size=3).map(".".join)
UNITS = st.sampled_from(["", " in", " N*m", " kg*m^2", " L/min", " %", " % LEL", " %vol",
                         " degC", " rpm", " s", " min"])
NUMBERS = st.sampled_from(["0", "2", "0.25", "-20", "+5", "1e3", "19.5", "100"])
STRINGS = st.sampled_from(['"text"', '"with \\"quotes\\""', '"tab\\tand \\u{2126}"',
                           '"a # not a comment"', '""'])
VALUES = st.one_of(st.tuples(NUMBERS, UNITS).map("".join), STRINGS, NAMES,
                   st.sampled_from(["true", "false", "<<a placeholder>>"]))
COMMENT = st.sampled_from(["", "", "", "  # note", " #x", "\t# trailing, with ; and {"])
OWN_COMMENT = st.sampled_from(["# own line", "  # indented", "#", "# -- section --"])


@st.composite
def conditions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        atom = draw(st.sampled_from([
            f"{draw(REFS)}{draw(SPACE)}{op}{draw(SPACE)}{draw(VALUES)}",
            f"{draw(REFS)} between {draw(VALUES)} and {draw(VALUES)}",
            f"{draw(REFS)} is {draw(NAMES)}",
            draw(REFS),
        ]))
        return f"({atom})" if draw(st.integers(0, 5)) == 0 else atom
    kind = draw(st.sampled_from(["and", "or", "not"]))
    left = draw(conditions(depth - 1))
    if kind == "not":
        text = f"not {left}"
    else:
        text = f"{left} {kind} {draw(conditions(depth - 1))}"
    return f"({text})" if draw(st.booleans()) else text


@st.composite
def actions(draw) -> str:
    return draw(st.sampled_from([
        f"close {draw(REFS)}", f"apply lock to {draw(REFS)}, {draw(REFS)}",
        f"remove tag from {draw(REFS)}", f'notify {draw(NAMES)} {draw(STRINGS)}',
        f"wait {draw(NUMBERS)} s", f"wait until ({draw(conditions(2))}) within 1 min",
        f"work {draw(STRINGS)} for 5 min", f"record {draw(REFS)}",
        f"position {draw(REFS)} at {draw(VALUES)}", f"connect {draw(REFS)} to {draw(REFS)}",
        f"account for {draw(NAMES)}, {draw(NAMES)}", "clear area", "issue permit hot",
    ]))


CLAUSES = ["critical", "performed_by a", "verified_by b", 'hint "h"', 'note "n"']


@st.composite
def blocks(draw, header: str, items: list[str]) -> str:
    """A block, on one line or on several, with random separators and comments."""
    if not items:
        return header + draw(st.sampled_from([" {}", "{}", " {\n}"]))
    if draw(st.booleans()) and all("\n" not in i for i in items):
        return f"{header} {{ " + "; ".join(items) + " }"
    lines = []
    for item in items:
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(OWN_COMMENT))
        lines.append(item + (draw(COMMENT) if "\n" not in item else ""))
        if draw(st.integers(0, 4)) == 0:
            lines.append("")
    return header + " {" + draw(COMMENT) + "\n" + "\n".join(lines) + "\n}"


@st.composite
def steps(draw, depth: int = 2) -> str:
    name = draw(NAMES)
    acts = draw(st.lists(actions(), min_size=1, max_size=3))
    clauses = [f"expect {draw(conditions())}",
               *draw(st.lists(st.sampled_from(CLAUSES), max_size=2, unique=True))]
    form = draw(st.integers(0, 5 if depth else 2))
    if form == 0:
        return f"step {name} {draw(STRINGS)}: " + " and ".join(acts) + " " + " ".join(clauses)
    if form == 1:
        return f"step {name}: {acts[0]}"
    if form == 2:
        return draw(blocks(f"step {name}", [" and ".join(acts), *clauses]))
    inner = draw(st.lists(steps(depth - 1), min_size=1, max_size=2))
    if form == 3:
        return (draw(blocks(f"if {draw(conditions())}", inner)) + " else { call p }"
                if draw(st.booleans()) else draw(blocks(f"if {draw(conditions())}", inner)))
    if form == 4:
        return draw(blocks(f"parallel {name}", [draw(blocks("branch b", inner))]))
    return f"on alarm {draw(conditions())} during {name} -> goto {name} up to 2 times"


@st.composite
def modules(draw) -> str:
    kind = draw(blocks("kind K", [
        f"param p: length = {draw(NUMBERS)} in range 0 in .. 9 in doc {draw(STRINGS)}",
        "state s: choice(on, off) = on", "lockable", "action open, close",
    ]))
    equipment = draw(blocks(f'equipment {draw(NAMES)} "E" is K', [
        f"p = {draw(VALUES)}", f"feeds {draw(REFS)}, {draw(REFS)}", "at 1 m, 2 m, 0 m"]))
    procedure = draw(blocks('procedure p "P"', [
        "performed_by a", f"energy electrical from {draw(REFS)}, hydraulic from {draw(REFS)}",
        'ppe "glasses", gloves', *draw(st.lists(steps(), min_size=1, max_size=4))]))
    items = [draw(blocks('scenario "S"', ["id s", "risk high"])),
             "use stdlib.equipment.{GateValve, Motor as M}", 'role a "A"', kind, equipment,
             procedure, 'fault f on V-1 { trigger at step a; effect stuck at 60 %; clears never }']
    seps = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", "; "]),
                         min_size=len(items), max_size=len(items)))
    return "".join(item + sep for item, sep in zip(items, seps, strict=True))


def _parses(text: str) -> bool:
    try:
        format_text(text)
    except FormatError:
        return False
    return True


@FAST
@given(modules())
def test_generated_modules(text):
    assume(_parses(text))
    check_property(text)


@pytest.mark.slow
@SLOW
@given(modules())
def test_generated_modules_many(text):
    assume(_parses(text))
    check_property(text)


# ------------------------------------------------------------------ mutated sources

# Strings, placeholders and comments are left alone by the spacing mutations.
_PROTECTED = re.compile(r'"(?:[^"\\\n]|\\[^\n])*"|<<[^<>\n]+>>|#[^\n]*')


def _respace(line: str, rnd) -> str:
    """``line`` with the spaces between its tokens changed (never inside a token)."""
    out = []
    last = 0
    for m in [*_PROTECTED.finditer(line), None]:
        code = line[last:m.start() if m else len(line)]
        code = re.sub(r"[ \t]+", lambda _: rnd.choice([" ", "  ", "\t", " \t  "]), code)
        # spaces next to punctuation may go altogether
        code = re.sub(r"[ \t]*([=,:;{}()])[ \t]*",
                      lambda mm: mm.group(1) if rnd.random() < 0.5 else mm.group(0), code)
        out.append(code)
        if m:
            out.append(m.group(0))
            last = m.end()
    return "".join(out)


@st.composite
def mutated(draw, layout_only: bool) -> tuple[str, str]:
    """(original, mutant).  ``layout_only`` mutants differ in indentation and spacing only,
    so they must format exactly like the original."""
    text = draw(st.sampled_from(SOURCES))
    rnd = draw(st.randoms(use_true_random=False))
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 12))):
        i = rnd.randrange(len(lines))
        op = rnd.choice(["indent", "respace", "trailing_ws"] if layout_only else
                        ["indent", "respace", "blank", "own_comment", "trailing_comment",
                         "join"])
        if op == "indent":
            lines[i] = rnd.choice(["", " ", "      ", "\t"]) + lines[i].lstrip(" \t")
        elif op == "respace":
            lines[i] = _respace(lines[i], rnd)
        elif op == "trailing_ws":
            lines[i] += rnd.choice([" ", "\t", "   "])
        elif op == "blank":
            lines.insert(i, rnd.choice(["", "   "]))
        elif op == "own_comment":
            lines.insert(i, rnd.choice(["# inserted", "    # inserted, indented"]))
        elif op == "trailing_comment":
            if "#" not in lines[i] and '"' not in lines[i]:
                lines[i] += rnd.choice(["  # trailing", "# t", "\t#"])
        elif op == "join" and i + 1 < len(lines):
            lines[i:i + 2] = [lines[i] + "; " + lines[i + 1].lstrip()]
    return text, "\n".join(lines)


@FAST
@given(mutated(layout_only=False))
def test_mutated_sources(pair):
    _original, text = pair
    assume(_parses(text))
    check_property(text)


@FAST
@given(mutated(layout_only=True))
def test_layout_mutations_give_the_same_output(pair):
    original, text = pair
    assume(_parses(text))
    assert check_property(text) == format_text(original)


@pytest.mark.slow
@SLOW
@given(mutated(layout_only=False))
def test_mutated_sources_many(pair):
    _original, text = pair
    assume(_parses(text))
    check_property(text)
