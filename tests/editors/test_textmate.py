"""The TextMate grammar of editors/vscode: its assertion file, and agreement with the parser.

Two independent checks:

* ``editors/vscode/tests/*.test.twin`` holds scope assertions (the format of
  `vscode-tmgrammar-test`) over every construct of docs/language.md; they run here with the
  Python tokenizer of ``tmgrammar.py``, and with vscode-textmate itself when the npm
  package is installed (``npm ci --prefix editors/vscode``).
* Every `twin` block of docs/language.md, every example and every stdlib module is lexed by
  twinlang's own Lark lexer, and each token must get a matching scope from the grammar: a
  keyword a keyword scope, a name never a keyword scope, strings, numbers, units, comments,
  comparators and diagnostic codes their scopes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.editors import twin_tokens
from tests.editors.tmgrammar import Grammar, check_test_file, parse_test_file

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = VSCODE / "syntaxes" / "twin.tmLanguage.json"
TEST_FILES = sorted((VSCODE / "tests").glob("*.test.twin"))



@pytest.fixture(scope="module")
def grammar() -> Grammar:
    return Grammar(GRAMMAR)


def test_the_manifest_points_at_the_grammar():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    (lang,) = manifest["contributes"]["languages"]
    (gram,) = manifest["contributes"]["grammars"]
    assert lang["extensions"] == [".twin"] and gram["language"] == lang["id"]
    assert (VSCODE / gram["path"]).resolve() == GRAMMAR
    assert (VSCODE / lang["configuration"]).is_file()
    data = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    assert data["scopeName"] == gram["scopeName"] == "source.twin"
    config = json.loads((VSCODE / lang["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"


def test_every_regex_compiles(grammar: Grammar):
    for source in grammar.all_regexes():
        re.compile(source)


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_assertion_file(grammar: Grammar, path: Path):
    text = path.read_text(encoding="utf-8")
    _scope, _source, assertions = parse_test_file(text)
    assert len(assertions) > 100
    assert check_test_file(grammar, text) == []


def test_a_wrong_assertion_is_reported(grammar: Grammar):
    text = ('# SYNTAX TEST "source.twin"\nrole operator "Operator"\n'
            "# <---- keyword.other.twin\n#    ^^^^^^^^ entity.name.role.twin\n"
            "#             ^ - string.quoted.double.twin\n")
    failures = check_test_file(grammar, text)
    assert len(failures) == 2
    assert "missing ['keyword.other.twin']" in failures[0]
    assert "unexpected ['string.quoted.double.twin']" in failures[1]


@pytest.mark.skipif(not (VSCODE / "node_modules" / ".bin" / "vscode-tmgrammar-test").exists(),
                    reason="run `npm ci --prefix editors/vscode` to test with vscode-textmate")
def test_assertion_files_with_vscode_textmate():
    tool = VSCODE / "node_modules" / ".bin" / "vscode-tmgrammar-test"
    node = shutil.which("node")
    assert node is not None
    run = subprocess.run([str(tool), "-g", str(GRAMMAR), *map(str, TEST_FILES)], cwd=VSCODE,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


# ------------------------------------------------------------------ agreement with Lark


@pytest.fixture(scope="module")
def lexer():
    return twin_tokens.build_parser()


_EXPECT = {
    "STRING": ("string.quoted.double.twin", "variable.other.placeholder.twin"),
    "NUMBER": ("constant.numeric.twin",),
    "INT": ("constant.numeric.twin",),
    "UNIT": ("keyword.other.unit.twin",),
    "PERCENT": ("keyword.other.unit.percent.twin",),
    "COMMENT": ("comment.line.number-sign.twin",),
    "CODE": ("constant.other.diagnostic-code.twin",),
    "COMPARATOR": ("keyword.operator.comparison.twin",),
}
_KEYWORD_SCOPES = ("keyword.", "storage.type.", "constant.language.boolean.")


def _problems(grammar: Grammar, lexer, name: str, text: str) -> list[str]:
    source, tokens = twin_tokens.lark_tokens(lexer, text)
    if source is None:
        return [f"{name}: does not parse"]
    keywords = lexer[1]
    keyword_texts = twin_tokens.keyword_words(lexer)
    lines = source.split("\n")
    tm = grammar.tokenize(source)
    problems = []
    for tok in tokens:
        if tok.type in ("_NL", "WS_INLINE") or tok.line is None:
            continue
        row = tok.line - 1
        start = tok.column - 1
        end = start + len(tok.value)
        hits = [t for t in tm[row] if t.start < end and t.end > start]
        scopes = {s for t in hits for s in t.scopes}
        where = f"{name}:{tok.line}:{tok.column} {tok.value!r} ({tok.type})"
        if tok.type in keywords:
            if not all(any(s.startswith(_KEYWORD_SCOPES) for s in t.scopes) for t in hits):
                problems.append(f"{where}: keyword got {sorted(scopes)}")
        elif tok.type == "NAME":
            if tok.value in keyword_texts:
                continue  # a keyword used as a name: the grammar cannot always know
            if any(s.startswith(("keyword.", "storage.type.")) for s in scopes):
                problems.append(f"{where}: name got {sorted(scopes)}")
        elif tok.type in _EXPECT:
            want = _EXPECT[tok.type]
            if not all(any(s in want for s in t.scopes) for t in hits) or not hits:
                problems.append(f"{where}: expected {want}, got {sorted(scopes)} "
                                f"in {lines[row]!r}")
    return problems


def test_every_keyword_of_the_parser_is_in_the_grammar(lexer):
    data = GRAMMAR.read_text(encoding="utf-8")
    words = twin_tokens.keyword_words(lexer)
    assert len(words) > 100
    assert sorted(w for w in words if not re.search(rf"[|(:]{w}[|)]", data)) == []


@pytest.mark.parametrize("name,text", twin_tokens.sources(),
                         ids=lambda v: v if "\n" not in v else "")
def test_scopes_agree_with_the_parser(grammar: Grammar, lexer, name: str, text: str):
    assert _problems(grammar, lexer, name, text) == []
