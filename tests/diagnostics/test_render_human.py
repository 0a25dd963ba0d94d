"""The human renderer: golden renderings, caret alignment, colour and the summary line.

Golden files live in ``tests/diagnostics/golden/``.  After an intended change of layout,
regenerate them and review the diff before committing::

    TWINLANG_UPDATE_GOLDEN=1 .venv/bin/pytest tests/diagnostics
    git diff tests/diagnostics/golden
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twinlang.diagnostics import Label, Severity, Span, make
from twinlang.diagnostics.render import render
from twinlang.diagnostics.render.human import display_width, summary_line

from .cases import CASES, code, span_at
from .golden_util import GOLDEN_DIR, assert_golden

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_plain(name):
    diags, sources = CASES[name]()
    assert_golden(GOLDEN_DIR / f"human_{name}.txt", render(diags, "human", sources))


@pytest.mark.parametrize("name", ["labels_same_line", "severities", "control_chars"])
def test_golden_color(name):
    diags, sources = CASES[name]()
    out = render(diags, "human", sources, color=True)
    assert "\x1b[" in out
    assert_golden(GOLDEN_DIR / f"human_{name}.color.txt", out)


@pytest.mark.parametrize("name", sorted(CASES))
def test_color_only_adds_escapes(name):
    diags, sources = CASES[name]()
    plain = render(diags, "human", sources)
    assert "\x1b" not in plain
    assert ANSI.sub("", render(diags, "human", sources, color=True)) == plain


@pytest.mark.parametrize("name", sorted(CASES))
def test_layout_invariants(name):
    diags, sources = CASES[name]()
    out = render(diags, "human", sources)
    assert out.endswith("\n") and not out.endswith("\n\n")
    for line in out.split("\n"):
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"
        assert not any(unicodedata.category(c) == "Cc" for c in line), line
        assert not set(line) & {"\u202e", "\u202c", "\u2066", "\u2069"}
    # one header per diagnostic, separated by exactly one blank line
    headers = [ln for ln in out.split("\n") if re.match(r"^(error|warning|note)\[TW\d{4}\]: ", ln)]
    assert len(headers) == len(diags)
    assert out.count("\n\n") == len(diags) - 1


def _rows(out: str, lineno: int) -> tuple[str, str]:
    """The source row of ``lineno`` and the underline row just below it."""
    lines = out.split("\n")
    for i, line in enumerate(lines):
        if re.match(rf"^ *{lineno} \|", line):
            return line, lines[i + 1]
    raise AssertionError(f"line {lineno} not shown in\n{out}")


def test_primary_label_message_is_inline():
    diags, sources = CASES["single_line"]()
    source_row, marks = _rows(render(diags, "human", sources), 7)
    assert source_row == "7 |   size 2 in"
    assert marks == "  |   ^^^^ `=` expected after this name"


def test_gutter_fits_largest_line_number():
    diags, sources = CASES["long_line_numbers"]()
    out = render(diags, "human", sources)
    assert "    --> examples/big.twin:1204:8" in out
    assert "   9 | procedure p {" in out
    assert "1204 |   step s1: close V-1" in out
    assert "     = help: give each step its own name" in out


def test_no_span_prints_header_and_notes_only():
    diags, sources = CASES["no_span"]()
    out = render(diags, "human", sources)
    assert out.split("\n")[0].startswith("error[TW0001]: file is 5,242,880 bytes")
    assert "-->" not in out and "|" not in out
    assert "  = help: split the scenario" in out


def test_file_without_source_keeps_location_but_no_snippet():
    diags, _ = CASES["missing_source"]()
    out = render(diags, "human", {})
    assert " --> examples/latin1.twin:3:17" in out
    assert "|" not in out
    assert "= note: examples/latin1.twin:3:17: a degree sign in Latin-1?" in out


def test_label_in_other_file_gets_its_own_block():
    diags, sources = CASES["label_other_file"]()
    out = render(diags, "human", sources)
    assert out.index(" --> plant/area 3.twin:4:24") < out.index(" --> examples/main.twin:1:5")
    source_row, marks = _rows(out.split(" --> examples/main.twin")[1], 1)
    assert source_row == "1 | use plant.area3.{DS-12}"
    assert marks.endswith("----------- module used here")


def test_long_line_is_cut_around_the_span():
    diags, sources = CASES["long_line"]()
    out = render(diags, "human", sources)
    source_row, marks = _rows(out, 2)
    assert source_row.startswith("2 | ...") and source_row.endswith("...")
    assert len(source_row) < 140
    caret = marks.index("^")
    assert source_row[caret] == '"'


def test_summary_line():
    diags, _ = CASES["severities"]()
    error, warning, note = diags
    assert summary_line([], 3) == "no problems found in 3 files"
    assert summary_line([], 1) == "no problems found in 1 file"
    assert summary_line([error, error, warning], 3) == "error: 2 errors, 1 warning found in 3 files"
    assert summary_line([warning], 1) == "warning: 1 warning found in 1 file"
    assert summary_line([note, note], 2) == "note: 2 notes found in 2 files"
    assert summary_line(diags, 1) == "error: 1 error, 1 warning, 1 note found in 1 file"
    colored = summary_line([error], 1, color=True)
    assert "\x1b[" in colored and ANSI.sub("", colored) == "error: 1 error found in 1 file"


def test_empty_list_renders_nothing():
    assert render([], "human", {}) == ""


@pytest.mark.parametrize(("text", "width"), [
    ("abc", 3), ("世界", 4), ("😀", 2), ("e\u0301", 1), ("\t", 4), ("a\tb", 5),
    ("ab\t", 4), ("“ok”", 4), ("\x1b", 1), ("\u200d", 0),
])
def test_display_width(text, width):
    assert display_width(text) == width


# --- caret alignment, checked against an independent width computation -----------------

def _oracle_cells(text: str) -> list[int]:
    """Start cell of each character (and of the end), with tab stops every 4 cells."""
    cells, cell = [], 0
    for ch in text:
        cells.append(cell)
        if ch == "\t":
            cell += 4 - cell % 4
        elif unicodedata.combining(ch):
            pass
        elif unicodedata.east_asian_width(ch) in "WF":
            cell += 2
        else:
            cell += 1
    return [*cells, cell]


LINE_CHARS = st.text(alphabet="ab =:\t世界😀é\u0301“", min_size=1, max_size=40)


@given(LINE_CHARS.filter(lambda t: t.strip(" \t") != ""), st.data())
def test_carets_sit_under_the_span(line, data):
    start = data.draw(st.integers(0, len(line) - 1))
    end = data.draw(st.integers(start + 1, len(line)))
    text = f"procedure p {{\n{line}\n}}\n"
    offset = text.index("\n") + 1
    span = span_at("t.twin", text, offset + start, offset + end)
    diag = make(code("syntax-error"), "x", span)
    source_row, marks = _rows(render([diag], "human", {"t.twin": text}), 2)
    prefix = len("2 | ")
    cells = _oracle_cells(line)
    expanded = "".join(" " * (cells[i + 1] - cells[i]) if ch == "\t" else ch
                       for i, ch in enumerate(line))
    assert source_row[prefix:] == expanded.rstrip()
    first = marks.index("^")
    assert first - prefix == cells[start]
    assert marks.count("^") == max(cells[end] - cells[start], 1)
    assert set(marks[first:]) == {"^"}


def test_label_on_primary_span_without_message_is_not_drawn_twice():
    diags, sources = CASES["single_line"]()
    span = diags[0].span
    diag = make(code("missing-equals"), "m", span, labels=[Label(span=span)])
    _, marks = _rows(render([diag], "human", sources), 7)
    assert marks == "  |   ^^^^"


def test_warning_and_note_headers():
    diags, sources = CASES["severities"]()
    out = render(diags, "human", sources)
    assert "\nwarning[TW0100]: a warning\n" in out
    assert "\nnote[TW0100]: a note\n" in out
    assert diags[1].severity is Severity.WARNING


def test_span_past_end_of_file():
    text = "procedure p {\n"
    span = Span(file="e.twin", start=14, end=14, line=5, column=3, end_line=5, end_column=3)
    out = render([make(code("unclosed-block"), "m", span)], "human", {"e.twin": text})
    assert "5 |\n  |   ^" in out
