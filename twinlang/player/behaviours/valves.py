"""Manual valves: a person turns the handwheel or swings the lever; the opening follows.

Model (domain-facts 5.1):

* **Can one person operate it?**  The force needed at the rim is the breakaway torque
  divided by the handwheel radius; one person manages :data:`MAX_RIM_PULL` (360 N, the
  API 6D handwheel force).  A valve whose handwheel diameter the author did not give is
  taken to be sized the way API 6D requires — just large enough for 360 N, from 200 mm up
  to the 1065 mm maximum — so only a valve the author gave a too-small wheel, or one
  whose breakaway torque even the largest wheel cannot meet, is refused.  A lever
  (ball valve) is refused above :data:`MAX_LEVER_PULL` (MSS SP-91: 670 N on a lever at
  waist level).  Breakaway torque left at the stdlib default is at least 1.5 x the
  running torque (the stdlib's rule).
* **How long it takes.**  After :data:`GRIP_TIME` to take hold and break the valve
  away, a handwheel turns at the rate a person can keep up: power-limited
  (:data:`CRANK_POWER` / running torque) and at most :data:`MAX_TURN_RATE`.  The
  position ramps linearly over the turns; ``Outcome.duration`` is that whole time.  A
  quarter-turn lever swings in :data:`LEVER_SWING_TIME`.
* **What passes.**  ``passes(energy)`` is the valve's inherent flow characteristic at
  its opening: gate valves quick-opening (sqrt(x)), globe valves linear (x), ball valves
  equal-percentage-like ((R^x - 1)/(R - 1), R = 30) — plus, with a leak fault, the
  leak's share of the flow available upstream.  ``flow`` (m^3/s) is that share of the
  flow available from the valve's source (a pump's flow, a process line's flow); with
  no declared source, of a full-bore flow at :data:`LIQUID_VELOCITY`.
* **Faults.**  ``stuck`` (optionally at a position): the valve binds when it reaches
  that position (or where it is) and moves on, toward the last commanded position, once
  the fault clears.  ``leak``: the closed valve passes the given flow.  ``drift``: the
  reading of the state drifts (a sensor fault).  ``lock_failure``: handled by the base.

Sources of a valve (duck-typed, no import of the other modules): its feeders, and the
process lines, tanks and pumps it declares it ``isolates``; a behaviour offering
``available_flow()`` gives the flow available from it.  A valve that ``isolates``
stored-pressure equipment (an accumulator, a vessel, a pneumatic line) is that
equipment's inlet; its ``flow`` is then the equipment's charging ``inflow``.
"""

from __future__ import annotations

import math

from ...bundle import model as m
from .base import Behaviour, Environment, Event, Outcome, StateValue, at_number, register

#: one person's force at the rim of a handwheel, N (API 6D, domain-facts 5.1)
MAX_RIM_PULL = 360.0
#: one person's force on a lever at waist level, N (MSS SP-91 150 lbf, domain-facts 5.1)
MAX_LEVER_PULL = 670.0
#: largest handwheel diameter, m (API 6D 1065 mm, domain-facts 5.1)
MAX_HANDWHEEL = 1.065
#: handwheel diameter assumed when not given and none larger is needed, m (stdlib default)
DEFAULT_HANDWHEEL = 0.200
#: sustained arm-cranking power of one person, W [D]
CRANK_POWER = 50.0
#: fastest a person spins a free-running handwheel, turns/s [D]
MAX_TURN_RATE = 1.0
#: taking hold of the handwheel and breaking the valve away, s [D]
GRIP_TIME = 2.0
#: swinging a quarter-turn lever, s [D]
LEVER_SWING_TIME = 1.5
#: pipe velocities for a full-bore nominal flow, m/s [D] (usual design velocities)
LIQUID_VELOCITY = 2.0
GAS_VELOCITY = 20.0
#: rangeability of the ball valve's equal-percentage-like characteristic [D]
BALL_RANGEABILITY = 30.0
#: a valve at or below this opening is closed (lockable, passes nothing)
CLOSED = 1e-9

_STORED_KINDS = ("Accumulator", "PressureVessel", "PneumaticLine")
_SOURCE_KINDS = ("ProcessLine", "Tank", "Pump")


def bore_area(size: float) -> float:
    """Flow area of a full-bore valve or pipe of nominal size ``size`` (m), m^2."""
    return math.pi / 4.0 * size * size


def lock_owners(b: Behaviour) -> str:
    owners = [o for o in b.devices.get("lock", []) if o]
    return ", ".join(f"`{o}`" for o in owners) if owners else "another person"


class ReadingDrift:
    """Drift faults on states that are only read (sensor drift): an offset that grows by
    ``value`` every ``per`` seconds while the fault is active and is dropped when it clears."""

    def _drift_init(self) -> None:
        self._drift: dict[int, tuple[m.Effect, float]] = {}

    def _drift_step(self, faults: list[m.Effect], dt: float, default_state: str) -> None:
        if not faults and not self._drift:
            return
        active = {id(f): f for f in faults if f.kind == "drift"}
        for key in list(self._drift):
            if key not in active:
                del self._drift[key]
        for key, f in active.items():
            rate = _drift_rate(f)
            effect, offset = self._drift.get(key, (f, 0.0))
            self._drift[key] = (effect, offset + rate * dt)
        self._drift_default = default_state

    def _drift_apply(self, out: dict[str, StateValue]) -> dict[str, StateValue]:
        if not self._drift:
            return out
        failed = {f.state.state for f in getattr(self, "faults", ())
                  if f.kind == "sensor_failure" and f.state is not None}
        for f, offset in self._drift.values():
            name = f.state.state if f.state is not None and f.state.state else None
            name = name or getattr(self, "_drift_default", None)
            if name in out and name not in failed and isinstance(out[name], float):
                out[name] = out[name] + offset
        return out


def _drift_rate(f: m.Effect) -> float:
    """A drift effect's rate in SI units per second."""
    value = f.value.si if isinstance(f.value, m.Quantity) else (
        float(f.value) if isinstance(f.value, int | float) and not isinstance(f.value, bool)
        else 0.0)
    per = f.per.si if f.per is not None and f.per.si > 0 else 1.0
    return value / per


class Valve(ReadingDrift, Behaviour):
    """A manual valve; subclasses give the operator (handwheel or lever) and the
    characteristic."""

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        self.states.setdefault("position", 1.0)
        self.states["position"] = _clip(float(self.states["position"]))
        self.states.setdefault("flow", 0.0)
        #: position the person is turning toward, and the time left to take hold
        self.target: float | None = None
        self.grip_left = 0.0
        self.rate = 0.0  # fraction of full stroke per second while turning
        self._binding_reported = False
        self._asking = False
        self._nominal = bore_area(self.param("size", 0.0508)) * LIQUID_VELOCITY
        self._source_list: list[Behaviour] | None = None
        self._target_list: list[Behaviour] | None = None
        self._drift_init()

    # ------------------------------------------------------------ the operator

    def breakaway_torque(self) -> float:
        raise NotImplementedError

    def operator_check(self) -> str | None:
        """Why one person cannot break the valve away, or None when one can."""
        raise NotImplementedError

    def travel_time(self, distance: float) -> tuple[float, float]:
        """(setup time, stroke fraction per second) to move by ``distance`` (0..1)."""
        raise NotImplementedError

    def characteristic(self, x: float) -> float:
        raise NotImplementedError

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb not in ("open", "close") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if self.locked():
            return Outcome(False, f"`{self.id}` is locked by {lock_owners(self)}; the lock "
                           "must be removed by its owner before the valve is operated")
        why = self.operator_check()
        if why is not None:
            return Outcome(False, why)
        target = 1.0 if verb == "open" else 0.0
        x = at_number(at, "fraction")
        if x is not None and 0.0 <= x <= 1.0:
            target = x
        pos = float(self.states["position"])
        if abs(target - pos) <= CLOSED:
            self.target = None
            return Outcome(True, f"`{self.id}` is already at {pos:.0%}", duration=GRIP_TIME)
        setup, rate = self.travel_time(abs(target - pos))
        self.target, self.grip_left, self.rate = target, setup, rate
        self._binding_reported = False
        return Outcome(True, duration=setup + abs(target - pos) / rate)

    def can_lock(self) -> bool:
        return float(self.states["position"]) <= CLOSED and self.target is None

    # ------------------------------------------------------------ energy

    def _leak(self) -> float:
        """Leak flow of active leak faults, m^3/s."""
        total = 0.0
        for f in self.faults:
            if f.kind == "leak" and isinstance(f.value, m.Quantity):
                total += max(0.0, f.value.si)
        return total

    def opening_share(self) -> float:
        x = float(self.states["position"])
        return 0.0 if x <= CLOSED else _clip(self.characteristic(x))

    def passes(self, energy: str) -> float:
        if energy not in self.eq.transmits:
            return 0.0
        share = self.opening_share()
        leak = self._leak() if self.faults else 0.0
        if leak > 0.0:
            q = self._reference_flow()
            share = share + (leak / q if q > 0.0 else 0.0)  # nothing upstream, no leak
        return _clip(share)

    def nominal_flow(self) -> float:
        return self._nominal

    def _sources(self) -> list[Behaviour]:
        """Feeders, and the lines, tanks and pumps it isolates (the topology is fixed)."""
        if self._source_list is None:
            out = [self.env.behaviours[f] for f in self.env.feeders.get(self.id, [])]
            for t in self.eq.relations.isolates:
                b = self.env.behaviours.get(t)
                if b is not None and b.eq.kind in _SOURCE_KINDS and b not in out:
                    out.append(b)
            self._source_list = out
        return self._source_list

    def _stored_targets(self) -> list[Behaviour]:
        if self._target_list is None:
            out = []
            for t in (*self.eq.relations.isolates, *self.eq.relations.feeds):
                b = self.env.behaviours.get(t)
                if b is not None and b.eq.kind in _STORED_KINDS and b not in out:
                    out.append(b)
            self._target_list = out
        return self._target_list

    def _reference_flow(self) -> float:
        """The flow available to pass (m^3/s): from the sources, or full bore."""
        sources = self._sources()
        if not sources or self._asking:
            return self.nominal_flow()
        self._asking = True  # a loop of sources through this valve ends here
        try:
            best = 0.0
            for b in sources:
                fn = getattr(b, "available_flow", None)
                q = fn() if callable(fn) else b.states.get("flow", 0.0)
                if isinstance(q, float):
                    best = max(best, q)
            return best
        finally:
            self._asking = False

    def _update_flow(self) -> None:
        targets = self._stored_targets()
        if targets and not self._sources():
            q = sum(float(getattr(b, "inflow", 0.0)) for b in targets)
        else:
            q = self.passes(self.eq.transmits[0]) * self._reference_flow() \
                if self.eq.transmits else 0.0
        self.states["flow"] = max(0.0, q)

    def observe(self) -> dict[str, StateValue]:
        self._update_flow()
        return self._drift_apply(super().observe())

    # ------------------------------------------------------------ time

    def _stuck(self) -> m.Effect | None:
        for f in self.faults:
            if f.kind == "stuck" and (f.state is None or f.state.state in (None, "position")):
                return f
        return None

    def step(self, t: float, dt: float) -> list[Event]:
        events: list[Event] = []
        self._drift_step(self.faults, dt, "position")
        if self.target is not None:
            left = dt
            if self.grip_left > 0.0:
                used = min(self.grip_left, left)
                self.grip_left -= used
                left -= used
            if left > 0.0:
                events += self._move(left)
        self._update_flow()
        return events

    def wake(self) -> float | None:
        """A turning handwheel reaches its stop (or the stuck point) at a known time."""
        if self.target is None or self.rate <= 0.0:
            return None
        pos = float(self.states["position"])
        return self.env.t + self.grip_left + abs(float(self.target) - pos) / self.rate

    def _move(self, dt: float) -> list[Event]:
        pos = float(self.states["position"])
        target = float(self.target)
        new = pos + math.copysign(min(abs(target - pos), self.rate * dt), target - pos)
        stuck = self._stuck()
        if stuck is not None:
            at = stuck.value.si if isinstance(stuck.value, m.Quantity) else None
            if at is None or (pos - at) * (new - at) <= 0.0:
                # binds where it is, or on reaching the stuck position
                new = pos if at is None or abs(pos - at) <= CLOSED else _clip(at)
                self.states["position"] = new
                if not self._binding_reported:
                    self._binding_reported = True
                    return [Event("stuck", self.id, {"position": new})]
                return []
        self.states["position"] = new
        if abs(new - target) <= CLOSED:
            self.states["position"] = target
            self.target = None
            return [Event("limit", self.id, {"position": target})]
        return []

    def clear(self, effect: m.Effect) -> None:
        super().clear(effect)
        if effect.kind == "stuck":
            self._binding_reported = False


class HandwheelValve(Valve):
    """Multi-turn valve with a handwheel (gate, globe)."""

    def running_torque(self) -> float:
        return self.param("operating_torque", 40.0)

    def breakaway_torque(self) -> float:
        run = self.running_torque()
        p = self.eq.params.get("breakaway_torque")
        if p is not None and not p.from_default and isinstance(p.value, m.Quantity):
            return max(p.value.si, run)
        default = p.value.si if p is not None and isinstance(p.value, m.Quantity) else 0.0
        return max(default, 1.5 * run)

    def handwheel_diameter(self) -> float:
        p = self.eq.params.get("handwheel_diameter")
        if p is not None and not p.from_default and isinstance(p.value, m.Quantity):
            return p.value.si
        needed = 2.0 * self.breakaway_torque() / MAX_RIM_PULL
        return min(MAX_HANDWHEEL, max(DEFAULT_HANDWHEEL, needed))

    def operator_check(self) -> str | None:
        d = self.handwheel_diameter()
        force = self.breakaway_torque() / (d / 2.0)
        if force <= MAX_RIM_PULL * (1.0 + 1e-9):
            return None
        return (f"`{self.id}` needs {force:.0f} N at the rim of its {d * 1000:.0f} mm handwheel "
                f"to break away, more than one person's {MAX_RIM_PULL:.0f} N; use a valve "
                "wrench or a gear operator, never a cheater bar")

    def travel_time(self, distance: float) -> tuple[float, float]:
        turns = max(1.0, self.param("turns_to_close", 8.0))
        turn_rate = min(MAX_TURN_RATE, CRANK_POWER / (2.0 * math.pi * self.running_torque()))
        return GRIP_TIME, turn_rate / turns


@register("GateValve")
class GateValve(HandwheelValve):
    def characteristic(self, x: float) -> float:
        return math.sqrt(x)  # quick-opening


@register("GlobeValve")
class GlobeValve(HandwheelValve):
    def characteristic(self, x: float) -> float:
        return x  # linear


@register("BallValve")
class BallValve(Valve):
    def breakaway_torque(self) -> float:
        return self.param("breakaway_torque", 49.0)

    def operator_check(self) -> str | None:
        lever = self.param("lever_length", 0.3)
        force = self.breakaway_torque() / lever
        if force <= MAX_LEVER_PULL * (1.0 + 1e-9):
            return None
        return (f"`{self.id}` needs {force:.0f} N on its {lever * 1000:.0f} mm lever to break "
                f"away, more than one person's {MAX_LEVER_PULL:.0f} N; use a gear operator")

    def travel_time(self, distance: float) -> tuple[float, float]:
        return GRIP_TIME / 2.0, 1.0 / LEVER_SWING_TIME

    def characteristic(self, x: float) -> float:
        r = BALL_RANGEABILITY
        return (r ** x - 1.0) / (r - 1.0)


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
