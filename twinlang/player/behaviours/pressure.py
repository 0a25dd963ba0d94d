"""Stored fluid pressure: vessels, accumulators, air lines, process lines and tanks.

Pressures are gauge (Pa), as the bundle gives them; the physics uses absolute pressure
with :data:`P_ATM`.

* **Gas** (PressureVessel, PneumaticLine), domain-facts 5.2: isothermal blowdown through
  the bleed orifice, dP/dt = -(R T / V) mdot.  Choked while P/P_atm >= ((g+1)/2)^(g/(g-1))
  (1.893 for air): P(t) = P0 exp(-t/tau), tau = V / (Cd A c*), integrated exactly; then
  subsonic, mdot = Cd A P sqrt(2g/((g-1) R T) (r^(2/g) - r^((g+1)/g))), r = P_atm/P,
  integrated with RK4 substeps, to atmospheric in finite time.
* **Accumulator** (gas-charged, liquid side), domain-facts 5.2: the gas follows
  P V^n = const from the precharge P0 at the full volume V0; the liquid leaves through the
  bleed orifice, Q = Cd A sqrt(2 dP / rho), so dP/dt = -(n P / V_gas) Q (RK4 substeps
  that keep each relative change small).  When the gas reaches the precharge the liquid
  is gone and the fluid port drains to zero with :data:`TAU_PORT`.
* **Bleeding** starts with the ``bleed`` action (:data:`BLEED_OPEN_TIME` to open the
  bleed valve) and lasts until the pressure is relieved; the person then shuts the bleed
  valve (so trapped fluid that creeps back shows on the gauge).
* **Re-accumulation**: equipment is fed through its inlets — its feeders and the devices
  that declare they ``isolate`` it (the valve between the supply and it).  With inlet
  share s (the best inlet's ``passes`` times the supply reaching that inlet), the
  pressure relaxes toward the supply pressure (working, design or supply pressure) with
  rate s / tau_feed (:data:`TAU_FEED`, charging limited by the supply) — exactly, so
  any time step is stable.  Equipment with no declared inlet is not refilled.
* **Faults**: ``leak`` adds a leak orifice sized to pass the given flow at the supply
  pressure; ``drift`` makes the pressure itself creep by value per ``per`` (trapped
  fluid bleeding back through a check valve); ``stuck`` blocks the bleed path (the state
  no longer follows the bleed action).

ProcessLine: its pressure follows what feeds it — operating pressure times the share of
chemical energy reaching it (a pump passes (speed/rated)^2) — with :data:`TAU_LINE`;
``drain`` relieves it with :data:`TAU_DRAIN`.  Tank: drained through a
:data:`TANK_DRAIN` nozzle by Torricelli's law; filled by the flow of its feeders.
"""

from __future__ import annotations

import math

from ...bundle import model as m
from .base import Behaviour, Environment, Event, Outcome, StateValue, register
from .valves import GAS_VELOCITY, LIQUID_VELOCITY, bore_area

P_ATM = 101_325.0  # Pa
R_AIR = 287.05  # J/(kg K), specific gas constant of air
GAMMA = 1.4  # air
RHO_OIL = 870.0  # kg/m^3, mineral hydraulic oil [D]
RHO_LIQUID = 1000.0  # kg/m^3, tank contents (water-like) [D]
G = 9.80665
#: opening a bleed valve, s [D]
BLEED_OPEN_TIME = 5.0
#: the fluid port of an empty accumulator drains to zero with this time constant, s [D]
TAU_PORT = 0.1
#: charging time constants through a fully open inlet, s [D] (supply-limited)
TAU_FEED = {"Accumulator": 5.0, "PressureVessel": 60.0, "PneumaticLine": 1.0}
#: a process line follows its supply / drains with these time constants, s [D]
TAU_LINE = 1.0
TAU_DRAIN = 10.0
#: tank drain nozzle diameter, m (2 in) [D]; sharp-edged Cd
TANK_DRAIN = 0.0508
#: pressure at or below which a bleed or drain is finished, Pa
RELIEVED = 1.0
#: largest relative change of pressure per RK4 substep
_MAX_REL = 0.01

CHOKE_RATIO = ((GAMMA + 1.0) / 2.0) ** (GAMMA / (GAMMA - 1.0))  # 1.893 for air
_CSTAR_FACTOR = (2.0 / (GAMMA + 1.0)) ** ((GAMMA + 1.0) / (2.0 * (GAMMA - 1.0)))  # 0.579


def c_star(temperature: float) -> float:
    """Characteristic velocity sqrt(g R T) (2/(g+1))^((g+1)/(2(g-1))), m/s."""
    return math.sqrt(GAMMA * R_AIR * temperature) * _CSTAR_FACTOR


def _rk4(f, y: float, h: float) -> float:
    k1 = f(y)
    k2 = f(y + 0.5 * h * k1)
    k3 = f(y + 0.5 * h * k2)
    k4 = f(y + h * k3)
    return y + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0


class StoredPressure(Behaviour):
    """Base of equipment holding fluid under pressure that a person can bleed."""

    energy = "pneumatic"
    supply_param = "design_pressure"

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        if not isinstance(self.states.get("pressure"), float):
            self.states["pressure"] = max(0.0, self.param(self.supply_param, 0.0))
        self.bleeding = False
        self._inlets: list[str] | None = None
        #: charging flow from the inlets in the last step, m^3/s (read by the inlet valve)
        self.inflow = 0.0

    # ------------------------------------------------------------ model pieces

    def supply_pressure(self) -> float:
        return self.param(self.supply_param, 0.0)

    def orifice_cda(self) -> float:
        """Cd x A of the bleed orifice, m^2."""
        d = self.param("bleed_orifice", 0.006)
        return self.param("discharge_coefficient", 0.62) * bore_area(d)

    def leak_cda(self) -> float:
        """Cd x A of a leak passing the faults' flow at the supply pressure, m^2."""
        q = sum(max(0.0, f.value.si) for f in self.faults
                if f.kind == "leak" and isinstance(f.value, m.Quantity))
        return q / self.flow_velocity(self.supply_pressure()) if q > 0.0 else 0.0

    def flow_velocity(self, p_gauge: float) -> float:
        """Volume flow per unit Cd A at gauge pressure ``p_gauge``, m/s."""
        raise NotImplementedError

    def discharge(self, p: float, cda: float, dt: float) -> float:
        """The gauge pressure after ``dt`` s of discharge through ``cda`` from ``p``."""
        raise NotImplementedError

    def stuck(self) -> bool:
        return any(f.kind == "stuck" for f in self.faults)

    def inlet_share(self) -> float:
        """Share of the supply reaching the equipment through its inlets (0..1)."""
        if self._inlets is None:
            inlets = list(self.env.feeders.get(self.id, []))
            inlets += [e.id for e in self.env.bundle.equipment
                       if self.id in e.relations.isolates and e.id not in inlets]
            self._inlets = inlets
        best = 0.0
        for i in self._inlets:
            b = self.env.behaviours.get(i)
            if b is not None:
                best = max(best, b.passes(self.energy) * self.env.supply(i, self.energy))
        return best

    def stored_volume(self, p: float) -> float:
        """Fluid volume held (liquid, or gas at vessel conditions), for ``inflow``."""
        raise NotImplementedError

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb == "bleed" and verb in self.eq.actions:
            if self.stuck():
                return Outcome(True, f"the bleed path of `{self.id}` is blocked",
                               duration=BLEED_OPEN_TIME)
            if float(self.states["pressure"]) <= RELIEVED and self.inlet_share() == 0.0:
                return Outcome(True, f"`{self.id}` holds no pressure", duration=BLEED_OPEN_TIME)
            self.bleeding = True
            return Outcome(True, duration=BLEED_OPEN_TIME)
        return super().act(verb, actor=actor, to=to, at=at)

    # ------------------------------------------------------------ time

    def step(self, t: float, dt: float) -> list[Event]:
        events: list[Event] = []
        p = float(self.states["pressure"])
        cda = self.leak_cda()
        if self.bleeding and not self.stuck():
            cda += self.orifice_cda()
        if cda > 0.0 and p > 0.0:
            p = self.discharge(p, cda, dt)
        for f in self.faults:
            if f.kind == "drift" and (f.state is None or f.state.state in (None, "pressure")):
                p += _rate(f) * dt
        p = max(0.0, p)
        share = self.inlet_share()
        before = p
        if share > 0.0:
            target = self.supply_pressure()
            p = target + (p - target) * math.exp(-share * dt / TAU_FEED[self.eq.kind])
        self.inflow = max(0.0, self.stored_volume(p) - self.stored_volume(before)) / dt \
            if dt > 0 else 0.0
        if self.bleeding and p <= RELIEVED and share == 0.0:
            self.bleeding = False
            p = 0.0
            events.append(Event("released", self.id, {"energy": self.energy}))
        self.states["pressure"] = p
        return events


class GasVessel(StoredPressure):
    """Air under pressure: isothermal choked/subsonic blowdown (domain-facts 5.2)."""

    def volume(self) -> float:
        return self.param("volume", 1.0)

    def temperature(self) -> float:
        return self.param("gas_temperature", 293.15)

    def tau(self, cda: float | None = None) -> float:
        """Choked-flow time constant V / (Cd A c*), s."""
        cda = self.orifice_cda() if cda is None else cda
        return self.volume() / (cda * c_star(self.temperature()))

    def flow_velocity(self, p_gauge: float) -> float:
        return c_star(self.temperature())  # choked: volume flow at vessel conditions / CdA

    def stored_volume(self, p: float) -> float:
        # gas at the vessel's conditions that the inflow added, as free (atmospheric) air
        return self.volume() * (p + P_ATM) / P_ATM

    def rate(self, pa: float, cda: float) -> float:
        """dP_abs/dt in the subsonic regime."""
        if pa <= P_ATM:
            return 0.0
        r = P_ATM / pa
        g = GAMMA
        term = r ** (2.0 / g) - r ** ((g + 1.0) / g)
        return -(cda / self.volume()) * pa * math.sqrt(
            2.0 * g * R_AIR * self.temperature() / (g - 1.0) * max(term, 0.0))

    def discharge(self, p: float, cda: float, dt: float) -> float:
        pa = p + P_ATM
        k = 1.0 / self.tau(cda)
        p_crit = P_ATM * CHOKE_RATIO
        left = dt
        if pa > p_crit:
            t_crit = math.log(pa / p_crit) / k
            if t_crit >= left:
                return pa * math.exp(-k * left) - P_ATM
            pa, left = p_crit, left - t_crit
        h_max = 0.05 / k
        while left > 0.0 and pa > P_ATM * (1.0 + 1e-9):
            h = min(left, h_max)
            new = _rk4(lambda y: self.rate(y, cda), pa, h)
            if new <= P_ATM or not math.isfinite(new):
                return 0.0
            pa, left = new, left - h
        return max(0.0, pa - P_ATM)

    def stored(self) -> dict[str, float]:
        # Brode: energy of an adiabatic expansion to atmosphere, (P - Patm) V / (g - 1)
        p = float(self.states["pressure"])
        return {self.energy: max(0.0, p) * self.volume() / (GAMMA - 1.0)}


@register("PressureVessel")
class PressureVessel(GasVessel):
    energy = "pneumatic"
    supply_param = "design_pressure"


@register("PneumaticLine")
class PneumaticLine(GasVessel):
    energy = "pneumatic"
    supply_param = "supply_pressure"

    def volume(self) -> float:
        return self.param("volume", 0.002)


@register("Accumulator")
class Accumulator(StoredPressure):
    """Gas-charged accumulator, liquid side (domain-facts 5.2)."""

    energy = "hydraulic"
    supply_param = "working_pressure"

    def p0(self) -> float:
        """Absolute precharge, Pa."""
        return self.param("precharge", 9e6) + P_ATM

    def v0(self) -> float:
        return self.param("volume", 0.01)

    def n(self) -> float:
        return self.param("polytropic_index", 1.0)

    def gas_volume(self, pa: float) -> float:
        return self.v0() * (self.p0() / pa) ** (1.0 / self.n()) if pa > self.p0() else self.v0()

    def stored_volume(self, p: float) -> float:
        return self.v0() - self.gas_volume(p + P_ATM)

    def flow_velocity(self, p_gauge: float) -> float:
        return math.sqrt(2.0 * max(p_gauge, 0.0) / RHO_OIL)

    def rate(self, pa: float, cda: float) -> float:
        """dP_abs/dt while liquid is left: -(n P / V_gas) Cd A sqrt(2 dP / rho)."""
        q = cda * self.flow_velocity(pa - P_ATM)
        return -self.n() * pa / self.gas_volume(pa) * q

    def discharge(self, p: float, cda: float, dt: float) -> float:
        pa, p0, left = p + P_ATM, self.p0(), dt
        while left > 0.0 and pa > p0:
            r = self.rate(pa, cda)
            h = min(left, _MAX_REL * pa / -r) if r < 0.0 else left
            new = _rk4(lambda y: self.rate(y, cda), pa, h)
            if new <= p0:
                # the gas reaches the precharge within this substep: the liquid is gone
                h = h * (pa - p0) / (pa - new)
                pa, left = p0, max(0.0, left - h)
                break
            pa, left = new, left - h
        if pa > p0:
            return pa - P_ATM
        # empty: the fluid port and line drain to zero (faster through a larger opening)
        tau = TAU_PORT * self.orifice_cda() / cda
        return (pa - P_ATM) * math.exp(-left / tau)

    def stored(self) -> dict[str, float]:
        """Work the gas can still do pushing liquid out against the atmosphere, J."""
        pa = float(self.states["pressure"]) + P_ATM
        if pa <= self.p0():
            return {self.energy: 0.0}
        vg, v0, n = self.gas_volume(pa), self.v0(), self.n()
        if abs(n - 1.0) < 1e-9:
            work = pa * vg * math.log(v0 / vg)
        else:
            work = pa * vg / (n - 1.0) * (1.0 - (vg / v0) ** (n - 1.0))
        return {self.energy: max(0.0, work - P_ATM * (v0 - vg))}


@register("ProcessLine")
class ProcessLine(Behaviour):
    """A pipe whose pressure follows its supply; ``drain`` relieves it."""

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        if not isinstance(self.states.get("pressure"), float):
            self.states["pressure"] = self.param("operating_pressure", 0.0)
        self.states.setdefault("flow", 0.0)
        self.draining = False
        self._outlets: list[Behaviour] | None = None
        v = GAS_VELOCITY if self.params.get("phase") == "gas" else LIQUID_VELOCITY
        self._nominal = bore_area(self.param("size", 0.0508)) * v
        self._p_op = self.param("operating_pressure", 0.0)

    def nominal_flow(self) -> float:
        return self._nominal

    def available_flow(self) -> float:
        """Flow the line can deliver: its pumps' or feeders' flow, else full bore at the
        line's pressure (m^3/s)."""
        feeders = [self.env.behaviours[f] for f in self.env.feeders.get(self.id, [])]
        if feeders:
            best = 0.0
            for b in feeders:
                fn = getattr(b, "available_flow", None)
                q = fn() if callable(fn) else b.states.get("flow", 0.0)
                if isinstance(q, float):
                    best = max(best, q * self.env.supply(b.id, "chemical"))
            return best
        p_op = self._p_op
        p = float(self.states["pressure"])
        return self._nominal * (math.sqrt(p / p_op) if p_op > 0.0 else 0.0)

    def _outlet_share(self) -> float:
        if self._outlets is None:
            outlets = [e.id for e in self.env.bundle.equipment
                       if self.id in e.relations.isolates]
            outlets += list(self.eq.relations.feeds)
            self._outlets = [self.env.behaviours[o] for o in outlets
                             if o in self.env.behaviours]
        if not self._outlets:
            return 1.0
        return max(b.passes("chemical") for b in self._outlets)

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb == "drain" and verb in self.eq.actions:
            if float(self.states["pressure"]) <= RELIEVED \
                    and self.env.supply(self.id, "chemical") * self._p_op <= RELIEVED:
                return Outcome(True, f"`{self.id}` holds no pressure", duration=BLEED_OPEN_TIME)
            self.draining = True
            return Outcome(True, duration=BLEED_OPEN_TIME)
        return super().act(verb, actor=actor, to=to, at=at)

    def step(self, t: float, dt: float) -> list[Event]:
        p = float(self.states["pressure"])
        target = self._p_op * self.env.supply(self.id, "chemical")
        p = target + (p - target) * math.exp(-dt / TAU_LINE)
        if self.draining:
            p *= math.exp(-dt / TAU_DRAIN)
        if target == 0.0 and p < 1e-6:
            p = 0.0  # relieved: no denormal tail
        for f in self.faults:
            if f.kind == "drift" and (f.state is None or f.state.state in (None, "pressure")):
                p += _rate(f) * dt
        events = []
        if self.draining and p <= RELIEVED and target <= RELIEVED:
            self.draining, p = False, 0.0
            events.append(Event("released", self.id, {"energy": "chemical"}))
        self.states["pressure"] = max(0.0, p)
        self.states["flow"] = self.available_flow() * self._outlet_share()
        return events


@register("Tank")
class Tank(Behaviour):
    """A tank drained through a nozzle (Torricelli) and filled by its feeders."""

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        self.states["level"] = min(1.0, max(0.0, float(self.states.get("level", 0.0))))
        self.states.setdefault("pressure", 0.0)
        self.draining = False
        self._full_reported = False

    def area(self) -> float:
        return self.param("volume", 1.0) / self.param("height", 3.0)

    def drain_k(self) -> float:
        """dh/dt = -k sqrt(h) while draining: k = Cd a sqrt(2 g) / A_tank."""
        return 0.62 * bore_area(TANK_DRAIN) * math.sqrt(2.0 * G) / self.area()

    def inflow(self) -> float:
        q = 0.0
        for f in self.env.feeders.get(self.id, []):
            v = self.env.behaviours[f].states.get("flow", 0.0)
            if isinstance(v, float):
                q += max(0.0, v)
        return q

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb == "drain" and verb in self.eq.actions:
            self.draining = True
            return Outcome(True, duration=BLEED_OPEN_TIME)
        return super().act(verb, actor=actor, to=to, at=at)

    def step(self, t: float, dt: float) -> list[Event]:
        height = self.param("height", 3.0)
        h = float(self.states["level"]) * height
        events = []
        if self.draining and h > 0.0:
            # exact: sqrt(h) falls linearly at k/2
            s = math.sqrt(h) - 0.5 * self.drain_k() * dt
            h = s * s if s > 0.0 else 0.0
        h += self.inflow() * dt / self.area()
        if h >= height:
            h = height
            if not self._full_reported:
                self._full_reported = True
                events.append(Event("limit", self.id, {"level": 1.0}))
        else:
            self._full_reported = False
        for f in self.faults:
            if f.kind == "drift":
                name = f.state.state if f.state is not None and f.state.state else "pressure"
                if name == "pressure":
                    self.states["pressure"] = max(0.0, float(self.states["pressure"])
                                                  + _rate(f) * dt)
        self.states["level"] = h / height
        return events

    def stored(self) -> dict[str, float]:
        """Potential energy of the contents above the drain, rho g A h^2 / 2 (J)."""
        h = float(self.states["level"]) * self.param("height", 3.0)
        return {"chemical": 0.5 * RHO_LIQUID * G * self.area() * h * h}


def _rate(f: m.Effect) -> float:
    value = f.value.si if isinstance(f.value, m.Quantity) else 0.0
    per = f.per.si if f.per is not None and f.per.si > 0 else 1.0
    return value / per
