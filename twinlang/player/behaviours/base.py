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
#: After the plant is changed (Environment.sync) the process models advance one physics
#: step at a time for this many steps before they go back to their coarser rate.
FINE_AFTER_SYNC = 4


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
        if device == "lock" and self.eq.isolates:
            box = self.env.key_box()
            if box is not None:  # group lockout, 1910.147(f)(3): the key is in the box
                return Outcome(False, f"the key of the lock on `{self.id}` is in the group "
                               f"lock box `{box.id}` under "
                               f"{len(box.devices.get('lock', []))} personal lock(s); each "
                               "worker removes their personal lock from the box first")
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

    def wake(self) -> float | None:
        """The next time something discrete happens without an action (a timer falls due,
        a moving part reaches its stop), so that a multi-step advance ends there; None when
        the model may be advanced over any span (its updates are exact or smooth)."""
        return None

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

    def __init__(self, bundle: m.Bundle, seed: int = 0, process_every: int = 1) -> None:
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
        #: physics steps per advance of the process models at most (see :meth:`step`)
        self.process_every = process_every
        #: incremented whenever the plant may have changed (an advance, a sync)
        self.version = 0
        #: called with the events of a :meth:`sync` (the runner logs them)
        self.listener: Callable[[list[Event]], None] | None = None
        self._pending = 0.0       # simulated time the process models have not seen yet
        self._tb = 0.0            # the time they have reached
        self._t_prev = 0.0        # the clock before the last physics step
        self._advance_at = 1      # the physics step count at which they advance next
        self._checked = 0
        self._fine = 0
        self.behaviours: dict[str, Behaviour] = {}
        for eq in bundle.equipment:
            cls = REGISTRY.get(eq.kind, Inert)
            self.behaviours[eq.id] = cls(eq, self)
        #: the behaviours with dynamics (the others' step does nothing)
        self._stepping = [b for b in self.behaviours.values()
                          if type(b).step is not Behaviour.step]
        #: the behaviours that can have something discrete due (Behaviour.wake)
        self._waking = [b for b in self._stepping if type(b).wake is not Behaviour.wake]

    def __getitem__(self, eq_id: str) -> Behaviour:
        return self.behaviours[eq_id]

    def key_box(self) -> Behaviour | None:
        """A group lock box holding the isolation keys under personal locks, if any."""
        for b in self.behaviours.values():
            held = getattr(b, "keys_held", None)
            if held is not None and held():
                return b
        return None

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

    # ------------------------------------------------------------ time

    def step(self, dt: float) -> list[Event]:
        """Advance the clock by one physics step of ``dt`` seconds.

        With ``process_every`` = 1 (the default) every behaviour steps with it.  Above 1 the
        process models advance together in one exact update over several physics steps
        (every ``process_every`` steps, or sooner when a behaviour's :meth:`Behaviour.wake`
        asks for it: a timer of an action falls due, a valve reaches its stop).  Between
        two advances the plant reads as it was at the last one (a sample and hold); anything
        that changes the plant (an action, a device, a fault) first calls :meth:`sync`, so
        it acts on the state of the present instant."""
        self._t_prev = self.t
        self.t += dt
        self._steps += 1
        self._pending += dt
        if self._steps < self._advance_at:
            return []
        return self._advance()

    def sync(self) -> list[Event]:
        """Bring the process models up to the present (before the plant is changed); the
        next advance comes at the next physics step.  Events go to ``listener``."""
        events = self._advance() if self._pending > 0.0 else []
        # step by step for a few steps: what the change sets off spreads from one model to
        # the next (a fault on a clamp, then the pour it endangers) at the physics rate
        self._advance_at = self._steps + 1
        self._fine = FINE_AFTER_SYNC
        self._supply_cache.clear()
        self.version += 1
        if events and self.listener is not None:
            self.listener(events)
        return events

    def _advance(self) -> list[Event]:
        self._supply_cache.clear()
        now, span, start = self.t, self._pending, self._tb
        last_dt = now - self._t_prev
        # behaviours that schedule or compare with env.t see the start of the last physics
        # step, as they do when stepped one physics step at a time
        self.t = self._t_prev
        events: list[Event] = []
        try:
            for b in self._stepping:
                out = b.step(start, span)
                if out:
                    events.extend(out)
        finally:
            self.t = now
        self._pending = 0.0
        self._tb = now
        self.version += 1
        every = self.process_every
        n = every
        if self._fine > 0:
            self._fine -= 1
            n = 1
        elif every > 1:
            for b in self._waking:
                w = b.wake()
                if w is not None:
                    k = int((w - now) / last_dt) if last_dt > 0 else 1
                    n = min(n, max(1, k))
        self._advance_at = self._steps + n
        self._checked += n if every > 1 else 1
        if self._checked >= CHECK_EVERY_STEPS:
            self._checked = 0
            for b in self.behaviours.values():
                for name, v in b.states.items():
                    if isinstance(v, float) and not math.isfinite(v):
                        raise PhysicsError(f"`{b.id}.{name}` became {v} at t = {now:.3f} s")
        return events


class PhysicsError(RuntimeError):
    """The simulation produced a non-finite or runaway value; the run stops."""


def at_number(at, dimension: str | None = None) -> float | None:
    """The number an action's `at` gives: a quantity's SI value (only of ``dimension``
    when given) or a bare number; None for a name, a boolean or another dimension."""
    if isinstance(at, m.Quantity):
        return at.si if dimension is None or at.dimension == dimension else None
    if isinstance(at, int | float) and not isinstance(at, bool):
        return float(at)
    return None


def _plain(value) -> StateValue | None:
    if isinstance(value, m.Quantity):
        return value.si
    return value
