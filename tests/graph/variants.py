"""Shared helpers of the rule-pack variant tests: edit an example, check it, find a finding."""

from __future__ import annotations

from pathlib import Path

from twinlang.api import check_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def read(example: str) -> str:
    return (EXAMPLES / example).read_text(encoding="utf-8")


def check_text(tmp_path: Path, example: str, text: str):
    """Check ``text`` written as ``example`` in ``tmp_path``; return the diagnostics."""
    path = tmp_path / example
    path.write_text(text, encoding="utf-8")
    return check_files([path]).diagnostics


def check_edited(tmp_path: Path, example: str, *edits: tuple[str, str]):
    """Check the example with each ``(old, new)`` edit applied (each ``old`` must occur once)."""
    text = read(example)
    for old, new in edits:
        assert text.count(old) == 1, f"{example} changed: {old!r} not found once"
        text = text.replace(old, new)
    return check_text(tmp_path, example, text)


def only(diags, code: str, words: str):
    found = [d for d in diags if d.code == code and words in d.message]
    assert found, f"no {code} with {words!r}: " + "; ".join(f"{d.code} {d.message}" for d in diags)
    return found[0]


def path_note(diag) -> str:
    notes = [n for n in diag.notes if n.startswith("path: ")]
    assert notes, f"{diag.code} has no path note: {diag.notes}"
    return notes[0]
