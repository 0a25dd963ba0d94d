"""`twinlang explain`: the long form of a code, and suggestions for unknown ones."""

from __future__ import annotations

import pytest

from twinlang.diagnostics import catalogue
from twinlang.diagnostics.explain import closest_codes, explain_text, resolve


def test_layout():
    info = catalogue()["TW0105"]
    text = explain_text("TW0105")
    assert text is not None
    header, summary, blank, *rest = text.split("\n")
    assert header == "TW0105 missing-separator (error)"
    assert summary == info.summary
    assert blank == ""
    assert "\n".join(rest) == info.explain
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("query", [
    "TW0105", "tw0105", " Tw0105 ", "TW105", "105", "0105", "missing-separator",
    "Missing-Separator",
])
def test_accepted_spellings(query):
    assert explain_text(query) == explain_text("TW0105")
    assert resolve(query).code == "TW0105"


@pytest.mark.parametrize("query", ["TW9999", "nonsense", "", "TW01055", "missing_separator"])
def test_unknown_gives_none(query):
    assert explain_text(query) is None


def test_every_code_explains():
    for code, info in catalogue().items():
        text = explain_text(code)
        assert text is not None and text.startswith(f"{code} {info.name} ")
        assert explain_text(info.name) == text


@pytest.mark.parametrize(("query", "expected"), [
    ("missing-seperator", "TW0105"),
    ("unclosed-blok", "TW0104"),
    ("TWO1O5", "TW0105"),
    ("tw01o4", "TW0104"),
    ("TW0l05", "TW0105"),
])
def test_closest_codes(query, expected):
    found = closest_codes(query)
    assert found and found[0] == expected
    assert len(found) <= 3 and len(set(found)) == len(found)


def test_closest_codes_for_nothing_alike():
    assert closest_codes("zzzzzzzzzzzzzzzzzzzz") == []
