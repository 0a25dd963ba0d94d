"""Electrical equipment: isolating devices, control devices, capacitors, panels, testers.

Models (all values SI, times in seconds; [D] marks a value chosen here, not from a source):

* Disconnect: a person reaches the handle and throws it; a quick-break mechanism moves the
  blades at mid-throw, then the handle comes to rest in its new position.  The blades can be
  held by a `stuck` fault while the handle moves (a broken linkage: the reason to look at the
  blades, NFPA 70E ESWC step 3).  `passes()` is 1 with the blades closed, 0 open.
* CircuitBreaker: the contacts part `clearing_time` after the person presses the operator;
  a draw-out breaker is racked with `open CB at test|disconnected` and
  `close CB at connected` (racking takes a person about 15 s per position [D]).  It passes
  energy only closed *and* racked in.
* PushButton, SelectorSwitch: control devices; they never isolate (`passes()` is 1).  They
  act on the machines they control: the ids in their `feeds` relation, else the bundle's
  prime movers (machines that store mechanical energy, accept `start`/`stop` and are not
  driven by another machine).  A stop / emergency stop calls the machine's `stop`, a start
  its `start`; a selector at `off` stops it and blocks start buttons, at `hand` starts it.
* CapacitorBank: connected to the bus while its stages are on.  Fed and connected, it
  holds rated_voltage x supply share; otherwise V(t) = V0 exp(-t / (R C)) with R the bleed
  resistor, in parallel with a 100 ohm discharge stick [D] during `discharge`.  Exact update.
* Panelboard: line-to-line voltage = nominal x supply share, or the voltage of a connected
  capacitor bank if higher; line-to-ground = line-to-line / sqrt(3).  A temporary ground
  applied to it forces 0 V (and is a hazard if the bus is fed).
* VoltageTester, ProvingUnit: `verify VT on PU` reads the unit's output voltage, `test VT on
  PNL.voltage_ab` the point's voltage while the probes touch it; the reading then holds.
  Below half charge the battery makes the tester read low (reading x battery / 0.5) [D]; a
  `sensor_failure` without a value reads 0 V.  Proximity testers give no reliable value:
  they read 0 V, and a test with one is a hazard event.

The fault helpers at the top (:class:`FaultAware`) are shared by the atmosphere and chemical
behaviours; they would sit well in `base.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ...bundle import model as m
from .base import Behaviour, Event, Outcome, StateValue, _plain, register

SQRT3 = math.sqrt(3.0)
EPS = 1e-9

#: a person reaches a disconnect handle and throws it [D]
DISCONNECT_REACH = 1.0
DISCONNECT_THROW = 0.5
DISCONNECT_DURATION = 2.0
#: pressing a breaker's open/close operator [D]
BREAKER_PRESS = 0.5
BREAKER_DURATION = 1.0
#: racking a draw-out breaker one position (connected -> test -> disconnected) [D]
RACK_STEP = 15.0
RACK_ORDER = ("connected", "test", "disconnected")
#: control devices [D]
PRESS_DURATION = 1.0
PRESS_HOLD = 0.5
SELECTOR_DURATION = 1.0
#: capacitor bank [D]
SWITCH_OFF_DURATION = 5.0
DISCHARGE_DURATION = 10.0
DISCHARGE_STICK_OHM = 100.0
#: testers [D]: probes touch the point after PROBE_DELAY and stay until the action ends
TEST_DURATION = 5.0
PROBE_DELAY = 1.0
BATTERY_FULL_READING = 0.5


# ---------------------------------------------------------------- shared helpers


class FaultAware(Behaviour):
    """A behaviour with timed actions and the fault effects of the bundle resolved to states.

    A fault effect names its state (`effect drift GD-1.oxygen ...`) or not (`fault F on
    SC-1.resistance_to_ground { effect stuck at 1000 Mohm }`: the compiler leaves
    `Effect.state` empty and the state is on the fault's target).  When it is empty the
    state is inferred from the value: the one state of the value's dimension, or of a
    choice containing it.
    """

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self._timers: list[tuple[float, int, Callable[[], list[Event] | None]]] = []
        self._seq = 0
        self._held: dict[int, StateValue | None] = {}
        self._busy_until = -math.inf

    # ------------------------------------------------------------ timers

    def schedule(self, delay: float, fn: Callable[[], list[Event] | None]) -> None:
        """Run ``fn`` in the first step that ends at or after now + ``delay``."""
        self._seq += 1
        self._timers.append((self.env.t + delay, self._seq, fn))
        self._timers.sort(key=lambda x: (x[0], x[1]))

    def run_due(self, t: float, dt: float) -> list[Event]:
        if not self._timers:
            return []
        events: list[Event] = []
        while self._timers and self._timers[0][0] <= t + dt + EPS:
            _, _, fn = self._timers.pop(0)
            events.extend(fn() or [])
        return events

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        self.hold_stuck()
        return events

    def wake(self) -> float | None:
        return self._timers[0][0] if self._timers else None

    def busy(self) -> bool:
        return self.env.t < self._busy_until - EPS

    def occupy(self, duration: float) -> None:
        self._busy_until = self.env.t + duration

    # ------------------------------------------------------------ faults

    def effect_state(self, e: m.Effect) -> str | None:
        """The state an effect acts on (explicit, or inferred from its value)."""
        if e.state is not None and e.state.state:
            return e.state.state
        v = e.value
        if isinstance(v, m.Quantity):
            names = [s.name for s in self.eq.states if s.type == v.dimension]
        elif isinstance(v, str):
            names = [s.name for s in self.eq.states if v in s.choices]
        elif isinstance(v, bool):
            names = [s.name for s in self.eq.states if s.type == "boolean"]
        else:
            names = []
        return names[0] if len(names) == 1 else None

    def mine(self, e: m.Effect) -> bool:
        """Whether an effect concerns this equipment (not a state of another one)."""
        return e.state is None or e.state.equipment in (self.id, None, "")

    def effects(self, kind: str) -> list[tuple[str | None, m.Effect]]:
        return [(self.effect_state(f), f) for f in self.faults
                if f.kind == kind and self.mine(f)]

    def inject(self, effect: m.Effect) -> None:
        super().inject(effect)
        s = self.effect_state(effect)
        self._held[id(effect)] = self.states.get(s) if s else None

    def clear(self, effect: m.Effect) -> None:
        super().clear(effect)
        self._held.pop(id(effect), None)

    def stuck(self, state: str | None) -> tuple[bool, StateValue | None]:
        """Whether ``state`` (None: the whole mechanism) is held, and the value it is held at."""
        for s, f in self.effects("stuck"):
            if s == state:
                return True, _plain(f.value) if f.value is not None else self._held.get(id(f))
        return False, None

    def frozen(self) -> bool:
        """A `stuck` effect on the equipment itself (no state): nothing moves."""
        return any(s is None for s, _ in self.effects("stuck"))

    def hold_stuck(self) -> None:
        """Put every stuck state back to its held value (after the dynamics moved it)."""
        if not self.faults:
            return
        for s, f in self.effects("stuck"):
            if s is None or s not in self.states:
                continue
            v = _plain(f.value) if f.value is not None else self._held.get(id(f))
            if v is not None:
                self.states[s] = v

    def drift_rates(self) -> dict[str | None, float]:
        """State -> drift rate (state units per second) of active `drift` effects."""
        out: dict[str | None, float] = {}
        if not self.faults:
            return out
        for s, f in self.effects("drift"):
            v = _plain(f.value)
            if isinstance(v, int | float) and not isinstance(v, bool):
                per = f.per.si if f.per is not None and f.per.si > 0 else 1.0
                out[s] = out.get(s, 0.0) + float(v) / per
        return out

    def observe(self) -> dict[str, StateValue]:
        out = dict(self.states)
        for s, f in self.effects("sensor_failure"):
            v = _plain(f.value) if f.value is not None else None
            targets = [s] if s else [k for k, x in out.items()
                                     if isinstance(x, float) and not isinstance(x, bool)]
            for k in targets:
                out[k] = v if v is not None else 0.0
        return out

    def lock_owners(self) -> str:
        owners = [o for o in self.devices.get("lock", []) if o]
        return ", ".join(owners) if owners else "someone"

    def refuse_locked(self, verb: str) -> Outcome | None:
        """The refusal of a locked device; None when it may be operated."""
        if self.locked():
            return Outcome(False, f"`{self.id}` is locked out by {self.lock_owners()}: "
                           f"it cannot be operated ({verb}) until the lock is removed")
        return None

    def lock_defeated(self, verb: str) -> list[Event]:
        if "lock" in self.devices and not self.locked():
            return [Event("hazard", self.id, {"hazard": "lock_failure", "action": verb,
                                              "owners": list(self.devices["lock"])})]
        return []


def split_ref(env, text: str) -> tuple[str | None, str | None]:
    """`PNL-4.voltage_ab` -> (`PNL-4`, `voltage_ab`); `PU-1` -> (`PU-1`, None)."""
    text = str(text)
    if text in env.behaviours:
        return text, None
    head, _, tail = text.rpartition(".")
    if head in env.behaviours:
        return head, tail or None
    return None, None


# ---------------------------------------------------------------- isolating devices


class _Switch(FaultAware):
    """What disconnects and breakers share: lock rules and the energy they pass."""

    def closed(self) -> bool:
        raise NotImplementedError

    def passes(self, energy: str) -> float:
        if energy in self.eq.isolates or energy in self.eq.transmits:
            return 1.0 if self.closed() else 0.0
        return 1.0

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in ("open", "close") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if (refusal := self.refuse_locked(verb)) is not None:
            return refusal
        if self.busy():
            return Outcome(False, f"`{self.id}` is still being operated")
        if self.frozen():
            return Outcome(False, f"the operating mechanism of `{self.id}` will not move")
        return self.operate(verb, at)

    def operate(self, verb: str, at) -> Outcome:
        raise NotImplementedError


@register("Disconnect")
class Disconnect(_Switch):
    """Handle and blades of a manually operated disconnect switch."""

    def closed(self) -> bool:
        return self.states.get("blades") == "closed"

    def can_lock(self) -> bool:
        return self.states.get("handle") == "off"

    def operate(self, verb: str, at) -> Outcome:
        handle, blades = ("off", "open") if verb == "open" else ("on", "closed")
        events = self.lock_defeated(verb)

        def move_blades():
            held, _ = self.stuck("blades")
            if not held and self.states.get("blades") != blades:
                self.states["blades"] = blades
                return [*events, Event("switched", self.id, {"blades": blades})]
            return None

        def move_handle():
            held, _ = self.stuck("handle")
            if not held:
                self.states["handle"] = handle

        self.schedule(DISCONNECT_REACH + DISCONNECT_THROW / 2, move_blades)
        self.schedule(DISCONNECT_REACH + DISCONNECT_THROW, move_handle)
        self.occupy(DISCONNECT_DURATION)
        return Outcome(True, duration=DISCONNECT_DURATION)


@register("CircuitBreaker")
class CircuitBreaker(_Switch):
    """Contacts and (for draw-out breakers) racking position of a circuit breaker."""

    def closed(self) -> bool:
        return (self.states.get("position") == "closed"
                and self.states.get("racked", "connected") == "connected")

    def can_lock(self) -> bool:
        return self.states.get("position") in ("open", "tripped")

    def operate(self, verb: str, at) -> Outcome:
        rack_to = None
        if at is not None:
            if not self.params.get("drawout"):
                return Outcome(False, f"`{self.id}` is not a draw-out breaker: it cannot be "
                               f"racked to `{at}`")
            if at not in RACK_ORDER:
                return Outcome(False, f"`{self.id}` racks to {', '.join(RACK_ORDER)}, "
                               f"not `{at}`")
            if verb == "close" and at != "connected":
                return Outcome(False, f"close `{self.id}` at `connected`, or open it to rack "
                               f"it to `{at}`")
            rack_to = at
        events = self.lock_defeated(verb)
        clearing = self.param("clearing_time", 0.025)
        racking = 0.0
        if rack_to is not None:
            racking = RACK_STEP * abs(RACK_ORDER.index(rack_to)
                                      - RACK_ORDER.index(str(self.states.get("racked"))))
        target = "open" if verb == "open" else "closed"

        def contacts():
            held, _ = self.stuck("position")
            if not held and self.states.get("position") != target:
                self.states["position"] = target
                return [*events, Event("switched", self.id, {"position": target})]
            return None

        def rack():
            held, _ = self.stuck("racked")
            if not held:
                self.states["racked"] = rack_to

        if verb == "open":
            self.schedule(BREAKER_PRESS + clearing, contacts)
            if rack_to is not None:
                self.schedule(BREAKER_DURATION + racking, rack)
        else:
            if rack_to is not None:
                self.schedule(racking, rack)
            self.schedule(racking + BREAKER_PRESS + clearing, contacts)
        duration = BREAKER_DURATION + racking
        self.occupy(duration)
        return Outcome(True, duration=duration)


# ---------------------------------------------------------------- control devices


def prime_movers(env) -> list[str]:
    """Machines driven from outside (not by another machine): what an undeclared control
    station most plausibly controls."""
    machines = {eq.id for eq in env.bundle.equipment
                if "start" in eq.actions and "stop" in eq.actions
                and "mechanical" in eq.stores and not eq.control_device}
    return [i for i in sorted(machines)
            if not any(f in machines for f in env.feeders.get(i, []))]


class _Control(FaultAware):
    """Control-circuit devices: never an isolation point."""

    def passes(self, energy: str) -> float:
        return 1.0

    def controlled(self) -> list[str]:
        ids = [t for t in self.eq.relations.feeds if t in self.env.behaviours]
        return ids or prime_movers(self.env)

    def command(self, verb: str) -> list[Event]:
        events = []
        for target in self.controlled():
            if verb == "start" and _start_blocked(self.env, target):
                events.append(Event("blocked", self.id, {"target": target,
                                                         "reason": "selector at off"}))
                continue
            b = self.env.behaviours[target]
            if verb in b.eq.actions:
                out = b.act(verb)
                events.append(Event("control", self.id, {"target": target, "command": verb,
                                                         "accepted": out.accepted}))
        return events


def _start_blocked(env, target: str) -> bool:
    return any(isinstance(b, SelectorSwitch) and b.states.get("position") == "off"
               and target in b.controlled() for b in env.behaviours.values())


@register("PushButton")
class PushButton(_Control):
    """A momentary push button: pressed for a moment, then springs back."""

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb != "press" or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        function = str(self.params.get("function") or "start")

        def press():
            held, _ = self.stuck("pressed")
            if held or self.frozen():
                return [Event("control", self.id, {"command": None, "reason": "stuck"})]
            self.states["pressed"] = True
            verb_ = "start" if function in ("start", "jog") else "stop"
            return self.command(verb_)

        def release():
            held, _ = self.stuck("pressed")
            if not held and not self.frozen():
                self.states["pressed"] = False
                if function == "jog":
                    return self.command("stop")
            return None

        self.schedule(PRESS_DURATION - PRESS_HOLD, press)
        self.schedule(PRESS_DURATION, release)
        return Outcome(True, duration=PRESS_DURATION)


@register("SelectorSwitch")
class SelectorSwitch(_Control):
    """A hand-off-auto selector: `off` stops what it controls and blocks its start buttons,
    `hand` starts it, `auto` leaves it to the automatic controls."""

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb != "position" or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        choices = next((s.choices for s in self.eq.states if s.name == "position"), [])
        if at not in choices:
            return Outcome(False, f"`{self.id}` has the positions {', '.join(choices)}"
                           + (f", not `{at}`" if at is not None else
                              f": say which one (`position {self.id} at off`)"))

        def turn():
            held, _ = self.stuck("position")
            if held or self.frozen():
                return None
            self.states["position"] = at
            if at == "off":
                return self.command("stop")
            if at == "hand":
                return self.command("start")
            return None

        self.schedule(SELECTOR_DURATION / 2, turn)
        return Outcome(True, duration=SELECTOR_DURATION)


# ---------------------------------------------------------------- stored electrical energy


@register("CapacitorBank")
class CapacitorBank(FaultAware):
    """RC discharge of a capacitor bank through its bleed resistor (or a discharge stick)."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self.states.setdefault("voltage", self.param("rated_voltage", 480.0))
        self.states.setdefault("stages", "on")
        self.discharging = False
        self._shorted_live = False

    @property
    def capacitance(self) -> float:
        return self.param("capacitance", 100e-6)

    def connected(self) -> bool:
        return self.states.get("stages") == "on"

    def supply_share(self) -> float:
        return self.env.supply(self.id, "electrical") if self.connected() else 0.0

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb == "switch_off" and verb in self.eq.actions:
            def stages_off():
                held, _ = self.stuck("stages")
                if not held:
                    self.states["stages"] = "off"
            self.schedule(SWITCH_OFF_DURATION, stages_off)
            return Outcome(True, duration=SWITCH_OFF_DURATION)
        if verb == "discharge" and verb in self.eq.actions:
            if self.discharging or self.busy():
                return Outcome(False, f"`{self.id}` is already being discharged")

            def stick_on():
                self.discharging = True

            def stick_off():
                self.discharging = False

            self.schedule(0.0, stick_on)
            self.schedule(DISCHARGE_DURATION, stick_off)
            self.occupy(DISCHARGE_DURATION)
            return Outcome(True, duration=DISCHARGE_DURATION)
        return super().act(verb, actor=actor, to=to, at=at)

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        share = self.supply_share()
        v = float(self.states["voltage"])
        if share > 0:
            v = self.param("rated_voltage", 480.0) * share
            if self.discharging and not self._shorted_live:
                self._shorted_live = True
                events.append(Event("hazard", self.id, {
                    "hazard": "discharge_on_energized_bank", "voltage": v}))
        else:
            r = self.param("bleed_resistor", 50000.0)
            if self.discharging:
                r = r * DISCHARGE_STICK_OHM / (r + DISCHARGE_STICK_OHM)
            v *= math.exp(-dt / (r * self.capacitance))
        if not self.discharging:
            self._shorted_live = False
        v += self.drift_rates().get("voltage", 0.0) * dt
        self.states["voltage"] = v
        self.hold_stuck()
        return events

    def stored(self) -> dict[str, float]:
        v = float(self.states.get("voltage", 0.0))
        return {"electrical_stored": 0.5 * self.capacitance * v * v}


# ---------------------------------------------------------------- distribution


LINE = ("voltage_ab", "voltage_bc", "voltage_ca")
PHASE = ("voltage_ag", "voltage_bg", "voltage_cg")


@register("Panelboard")
class Panelboard(FaultAware):
    """Bus voltages of a panelboard from its supply and any capacitor bank on its bus."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self._grounded_live = False
        self._caps: list[CapacitorBank] | None = None
        self._set(self.param("nominal_voltage", 480.0))

    def _set(self, v_line: float) -> None:
        for s in LINE:
            self.states[s] = v_line
        for s in PHASE:
            self.states[s] = v_line / SQRT3

    def grounded(self) -> bool:
        return "ground" in self.devices

    def passes(self, energy: str) -> float:
        return 0.0 if energy == "electrical" and self.grounded() else 1.0

    def capacitors(self) -> list[CapacitorBank]:
        """Capacitor banks on the bus (it feeds them or they feed it); found once."""
        if self._caps is None:
            self._caps = [b for b in self.env.behaviours.values()
                          if isinstance(b, CapacitorBank)
                          and (b.id in self.eq.relations.feeds or self.id in b.eq.relations.feeds)]
        return self._caps

    def line_voltage(self, share: float | None = None) -> float:
        """Line-to-line voltage the bus would have without a ground on it."""
        if share is None:
            share = self.env.supply(self.id, "electrical")
        v = self.param("nominal_voltage", 480.0) * share
        for c in self.capacitors():
            if c.connected():
                v = max(v, float(c.states.get("voltage", 0.0)))
        return v

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        share = self.env.supply(self.id, "electrical")
        v = self.line_voltage(share)
        if self.grounded():
            if v > 0 and share > 0 and not self._grounded_live:
                self._grounded_live = True
                events.append(Event("hazard", self.id, {"hazard": "ground_on_energized_bus",
                                                        "voltage": v}))
            v = 0.0
        else:
            self._grounded_live = False
        self._set(v)
        self.hold_stuck()
        return events


# ---------------------------------------------------------------- testers


@register("ProvingUnit")
class ProvingUnit(FaultAware):
    """A known voltage source; a `sensor_failure` or `stuck` fault makes it output nothing."""

    def output(self) -> float:
        if self.effects("sensor_failure") or self.effects("stuck"):
            return 0.0
        return self.param("output_voltage", 240.0)


@register("VoltageTester")
class VoltageTester(FaultAware):
    """A portable tester: reads what its probes touch, limited by its type and battery."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self.states.setdefault("reading", 0.0)
        self.states.setdefault("battery", 1.0)
        self._probe: tuple[str, str | None] | None = None

    def proximity(self) -> bool:
        return self.params.get("tester_type") == "proximity"

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in ("verify", "test") or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if not to:
            return Outcome(False, f"say what `{self.id}` is put on (`{verb} {self.id} on ...`)")
        eq_id, state = split_ref(self.env, to[0])
        if eq_id is None:
            return Outcome(False, f"`{to[0]}` is not equipment of this scenario")
        if self.busy():
            return Outcome(False, f"`{self.id}` is already in use")
        target = self.env.behaviours[eq_id]
        if verb == "verify" and not isinstance(target, ProvingUnit | Panelboard
                                               | CapacitorBank):
            return Outcome(False, f"`{eq_id}` is not a known voltage source")
        point = (eq_id, state)

        def touch():
            self._probe = point
            events = []
            if verb == "test" and self.proximity():
                events.append(Event("hazard", self.id, {
                    "hazard": "proximity_tester", "point": str(to[0]),
                    "reason": "a non-contact tester cannot prove the absence of voltage"}))
            v = self.point_voltage(point)
            if v > self.param("max_voltage", 1000.0):
                events.append(Event("hazard", self.id, {
                    "hazard": "tester_overvoltage", "point": str(to[0]), "voltage": v}))
            return events

        def lift():
            self._probe = None

        self.schedule(PROBE_DELAY, touch)
        self.schedule(TEST_DURATION, lift)
        self.occupy(TEST_DURATION)
        return Outcome(True, duration=TEST_DURATION)

    def point_voltage(self, point: tuple[str, str | None]) -> float:
        """The true voltage at a test point."""
        eq_id, state = point
        b = self.env.behaviours[eq_id]
        if isinstance(b, ProvingUnit):
            return b.output()
        values = b.states
        if state is not None:
            v = values.get(state)
            return abs(float(v)) if isinstance(v, int | float) and not isinstance(v, bool) \
                else 0.0
        volts = [abs(float(v)) for k, v in values.items()
                 if k.startswith("voltage") and isinstance(v, int | float)
                 and not isinstance(v, bool)]
        return max(volts, default=0.0)

    def indicated(self, true_v: float) -> float:
        """What the tester shows for a true voltage (type and battery)."""
        if self.proximity():
            return 0.0
        battery = max(0.0, min(1.0, float(self.states.get("battery", 1.0))))
        return true_v * min(1.0, battery / BATTERY_FULL_READING)

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        drift = self.drift_rates()
        if "battery" in drift:
            self.states["battery"] = max(0.0, min(1.0, float(self.states["battery"])
                                                  + drift["battery"] * dt))
        if self._probe is not None:
            self.states["reading"] = self.indicated(self.point_voltage(self._probe))
        if "reading" in drift:
            self.states["reading"] = float(self.states["reading"]) + drift["reading"] * dt
        self.hold_stuck()
        return events
