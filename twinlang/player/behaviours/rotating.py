"""Rotating machines: motors, pumps and conveyors — running, coasting, restarting.

A machine runs when it was started and electrical energy reaches it
(``env.supply(id, "electrical") > 0``).  Losing the supply drops the starter out (the
usual three-wire control with undervoltage release): the machine coasts and does not
restart by itself when the supply comes back.  ``start`` / ``try_start`` on a machine
with no supply does nothing; on a supplied one it starts it and the next step emits an
``Event("started")`` (the engine turns it into a critical event when a worker is
exposed).  ``stop`` lets it coast.  While driven, it runs up to rated speed with a net
accelerating torque equal to its rated torque P/w [D].

Coast-down (domain-facts 5.3): J dw/dt = -T_c - b w - c w^2 with the load law

* ``constant`` (positive displacement):  T = T_c, w(t) = w0 - (T_c/J) t, stop at J w0/T_c;
* ``linear`` (compressor): b w plus a Coulomb friction T_c = eps b w0,
  w(t) = (w0 + T_c/b) exp(-b t/J) - T_c/b, stop at (J/b) ln(1 + 1/eps);
* ``quadratic`` (fan, centrifugal pump): c w^2 plus T_c = eps c w0^2,
  w(t) = s tan(atan(w0/s) - sqrt(T_c c) t/J), s = sqrt(T_c/c),
  stop at J/(w0 c sqrt(eps)) atan(1/sqrt(eps));

eps = :data:`FRICTION_SHARE` (the pure linear and quadratic laws only approach zero; the
small friction term makes them stop, domain-facts 5.3).  Each law is calibrated so that
from rated speed the machine stops at ``coast_down``; when that parameter is not given,
the load at rated speed is the rated torque.  Every step uses the exact solution, so the
result does not depend on the time step.

Conveyor: its belt follows the motor that feeds it (speed / rated speed x belt_speed);
its start and stop controls operate that motor.  A conveyor with no motor drives itself
and stops in :data:`BELT_STOP_TIME`.  Pump: flow and discharge pressure follow speed
(affinity laws on a friction system curve: Q ~ w, P ~ w^2); a pump fed by a motor turns
with it.  ``stored()`` is the kinetic energy 1/2 J w^2 (``mechanical``).
"""

from __future__ import annotations

import math
from functools import cached_property

from ...bundle import model as m
from .base import Behaviour, Environment, Event, Outcome, StateValue, register
from .valves import ReadingDrift

#: Coulomb friction as a share of the load torque at rated speed (linear, quadratic) [D]
FRICTION_SHARE = 0.05
#: efficiency x power factor of an induction motor at rated load [D]
EFFICIENCY_PF = 0.75
#: starting (locked-rotor) current / rated current [D]
INRUSH = 6.0
#: pressing a start or stop control and watching the machine, s [D]
CONTROL_TIME = 2.0
#: pump shaft speed (4-pole motor at 60 Hz), rad/s [D]
PUMP_SPEED = 1750.0 * 2.0 * math.pi / 60.0
#: pump and motor rotor inertia per kW of rated power, kg m^2 [D]
PUMP_INERTIA_PER_KW = 0.005
#: belt and idlers moving with it, kg per metre of belt run [D]
BELT_MASS_PER_M = 10.0
#: a self-driven conveyor stops in this time, s [D]
BELT_STOP_TIME = 2.0


class CoastLaw:
    """J dw/dt = -(T_c + b w + c w^2), calibrated to stop from ``w0`` at ``t_stop``."""

    def __init__(self, law: str, inertia: float, w0: float, t_stop: float) -> None:
        self.law, self.j, self.w0, self.t_stop = law, inertia, w0, max(0.0, t_stop)
        self.tc = self.b = self.c = 0.0
        eps, t = FRICTION_SHARE, self.t_stop
        if t <= 0.0 or w0 <= 0.0:
            return
        if law == "constant":
            self.tc = inertia * w0 / t
        elif law == "linear":
            self.b = inertia * math.log(1.0 + 1.0 / eps) / t
            self.tc = eps * self.b * w0
        else:
            self.c = inertia * math.atan(1.0 / math.sqrt(eps)) / (t * w0 * math.sqrt(eps))
            self.tc = eps * self.c * w0 * w0

    @classmethod
    def from_load(cls, law: str, inertia: float, w0: float, torque: float) -> CoastLaw:
        """The law whose load torque at ``w0`` (friction included) is ``torque``."""
        eps = FRICTION_SHARE
        if torque <= 0.0:
            return cls(law, inertia, w0, 0.0)
        if law == "constant":
            t = inertia * w0 / torque
        elif law == "linear":
            b = torque / (w0 * (1.0 + eps))
            t = inertia / b * math.log(1.0 + 1.0 / eps)
        else:
            c = torque / (w0 * w0 * (1.0 + eps))
            t = inertia * math.atan(1.0 / math.sqrt(eps)) / (w0 * c * math.sqrt(eps))
        return cls(law, inertia, w0, t)

    def torque(self, w: float) -> float:
        return self.tc + self.b * w + self.c * w * w if w > 0.0 else 0.0

    def advance(self, w: float, dt: float) -> float:
        """Speed after coasting ``dt`` s from ``w`` (exact)."""
        if w <= 0.0 or self.t_stop <= 0.0:
            return 0.0
        j = self.j
        if self.law == "constant":
            out = w - self.tc / j * dt
        elif self.law == "linear":
            wc = self.tc / self.b
            out = (w + wc) * math.exp(-self.b / j * dt) - wc
        else:
            s = math.sqrt(self.tc / self.c)
            theta = math.atan(w / s) - math.sqrt(self.tc * self.c) / j * dt
            out = s * math.tan(theta) if theta > 0.0 else 0.0
        return max(0.0, out)


class Rotor(ReadingDrift, Behaviour):
    """A machine with its own motor: started by its controls, coasting without supply."""

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        #: machine constants (the parameters do not change during a run)
        self.wr, self.j = self.rated_speed(), self.inertia()
        self.tr = self.rated_power() / self.wr
        running = self.states.get("status", "running") == "running"
        if not isinstance(self.states.get("speed"), float):
            self.states["speed"] = self.wr if running else 0.0
        self.states["status"] = "running" if running else "stopped"
        #: the starter is latched in (start pressed, supply present since)
        self.latched = running
        self._events: list[Event] = []
        self._coast: CoastLaw | None = None
        self._drift_init()
        self.outputs(float(self.states["speed"]))

    # ------------------------------------------------------------ machine data

    def rated_speed(self) -> float:
        raise NotImplementedError

    def inertia(self) -> float:
        raise NotImplementedError

    def law(self) -> str:
        raise NotImplementedError

    def rated_power(self) -> float:
        return self.param("rated_power", 7500.0)

    def coast(self) -> CoastLaw:
        if self._coast is None:
            t = self.params.get("coast_down")
            if isinstance(t, float):
                self._coast = CoastLaw(self.law(), self.j, self.wr, t)
            else:
                self._coast = CoastLaw.from_load(self.law(), self.j, self.wr, self.tr)
        return self._coast

    def energized(self) -> bool:
        return self.env.supply(self.id, "electrical") > 0.0

    def stuck(self) -> bool:
        return any(f.kind == "stuck" for f in self.faults)

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb not in ("start", "try_start", "stop") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if self.stuck():
            return Outcome(True, f"`{self.id}` does not respond to its controls",
                           duration=CONTROL_TIME)
        if verb == "stop":
            self.latched = False
            return Outcome(True, duration=CONTROL_TIME)
        if not self.energized():
            return Outcome(True, f"`{self.id}` does not start: no energy reaches it",
                           duration=CONTROL_TIME)
        if not self.latched:
            self.latched = True
            self._events.append(Event("started", self.id, {"verb": verb, "actor": actor}))
        return Outcome(True, duration=CONTROL_TIME)

    # ------------------------------------------------------------ time

    def step(self, t: float, dt: float) -> list[Event]:
        events, self._events = self._events, []
        self._drift_step(self.faults, dt, "speed")
        if self.latched and not self.energized():
            self.latched = False  # undervoltage release: no restart when supply returns
            events.append(Event("deenergized", self.id, {}))
        w = float(self.states["speed"])
        wr = self.wr
        if self.latched:
            w = min(wr, w + self.tr / self.j * dt) if w < wr else wr
        elif w > 0.0:
            w = self.coast().advance(w, dt)
            if w == 0.0:
                events.append(Event("stopped", self.id, {}))
        self.states["speed"] = w
        self.states["status"] = "running" if self.latched else "stopped"
        self.outputs(w)
        return events

    def outputs(self, w: float) -> None:
        """Derived states (current, flow, ...) from the speed."""

    def observe(self) -> dict[str, StateValue]:
        return self._drift_apply(super().observe())

    def stored(self) -> dict[str, float]:
        w = float(self.states["speed"])
        return {"mechanical": 0.5 * self.j * w * w}


@register("Motor")
class Motor(Rotor):
    def rated_speed(self) -> float:
        return self.param("rated_speed", 1750.0 * 2.0 * math.pi / 60.0)

    def inertia(self) -> float:
        return self.param("rotor_inertia", 0.05)

    def law(self) -> str:
        v = self.params.get("load_torque_law")
        return v if v in ("constant", "linear", "quadratic") else "quadratic"

    @cached_property
    def rated_current(self) -> float:
        v = self.param("rated_voltage", 480.0)
        return self.rated_power() / (math.sqrt(3.0) * v * EFFICIENCY_PF)

    def outputs(self, w: float) -> None:
        if not self.latched:
            self.states["current"] = 0.0
        elif w < self.wr:
            self.states["current"] = INRUSH * self.rated_current
        else:
            self.states["current"] = self.rated_current


def _motors(b: Behaviour) -> list[Motor]:
    return [x for f in b.env.feeders.get(b.id, [])
            if isinstance(x := b.env.behaviours[f], Motor)]


def _forward(b: Behaviour, motors: list[Motor], verb: str, actor: str | None) -> Outcome:
    """A driven machine's start/stop controls operate the motors that drive it."""
    outcomes = [mo.act(verb, actor=actor) for mo in motors]
    refused = [o for o in outcomes if not o.accepted]
    if refused:
        return refused[0]
    reasons = "; ".join(o.reason for o in outcomes if o.reason)
    return Outcome(True, reasons, duration=max(o.duration for o in outcomes))


@register("Pump")
class Pump(Rotor):
    def rated_speed(self) -> float:
        return PUMP_SPEED

    def inertia(self) -> float:
        return PUMP_INERTIA_PER_KW * self.rated_power() / 1000.0

    def law(self) -> str:
        return "constant" if self.params.get("pump_type") == "positive_displacement" \
            else "quadratic"

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        motors = _motors(self)
        if motors and verb in ("start", "try_start", "stop") and verb in self.eq.actions:
            return _forward(self, motors, verb, actor)
        return super().act(verb, actor=actor, to=to, at=at)

    def step(self, t: float, dt: float) -> list[Event]:
        motors = _motors(self)
        if not motors:
            return super().step(t, dt)
        self._drift_step(self.faults, dt, "speed")
        x = max(mo.states["speed"] / mo.wr for mo in motors)
        self.latched = any(mo.latched for mo in motors)
        self.states["speed"] = x * self.wr
        self.states["status"] = "running" if self.latched else "stopped"
        self.outputs(self.states["speed"])
        return []

    @cached_property
    def rated(self) -> tuple[float, float]:
        """(rated flow m^3/s, rated pressure Pa)."""
        return self.param("rated_flow", 20.0 / 3600.0), self.param("rated_pressure", 4e5)

    def outputs(self, w: float) -> None:
        x = max(0.0, w / self.wr)
        q, p = self.rated
        self.states["flow"] = q * x
        self.states["discharge_pressure"] = p * x * x

    def available_flow(self) -> float:
        return float(self.states["flow"])

    def passes(self, energy: str) -> float:
        if energy not in self.eq.transmits:
            return 1.0
        x = float(self.states["speed"]) / self.wr
        return min(1.0, max(0.0, x * x))


@register("Conveyor")
class Conveyor(ReadingDrift, Behaviour):
    """A belt conveyor driven by the motor that feeds it (or by its own drive)."""

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        running = self.states.get("status", "running") == "running"
        if not isinstance(self.states.get("speed"), float):
            self.states["speed"] = self.param("belt_speed", 1.5) if running else 0.0
        self.states["status"] = "running" if running else "stopped"
        self.latched = running
        self._events: list[Event] = []
        self._drift_init()

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb not in ("start", "try_start", "stop") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        motors = _motors(self)
        if motors:
            return _forward(self, motors, verb, actor)
        if verb == "stop":
            self.latched = False
        elif self.env.supply(self.id, "electrical") <= 0.0:
            return Outcome(True, f"`{self.id}` does not start: no energy reaches it",
                           duration=CONTROL_TIME)
        elif not self.latched:
            self.latched = True
            self._events.append(Event("started", self.id, {"verb": verb, "actor": actor}))
        return Outcome(True, duration=CONTROL_TIME)

    def step(self, t: float, dt: float) -> list[Event]:
        events, self._events = self._events, []
        self._drift_step(self.faults, dt, "speed")
        v_rated = self.param("belt_speed", 1.5)
        motors = _motors(self)
        if motors:
            x = max(mo.states["speed"] / mo.wr for mo in motors)
            self.states["speed"] = x * v_rated
            self.states["status"] = "running" if any(mo.latched for mo in motors) \
                else "stopped"
            return events
        if self.latched and self.env.supply(self.id, "electrical") <= 0.0:
            self.latched = False
        v = float(self.states["speed"])
        v = v_rated if self.latched else max(0.0, v - v_rated / BELT_STOP_TIME * dt)
        self.states["speed"] = v
        self.states["status"] = "running" if self.latched else "stopped"
        return events

    def observe(self) -> dict[str, StateValue]:
        return self._drift_apply(super().observe())

    def stored(self) -> dict[str, float]:
        v = float(self.states["speed"])
        mass = 2.0 * self.param("length", 12.0) * BELT_MASS_PER_M
        return {"mechanical": 0.5 * mass * v * v}
