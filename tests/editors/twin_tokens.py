"""The tokens twinlang's own parser reads in the documentation, the examples and the stdlib.

The highlighters (the TextMate grammar, the Pygments lexer) are tested against these: each
token must be highlighted as what the parser takes it for.
"""

from __future__ import annotations

from pathlib import Path

from lark import Lark, Token
from lark.lexer import PatternStr

from twinlang.syntax.parser import grammar_text
from twinlang.syntax.source import _SCAN

ROOT = Path(__file__).resolve().parents[2]

#: Fragments of the docs are parsed inside these wrappers (as tests/docs does).
WRAPPERS = ("@", "procedure example {\n@\n}", "procedure example {\nstep example {\n@\n}\n}")


def build_parser() -> tuple[Lark, set[str]]:
    """twinlang's grammar, keeping every token in the tree, and its keyword terminals."""
    parser = Lark(grammar_text(), parser="lalr", lexer="contextual", keep_all_tokens=True)
    keywords = {t.name for t in parser.terminals
                if isinstance(t.pattern, PatternStr) and t.pattern.value.isidentifier()}
    return parser, keywords


def keyword_words(lexer: tuple[Lark, set[str]]) -> set[str]:
    parser, keywords = lexer
    return {t.pattern.value for t in parser.terminals if t.name in keywords}


def sources() -> list[tuple[str, str]]:
    """(name, text) of every `twin` block of docs/language.md, example and stdlib module."""
    out = []
    lines = (ROOT / "docs" / "language.md").read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```twin":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            out.append((f"docs/language.md:{i + 1}", "\n".join(lines[i + 1:j]) + "\n"))
            i = j
        i += 1
    for path in sorted((ROOT / "examples").glob("*.twin")) + sorted(
            (ROOT / "stdlib").rglob("*.twin")):
        out.append((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")))
    return out


def lark_tokens(lexer: tuple[Lark, set[str]], text: str) -> tuple[str | None, list[Token]]:
    """The source parsed (``text``, wrapped if it is a fragment) and its tokens and comments.

    ``(None, [])`` when no wrapper makes it parse.
    """
    parser, _keywords = lexer
    for wrapper in WRAPPERS:
        source = wrapper.replace("@", text)
        try:
            tree = parser.parse(source)
        except Exception:
            continue
        tokens = list(tree.scan_values(lambda v: isinstance(v, Token)))
        for m in _SCAN.finditer(source):
            if m.group().startswith("#"):
                line = source.count("\n", 0, m.start()) + 1
                column = m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
                tokens.append(Token("COMMENT", m.group(), m.start(), line, column))
        return source, tokens
    return None, []
