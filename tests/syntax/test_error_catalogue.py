"""Syntax-error messages: every catalogue example gives exactly its code on the right line,
no entry claims errors that are not its own, and the generic and lexer messages say what
was found and what was expected in words a person reads."""

from __future__ import annotations

import re

import pytest

from twinlang.diagnostics import lookup
from twinlang.syntax import codes, parse_text
from twinlang.syntax.errors import CATALOGUE

EXAMPLES = [(name, i, ex) for name, entry in CATALOGUE.items()
            for i, ex in enumerate(entry.examples)]


def diags_of(text: str):
    module, diags = parse_text(text, "t.twin")
    assert module is None or not diags
    return diags


def one(text: str):
    diags = diags_of(text)
    assert len(diags) == 1, [(d.code, d.span.line, d.message) for d in diags]
    return diags[0]


def assert_well_formed(d):
    assert lookup(d.code) is not None
    assert (d.message and d.message[0].islower()) or d.message[0] in "`\"'", d.message
    assert not d.message.endswith("."), d.message
    for text in (d.message, d.help or "", *d.notes):
        assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {text!r}"
        assert not re.search(r"__ANON|\bRBRACE\b|\b_NL\b|\$END", text), text
        assert all(c.isprintable() or c == "\n" for c in text), repr(text)
    for text in (d.message, *d.notes):  # terminal names never reach the reader
        assert not re.search(r"\b(NAME|STRING|NUMBER|INT|UNIT|COMPARATOR)\b", text), text


# ---------------------------------------------------------------- the catalogue


@pytest.mark.parametrize(("name", "index", "example"), EXAMPLES,
                         ids=[f"{n}-{i}" for n, i, _ in EXAMPLES])
def test_catalogue_example_gives_its_code(name, index, example):
    d = one(example.text)
    assert d.code == CATALOGUE[name].info.code, (d.code, d.message)
    assert d.name == name
    assert d.span.line == example.line, (d.span, d.message)
    assert d.help, "a catalogued error says how to fix it"
    assert_well_formed(d)


def test_catalogue_entries_are_syntax_codes_with_explanations():
    assert len(CATALOGUE) >= 20
    for name, entry in CATALOGUE.items():
        info = lookup(name)
        assert info is entry.info and info.stage == "syntax"
        assert info.code.startswith("TW01") and len(info.explain) > 80
        assert len(entry.examples) >= 1


def test_every_example_fails_to_parse_on_its_own():
    # (examples that parsed would silently stop testing their entry)
    from lark.exceptions import UnexpectedInput

    from twinlang.syntax import get_parser

    for _name, _i, ex in EXAMPLES:
        with pytest.raises(UnexpectedInput):
            get_parser().parse(ex.text)


# ---------------------------------------------------------------- no entry steals errors


@pytest.mark.parametrize("text", [
    "equipment V-1 is GateValve { size = 2 in ) }\n",
    'role a "A" )\n',
    "equipment V-1 is GateValve {\n  size = = 2 in\n}\n",
    "kind K {\n  param p: length = 1.5.2 m\n}\n",
    "procedure p {\n  on alarm A -> goto s up to 3\n}\n",
    "procedure p {\n  step s: remove lock to V-1\n}\n",
    'procedure p {\n  step s: notify "everyone"\n}\n',
    "procedure p {\n  if A.p > 1 bar then {\n  }\n}\n",
    "procedure p {\n  step s: open A else\n}\n",
    "role a {\n}\n{\n}\n",
    "foo bar\n",
    "equipment V-1 is GateValve {\n  size\n}\n",
    "procedure p {\n  step s: open V 101\n}\n",
    "kind K { param size: length = 2 in range 0.25 in to 48 in }\n",
    "equipment E is K { t = 40 N m }\n",
    "procedure p {\n  step s {\n    open A\n    on alarm A -> resume\n  }\n}\n",
])
def test_generic_errors_stay_generic(text):
    d = one(text)
    assert d.code == codes.SYNTAX_ERROR.code, (d.code, d.message)
    assert d.message.startswith(("unexpected", "`")), d.message
    assert_well_formed(d)


def test_generic_message_names_what_was_found_and_what_was_expected():
    d = one("equipment V-1 is GateValve { size = 2 in ) }\n")
    assert d.message == "unexpected `)`"
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 42, 43)
    assert d.notes == ("expected `;`, `}` or a line break",)
    d = one("procedure p {\n  on alarm A -> goto s up to 3\n}\n")
    assert d.message == "unexpected end of line"
    assert d.notes == ("expected `times`",)
    assert d.help == "add `times` before the end of the line"
    d = one("procedure p {\n  step s: remove lock to V-1\n}\n")
    assert (d.message, d.help) == ("unexpected `to`", "write `from` instead of `to`")
    d = one('procedure p {\n  step s: notify "everyone"\n}\n')
    assert d.message == 'unexpected string `"everyone"`'
    d = one("procedure p {\n  step s: apply lock V-1\n}\n")
    assert (d.message, d.help) == ("unexpected `V-1`", "add `to` before `V-1`")
    assert (d.span.column, d.span.end_column) == (22, 25)
    d = one("use a.{b c}\n")
    assert d.message == "unexpected `c`" and d.help == "add `,` or `as` before `c`"


def test_long_expected_lists_are_cut():
    d = one("procedure p {\n  @@\n}\n".replace("@@", "42"))
    (note,) = d.notes
    assert note.startswith("expected one of ") and re.search(r"and \d+ more$", note)


def test_not_allowed_here_points_at_the_block():
    d = one("procedure p {\n  step s {\n    open A\n    on alarm A -> resume\n  }\n}\n")
    assert d.message == "`on` is not allowed directly inside a `step` block"
    (label,) = d.labels
    assert (label.span.line, label.span.column) == (2, 10)


def test_specific_hints():
    assert one("procedure p {\n  if A.p > 1 bar then {\n  }\n}\n").help.startswith(
        "remove `then`")
    assert "`N*m`" in one("equipment E is K { t = 40 N m }\n").help
    assert "`LOW .. HIGH`" in one("kind K { param s: length range 1 in to 4 in }\n").help
    assert "point" in one("equipment E is K { p = 1,5 bar }\n").help
    assert "`0.5`" in one("equipment E is K { p = .5 bar }\n").help
    assert "`within` limits" in one("procedure p {\n  step s: open A within 5 s\n}\n").help


# ---------------------------------------------------------------- lexer messages


def test_unexpected_character():
    d = one('role a @ "A"\n')
    assert (d.code, d.message) == (codes.UNEXPECTED_CHARACTER.code, "unexpected character `@`")
    assert (d.span.line, d.span.column) == (1, 8)
    assert d.notes and d.notes[0].startswith("expected")
    assert_well_formed(d)


@pytest.mark.parametrize(("text", "message", "help_part"), [
    ("role a “Operator”\n", "typographic quote `“` is not a string delimiter", '`"text"`'),
    ("role a ‘Operator’\n", "typographic quote `‘` is not a string delimiter", '`"text"`'),
    ("role a 'Operator'\n", "single quote `'` does not start a string", '`"text"`'),
    ("procedure p {\n  step s: open A expect A.p ≤ 5 bar\n}\n", "`≤` is not a twinlang operator",
     "`<=`"),
    ("equipment V–101 is GateValve\n", "`–` (en dash) is not a hyphen", "`V-101`"),
    ("equipment E is K { t = −5 degC }\n", "`−` (minus sign) is not a hyphen", "`-`"),
    ("procedure p {\n  step s: open A expect A && B\n}\n", "`&` is not a twinlang operator",
     "`and`"),
    ("// a comment\n", "`//` does not start a comment", "`#`"),
    ("equipment E is K { size = 2\" }\n", "`\"` after a number is not a unit", "`2 in`"),
    ("role a\u00a0\"A\"\n", "invisible character U+00A0 (no-break space)", "delete it"),
    ("role a \x1b\"A\"\n", "invisible character U+001B", "delete it"),
    ("equipment E is K { t = - 5 degC }\n", "`-` is separated from its number", "`-5`"),
])
def test_character_messages(text, message, help_part):
    d = one(text)
    assert d.code == codes.UNEXPECTED_CHARACTER.code
    assert d.message == message
    assert help_part in d.help
    assert_well_formed(d)


def test_unterminated_string():
    d = one('role operator "Operator\nrole b "B"\n')
    assert d.code == codes.UNTERMINATED_STRING.code
    assert (d.span.line, d.span.column) == (1, 15)
    assert "`\\n`" in d.help
    # a backslash at the end of the line does not close the string either
    assert one('role operator "Operator\\\n').code == codes.UNTERMINATED_STRING.code


@pytest.mark.parametrize("escape", ["\\q", "\\u{D800}", "\\u{DFFF}", "\\u{110000}", "\\u{}",
                                    "\\x41", "\\r"])
def test_invalid_escape(escape):
    d = one(f'role a "one {escape} two"\n')
    assert d.code == codes.INVALID_ESCAPE.code
    assert d.span.line == 1 and d.span.column == 13
    assert "`\\\\`" in d.help


def test_unclosed_block_labels_the_opening_brace():
    d = one("equipment V-1 is GateValve {\n  size = 2 in\n")
    assert d.code == codes.UNCLOSED_BLOCK.code
    (label,) = d.labels
    assert (label.span.line, label.span.column, label.message) == (
        1, 28, "this block is not closed")
    # the innermost open block is the one shown
    d = one('procedure p {\n  step s {\n    record "{ not a brace"\n  }\n  if A {\n')
    assert (d.labels[0].span.line, d.labels[0].span.column) == (5, 8)


def test_missing_closing_brace_labels_the_open_block():
    d = one("equipment V-1 is GateValve {\n  size = 2 in\n\nequipment V-2 is GateValve {\n}\n")
    assert d.code == codes.MISSING_CLOSING_BRACE.code
    assert (d.span.line, d.span.column) == (4, 1)
    (label,) = d.labels
    assert (label.span.line, label.span.column) == (1, 28)


def test_messages_quote_found_text_safely():
    d = one("procedure p {\n  " + "x" * 200 + " y\n}\n")
    assert len(d.message) < 120
