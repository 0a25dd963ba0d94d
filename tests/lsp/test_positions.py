"""Code-point spans ↔ LSP positions (UTF-16 by default, UTF-8 and UTF-32 on request)."""

from __future__ import annotations

from lsprotocol.types import Position, PositionEncodingKind

from twinlang.diagnostics import Span
from twinlang.lsp.positions import LineIndex

TEXT = 'role r "🔒 lock" # ⚡\nrole s\n'


def test_non_bmp_characters_count_two_utf16_units():
    index = LineIndex(TEXT)
    # `lock` starts at code-point column 11 (1-based); in UTF-16 one more unit for 🔒.
    assert index.position(1, 11) == Position(line=0, character=11)
    assert index.position(1, 10) == Position(line=0, character=10)  # the space
    assert index.position(1, 9) == Position(line=0, character=8)  # the 🔒
    assert index.offset(Position(line=0, character=11)) == TEXT.index("lock")
    assert index.line_col(Position(line=0, character=11)) == (1, 11)


def test_a_position_inside_a_surrogate_pair_moves_to_the_character():
    index = LineIndex(TEXT)
    start = TEXT.index("🔒")
    assert index.offset(Position(line=0, character=8)) == start
    assert index.offset(Position(line=0, character=9)) == start  # between the two units
    assert index.offset(Position(line=0, character=10)) == start + 1


def test_utf8_and_utf32_encodings():
    utf8 = LineIndex(TEXT, PositionEncodingKind.Utf8)
    assert utf8.position(1, 11) == Position(line=0, character=13)  # 🔒 is four bytes
    assert utf8.offset(Position(line=0, character=13)) == TEXT.index("lock")
    utf32 = LineIndex(TEXT, PositionEncodingKind.Utf32)
    assert utf32.position(1, 11) == Position(line=0, character=10)


def test_crlf_and_byte_order_mark():
    text = "\ufeffrole r\r\nrole s\rrole t\n"
    index = LineIndex(text)
    assert index.lines == ["role r", "role s", "role t", ""]
    # twinlang drops the BOM; the client still counts it on line 0.
    assert index.position(1, 6) == Position(line=0, character=6)
    assert index.offset(Position(line=0, character=6)) == 5
    assert index.position(3, 6) == Position(line=2, character=5)
    assert index.end() == Position(line=3, character=0)


def test_ranges_clamp_to_the_text():
    index = LineIndex("role r\n")
    span = Span(file="f", start=0, end=6, line=1, column=1, end_line=1, end_column=99)
    rng = index.range(span)
    assert rng.end == Position(line=0, character=6)
    assert index.range(None).start == Position(line=0, character=0)
    assert index.offset(Position(line=7, character=3)) == len("role r\n")
