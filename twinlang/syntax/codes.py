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
    "blocks, parentheses or conditions nested deeper than twinlang accepts",
    """
    twinlang accepts at most 64 levels of `{ ... }` blocks and, separately, 64 levels of
    `( ... )` in conditions. A single condition may also not chain more than a few hundred
    parts with `and`, `or` and `not`. Real procedures need a handful of levels; deeper
    nesting is unreadable for the people who train on it, and the limits keep `twinlang
    check` fast and safe on any input.

    Move deeply nested steps into their own procedure and use `call`:

        procedure bleed_all "Bleed every accumulator" { ... }
        procedure lockout "..." {
          call bleed_all
        }

    Split a very long condition over several steps or `expect` clauses.
    """, STAGE)

NUMBER_TOO_LONG = define("TW0005", "number-too-long", "error",
    "a number written with more characters than twinlang accepts",
    """
    A number literal may have at most 100 characters. No physical quantity, count or
    seed needs more; a longer run of digits is almost always pasted data. Write large or
    small values with an exponent (`1.5e6`) or a larger unit (`1.5 MPa` rather than
    `1500000 Pa`).
    """, STAGE)

UNFILLED_PLACEHOLDER = define("TW0006", "unfilled-placeholder", "error",
    "a template placeholder `<<...>>` that has not been filled in",
    """
    `twinlang new` writes a scenario from a template. Where the template cannot know
    your plant it leaves a placeholder between double angle brackets, and a comment
    above it says what to write there:

        # the tag of the disconnect that feeds the motor, as painted on the plant
        equipment <<disconnect tag>> "Drive disconnect" is Disconnect {

    Replace each placeholder, brackets included, with a name, a value with its unit or
    a quoted string, as the comment says:

        equipment DS-12 "Drive disconnect" is Disconnect {

    The same placeholder written in several places stands for the same thing: fill
    each of them with the same text. Until every placeholder is filled, `check`
    reports only the placeholders (and syntax errors) of the file; the rest of the
    checks run once the last one is gone.
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
    "a unit, name or text where a number was expected",
    """
    Some places take a number and nothing else: the count in `up to 3 times`, a
    `weight 2`, a `seed 42`, the number of a `reactivity` group. A quantity is a number
    followed by its unit (`40 N*m`, `2 L/min`, `90 bar`); the number comes first:

        on alarm ACC-3.pressure > 5 bar -> goto bleed up to 3 times
        equipment V-31 is GateValve { size = 2 in }
    """, STAGE)

STRING_TOO_LONG = define("TW0115", "string-too-long", "error",
    "a string longer than twinlang accepts",
    """
    Strings are limited to 10,000 characters. Long texts (work instructions, permit
    wording) belong in the documents the scenario links to, not in the scenario.
    """, STAGE)

DUPLICATE_FIELD = define("TW0116", "duplicate-field", "error",
    "a field given twice in one block",
    """
    A single-valued field (`id`, `risk`, `performed_by`, `verified_by`, `pass_score`,
    `located_in`, ...) may appear once per block; a second one would silently replace the
    first.
    """, STAGE)

MISSING_CLOSING_BRACE = define("TW0117", "missing-closing-brace", "error",
    "a statement that belongs outside the block it appears in: a `}` is missing",
    """
    A declaration or statement appeared inside a block where it is not allowed, while
    the enclosing block would accept it. Almost always the `}` that closes the block above
    is missing:

        equipment V-31 is GateValve {
          size = 2 in
        }                      # <- this brace was missing
        equipment M-12 is Motor { ... }

    The diagnostic points at the block that is still open. Formatting the file
    (`twinlang fmt`) makes a missing brace easy to see from the indentation.
    """, STAGE)

FIELD_WITH_EQUALS = define("TW0118", "field-with-equals", "error",
    "a keyword field written with `=`, `:` or a comparison before its value",
    """
    Fields named by a keyword take their value directly, without `=`:

        scenario "Lockout of conveyor C-12" {
          id loto-c12
          risk high
          description "Belt replacement"
        }
        competency loto_initial { pass_score 80 % }

    `=` sets a parameter of an equipment (`size = 2 in`); comparisons such as `>=` belong
    to thresholds (`sequence_accuracy >= 95 %`).
    """, STAGE)

MISSING_VALUE = define("TW0119", "missing-value", "error",
    "a statement that ends before its value",
    """
    A keyword or operator that needs a value was followed by the end of the line:

        expect M-12.speed <= 0.1 rpm within 40 s   # `within` needs a time
        size = 2 in                                 # `=` needs a value

    Write the value on the same line as the keyword; a quantity carries its unit.
    """, STAGE)

MISSING_QUOTES = define("TW0120", "missing-quotes", "error",
    "text that is not between double quotes",
    """
    Titles, messages and descriptions are strings: text between straight double quotes.
    Without quotes, each word would be read as a name.

        role affected "Affected employee"
        step notify: notify affected "C-12 will be shut down and locked out"
    """, STAGE)

BRACE_ON_NEW_LINE = define("TW0121", "brace-on-new-line", "error",
    "the `{` of a block on the line after its header",
    """
    A line break ends a statement, so the `{` that opens a block goes on the same line
    as the header it belongs to:

        procedure lockout "Lock out conveyor C-12" {
          ...
        }
    """, STAGE)

ACTION_OUTSIDE_STEP = define("TW0122", "action-outside-step", "error",
    "an action written directly in a procedure instead of in a step",
    """
    Every action belongs to a named step, so that the step graph, the player and the
    assessment can refer to it. Several actions in one step are joined with `and`:

        step isolate: open DS-12 and close V-31
        step lock: apply lock to DS-12, V-31

    A `;` ends the step, so `step isolate: open DS-12; close V-31` leaves `close V-31`
    outside any step.
    """, STAGE)

MISSING_AND = define("TW0123", "missing-and", "error",
    "two actions or conditions without `and` between them",
    """
    Actions of one step, and the parts of a compound condition, are joined with words:

        step isolate: open DS-12 and close V-31
        expect ACC-3.pressure < 1 bar and V-31.position == 0 %

    Conditions may also be joined with `or`; use parentheses when you mix the two.
    """, STAGE)

SPACE_IN_NAME = define("TW0124", "space-in-name", "error",
    "a name written as several words",
    """
    Names of steps, equipment, procedures and roles are single words. Join words with
    `_` or `-` (plant tags such as `V-101` and `P-101A` are names too):

        step close_valve: close V-31
        equipment V-101 is GateValve
    """, STAGE)

UNMATCHED_CLOSING_BRACE = define("TW0125", "unmatched-closing-brace", "error",
    "a `}` that closes no block",
    """
    There are more `}` than `{` at this point. Either the `}` is left over from an
    edit, or a block above was closed too early. Formatting the file (`twinlang fmt`)
    shows the block structure through indentation.
    """, STAGE)

ELSE_IF = define("TW0126", "else-if", "error",
    "`else if`, which twinlang does not have",
    """
    An `if` has one `else` block. To test a second condition, put another `if` inside
    the `else` block:

        if ACC-3.pressure > 5 bar {
          step bleed: open ACC-3.bleed
        } else {
          if ACC-3.pressure > 1 bar {
            step wait_more: wait 2 min
          }
        }
    """, STAGE)

WAIT_FOR = define("TW0127", "wait-for", "error",
    "`wait for` followed by a duration",
    """
    `wait` takes its duration directly; `for` belongs to `work`:

        step settle: wait 5 min
        step replace: work "Replace belt" for 20 min
    """, STAGE)

UNKNOWN_KEYWORD = define("TW0128", "unknown-keyword", "error",
    "a misspelled or capitalised keyword",
    """
    A word appeared where only keywords may stand, and it is close to one of them.
    Keywords are written in lowercase (`equipment`, `step`, `expect`); check the
    spelling.
    """, STAGE)
