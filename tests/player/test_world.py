"""The PyBullet world: every example's scene loads, joints follow the behaviours' states
(a valve's handwheel, a motor's shaft), the run is deterministic, snapshots are valid PNGs,
and a blow-up stops the run with a clear PhysicsError."""

from __future__ import annotations

import json
import math
import struct
import zlib
from pathlib import Path

import pytest

from twinlang import bundle as bundle_mod
from twinlang.compile import compile_files
from twinlang.player.behaviours import load_behaviours
from twinlang.player.behaviours.base import Environment, PhysicsError
from twinlang.player.world import CHECK_EVERY, World, png

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))
DT = 1.0 / 240.0


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for example in EXAMPLES:
        result = compile_files([example], tmp_path_factory.mktemp(example.stem))
        assert not result.report.has_errors
        out[example.stem] = Path(result.bundles[0])
    return out


def _world(folder: Path, seed: int = 0) -> tuple[Environment, World]:
    load_behaviours()
    bundle = bundle_mod.load(folder)
    env = Environment(bundle, seed=seed)
    return env, World(bundle, folder, seed=seed)


def _run(env: Environment, world: World, seconds: float) -> None:
    for _ in range(round(seconds / DT)):
        env.step(DT)
        world.step(env)


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_world_loads_every_example(bundles, name):
    scene = json.loads((bundles[name] / "scene.json").read_text(encoding="utf-8"))
    env, world = _world(bundles[name])
    try:
        assert set(world.bodies) == {e["id"] for e in scene["equipment"]}
        controlled = [(e["id"], c["joint"]) for e in scene["equipment"] for c in e["controls"]]
        assert {(d.equipment, d.name) for d in world.drives} >= set(controlled)
        _run(env, world, 1.0)
        for q, v in world.joint_states().values():
            assert math.isfinite(q) and math.isfinite(v)
    finally:
        world.close()


def test_valve_handwheel_follows_the_closing_valve(bundles):
    env, world = _world(bundles["loto_conveyor"])
    try:
        valve = env["V-31"]
        turns = valve.param("turns_to_close", 0.0)
        assert turns == 5
        _run(env, world, 0.5)
        assert world.joint_state("V-31", "stem")[0] == pytest.approx(0.0, abs=1e-3)  # open
        outcome = valve.act("close", actor="operator")
        assert outcome.accepted, outcome.reason
        _run(env, world, outcome.duration + 3.0)
        position = float(valve.states["position"])
        assert position == pytest.approx(0.0, abs=1e-6)
        expected = 2 * math.pi * turns * (1 - position)
        assert world.joint_state("V-31", "stem")[0] == pytest.approx(expected, abs=1e-2)
    finally:
        world.close()


def test_valve_handwheel_midway(bundles):
    env, world = _world(bundles["loto_conveyor"])
    try:
        valve = env["V-31"]
        outcome = valve.act("close", actor="operator")
        # part way through the turning: the wheel tracks the position as it ramps
        _run(env, world, outcome.duration / 2)
        _run(env, world, 1.0 / 240)
        position = float(valve.states["position"])
        assert 0.05 < position < 0.95
        expected = 2 * math.pi * 5 * (1 - position)
        assert world.joint_state("V-31", "stem")[0] == pytest.approx(expected, abs=0.2)
    finally:
        world.close()


def test_running_motor_spins_at_its_speed_and_stops_after_coast_down(bundles):
    env, world = _world(bundles["loto_conveyor"])
    try:
        motor = env["M-12"]
        _run(env, world, 1.0)
        speed = float(motor.states["speed"])
        assert speed > 100.0                            # 1750 rpm = 183 rad/s
        assert world.joint_state("M-12", "shaft")[1] == pytest.approx(speed, rel=1e-3)
        assert world.joint_state("C-12", "pulley")[1] == pytest.approx(
            float(env["C-12"].states["speed"]) / 0.2, rel=1e-3)     # belt speed / radius
        outcome = env["DS-12"].act("open", actor="operator")
        assert outcome.accepted, outcome.reason
        coast = motor.param("coast_down", 10.0)
        _run(env, world, outcome.duration + 0.5)
        assert 0.0 < world.joint_state("M-12", "shaft")[1] < speed   # coasting
        _run(env, world, coast + 1.0)
        assert float(motor.states["speed"]) == 0.0
        assert world.joint_state("M-12", "shaft")[1] == pytest.approx(0.0, abs=1e-3)
    finally:
        world.close()


def test_same_seed_same_joint_states(bundles):
    runs = []
    for _ in range(2):
        env, world = _world(bundles["loto_conveyor"], seed=7)
        try:
            env["V-31"].act("close", actor="operator")
            env["DS-12"].act("open", actor="operator")
            _run(env, world, 3.0)
            runs.append(world.joint_states())
        finally:
            world.close()
    assert runs[0] == runs[1]
    assert runs[0]["V-31.stem"][0] > 0.1        # something moved


def test_snapshot_is_a_valid_png(bundles, tmp_path):
    env, world = _world(bundles["tank_entry"])
    try:
        _run(env, world, 0.1)
        out = world.snapshot(tmp_path / "scene.png", width=320, height=200)
    finally:
        world.close()
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, tag = struct.unpack(">I4s", data[8:16])
    assert (length, tag) == (13, b"IHDR")
    assert struct.unpack(">II", data[16:24]) == (320, 200)
    assert zlib.crc32(data[12:29]) & 0xFFFFFFFF == struct.unpack(">I", data[29:33])[0]
    assert data.endswith(b"IEND\xaeB`\x82")


def test_png_pixels_round_trip():
    rgb = bytes(range(2 * 3 * 3)) * 1
    data = png(rgb, 3, 2)
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_len])
    assert raw == b"\x00" + rgb[:9] + b"\x00" + rgb[9:]
    with pytest.raises(ValueError):
        png(rgb, 4, 2)


def test_nan_state_raises_physics_error(bundles):
    env, world = _world(bundles["loto_conveyor"])
    try:
        _run(env, world, 0.1)
        env["M-12"].states["speed"] = float("nan")
        env.sync()  # the world reads the states again when the environment says they moved
        with pytest.raises(PhysicsError, match=r"`M-12\.speed` is nan.*`shaft`"):
            world.step(env)
    finally:
        world.close()


def test_runaway_joint_raises_physics_error(bundles):
    env, world = _world(bundles["loto_conveyor"])
    try:
        _run(env, world, 0.1)
        # a shaft kicked to 27 times its rated speed (as a solver blow-up would)
        body, joint = world.bodies["M-12"], world.joints["M-12"]["shaft"]
        world.p.resetJointState(body, joint, 0.0, 5000.0, physicsClientId=world.cid)
        with pytest.raises(PhysicsError, match=r"joint `shaft` of `M-12`.*runaway"):
            for _ in range(CHECK_EVERY):
                env.step(DT)
                world.step(env)
    finally:
        world.close()


def test_play_with_world_writes_a_snapshot(bundles, tmp_path):
    from twinlang.player.runner import play

    run = play(bundles["chemical_transfer"], snapshot=tmp_path / "end.png", max_time=30.0)
    assert run.outcome in ("timeout", "completed")
    assert (tmp_path / "end.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
