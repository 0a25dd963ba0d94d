"""Running a scenario: the clock, the trainee (a trace or the expert policy), the log."""

from __future__ import annotations

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
from .trace import Act, Trace, act_from_model

#: The physics time step (seconds), as in scene.json.
DT = 1.0 / 240.0
#: A run stops when nothing can happen any more, or after this long (seconds).
MAX_TIME = 8 * 3600.0


@dataclass
class RunResult:
    outcome: str
    reason: str | None
    time: float
    events: list[dict]
    log_path: Path | None


class ExpertPolicy:
    """Performs a correct path: each active step's actions by its performer, one at a time
    per person, each taking the time the plant says it takes; the first option of a choice."""

    def __init__(self) -> None:
        self.busy_until: dict[str | None, float] = {}

    def next_actions(self, engine: Engine) -> list[tuple[str | None, Act | None, str | None]]:
        t = engine.env.t
        out: list[tuple[str | None, Act | None, str | None]] = []
        if engine.pending_choice is not None:
            node = engine.nodes[engine.pending_choice]
            first = next(e.option for e in engine.out[node.id] if e.kind == "option")
            out.append((None, None, first))
        for sid in sorted(engine.active):
            st = engine.active[sid]
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
         faults: bool | Collection[str] = True) -> RunResult:
    """Load a bundle and play one procedure with a trace or the expert policy.

    With ``world`` the URDF scene runs in PyBullet alongside the behaviours (``gui``: in a
    window, ``speed`` times real time); ``snapshot`` writes a PNG of the scene at the end.
    ``faults``: the bundle's faults to induce (True: all, False: none, or their ids)."""
    bundle = bundle_mod.load(path)
    proc = select_procedure(bundle, procedure)
    load_behaviours()
    env = Environment(bundle, seed=seed)
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
    faults = FaultInjector(bundle, engine, env, log, seed=seed, only=None if faults is True
                           else frozenset(() if faults is False else faults))
    policy = ExpertPolicy() if trace is None else None
    lines = list(trace.lines) if trace is not None else []
    try:
        engine.start()
        i = 0
        while engine.outcome.status == "running" and env.t < max_time:
            if policy is not None:
                for who, act, choice in policy.next_actions(engine):
                    if choice is not None:
                        engine.choose(who, choice)
                    elif act is not None:
                        _accepted, _reason, duration = engine.act(who, act)
                        policy.performed(who, env.t, duration)
            else:
                while i < len(lines) and lines[i].t <= env.t + 1e-9:
                    line = lines[i]
                    i += 1
                    if line.choose is not None:
                        engine.choose(line.by, line.choose)
                    elif line.hint:
                        log.emit(env.t, "hint", by=line.by, step=_current(engine))
                    elif line.act is not None:
                        engine.act(line.by, line.act)
                if i >= len(lines) and not engine.active and engine.pending_choice is None:
                    break
                if i >= len(lines) and _idle(engine):
                    break
            events = env.step(DT)
            if sim is not None:
                sim.step(env)
            for ev in events:
                log.emit(env.t, "physics", kind=ev.kind, equipment=ev.equipment, **ev.detail)
                if ev.kind == "hazard":  # the plant hurt or endangered someone
                    log.emit(env.t, "critical", what="hazard", equipment=ev.equipment,
                             **ev.detail)
            faults.tick()
            engine.tick()
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


def _current(engine: Engine) -> str | None:
    return min(engine.active) if engine.active else None


def _idle(engine: Engine) -> bool:
    """With the trace used up, only steps waiting on time or readings can still move."""
    return all(st.pending for st in engine.active.values())


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


__all__ = ["DT", "ExpertPolicy", "RunResult", "act_from_model", "play", "select_procedure"]
