"""The Lark LALR parser, built once per process, and `parse` with syntax-error recovery."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import lark
from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import ast
from ..diagnostics import Diagnostic, Label, Span, make
from ..paths import grammar_dir
from . import codes
from .errors import describe_error
from .source import Source, span_at

#: Grammar files, concatenated in this order into one grammar (they share one namespace).
GRAMMAR_FILES = ("twin.lark", "procedure.lark", "lexical.lark")
#: At most this many syntax errors are reported for one file.
MAX_SYNTAX_ERRORS = 20


def grammar_text() -> str:
    base = grammar_dir()
    return "\n".join((base / name).read_text(encoding="utf-8") for name in GRAMMAR_FILES)


def _cache_path(text: str) -> Path | None:
    """A per-user cache file for the analysed parse tables (never a shared temp path)."""
    root = os.environ.get("TWINLANG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    key = hashlib.sha256(
        f"{text}\0{lark.__version__}\0{sys.version_info[:2]}".encode()
    ).hexdigest()[:24]
    path = (base / "twinlang" if not os.environ.get("TWINLANG_CACHE_DIR") else base)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    if not os.access(path, os.W_OK):
        return None
    return path / f"grammar-{key}.lark-cache"


def _build(text: str, cache: str | bool) -> Lark:
    return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, cache=cache)


@functools.cache
def get_parser() -> Lark:
    """The parser, built once; the analysed tables are cached per user between runs."""
    text = grammar_text()
    if os.environ.get("TWINLANG_NO_CACHE"):
        return _build(text, False)
    path = _cache_path(text)
    if path is None:
        return _build(text, False)
    if not path.exists():
        # Build into a private temporary file, then move it into place atomically so a
        # concurrent run never reads a half-written cache.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".grammar-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
        try:
            parser = _build(text, tmp)
            os.replace(tmp, path)
            return parser
        except OSError:
            return _build(text, False)
    try:
        return _build(text, str(path))
    except Exception:  # a corrupt cache must never stop a check
        try:
            path.unlink()
        except OSError:
            pass
        return _build(text, False)


def _token_span(file: str, tok) -> Span:
    return Span(file=file, start=tok.start_pos, end=tok.end_pos, line=tok.line,
                column=tok.column, end_line=tok.end_line, end_column=tok.end_column)


def _error_span(source: Source, err: UnexpectedInput) -> Span:
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        if tok.type == "_NL":
            return span_at(source.file, source.text, tok.start_pos, 1)
        return _token_span(source.file, tok)
    if isinstance(err, UnexpectedCharacters):
        return span_at(source.file, source.text, err.pos_in_stream, 1)
    # End of input: point just after the last non-blank character.
    end = len(source.text.rstrip())
    return span_at(source.file, source.text, max(end - 1, 0), 1)


def _blank_line(text: str, offset: int) -> str:
    """Blank out the line holding ``offset`` (keeping braces, so blocks stay balanced)."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    line = "".join(c if c in "{}" else " " for c in text[start:end])
    # a line that was `} else {` must keep balance too: braces are kept as they are
    return text[:start] + line + text[end:]


def _open_block_label(source: Source, upto: int) -> Label | None:
    """The `{` still open at ``upto``, to show where an unclosed block started."""
    stack: list[int] = []
    text = source.text
    i = 0
    while i < upto:
        c = text[i]
        if c == "#":
            nl = text.find("\n", i)
            i = upto if nl < 0 else nl
            continue
        if c == '"':
            i += 1
            while i < upto and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
        elif c == "{":
            stack.append(i)
        elif c == "}" and stack:
            stack.pop()
        i += 1
    if not stack:
        return None
    return Label(span=span_at(source.file, text, stack[-1], 1), message="this block is not closed")


def parse_source(source: Source) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse a decoded source into an AST; on syntax errors, report up to 20 of them.

    After an error the offending line is blanked and the parse restarted, so that one run
    reports the independent mistakes of a file rather than just the first.  When any
    syntax error is found no AST is returned (later stages would only add noise).
    """
    from .transform import to_ast

    parser = get_parser()
    text = source.text
    diags: list[Diagnostic] = []
    seen_lines: set[int] = set()
    while True:
        try:
            tree = parser.parse(text)
        except UnexpectedInput as err:
            span = _error_span(source, err)
            if span.line in seen_lines:
                break
            seen_lines.add(span.line)
            diags.append(_syntax_diagnostic(source, err, span))
            if (isinstance(err, UnexpectedEOF)
                    or (isinstance(err, UnexpectedToken) and err.token.type == "$END")
                    or len(diags) >= MAX_SYNTAX_ERRORS):
                break
            text = _blank_line(text, span.start)
            continue
        if diags:
            return None, diags
        module, extra = to_ast(tree, source.file)
        return (None if any(d.severity.value == "error" for d in extra) else module), extra
    return None, diags


def _syntax_diagnostic(source: Source, err: UnexpectedInput, span: Span) -> Diagnostic:
    info, message, help_text, notes = describe_error(source, err)
    labels: list[Label] = []
    if info is codes.UNCLOSED_BLOCK:
        open_label = _open_block_label(source, len(source.text))
        if open_label is not None:
            labels.append(open_label)
    return make(info, message, span, labels=labels, notes=notes, help=help_text)
