"""The Pygments lexer (twinlang/pygments_lexer.py) against twinlang's own parser."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from tests.editors import twin_tokens
from twinlang.pygments_lexer import TwinLexer

ROOT = Path(__file__).resolve().parents[1]

_EXPECT = {
    "STRING": (String, Name.Variable),
    "NUMBER": (Number,),
    "INT": (Number,),
    "UNIT": (Keyword.Type,),
    "PERCENT": (Keyword.Type,),
    "COMMENT": (Comment,),
    "CODE": (Name.Label,),
    "COMPARATOR": (Operator,),
}


@pytest.fixture(scope="module")
def lexer():
    return twin_tokens.build_parser()


def _types(text: str, lexer_class=TwinLexer) -> list:
    """The Pygments token type of each character of ``text``."""
    per_char = [None] * len(text)
    for index, ttype, value in lexer_class().get_tokens_unprocessed(text):
        for i in range(index, index + len(value)):
            per_char[i] = ttype
    return per_char


def _problems(lexer, name: str, text: str, lexer_class=TwinLexer) -> list[str]:
    source, tokens = twin_tokens.lark_tokens(lexer, text)
    if source is None:
        return [f"{name}: does not parse"]
    keywords = lexer[1]
    keyword_texts = twin_tokens.keyword_words(lexer)
    types = _types(source, lexer_class)
    problems = [f"{name}: error token at {i}" for i, t in enumerate(types) if t in Error]
    for tok in tokens:
        if tok.type in ("_NL", "WS_INLINE") or not tok.value:
            continue
        got = set(types[tok.start_pos:tok.start_pos + len(tok.value)])
        where = f"{name}:{tok.line}:{tok.column} {tok.value!r} ({tok.type}) got {got}"
        if tok.type in keywords:
            if not all(t in Keyword or t in Operator.Word for t in got):
                problems.append(where)
        elif tok.type == "NAME":
            if tok.value not in keyword_texts and any(t in Keyword for t in got):
                problems.append(where)
        elif tok.type in _EXPECT:
            # Whitespace inside `10 % LEL` belongs to the unit token in the parser.
            got = {t for t in got if not str(t).startswith("Token.Text.Whitespace")} or got
            if not all(any(t in want for want in _EXPECT[tok.type]) for t in got):
                problems.append(where)
    return problems


@pytest.mark.parametrize("name,text", twin_tokens.sources(),
                         ids=lambda v: v if "\n" not in v else "")
def test_tokens_agree_with_the_parser(lexer, name: str, text: str):
    assert _problems(lexer, name, text) == []


def test_a_wrong_highlight_is_caught(lexer):
    # Without the unit rules, units are plain names: the comparison must notice.
    class NoUnits(TwinLexer):
        tokens = {**TwinLexer.tokens, "quantity": TwinLexer.tokens["quantity"][-1:]}

    text = 'module "M"\nkind K { param p: length = 15 m }\n'
    assert _problems(lexer, "sample", text) == []
    problems = _problems(lexer, "sample", text, NoUnits)
    assert any("'m' (UNIT)" in p for p in problems)


def test_escapes_placeholders_and_declared_names():
    text = ('equipment <<tag>> "Drive \\u{2014} main" is Disconnect { rated_voltage = 480 V }\n'
            'procedure lockout { step stop: press M-12.stop }  # done\n')
    toks = [(t, v) for t, v in TwinLexer().get_tokens(text) if v.strip()]
    assert (Name.Variable, "<<tag>>") in toks or (Name.Constant, "<<tag>>") in toks
    assert (String.Double, '"Drive \\u{2014} main"') in toks
    assert (Name.Class, "Disconnect") in toks
    assert (Name.Function, "lockout") in toks and (Name.Function, "stop") in toks
    assert (Name.Attribute, "stop") in toks
    assert (Keyword.Type, "V") in toks
    assert (Comment.Single, "# done") in toks


def test_lexer_metadata_and_guess():
    assert TwinLexer.aliases == ["twin", "twinlang"]
    assert TwinLexer.filenames == ["*.twin"]
    assert TwinLexer.analyse_text('scenario "Lockout" {\n  id x\n}\n') > 0
    assert TwinLexer.analyse_text("def f(): pass\n") == 0


def test_registered_as_a_pygments_plugin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    plugins = project["project"].get("entry-points", {}).get("pygments.lexers", {})
    if "twin" not in plugins:
        pytest.skip("pyproject.toml does not register the lexer yet")
    assert plugins["twin"] == "twinlang.pygments_lexer:TwinLexer"
    from pygments.lexers import get_lexer_by_name

    assert isinstance(get_lexer_by_name("twin"), TwinLexer)
