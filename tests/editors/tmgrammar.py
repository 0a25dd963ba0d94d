"""A small TextMate tokenizer in Python, to test editors/vscode/syntaxes/twin.tmLanguage.json.

It follows what vscode-textmate does for the parts of the format the grammar uses: `match`
rules with `captures` (and `$1` in scope names), `begin`/`end` rules with `beginCaptures`,
`endCaptures` and inner `patterns`, `include` of repository rules and `$self`, and the
choice of the leftmost match (the end pattern first, then patterns in order, on a tie).
The grammar keeps its regular expressions in the part of the syntax that Python's `re`
and Oniguruma read the same way, so the same rules are exercised here and in the editor.

It also reads the assertion files of `vscode-tmgrammar-test` (`# SYNTAX TEST ...`, `^^^`
and `<---` lines), so one set of assertions runs with either engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Token:
    start: int
    end: int
    scopes: tuple[str, ...]


@dataclass
class _Frame:
    rule: dict
    end: re.Pattern | None
    scopes: tuple[str, ...]


class Grammar:
    def __init__(self, path: Path) -> None:
        self.data = json.loads(path.read_text(encoding="utf-8"))
        self.scope = self.data["scopeName"]
        self.repo = self.data.get("repository", {})
        self._regex: dict[str, re.Pattern] = {}

    def regex(self, source: str) -> re.Pattern:
        if source not in self._regex:
            self._regex[source] = re.compile(source)
        return self._regex[source]

    def all_regexes(self) -> list[str]:
        out: list[str] = []

        def walk(rule: dict) -> None:
            for key in ("match", "begin", "end"):
                if key in rule:
                    out.append(rule[key])
            for sub in rule.get("patterns", ()):
                walk(sub)
            for key in ("captures", "beginCaptures", "endCaptures"):
                for cap in rule.get(key, {}).values():
                    walk(cap)

        walk(self.data)
        for rule in self.repo.values():
            walk(rule)
        return out

    def _flatten(self, patterns: list[dict], seen: frozenset = frozenset()) -> list[dict]:
        out: list[dict] = []
        for p in patterns:
            inc = p.get("include")
            if inc is not None:
                if inc == "$self":
                    target = self.data
                elif inc.startswith("#"):
                    target = self.repo[inc[1:]]
                else:
                    raise ValueError(f"unsupported include {inc!r}")
                if id(target) in seen:
                    continue
                if "match" in target or "begin" in target:
                    out.append(target)
                else:
                    out.extend(self._flatten(target.get("patterns", []), seen | {id(target)}))
            elif "match" in p or "begin" in p:
                out.append(p)
            else:
                out.extend(self._flatten(p.get("patterns", []), seen))
        return out

    # ---------------------------------------------------------------- tokenizing

    def tokenize(self, text: str) -> list[list[Token]]:
        stack = [_Frame(self.data, None, (self.scope,))]
        return [self.tokenize_line(line, stack) for line in text.split("\n")]

    def tokenize_line(self, line: str, stack: list[_Frame]) -> list[Token]:
        tokens: list[Token] = []
        pos = 0
        guard = 0
        while pos <= len(line):
            guard += 1
            if guard > 10 * (len(line) + 10):
                raise RuntimeError(f"no progress tokenizing {line!r}")
            frame = stack[-1]
            best = None  # (start, order, kind, rule, match)
            if frame.end is not None:
                m = frame.end.search(line, pos)
                if m is not None:
                    best = (m.start(), -1, "end", frame.rule, m)
            for order, rule in enumerate(self._flatten(frame.rule.get("patterns", []))):
                regex = self.regex(rule["match"] if "match" in rule else rule["begin"])
                m = regex.search(line, pos)
                if m is None or (best is not None and m.start() >= best[0]):
                    continue
                best = (m.start(), order, "match" if "match" in rule else "begin", rule, m)
            if best is None:
                if pos < len(line):
                    tokens.append(Token(pos, len(line), frame.scopes))
                break
            start, _order, kind, rule, m = best
            if start > pos:
                tokens.append(Token(pos, start, frame.scopes))
            if kind == "end":
                tokens += _captured(m, frame.scopes, rule.get("endCaptures")
                                    or rule.get("captures"), None)
                stack.pop()
            elif kind == "match":
                scopes = frame.scopes + _names(rule.get("name"), m)
                tokens += _captured(m, scopes, rule.get("captures"), None)
                if m.end() == m.start():  # an empty match: step over one character
                    if m.end() >= len(line):
                        break
                    tokens.append(Token(m.end(), m.end() + 1, frame.scopes))
                    pos = m.end() + 1
                    continue
            else:
                scopes = frame.scopes + _names(rule.get("name"), m)
                tokens += _captured(m, scopes, rule.get("beginCaptures")
                                    or rule.get("captures"), None)
                end_src = _back_references(rule["end"], m)
                inner = scopes + _names(rule.get("contentName"), m)
                stack.append(_Frame(rule, self.regex(end_src), inner))
            pos = m.end()
        return [t for t in tokens if t.end > t.start]


def _back_references(source: str, m: re.Match) -> str:
    """An end pattern with `\\1` ... replaced by what the begin pattern matched."""
    return re.sub(r"\\(\d)", lambda g: re.escape(m.group(int(g.group(1))) or ""), source)


def _names(name: str | None, m: re.Match) -> tuple[str, ...]:
    if not name:
        return ()
    name = re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", name)
    return tuple(name.split())


def _captured(m: re.Match, scopes: tuple[str, ...], captures: dict | None, _unused) -> list[Token]:
    """Tokens of a match: each character gets the scopes of the groups that cover it."""
    if m.end() == m.start():
        return []
    if not captures:
        return [Token(m.start(), m.end(), scopes)]
    per_char: list[tuple[str, ...]] = [scopes] * (m.end() - m.start())
    for key in sorted(captures, key=int):
        group = int(key)
        if group > (m.re.groups or 0) or m.start(group) < 0:
            continue
        extra = _names(captures[key].get("name"), m)
        for i in range(m.start(group), m.end(group)):
            per_char[i - m.start()] = per_char[i - m.start()] + extra
    out: list[Token] = []
    for i, s in enumerate(per_char):
        at = m.start() + i
        if out and out[-1].scopes == s and out[-1].end == at:
            out[-1].end = at + 1
        else:
            out.append(Token(at, at + 1, s))
    return out


# -------------------------------------------------------------------- assertion files

_HEADER = re.compile(r'^(\S+)\s+SYNTAX\s+TEST\s+"([^"]+)"(?:\s+"([^"]+)")?\s*$')
_UP = re.compile(r"^\s*((?:\^+\s*)+)((?:\s*\w[-\w.]*)*)(?:\s*-)?((?:\s*\w[-\w.]*)*)\s*$")
_LEFT = re.compile(r"^(\s*)<(~*)(-+)((?:\s*\w[-\w.]*)*)(?:\s*-)?((?:\s*\w[-\w.]*)*)\s*$")


@dataclass
class Assertion:
    test_line: int  # 1-based line in the test file
    source_line: int  # 0-based line of the source
    start: int
    end: int
    required: list[str]
    excluded: list[str]


def parse_test_file(text: str) -> tuple[str, list[str], list[Assertion]]:
    """(scope, source lines, assertions) of a vscode-tmgrammar-test unit test file."""
    lines = text.split("\n")
    header = _HEADER.match(lines[0])
    if header is None:
        raise ValueError("the first line must be `# SYNTAX TEST \"source.twin\"`")
    comment, scope = header.group(1), header.group(2)
    source: list[str] = []
    found: list[Assertion] = []
    for number, line in enumerate(lines[1:], start=2):
        rest = line[len(comment):]
        if line.startswith(comment) and re.match(r"^\s*(\^|<~*-+)", rest):
            if rest.strip().startswith("^"):
                m = _UP.match(rest)
                if m is None:
                    raise ValueError(f"bad assertion on line {number}: {line!r}")
                for run in re.finditer(r"\^+", rest):
                    found.append(Assertion(number, len(source) - 1, len(comment) + run.start(),
                                           len(comment) + run.end(), m.group(2).split(),
                                           m.group(3).split()))
            else:
                m = _LEFT.match(rest)
                if m is None:
                    raise ValueError(f"bad assertion on line {number}: {line!r}")
                start = len(m.group(2))
                found.append(Assertion(number, len(source) - 1, start, start + len(m.group(3)),
                                       m.group(4).split(), m.group(5).split()))
        else:
            source.append(line)
    return scope, source, found


def _missing(required: list[str], actual: tuple[str, ...]) -> list[str]:
    j = 0
    for s in actual:
        if j < len(required) and s == required[j]:
            j += 1
    return required[j:]


def check_test_file(grammar: Grammar, text: str) -> list[str]:
    """Failures of the assertions of one test file, as readable lines (empty: all pass)."""
    scope, source, assertions = parse_test_file(text)
    assert scope == grammar.scope
    tokens = grammar.tokenize("\n".join(source))
    failures: list[str] = []
    for a in assertions:
        hits = [t for t in tokens[a.source_line] if a.start < t.end and a.end > t.start]
        if not hits and a.required:
            failures.append(f"line {a.test_line}: no token at {a.start}..{a.end}")
        for t in hits:
            missing = _missing(a.required, t.scopes)
            unexpected = [s for s in a.excluded if s in t.scopes]
            if missing or unexpected:
                text_of = source[a.source_line][t.start:t.end]
                failures.append(f"line {a.test_line}: {text_of!r} has {' '.join(t.scopes)}; "
                                f"missing {missing}, unexpected {unexpected}")
    return failures
