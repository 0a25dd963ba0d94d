"""Property tests: the front end never raises, whatever it reads.

(a) arbitrary text, surrogates and control characters included, through `parse_text`;
(b) arbitrary bytes through `parse_bytes`;
(c) valid sources (tests/syntax/corpus) mutated token by token and line by line, through
    `check_files` on a real file.
Every diagnostic has a catalogued code and a span inside its file.  The default run is
small and derandomised (fast, reproducible); `pytest -m slow tests/test_fuzz.py` runs many
more random examples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinlang.api import check_files
from twinlang.diagnostics import lookup
from twinlang.syntax import errors, parse_bytes, parse_text

CORPUS = sorted((Path(__file__).parent / "syntax" / "corpus").glob("*.twin"))
SOURCES = [p.read_text(encoding="utf-8") for p in CORPUS]

FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=3000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# Pieces of twinlang, to reach deep parser states more often than random text does.
KEYWORDS = sorted(set(re.findall(r"\b[a-z_]{2,}\b", "\n".join(SOURCES))))
PIECES = [*KEYWORDS, "{", "}", "(", ")", "[", ",", ".", "..", ":", ";", "=", "==", "<=", "->",
          "=>", "%", "% LEL", "*", "/", "^", '"', '"text"', "'", "“", "\\", "\\u{D800}", "#",
          "\n", "\r\n", "\r", "\t", " ", "  ", "V-101", "P-101A", "2 in", "40 N*m", "-5 degC",
          "1e999999", "9" * 120, "\x00", "\x1b", "\u00a0", "\u2028", "\ufeff", "\ud800"]

text_strategy = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=300),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=120).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=200).map("".join),
)


def check_diagnostics(diags, file: str, text: str | None) -> None:
    for d in diags:
        assert lookup(d.code) is not None, f"{d.code} is not catalogued"
        assert d.message and d.severity
        s = d.span
        assert s is not None, f"{d.code} has no span"
        if s.file != file:
            continue
        assert s.line >= 1 and s.column >= 1 and s.end_line >= s.line, s
        if text is None:
            continue
        assert 0 <= s.start <= s.end <= len(text), (s, len(text))
        assert s.line == text.count("\n", 0, s.start) + 1, (d.code, s)
        assert s.column == s.start - (text.rfind("\n", 0, s.start) + 1) + 1, (d.code, s)


def _parse_text_never_raises(text: str) -> None:
    module, diags = parse_text(text, "f.twin")
    assert module is None or not any(d.severity.value == "error" for d in diags)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    encodable = not re.search(r"[\ud800-\udfff]", text)
    check_diagnostics(diags, "f.twin", normalised if encodable and "\x00" not in text else None)


def _parse_bytes_never_raises(data: bytes) -> None:
    _module, diags, source = parse_bytes(data, "f.twin")
    check_diagnostics(diags, "f.twin", None if source is None else source.text)


# ---------------------------------------------------------------- mutations of valid sources

TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][\w-]*|[0-9.]+|\s+|.')
INSERTS = ["{", "}", "(", ")", '"', "'", ":", ";", "=", "==", ",", ".", "\n", "#", "->", "and",
           "step", "equipment", "procedure", "expect", "within", "else", "if", "on", "is",
           "at", "to", "%", "V-1", "1", "x", "\\"]


@st.composite
def mutated_source(draw) -> str:
    text = draw(st.sampled_from(SOURCES))
    if draw(st.booleans()):  # line-level edits
        lines = text.split("\n")
        for _ in range(draw(st.integers(1, 4))):
            if not lines:
                break
            i = draw(st.integers(0, len(lines) - 1))
            op = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate"]))
            if op == "delete":
                del lines[i]
            elif op == "duplicate":
                lines.insert(i, lines[i])
            elif op == "swap":
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        text = "\n".join(lines)
    tokens = TOKEN.findall(text)
    for _ in range(draw(st.integers(0, 6))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"]))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "insert":
            tokens.insert(i, draw(st.sampled_from(INSERTS)))
        else:
            tokens[i] = draw(st.sampled_from(INSERTS))
    return "".join(tokens)


@pytest.fixture(autouse=True, scope="module")
def strict_rules():
    """A syntax-error rule that raises fails the test instead of falling back quietly."""
    old, errors.STRICT = errors.STRICT, True
    yield
    errors.STRICT = old


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check_files_never_raises(workdir: Path, text: str) -> None:
    path = workdir / "mutant.twin"
    path.write_text(text, encoding="utf-8")
    report = check_files([path])
    (name,) = report.files
    check_diagnostics(report.diagnostics, name, report.sources.get(name))


# ---------------------------------------------------------------- the properties


def test_corpus_covers_the_language():
    assert len(SOURCES) >= 4
    assert all(parse_text(s)[1] == [] for s in SOURCES)


@FAST
@given(text_strategy)
def test_parse_text_never_raises(text):
    _parse_text_never_raises(text)


@FAST
@given(st.binary(max_size=400) | text_strategy.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_bytes_never_raises(data):
    _parse_bytes_never_raises(data)


@FAST
@given(mutated_source())
def test_check_files_never_raises_on_mutated_sources(workdir, text):
    _check_files_never_raises(workdir, text)


@pytest.mark.slow
@SLOW
@given(text_strategy)
def test_parse_text_never_raises_slow(text):
    _parse_text_never_raises(text)


@pytest.mark.slow
@SLOW
@given(st.binary(max_size=2000) | text_strategy.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_bytes_never_raises_slow(data):
    _parse_bytes_never_raises(data)


@pytest.mark.slow
@SLOW
@given(mutated_source())
def test_check_files_never_raises_on_mutated_sources_slow(workdir, text):
    _check_files_never_raises(workdir, text)
