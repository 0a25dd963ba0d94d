"""A killed run leaves a readable log; the same bundle, seed and trace give the same bytes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from twinlang.bundle import load
from twinlang.player.log import read_log
from twinlang.player.runner import play
from twinlang.player.trace import load_trace

from .factory import example

ROOT = Path(__file__).resolve().parents[2]
TRACE = Path(__file__).parent / "traces" / "conveyor_skip_tryout.jsonl"


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kill")
    example("loto_conveyor", out, replace={"for 45 min": "for 1 min"})
    return next((out / "build").iterdir())


def test_kill_9_leaves_a_readable_log(conveyor, tmp_path):
    log = tmp_path / "run.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "twinlang", "play", str(conveyor),
                             "--log", str(log)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and log.read_bytes().count(b"\n") >= 30:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    header, events, problems = read_log(log)
    assert header is not None and header["format"] == "twinlang.log/1"
    assert len(events) >= 29
    raw = log.read_bytes()
    complete = raw.count(b"\n")
    assert len(events) == complete - 1  # every complete line was read
    assert problems == [] or (not raw.endswith(b"\n") and "truncated" in problems[0])


def test_a_truncated_last_line_is_a_problem_not_a_crash(conveyor, tmp_path):
    log = tmp_path / "run.jsonl"
    play(conveyor, world=False, log_path=log)
    raw = log.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(raw[:-20])
    header, events, problems = read_log(cut)
    assert header is not None
    assert len(events) == raw[:-20].count(b"\n") - 1
    assert len(problems) == 1 and "truncated" in problems[0]


def test_same_bundle_seed_and_trace_give_identical_logs(conveyor, tmp_path):
    trace = load_trace(TRACE, load(conveyor))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    play(conveyor, world=False, trace=trace, seed=5, log_path=a)
    play(conveyor, world=False, trace=trace, seed=5, log_path=b)
    assert a.read_bytes() == b.read_bytes()
    assert b'"type":"critical"' in a.read_bytes()
