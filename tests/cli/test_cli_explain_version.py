"""`twinlang explain`, `twinlang --version`, and the internal-error handler."""

from __future__ import annotations

import platform

import pytest
from cli_helpers import CLEAN, clean_env, run_subprocess

import twinlang
import twinlang.api
from twinlang import cli, paths

# ------------------------------------------------------------------ explain


def test_explain_known_code(run):
    res = run("explain", "TW0100")
    assert res.code == 0
    assert res.out.startswith("TW0100 syntax-error (error)\n")
    assert res.err == ""


def test_explain_accepts_a_name(run):
    res = run("explain", "syntax-error")
    assert res.code == 0
    assert res.out.startswith("TW0100 ")


def test_explain_unknown_code(run):
    res = run("explain", "TW9999")
    assert res.code == 2
    assert res.out == ""
    first, second = res.err.splitlines()
    assert first == "error: unknown diagnostic code `TW9999`"
    assert second.startswith("help: ")


def test_explain_suggests_close_codes(run):
    res = run("explain", "syntax-eror")
    assert res.code == 2
    assert res.err.splitlines() == ["error: unknown diagnostic code `syntax-eror`",
                                    "help: did you mean `TW0100`?"]


def test_explain_list(run):
    res = run("explain", "--list")
    assert res.code == 0
    lines = res.out.splitlines()
    assert any(line.startswith("TW0100  syntax-error ") for line in lines)
    codes = [line.split()[0] for line in lines]
    assert codes == sorted(codes) and len(codes) == len(set(codes))


def test_explain_without_code_exits_2(run):
    res = run("explain")
    assert res.code == 2
    assert res.err.startswith("error: give a diagnostic code")


def test_explain_in_a_subprocess(tmp_path):
    res = run_subprocess("explain", "tw0100", cwd=tmp_path)
    assert res.code == 0 and res.out.startswith("TW0100 syntax-error")
    res = run_subprocess("explain", "TW9999", cwd=tmp_path)
    assert res.code == 2
    assert res.err.startswith("error: unknown diagnostic code `TW9999`\nhelp: ")


# ------------------------------------------------------------------ --version


def test_version(run):
    import lark

    res = run("--version")
    assert res.code == 0
    lines = res.out.splitlines()
    assert lines[0] == f"twinlang {twinlang.__version__}"
    assert lines[0] == "twinlang 0.1.0"
    assert lines[1] == f"python {platform.python_version()}, lark {lark.__version__}"
    assert lines[2].startswith("data: checkout (grammar: ")
    assert str(paths.grammar_dir()) in lines[2]


def test_version_in_a_subprocess(tmp_path):
    res = run_subprocess("--version", cwd=tmp_path)
    assert res.code == 0
    assert res.out.startswith("twinlang 0.1.0\npython ")
    assert "data: checkout" in res.out


# ------------------------------------------------------------------ failures of twinlang itself


def _boom(files):
    raise RuntimeError("the sky fell")


def test_internal_error_has_no_traceback(run, write, monkeypatch):
    write("ok.twin", CLEAN)
    monkeypatch.setattr(twinlang.api, "check_files", _boom)
    res = run("check", "ok.twin")
    assert res.code == 2
    assert res.err.startswith("error: internal error: RuntimeError: the sky fell\n")
    assert "please report this" in res.err
    assert "Traceback" not in res.err
    assert res.out == ""


def test_internal_error_traceback_on_request(run, write, monkeypatch):
    write("ok.twin", CLEAN)
    monkeypatch.setattr(twinlang.api, "check_files", _boom)
    monkeypatch.setenv("TWINLANG_TRACEBACK", "1")
    res = run("check", "ok.twin")
    assert res.code == 2
    assert "Traceback (most recent call last)" in res.err
    assert "RuntimeError: the sky fell" in res.err


def test_keyboard_interrupt_exits_130_quietly(run, write, monkeypatch):
    write("ok.twin", CLEAN)

    def interrupt(files):
        raise KeyboardInterrupt

    monkeypatch.setattr(twinlang.api, "check_files", interrupt)
    res = run("check", "ok.twin")
    assert (res.code, res.out, res.err) == (130, "", "")


@pytest.mark.parametrize("unbuffered", ["1", None])
def test_closed_pipe_exits_quietly(tmp_path, unbuffered):
    """`twinlang check ... | head -c 10`: no BrokenPipeError noise when the reader goes away."""
    import subprocess
    import sys

    line = 'role "x"\n'
    for i in range(40):
        (tmp_path / f"bad{i:02}.twin").write_text(line * 20)
    env = clean_env()
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen([sys.executable, "-m", "twinlang", "check", "."], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert code == cli.EXIT_BROKEN_PIPE
    assert err == b""


@pytest.mark.parametrize("argv", [["--help"], ["check", "-h"], ["explain", "--help"]])
def test_help(run, argv):
    res = run(*argv)
    assert res.code == 0
    assert res.out.startswith("usage: twinlang")


def test_cli_offers_every_registered_format():
    from twinlang.diagnostics.render import formats

    assert list(cli.FORMATS) == formats()
