"""`check_buffer`: the same diagnostics as `twinlang check`, on text that is not saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from twinlang.api import check_files
from twinlang.lsp.analysis import check_buffer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))


def _key(diags):
    return [(d.code, d.message, d.span and (d.span.line, d.span.column, d.span.end_line,
                                            d.span.end_column)) for d in diags]


def _variants(text: str) -> list[str]:
    """The text, and versions with a unit, a name, the syntax and a safety rule broken."""
    out = [text]
    for old, new in (("= 25 s", "= 25 m"), ("performed_by ", "performed_by nobody_"),
                     ("critical\n", "critcal\n"), ("expect ", "expect ( ")):
        if old in text:
            out.append(text.replace(old, new, 1))
    # Drop every step that verifies (a try-out): the energy-control rules must notice.
    lines = [ln for ln in text.split("\n") if "try_start" not in ln and "step tryout" not in ln]
    out.append("\n".join(lines))
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_same_diagnostics_as_check(tmp_path: Path, example: Path):
    for i, text in enumerate(_variants(example.read_text(encoding="utf-8"))):
        path = tmp_path / f"v{i}" / example.name
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        expected = check_files([path]).diagnostics
        got = check_buffer(path, text).diagnostics
        assert _key(got) == _key(expected), f"variant {i}"


def test_the_buffer_wins_over_the_file_on_disk(tmp_path: Path):
    example = tmp_path / "loto.twin"
    shutil.copy(ROOT / "examples" / "loto_conveyor.twin", example)
    text = example.read_text(encoding="utf-8").replace("coast_down = 25 s", "coast_down = 25")
    analysis = check_buffer(example, text)
    assert [d.code for d in analysis.own_diagnostics] == ["TW0303"]
    assert check_buffer(example, example.read_text(encoding="utf-8")).diagnostics == []


def test_other_open_buffers_are_used_for_modules(tmp_path: Path):
    (tmp_path / "roles.twin").write_text('module "R"\nrole mechanic "M"\n', encoding="utf-8")
    text = ('scenario "S" {\n  id s\n  risk low\n}\nuse roles.{mechanic, operator}\n'
            'procedure p "P" {\n  performed_by mechanic\n  roles operator\n'
            '  step a: work "x"\n}\n')
    scenario = tmp_path / "s.twin"
    assert "TW0202" in {d.code for d in check_buffer(scenario, text).diagnostics}
    unsaved = 'module "R"\nrole mechanic "M"\nrole operator "O"\n'
    analysis = check_buffer(scenario, text, {tmp_path / "roles.twin": unsaved})
    assert analysis.diagnostics == []
    assert analysis.module.scope["operator"].module.path == (tmp_path / "roles.twin").resolve()


def test_a_missing_module_and_an_unparsable_buffer(tmp_path: Path):
    path = tmp_path / "s.twin"
    analysis = check_buffer(path, 'module "M"\nuse site.kinds.{Valve}\n')
    assert [d.code for d in analysis.own_diagnostics] == ["TW0201"]
    analysis = check_buffer(path, 'role r "unterminated\n')
    assert analysis.module.ast is None
    assert [d.code for d in analysis.own_diagnostics] == ["TW0103"]
