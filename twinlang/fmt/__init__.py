"""`twinlang fmt`: one canonical layout for `.twin` files.

:func:`format_text` is the public entry point (the CLI and the language server use it)::

    from twinlang.fmt import FormatError, format_text

    try:
        new = format_text(text, name="plant.twin")
    except FormatError as exc:
        for d in exc.diagnostics: ...

The output parses to the same syntax tree as the input (spans aside), and formatting it
again changes nothing.  A text with syntax errors (or that cannot be read: too large,
binary, ...) is never formatted: :class:`FormatError` carries the same diagnostics
`twinlang check` reports for it.  Template placeholders (`<<disconnect tag>>`) are
formatted like the names and strings they stand for.

The output uses `\\n` line ends and has no byte-order mark, whatever the input had; it
ends with exactly one line break (an empty or blank input gives an empty output).
The layout rules are listed in :mod:`twinlang.fmt.printer`.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic

__all__ = ["FormatError", "format_text"]


class FormatError(Exception):
    """The text cannot be formatted; ``diagnostics`` says why (syntax errors, mostly)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0].message if self.diagnostics else "cannot be formatted"
        more = len(self.diagnostics) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


def format_text(text: str, *, name: str = "<stdin>") -> str:
    """``text`` in the canonical layout; raises :class:`FormatError` if it does not parse.

    ``name`` is the file name the diagnostics of a :class:`FormatError` are reported under.
    """
    from lark.exceptions import UnexpectedInput

    from ..syntax.parser import _collector_paused, check_tree, get_parser, parse_source
    from ..syntax.source import decode
    from ..syntax.transform import to_ast
    from .comments import scan_comments
    from .printer import Printer

    source, diags = decode(name, text.encode("utf-8", errors="surrogatepass"))
    if source is None:
        raise FormatError(diags)
    with _collector_paused():
        try:
            tree = get_parser().parse(source.text)
        except UnexpectedInput:
            # the parser's error recovery finds every syntax error worth reporting
            _module, diags = parse_source(source)
            raise FormatError(_errors(diags) or diags) from None
        # the other checks of the syntax stage: limits, string escapes, duplicate fields
        errors = _errors(check_tree(source, tree)) or _errors(to_ast(tree, source.file)[1])
        if errors:
            raise FormatError(errors)
        printer = Printer(scan_comments(source.text))
        printer.module(tree)
        return printer.render()


def _errors(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity.value == "error"]
