"""The github format: workflow commands and their escaping."""

from __future__ import annotations

import pytest

from twinlang.diagnostics import Label, Severity, Span, make
from twinlang.diagnostics.render import render
from twinlang.diagnostics.render.github import escape_data, escape_property

from .cases import CASES, code


def _unescape(text: str) -> str:
    for esc, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(esc, ch)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command the way the runner does."""
    assert line.startswith("::")
    head, _, data = line[2:].partition("::")
    command, _, props_text = head.partition(" ")
    props = {}
    for item in props_text.split(","):
        if item:
            key, _, value = item.partition("=")
            props[key] = _unescape(value)
    return command, props, _unescape(data)


def test_escaping_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_property("%3A") == "%253A"


def test_single_line_annotation():
    diags, sources = CASES["single_line"]()
    out = render(diags, "github", sources)
    assert out == (
        "::error file=examples/loto.twin,line=7,endLine=7,col=3,endColumn=7,"
        "title=TW0107 (missing-equals)::a parameter needs `=` between its name and its value"
        "%0Aexamples/loto.twin:7:3: `=` expected after this name"
        "%0Anote: parameters of `GateValve` are set with `NAME = VALUE`;"
        "%0Aeach on its own line or separated by `;`"
        "%0Ahelp: write it as `NAME = VALUE`, for example `size = 2 in`\n")


def test_severity_commands_and_no_span():
    diags, sources = CASES["severities"]()
    lines = render(diags, "github", sources).splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines] == ["::error", "::warning", "::notice"]
    command, props, data = parse_command(lines[2])
    assert command == "notice"
    assert props == {"title": "TW0100 (syntax-error)"}
    assert data == "a note\nnote: for your information"


HOSTILE_FILES = [
    "we,ird:name.twin",
    "100%25 sure.twin",
    "line\nbreak::error file=x::pwned.twin",
    "cr\r\n::warning::x.twin",
    "dir/sub dir/ü,é:ß%0A.twin",
]
HOSTILE_MESSAGES = [
    "value 50% of `x`",
    "first\n::error file=evil::injected",
    "carriage\r::notice::x",
    "literal %0A and %25 and %3A",
    "colons: and, commas",
]


@pytest.mark.parametrize("file", HOSTILE_FILES)
@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
def test_hostile_names_and_messages_round_trip(file, message):
    span = Span(file=file, line=3, column=2, end_line=4, end_column=9)
    diag = make(code("syntax-error"), message, span, help=f"help with {message}",
                labels=[Label(span=span, message=message)], severity=Severity.WARNING)
    out = render([diag], "github", {})
    assert out.endswith("\n") and out.count("\n") == 1 and "\r" not in out
    command, props, data = parse_command(out[:-1])
    assert command == "warning"
    assert props == {"file": file, "line": "3", "endLine": "4", "col": "2", "endColumn": "9",
                     "title": "TW0100 (syntax-error)"}
    assert data == f"{message}\n{file}:3:2: {message}\nhelp: help with {message}"


def test_every_case_one_line_each():
    for build in CASES.values():
        diags, sources = build()
        out = render(diags, "github", sources)
        assert out.count("\n") == len(diags)
        for line in out.splitlines():
            command, props, _ = parse_command(line)
            assert command in {"error", "warning", "notice"}
            assert props["title"].startswith("TW")


def test_terminal_escapes_never_reach_the_log():
    diag = make(code("syntax-error"), "bad \x1b[2J\x07 name \u202eevil", None,
                help="\x9b31m")
    out = render([diag], "github", {})
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e")
    assert "bad ␛[2J␇ name" in out
