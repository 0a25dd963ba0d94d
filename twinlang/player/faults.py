"""Fault injection: the bundle's faults, triggered, handed to the behaviours and cleared.

A fault fires when one of its triggers does: ``step`` (its step is entered), ``time`` (the
clock reaches it), ``when`` (the rising edge of a condition on the plant) or ``random``
(a draw with ``probability`` every ``every`` seconds, 1 s unless given).  Its effects go to
the behaviour of the equipment they name (the fault's target unless the effect names a
state of another one) through ``inject``; an effect that names no state gets the fault's
target.  An ``alarm`` effect is a message to the trainee: it is logged (``fault_alarm``)
and changes nothing in the plant.  A fault clears ``after`` a time since it was injected,
``when`` a condition holds, when a ``step`` completes, or ``never``.

A fault fires at most once per run, except a random one: it may fire again, but only
after it has cleared.  Random draws come from a generator of their own, seeded with the
trigger's seed or, without one, from the run's seed and the fault's id, so the same
bundle and seed give the same faults at the same times, and the global random module is
never used.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from ..bundle import model as m
from .behaviours.base import Behaviour, Environment
from .engine import Engine
from .log import EventLog

#: The draw interval of a random trigger that gives none (seconds).
DEFAULT_EVERY = 1.0
#: Slack on time comparisons (the clock advances in steps of 1/240 s).
EPS = 1e-9


def derived_seed(run_seed: int, fault_id: str, index: int) -> int:
    """A seed for one random trigger from the run's seed and the fault (stable across
    processes and Python versions, unlike ``hash``)."""
    digest = hashlib.sha256(f"{run_seed}\x00{fault_id}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass
class _Draws:
    """The random source of one `random` trigger and the time of its next draw."""

    rng: random.Random
    every: float
    probability: float
    next_at: float


@dataclass
class _FaultState:
    fault: m.Fault
    active: bool = False
    fired: int = 0
    injected_at: float = 0.0
    #: (behaviour, effect as injected) of the active effects
    applied: list[tuple[Behaviour, m.Effect]] = field(default_factory=list)
    #: last value of each `when` trigger (rising edges)
    when_before: dict[int, bool] = field(default_factory=dict)
    #: the plant's version when the `when` triggers were last evaluated
    when_version: int = -1
    #: whether the clock or the plant can fire or clear it now (see FaultInjector._update)
    ticks: bool = True
    draws: dict[int, _Draws] = field(default_factory=dict)


class FaultInjector:
    """Fires and clears the bundle's faults during a run (see the module doc).

    ``only`` limits the run to the faults with these ids (all of them when None)."""

    def __init__(self, bundle: m.Bundle, engine: Engine, env: Environment, log: EventLog,
                 *, seed: int = 0, only: set[str] | frozenset[str] | None = None) -> None:
        self.bundle = bundle
        self.engine = engine
        self.env = env
        self.log = log
        self.states: list[_FaultState] = []
        for f in bundle.faults:
            if only is not None and f.id not in only:
                continue
            fs = _FaultState(f)
            for i, trig in enumerate(f.triggers):
                if trig.kind == "random":
                    every = trig.every.si if trig.every is not None and trig.every.si > 0 \
                        else DEFAULT_EVERY
                    s = trig.seed if trig.seed is not None else derived_seed(seed, f.id, i)
                    fs.draws[i] = _Draws(random.Random(s), every,
                                         min(1.0, max(0.0, trig.probability or 0.0)), every)
            self._update(fs)
            self.states.append(fs)
        engine.on_step_entered.append(self._step_entered)
        engine.on_step_completed.append(self._step_completed)
        engine.active_faults = self.active

    # ------------------------------------------------------------ hooks and clock

    def _step_entered(self, step: str) -> None:
        for fs in self.states:
            if any(t.kind == "step" and t.step == step for t in fs.fault.triggers):
                self._fire(fs, "step")

    def _step_completed(self, step: str) -> None:
        for fs in self.states:
            if fs.active and any(c.kind == "step" and c.step == step for c in fs.fault.clears):
                self._clear(fs, "step")

    def tick(self) -> None:
        """Once per physics step, after the plant moved: time, condition and random
        triggers, and the clearings that depend on time or on the plant."""
        t = self.env.t
        for fs in self.states:
            if not fs.ticks:
                continue  # only steps fire it or clear it, or it is over
            if fs.active:
                self._check_clear(fs, t)
            elif fs.fired and not fs.draws:
                continue  # fired and cleared: it does not fire again
            version = self.env.version
            fresh = fs.when_version != version
            fs.when_version = version
            for i, trig in enumerate(fs.fault.triggers):
                if trig.kind == "time":
                    if trig.time is not None and t + EPS >= trig.time.si:
                        self._fire(fs, "time")
                elif trig.kind == "when" and trig.condition is not None:
                    if not fresh:
                        continue  # the plant has not changed since the last look
                    now = self.engine.holds(trig.condition)
                    if now and not fs.when_before.get(i, False):
                        self._fire(fs, "when")
                    fs.when_before[i] = now
                elif trig.kind == "random":
                    d = fs.draws[i]
                    while t + EPS >= d.next_at:
                        d.next_at += d.every
                        # draw on every interval (the sequence depends on the seed only)
                        if d.rng.random() < d.probability:
                            self._fire(fs, "random")

    @staticmethod
    def _update(fs: _FaultState) -> None:
        """Whether :meth:`tick` has anything to look at for this fault: while active, a
        clearing after a time or on a condition; while not, a time, condition or random
        trigger that may still fire."""
        if fs.active:
            fs.ticks = any(c.kind in ("after", "when") for c in fs.fault.clears)
        elif fs.fired and not fs.draws:
            fs.ticks = False
        else:
            fs.ticks = any(t.kind in ("time", "when", "random") for t in fs.fault.triggers)

    # ------------------------------------------------------------ firing and clearing

    def _fire(self, fs: _FaultState, how: str) -> None:
        if fs.active:
            return
        if fs.fired and how != "random":
            return
        fault = fs.fault
        self.env.sync()
        fs.active = True
        fs.fired += 1
        fs.injected_at = self.env.t
        fs.applied = []
        kinds = [e.kind for e in fault.effects]
        self.log.emit(self.env.t, "fault_injected", fault=fault.id, target=_ref(fault.target),
                      effects=kinds, trigger=how, count=fs.fired)
        for effect in fault.effects:
            if effect.kind == "alarm":
                self.log.emit(self.env.t, "fault_alarm", fault=fault.id,
                              target=_ref(fault.target),
                              message=effect.message or fault.title or fault.id)
                continue
            if effect.state is None:
                effect = effect.model_copy(update={"state": fault.target})
            b = self.env.behaviours.get(effect.state.equipment or fault.target.equipment)
            if b is None:
                continue
            b.inject(effect)
            fs.applied.append((b, effect))
        self._update(fs)
        for c in fault.clears:  # a clearing condition that already holds clears at once
            if c.kind == "after" and c.after is not None and c.after.si <= 0:
                self._clear(fs, "after")

    def _check_clear(self, fs: _FaultState, t: float) -> None:
        for c in fs.fault.clears:
            if c.kind == "after" and c.after is not None:
                if t + EPS >= fs.injected_at + c.after.si:
                    self._clear(fs, "after")
                    return
            elif c.kind == "when" and c.condition is not None and t > fs.injected_at:
                if self.engine.holds(c.condition):
                    self._clear(fs, "when")
                    return

    def _clear(self, fs: _FaultState, how: str) -> None:
        if not fs.active:
            return
        self.env.sync()
        for b, effect in fs.applied:
            b.clear(effect)
        fs.applied = []
        fs.active = False
        self._update(fs)
        self.log.emit(self.env.t, "fault_cleared", fault=fs.fault.id,
                      target=_ref(fs.fault.target),
                      effects=[e.kind for e in fs.fault.effects], how=how,
                      active_for=self.env.t - fs.injected_at)

    # ------------------------------------------------------------ queries

    def active(self) -> list[str]:
        """The ids of the faults in effect now."""
        return [fs.fault.id for fs in self.states if fs.active]


def _ref(ref: m.StateRef) -> str:
    return ref.equipment if not ref.state else f"{ref.equipment}.{ref.state}"


__all__ = ["DEFAULT_EVERY", "FaultInjector", "derived_seed"]
