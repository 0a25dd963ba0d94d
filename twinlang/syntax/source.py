"""Reading a source: bytes to text, with the limits that keep `check` safe on any input.

A source reaches the lexer decoded as UTF-8, without a byte-order mark, with every line
ending turned into ``"\\n"``.  Limits are explicit and named in the diagnostic when hit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostic, Span, make
from . import codes

#: The largest source accepted, in bytes (4 MiB: about 100,000 lines of twinlang).
MAX_SOURCE_BYTES = 4 * 1024 * 1024
#: The deepest nesting of `{ ... }` blocks accepted.
MAX_NESTING = 64
#: The longest string literal accepted, in characters.
MAX_STRING = 10_000


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
    """The span of ``length`` characters at code-point ``offset`` of ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    end = min(len(text), offset + length)
    if "\n" in text[offset:end]:
        end = text.index("\n", offset)
    end_col = col + max(end - offset, 0)
    return Span(file=file, start=offset, end=end, line=line, column=col,
                end_line=line, end_column=max(end_col, col))


def decode(file: str, data: bytes) -> tuple[Source | None, list[Diagnostic]]:
    """Decode raw bytes into a :class:`Source`, or explain why it cannot be read."""
    if len(data) > MAX_SOURCE_BYTES:
        return None, [make(
            codes.FILE_TOO_LARGE,
            f"file is {len(data):,} bytes, over the limit of {MAX_SOURCE_BYTES:,} bytes",
            Span(file=file),
            help="split the scenario into modules joined with `use`",
        )]
    if b"\x00" in data:
        pos = data.index(b"\x00")
        text = data[:pos].decode("utf-8", errors="replace")
        return None, [make(
            codes.BINARY_FILE,
            "file contains a NUL byte; it looks like binary data, not twinlang text",
            span_at(file, text, len(text)),
            help="check that this is the `.twin` file you meant; twinlang sources are UTF-8 text",
        )]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        good = good.replace("\r\n", "\n").replace("\r", "\n")
        return None, [make(
            codes.INVALID_UTF8,
            f"invalid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            "cannot be decoded",
            span_at(file, good, len(good)),
            help="save the file as UTF-8 (most editors offer this under \"Save with encoding\")",
        )]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    diags = check_nesting(file, text)
    if diags:
        return None, diags
    return Source(file, text), []


def check_nesting(file: str, text: str) -> list[Diagnostic]:
    """Refuse sources nested deeper than :data:`MAX_NESTING` before they reach the parser."""
    if text.count("{") <= MAX_NESTING:
        return []
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if c == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "{":
            depth += 1
            if depth > MAX_NESTING:
                return [make(
                    codes.NESTING_TOO_DEEP,
                    f"blocks are nested more than {MAX_NESTING} levels deep",
                    span_at(file, text, i),
                    help="flatten the procedure: move nested steps into a sub-procedure and "
                    "`call` it",
                )]
        elif c == "}":
            depth = max(0, depth - 1)
        i += 1
    return []
