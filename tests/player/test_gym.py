"""The Gymnasium environment (issue 5, part 7): it passes Gymnasium's checker, an agent that
does what the expert does completes the procedure with the rubric's reward, and the same
seed and actions give the same observations."""

from __future__ import annotations

import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from twinlang.bundle import BundleError
from twinlang.compile import compile_files
from twinlang.player.gym import ENV_ID, TwinEnv, _reward

ROOT = Path(__file__).resolve().parents[2]
BAD = ("critical", "expectation_failed", "step_skipped", "wrong_role", "physics_error")


@pytest.fixture(scope="module")
def conveyor(tmp_path_factory) -> Path:
    """The conveyor example with its 45 min of work cut to 1 min."""
    tmp = tmp_path_factory.mktemp("gym")
    text = (ROOT / "examples" / "loto_conveyor.twin").read_text(encoding="utf-8")
    assert "for 45 min" in text
    src = tmp / "loto_conveyor.twin"
    src.write_text(text.replace("for 45 min", "for 1 min"), encoding="utf-8")
    result = compile_files([src], tmp / "out")
    assert not result.report.has_errors
    return result.bundles[0]


def expert_action(env: TwinEnv) -> int:
    """What the expert does next: the first option of a choice, else the first pending
    action of the first active step whose requirements hold, else wait."""
    engine = env.engine
    if engine.pending_choice is not None:
        first = next(e.option for e in engine.out[engine.pending_choice] if e.kind == "option")
        return env.action_index(f"choose {first}")
    for sid in sorted(engine.active):
        st = engine.active[sid]
        if st.awaiting_verification and not st.suspended:
            return env.action_index(f"verify {sid}")
        if st.suspended or not st.pending:
            continue
        if all(engine.holds(r) for r in st.node.requires):
            return env.action_index(st.pending[0])
    return 0


def _check_quietly(env) -> None:
    """check_env must pass and warn about nothing but the missing registry spec."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env)
    messages = [str(w.message) for w in caught if "spec" not in str(w.message)]
    assert messages == []


def test_check_env_passes(conveyor):
    _check_quietly(TwinEnv(conveyor))


def test_check_env_passes_through_make(conveyor):
    env = gym.make(ENV_ID, bundle_path=conveyor, step_seconds=2.0)
    try:
        assert isinstance(env.unwrapped, TwinEnv)
        assert env.unwrapped.step_seconds == 2.0
        _check_quietly(env.unwrapped)
    finally:
        env.close()


def test_action_list_and_observation_layout(conveyor):
    env = TwinEnv(conveyor)
    names = env.action_names
    assert names[0] == "wait"
    assert len(names) == len(set(names)) == env.action_space.n
    for expected in ("open DS-12", "close V-31", "bleed ACC-3", "try_start M-12",
                     "apply lock to DS-12", "remove tag from V-31", "notify operator",
                     "communicate operator", "position SS-12 at off", "work", "clear area",
                     "account for mechanic, electrician, operator"):
        assert expected in names
    # locks only on lockable equipment; verbs only where the kind accepts them
    assert "apply lock to M-12" not in names
    assert "bleed V-31" not in names
    assert env.action_index("position SS-12 at off") != env.action_index("position SS-12")

    obs, info = env.reset(seed=0)
    assert obs.shape == env.observation_space.shape == (len(env.observation_names),)
    assert obs.dtype == np.float32
    value = dict(zip(env.observation_names, obs.tolist(), strict=True))
    assert value["DS-12.handle=on"] == 1.0 and value["DS-12.handle=off"] == 0.0
    assert value["ACC-3.pressure"] == pytest.approx(140e5)  # SI: Pa
    assert value["V-31.position"] == 1.0
    assert value["PB-12S.pressed"] == 0.0
    assert value["step.prepare.active"] == 1.0 and value["step.prepare.done"] == 0.0
    assert value["time"] == 0.0
    assert [e["type"] for e in info["events"]] == ["header", "procedure_started",
                                                   "step_entered"]
    assert env.observation_names[-1] == "time"


def test_expert_agent_completes_with_positive_reward(conveyor):
    env = TwinEnv(conveyor)
    obs, info = env.reset(seed=0)
    events = list(info["events"])
    total, terminated, truncated, steps = 0.0, False, False, 0
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(expert_action(env))
        total += reward
        events += info["events"]
        steps += 1
        assert steps < 2000, "the expert agent did not finish"
    assert terminated and not truncated
    assert info["outcome"] == "completed"
    assert [e for e in events if e["type"] in BAD] == []
    # +1 per step completed, +10 for completing the procedure, nothing lost
    assert total == pytest.approx(len(env.steps) + 10)
    value = dict(zip(env.observation_names, obs.tolist(), strict=True))
    assert all(value[f"step.{s}.done"] == 1.0 for s in env.steps)
    assert value["DS-12.handle=on"] == 1.0  # power restored at the end
    # actions were done by the role each step names
    roles = {e["action"]: e["by"] for e in events if e["type"] == "action"}
    assert roles["press PB-12S"] == "operator"
    assert roles["apply lock to DS-12"] == "electrician"
    assert roles["account for mechanic, electrician, operator"] == "supervisor"
    # stepping after the end changes nothing and earns nothing
    again = env.step(0)
    assert again[1] == 0.0 and again[2] is True
    np.testing.assert_array_equal(again[0], obs)


def _rollout(bundle, seed: int, actions: list[int]):
    env = TwinEnv(bundle, seed=seed)
    obs, _ = env.reset(seed=seed)
    out = [obs]
    rewards, events = [], []
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        out.append(obs)
        rewards.append(r)
        events.append(info["events"])
        if term or trunc:
            break
    return out, rewards, events


def test_same_seed_and_actions_give_same_observations(conveyor):
    rng = np.random.default_rng(7)
    n = TwinEnv(conveyor).action_space.n
    actions = [int(a) for a in rng.integers(0, n, size=60)]
    a = _rollout(conveyor, 3, actions)
    b = _rollout(conveyor, 3, actions)
    assert len(a[0]) == len(b[0])
    for x, y in zip(a[0], b[0], strict=True):
        np.testing.assert_array_equal(x, y)
    assert a[1] == b[1]
    assert a[2] == b[2]
    # a random agent is punished for what it does wrong
    assert min(a[1]) < 0


def test_reset_rebuilds_everything(conveyor):
    env = TwinEnv(conveyor)
    first, _ = env.reset(seed=5)
    for name in ("open DS-12", "close V-31", "wait"):
        env.step(env.action_index(name))
    again, info = env.reset(seed=5)
    np.testing.assert_array_equal(first, again)
    assert info["time"] == 0.0
    # reset() without a seed continues the seeded sequence: reproducible too
    other = TwinEnv(conveyor)
    other.reset(seed=5)
    env.reset()
    other.reset()
    assert env.episode_seed == other.episode_seed


def test_skipping_the_lock_is_critical(conveyor):
    env = TwinEnv(conveyor)
    env.reset(seed=0)
    for _ in range(200):
        if "lock_disconnect" in env.engine.active:
            break
        env.step(expert_action(env))
    assert "lock_disconnect" in env.engine.active
    _obs, reward, _term, _trunc, info = env.step(env.action_index("bleed ACC-3"))
    skipped = [e for e in info["events"] if e["type"] == "step_skipped"]
    assert [e["step"] for e in skipped] == ["lock_disconnect"]
    critical = [e for e in info["events"] if e["type"] == "critical"]
    assert [e["what"] for e in critical] == ["critical step skipped"]
    assert reward <= -10 + 1  # at most the bleed step completed in the same second


def test_commission_costs_a_tenth(conveyor):
    env = TwinEnv(conveyor)
    env.reset(seed=0)
    _obs, reward, *_ = env.step(env.action_index("inspect PB-12S"))  # in no step
    assert reward == pytest.approx(-0.1)


def test_truncated_at_max_seconds(conveyor):
    env = TwinEnv(conveyor, step_seconds=1.0, max_seconds=3.0)
    env.reset(seed=0)
    results = [env.step(0) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True]
    assert not any(r[2] for r in results)
    assert results[-1][4]["time"] == pytest.approx(3.0)


def test_reward_rubric():
    events = [
        {"type": "step_completed"}, {"type": "step_completed"},
        {"type": "expectation_failed"}, {"type": "critical"},
        {"type": "action", "deviation": "extra"}, {"type": "action", "deviation": None},
        {"type": "procedure_ended", "outcome": "completed"},
    ]
    assert _reward(events) == pytest.approx(2 - 1 - 10 - 0.1 + 10)
    assert _reward([{"type": "procedure_ended", "outcome": "aborted"}]) == 0.0


def test_bad_arguments(conveyor):
    with pytest.raises(BundleError, match="no procedure `nope`"):
        TwinEnv(conveyor, procedure="nope")
    with pytest.raises(ValueError, match="step_seconds"):
        TwinEnv(conveyor, step_seconds=0)
    env = TwinEnv(conveyor)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="outside"):
        env.step(env.action_space.n)
    with pytest.raises(KeyError, match="not in the action space"):
        env.action_index("open M-12")
