"""Fixtures for the command-line tests: run `twinlang` in-process, write files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Result

from twinlang import cli


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    """Run `twinlang` in-process, in ``tmp_path``; returns a :class:`Result`."""
    monkeypatch.chdir(tmp_path)
    for var in ("NO_COLOR", "FORCE_COLOR", "TWINLANG_TRACEBACK"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args: str) -> Result:
        capsys.readouterr()
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def write(tmp_path):
    """Write a file under ``tmp_path`` (text or bytes) and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
