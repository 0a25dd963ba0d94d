"""Comparing syntax trees with their spans left out."""

from __future__ import annotations

from pydantic import BaseModel

from twinlang.syntax import parse_text

#: Fields that say where a node was written, not what was written.
POSITION_FIELDS = frozenset({"span", "unit_span", "code_span", "path"})


def strip_spans(node):
    """A hashable view of an AST without positions."""
    if isinstance(node, BaseModel):
        return (type(node).__name__, tuple(
            (k, strip_spans(getattr(node, k))) for k in type(node).model_fields
            if k not in POSITION_FIELDS))
    if isinstance(node, (tuple, list)):
        return tuple(strip_spans(x) for x in node)
    return node


def tree_of(text: str):
    """The AST of ``text`` (placeholders included), or the codes of its errors."""
    from twinlang.syntax.parser import get_parser
    from twinlang.syntax.source import decode
    from twinlang.syntax.transform import to_ast

    module, diags = parse_text(text)
    if module is None and all(d.code == "TW0006" for d in diags):
        source, _ = decode("<test>", text.encode("utf-8", errors="surrogatepass"))
        module, _ = to_ast(get_parser().parse(source.text), "<test>")
    assert module is not None, [(d.code, d.message) for d in diags]
    return module


def assert_same_tree(before: str, after: str) -> None:
    assert strip_spans(tree_of(before)) == strip_spans(tree_of(after)), (
        "formatting changed the syntax tree")
