"""Multi-error recovery: independent mistakes are all reported, in order, without the
cascades a naive recovery produces, and the recovery is bounded whatever the input."""

from __future__ import annotations

import time

import pytest

from twinlang.syntax import parse_text, parser
from twinlang.syntax.source import MAX_SOURCE_BYTES

HEADER = 'scenario "S" {\n  id s\n  risk high\n}\n'


def found(text: str) -> list[tuple[str, int]]:
    module, diags = parse_text(text, "t.twin")
    assert module is None and diags
    return [(d.name, d.span.line) for d in diags]


def test_three_independent_errors_are_all_reported_in_order():
    text = (HEADER
            + "equipment M-1 is Motor {\n"            # 5
            + "  rated_power 7.5 kW\n"                # 6  missing `=`
            + "}\n"
            + "procedure p {\n"                       # 8
            + "  step a: open V-1\n"
            + "  step b open V-1\n"                   # 10 missing `:`
            + "  step c: close V-1 expect V-1.position = 0 %\n"  # 11 single `=`
            + "}\n")
    assert found(text) == [("missing-equals", 6), ("missing-step-colon", 10),
                           ("single-equals-in-condition", 11)]


@pytest.mark.parametrize(("text", "expected"), [
    # the failing line opens a block: the block goes with it (no stray `}` afterwards)
    ("equipment V-1 GateValve {\n  size = 2 in\n}\nrole a \"A\" role b \"B\"\n",
     [("missing-kind", 1), ("missing-separator", 4)]),
    # a missing `}` between declarations: the next declaration is still checked
    ("equipment V-1 is GateValve {\n  size = 2 in\n\nequipment V-2 is GateValve {\n"
     "  size 2 in\n}\n",
     [("missing-closing-brace", 4), ("missing-equals", 5)]),
    # a missing `}` inside a procedure: later steps are still checked, no unclosed block
    ("procedure p {\n  step s {\n    open A\n  step t: close B\n  step u: open C expect C = 1\n}\n",
     [("missing-closing-brace", 4), ("single-equals-in-condition", 5)]),
    # a block header with its `{` on the next line
    ('procedure p "T"\n{\n  step s: open A\n}\nrole x Operator\n',
     [("brace-on-new-line", 1), ("missing-quotes", 5)]),
    # `} else {` split over two lines
    ("procedure p {\n  if A.x > 1 bar {\n    step a: open A\n  }\n  else {\n"
     "    step b: close A\n  }\n  step c: open A expect A.x = 1 bar\n}\n"
     "equipment V-1 is K { size 2 in }\n",
     [("else-on-new-line", 5), ("single-equals-in-condition", 8), ("missing-equals", 10)]),
    # lexer errors recover too
    ('role a "A\nrole b @\nrole c “C”\n',
     [("unterminated-string", 1), ("unexpected-character", 2), ("unexpected-character", 3)]),
    # a stray `}` is dropped, not kept
    ('role a "A" }\nrole b "B" }\n', [("unmatched-closing-brace", 1),
                                      ("unmatched-closing-brace", 2)]),
    # a list continued after `,` is blanked as one statement
    ("equipment V-1 is GateValve {\n  feeds A,\n    B C\n  size = 3 in\n}\nrole r Operator\n",
     [("syntax-error", 3), ("missing-quotes", 6)]),
    # errors inside nested blocks
    ("procedure p {\n  parallel {\n    branch b1 {\n      stpe y: open C\n    }\n  }\n"
     "  step t: open A expect A.x = 1\n}\n",
     [("unknown-keyword", 4), ("single-equals-in-condition", 7)]),
])
def test_recovery_without_cascades(text, expected):
    assert found(text) == expected


def test_one_error_per_line():
    assert found("equipment V-1 is K { size 2 in; turns 8; torque 4 N*m }\n") == [
        ("missing-equals", 1)]


def test_an_error_at_the_end_of_the_file_is_the_last():
    text = HEADER + 'role a "A" role b "B"\nprocedure p {\n  step s: open A\n'
    assert found(text) == [("missing-separator", 5), ("unclosed-block", 7)]


def test_error_count_is_capped_with_a_note():
    text = "".join(f'role r{i} "R" role x{i} "X"\n' for i in range(100))
    _module, diags = parse_text(text)
    assert len(diags) == parser.MAX_SYNTAX_ERRORS
    assert [d.span.line for d in diags] == list(range(1, parser.MAX_SYNTAX_ERRORS + 1))
    assert "stopped after 20 syntax errors" in diags[-1].notes[-1]


def test_recovery_budget_stops_with_a_note(monkeypatch):
    monkeypatch.setattr(parser, "RECOVERY_BUDGET", 2000)
    valid = "  step s: open A expect A.x > 1 bar within 10 s\n"
    text = "procedure p {\n" + ("  step t open A\n" + valid * 30) * 10 + "}\n"
    _module, diags = parse_text(text)
    assert 1 < len(diags) < 10
    assert "recovery limit" in diags[-1].notes[-1]
    assert all(d.name == "missing-step-colon" for d in diags)


def test_recovery_is_deterministic():
    text = "role a @\nequipment V 1 is K\nprocedure p {\n  step: open A\n  isolate: open B\n"
    assert found(text) == found(text)


def test_recovery_on_brace_soup_terminates():
    for text in ["}\n" * 50, "{\n" * 50, "{}\n" * 50 + "}{\n" * 50, ")(\n" * 50,
                 "} else {\n" * 50, "step {\n" * 30]:
        module, diags = parse_text(text)
        assert module is None and 1 <= len(diags) <= parser.MAX_SYNTAX_ERRORS


def test_many_errors_in_a_large_file_finish_quickly():
    line = 'role a "A" role b "B"\n'
    text = line * ((MAX_SOURCE_BYTES - 100) // len(line))
    start = time.perf_counter()
    _module, diags = parse_text(text)
    assert time.perf_counter() - start < 10
    assert len(diags) == parser.MAX_SYNTAX_ERRORS
    body = "  step s open A\n" * ((MAX_SOURCE_BYTES - 100) // 16)
    start = time.perf_counter()
    _module, diags = parse_text("procedure p {\n" + body + "}\n")
    assert time.perf_counter() - start < 10
    assert len(diags) == parser.MAX_SYNTAX_ERRORS


def test_the_cycle_collector_is_restored():
    import gc

    assert gc.isenabled()
    parse_text('role a "A"\n')
    parse_text('role a "A" role b\n')
    assert gc.isenabled()
    gc.disable()
    try:
        parse_text('role a "A"\n')
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.slow
def test_an_error_at_the_end_of_a_huge_block_is_bounded():
    valid = "  step s: open A expect A.x > 1 bar within 10 s\n"
    body = valid * ((MAX_SOURCE_BYTES - 1000) // len(valid))
    start = time.perf_counter()
    _module, diags = parse_text("procedure p {\n" + body + "  step s open A\n}\n")
    first = time.perf_counter() - start
    assert [d.name for d in diags] == ["missing-step-colon"]
    assert "recovery limit" in diags[0].notes[-1]
    start = time.perf_counter()
    parse_text("procedure p {\n" + body + "}\n")  # the same file without the error
    # the recovery adds at most RECOVERY_BUDGET of re-parsing to the first parse
    assert first < 2 * (time.perf_counter() - start) + 10
