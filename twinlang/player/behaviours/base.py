"""Equipment behaviours: the physics of each kind, and what a procedure can observe of it.

A behaviour owns the process model of one piece of equipment (a valve's opening, an
accumulator's pressure, a motor's speed, a space's atmosphere) and integrates it with a
fixed time step alongside the rigid-body simulation.  Behaviours are registered by kind
name (:func:`register`); a kind without one gets :class:`Inert`.  They see the bundle's
equipment model only (SI values) and each other through the :class:`Environment`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ...bundle import model as m

StateValue = float | str | bool

REGISTRY: dict[str, type[Behaviour]] = {}

#: States are checked for NaN and infinities every this many steps (0.1 s at 240 Hz).
CHECK_EVERY_STEPS = 24


def register(*kinds: str) -> Callable[[type[Behaviour]], type[Behaviour]]:
    """Class decorator: the behaviour of equipment of these kinds."""

    def deco(cls: type[Behaviour]) -> type[Behaviour]:
        for k in kinds:
            if k in REGISTRY and REGISTRY[k] is not cls:
                raise ValueError(f"two behaviours for kind {k}")
            REGISTRY[k] = cls
        cls.kinds = tuple(kinds)
        return cls

    return deco


@dataclass(frozen=True)
class Outcome:
    """The result of asking a behaviour to perform an action."""

    accepted: bool
    reason: str = ""
    #: how long the action takes a person (turning a handwheel eight times, ...), seconds
    duration: float = 0.0


@dataclass(frozen=True)
class Event:
    """Something the physics did that the log and the assessment must know about."""

    kind: str  # e.g. "energized", "released", "reaction", "hazard", "limit"
    equipment: str
    detail: dict = field(default_factory=dict)


class Behaviour:
    """Base class: parameters and states from the bundle, no dynamics of its own."""

    kinds: ClassVar[tuple[str, ...]] = ()

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        self.eq = eq
        self.id = eq.id
        self.env = env
        self.params: dict[str, StateValue | None] = {
            name: _plain(p.value) for name, p in eq.params.items()}
        self.states: dict[str, StateValue] = {
            s.name: v for s in eq.states if (v := _plain(s.initial)) is not None}
        #: protective devices applied: device name -> list of owners (roles)
        self.devices: dict[str, list[str]] = {}
        #: active fault effects (bundle `Effect`s)
        self.faults: list[m.Effect] = []

    # ------------------------------------------------------------ observation

    def observe(self) -> dict[str, StateValue]:
        """What the procedure and the trainee see (faulty sensors included)."""
        out = dict(self.states)
        for f in self.faults:
            if f.kind == "sensor_failure" and f.state is not None and f.value is not None:
                out[f.state.state] = _plain(f.value)
        return out

    def param(self, name: str, default: float) -> float:
        v = self.params.get(name)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else default

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        """Start the action ``verb``; subclasses handle the verbs of their kind."""
        if verb not in self.eq.actions:
            return Outcome(False, f"`{self.id}` ({self.eq.kind}) does not accept `{verb}`")
        if verb == "inspect":
            return Outcome(True, duration=5.0)
        return Outcome(False, f"`{verb}` has no effect on `{self.id}` in this player")

    def apply(self, device: str, owner: str | None) -> Outcome:
        if device in ("lock",) and not self.eq.lockable:
            return Outcome(False, f"`{self.id}` cannot take a lock")
        if device == "lock" and not self.can_lock():
            return Outcome(False, f"`{self.id}` can only be locked in its safe position")
        self.devices.setdefault(device, []).append(owner or "")
        return Outcome(True, duration=20.0)

    def remove(self, device: str, owner: str | None) -> Outcome:
        owners = self.devices.get(device, [])
        if not owners:
            return Outcome(False, f"there is no {device} on `{self.id}`")
        owners.remove(owner if owner in owners else owners[0])
        if not owners:
            del self.devices[device]
        return Outcome(True, duration=10.0)

    def locked(self) -> bool:
        """A lock holds the device (unless a lock failure is induced)."""
        return "lock" in self.devices and not any(f.kind == "lock_failure" for f in self.faults)

    def can_lock(self) -> bool:
        """Whether the device is in the position a lock may hold (its safe position)."""
        return True

    # ------------------------------------------------------------ energy

    def passes(self, energy: str) -> float:
        """How much of ``energy`` flows through from feeders (0..1); 1 for non-devices."""
        return 1.0

    def stored(self) -> dict[str, float]:
        """Hazardous energy still stored, by type, in joules (for events and the assessment)."""
        return {}

    # ------------------------------------------------------------ time

    def step(self, t: float, dt: float) -> list[Event]:
        """Advance the process model by ``dt`` seconds (ending at time ``t + dt``)."""
        return []

    # ------------------------------------------------------------ faults

    def inject(self, effect: m.Effect) -> None:
        self.faults.append(effect)

    def clear(self, effect: m.Effect) -> None:
        if effect in self.faults:
            self.faults.remove(effect)


class Inert(Behaviour):
    """Equipment with no dynamics in this player (its states keep their values)."""


class Environment:
    """All behaviours of a scenario, the clock, the seeded random source, and the energy
    paths between equipment (from the bundle's `feeds` relations)."""

    def __init__(self, bundle: m.Bundle, seed: int = 0) -> None:
        self.bundle = bundle
        self.t = 0.0
        self.rng = random.Random(seed)
        self.feeders: dict[str, list[str]] = {}
        for eq in bundle.equipment:
            if eq.control_device:
                continue  # a push button commands a machine; it does not supply it
            for target in eq.relations.feeds:
                self.feeders.setdefault(target, []).append(eq.id)
        self._supply_cache: dict[tuple[str, str], float] = {}
        self._steps = 0
        self.behaviours: dict[str, Behaviour] = {}
        for eq in bundle.equipment:
            cls = REGISTRY.get(eq.kind, Inert)
            self.behaviours[eq.id] = cls(eq, self)

    def __getitem__(self, eq_id: str) -> Behaviour:
        return self.behaviours[eq_id]

    def supply(self, eq_id: str, energy: str) -> float:
        """The share of ``energy`` reaching ``eq_id`` (cached for the current step)."""
        key = (eq_id, energy)
        hit = self._supply_cache.get(key)
        if hit is None:
            hit = self._supply_cache[key] = self._supply(eq_id, energy)
        return hit

    def _supply(self, eq_id: str, energy: str) -> float:
        """The share (0..1) of ``energy`` reaching ``eq_id`` through its feeders.

        Equipment fed by nothing is connected to the plant's supply.  With several feeders
        the best path counts (any one of them can energize it); along a path the shares
        multiply (a half-open valve passes half).
        """
        best = 0.0
        seen: set[str] = set()
        stack = [(eq_id, 1.0)]
        while stack:
            node, share = stack.pop()
            feeders = self.feeders.get(node, [])
            if not feeders:
                best = max(best, share)
                continue
            for f in feeders:
                if f in seen:
                    continue
                seen.add(f)
                s = share * self.behaviours[f].passes(energy)
                if s > 0:
                    stack.append((f, s))
        return best

    def step(self, dt: float) -> list[Event]:
        self._supply_cache.clear()
        events: list[Event] = []
        for b in self.behaviours.values():
            events.extend(b.step(self.t, dt))
        self.t += dt
        self._steps += 1
        if self._steps % CHECK_EVERY_STEPS:
            return events
        for b in self.behaviours.values():
            for name, v in b.states.items():
                if isinstance(v, float) and not math.isfinite(v):
                    raise PhysicsError(f"`{b.id}.{name}` became {v} at t = {self.t:.3f} s")
        return events


class PhysicsError(RuntimeError):
    """The simulation produced a non-finite or runaway value; the run stops."""


def _plain(value) -> StateValue | None:
    if isinstance(value, m.Quantity):
        return value.si
    return value
