"""Diagnostic codes of the reading and syntax stages (TW00xx, TW01xx)."""

from ..diagnostics.codes import define

STAGE = "syntax"

FILE_TOO_LARGE = define("TW0001", "file-too-large", "error",
    "the source file is larger than twinlang accepts",
    """
    twinlang refuses sources larger than 4 MiB (about 100,000 lines) so that a stray
    log file or data dump passed to `twinlang check` cannot stall an editor or a CI job.

    A real scenario is far smaller. Split a very large plant model into modules and join
    them with `use`:

        use plant.area3.{DS-12, M-12}
    """, STAGE)

INVALID_UTF8 = define("TW0002", "invalid-utf8", "error",
    "the source is not valid UTF-8",
    """
    twinlang sources are UTF-8 text (a byte-order mark is allowed and ignored). The
    diagnostic points at the first byte that is not valid UTF-8, which usually means the
    file was saved in a legacy encoding such as Windows-1252 (often because of a degree
    sign or a micro sign typed in another program).

    Re-save the file as UTF-8 in your editor.
    """, STAGE)

BINARY_FILE = define("TW0003", "binary-file", "error",
    "the source contains NUL bytes",
    """
    A NUL byte never appears in a text file; the file is probably binary (a spreadsheet,
    a PDF, a compiled file) given a `.twin` name by mistake. Check the path.
    """, STAGE)

NESTING_TOO_DEEP = define("TW0004", "nesting-too-deep", "error",
    "blocks are nested deeper than twinlang accepts",
    """
    twinlang accepts at most 64 levels of `{ ... }` nesting. Real procedures need a
    handful; deeper nesting is unreadable for the people who train on it.

    Move deeply nested steps into their own procedure and use `call`:

        procedure bleed_all "Bleed every accumulator" { ... }
        procedure lockout "..." {
          call bleed_all
        }
    """, STAGE)

SYNTAX_ERROR = define("TW0100", "syntax-error", "error",
    "the text does not follow twinlang's grammar",
    """
    The parser met a token it did not expect. The message names what it found and what
    could have come there instead. Common causes: a missing line break or `;` between
    two statements, a missing `}`, or a word used as a name that twinlang reserves as a
    keyword (`step`, `expect`, `critical`, ...).

        equipment V-31 is GateValve { size = 2 in; turns_to_close = 8 }
    """, STAGE)

UNEXPECTED_CHARACTER = define("TW0101", "unexpected-character", "error",
    "a character that cannot start any twinlang token",
    """
    The lexer found a character that no twinlang token starts with, such as `@`, `$`
    or a typographic quote (`“`) pasted from a word processor. Strings use straight
    double quotes: `"Replace belt"`.
    """, STAGE)

INVALID_ESCAPE = define("TW0102", "invalid-escape", "error",
    "a backslash escape that strings do not support",
    """
    Inside a string, a backslash starts an escape. twinlang knows `\\"` (a quote), `\\\\`
    (a backslash), `\\n` (a new line), `\\t` (a tab) and `\\u{2126}` (any Unicode
    character by its hexadecimal code point). Write `\\\\` for a literal backslash.
    """, STAGE)

UNTERMINATED_STRING = define("TW0103", "unterminated-string", "error",
    "a string that is not closed on the same line",
    """
    A string starts and ends with `"` on the same line. To put a line break in a
    string write `\\n`.

        notify affected "C-12 will be shut down\\nand locked out"
    """, STAGE)

UNCLOSED_BLOCK = define("TW0104", "unclosed-block", "error",
    "the file ends inside a `{ ... }` block",
    """
    Every `{` needs a matching `}`. The diagnostic points at the block that is still
    open at the end of the file. Formatting the file (`twinlang fmt`) makes a missing
    brace easy to see from the indentation.
    """, STAGE)

MISSING_SEPARATOR = define("TW0105", "missing-separator", "error",
    "two statements on one line without `;` between them",
    """
    Statements end at a line break or at `;`. Two parameters or clauses written on one
    line need a `;` between them:

        equipment M-12 is Motor { rated_power = 7.5 kW; coast_down = 25 s }
    """, STAGE)

ELSE_ON_NEW_LINE = define("TW0106", "else-on-new-line", "error",
    "`else` must follow the closing `}` of its `if` on the same line",
    """
    An `if` block and its `else` are one statement, so `else` goes on the line of the
    closing brace:

        if ACC-3.pressure > 1 bar {
          step bleed_again: open ACC-3
        } else {
          step proceed: record "pressure released"
        }
    """, STAGE)

MISSING_EQUALS = define("TW0107", "missing-equals", "error",
    "a parameter value without `=`",
    """
    Equipment parameters are set with `=`:

        equipment V-31 is GateValve {
          size = 2 in
          turns_to_close = 8
        }
    """, STAGE)

SINGLE_EQUALS = define("TW0108", "single-equals-in-condition", "error",
    "`=` used in a condition where `==` was meant",
    """
    Conditions compare with `==`, `!=`, `<`, `<=`, `>` and `>=`. A single `=` sets an
    equipment parameter; it is not a comparison.

        step tryout: try_start M-12  expect M-12.speed == 0 rpm
    """, STAGE)

MISSING_STEP_NAME = define("TW0109", "missing-step-name", "error",
    "a step without a name",
    """
    Every step has a name so that other steps, alarms, faults and competencies can
    refer to it, and so that the assessment can report on it:

        step isolate: open DS-12
    """, STAGE)

MISSING_STEP_COLON = define("TW0110", "missing-step-colon", "error",
    "a one-line step without `:` before its action",
    """
    A one-line step puts `:` between its name (and optional title) and its action;
    a step written as a block uses `{ ... }` instead:

        step stop: press M-12.stop
        step stop "Stop the conveyor" {
          press M-12.stop
        }
    """, STAGE)

MISSING_IS = define("TW0111", "missing-kind", "error",
    "an equipment declaration without `is KIND`",
    """
    Each piece of equipment says which kind it is, so that its parameters, state and
    accepted actions are known:

        equipment V-31 "Accumulator isolation valve" is GateValve { ... }
    """, STAGE)

MISSING_ARROW = define("TW0112", "missing-arrow", "error",
    "an alarm handler that jumps without `->`",
    """
    A one-line alarm handler uses `->` before `goto`, `resume` or `abort`; a longer
    handler is a block:

        on alarm ACC-3.pressure > 5 bar during work -> goto bleed up to 3 times
    """, STAGE)

USE_WITHOUT_BRACES = define("TW0113", "use-without-braces", "error",
    "a `use` without the braces that list the imported names",
    """
    `use` names the module, then lists what it imports between braces:

        use stdlib.equipment.{GateValve, Motor}

    `use stdlib.equipment.*` imports every name (useful while sketching; explicit
    names are clearer for reviewers).
    """, STAGE)

MISSING_NUMBER = define("TW0114", "missing-number", "error",
    "a unit or name where a number was expected",
    """
    A quantity is a number followed by its unit: `40 N*m`, `2 L/min`, `90 bar`.
    The number comes first.
    """, STAGE)

STRING_TOO_LONG = define("TW0115", "string-too-long", "error",
    "a string longer than twinlang accepts",
    """
    Strings are limited to 10,000 characters. Long texts (work instructions, permit
    wording) belong in the documents the scenario links to, not in the scenario.
    """, STAGE)
