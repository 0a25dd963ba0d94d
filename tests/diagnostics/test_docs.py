"""docs/diagnostics.md is generated from the code catalogue and must be up to date.

When this fails after codes were added or their texts changed, regenerate the page:

    .venv/bin/python -m twinlang.diagnostics.docs --write
"""

from __future__ import annotations

import re
from pathlib import Path

from twinlang.diagnostics import catalogue
from twinlang.diagnostics.docs import DEFAULT_PATH, diagnostics_markdown, main

REPO = Path(__file__).resolve().parents[2]


def test_committed_page_is_up_to_date():
    path = REPO / "docs" / "diagnostics.md"
    assert DEFAULT_PATH == path
    assert path.is_file(), "docs/diagnostics.md is missing; run " \
        "`python -m twinlang.diagnostics.docs --write`"
    assert path.read_text(encoding="utf-8") == diagnostics_markdown(), (
        "docs/diagnostics.md is out of date; run `python -m twinlang.diagnostics.docs --write`")


def _github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def test_every_code_has_a_section_and_a_working_link():
    text = diagnostics_markdown()
    headings = re.findall(r"^#{1,6} .+$", text, flags=re.MULTILINE)
    slugs = {_github_slug(h.lstrip("#")) for h in headings}
    for code, info in catalogue().items():
        assert f"### {code} {info.name}" in headings
        assert f"**{info.severity.value}**: {info.summary}" in text
        assert info.explain.rstrip() in text
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) == len(catalogue())
    assert set(links) <= slugs


def test_sections_follow_the_pipeline_order():
    text = diagnostics_markdown()
    positions = [text.index(f"### {code} ") for code in catalogue()]
    assert positions == sorted(positions)
    assert text.startswith("# Diagnostics reference\n")
    assert "error[TW0105]: two statements on one line need `;` between them" in text
    assert "twinlang explain TW0105" in text


def test_check_and_write(tmp_path, capsys):
    target = tmp_path / "docs" / "diagnostics.md"
    assert main(["--check", "--path", str(target)]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main(["--write", "--path", str(target)]) == 0
    assert target.read_bytes() == diagnostics_markdown().encode("utf-8")
    assert main(["--check", "--path", str(target)]) == 0
    target.write_text(diagnostics_markdown() + "stale\n", encoding="utf-8")
    assert main(["--check", "--path", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err


def test_print(capsys):
    assert main([]) == 0
    assert capsys.readouterr().out == diagnostics_markdown()
