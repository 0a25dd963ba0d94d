"""Reading a source: bytes to text, with the limits that keep `check` safe on any input.

A source reaches the lexer decoded as UTF-8, without a byte-order mark, with every line
ending turned into ``"\\n"``.  Limits are explicit and named in the diagnostic when hit.

This module also holds the bracket scanner shared by the limits, the syntax-error messages
and the error recovery: it walks `{ } ( )` outside strings and comments, as the lexer sees
them, with one regular expression (fast on multi-MiB inputs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Span, make
from . import codes

#: The largest source accepted, in bytes (4 MiB: about 100,000 lines of twinlang).
MAX_SOURCE_BYTES = 4 * 1024 * 1024
#: The deepest nesting of `{ ... }` blocks, and separately of `( ... )`, accepted.
MAX_NESTING = 64
#: The longest string literal accepted, in characters.
MAX_STRING = 10_000
#: The longest number literal accepted, in characters (a count or a quantity never needs more;
#: it also keeps integer conversion far from Python's 4,300-digit limit).
MAX_NUMBER_LENGTH = 100

# A comment, a string (possibly unterminated: it then ends at the line end, like the lexer's
# view of it), or a bracket.  Strings and comments never span lines.
_SCAN = re.compile(r'#[^\n]*|"(?:[^"\\\n]|\\[^\n])*"?|[{}()]')


@dataclass(frozen=True)
class Source:
    """A decoded source text and the name it is reported under."""

    file: str
    text: str

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""


def span_at(file: str, text: str, offset: int, length: int = 1) -> Span:
    """The span of ``length`` characters at code-point ``offset`` of ``text``.

    The span never runs past the end of its line.
    """
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    end = min(len(text), offset + max(length, 0))
    nl = text.find("\n", offset, end)
    if nl >= 0:
        end = nl
    end_col = col + (end - offset)
    return Span(file=file, start=offset, end=end, line=line, column=col,
                end_line=line, end_column=end_col)


def iter_brackets(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """``(offset, char)`` of every `{ } ( )` outside strings and comments.

    ``start`` must be the start of a line (strings and comments never span lines).
    """
    for m in _SCAN.finditer(text, start, len(text) if end is None else end):
        c = text[m.start()]
        if c in "{}()":
            yield m.start(), c


def open_braces(text: str, upto: int) -> list[int]:
    """Offsets of the `{` still open at offset ``upto`` (outermost first)."""
    stack: list[int] = []
    for pos, c in iter_brackets(text, 0, upto):
        if c == "{":
            stack.append(pos)
        elif c == "}" and stack:
            stack.pop()
    return stack


def matching_brace(text: str, open_pos: int) -> int | None:
    """The offset of the `}` that closes the `{` at ``open_pos``, if any."""
    depth = 0
    line_start = text.rfind("\n", 0, open_pos) + 1
    for pos, c in iter_brackets(text, line_start):
        if pos < open_pos:
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return pos
    return None


def decode(file: str, data: bytes) -> tuple[Source | None, list[Diagnostic]]:
    """Decode raw bytes into a :class:`Source`, or explain why it cannot be read."""
    if len(data) > MAX_SOURCE_BYTES:
        return None, [make(
            codes.FILE_TOO_LARGE,
            f"file is {len(data):,} bytes, over the limit of {MAX_SOURCE_BYTES:,} bytes",
            Span(file=file),
            help="split the scenario into modules joined with `use`",
        )]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        pos = data.index(b"\x00")
        before = _normalise(data[:pos].decode("utf-8", errors="replace"))
        return None, [make(
            codes.BINARY_FILE,
            "file contains a NUL byte; it looks like binary data, not twinlang text",
            span_at(file, before, len(before)),
            help="check that this is the `.twin` file you meant; twinlang sources are UTF-8 text",
        )]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = _normalise(data[: exc.start].decode("utf-8", errors="replace"))
        return None, [make(
            codes.INVALID_UTF8,
            f"invalid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            "cannot be decoded",
            span_at(file, good, len(good)),
            help="save the file as UTF-8 (most editors offer this under \"Save with encoding\")",
        )]
    text = _normalise(text)
    diags = check_nesting(file, text)
    if diags:
        return None, diags
    return Source(file, text), []


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_nesting(file: str, text: str) -> list[Diagnostic]:
    """Refuse sources nested deeper than :data:`MAX_NESTING` before they reach the parser.

    Blocks `{ ... }` and parentheses `( ... )` are counted separately, each against the
    same limit.
    """
    if text.count("{") <= MAX_NESTING and text.count("(") <= MAX_NESTING:
        return []
    depth = {"{": 0, "(": 0}
    for pos, c in iter_brackets(text):
        if c in "{(":
            depth[c] += 1
            if depth[c] > MAX_NESTING:
                return [_too_deep(file, text, pos, c)]
        else:
            o = "{" if c == "}" else "("
            depth[o] = max(0, depth[o] - 1)
    return []


def _too_deep(file: str, text: str, pos: int, c: str) -> Diagnostic:
    if c == "{":
        return make(
            codes.NESTING_TOO_DEEP,
            f"blocks are nested more than {MAX_NESTING} levels deep",
            span_at(file, text, pos),
            help="flatten the procedure: move nested steps into a sub-procedure and `call` it",
        )
    return make(
        codes.NESTING_TOO_DEEP,
        f"parentheses are nested more than {MAX_NESTING} levels deep",
        span_at(file, text, pos),
        help="simplify the condition: remove parentheses that group a single test, or split "
        "it over several steps",
    )


# ---------------------------------------------------------------- text around an error
#
# Small helpers for the syntax-error messages (errors.py): they read the text as the
# lexer would, without the parser.

_CODE_PART = re.compile(r'(?:[^"#\n]|"(?:[^"\\\n]|\\.)*"?)*')
_SPACE = re.compile(r"[ \t\f]*(?:#[^\n]*)?")
_LEXEMES = re.compile(r'\n\s*|"(?:[^"\\\n]|\\.)*"?|[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
                      r"|[A-Za-z_°µΩ][\w°µΩ]*(?:-\w+)*|==|!=|<=|>=|->|\.\.|.")
_WORDLIKE = re.compile(r"[A-Za-z_°µΩ]")


def code_part(line: str) -> str:
    """A line (or the end of a text) without its trailing comment."""
    return _CODE_PART.match(line).group(0)


def lex_one(text: str, pos: int, literals: dict[str, str], word_types) -> tuple[set[str], int]:
    """Candidate terminal types of the token at ``pos`` (after blanks), and where it ends.

    ``literals`` maps punctuation to terminal names; ``word_types(word)`` gives the types
    a word may have (a name, a keyword, a unit).
    """
    pos = _SPACE.match(text, pos).end()
    if pos >= len(text):
        return {"$END"}, pos
    m = _LEXEMES.match(text, pos)
    lexeme = m.group(0)
    c = lexeme[0]
    if c == "\n":
        types = {"_NL"}
    elif c == '"':
        types = {"STRING"}
    elif c.isdigit() or (c in "+-" and len(lexeme) > 1):
        types = {"NUMBER", "INT"}
    elif _WORDLIKE.match(c):
        types = set(word_types(lexeme))
    elif c == "%":
        types = {"PERCENT"}
    elif lexeme in literals:
        types = {literals[lexeme]}
    elif lexeme in ("==", "!=", "<=", ">=", "<", ">"):
        types = {"COMPARATOR"}
    else:
        types = set()
    return types, m.end()


_CHAR_OPS = {"≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "⇒": "->", "×": "*", "÷": "/"}
_DASHES = "‐‑‒–—―−"


def describe_character(text: str, pos: int):
    """Code, message and help for a character the lexer cannot read (help may be None)."""
    ch = text[pos] if pos < len(text) else ""
    bad = codes.UNEXPECTED_CHARACTER
    if ch == '"':
        if pos > 0 and text[pos - 1].isdigit():
            return bad, "`\"` after a number is not a unit", "write inches as `in`: `2 in`"
        return (codes.UNTERMINATED_STRING, "string is not closed before the end of the line",
                'close the string with `"` on the same line; write `\\n` for a line break')
    if ch in "“”„‟‘’‚‛«»":
        return (bad, f"typographic quote `{ch}` is not a string delimiter",
                'use straight double quotes: `"text"`')
    if ch == "'":
        return bad, "single quote `'` does not start a string", 'use double quotes: `"text"`'
    if ch in _CHAR_OPS:
        return bad, f"`{ch}` is not a twinlang operator", f"write `{_CHAR_OPS[ch]}`"
    if ch and ch in _DASHES:
        name = unicodedata.name(ch, "dash").lower()
        return (bad, f"`{ch}` ({name}) is not a hyphen",
                "write a plain `-` (word processors often turn it into a dash), as in `V-101`")
    if text.startswith(("//", "/*"), pos):
        return bad, f"`{text[pos:pos + 2]}` does not start a comment", "comments start with `#`"
    if ch in ("&", "|"):
        word = "and" if ch == "&" else "or"
        return bad, f"`{ch}` is not a twinlang operator", f"join conditions with `{word}`"
    if ch == "!":
        return bad, "`!` is not a twinlang operator", "write `not` (or `!=` for not equal)"
    if ch == "`":
        return bad, "unexpected backtick", "remove it; strings use straight double quotes"
    if ch and (not ch.isprintable() or unicodedata.category(ch) in ("Zs", "Cf")):
        name = unicodedata.name(ch, "").lower()
        label = f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
        return bad, f"invisible character {label}", "delete it (retype the space if one is needed)"
    if ch in ("+", "-") and re.match(r"[+-][ \t]+[0-9]", text[pos:pos + 3]):
        return bad, f"`{ch}` is separated from its number", f"write `{ch}5` without a space"
    return bad, f"unexpected character `{ch}`", None
