"""The catalogue of syntax mistakes: for each, its code, message, help and examples.

Each entry names a diagnostic code, the message and help it gives (``{prev}``, ``{found}``
and the like are filled in from the text around the error), and short malformed sources
that must produce it, with the line the diagnostic must point at.  Every example is a test
(tests/syntax/test_error_catalogue.py).  The rule that recognises each entry lives in
:mod:`twinlang.syntax.errors`; entries are tried in the order given here.
"""

from __future__ import annotations

from typing import NamedTuple

from ..diagnostics.codes import CodeInfo
from . import codes


class Example(NamedTuple):
    """A malformed source and the line its diagnostic must point at."""

    text: str
    line: int


class Entry(NamedTuple):
    info: CodeInfo
    examples: tuple[Example, ...]
    message: str
    help: str


def _e(info: CodeInfo, message: str, help: str, *examples: tuple[str, int]) -> Entry:
    return Entry(info, tuple(Example(t, n) for t, n in examples), message, help)


_P = "procedure p {\n%s\n}\n"  # wraps a procedure body for short examples

#: Code name -> entry.  Rules are tried in this order; the first that matches wins.
CATALOGUE: dict[str, Entry] = {e.info.name: e for e in (
    _e(codes.FIELD_WITH_EQUALS, "`{prev}` takes its value directly, without `{found}`",
       "write `{prev} {rest}`",
       ('scenario "S" {\n  risk = high\n}\n', 2),
       ('scenario "S" {\n  description: "Belt change"\n}\n', 2),
       ("competency c {\n  pass_score >= 80 %\n}\n", 2),
       ('procedure p {\n  permit = hot_work\n}\n', 2)),
    _e(codes.SINGLE_EQUALS, "conditions compare with `==`; a single `=` only sets a parameter",
       "write `==` (or `<`, `<=`, `>`, `>=`, `!=`)",
       (_P % "  step s: press M.stop expect M.speed = 0 rpm", 2),
       (_P % "  step s: open A requires A.x = 1", 2),
       (_P % "  on alarm A.p = 5 bar -> resume", 2),
       (_P % "  if A.p = 5 bar {\n  }", 2),
       ("competency c {\n  sequence_accuracy = 95 %\n}\n", 2)),
    _e(codes.MISSING_ARROW, "an alarm handler needs `->` before `{found_raw}`",
       "write `on alarm CONDITION -> goto STEP`, or give the handler a `{{ ... }}` block",
       (_P % "  on alarm A.p > 5 bar goto s", 2),
       (_P % "  on alarm A.p > 5 bar during w goto s", 2),
       (_P % "  on alarm A.p > 5 bar resume", 2),
       (_P % "  on alarm A.p > 5 bar => goto s", 2)),
    _e(codes.ELSE_ON_NEW_LINE, "`else` must be on the same line as the `}` that closes its `if`",
       "write `}} else {{` on one line",
       (_P % "  if A.x > 1 bar {\n    step a: open A\n  }\n  else {\n  }", 5),
       (_P % "  if A {\n  }\n  else {\n    step b: close A\n  }", 4)),
    _e(codes.ELSE_IF, "twinlang has no `else if`",
       "put the second `if` inside the `else` block: `}} else {{ if ... {{ ... }} }}`",
       (_P % "  if A.p > 1 bar {\n  } else if A.p < 0 bar {\n  }", 3)),
    _e(codes.BRACE_ON_NEW_LINE, "the `{{` that opens a block must be on the same line as `{head}`",
       "move `{{` up to the end of the `{head}` line",
       ('procedure p "Lock out"\n{\n  step s: open A\n}\n', 1),
       ("equipment V-1 is GateValve\n{\n  size = 2 in\n}\n", 2),
       (_P % "  if A.p > 1 bar\n  {\n  }", 2)),
    _e(codes.WAIT_FOR, "`wait` takes its duration directly, without `for`",
       "write `wait {rest}`",
       (_P % "  step s: wait for 5 min", 2)),
    _e(codes.MISSING_VALUE, "a value is missing after `{prev}`",
       "write the value on the same line, for example `{prev} {sample}`",
       (_P % "  step s: open A expect A.p < 1 bar within", 2),
       (_P % "  step s: wait until A.p < 1 bar within\n  step t: open B", 2),
       ("equipment V-1 is GateValve {\n  size =\n}\n", 2),
       (_P % "  step s: open A expect A.p <=", 2),
       ("kind K {\n  param p: pressure range .. 5 bar\n}\n", 2)),
    _e(codes.MISSING_NUMBER, "a number is expected after `{prev}`, not {found}",
       "write a number, for example `{prev} {sample}`",
       (_P % "  on alarm A.p > 5 bar -> goto s up to three times", 2),
       ("competency c {\n  critical_errors == 0 weight high\n}\n", 2),
       ('reactivity acids "Acids"\n', 1)),
    _e(codes.SPACE_IN_NAME, "a name cannot contain spaces: `{name}`",
       "join the words with `_` or `-`: `{joined}`",
       (_P % "  step close valve: close V-1", 2),
       ("equipment V 101 is GateValve\n", 1),
       ('procedure lock out "Lock out" {\n}\n', 1)),
    _e(codes.MISSING_STEP_NAME, "a step needs a name after `step`",
       "name the step, for example `step isolate: open DS-12`",
       (_P % "  step: open V-1", 2),
       (_P % '  step "Open the valve": open V-1', 2),
       (_P % "  step {\n    open V-1\n  }", 2),
       (_P % "  step 1: open V-1", 2)),
    _e(codes.MISSING_STEP_COLON, "a one-line step needs `:` between its name and its action",
       "write `step NAME: ACTION`, or use a block `step NAME {{ ... }}`",
       (_P % "  step s open V-1", 2),
       (_P % '  step s "Open" open V-1', 2),
       (_P % "  step s notify affected", 2)),
    _e(codes.MISSING_IS, "an equipment declaration needs `is` and the kind of equipment",
       "write `equipment TAG is KIND {{ ... }}`, for example `equipment V-31 is GateValve`",
       ("equipment V-1 GateValve {\n}\n", 1),
       ('equipment V-1 "Valve" GateValve\n', 1),
       ("equipment V-1 {\n  size = 2 in\n}\n", 1)),
    _e(codes.USE_WITHOUT_BRACES, "`use` lists the names it imports between braces",
       "write `use {path}.{{{names}}}` (or `.*` for every name)",
       ("use stdlib.equipment.Motor\n", 1),
       ("use stdlib.equipment\n", 1),
       ("use stdlib.equipment.Motor, Pump\n", 1)),
    _e(codes.MISSING_CLOSING_BRACE, "a `}}` is missing before {found}",
       "close the block with `}}` before {found}",
       ("equipment V-1 is GateValve {\n  size = 2 in\n\nequipment V-2 is GateValve {\n}\n", 4),
       (_P % "  step s {\n    open A\n  step t: close B", 4),
       ("kind K {\n  param a: length\nkind L {\n}\n", 3)),
    _e(codes.UNKNOWN_KEYWORD, "unknown keyword `{found_raw}`",
       "did you mean `{keyword}`?",
       ("equipmnet V-1 is GateValve\n", 1),
       (_P % "  stpe s: open A", 2),
       ("Equipment V-1 is GateValve\n", 1),
       (_P % "  step s: open A expcet A.x > 1 bar", 2)),
    _e(codes.MISSING_QUOTES, "text must be written between double quotes",
       'write `"{rest}"`',
       ("role operator Operator\n", 1),
       (_P % "  step s: notify affected C-12 will be shut down", 2),
       (_P % "  step s: work Replace belt for 20 min", 2),
       ("scenario Lockout of C-12 {\n}\n", 1)),
    _e(codes.MISSING_AND, "two actions in one step need `and` between them",
       "join the actions with `and`",
       (_P % "  step s: open A close B", 2),
       (_P % "  step s {\n    open A close B\n  }", 3),
       (_P % "  step s: open A expect A.x > 1 bar B.y < 2 bar", 2)),
    _e(codes.MISSING_SEPARATOR, "two statements on one line need `;` between them",
       "put each statement on its own line, or separate them with `;`",
       ("equipment M-1 is Motor { rated_power = 7.5 kW coast_down = 25 s }\n", 1),
       ("equipment M-1 is Motor {\n  rated_power = 7.5 kW coast_down = 25 s\n}\n", 2),
       ("kind K {\n  param a: length = 1 m param b: length = 2 m\n}\n", 2),
       ('role a "A" role b "B"\n', 1)),
    _e(codes.ACTION_OUTSIDE_STEP, "`{found_raw}` is an action, and actions belong inside a step",
       "put it in a step, for example `step NAME: {line}`",
       (_P % "  step isolate: open DS-12; close V-31", 2),
       (_P % "  isolate: open DS-12", 2),
       (_P % "  close V-31", 2),
       (_P % "  notify affected \"Shutting down\"", 2)),
    _e(codes.MISSING_EQUALS, "a parameter needs `=` between its name and its value",
       "write it as `NAME = VALUE`, for example `{prev} = {rest}`",
       ("equipment V-1 is GateValve {\n  size 2 in\n}\n", 2),
       ("equipment V-1 is GateValve {\n  turns_to_close 8\n}\n", 2),
       ('equipment V-1 is GateValve {\n  size "big"\n}\n', 2),
       ("kind K {\n  param size: length 2 in\n}\n", 2)),
    _e(codes.UNMATCHED_CLOSING_BRACE, "this `}}` closes no block",
       "remove it, or look above for a block that was closed too early",
       ('role a "A" }\n', 1),
       ("equipment V-1 is GateValve {\n  size = 2 in\n}\n}\n", 4)),
    _e(codes.UNCLOSED_BLOCK, "the file ends before a block is closed",
       "add the missing `}}`",
       ("equipment V-1 is GateValve {\n  size = 2 in\n", 2),
       ("procedure p {\n  step s: open A\n", 2)),
)}
