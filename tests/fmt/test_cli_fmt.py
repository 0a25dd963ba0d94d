"""`twinlang fmt`: rewriting, --check, --diff, standard input, and errors (never a traceback)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.cli_helpers import clean_env, run_subprocess
from twinlang import cli

UGLY = 'role  a "A"{qualified}\nkind K {\n      lockable\n}\n'
PRETTY = 'role a "A" { qualified }\n\nkind K {\n  lockable\n}\n'
BROKEN = 'role "A"\n'


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")

    def _run(*args: str):
        capsys.readouterr()
        code = cli.main(["fmt", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_rewrites_files_in_place(run, tmp_path):
    ugly = _write(tmp_path / "a.twin", UGLY)
    pretty = _write(tmp_path / "sub" / "b.twin", PRETTY)
    code, out, err = run(".")
    assert code == 0 and out == ""
    assert ugly.read_text(encoding="utf-8") == PRETTY
    assert pretty.read_text(encoding="utf-8") == PRETTY
    assert "reformatted a.twin" in err
    assert err.rstrip().endswith("1 file reformatted, 1 file left unchanged")


def test_check_exits_1_when_a_file_would_change_and_writes_nothing(run, tmp_path):
    ugly = _write(tmp_path / "a.twin", UGLY)
    code, out, err = run("--check", "a.twin")
    assert code == 1 and out == ""
    assert "would reformat a.twin" in err
    assert ugly.read_text(encoding="utf-8") == UGLY
    _write(tmp_path / "a.twin", PRETTY)
    code, out, err = run("--check", "a.twin")
    assert code == 0 and out == ""
    assert "1 file would be left unchanged" in err


def test_diff_prints_a_unified_diff(run, tmp_path):
    ugly = _write(tmp_path / "a.twin", UGLY)
    code, out, err = run("--diff", "a.twin")
    assert code == 0 and err.strip() == "1 file would be reformatted"
    assert out.startswith("--- a.twin\t(original)\n+++ a.twin\t(formatted)\n@@ ")
    assert '-role  a "A"{qualified}\n+role a "A" { qualified }\n' in out
    assert ugly.read_text(encoding="utf-8") == UGLY
    code, out, _ = run("--diff", "--check", "a.twin")
    assert code == 1 and out.startswith("--- a.twin")


def test_crlf_and_bom_are_rewritten(run, tmp_path):
    path = _write(tmp_path / "a.twin", b'\xef\xbb\xbfrole a "A"\r\n')
    code, out, err = run("--check", "a.twin")
    assert code == 1
    code, out, _ = run("--diff", "a.twin")
    assert code == 0 and "line ends or byte-order mark only" in out
    code, out, err = run("a.twin")
    assert code == 0 and out == "" and "reformatted a.twin" in err
    assert path.read_bytes() == b'role a "A"\n'


def test_syntax_errors_are_reported_and_the_file_is_left_alone(run, tmp_path):
    bad = _write(tmp_path / "bad.twin", BROKEN)
    _write(tmp_path / "ugly.twin", UGLY)
    code, out, err = run(".")
    assert code == 1 and out == ""
    assert "error[TW0100]" in err and "bad.twin:1:6" in err
    assert "error: cannot format bad.twin: it has 1 error" in err
    assert "1 file reformatted, 1 file could not be formatted" in err
    assert bad.read_text(encoding="utf-8") == BROKEN
    assert "Traceback" not in err


def test_unreadable_sources_are_reported(run, tmp_path):
    _write(tmp_path / "bin.twin", b"role a\x00\n")
    _write(tmp_path / "latin1.twin", b'role a "Op\xe9rateur"\n')
    code, out, err = run("bin.twin", "latin1.twin")
    assert code == 1 and out == ""
    assert "error[TW0003]" in err and "error[TW0002]" in err


def test_placeholders_are_formatted(run, tmp_path):
    path = _write(tmp_path / "t.twin", "equipment   <<tag>> is K\n")
    code, _, _ = run("t.twin")
    assert code == 0 and path.read_text(encoding="utf-8") == "equipment <<tag>> is K\n"


@pytest.mark.parametrize("args, message", [
    (("missing.twin",), "`missing.twin` does not exist"),
    (("empty",), "no `.twin` files found in `empty`"),
    (("-", "a.twin"), "`-` (standard input) cannot be combined with other paths"),
])
def test_usage_errors_exit_2(run, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "a.twin", PRETTY)
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert f"error: {message}" in err


def test_quiet_prints_only_errors(run, tmp_path):
    _write(tmp_path / "a.twin", UGLY)
    code, out, err = run("-q", "--check", "a.twin")
    assert code == 1 and out == "" and err == ""


# ------------------------------------------------------------------ standard input


def _stdin(tmp_path, data: bytes, *args: str):
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "twinlang", "fmt", *args, "-"], input=data,
                          cwd=tmp_path, capture_output=True, env=clean_env(), timeout=60)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8")


def test_stdin_to_stdout(tmp_path):
    code, out, err = _stdin(tmp_path, "\ufeffrole  a \"Ω\"\r\n".encode())
    assert (code, out, err) == (0, 'role a "Ω"\n'.encode(), "")


def test_stdin_check_and_diff(tmp_path):
    assert _stdin(tmp_path, UGLY.encode(), "--check")[:2] == (1, b"")
    assert _stdin(tmp_path, PRETTY.encode(), "--check")[:2] == (0, b"")
    code, out, _ = _stdin(tmp_path, UGLY.encode(), "--diff")
    assert code == 0 and out.startswith(b"--- <stdin>\t(original)\n")


def test_stdin_with_errors_prints_nothing_on_stdout(tmp_path):
    code, out, err = _stdin(tmp_path, BROKEN.encode())
    assert code == 1 and out == b""
    assert "<stdin>:1:6" in err and "Traceback" not in err


def test_help_lists_fmt(tmp_path):
    result = run_subprocess("fmt", "--help", cwd=tmp_path)
    assert result.code == 0 and "--check" in result.out and "--diff" in result.out
