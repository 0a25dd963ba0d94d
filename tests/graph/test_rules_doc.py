"""docs/rules.md is generated from the rule registry and the per-code cases, and must be
up to date.

When this fails after a rule, its explain text or its cases changed, regenerate the page:

    .venv/bin/python -m twinlang.graph.docs --write
"""

from __future__ import annotations

import re
from pathlib import Path

from twinlang.graph import docs
from twinlang.graph.rules import load_packs

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "rules.md"


def test_committed_page_is_up_to_date():
    assert docs.DEFAULT_PATH == PAGE
    assert PAGE.is_file(), "docs/rules.md is missing; run `python -m twinlang.graph.docs --write`"
    assert PAGE.read_text(encoding="utf-8") == docs.rules_markdown(), (
        "docs/rules.md is out of date; run `python -m twinlang.graph.docs --write`")


def test_every_rule_has_a_section_with_its_source():
    text = docs.rules_markdown()
    for rule in load_packs():
        heading = f"### {rule.info.code} {rule.info.name}"
        assert heading in text
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        assert rule.citation in section
        assert rule.info.explain.strip().split("\n")[0] in section
    for code in ("TW0501", "TW0502", "TW0503", "TW0504", "TW0505", "TW0506"):
        assert f"### {code} " in text
    assert "### TW0500 " not in text  # a note, not a rule


def test_examples_come_from_the_cases():
    text = docs.rules_markdown()
    cases = REPO / "tests" / "codes" / "cases"
    bad = (cases / "TW0501.twin").read_text(encoding="utf-8")
    section = text.split("### TW0501 ", 1)[1].split("\n### ", 1)[0]
    assert bad.strip() in section
    assert "```diff\n--- tests/codes/cases/TW0501.twin\n+++ tests/codes/cases/TW0501.ok.twin" \
        in section
    assert "What `twinlang check` reports:" in section and "error[TW0501]" in section


def test_table_links_reach_their_sections():
    text = docs.rules_markdown()
    anchors = re.findall(r"\]\(#([a-z0-9-]+)\)", text)
    headings = {h.lower().replace(" ", "-") for h in re.findall(r"^### (.+)$", text, re.M)}
    assert anchors and set(anchors) <= headings


def test_example_helpers(tmp_path):
    assert docs._fence("a ```` b", "twin") == ["`````twin", "a ```` b", "`````"]
    long = "".join(f"line {i}\n" for i in range(200))
    cut = docs._cut(long, "`x`")
    assert len(cut.splitlines()) == docs.MAX_EXAMPLE_LINES - 19
    assert cut.rstrip().endswith("more lines in `x`")
    # a rule without cases gets no example, and a checkout without tests/ still works
    assert docs._examples("TW0501", tmp_path) == []


def test_write_and_check(tmp_path, capsys):
    page = tmp_path / "rules.md"
    assert docs.main(["--check", "--path", str(page)]) == 1
    assert docs.main(["--write", "--path", str(page)]) == 0
    assert docs.main(["--check", "--path", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docs.main(["--check", "--path", str(page)]) == 1
    assert "out of date" in capsys.readouterr().err
