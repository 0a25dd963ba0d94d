"""Every diagnostic code: a case that triggers it, a corrected case that is clean, and a
golden rendering of what the author sees.

Cases live in ``cases/``: ``TWxxxx.twin`` (or a directory ``TWxxxx/`` holding ``main.twin``
and the modules it uses) must produce the code; ``TWxxxx.ok.twin`` (or ``TWxxxx.ok/``) is
the same input corrected and must produce no diagnostic at all.  Inputs that cannot be
committed as text (binary data, files of several MiB) are generated in ``GENERATED``.
``make_cases.py`` writes most text cases.  Goldens: ``golden/TWxxxx.txt``; regenerate with
``TWINLANG_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diagnostics.golden_util import assert_golden
from twinlang.api import check_files
from twinlang.diagnostics import catalogue
from twinlang.diagnostics.render import render
from twinlang.syntax.source import MAX_NESTING, MAX_SOURCE_BYTES, MAX_STRING

HERE = Path(__file__).parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"

GENERATED: dict[str, tuple[bytes, bytes]] = {
    "TW0001": (b'role a "A"\n' * (MAX_SOURCE_BYTES // 11 + 1), b'role a "A"\n'),
    "TW0002": (b'role a "Op\xe9rateur"\n', 'role a "Opérateur"\n'.encode()),
    "TW0003": (b'role a "A"\n\x00\x01\x02', b'role a "A"\n'),
    "TW0004": (b"kind K " + b"{" * (MAX_NESTING + 1) + b"}" * (MAX_NESTING + 1) + b"\n",
               b"kind K {\n}\n"),
    "TW0115": (b'role a "' + b"x" * (MAX_STRING + 1) + b'"\n', b'role a "A"\n'),
    "TW0005": (b"kind K {\n  param p: count = " + b"9" * 101 + b"\n}\n",
               b"kind K {\n  param p: count = 9\n}\n"),
}


def _case_file(directory: Path, code: str, ok: bool) -> Path | None:
    suffix = ".ok" if ok else ""
    single = directory / f"{code}{suffix}.twin"
    if single.is_file():
        return single
    multi = directory / f"{code}{suffix}" / "main.twin"
    return multi if multi.is_file() else None


def _run(path: Path, monkeypatch) -> tuple[list, str]:
    monkeypatch.chdir(path.parent)
    report = check_files([Path(path.name)])
    text = render(report.diagnostics, "human", report.sources, color=False)
    return report.diagnostics, text


def _materialise(code: str, tmp_path: Path, ok: bool) -> Path:
    if code in GENERATED:
        path = tmp_path / f"{code}{'.ok' if ok else ''}.twin"
        path.write_bytes(GENERATED[code][1 if ok else 0])
        return path
    found = _case_file(CASES, code, ok)
    assert found is not None, f"no {'corrected ' if ok else ''}case for {code} in {CASES}"
    return found


ALL_CODES = list(catalogue())


def test_every_code_has_a_case():
    missing = [c for c in ALL_CODES if c not in GENERATED and _case_file(CASES, c, False) is None]
    assert not missing, f"codes without a triggering case: {missing}"


@pytest.mark.parametrize("code", ALL_CODES)
def test_case_triggers_code(code, tmp_path, monkeypatch):
    path = _materialise(code, tmp_path, ok=False)
    diags, text = _run(path, monkeypatch)
    codes = [d.code for d in diags]
    assert code in codes, f"{path.name} gave {codes}, not {code}:\n{text}"
    if code == "TW0001":
        text = text.replace(f"{len(GENERATED[code][0]):,}", "N")
    assert_golden(GOLDEN / f"{code}.txt", text)


@pytest.mark.parametrize("code", ALL_CODES)
def test_corrected_case_is_clean(code, tmp_path, monkeypatch):
    path = _materialise(code, tmp_path, ok=True)
    diags, text = _run(path, monkeypatch)
    assert diags == [], f"{path.name} should be clean:\n{text}"


@pytest.mark.parametrize("code", ALL_CODES)
def test_explain_covers_the_code(code):
    from twinlang.diagnostics.explain import explain_text

    text = explain_text(code)
    info = catalogue()[code]
    assert text is not None and info.name in text and len(info.explain.strip()) > 40
