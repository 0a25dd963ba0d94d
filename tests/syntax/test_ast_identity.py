"""The transformer builds its nodes without pydantic validation (`twinlang.ast.construct`);
these tests check that the result is exactly what validated construction gives.

For every `.twin` file the project ships (examples, stdlib with its templates, every file
under tests/), every ```twin block of docs/ that parses, a few sources written to hit the
transformer's diagnostics, and generated and mutated modules, the tree is transformed
twice: the fast way (`to_ast(tree, file)`) and with every node validated
(`to_ast(tree, file, validate=True)`).  The two must agree node for node: the same classes,
the same fields in the same order with values of the same types, the same
`model_fields_set`, the same `model_dump(mode="json")` and JSON text, and the same
diagnostics in the same order.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from lark import Tree
from lark.exceptions import UnexpectedInput
from pydantic import BaseModel

from tests.fmt.test_properties import FAST, modules, mutated
from twinlang import ast
from twinlang.diagnostics import Span
from twinlang.syntax import get_parser
from twinlang.syntax.parser import check_tree
from twinlang.syntax.source import decode
from twinlang.syntax.transform import to_ast

ROOT = Path(__file__).resolve().parents[2]

TWIN_FILES = sorted({
    *(ROOT / "examples").rglob("*.twin"), *(ROOT / "stdlib").rglob("*.twin"),
    *(ROOT / "tests").rglob("*.twin"),
})

_FENCE = re.compile(r"^```twin[^\n]*\n(.*?)^```", re.M | re.S)
#: Wrappers tried, in order, for a docs fragment that does not parse on its own.
_WRAPPERS = ("{}", "procedure p {{\n{}\n}}", "procedure p {{\nstep s {{\n{}\n}}\n}}",
             "kind K {{\n{}\n}}", "equipment E is K {{\n{}\n}}", "competency c {{\n{}\n}}",
             "fault f on X {{\n{}\n}}")

#: Sources written for the transformer's own diagnostics and rarer shapes: a field given
#: twice (the label points at the first), unknown and valid escapes, an empty block.
SPECIAL = {
    "duplicates.twin": '\n'.join([
        'scenario "Dup" {', "  id a", "  id b", '  site "x"', '  site "y"', "  risk high",
        "}",
        'role op "Operator" { qualified; qualified; description "a"; description "b" }',
        "kind K { lockable; lockable; control_device }",
        'equipment E-1 "E" is K { located_in A; located_in B; at 1 m, 2 m, 3 m }',
        "procedure p {",
        "  performed_by op", "  performed_by op", "  attendant a", "  attendant b",
        '  step s "S" { close E-1; critical; critical; performed_by op; performed_by op }',
        "  step t: open E-1 critical critical",
        "}",
        "competency c { assesses p; risk high; risk low; pass_score 80 %; pass_score 90 % }",
        "fault f on E-1 { trigger at step s; effect stuck at 1 bar; description \"a\"; "
        'description "b" }',
        "",
    ]),
    "escapes.twin": '\n'.join([
        r'scenario "Tab\there, quote \" and \u{2126}, bad \q and \u{D800}" {',
        r'  description "unknown \z escape, \\ fine, \u{110000} out of range"',
        "}",
        r'role op "Op\erator"',
        "",
    ]),
    "empty.twin": 'module "Empty"\nkind K {}\nprocedure p { step s: wait 1 s }\n',
}


def _docs_blocks() -> list[tuple[str, str]]:
    out = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for i, m in enumerate(_FENCE.finditer(text)):
            out.append((f"{page.name}#{i}", m.group(1)))
    return out


def _tree(file: str, text: str) -> Tree | None:
    """The parse tree ``check`` would transform, or None if it would not get that far."""
    source, _ = decode(file, text.encode("utf-8", errors="surrogatepass"))
    if source is None:
        return None
    try:
        tree = get_parser().parse(source.text)
    except UnexpectedInput:
        return None
    return None if check_tree(source, tree) else tree


def assert_same(fast, slow, where: str = "module") -> None:
    """``fast`` and ``slow`` are the same tree: classes, field order, value types, values."""
    assert type(fast) is type(slow), f"{where}: {type(fast).__name__} != {type(slow).__name__}"
    if isinstance(fast, BaseModel):
        assert list(fast.__dict__) == list(slow.__dict__), f"{where}: field order"
        assert fast.model_fields_set == slow.model_fields_set, f"{where}: fields set"
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__, f"{where}: extra"
        assert fast.__pydantic_private__ == slow.__pydantic_private__, f"{where}: private"
        for name, value in fast.__dict__.items():
            assert_same(value, slow.__dict__[name], f"{where}.{name}")
    elif isinstance(fast, (tuple, list)):
        assert len(fast) == len(slow), f"{where}: length"
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(fast, float) and math.isnan(fast):
        assert math.isnan(slow), where
    else:
        assert fast == slow, f"{where}: {fast!r} != {slow!r}"


def check_identical(file: str, tree: Tree) -> None:
    fast, fast_diags = to_ast(tree, file)
    slow, slow_diags = to_ast(tree, file, validate=True)
    assert_same(fast, slow)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast_diags == slow_diags


def test_every_shipped_file_is_found():
    names = {p.relative_to(ROOT).as_posix() for p in TWIN_FILES}
    assert len(TWIN_FILES) > 100
    assert "stdlib/prelude.twin" in names
    assert "stdlib/templates/lockout_tagout.twin" in names
    assert any(n.startswith("examples/") for n in names)


def test_shipped_files_build_identical_trees():
    transformed = 0
    for path in TWIN_FILES:
        file = path.relative_to(ROOT).as_posix()
        tree = _tree(file, path.read_bytes().decode("utf-8", errors="surrogateescape"))
        if tree is not None:
            check_identical(file, tree)
            transformed += 1
    # many test files are broken on purpose; most files must still get as far as the AST
    assert transformed > len(TWIN_FILES) // 2


def test_docs_blocks_build_identical_trees():
    transformed = 0
    for name, block in _docs_blocks():
        for wrapper in _WRAPPERS:
            tree = _tree(name, wrapper.format(block))
            if tree is not None:
                check_identical(name, tree)
                transformed += 1
                break
    assert transformed > 50


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_transformer_diagnostics_are_identical(name):
    tree = _tree(name, SPECIAL[name])
    assert tree is not None
    check_identical(name, tree)


def test_special_sources_reach_the_diagnostics():
    """The sources above do report what they are written for (so the comparison covers
    the diagnostics, including the label on the first of two fields)."""
    _, diags = to_ast(_tree("duplicates.twin", SPECIAL["duplicates.twin"]), "duplicates.twin")
    dup = [d for d in diags if d.code == "TW0116"]
    assert len(dup) >= 12
    assert all(d.labels and d.labels[0].span.start < d.span.start for d in dup)
    _, diags = to_ast(_tree("escapes.twin", SPECIAL["escapes.twin"]), "escapes.twin")
    assert sum("unknown escape" in d.message for d in diags) == 5


@FAST
@given(modules())
def test_generated_modules_build_identical_trees(text):
    tree = _tree("<generated>", text)
    assume(tree is not None)
    check_identical("<generated>", tree)


@FAST
@given(mutated(layout_only=False))
def test_mutated_sources_build_identical_trees(pair):
    _original, text = pair
    tree = _tree("<mutated>", text)
    assume(tree is not None)
    check_identical("<mutated>", tree)


# ------------------------------------------------------------------ the constructors


def test_construct_fills_defaults_like_validation():
    span = Span(file="f")
    name = ast.Ident(span=span, name="s")
    for fast, slow in [
        (ast.construct(ast.Step, span=span, name=name), ast.Step(span=span, name=name)),
        (ast.construct(ast.Action, op="do", span=span), ast.Action(op="do", span=span)),
        (ast.construct(Span, file="f"), Span(file="f")),
    ]:
        assert_same(fast, slow)
        assert fast.model_dump_json() == slow.model_dump_json()


def test_constructor_matches_validation_and_refuses_wrong_names():
    span = Span(file="f", start=1, end=3, line=1, column=2, end_line=1, end_column=4)
    make = ast.constructor(ast.QuantityValue, "span", "number", "text")
    assert_same(make(span, 2.0, "2"), ast.QuantityValue(span=span, number=2.0, text="2"))
    checked = ast.constructor(ast.QuantityValue, "span", "number", "text", validate=True)
    assert_same(checked(span, 2, "2"), make(span, 2.0, "2"))  # validation coerces 2 → 2.0
    with pytest.raises(TypeError):
        ast.constructor(ast.QuantityValue, "span", "text")  # `number` is required
    with pytest.raises(TypeError):
        ast.constructor(ast.Ident, "span", "name", "nonsense")
    with pytest.raises(TypeError):
        ast.constructor(ast.Ident, "span", "name", "name")


def test_constructed_nodes_stay_frozen():
    node = ast.construct(ast.Ident, span=Span(file="f"), name="x")
    with pytest.raises(Exception, match="frozen"):
        node.name = "y"
    assert node.model_copy(update={"name": "y"}).name == "y"
    assert node.model_fields_set == {"span", "name"}
