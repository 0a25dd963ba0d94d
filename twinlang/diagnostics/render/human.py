"""The human format: rustc-style text with the source line and carets under the span.

::

    error[TW0108]: conditions compare with `==`; a single `=` only sets a parameter
      --> examples/loto.twin:14:40
       |
    14 |   step tryout: try_start M-12  expect M-12.speed = 0 rpm
       |                                                  ^ not a comparison
       |
       = help: write `==` (or `<`, `<=`, `>`, `>=`, `!=`)

Conventions:

* Columns are 1-based code points with an exclusive end (as in :class:`Span`).  Tabs are
  expanded to stops of :data:`TAB_WIDTH` and East Asian wide characters take two cells,
  in the source line and in the underline alike, so carets stay under the span.
* A span over several lines is underlined from its start to the end of its first line.
* The primary span is underlined with ``^``; each :class:`Label` with ``-`` and its
  message.  A label whose span is exactly the primary span gives the primary span its
  message (``^^^^ not a parameter of `GateValve```) instead of being drawn twice.
* Labels in another file get their own ``-->`` block; labels (and the primary span) in a
  file without text in ``sources`` are reported by location only.
* Control characters, bidirectional-override characters and line separators in the
  source are shown as visible replacements, never sent to the terminal as they are.
* ANSI colour only when ``color=True``.  The CLI decides (a TTY and no ``NO_COLOR``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model import Diagnostic, Label, Severity, Span

#: Tab stops in the displayed source line.
TAB_WIDTH = 4
#: Source lines wider than this (in terminal cells) are cut around the span.
MAX_LINE_WIDTH = 120
#: Cells kept left of the first underline when a long line is cut.
CUT_CONTEXT = 24
ELLIPSIS = "..."

# ANSI select graphic rendition codes (bold + colour), as rustc uses them.
_RESET = "\x1b[0m"
_BOLD = "1"
_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.NOTE: "1;32"}
_GUTTER = "1;34"
_SECONDARY = "1;34"
_HELP = "1;36"

# Characters that would reorder or hide text on a terminal (Trojan Source, CVE-2021-42574).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REPLACEMENT = "\ufffd"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, sgr: str | None) -> str:
        if not self.color or not sgr or not text:
            return text
        return f"\x1b[{sgr}m{text}{_RESET}"


# --------------------------------------------------------------------------------------
# Display width


def _display_char(ch: str, cell: int) -> tuple[str, int]:
    """How ``ch`` is shown when it starts at terminal cell ``cell``: (text, width)."""
    if ch == "\t":
        n = TAB_WIDTH - cell % TAB_WIDTH
        return " " * n, n
    o = ord(ch)
    if o < 0x20:
        return chr(0x2400 + o), 1  # control pictures: ␛ for ESC, ␍ for CR
    if o == 0x7F:
        return "\u2421", 1
    if 0x80 <= o < 0xA0 or ch in _BIDI:
        return _REPLACEMENT, 1
    cat = unicodedata.category(ch)
    if cat in ("Zl", "Zp", "Cs"):
        return _REPLACEMENT, 1
    if cat in ("Mn", "Me", "Cf"):
        return ch, 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return ch, 2
    return ch, 1


def display_width(text: str) -> int:
    """The number of terminal cells ``text`` takes on one line (tabs from cell 0)."""
    cell = 0
    for ch in text:
        cell += _display_char(ch, cell)[1]
    return cell


def clean_text(text: str, keep: str = "\n\t") -> str:
    """``text`` with control and bidi characters made visible, except those in ``keep``."""
    return "".join(ch if ch in keep else _display_char(ch, 0)[0] for ch in text)


@dataclass
class _SourceLine:
    """One source line as displayed: the text of each character and where it starts."""

    pieces: list[tuple[str, int, int]]  # (shown text, start cell, width) per code point
    width: int

    @classmethod
    def of(cls, text: str) -> _SourceLine:
        pieces = []
        cell = 0
        for ch in text:
            shown, w = _display_char(ch, cell)
            pieces.append((shown, cell, w))
            cell += w
        return cls(pieces, cell)

    def cell_at(self, column: int) -> int:
        """The cell where 1-based code-point ``column`` starts (past the end: one per column)."""
        index = max(column - 1, 0)
        if index < len(self.pieces):
            return self.pieces[index][1]
        return self.width + (index - len(self.pieces))


@dataclass
class _Mark:
    line: int
    start: int  # 1-based code-point column
    end: int | None  # exclusive column on the same line; None: to the end of the line
    primary: bool
    message: str


def _mark(span: Span, primary: bool, message: str) -> _Mark:
    end = span.end_column if span.end_line == span.line else None
    return _Mark(span.line, span.column, end, primary, clean_text(message).replace("\n", " "))


# --------------------------------------------------------------------------------------
# One source line with its underlines


def _cells(mark: _Mark, line: _SourceLine) -> tuple[int, int]:
    a = line.cell_at(mark.start)
    b = line.width if mark.end is None else line.cell_at(mark.end)
    return a, max(b, a + 1)


def _window(line: _SourceLine, first_cell: int, primary_cell: int) -> tuple[int, int]:
    """The cells [lo, hi) of a long line to show: from a little before ``first_cell``, or
    before ``primary_cell`` if the primary underline would not fit otherwise."""
    if line.width <= MAX_LINE_WIDTH:
        return 0, 1 << 30  # no cut
    lo = max(0, first_cell - CUT_CONTEXT)
    if primary_cell - lo > MAX_LINE_WIDTH - CUT_CONTEXT:
        lo = max(0, primary_cell - CUT_CONTEXT)
    lo = next((start for _, start, _ in line.pieces if start >= lo), line.width)
    return lo, lo + MAX_LINE_WIDTH


def _snippet_rows(lineno: int, text: str, marks: list[_Mark], width: int,
                  severity: Severity, style: _Style) -> list[str]:
    line = _SourceLine.of(text)
    spans = [(_cells(m, line), m) for m in marks]
    first = min(a for (a, _), _ in spans)
    lo, hi = _window(line, first, min((a for (a, _), m in spans if m.primary), default=first))
    shown = "".join(s for s, start, w in line.pieces if start >= lo and start + w <= hi)
    shift = -lo
    if lo > 0:
        shown = ELLIPSIS + shown
        shift += len(ELLIPSIS)
    if hi < line.width:
        shown += ELLIPSIS
    gutter = style(" " * width + " |", _GUTTER)
    rows = [(style(f"{lineno:>{width}} |", _GUTTER) + " " + shown).rstrip()]

    placed: list[tuple[int, int, _Mark]] = []
    for (a, b), m in spans:
        a = min(max(a, lo), hi - 1)
        b = max(min(b, hi), a + 1)
        placed.append((a + shift, b + shift, m))
    # Secondary underlines first so that the primary one wins where they overlap.
    cells: list[tuple[str, str | None]] = []
    for a, b, m in sorted(placed, key=lambda p: p[2].primary):
        sgr = _SEVERITY_STYLE[severity] if m.primary else _SECONDARY
        if len(cells) < b:
            cells.extend([(" ", None)] * (b - len(cells)))
        for i in range(a, b):
            cells[i] = ("^" if m.primary else "-", sgr)
    with_msg = sorted((p for p in placed if p[2].message), key=lambda p: (p[0], p[2].primary))
    # The rightmost message goes at the end of the underline row, unless another underline
    # lies to its right (it would read as that one's message): then every message hangs.
    inline = None
    if with_msg and with_msg[-1][1] >= max(b for _, b, _ in placed):
        inline = with_msg.pop()
    row = _join_cells(cells, style)
    if inline is not None:
        sgr = _SEVERITY_STYLE[severity] if inline[2].primary else _SECONDARY
        row += " " + style(inline[2].message, sgr)
    rows.append(f"{gutter} {row}")
    # The other messages hang below their underline on a `|`, rightmost first.
    if with_msg:
        rows.append(f"{gutter} {_pipes(with_msg, len(with_msg), severity, style)}")
        for i in range(len(with_msg) - 1, -1, -1):
            a, _, m = with_msg[i]
            sgr = _SEVERITY_STYLE[severity] if m.primary else _SECONDARY
            left = _pipes(with_msg, i, severity, style, limit=a)
            rows.append(f"{gutter} {left}{' ' * (a - len(_plain(left)))}{style(m.message, sgr)}")
    return [r.rstrip() for r in rows]


def _join_cells(cells: list[tuple[str, str | None]], style: _Style) -> str:
    out: list[str] = []
    run, run_sgr = "", None
    for ch, sgr in cells:
        if sgr != run_sgr and run:
            out.append(style(run, run_sgr))
            run = ""
        run_sgr = sgr
        run += ch
    out.append(style(run, run_sgr))
    return "".join(out)


def _pipes(marks: list[tuple[int, int, _Mark]], count: int, severity: Severity, style: _Style,
           limit: int | None = None) -> str:
    """A row with `|` under the start of the first ``count`` marks (those left of ``limit``)."""
    starts = [(a, m) for a, _, m in marks[:count] if limit is None or a < limit]
    if not starts:
        return ""
    cells: list[tuple[str, str | None]] = [(" ", None)] * (max(a for a, _ in starts) + 1)
    for a, m in starts:
        cells[a] = ("|", _SEVERITY_STYLE[severity] if m.primary else _SECONDARY)
    return _join_cells(cells, style)


def _plain(text: str) -> str:
    """``text`` without ANSI escapes (to measure a coloured row)."""
    return _ANSI.sub("", text)


# --------------------------------------------------------------------------------------
# One diagnostic


def _location(span: Span) -> str:
    return f"{span.file}:{span.line}:{span.column}"


def _same_span(a: Span, b: Span) -> bool:
    return (a.file, a.line, a.column, a.end_line, a.end_column) == (
        b.file, b.line, b.column, b.end_line, b.end_column)


def _split_primary_label(diag: Diagnostic) -> tuple[str, list[Label]]:
    """The message of a label drawn on the primary span, and the remaining labels."""
    labels = list(diag.labels)
    if diag.span is not None:
        for i, lab in enumerate(labels):
            if lab.message and _same_span(lab.span, diag.span):
                return lab.message, labels[:i] + labels[i + 1:]
    return "", labels


def _text_line(lines: list[str], lineno: int) -> str:
    text = lines[lineno - 1] if 1 <= lineno <= len(lines) else ""
    return text.rstrip("\r")


def _render_one(diag: Diagnostic, sources: Mapping[str, str], style: _Style,
                split: dict[str, list[str]]) -> str:
    sev_style = _SEVERITY_STYLE[diag.severity]
    message = clean_text(diag.message)
    out = [style(f"{diag.severity.value}[{diag.code}]", sev_style) + style(f": {message}", _BOLD)]

    primary_message, labels = _split_primary_label(diag)
    # file -> (anchor span for the `-->` line, marks); primary file first, then label files.
    blocks: dict[str, tuple[Span, list[_Mark]]] = {}
    if diag.span is not None:
        blocks[diag.span.file] = (diag.span, [_mark(diag.span, True, primary_message)])
    for lab in labels:
        anchor, marks = blocks.setdefault(lab.span.file, (lab.span, []))
        marks.append(_mark(lab.span, False, lab.message))

    extra_notes: list[str] = []
    shown_lines = [1]
    for file, (_, marks) in blocks.items():
        if file in sources:
            shown_lines.extend(m.line for m in marks)
            continue
        unshown = [lab for lab in labels if lab.span.file == file]
        if diag.span is not None and diag.span.file == file and primary_message:
            unshown.insert(0, Label(span=diag.span, message=primary_message))
        for lab in unshown:
            note = _location(lab.span)
            extra_notes.append(f"{note}: {lab.message}" if lab.message else note)
    width = len(str(max(shown_lines)))
    pad = " " * width
    gutter = style(pad + " |", _GUTTER)

    snippet = False
    for file, (anchor, marks) in blocks.items():
        is_primary_file = diag.span is not None and file == diag.span.file
        if file not in sources and not is_primary_file:
            continue  # its labels are listed as notes
        if snippet:
            out.append(gutter)
        out.append(f"{pad}{style('-->', _GUTTER)} {clean_text(_location(anchor))}")
        if file not in sources:
            continue
        snippet = True
        if file not in split:
            split[file] = sources[file].split("\n")
        text_lines = split[file]
        out.append(gutter)
        by_line: dict[int, list[_Mark]] = {}
        for m in marks:
            by_line.setdefault(m.line, []).append(m)
        previous = None
        for lineno in sorted(by_line):
            if previous is not None and lineno == previous + 2:
                between = _text_line(text_lines, previous + 1)
                shown = _SourceLine.of(between)
                if shown.width <= MAX_LINE_WIDTH:
                    row = "".join(piece for piece, _, _ in shown.pieces)
                    out.append(f"{style(f'{previous + 1:>{width}} |', _GUTTER)} {row}".rstrip())
                else:
                    out.append(style(ELLIPSIS, _GUTTER))
            elif previous is not None and lineno > previous + 1:
                out.append(style(ELLIPSIS, _GUTTER))
            out.extend(_snippet_rows(lineno, _text_line(text_lines, lineno), by_line[lineno],
                                     width, diag.severity, style))
            previous = lineno

    tail = [("note", clean_text(n)) for n in extra_notes]
    tail += [("note", clean_text(n)) for n in diag.notes]
    if diag.help:
        tail.append(("help", clean_text(diag.help)))
    if tail and snippet:
        out.append(gutter)
    for kind, text in tail:
        first, *rest = text.split("\n")
        head = f"{pad} {style('=', _GUTTER)} {style(kind, _BOLD if kind == 'note' else _HELP)}: "
        out.append(head + first)
        indent = pad + " " * len(f" = {kind}: ")
        out.extend((indent + line).rstrip() for line in rest)
    return "\n".join(line.rstrip() for line in out)


def render_human(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    *,
    color: bool = False,
    tool_version: str = "",
) -> str:
    """Every diagnostic as a rustc-style block, separated by blank lines."""
    style = _Style(color)
    split: dict[str, list[str]] = {}  # each source split into lines once
    blocks = [_render_one(d, sources, style, split) for d in diagnostics]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(diags: Sequence[Diagnostic], files_checked: int, *, color: bool = False) -> str:
    """The closing line of `twinlang check`: ``error: 2 errors, 1 warning found in 3 files``."""
    style = _Style(color)
    files = _plural(files_checked, "file")
    counts = {sev: sum(1 for d in diags if d.severity is sev) for sev in Severity}
    parts = [_plural(counts[sev], sev.value) for sev in Severity if counts[sev]]
    if not parts:
        return f"no problems found in {files}"
    worst = max((sev for sev in Severity if counts[sev]), key=lambda s: s.rank)
    return f"{style(worst.value, _SEVERITY_STYLE[worst])}: {', '.join(parts)} found in {files}"
