"""`twinlang.fmt.format_text`: goldens, comments, every construct of the language reference,
and the files shipped with twinlang.

Goldens: ``golden/NAME.in.twin`` formats to ``golden/NAME.out.twin``; regenerate with
``TWINLANG_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diagnostics.golden_util import assert_golden
from tests.docs.test_doc_examples import AUTO_WRAPPERS, WRAPPERS, read_blocks
from tests.fmt.util import assert_same_tree, strip_spans
from twinlang.fmt import FormatError, format_text
from twinlang.syntax import parse_text

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
GOLDEN = HERE / "golden"
INPUTS = sorted(GOLDEN.glob("*.in.twin"))
SHIPPED = sorted([*(ROOT / "examples").glob("*.twin"), *(ROOT / "stdlib").rglob("*.twin")])


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name.removesuffix(".in.twin"))
def test_golden(path):
    text = path.read_text(encoding="utf-8")
    out = format_text(text, name=path.name)
    assert_golden(path.with_name(path.name.replace(".in.", ".out.")), out)
    assert format_text(out) == out
    assert_same_tree(text, out)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name.removesuffix(".in.twin"))
def test_golden_output_is_canonical(path):
    """Every golden output is a fixed point, and differs from its input (or the golden
    would not test anything)."""
    out_path = path.with_name(path.name.replace(".in.", ".out."))
    if not out_path.exists():
        pytest.skip("golden not written yet")
    out = out_path.read_text(encoding="utf-8")
    assert format_text(out) == out
    assert out != path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_files_are_formatted(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(text, name=path.name) == text


def test_comments_are_all_kept_in_order():
    text = (GOLDEN / "comments.in.twin").read_text(encoding="utf-8")
    out = format_text(text)

    def comments(s: str) -> list[str]:
        found = []
        for line in s.splitlines():
            code, sep, comment = line.partition("#")
            if sep and '"' not in code:
                found.append("#" + comment.rstrip())
        return found

    before, after = comments(text), comments(out)
    assert sorted(before) == sorted(after)
    assert len(after) == 20  # lines with a string before the `#` are checked below
    assert 'scenario "Comments" {  # trailing on a header\n' in out
    # own-line comments keep their order; only a comment inside a statement that is
    # joined onto one line moves (above the statement)
    assert after.index("# attached to the kind") + 1 == after.index(
        "# after two blank lines (kept as one)")
    assert "  # dangling comment before the closing brace\n}" in out
    assert '} else {  # after else\n    # inside else\n' in out
    assert 'role c "a # inside a string is not a comment"  # but this is\n' in out
    assert out.endswith("\n# trailing comment at the end of the file\n")


def test_blank_lines():
    text = "role a\n\n\n\nrole b\nkind K {\n\n  lockable\n\n\n  control_device\n\n}\nrole c\n"
    assert format_text(text) == (
        "role a\n\nrole b\n\nkind K {\n  lockable\n\n  control_device\n}\n\nrole c\n")


def test_crlf_and_bom_give_lf_without_bom():
    text = "\ufeffrole a \"A\"\r\nrole b\r\n# c\r\n"
    assert format_text(text) == 'role a "A"\nrole b\n# c\n'
    assert format_text("role a\rrole b\r") == "role a\nrole b\n"


def test_empty_and_blank_inputs():
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("# only a comment") == "# only a comment\n"


def test_one_line_blocks_stay_on_one_line_multi_line_blocks_stay_multi_line():
    assert format_text('role a "A" {qualified}\n') == 'role a "A" { qualified }\n'
    assert format_text('role a "A" {\nqualified}\n') == 'role a "A" {\n  qualified\n}\n'


def test_syntax_errors_are_never_formatted():
    with pytest.raises(FormatError) as info:
        format_text('role "x"\nrole b )\n', name="bad.twin")
    diags = info.value.diagnostics
    assert [d.code for d in diags] == ["TW0100", "TW0100"]
    assert all(d.span.file == "bad.twin" for d in diags)
    assert "unexpected" in str(info.value) and "(and 1 more)" in str(info.value)


@pytest.mark.parametrize("text, code", [
    ('role a "bad \\q escape"\n', "TW0102"),
    ('scenario "S" {\n  risk high\n  risk low\n}\n', "TW0116"),
    ("role a\x00\n", "TW0003"),
    ('role a "unterminated\n', "TW0103"),
    ("kind K {\n  param p: count = " + "9" * 101 + "\n}\n", "TW0005"),
    ("procedure p {\n  step s: close V expect " + " and ".join(["V.x"] * 300) + "\n}\n",
     "TW0004"),
])
def test_other_errors_are_never_formatted(text, code):
    with pytest.raises(FormatError) as info:
        format_text(text)
    assert code in [d.code for d in info.value.diagnostics]


def test_placeholders_are_formatted_like_names_and_strings():
    text = "equipment   <<tag>>   <<title>> is K {rated = <<value>>}\n"
    assert format_text(text) == "equipment <<tag>> <<title>> is K { rated = <<value>> }\n"


def test_parentheses_only_where_the_grouping_needs_them():
    out = format_text((GOLDEN / "conditions.in.twin").read_text(encoding="utf-8"))
    assert "expect V-1.position <= 1 %\n" in out
    assert "expect (V-1.x or V-1.y) and V-1.z\n" in out
    assert "expect V-1.x or (V-1.y or V-1.z)\n" in out
    assert "wait until (a and b)\n" in out


# ------------------------------------------------------------------ the language reference


def _doc_sources() -> list[tuple[str, str]]:
    """Every ```twin block of docs/language.md that parses, as a whole file (fragments in
    the wrapper that makes them parse)."""
    found = []
    for block in read_blocks(ROOT / "docs" / "language.md"):
        if block.lang != "twin":
            continue
        wrapper = block.markers.get("fragment") or None
        names = [wrapper] if wrapper else [None, *AUTO_WRAPPERS]
        for name in names:
            text = block.text if name is None else WRAPPERS[name].replace("@", block.text)
            _module, diags = parse_text(text)
            if not [d for d in diags if d.severity.value == "error"]:
                found.append((block.where, text))
                break
    return found


DOC_SOURCES = _doc_sources()


def test_most_of_the_language_reference_is_covered():
    assert len(DOC_SOURCES) >= 30  # of 35 blocks


@pytest.mark.parametrize("where, text", DOC_SOURCES, ids=[w for w, _ in DOC_SOURCES])
def test_language_reference_examples(where, text):
    out = format_text(text)
    assert format_text(out) == out
    assert_same_tree(text, out)


def test_every_rule_of_the_grammar_is_printed():
    """The goldens and the reference together use every rule of the grammar, so a rule
    the printer does not know cannot slip through."""
    from lark import Tree

    from twinlang.syntax.parser import get_parser

    used: set[str] = set()
    texts = [p.read_text(encoding="utf-8") for p in INPUTS] + [t for _, t in DOC_SOURCES]
    for text in texts:
        tree = get_parser().parse(text)
        used.update(t.data for t in tree.iter_subtrees() if isinstance(t, Tree))
    rules = {r.alias or r.origin.name for r in get_parser().rules}
    rules = {str(r) for r in rules if not str(r).startswith("_")}
    # rules always inlined or folded into their parent (never a tree of their own)
    inlined = {"item", "scenario_field", "role_field", "kind_field", "equipment_field",
               "substance_field", "fault_field", "trigger", "effect", "clearing",
               "competency_field", "profile_field", "proc_item", "ppe_item", "flow_item",
               "step_part", "jump", "action", "clause", "condition", "or_cond", "and_cond",
               "not_cond", "atom_cond", "value", "random_opts", "step", "alarm",
               "action_arg"}
    assert rules - inlined - used == set()


def test_strip_spans_sees_real_differences():
    a, _ = parse_text("role a\n")
    b, _ = parse_text("role b\n")
    c, _ = parse_text("\n\nrole a\n")
    assert strip_spans(a) != strip_spans(b)
    assert strip_spans(a) == strip_spans(c)
