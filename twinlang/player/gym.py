"""A Gymnasium environment: an agent plays one procedure of a compiled scenario.

    from twinlang.player.gym import TwinEnv
    env = TwinEnv("build/loto-conveyor-c12", seed=0)
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_index("open DS-12"))

or ``gymnasium.make("twinlang/Twin-v0", bundle_path=...)`` (the same keyword arguments).

**Actions** — ``Discrete(N)`` over :attr:`TwinEnv.actions`, a fixed list built from the
bundle in a deterministic order: ``wait`` (index 0, time passes, nobody acts); every verb of
every piece of equipment that accepts it (``open DS-12``); ``apply``/``remove`` ``lock`` and
``tag`` on every lockable piece; every other action the procedure's steps ask for (``notify
operator``, ``account for ...``, ``clear area``, permits, ``work``, ``position SS-12 at
off``, several targets at once); ``choose OPTION`` for each option a decision offers; and
``verify STEP`` for each step with ``verified_by`` (done by that role: the two-person rule).
:attr:`TwinEnv.action_names` gives their texts.  The person who acts is the role of the
active step that expects the action (``hold`` actions: the role held for), else the
procedure's ``performed_by``.

**Observation** — a float32 vector, laid out as :attr:`TwinEnv.observation_names` says: for
each piece of equipment in bundle order, each state in its kind's order — numbers in SI
units (``M-12.speed``), booleans 0/1 (``PB-12S.pressed``), choices one-hot
(``DS-12.handle=on``, ``DS-12.handle=off``; text states are left out); then for each step of
the procedure ``step.<id>.done`` and ``step.<id>.active`` (0/1); last ``time``, the seconds
since the start.

**Time and reward** — each :meth:`TwinEnv.step` carries out the action through the
procedure engine, then advances the plant ``step_seconds`` in physics steps of the
player's ``DT`` (the engine checks after every one).  The reward follows the rubric:
+1 per step completed, −1 per expectation failed, −10 per critical event, −0.1 per action
that belongs to no step (commission), +10 when the procedure completes.  The episode
terminates when the procedure ends (completed, aborted, or a physics error) and is
truncated after ``max_seconds``.  ``info["events"]`` holds the log events of the step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .. import bundle as bundle_mod
from ..bundle import model as m
from .behaviours import load_behaviours
from .behaviours.base import Environment, PhysicsError
from .engine import Engine
from .log import EventLog
from .runner import DT, MAX_TIME, log_physics, select_procedure
from .trace import Act, act_from_model, parse_action, value_text

#: Rewards of the rubric, by what happened.
REWARD_STEP_COMPLETED = 1.0
REWARD_EXPECTATION_FAILED = -1.0
REWARD_CRITICAL = -10.0
REWARD_EXTRA_ACTION = -0.1
REWARD_COMPLETED = 10.0

_F32_MAX = float(np.finfo(np.float32).max)
_DEVICES = ("lock", "tag")


@dataclass(frozen=True)
class ActionSpec:
    """One entry of the action space: an action (or a choice, or waiting) and its text."""

    name: str
    act: Act | None = None
    choose: str | None = None
    verify: str | None = None       # a step with `verified_by`, verified by that role


def _act_name(act: Act) -> str:
    if act.op == "hold":
        return f"hold for {act.role}"
    return act.describe()  # with its `at` and what it records


def _identity(act: Act) -> tuple:
    return (act.key(), None if act.at is None else value_text(act.at))


def build_actions(bundle: m.Bundle, procedure: m.Procedure) -> list[ActionSpec]:
    """The fixed action list of a procedure (see the module documentation)."""
    out: list[ActionSpec] = [ActionSpec("wait")]
    seen: set[tuple] = set()

    def add(act: Act) -> None:
        ident = _identity(act)
        if ident not in seen:
            seen.add(ident)
            out.append(ActionSpec(_act_name(act), act))

    for eq in bundle.equipment:
        for verb in eq.actions:
            add(Act(op="do", verb=verb, targets=(eq.id,)))
    for eq in bundle.equipment:
        if eq.lockable:
            for op in ("apply", "remove"):
                for device in _DEVICES:
                    add(Act(op=op, device=device, targets=(eq.id,)))
    for node in procedure.graph.nodes:
        if node.kind == "step":
            for a in node.actions:
                if a.op not in ("wait", "wait_until"):
                    add(act_from_model(a))
    options: list[str] = []
    for e in procedure.graph.edges:
        if e.kind == "option" and e.option is not None and e.option not in options:
            options.append(e.option)
    out.extend(ActionSpec(f"choose {o}", choose=o) for o in options)
    out.extend(ActionSpec(f"verify {n.id}", verify=n.id) for n in procedure.graph.nodes
               if n.kind == "step" and n.verified_by is not None)
    return out


@dataclass(frozen=True)
class _Slot:
    """Where one observed state goes in the vector."""

    equipment: str
    state: str
    type: str
    choices: tuple[str, ...]


def _slots(bundle: m.Bundle) -> list[_Slot]:
    return [_Slot(eq.id, s.name, s.type, tuple(s.choices))
            for eq in bundle.equipment for s in eq.states if s.type != "text"]


class TwinEnv(gym.Env):
    """One procedure of a compiled scenario as a Gymnasium environment."""

    metadata = {"render_modes": []}

    def __init__(self, bundle_path: str | Path, procedure: str | None = None, seed: int = 0,
                 step_seconds: float = 1.0, max_seconds: float = MAX_TIME) -> None:
        if not step_seconds > 0:
            raise ValueError("step_seconds must be more than 0")
        if not max_seconds > 0:
            raise ValueError("max_seconds must be more than 0")
        self.bundle = bundle_mod.load(bundle_path)
        self.procedure = select_procedure(self.bundle, procedure)
        load_behaviours()
        self.step_seconds = float(step_seconds)
        self.max_seconds = float(max_seconds)
        self._substeps = max(1, round(self.step_seconds / DT))
        self._seed = int(seed)
        self._first_reset = True

        self.actions = build_actions(self.bundle, self.procedure)
        self.action_names = [a.name for a in self.actions]
        self._by_identity = {_identity(a.act): i for i, a in enumerate(self.actions)
                             if a.act is not None}
        self._by_key: dict[tuple, int] = {}
        for i, a in enumerate(self.actions):
            if a.act is not None:
                self._by_key.setdefault(a.act.key(), i)
        self.action_space = spaces.Discrete(len(self.actions))

        self._slots = _slots(self.bundle)
        self.steps = [n.id for n in self.procedure.graph.nodes if n.kind == "step"]
        names: list[str] = []
        low: list[float] = []
        high: list[float] = []
        for s in self._slots:
            base = f"{s.equipment}.{s.state}"
            if s.type == "choice":
                names += [f"{base}={c}" for c in s.choices]
                low += [0.0] * len(s.choices)
                high += [1.0] * len(s.choices)
            else:
                names.append(base)
                flag = s.type == "boolean"
                low.append(0.0 if flag else -_F32_MAX)
                high.append(1.0 if flag else _F32_MAX)
        for sid in self.steps:
            names += [f"step.{sid}.done", f"step.{sid}.active"]
            low += [0.0, 0.0]
            high += [1.0, 1.0]
        names.append("time")
        low.append(0.0)
        high.append(self.max_seconds + self.step_seconds)
        self.observation_names = names
        self.observation_space = spaces.Box(np.array(low, dtype=np.float32),
                                            np.array(high, dtype=np.float32),
                                            dtype=np.float32)
        self.env: Environment | None = None
        self.engine: Engine | None = None
        self.log: EventLog | None = None
        self._seen = 0

    # ------------------------------------------------------------ gymnasium API

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is None and self._first_reset:
            seed = self._seed
        super().reset(seed=seed)
        if seed is None:  # a new episode of the same seeded sequence
            seed = int(self.np_random.integers(0, 2**31 - 1))
        self._first_reset = False
        self.episode_seed = int(seed)
        self.env = Environment(self.bundle, seed=self.episode_seed)
        self.log = EventLog(None, {
            "bundle": {"id": self.bundle.scenario.id, "content_hash": self.bundle.content_hash,
                       "format": self.bundle.format},
            "seed": self.episode_seed, "procedure": self.procedure.id, "dt": DT,
            "trainee": "gym"})
        self.engine = Engine(self.bundle, self.procedure, self.env, self.log)
        engine, log, env = self.engine, self.log, self.env
        env.listener = lambda events: log_physics(log, env.t, events, engine)
        self._seen = 0
        self.engine.start()
        events = self._new_events()
        return self._observe(), {"events": events, "time": self.env.t,
                                 "outcome": self.engine.outcome.status}

    def step(self, action):
        if self.engine is None:
            raise RuntimeError("call reset() before step()")
        index = int(action)
        if not 0 <= index < len(self.actions):
            raise ValueError(f"action {action} is outside 0..{len(self.actions) - 1}")
        engine, env = self.engine, self.env
        spec = self.actions[index]
        accepted: bool | None = None
        if engine.outcome.status == "running":
            try:
                if spec.choose is not None:
                    accepted = engine.choose(None, spec.choose)
                elif spec.verify is not None:
                    accepted = engine.verify(engine.nodes[spec.verify].verified_by,
                                             spec.verify)
                elif spec.act is not None:
                    accepted = engine.act(self._performer(spec.act), spec.act)[0]
                self._advance()
            except PhysicsError as exc:
                self.log.emit(env.t, "physics_error", message=str(exc))
                engine._finish("error", str(exc))
        events = self._new_events()
        status = engine.outcome.status
        terminated = status != "running"
        truncated = not terminated and env.t >= self.max_seconds - 1e-9
        info = {"events": events, "time": env.t, "outcome": status,
                "action": spec.name, "accepted": accepted}
        return self._observe(), _reward(events), terminated, truncated, info

    # ------------------------------------------------------------ helpers

    def action_index(self, action: Act | str) -> int:
        """The index of an action (an :class:`Act` or its text, ``open DS-12``); an action
        the list has only without its ``at``/``to`` details maps to that entry."""
        if isinstance(action, str):
            if action == "wait":
                return 0
            if action.startswith(("choose ", "verify ")):
                return self.action_names.index(action)
            action = parse_action(action)
        i = self._by_identity.get(_identity(action))
        if i is None:
            i = self._by_key.get(action.key())
        if i is None:
            raise KeyError(f"`{_act_name(action)}` is not in the action space")
        return i

    def _performer(self, act: Act) -> str | None:
        key = act.key()
        for _sid, st in sorted(self.engine.active.items()):
            if any(p.key() == key for p in st.pending):
                return act.role if act.op == "hold" else st.node.performed_by
        return self.procedure.performed_by

    def _advance(self) -> None:
        engine, env, log = self.engine, self.env, self.log
        for _ in range(self._substeps):
            events = env.step(DT)
            if events:  # hazards are critical events, as in a played run
                log_physics(log, env.t, events, engine)
            engine.tick()
            if engine.outcome.status != "running":
                return
        if env.t >= self.max_seconds - 1e-9:
            # a truncation, not an end of the procedure: the outcome stays `running`
            log.emit(env.t, "truncated", after=self.max_seconds)

    def _new_events(self) -> list[dict]:
        events = self.log.events[self._seen:]
        self._seen = len(self.log.events)
        return copy.deepcopy(events)

    def _observe(self) -> np.ndarray:
        values: list[float] = []
        observed = {eq_id: b.observe() for eq_id, b in self.env.behaviours.items()}
        for s in self._slots:
            v = observed.get(s.equipment, {}).get(s.state)
            if s.type == "choice":
                values += [1.0 if v == c else 0.0 for c in s.choices]
            elif isinstance(v, bool):
                values.append(1.0 if v else 0.0)
            elif isinstance(v, int | float):
                values.append(float(v))
            else:
                values.append(0.0)
        for sid in self.steps:
            values += [1.0 if sid in self.engine.done else 0.0,
                       1.0 if sid in self.engine.active else 0.0]
        values.append(self.env.t)
        obs = np.array(values, dtype=np.float64)
        return np.clip(obs, self.observation_space.low, self.observation_space.high
                       ).astype(np.float32)


def _reward(events: list[dict]) -> float:
    r = 0.0
    for e in events:
        kind = e.get("type")
        if kind == "step_completed":
            r += REWARD_STEP_COMPLETED
        elif kind == "expectation_failed":
            r += REWARD_EXPECTATION_FAILED
        elif kind == "critical":
            r += REWARD_CRITICAL
        elif kind == "action" and e.get("deviation") == "extra":
            r += REWARD_EXTRA_ACTION
        elif kind == "procedure_ended" and e.get("outcome") == "completed":
            r += REWARD_COMPLETED
    return r


#: The id under which :class:`TwinEnv` is registered with Gymnasium:
#: ``gymnasium.make(ENV_ID, bundle_path=...)``.
ENV_ID = "twinlang/Twin-v0"
if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=f"{__name__}:TwinEnv")

__all__ = ["ENV_ID", "ActionSpec", "TwinEnv", "build_actions"]
