"""Stage 1: source text → AST with spans."""

from __future__ import annotations

from .. import ast
from ..diagnostics import Diagnostic
from .parser import get_parser, parse_source
from .source import Source, decode


def parse_text(text: str, file: str = "<string>") -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse source text (line endings and BOM are normalised as for files)."""
    source, diags = decode(file, text.encode("utf-8", errors="surrogatepass"))
    if source is None:
        return None, diags
    return parse_source(source)


def parse_bytes(
    data: bytes, file: str
) -> tuple[ast.Module | None, list[Diagnostic], Source | None]:
    source, diags = decode(file, data)
    if source is None:
        return None, diags, None
    module, pdiags = parse_source(source)
    return module, pdiags, source


__all__ = ["Source", "decode", "get_parser", "parse_bytes", "parse_source", "parse_text"]
