"""Confined spaces and their atmosphere: ventilation, gas detectors, retrieval systems.

Models (SI; concentrations as ratios, % LEL as 0..1; [D] marks a value chosen here):

* ConfinedSpace: one well-mixed volume V per space (domain-facts 5.4).  Each observed
  species x (oxygen, lel, h2s, co) obeys

      V dx/dt = Q' (x_fresh - x) + F (y - x) + V r

  with Q' = sum of the delivered flows of the blowers that feed it (or stand in it), each
  divided by its mixing factor K; F the volume flow of gas leaking in, y that gas's value
  of x; r a drift source (state units per second).  Outflow equals inflow (the space is at
  atmospheric pressure).  The update is exact: x -> x_ss + (x - x_ss) exp(-(Q' + F) dt / V),
  x_ss = (Q' x_fresh + F y + V r) / (Q' + F).  Purge with no leak: C(t) = C_fresh +
  (C0 - C_fresh) exp(-Q' t / V); a small leak G = F y into fresh air: C_ss ~ G / Q'.
  `lel` is the Le Chatelier sum of each flammable gas's fraction over its LFL.
* Leaks: a `leak` fault with a flow value on the space, or on equipment that feeds it
  (a passing valve), brings in the gases found upstream (the `contains` of the leaking
  equipment, of what it isolates and of its feeders, skipping liquid lines), else the
  gases the space `contains`.  The bundle gives no composition: the gases share the leak
  flow equally [D, stopgap].  A substance with none of the four properties (nitrogen)
  only displaces oxygen.
* GasDetector: reads the space it is `located_in` (else the only confined space, else
  fresh air) through its sample tubing: a transport delay t_d = tubing volume / pump flow
  (3.2 mm bore, domain-facts 5.5), then a first-order lag y' = (x - y) / tau per sensor,
  tau = T90 / ln 10, integrated exactly for a piecewise-linear input.  Alarms (events) when
  the alarm level or the gases in alarm change; `drift` adds an offset growing at value / per;
  `sensor_failure` fixes a reading (0 when no value); a bump test fails on a failed sensor.
* VentilationBlower: delivers rated_flow x (1 - duct_loss) while started and supplied.
* RetrievalSystem: rig / attach / retrieve over the portal; retrieving brings an entrant
  out of the space.
"""

from __future__ import annotations

import math
from collections import deque

from ...bundle import model as m
from .base import Event, Outcome, _plain, register
from .electrical import FaultAware

SPECIES = ("oxygen", "lel", "h2s", "co")
FRESH = {"oxygen": 0.209, "lel": 0.0, "h2s": 0.0, "co": 0.0}
LN10 = math.log(10.0)

#: substance ids read as the detector's species (stdlib chemicals names and short forms)
H2S_IDS = frozenset({"hydrogen_sulfide", "h2s"})
CO_IDS = frozenset({"carbon_monoxide", "co"})
O2_IDS = frozenset({"oxygen", "o2"})

#: prohibited conditions for entrants: 1910.146(b) oxygen 19.5-23.5 %, flammable 10 % LEL;
#: toxics at the detector low alarms (Industrial Scientific defaults, domain-facts 2.10)
LIMITS = {"oxygen_low": 0.195, "oxygen_high": 0.235, "lel": 0.10, "h2s": 10e-6, "co": 35e-6}

#: entering / leaving down the portal ladder [D]
ENTRY_TIME = 10.0
CLIMB_SPEED = 0.3
#: sample tubing bore (domain-facts 5.5: 3.2 mm ID assumed)
TUBE_BORE = 3.2e-3
#: detector actions [D]
MEASURE_TIME = 10.0
BUMP_TEST_TIME = 60.0
#: blower start/stop at its switch [D]
BLOWER_SWITCH_TIME = 2.0
#: retrieval system [D]: tripod set-up, clipping on, winch speed
RIG_TIME = 300.0
ATTACH_TIME = 30.0
RETRIEVE_BASE = 30.0
WINCH_SPEED = 0.15


def _spaces(env) -> list[ConfinedSpace]:
    return [b for b in env.behaviours.values() if isinstance(b, ConfinedSpace)]


def space_of(b: FaultAware) -> ConfinedSpace | None:
    """The space a detector or rescue device works in: `located_in`, a space it feeds,
    else the scenario's only confined space."""
    env = b.env
    rel = b.eq.relations
    for sid in [rel.located_in, *rel.feeds]:
        s = env.behaviours.get(sid) if sid else None
        if isinstance(s, ConfinedSpace):
            return s
    spaces = _spaces(env)
    return spaces[0] if len(spaces) == 1 else None


def composition(env, substances: list[str]) -> dict[str, float]:
    """The four species of a gas made of ``substances`` in equal shares."""
    y = dict.fromkeys(SPECIES, 0.0)
    if not substances:
        return y
    known = {s.id: s for s in env.bundle.substances}
    w = 1.0 / len(substances)
    for sid in substances:
        if sid in O2_IDS:
            y["oxygen"] += w
        elif sid == "air":
            y["oxygen"] += w * FRESH["oxygen"]
        if sid in H2S_IDS:
            y["h2s"] += w
        if sid in CO_IDS:
            y["co"] += w
        sub = known.get(sid)
        lfl = sub.properties.get("lfl") if sub is not None else None
        lfl = lfl.si if isinstance(lfl, m.Quantity) else lfl
        if isinstance(lfl, int | float) and lfl > 0:
            y["lel"] += w / float(lfl)
    return y


def _flow(e: m.Effect) -> float:
    v = e.value
    if isinstance(v, m.Quantity) and v.dimension == "flow" and v.si > 0:
        return v.si
    return 0.0


@register("ConfinedSpace")
class ConfinedSpace(FaultAware):
    """Well-mixed atmosphere of a confined space, and who is inside."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        for sp in SPECIES:
            self.states.setdefault(sp, FRESH[sp])
        self.states.setdefault("occupants", 0.0)
        self._leaving = 0
        self._reported: tuple[str, ...] = ()
        self._topology: tuple | None = None

    @property
    def volume(self) -> float:
        return max(self.param("volume", 1.0), 1e-6)

    # ------------------------------------------------------------ ventilation and leaks

    def topology(self) -> tuple[list[VentilationBlower], list[tuple], dict[str, float]]:
        """(blowers, (feeder, composition of what it would leak) pairs, composition of the
        space's own gases), found once: the relations do not change during a run."""
        if self._topology is None:
            env = self.env
            own = list(self.eq.relations.contains)
            blowers = [b for b in env.behaviours.values() if isinstance(b, VentilationBlower)
                       and (self.id in b.eq.relations.feeds
                            or b.eq.relations.located_in == self.id)]
            feeders = [(env.behaviours[f], composition(env, self.upstream_gases(f) or own))
                       for f in env.feeders.get(self.id, [])
                       if not isinstance(env.behaviours[f], VentilationBlower)]
            self._topology = (blowers, feeders, composition(env, own))
        return self._topology

    def blowers(self) -> list[VentilationBlower]:
        return self.topology()[0]

    def ventilation(self) -> float:
        """Effective fresh-air flow Q' = sum(Q / K), m^3/s."""
        return sum(b.delivered() / b.mixing() for b in self.blowers())

    def upstream_gases(self, start: str) -> list[str]:
        """Gases found upstream of ``start``: its `contains`, what it isolates, its feeders."""
        env = self.env
        out: list[str] = []
        seen = {self.id}
        todo = [start]
        while todo:
            node = todo.pop(0)
            if node in seen or node not in env.behaviours:
                continue
            seen.add(node)
            b = env.behaviours[node]
            if b.params.get("phase") == "liquid":
                continue
            out.extend(s for s in b.eq.relations.contains if s not in out)
            todo.extend(b.eq.relations.isolates)
            todo.extend(env.feeders.get(node, []))
        return out

    def inflows(self) -> list[tuple[float, dict[str, float], str]]:
        """(flow m^3/s, composition, source) of every gas leaking in."""
        _, feeders, own_gas = self.topology()
        out = []
        if self.faults:
            own = sum(_flow(f) for _, f in self.effects("leak"))
            if own > 0:
                out.append((own, own_gas, self.id))
        for b, gas in feeders:
            if b.faults:
                flow = sum(_flow(f) for f in b.faults if f.kind == "leak")
                if flow > 0:
                    out.append((flow, gas, b.id))
        return out

    def sources(self) -> dict[str, float]:
        """Drift (and leak-with-rate) sources, state units per second."""
        if not self.faults:
            return {}
        rates = self.drift_rates()
        for s, f in self.effects("leak"):
            v = _plain(f.value)
            if s in SPECIES and f.per is not None and isinstance(v, float) and f.per.si > 0:
                rates[s] = rates.get(s, 0.0) + v / f.per.si
        return rates

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in ("enter", "exit") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        climb = ENTRY_TIME + self.param("vertical_depth", 0.0) / CLIMB_SPEED
        if verb == "enter":
            def go_in():
                self.states["occupants"] = float(self.states.get("occupants", 0.0)) + 1.0
                return self.check_entrants(entering=True)
            self.schedule(0.0, go_in)
            return Outcome(True, duration=climb)
        if float(self.states.get("occupants", 0.0)) - self._leaving < 1:
            return Outcome(False, f"nobody is inside `{self.id}`")
        self._leaving += 1

        def come_out():
            self._leaving -= 1
            self.states["occupants"] = max(0.0, float(self.states["occupants"]) - 1.0)
        self.schedule(climb, come_out)
        return Outcome(True, duration=climb)

    def retrieve_one(self) -> bool:
        """A rescue device brought one entrant out."""
        if float(self.states.get("occupants", 0.0)) < 1:
            return False
        self.states["occupants"] = float(self.states["occupants"]) - 1.0
        return True

    # ------------------------------------------------------------ time

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        v = self.volume
        q = self.ventilation()
        inflows = self.inflows()
        f_total = sum(f for f, _, _ in inflows)
        k = (q + f_total) / v
        decay = math.exp(-k * dt)
        rates = self.sources()
        for sp in SPECIES:
            a = q * FRESH[sp]
            for f, y, _ in inflows:
                a += f * y[sp]
            a = a / v + rates.get(sp, 0.0) if rates else a / v
            x = float(self.states[sp])
            if k > 0:
                x_ss = a / k
                x = x_ss + (x - x_ss) * decay
            else:
                x += a * dt
            x = max(0.0, x)
            self.states[sp] = min(x, 1.0) if sp in ("oxygen", "h2s", "co") else x
        self.hold_stuck()
        events.extend(self.check_entrants())
        return events

    def conditions(self) -> list[str]:
        """Prohibited conditions of the true atmosphere."""
        s = self.states
        out = []
        if s["oxygen"] < LIMITS["oxygen_low"]:
            out.append("oxygen_deficient")
        if s["oxygen"] > LIMITS["oxygen_high"]:
            out.append("oxygen_enriched")
        for sp in ("lel", "h2s", "co"):
            if s[sp] >= LIMITS[sp]:
                out.append(sp)
        return out

    def check_entrants(self, entering: bool = False) -> list[Event]:
        bad = tuple(self.conditions()) if float(self.states.get("occupants", 0)) > 0 else ()
        if bad and (bad != self._reported or entering):
            self._reported = bad
            return [Event("hazard", self.id, {
                "hazard": "atmosphere", "conditions": list(bad),
                "occupants": int(self.states["occupants"]), "entering": entering,
                "atmosphere": {sp: self.states[sp] for sp in SPECIES}})]
        if not bad:
            self._reported = ()
        return []


@register("VentilationBlower")
class VentilationBlower(FaultAware):
    """A portable blower: delivers its rated flow less duct losses while running."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self.on = self.states.get("status") == "running"
        self.states.setdefault("flow", 0.0)

    def delivered(self) -> float:
        return max(0.0, float(self.states.get("flow", 0.0)))

    def mixing(self) -> float:
        return max(1.0, self.param("mixing_factor", 3.0))

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in ("start", "stop") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if self.frozen():
            return Outcome(False, f"the switch of `{self.id}` does not respond")

        def switch():
            self.on = verb == "start"
        self.schedule(BLOWER_SWITCH_TIME, switch)
        return Outcome(True, duration=BLOWER_SWITCH_TIME)

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        running = self.on and self.env.supply(self.id, "electrical") > 0
        was = self.states.get("status")
        self.states["status"] = "running" if running else "stopped"
        rated = self.param("rated_flow", 0.0)
        loss = min(max(self.param("duct_loss", 0.2), 0.0), 1.0)
        self.states["flow"] = rated * (1.0 - loss) if running else 0.0
        self.hold_stuck()
        if self.states["status"] != was:
            events.append(Event("switched", self.id, {"status": self.states["status"]}))
        return events


@register("GasDetector")
class GasDetector(FaultAware):
    """Four-gas monitor sampling through tubing, with first-order sensor lag."""

    T90 = {"oxygen": "t90_oxygen", "lel": "t90_lel", "h2s": "t90_toxic", "co": "t90_toxic"}
    T90_DEFAULT = {"oxygen": 10.0, "lel": 15.0, "h2s": 30.0, "co": 30.0}

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        for sp in SPECIES:
            self.states.setdefault(sp, FRESH[sp])
        self.states.setdefault("alarm", "none")
        self.states.setdefault("bump_tested", False)
        self.lagged = {sp: float(self.states[sp]) for sp in SPECIES}
        self.offset = dict.fromkeys(SPECIES, 0.0)
        self._history: deque[tuple[float, dict[str, float]]] = deque()
        self._alarm_gases: list[str] = []
        self._space: ConfinedSpace | bool | None = None
        self._tau: tuple[float, ...] | None = None
        self._delay = 0.0
        self._setpoints: dict[str, tuple[float, float]] | None = None

    # ------------------------------------------------------------ model

    def tau(self, sp: str) -> float:
        return max(self.param(self.T90[sp], self.T90_DEFAULT[sp]), 1e-3) / LN10

    def transport_delay(self) -> float:
        length = self.param("tubing_length", 0.0)
        flow = self.param("pump_flow", 5e-6)
        if length <= 0 or flow <= 0:
            return 0.0
        return length * math.pi * (TUBE_BORE / 2) ** 2 / flow

    def sampled(self) -> tuple[float, ...]:
        """What the inlet of the tubing sees now (in the order of SPECIES)."""
        if self._space is None:
            self._space = space_of(self) or False
        if self._space is False:
            return tuple(FRESH[sp] for sp in SPECIES)
        st = self._space.states
        return (st["oxygen"], st["lel"], st["h2s"], st["co"])

    def _at(self, when: float) -> tuple[float, ...]:
        h = self._history
        if when <= h[0][0]:
            return h[0][1]
        for i in range(len(h) - 1):  # the wanted sample is near the left end
            (t0, x0), (t1, x1) = h[i], h[i + 1]
            if t0 <= when <= t1:
                w = (when - t0) / (t1 - t0) if t1 > t0 else 1.0
                return tuple(a + w * (b - a) for a, b in zip(x0, x1, strict=True))
        return h[-1][1]

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        if self._tau is None:
            self._tau = tuple(self.tau(sp) for sp in SPECIES)
            self._delay = self.transport_delay()
        delay = self._delay
        h = self._history
        if not h:
            h.append((t, self.sampled()))
        h.append((t + dt, self.sampled()))
        x0, x1 = self._at(t - delay), self._at(t + dt - delay)
        while len(h) > 2 and h[1][0] <= t - delay:
            h.popleft()
        drift = self.drift_rates() if self.faults else {}
        lagged, offset, states = self.lagged, self.offset, self.states
        for i, sp in enumerate(SPECIES):
            tau = self._tau[i]
            slope = (x1[i] - x0[i]) / dt if dt > 0 else 0.0
            y = lagged[sp]
            lagged[sp] = y = x1[i] - slope * tau + (y - x0[i] + slope * tau) * math.exp(-dt / tau)
            if drift:
                offset[sp] += drift.get(sp, 0.0) * dt
            states[sp] = max(0.0, y + offset[sp])
        self.hold_stuck()
        events.extend(self.update_alarm())
        return events

    def setpoints(self) -> dict[str, tuple[float, float]]:
        """Low and high alarm setpoints per species (oxygen: deficiency and enrichment)."""
        defaults = {"oxygen": (0.195, 0.235), "lel": (0.10, 0.20), "h2s": (10e-6, 20e-6),
                    "co": (35e-6, 70e-6)}
        return {sp: (self.param(f"{sp}_low_alarm", lo), self.param(f"{sp}_high_alarm", hi))
                for sp, (lo, hi) in defaults.items()}

    def update_alarm(self) -> list[Event]:
        seen = self.observe() if self.faults else self.states
        if self._setpoints is None:
            self._setpoints = self.setpoints()
        high, low = [], []
        for sp, (lo, hi) in self._setpoints.items():
            x = float(seen[sp])
            if sp == "oxygen":
                if x > hi:
                    high.append(sp)
                elif x < lo:
                    low.append(sp)
            elif x >= hi:
                high.append(sp)
            elif x >= lo:
                low.append(sp)
        level = "high" if high else "low" if low else "none"
        held, _ = self.stuck("alarm")
        if held or (level, high + low) == (self.states.get("alarm"), self._alarm_gases):
            return []
        self.states["alarm"] = level
        self._alarm_gases = high + low
        return [Event("alarm", self.id, {"level": level, "gases": high + low,
                                          "readings": {sp: seen[sp] for sp in SPECIES}})]

    # ------------------------------------------------------------ actions and faults

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb == "measure" and verb in self.eq.actions:
            return Outcome(True, duration=self.transport_delay() + MEASURE_TIME)
        if verb == "bump_test" and verb in self.eq.actions:
            def done():
                failed = [s or "all" for s, _ in self.effects("sensor_failure")
                          + self.effects("stuck")]
                self.states["bump_tested"] = not failed
                return [Event("bump_test", self.id, {"passed": not failed,
                                                     "failed": failed})]
            self.schedule(BUMP_TEST_TIME, done)
            return Outcome(True, duration=BUMP_TEST_TIME)
        return super().act(verb, actor=actor, to=to, at=at)

    def clear(self, effect: m.Effect) -> None:
        if effect in self.faults and effect.kind == "drift":
            s = self.effect_state(effect)
            for sp in [s] if s in SPECIES else SPECIES:
                self.offset[sp] = 0.0
        super().clear(effect)


@register("RetrievalSystem")
class RetrievalSystem(FaultAware):
    """Tripod and winch over a portal: rig it, clip the entrant on, winch them out."""

    def depth(self) -> float:
        space = space_of(self)
        return space.param("vertical_depth", 0.0) if space is not None else 0.0

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in ("rig", "attach", "retrieve") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if self.frozen():
            return Outcome(False, f"the winch of `{self.id}` is jammed")
        if verb == "rig":
            if self.param("line_length", 15.0) < self.depth():
                return Outcome(False, f"the line of `{self.id}` is shorter than the depth of "
                               "the space")
            self.schedule(RIG_TIME, lambda: self._set("rigged", True))
            return Outcome(True, duration=RIG_TIME)
        if not self.states.get("rigged"):
            return Outcome(False, f"rig `{self.id}` over the portal first")
        if verb == "attach":
            self.schedule(ATTACH_TIME, lambda: self._set("attached", True))
            return Outcome(True, duration=ATTACH_TIME)
        if not self.states.get("attached"):
            return Outcome(False, f"nobody is clipped on to `{self.id}`")
        space = space_of(self)
        if space is None or float(space.states.get("occupants", 0)) < 1:
            return Outcome(False, "there is nobody inside to retrieve")
        duration = RETRIEVE_BASE + self.depth() / WINCH_SPEED

        def out():
            if space.retrieve_one():
                return [Event("retrieved", self.id, {"space": space.id})]
            return None
        self.schedule(duration, out)
        return Outcome(True, duration=duration)

    def _set(self, state: str, value: bool) -> None:
        held, _ = self.stuck(state)
        if not held:
            self.states[state] = value
