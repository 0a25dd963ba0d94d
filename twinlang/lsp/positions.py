"""Positions: twinlang's code-point spans and the client's UTF-16 (or UTF-8/32) columns.

twinlang counts columns in Unicode code points on the *normalised* text (no byte-order
mark, every line ending turned into ``"\\n"``).  LSP clients count in UTF-16 code units by
default, so a character outside the Basic Multilingual Plane (an emoji) is one column for
twinlang and two for the client.  Lines are the same on both sides: LSP breaks lines at
``\\r\\n``, ``\\r`` and ``\\n``, exactly the endings the normaliser turns into ``\\n``.
A byte-order mark, which the normaliser drops, is one more unit at the start of line 0.
"""

from __future__ import annotations

from lsprotocol import types

from ..diagnostics import Span

_BOM = "\ufeff"


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def normalise(text: str) -> str:
    """The text as twinlang reads it (see `twinlang.syntax.source`)."""
    if text.startswith(_BOM):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


class LineIndex:
    """Converts between twinlang positions and client positions for one text.

    ``text`` is the text as the client holds it (or as read from disk); ``encoding`` is
    the position encoding agreed with the client (UTF-16 unless it asked otherwise).
    """

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.bom = text.startswith(_BOM)
        self.text = normalise(text)
        self.lines = self.text.split("\n")
        self.encoding = encoding
        self._starts = [0]
        for line in self.lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)

    # ---------------------------------------------------------------- twinlang → client

    def position(self, line: int, column: int) -> types.Position:
        """The client position of 1-based ``line`` and code-point ``column``."""
        row = min(max(line, 1), len(self.lines)) - 1
        text = self.lines[row]
        col = min(max(column, 1), len(text) + 1) - 1
        units = _units(text[:col], self.encoding)
        if row == 0 and self.bom:
            units += _units(_BOM, self.encoding)
        return types.Position(line=row, character=units)

    def range(self, span: Span | None) -> types.Range:
        if span is None:
            start = types.Position(line=0, character=0)
            return types.Range(start=start, end=start)
        return types.Range(start=self.position(span.line, span.column),
                           end=self.position(span.end_line, span.end_column))

    # ---------------------------------------------------------------- client → twinlang

    def offset(self, pos: types.Position) -> int:
        """The code-point offset in the normalised text of a client position.

        A position inside a surrogate pair (or a UTF-8 sequence) is moved to the start of
        its character; one past the end of a line is the end of that line.
        """
        row = min(max(pos.line, 0), len(self.lines) - 1)
        text = self.lines[row]
        want = pos.character
        if row == 0 and self.bom:
            want -= _units(_BOM, self.encoding)
        col = 0
        used = 0
        while col < len(text):
            step = _units(text[col], self.encoding)
            if used + step > want:
                break
            used += step
            col += 1
        return self._starts[row] + col

    def line_col(self, pos: types.Position) -> tuple[int, int]:
        """1-based line and code-point column of a client position."""
        offset = self.offset(pos)
        row = min(max(pos.line, 0), len(self.lines) - 1)
        return row + 1, offset - self._starts[row] + 1

    def end(self) -> types.Position:
        return self.position(len(self.lines), len(self.lines[-1]) + 1)
