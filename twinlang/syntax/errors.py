"""Syntax-error messages from a catalogue of bad examples.

Each entry pairs a diagnostic code with short malformed sources that fail in the same
parser state; Lark's ``match_examples`` finds which entry a real failure resembles.
Every example here is also a test (tests/syntax/test_error_catalogue.py).  A failure
that resembles none of them gets a generic message built from what the parser expected.
"""

from __future__ import annotations

import functools

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..diagnostics.codes import CodeInfo
from . import codes
from .source import Source

# code name -> (examples, message, help).  Examples are whole small sources.
CATALOGUE: dict[str, tuple[list[str], str, str]] = {
    codes.ELSE_ON_NEW_LINE.name: (
        [
            'procedure p {\n  if A.x > 1 bar {\n    step a: open A\n  }\n  else {\n  }\n}\n',
            'procedure p {\n  if A {\n  }\n  else {\n    step b: close A\n  }\n}\n',
        ],
        "`else` must be on the same line as the `}` that closes its `if`",
        "write `} else {` on one line",
    ),
    codes.MISSING_EQUALS.name: (
        [
            "equipment V-1 is GateValve {\n  size 2 in\n}\n",
            "equipment V-1 is GateValve {\n  turns_to_close 8\n}\n",
            'equipment V-1 is GateValve {\n  size "big"\n}\n',
        ],
        "a parameter needs `=` between its name and its value",
        "write it as `NAME = VALUE`, for example `size = 2 in`",
    ),
    codes.MISSING_SEPARATOR.name: (
        [
            "equipment M-1 is Motor { rated_power = 7.5 kW coast_down = 25 s }\n",
            "equipment M-1 is Motor {\n  rated_power = 7.5 kW coast_down = 25 s\n}\n",
            "kind K {\n  param a: length = 1 m param b: length = 2 m\n}\n",
            "role a \"A\" role b \"B\"\n",
        ],
        "two statements on one line need `;` between them",
        "put each statement on its own line, or separate them with `;`",
    ),
    codes.SINGLE_EQUALS.name: (
        [
            "procedure p {\n  step s: press M.stop expect M.speed = 0 rpm\n}\n",
            "procedure p {\n  step s: open A requires A.x = 1\n}\n",
            "procedure p {\n  on alarm A.p = 5 bar -> resume\n}\n",
            "procedure p {\n  if A.p = 5 bar {\n  }\n}\n",
        ],
        "conditions compare with `==`; a single `=` only sets a parameter",
        "write `==` (or `<`, `<=`, `>`, `>=`, `!=`)",
    ),
    codes.MISSING_STEP_NAME.name: (
        [
            "procedure p {\n  step: open V-1\n}\n",
            'procedure p {\n  step "Open the valve": open V-1\n}\n',
            "procedure p {\n  step {\n    open V-1\n  }\n}\n",
        ],
        "a step needs a name after `step`",
        "name the step, for example `step isolate: open DS-12`",
    ),
    codes.MISSING_STEP_COLON.name: (
        [
            "procedure p {\n  step s open V-1\n}\n",
            'procedure p {\n  step s "Open" open V-1\n}\n',
        ],
        "a one-line step needs `:` between its name and its action",
        "write `step NAME: ACTION`, or use a block `step NAME { ... }`",
    ),
    codes.MISSING_IS.name: (
        [
            "equipment V-1 GateValve {\n}\n",
            'equipment V-1 "Valve" GateValve\n',
            "equipment V-1 {\n  size = 2 in\n}\n",
        ],
        "an equipment declaration needs `is` and the kind of equipment",
        "write `equipment TAG is KIND { ... }`, for example `equipment V-31 is GateValve`",
    ),
    codes.MISSING_ARROW.name: (
        [
            "procedure p {\n  on alarm A.p > 5 bar goto s\n}\n",
            "procedure p {\n  on alarm A.p > 5 bar during w goto s\n}\n",
            "procedure p {\n  on alarm A.p > 5 bar resume\n}\n",
        ],
        "an alarm handler needs `->` before `goto`, `resume` or `abort`",
        "write `on alarm CONDITION -> goto STEP`, or give the handler a `{ ... }` block",
    ),
    codes.USE_WITHOUT_BRACES.name: (
        [
            "use stdlib.equipment.Motor\n",
            "use stdlib.equipment\n",
            "use stdlib.equipment.Motor, Pump\n",
        ],
        "`use` lists the names it imports between braces",
        "write `use stdlib.equipment.{Motor, Pump}` (or `.*` for every name)",
    ),
    codes.MISSING_NUMBER.name: (
        [
            "equipment V-1 is GateValve {\n  size = in\n}\n",
            "procedure p {\n  step s: open A expect A.p < bar\n}\n",
            "procedure p {\n  step s: open A expect A.p < 1 bar within s\n}\n",
            "procedure p {\n  step s: wait min\n}\n",
        ],
        "a number is missing before the unit",
        "write the number first, then its unit: `2 in`, `1 bar`, `10 s`",
    ),
}


def _parse_fn():
    from .parser import get_parser

    return get_parser().parse


@functools.cache
def _examples() -> dict[str, list[str]]:
    return {name: entry[0] for name, entry in CATALOGUE.items()}


def _humanize(term: str) -> str:
    names = {
        "NAME": "a name", "STRING": "a string", "NUMBER": "a number", "INT": "a whole number",
        "UNIT": "a unit", "PERCENT": "`%`", "COMPARATOR": "a comparison (`==`, `<`, ...)",
        "CODE": "a diagnostic code such as `TW0301`", "_NL": "a line break", "$END": "the end of the file",
        "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "COMMA": "`,`",
        "DOT": "`.`", "COLON": "`:`", "SEMICOLON": "`;`", "EQUAL": "`=`", "STAR": "`*`",
        "__ANON_0": "`..`", "__ANON_1": "`->`",
    }
    if term in names:
        return names[term]
    if term.isupper() and not term.startswith("_"):
        return f"`{term.lower()}`"
    return f"`{term}`"


def _found(err: UnexpectedInput, source: Source) -> str:
    if isinstance(err, UnexpectedToken):
        tok = err.token
        if tok.type == "$END":
            return "the end of the file"
        if tok.type == "_NL":
            return "a line break"
        if tok.type == "STRING":
            return "a string"
        value = str(tok)
        if len(value) > 30:
            value = value[:27] + "..."
        return f"`{value}`"
    if isinstance(err, UnexpectedCharacters):
        ch = source.text[err.pos_in_stream] if err.pos_in_stream < len(source.text) else ""
        return f"`{ch}`"
    return "the end of the file"


def _expected_list(err: UnexpectedInput) -> list[str]:
    expected: set[str] = set()
    if isinstance(err, UnexpectedToken):
        expected = set(err.accepts or err.expected or ())
    elif isinstance(err, UnexpectedCharacters):
        expected = set(err.allowed or ())
    elif isinstance(err, UnexpectedEOF):
        expected = set(err.expected or ())
    out = sorted({_humanize(t) for t in expected if t not in ("WS_INLINE", "COMMENT")})
    return out


def describe_error(source: Source, err: UnexpectedInput) -> tuple[CodeInfo, str, str | None, list[str]]:
    """Choose the code, message, help and notes for a syntax error."""
    found = _found(err, source)
    expected = _expected_list(err)
    notes: list[str] = []
    if expected:
        shown = expected if len(expected) <= 8 else expected[:8] + ["..."]
        notes.append("expected " + ", ".join(shown))

    if isinstance(err, UnexpectedCharacters):
        ch = source.text[err.pos_in_stream] if err.pos_in_stream < len(source.text) else ""
        if ch == '"':
            return (codes.UNTERMINATED_STRING, "string is not closed before the end of the line",
                    'close the string with `"` on the same line; write `\\n` for a line break',
                    [])
        if ch in "“”‘’":
            return (codes.UNEXPECTED_CHARACTER, f"typographic quote {found} is not a string delimiter",
                    'use straight double quotes: `"text"`', [])
        return (codes.UNEXPECTED_CHARACTER, f"unexpected character {found}",
                "remove it, or put it inside a string", notes)

    at_end = isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END")
    if at_end and ("`}`" in expected or "RBRACE" in expected or not expected):
        return (codes.UNCLOSED_BLOCK, "the file ends before a block is closed",
                "add the missing `}`", [])

    label = None
    try:
        label = err.match_examples(_parse_fn(), _examples(), use_accepts=True)
    except Exception:  # matching is best effort; the generic message still helps
        label = None
    if label is not None:
        _, message, help_text = CATALOGUE[label]
        info = next(i for i in _all_syntax_codes() if i.name == label)
        return info, message, help_text, notes

    return (codes.SYNTAX_ERROR, f"unexpected {found}", _generic_help(expected), notes)


def _generic_help(expected: list[str]) -> str | None:
    if expected == ["a line break"] or ("a line break" in expected and len(expected) <= 3):
        return "end the statement here: start a new line or put `;` before what follows"
    if "a name" in expected and len(expected) == 1:
        return "a name goes here (names may contain letters, digits, `_` and `-`, as in `V-101`)"
    return None


@functools.cache
def _all_syntax_codes() -> tuple[CodeInfo, ...]:
    return tuple(v for v in vars(codes).values() if isinstance(v, CodeInfo))
