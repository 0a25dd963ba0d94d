"""The procedure engine and traces, on the compiled conveyor lockout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinlang.bundle import load
from twinlang.compile import compile_files
from twinlang.player.log import read_log
from twinlang.player.runner import play
from twinlang.player.trace import TraceError, parse_action, parse_trace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory) -> Path:
    """The conveyor lockout with the 45 minutes of belt work cut to 1 (to keep tests fast)."""
    out = tmp_path_factory.mktemp("bundle")
    src = out / "loto_conveyor.twin"
    text = (ROOT / "examples" / "loto_conveyor.twin").read_text(encoding="utf-8")
    assert "for 45 min" in text
    src.write_text(text.replace("for 45 min", "for 1 min"), encoding="utf-8")
    result = compile_files([src], out / "build")
    assert not result.report.has_errors
    return result.bundles[0]


def test_parse_action_forms():
    a = parse_action("apply lock to DS-12, V-31")
    assert (a.op, a.device, a.targets) == ("apply", "lock", ("DS-12", "V-31"))
    a = parse_action("verify VT-1 on PU-1")
    assert (a.op, a.verb, a.targets, a.to) == ("do", "verify", ("VT-1",), ("PU-1",))
    a = parse_action('notify operator "C-12 is locked out"')
    assert (a.op, a.role, a.text) == ("notify", "operator", "C-12 is locked out")
    a = parse_action("position SS-12 at off")
    assert (a.verb, a.targets, a.at) == ("position", ("SS-12",), "off")
    assert parse_action("account for mechanic, operator").roles == ("mechanic", "operator")
    assert parse_action("sign permit entry").op == "permit_sign"
    with pytest.raises(ValueError):
        parse_action("apply padlock to DS-12")


def test_trace_is_checked_before_the_run(conveyor):
    bundle = load(conveyor)
    bad = "\n".join([
        json.dumps({"t": 5, "by": "mechanic", "action": "close V-99"}),
        json.dumps({"t": 6, "by": "mechanic", "action": "bleed DS-12"}),
        json.dumps({"t": 2, "by": "mechanic", "action": "close V-31"}),
        json.dumps({"t": 7, "by": "janitor", "action": "close V-31"}),
        json.dumps({"t": 8, "by": "mechanic", "action": "apply lock to M-12"}),
        json.dumps({"t": 9, "by": "mechanic", "action": "open V-31 at 3 blorp"}),
        json.dumps({"t": 9, "by": "mechanic", "action": "inspect ACC-3 on ACC-3.volts"}),
    ])
    with pytest.raises(TraceError) as err:
        parse_trace(bad, bundle, name="t.jsonl")
    text = str(err.value)
    assert "t.jsonl:1: unknown equipment `V-99`" in text
    assert "t.jsonl:2: `DS-12` (Disconnect) does not accept `bleed`" in text
    assert "t.jsonl:3: time goes backwards" in text
    assert "t.jsonl:4: unknown role `janitor`" in text
    assert "t.jsonl:5: `M-12` (Motor) cannot take a lock" in text
    assert "t.jsonl:6: `blorp` in `at 3 blorp` is not a unit" in text
    assert "t.jsonl:7: `ACC-3` (Accumulator) has no state `volts`" in text


def test_expert_run_completes_and_logs(conveyor, tmp_path):
    log = tmp_path / "run.jsonl"
    result = play(conveyor, log_path=log, seed=3, world=False)
    assert result.outcome == "completed"
    header, events, problems = read_log(log)
    assert problems == []
    assert header["format"] == "twinlang.log/1" and header["seed"] == 3
    assert header["bundle"]["content_hash"] == load(conveyor).content_hash
    completed = [e["step"] for e in events if e["type"] == "step_completed"]
    assert completed[0] == "prepare" and "work" in completed
    assert not [e for e in events if e["type"] in ("step_skipped", "wrong_role")]


def test_same_bundle_seed_and_trace_give_the_same_log(conveyor, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    play(conveyor, log_path=a, seed=7, world=False)
    play(conveyor, log_path=b, seed=7, world=False)
    assert a.read_bytes() == b.read_bytes()


def _expert_trace(conveyor, tmp_path) -> list[dict]:
    """The expert run turned into a trace (actions with their times and roles)."""
    log = tmp_path / "expert.jsonl"
    play(conveyor, log_path=log, world=False)
    _h, events, _p = read_log(log)
    return [{"t": e["t"], "by": e["by"], "action": e["action"]} if e["type"] == "action"
            else {"t": e["t"], "by": e["by"], "verify": e["step"]}
            for e in events if e["type"] in ("action", "verification")]


def test_skipping_the_try_out_is_recorded(conveyor, tmp_path):
    lines = [x for x in _expert_trace(conveyor, tmp_path) if not x.get("action", "").startswith(
        "try_start") and "verify" not in x]
    bundle = load(conveyor)
    trace = parse_trace("\n".join(json.dumps(x) for x in lines), bundle)
    result = play(conveyor, trace=trace, log_path=tmp_path / "skip.jsonl", world=False)
    events = result.events
    skipped = [e for e in events if e["type"] == "step_skipped"]
    assert any(e["step"] == "tryout" for e in skipped)
    assert any(e["type"] == "critical" and e.get("step") == "tryout" for e in events)


def test_a_wrong_role_is_recorded(conveyor, tmp_path):
    lines = _expert_trace(conveyor, tmp_path)
    for x in lines:
        if x.get("action", "").startswith("remove lock from DS-12"):
            x["by"] = "mechanic"
    bundle = load(conveyor)
    trace = parse_trace("\n".join(json.dumps(x) for x in lines), bundle)
    result = play(conveyor, trace=trace, world=False)
    assert any(e["type"] == "wrong_role" and e["step"] == "unlock_disconnect"
               for e in result.events)


def test_at_values_keep_their_type():
    """`at 50 %` is a fraction, `at 4 L` a volume, `at off` a name, `at 3` a count; the
    action text written to the log reads back as the same action."""
    a = parse_action("open V-31 at 50 %")
    assert (a.at.dimension, a.at.si) == ("fraction", 0.5)
    a = parse_action("transfer D-1 to SC-1 at 4 L")
    assert a.to == ("SC-1",) and a.at.dimension == "volume" and abs(a.at.si - 0.004) < 1e-12
    assert parse_action("position SS-12 at off").at == "off"
    assert parse_action("deposit LB-1 at 3").at == 3.0
    for text in ("open V-31 at 50 %", "position SS-12 at off", "record ACC-3",
                 "verify VT-1 on PU-1"):
        again = parse_action(parse_action(text).describe())
        assert again.key() == parse_action(text).key() and again.at == parse_action(text).at
    with pytest.raises(ValueError, match="blorp"):
        parse_action("open V-31 at 3 blorp")


def test_a_trace_valve_opening_at_a_fraction(conveyor):
    """`open V-31 at 50 %` from a trace turns the valve to half open, not fully open."""
    from twinlang.player.behaviours import load_behaviours
    from twinlang.player.behaviours.base import Environment

    load_behaviours()
    env = Environment(load(conveyor))
    v = env["V-31"]
    v.states["position"] = 0.0
    out = v.act("open", at=parse_action("open V-31 at 50 %").at)
    assert out.accepted
    for _ in range(int(out.duration * 240) + 240):
        env.step(1 / 240)
    assert abs(v.states["position"] - 0.5) < 1e-6


def test_state_samples_at_the_configured_rate(conveyor):
    run = play(conveyor, world=False, max_time=60.0, sample_every=10.0)
    samples = [e for e in run.events if e["type"] == "sample"]
    assert [round(e["t"]) for e in samples] == [10 * i for i in range(len(samples))]
    assert len(samples) == 7 and "pressure" in samples[0]["states"]["ACC-3"]
    assert not [e for e in play(conveyor, world=False, max_time=20.0).events
                if e["type"] == "sample"]
