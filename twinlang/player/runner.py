"""Running a scenario: the clock, the trainee (a trace or the expert policy), the log."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .. import bundle as bundle_mod
from ..bundle import model as m
from .behaviours import load_behaviours
from .behaviours.base import Environment, PhysicsError
from .engine import Engine
from .faults import FaultInjector
from .log import EventLog
from .trace import Act, Trace, Verify, act_from_model

#: The physics time step (seconds), as in scene.json.
DT = 1.0 / 240.0
#: A run stops when nothing can happen any more, or after this long (seconds).
MAX_TIME = 8 * 3600.0
#: The process models advance every this many physics steps at most (1/30 s), in one exact
#: update, and at once when the plant is acted on or an action's timer falls due
#: (Environment.step); the rigid bodies step every DT.
PROCESS_EVERY = 8
#: Seconds the expert's verifier spends looking at a step before the next task.
VERIFY_TIME = 5.0


@dataclass
class RunResult:
    outcome: str
    reason: str | None
    time: float
    events: list[dict]
    log_path: Path | None


class ExpertPolicy:
    """Performs a correct path: each active step's actions by its performer, one at a time
    per person, each taking the time the plant says it takes; the first option of a choice;
    on an alarm, everyone stops what they are doing and follows the handler at once."""

    def __init__(self) -> None:
        self.busy_until: dict[str | None, float] = {}
        self._seen: tuple[int, int] | None = None
        self._wake = 0.0
        self._scanned = 0

    def next_actions(self, engine: Engine) -> list[tuple[str | None, Act | None, str | None]]:
        t = engine.env.t
        # Nothing to do until the procedure moves (every change of it is logged), the
        # plant moves, or a person is free again.
        seen = (len(engine.log.events), engine.env.version)
        if seen == self._seen and t < self._wake:
            return []
        self._seen = seen
        # An alarm: everyone drops what they are doing and answers it (a handwheel half
        # turned, a transfer under way: the handler's steps say how to make them safe).
        events = engine.log.events
        if any(e["type"] == "alarm" for e in events[self._scanned:]):
            self.busy_until.clear()
        self._scanned = len(events)
        self._wake = min((b for b in self.busy_until.values() if b > t), default=math.inf)
        out: list[tuple[str | None, Act | None, str | None]] = []
        if engine.pending_choice is not None:
            node = engine.nodes[engine.pending_choice]
            first = next(e.option for e in engine.out[node.id] if e.kind == "option")
            out.append((None, None, first))
        for sid in sorted(engine.active):
            st = engine.active[sid]
            if st.awaiting_verification and not st.suspended:
                who = st.node.verified_by
                if self.busy_until.get(who, 0.0) <= t:
                    out.append((who, Verify(sid), None))
                continue
            if st.suspended or not st.pending or not self._ready(engine, st.node):
                continue
            act = st.pending[0]
            who = act.role if act.op == "hold" else st.node.performed_by
            if self.busy_until.get(who, 0.0) > t:
                continue
            out.append((who, act, None))
        return out

    def _ready(self, engine: Engine, node: m.Node) -> bool:
        return all(engine.holds(r) for r in node.requires)

    def performed(self, who: str | None, t: float, duration: float) -> None:
        self.busy_until[who] = t + max(duration, 1.0)


def play(path: str | Path, *, trace: Trace | None = None, seed: int = 0,
         log_path: str | Path | None = None, procedure: str | None = None,
         max_time: float = MAX_TIME, world: bool = True, gui: bool = False,
         speed: float = 1.0, snapshot: str | Path | None = None,
         faults: bool | Collection[str] = True,
         process_every: int = PROCESS_EVERY,
         sample_every: float | None = None) -> RunResult:
    """Load a bundle and play one procedure with a trace or the expert policy.

    With ``world`` the URDF scene runs in PyBullet alongside the behaviours (``gui``: in a
    window, ``speed`` times real time); ``snapshot`` writes a PNG of the scene at the end.
    ``faults``: the bundle's faults to induce (True: all, False: none, or their ids).
    ``process_every``: physics steps per advance of the process models at most (1: every
    step).  ``sample_every``: log every equipment's observed state (`sample` events) this
    often, in seconds of simulated time (None: no samples)."""
    bundle = bundle_mod.load(path)
    proc = select_procedure(bundle, procedure)
    load_behaviours()
    env = Environment(bundle, seed=seed, process_every=process_every)
    sim = None
    if world:
        from .world import World  # only here: pybullet stays out of `twinlang check`
        sim = World(bundle, path, gui=gui, seed=seed, speed=speed)
    log = EventLog(log_path, {
        "bundle": {"id": bundle.scenario.id, "content_hash": bundle.content_hash,
                   "format": bundle.format},
        "seed": seed, "procedure": proc.id, "dt": DT,
        "trainee": "trace" if trace is not None else "expert"})
    engine = Engine(bundle, proc, env, log)
    env.listener = lambda events: log_physics(log, env.t, events, engine)
    faults = FaultInjector(bundle, engine, env, log, seed=seed, only=None if faults is True
                           else frozenset(() if faults is False else faults))
    policy = ExpertPolicy() if trace is None else None
    lines = list(trace.lines) if trace is not None else []
    next_sample = 0.0 if sample_every else None
    try:
        engine.start()
        i = 0
        while engine.outcome.status == "running" and env.t < max_time:
            if policy is not None:
                for who, act, choice in policy.next_actions(engine):
                    if choice is not None:
                        engine.choose(who, choice)
                    elif isinstance(act, Verify):
                        engine.verify(who, act.step)
                        policy.performed(who, env.t, VERIFY_TIME)
                    elif act is not None:
                        _accepted, _reason, duration = engine.act(who, act)
                        policy.performed(who, env.t, duration)
            else:
                # a trace time is played at the nearest physics step (logs round to 1 us)
                while i < len(lines) and lines[i].t <= env.t + DT / 2:
                    line = lines[i]
                    i += 1
                    if line.choose is not None:
                        engine.choose(line.by, line.choose)
                    elif line.hint:
                        log.emit(env.t, "hint", by=line.by, step=_current(engine))
                    elif line.verify is not None:
                        engine.verify(line.by, line.verify)
                    elif line.act is not None:
                        engine.act(line.by, line.act)
                if i >= len(lines) and not engine.active and engine.pending_choice is None:
                    break
                if i >= len(lines) and _idle(engine):
                    break
            events = env.step(DT)
            if sim is not None:
                sim.step(env)
            if events:
                log_physics(log, env.t, events, engine)
            faults.tick()
            engine.tick()
            if next_sample is not None and env.t + DT / 2 >= next_sample:
                next_sample += sample_every
                log.emit(env.t, "sample", states={k: b.observe()
                                                  for k, b in env.behaviours.items()})
        if sim is not None and snapshot is not None:
            sim.snapshot(snapshot)
        if engine.outcome.status == "running":
            status = "timeout" if env.t >= max_time else "incomplete"
            engine._finish(status, "the trace ended before the procedure" if status ==
                           "incomplete" else f"stopped after {max_time:.0f} s")
    except PhysicsError as exc:
        log.emit(env.t, "physics_error", message=str(exc))
        engine._finish("error", str(exc))
    finally:
        log.close()
        if sim is not None:
            sim.close()
    return RunResult(engine.outcome.status, engine.outcome.reason, env.t, log.events,
                     Path(log_path) if log_path else None)


def log_physics(log: EventLog, t: float, events, engine: Engine) -> None:
    for ev in events:
        log.emit(t, "physics", kind=ev.kind, equipment=ev.equipment, **ev.detail)
        if ev.kind == "hazard":  # the plant hurt or endangered someone
            log.emit(t, "critical", what="hazard", equipment=ev.equipment, **ev.detail,
                     **engine.fault_field())


def _current(engine: Engine) -> str | None:
    return min(engine.active) if engine.active else None


def _idle(engine: Engine) -> bool:
    """With the trace used up, only steps waiting on time or readings can still move."""
    return all(st.pending or st.awaiting_verification for st in engine.active.values())


def select_procedure(bundle: m.Bundle, name: str | None) -> m.Procedure:
    """The procedure named ``name``, or the bundle's first; a clear error otherwise."""
    if name is None:
        if not bundle.procedures:
            raise bundle_mod.BundleError("the bundle has no procedure to play")
        return bundle.procedures[0]
    for p in bundle.procedures:
        if p.id == name:
            return p
    raise bundle_mod.BundleError(
        f"the bundle has no procedure `{name}` (it has "
        + ", ".join(f"`{p.id}`" for p in bundle.procedures) + ")")


__all__ = ["DT", "PROCESS_EVERY", "ExpertPolicy", "RunResult", "act_from_model", "log_physics",
           "play", "select_procedure"]
