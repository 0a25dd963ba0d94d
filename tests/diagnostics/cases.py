"""Hand-built diagnostics over small sources, shared by the renderer tests.

Each case is ``(diagnostics, sources)``.  Spans are computed from the text (never typed in
by hand) so that they are exactly what the parser would produce.
"""

from __future__ import annotations

from twinlang.diagnostics import Diagnostic, Label, Severity, Span, lookup, make


def span_of(file: str, text: str, needle: str, occurrence: int = 1, length: int | None = None,
            ) -> Span:
    """The span of the ``occurrence``-th ``needle`` in ``text`` (may run over lines)."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    end = start + (len(needle) if length is None else length)
    return span_at(file, text, start, end)


def span_at(file: str, text: str, start: int, end: int) -> Span:
    def pos(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    line, column = pos(start)
    end_line, end_column = pos(end)
    return Span(file=file, start=start, end=end, line=line, column=column,
                end_line=end_line, end_column=end_column)


def code(name: str):
    info = lookup(name)
    assert info is not None, name
    return info


LOTO = "examples/loto.twin"
LOTO_TEXT = """\
scenario "Lockout of conveyor C-12" {
  id loto-conveyor-c12
}
use stdlib.equipment.{GateValve, Motor}

equipment V-31 is GateValve {
  size 2 in
  turns_to_close = 8
}
equipment M-12 is Motor { rated_power = 7.5 kW coast_down = 25 s }
"""


def single_line() -> tuple[list[Diagnostic], dict[str, str]]:
    size = span_of(LOTO, LOTO_TEXT, "size")
    diag = make(code("missing-equals"), "a parameter needs `=` between its name and its value",
                size, labels=[Label(span=size, message="`=` expected after this name")],
                notes=["parameters of `GateValve` are set with `NAME = VALUE`;\n"
                       "each on its own line or separated by `;`"],
                help="write it as `NAME = VALUE`, for example `size = 2 in`")
    return [diag], {LOTO: LOTO_TEXT}


def multi_line() -> tuple[list[Diagnostic], dict[str, str]]:
    start = LOTO_TEXT.index("GateValve {")
    close = LOTO_TEXT.index("}\nequipment M")
    block = span_at(LOTO, LOTO_TEXT, start, close + 1)
    diag = make(code("syntax-error"), "this declaration cannot be read", block,
                labels=[Label(span=span_at(LOTO, LOTO_TEXT, close, close + 1),
                              message="the declaration ends here")],
                help="check the parameters inside the block")
    return [diag], {LOTO: LOTO_TEXT}


def labels_same_line() -> tuple[list[Diagnostic], dict[str, str]]:
    coast = span_of(LOTO, LOTO_TEXT, "coast_down")
    brace = span_of(LOTO, LOTO_TEXT, "{", occurrence=4)
    power = span_of(LOTO, LOTO_TEXT, "rated_power = 7.5 kW")
    diag = make(code("missing-separator"), "two statements on one line need `;` between them",
                coast, labels=[Label(span=coast, message="a new statement starts here"),
                               Label(span=power, message="the previous statement"),
                               Label(span=brace, message="in this block")],
                help="put each statement on its own line, or separate them with `;`")
    return [diag], {LOTO: LOTO_TEXT}


PROC = "examples/proc.twin"
PROC_TEXT = """\
procedure lockout "Lock out conveyor C-12" {
  performed_by authorized
  step stop: press M-12.stop
  if ACC-3.pressure > 1 bar {
    step bleed: open ACC-3.bleed
"""


def labels_other_line() -> tuple[list[Diagnostic], dict[str, str]]:
    end = span_at(PROC, PROC_TEXT, len(PROC_TEXT), len(PROC_TEXT))
    open_if = span_of(PROC, PROC_TEXT, "{", occurrence=2)
    open_proc = span_of(PROC, PROC_TEXT, "{")
    diag = make(code("unclosed-block"), "the file ends inside a block", end,
                labels=[Label(span=open_if, message="this block is not closed"),
                        Label(span=open_proc, message="nor is this one")],
                help="add `}` to close each open block")
    return [diag], {PROC: PROC_TEXT}


AREA = "plant/area 3.twin"
AREA_TEXT = "module plant.area3\n\nequipment DS-12 is Disconnect {\n  rated_voltage = 480 V\n"
MAIN = "examples/main.twin"
MAIN_TEXT = "use plant.area3.{DS-12}\n"


def label_other_file() -> tuple[list[Diagnostic], dict[str, str]]:
    end = span_at(AREA, AREA_TEXT, len(AREA_TEXT) - 1, len(AREA_TEXT))
    used = span_of(MAIN, MAIN_TEXT, "plant.area3")
    diag = make(code("unclosed-block"), "the file ends inside a block",
                end, labels=[Label(span=span_of(AREA, AREA_TEXT, "{"),
                                   message="this block is not closed"),
                             Label(span=used, message="module used here")],
                help="add `}` to close the block")
    return [diag], {AREA: AREA_TEXT, MAIN: MAIN_TEXT}


def no_span() -> tuple[list[Diagnostic], dict[str, str]]:
    diag = make(code("file-too-large"), "file is 5,242,880 bytes, over the limit of "
                "4,194,304 bytes", None, notes=["the limit keeps editors and CI responsive"],
                help="split the scenario into modules joined with `use`")
    return [diag], {}


def missing_source() -> tuple[list[Diagnostic], dict[str, str]]:
    span = Span(file="examples/latin1.twin", start=40, end=41, line=3, column=17,
                end_line=3, end_column=18)
    diag = make(code("invalid-utf8"), "invalid UTF-8: byte 0xb0 at byte offset 40 cannot be "
                "decoded", span, labels=[Label(span=span, message="a degree sign in Latin-1?")],
                help="save the file as UTF-8")
    return [diag], {}


TABS = "examples/tabs.twin"
TABS_TEXT = "procedure p {\n\tstep\tstop:\tpress M-12.stop @now\n}\n"


def tabs() -> tuple[list[Diagnostic], dict[str, str]]:
    at = span_of(TABS, TABS_TEXT, "@")
    diag = make(code("unexpected-character"), "unexpected character `@`", at,
                labels=[Label(span=span_of(TABS, TABS_TEXT, "stop:", length=4),
                              message="in this step")],
                help="remove it; names are letters, digits, `_` and `-`")
    return [diag], {TABS: TABS_TEXT}


WIDE = "examples/wide.twin"
WIDE_TEXT = 'procedure p {\n  step 通知: notify affected "作業者に連絡" “ok”\n}\n'


def wide_chars() -> tuple[list[Diagnostic], dict[str, str]]:
    quote = span_of(WIDE, WIDE_TEXT, "“")
    diag = make(code("unexpected-character"), "unexpected character `“` (a typographic quote)",
                quote, labels=[Label(span=span_of(WIDE, WIDE_TEXT, '"作業者に連絡"'),
                                     message="this string is fine")],
                help='use straight double quotes: `"ok"`')
    return [diag], {WIDE: WIDE_TEXT}


EMOJI = "examples/emoji.twin"
EMOJI_TEXT = 'procedure p {\n  step work: work "🔧 Replace belt 🔧 for 20 min\n}\n'


def emoji() -> tuple[list[Diagnostic], dict[str, str]]:
    start = EMOJI_TEXT.index('"')
    string = span_at(EMOJI, EMOJI_TEXT, start, EMOJI_TEXT.index("\n", start))
    diag = make(code("unterminated-string"), "this string is not closed on its line", string,
                help='close it with `"` before the end of the line')
    return [diag], {EMOJI: EMOJI_TEXT}


BIG = "examples/big.twin"
BIG_TEXT = "".join(f"# line {i}\n" for i in range(1, 1300)).replace(
    "# line 9\n", "procedure p {\n").replace(
    "# line 998\n", "  step s1: open V-1\n").replace(
    "# line 1204\n", "  step s1: close V-1\n")


def long_line_numbers() -> tuple[list[Diagnostic], dict[str, str]]:
    second = span_of(BIG, BIG_TEXT, "s1", occurrence=2)
    diag = make(code("syntax-error"), "step `s1` is declared twice", second,
                labels=[Label(span=span_of(BIG, BIG_TEXT, "s1"), message="first declared here"),
                        Label(span=span_of(BIG, BIG_TEXT, "procedure p"),
                              message="in this procedure")],
                help="give each step its own name")
    return [diag], {BIG: BIG_TEXT}


CTRL = "examples/ctrl.twin"
CTRL_TEXT = 'notify affected "ok"\x1b[31m red \u202eevil\u202c\r\n'


def control_chars() -> tuple[list[Diagnostic], dict[str, str]]:
    esc = span_of(CTRL, CTRL_TEXT, "\x1b")
    diag = make(code("unexpected-character"), "unexpected character U+001B (escape)\x1b[2J", esc,
                labels=[Label(span=span_of(CTRL, CTRL_TEXT, "\u202e"),
                              message="a right-to-left override")],
                help="delete the invisible characters")
    return [diag], {CTRL: CTRL_TEXT}


LONG = "examples/long.twin"
LONG_TEXT = ('procedure p {\n  step s: notify affected "' + "word " * 60
             + '" then wait 10 s "' + "x" * 200 + '"\n}\n')


def long_line() -> tuple[list[Diagnostic], dict[str, str]]:
    start = LONG_TEXT.index('"x')
    string = span_at(LONG, LONG_TEXT, start, start + 202)
    diag = make(code("string-too-long"), "this string is 200 characters long", string,
                labels=[Label(span=span_of(LONG, LONG_TEXT, "wait"), message="after this")],
                help="shorten it")
    return [diag], {LONG: LONG_TEXT}


EOF_FILE = "examples/eof.twin"
EOF_TEXT = "procedure p {\n  step a: open V-1\n"


def end_of_file() -> tuple[list[Diagnostic], dict[str, str]]:
    end = span_at(EOF_FILE, EOF_TEXT, len(EOF_TEXT), len(EOF_TEXT))
    diag = make(code("unclosed-block"), "the file ends inside a block", end,
                labels=[Label(span=span_of(EOF_FILE, EOF_TEXT, "{"))])
    return [diag], {EOF_FILE: EOF_TEXT}


def severities() -> tuple[list[Diagnostic], dict[str, str]]:
    info = code("syntax-error")
    size = span_of(LOTO, LOTO_TEXT, "size")
    turns = span_of(LOTO, LOTO_TEXT, "turns_to_close")
    return [
        make(info, "an error", size),
        make(info, "a warning", turns, severity=Severity.WARNING, help="fix it"),
        make(info, "a note", None, severity=Severity.NOTE, notes=["for your information"]),
    ], {LOTO: LOTO_TEXT}


CASES = {
    "single_line": single_line,
    "multi_line": multi_line,
    "labels_same_line": labels_same_line,
    "labels_other_line": labels_other_line,
    "label_other_file": label_other_file,
    "no_span": no_span,
    "missing_source": missing_source,
    "tabs": tabs,
    "wide_chars": wide_chars,
    "emoji": emoji,
    "long_line_numbers": long_line_numbers,
    "control_chars": control_chars,
    "long_line": long_line,
    "end_of_file": end_of_file,
    "severities": severities,
}


def all_cases() -> tuple[list[Diagnostic], dict[str, str]]:
    """Every case at once (the sources do not clash)."""
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for build in CASES.values():
        d, s = build()
        diags += d
        sources.update(s)
    return diags, sources
