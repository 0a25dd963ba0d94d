"""The renderer registry: every format by name, one entry point."""

from __future__ import annotations

import pytest

from twinlang._version import __version__
from twinlang.diagnostics import render as render_pkg
from twinlang.diagnostics.render import RENDERERS, formats, register, render

from .cases import all_cases
from .golden_util import GOLDEN_DIR, assert_golden


def test_builtin_formats():
    assert formats() == ["human", "json", "sarif", "github"]
    assert set(RENDERERS) == {"human", "json", "sarif", "github"}


def test_unknown_format_is_a_value_error():
    with pytest.raises(ValueError, match=r"unknown output format `xml` \(known formats: human"):
        render([], "xml", {})


def test_registering_a_format(monkeypatch):
    monkeypatch.setattr(render_pkg, "RENDERERS", dict(RENDERERS))
    seen = {}

    def count(diagnostics, sources, *, color, tool_version):
        seen.update(color=color, tool_version=tool_version)
        return f"{len(diagnostics)}\n"

    register("count", count)
    diags, sources = all_cases()
    assert render(diags, "count", sources, color=True) == f"{len(diags)}\n"
    assert seen == {"color": True, "tool_version": __version__}


# (No SARIF golden: its rules quote the catalogue's explain texts, which other stages
# edit; tests/diagnostics/test_render_sarif.py checks its structure instead.)
@pytest.mark.parametrize(("fmt", "golden"), [("json", "all.json"), ("github", "all.github.txt")])
def test_every_format_golden(fmt, golden):
    diags, sources = all_cases()
    out = render(diags, fmt, sources, tool_version="0.0.0-test")
    assert out.endswith("\n")
    assert render(diags, fmt, sources, tool_version="0.0.0-test") == out  # deterministic
    assert_golden(GOLDEN_DIR / golden, out)


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats_ignore_color(fmt):
    diags, sources = all_cases()
    assert render(diags, fmt, sources, color=True) == render(diags, fmt, sources)
