"""`twinlang check`: exit codes, paths, output formats, colour, hostile inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_helpers import BROKEN, CLEAN, clean_env, run_subprocess

import twinlang.api
from twinlang.api import CheckReport
from twinlang.diagnostics import Diagnostic, Severity, Span

SHARED = Path(__file__).resolve().parents[3] / "shared"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def codes_in(text: str) -> list[str]:
    return re.findall(r"TW\d{4}", text)


# ------------------------------------------------------------------ exit codes


def test_clean_file_exits_0_with_summary(run, write):
    write("ok.twin", CLEAN)
    res = run("check", "ok.twin")
    assert res.code == 0, res
    assert res.out.strip() == "no problems found in 1 file"
    assert res.err == ""


def test_syntax_error_exits_1_with_located_diagnostic(run, write):
    write("bad.twin", BROKEN)
    res = run("check", "bad.twin")
    assert res.code == 1, res
    assert "error[TW01" in res.out
    assert "--> bad.twin:5:" in res.out
    assert res.out.rstrip().splitlines()[-1].startswith("error: 1 error found in 1 file")
    assert res.err == ""


def test_subprocess_exit_codes(tmp_path):
    (tmp_path / "ok.twin").write_text(CLEAN)
    (tmp_path / "bad.twin").write_text(BROKEN)
    (tmp_path / "empty").mkdir()
    assert run_subprocess("check", "ok.twin", cwd=tmp_path).code == 0
    bad = run_subprocess("check", "bad.twin", cwd=tmp_path)
    assert bad.code == 1 and "TW01" in bad.out
    missing = run_subprocess("check", "nope.twin", cwd=tmp_path)
    assert missing.code == 2
    assert missing.err == "error: `nope.twin` does not exist\n"
    assert missing.out == ""
    empty = run_subprocess("check", "empty", cwd=tmp_path)
    assert empty.code == 2
    assert empty.err == "error: no `.twin` files found in `empty`\n"


def test_missing_file_exits_2(run, write):
    write("ok.twin", CLEAN)
    res = run("check", "ok.twin", "missing.twin")
    assert res.code == 2
    assert res.err == "error: `missing.twin` does not exist\n"
    assert res.out == ""


def test_directory_without_sources_exits_2(run, write):
    write("docs/readme.txt", "not a scenario")
    res = run("check", "docs")
    assert res.code == 2
    assert res.err == "error: no `.twin` files found in `docs`\n"


def test_device_file_is_refused(run):
    res = run("check", "/dev/null")
    assert res.code == 2
    assert res.err == "error: `/dev/null` is not a regular file or a directory\n"


@pytest.mark.parametrize("argv", [
    ["check", "--format", "yaml", "x.twin"],
    ["check"],
    ["frobnicate"],
    [],
    ["check", "--color", "sometimes", "x.twin"],
])
def test_usage_errors_exit_2(run, argv):
    res = run(*argv)
    assert res.code == 2
    assert "usage:" in res.err or res.err.startswith("error:")
    assert "Traceback" not in res.err


def test_help_exits_0(run):
    res = run("check", "--help")
    assert res.code == 0
    assert "--format" in res.out


def test_explicit_file_is_checked_whatever_its_suffix(run, write):
    write("scenario.txt", BROKEN)
    res = run("check", "scenario.txt")
    assert res.code == 1
    assert "--> scenario.txt:5:" in res.out


def test_warnings_alone_exit_0(run, write, monkeypatch):
    write("ok.twin", CLEAN)
    monkeypatch.setattr(twinlang.api, "check_files", _fake_check([Severity.WARNING]))
    res = run("check", "ok.twin")
    assert res.code == 0
    assert "warning[TW9001]" in res.out
    assert res.out.rstrip().endswith("warning: 1 warning found in 1 file")


# ------------------------------------------------------------------ --quiet


def test_quiet_prints_nothing_when_clean(run, write):
    write("ok.twin", CLEAN)
    res = run("check", "--quiet", "ok.twin")
    assert (res.code, res.out, res.err) == (0, "", "")


def test_quiet_hides_warnings_and_notes(run, write, monkeypatch):
    write("ok.twin", CLEAN)
    monkeypatch.setattr(twinlang.api, "check_files",
                        _fake_check([Severity.WARNING, Severity.NOTE]))
    res = run("check", "-q", "ok.twin")
    assert (res.code, res.out) == (0, "")


def test_quiet_keeps_errors_and_summary(run, write, monkeypatch):
    write("ok.twin", CLEAN)
    monkeypatch.setattr(twinlang.api, "check_files",
                        _fake_check([Severity.ERROR, Severity.WARNING]))
    res = run("check", "-q", "ok.twin")
    assert res.code == 1
    assert "error[TW9001]" in res.out
    assert "warning" not in res.out
    assert res.out.rstrip().endswith("error: 1 error found in 1 file")


_SPAN = Span(file="ok.twin", start=0, end=8, line=1, column=1, end_line=1, end_column=9)


def _fake_check(severities):
    def fake(files):
        diags = [Diagnostic(code="TW9001", name="made-up", severity=sev,
                            message=f"a made-up {sev.value}", span=_SPAN)
                 for sev in severities]
        return CheckReport(diagnostics=diags, sources={"ok.twin": CLEAN}, files=["ok.twin"])

    return fake


# ------------------------------------------------------------------ paths


def test_directory_recursion_is_sorted_and_skips_hidden(run, write, monkeypatch):
    for name in ["b.twin", "a/z.twin", "a/b/c.twin", "a.twin", ".hidden/x.twin", ".venv/y.twin",
                 "env/lib/z.twin", "notes.txt", "a/.draft.twin"]:
        write(name, CLEAN)
    write("env/pyvenv.cfg", "home = /usr/bin\n")
    seen: list[list[str]] = []
    real = twinlang.api.check_files

    def spy(files):
        seen.append([f.as_posix() for f in files])
        return real(files)

    monkeypatch.setattr(twinlang.api, "check_files", spy)
    res = run("check", ".")
    assert res.code == 0, res
    assert seen == [["a/b/c.twin", "a/z.twin", "a.twin", "b.twin"]]
    assert res.out.strip() == "no problems found in 4 files"


def test_same_file_twice_is_checked_once(run, write):
    write("dir/one.twin", BROKEN)
    res = run("check", "dir/one.twin", "dir", "./dir/one.twin")
    assert res.code == 1
    assert res.out.count("error[TW01") == 1
    assert "in 1 file" in res.out


def test_file_vanishing_during_check_is_an_io_error(run, write, monkeypatch):
    write("ok.twin", CLEAN)

    def vanish(files):
        raise FileNotFoundError(2, "No such file or directory", str(files[0]))

    monkeypatch.setattr(twinlang.api, "check_files", vanish)
    res = run("check", "ok.twin")
    assert res.code == 2
    assert res.err == "error: cannot read `ok.twin`: no such file or directory\n"


def test_unreadable_file_exits_2(run, write):
    import os

    path = write("secret.twin", CLEAN)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        res = run("check", "secret.twin")
    finally:
        path.chmod(0o644)
    assert res.code == 2
    assert res.err == "error: cannot read `secret.twin`: permission denied\n"


# ------------------------------------------------------------------ hostile inputs


def test_invalid_utf8_is_a_diagnostic(run, write):
    write("latin1.twin", 'role operator "Op\xe9rateur"\n'.encode("latin-1"))
    res = run("check", "latin1.twin")
    assert res.code == 1
    assert "TW0002" in res.out
    assert "Traceback" not in res.out + res.err


def test_binary_file_is_a_diagnostic(run, write):
    write("image.twin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    res = run("check", "image.twin")
    assert res.code == 1
    assert "TW0003" in res.out
    assert "Traceback" not in res.out + res.err


def test_deep_nesting_is_a_diagnostic_in_a_subprocess(tmp_path):
    (tmp_path / "deep.twin").write_text("{" * 10_000 + "}" * 10_000)
    res = run_subprocess("check", "deep.twin", cwd=tmp_path)
    assert res.code == 1, res
    assert "TW0004" in res.out
    assert "Traceback" not in res.out + res.err
    assert res.err == ""


def test_empty_file(run, write):
    write("empty.twin", "")
    res = run("check", "empty.twin")
    assert res.code in (0, 1)
    assert "Traceback" not in res.out + res.err


# ------------------------------------------------------------------ formats


def test_json_format(run, write):
    write("bad.twin", BROKEN)
    write("ok.twin", CLEAN)
    res = run("check", "--format", "json", "bad.twin", "ok.twin")
    assert res.code == 1
    doc = json.loads(res.out)
    assert isinstance(doc, dict)
    found = json.dumps(doc)
    assert codes_in(found) and all(c.startswith("TW01") for c in codes_in(found))
    assert "bad.twin" in found


def test_sarif_format(run, write):
    write("bad.twin", BROKEN)
    res = run("check", "--format", "sarif", "bad.twin")
    assert res.code == 1
    doc = json.loads(res.out)
    assert doc["version"] == "2.1.0"
    results = doc["runs"][0]["results"]
    assert len(results) == 1
    assert results[0]["ruleId"].startswith("TW01")
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 5
    if SARIF_SCHEMA.is_file():
        import jsonschema

        jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def test_github_format(run, write):
    write("bad.twin", BROKEN)
    res = run("check", "--format", "github", "bad.twin")
    assert res.code == 1
    lines = [line for line in res.out.splitlines() if line]
    assert lines and all(line.startswith("::") for line in lines)
    assert lines[0].startswith("::error file=bad.twin,line=5,")


def test_machine_formats_are_valid_when_clean(run, write):
    write("ok.twin", CLEAN)
    for fmt in ("json", "sarif"):
        res = run("check", "--format", fmt, "ok.twin")
        assert res.code == 0
        json.loads(res.out)
    res = run("check", "--format", "github", "ok.twin")
    assert res.code == 0
    assert "::error" not in res.out


def test_output_file(run, write, tmp_path):
    write("bad.twin", BROKEN)
    res = run("check", "--format", "sarif", "--output", "report.sarif", "bad.twin")
    assert res.code == 1
    assert res.out == ""
    assert json.loads((tmp_path / "report.sarif").read_text("utf-8"))["version"] == "2.1.0"


def test_quiet_output_file_is_written_even_when_empty(run, write, tmp_path):
    write("ok.twin", CLEAN)
    (tmp_path / "report.txt").write_text("stale")
    res = run("check", "-q", "-o", "report.txt", "ok.twin")
    assert (res.code, res.out, res.err) == (0, "", "")
    assert (tmp_path / "report.txt").read_text() == ""


def test_output_file_in_missing_directory_exits_2(run, write):
    write("ok.twin", CLEAN)
    res = run("check", "--output", "no/such/dir/report.txt", "ok.twin")
    assert res.code == 2
    assert res.err.startswith("error: cannot write `no/such/dir/report.txt`: ")


# ------------------------------------------------------------------ colour


class _Tty:
    """A text stream that says it is a terminal."""

    def __init__(self):
        import io

        self.text = io.StringIO()
        self.encoding = "utf-8"

    def write(self, text):
        return self.text.write(text)

    def flush(self):
        pass

    def isatty(self):
        return True


@pytest.mark.parametrize(("env", "flag", "colored"), [
    ({}, None, True),
    ({"NO_COLOR": ""}, None, False),
    ({"NO_COLOR": "1"}, None, False),
    ({"NO_COLOR": "1"}, "always", True),
    ({}, "never", False),
])
def test_colour_on_a_terminal(run, write, monkeypatch, env, flag, colored):
    write("bad.twin", BROKEN)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    tty = _Tty()
    monkeypatch.setattr("sys.stdout", tty)
    argv = ["check", "bad.twin"] + (["--color", flag] if flag else [])
    assert run(*argv).code == 1
    out = tty.text.getvalue()
    assert "TW01" in out
    assert ("\x1b[" in out) is colored


def test_no_colour_when_piped(run, write):
    write("bad.twin", BROKEN)
    res = run("check", "bad.twin")
    assert "\x1b[" not in res.out


def test_colour_in_a_real_terminal(tmp_path):
    """A pseudo-terminal as stdout: colour by default, none with NO_COLOR set (even empty)."""
    import os
    import pty
    import subprocess
    import sys

    (tmp_path / "bad.twin").write_text(BROKEN)

    def run_on_pty(env):
        leader, follower = pty.openpty()
        try:
            proc = subprocess.run([sys.executable, "-m", "twinlang", "check", "bad.twin"],
                                  cwd=tmp_path, stdout=follower, stderr=subprocess.PIPE,
                                  env=env, timeout=60)
            os.close(follower)
            chunks = []
            while True:
                try:
                    data = os.read(leader, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
        finally:
            os.close(leader)
        return proc.returncode, b"".join(chunks).decode("utf-8", "replace")

    code, out = run_on_pty(clean_env())
    assert code == 1 and "\x1b[" in out
    code, out = run_on_pty(clean_env(NO_COLOR=""))
    assert code == 1 and "TW01" in out and "\x1b[" not in out
