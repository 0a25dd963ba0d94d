"""Chemical containers (transfer, bonding and grounding, incompatible mixing) and group
lock boxes.

Models (SI; [D] marks a value chosen here):

* ChemicalContainer: the liquid in it, by substance (m^3), starting at initial_fill x
  capacity shared equally by the substances it `contains` [D].  `transfer A to B` pours
  from A into B at 8 L/min [D] while A's vent is open, until B holds 85 % of its capacity
  [D] (or to the volume, or the fill fraction, given with `at` as a quantity); what does
  not fit spills.
* Resistance to ground: a ground clamp gives 1 ohm, a bond to a grounded container 1 ohm
  more [D]; all containers carrying a `bond` are taken as one bonded set (the engine
  applies a bond to each target separately).  Without a path, or for a non-conductive
  container, 1e12 ohm [D].  A `stuck` fault on the resistance (a clamp that slipped off)
  breaks that container's connection.
* Static: pouring a liquid that must be dispensed bonded (29 CFR 1910.106(e)(6)(ii):
  flammable category 1 or 2, or category 3 with flash point below 37.8 degC) while the
  source or the receiver has more than 1 Mohm to ground (static dissipation limit,
  domain-facts 4.4) is a `hazard` event.
* Mixing: liquid meeting a substance already in the receiver whose reactivity groups form
  an incompatible pair (the prelude's EPA-600/2-80-076 pairs) is a `reaction` event with
  the consequences (heat, gas, fire, ...).  EPA group 107 (water-reactive) reacts with
  anything.  The bundle does not carry the pairs yet: the table below is the prelude's,
  and a test keeps the two equal.
* LockBox: keys of the isolation locks go in (`deposit`), each worker adds a personal lock;
  while a personal lock is on, the keys stay in (:meth:`LockBox.keys_held`).
"""

from __future__ import annotations

from ...bundle import model as m
from .base import Event, Outcome, _plain, at_number, register
from .electrical import FaultAware, split_ref

#: pouring rate from a drum faucet or hand pump [D]
POUR_RATE = 8e-3 / 60.0
#: default fill of the receiver: leaves head space for expansion [D]
FILL_TO = 0.85
#: bond and ground resistances [D]; the static dissipation limit (NFPA 77, domain-facts 4.4)
R_GROUND = 1.0
R_BOND = 1.0
R_OPEN = 1e12
STATIC_LIMIT = 1e6
#: 1910.106(e)(6)(ii): category 3 liquids below 100 degF are dispensed bonded as well
BOND_FLASH_POINT = 310.93
#: container actions [D]
VENT_TIME = 5.0
LABEL_TIME = 30.0
MEASURE_TIME = 15.0
DEPOSIT_TIME = 10.0
TINY = 1e-12

# The prelude's `incompatible` pairs (stdlib/prelude.twin), keyed by reactivity group.
_EPA_PAIRS = """
acids_mineral_nonoxidizing caustics: heat
acids_mineral_nonoxidizing cyanides: toxic_gas flammable_gas
acids_mineral_oxidizing cyanides: toxic_gas flammable_gas
acids_organic cyanides: toxic_gas flammable_gas
acids_mineral_nonoxidizing sulfides_inorganic: toxic_gas flammable_gas
acids_mineral_nonoxidizing metals_alkali_alkaline_earth: heat fire flammable_gas
acids_mineral_nonoxidizing aldehydes: heat violent_polymerization
acids_mineral_nonoxidizing fluorides_inorganic: toxic_gas
acids_mineral_oxidizing fluorides_inorganic: toxic_gas
acids_organic fluorides_inorganic: toxic_gas
acids_mineral_oxidizing acids_organic: heat innocuous_gas
acids_mineral_oxidizing alcohols_glycols: heat fire
acids_mineral_oxidizing hydrocarbons_aromatic: heat fire
acids_mineral_oxidizing organic_peroxides: heat explosion
acids_organic alcohols_glycols: heat violent_polymerization
halogenated_organics metals_alkali_alkaline_earth: heat explosion
epoxides acids_mineral_nonoxidizing: heat violent_polymerization
oxidizers_strong combustible_flammable: heat fire innocuous_gas
oxidizers_strong hydrocarbons_aliphatic_saturated: heat fire
reducers_strong acids_mineral_nonoxidizing: heat flammable_gas
water metals_alkali_alkaline_earth: heat flammable_gas
water sulfides_inorganic: toxic_gas flammable_gas
acids_mineral_oxidizing sulfides_inorganic: toxic_gas flammable_gas
acids_organic sulfides_inorganic: toxic_gas flammable_gas
acids_mineral_nonoxidizing oxidizers_strong: heat toxic_gas explosion
acids_organic oxidizers_strong: toxic_gas
acids_mineral_oxidizing metals_sheets_rods_moldings: toxic_gas
acids_mineral_oxidizing metals_powders_vapors_sponges: toxic_gas
acids_mineral_oxidizing combustible_flammable: heat fire
oxidizers_strong alcohols_glycols: heat fire
oxidizers_strong hydrocarbons_aromatic: heat fire
oxidizers_strong ketones: heat explosion
oxidizers_strong reducers_strong: heat fire explosion
acids_mineral_oxidizing azo_diazo_hydrazines: heat fire explosion
oxidizers_strong amines: toxic_gas explosion
toxic_metals reducers_strong: toxic_gas
water_reactive water: heat flammable_gas toxic_gas
acids_mineral_oxidizing caustics: heat
acids_organic caustics: heat
"""


def _table(text: str) -> dict[frozenset[str], tuple[str, ...]]:
    out: dict[frozenset[str], tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        pair, _, cons = line.partition(":")
        a, b = pair.split()
        key = frozenset((a, b))
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + tuple(cons.split())))
    return out


EPA_PAIRS = _table(_EPA_PAIRS)
WATER_REACTIVE = "water_reactive"


def incompatibilities(env) -> dict[frozenset[str], tuple[str, ...]]:
    """The pairs from the bundle when it carries them (`incompatibilities`, items with
    `first`, `second`, `consequences`), else the built-in prelude table."""
    given = getattr(env.bundle, "incompatibilities", None)
    if not given:
        return EPA_PAIRS
    out: dict[frozenset[str], tuple[str, ...]] = {}
    for p in given:
        out[frozenset((p.first, p.second))] = tuple(p.consequences)
    return out


def reaction(env, a: str, b: str) -> tuple[list[str], list[str]] | None:
    """(groups that react, consequences) when substances ``a`` and ``b`` must not meet."""
    if a == b:
        return None
    subs = {s.id: s for s in env.bundle.substances}
    ga = subs[a].groups if a in subs else []
    gb = subs[b].groups if b in subs else []
    table = incompatibilities(env)
    for x in ga:
        for y in gb:
            cons = table.get(frozenset((x, y)))
            if cons:
                return [x, y], list(cons)
    if WATER_REACTIVE in ga or WATER_REACTIVE in gb:  # EPA 107: mix with nothing
        return [WATER_REACTIVE, *(g for g in ga + gb if g != WATER_REACTIVE)][:2], ["unknown"]
    return None


def needs_bonding(env, substance: str) -> bool:
    """1910.106(e)(6)(ii): category 1-2 liquids, or category 3 below 37.8 degC flash point."""
    sub = next((s for s in env.bundle.substances if s.id == substance), None)
    if sub is None:
        return False
    cat = _plain(sub.properties.get("flammable_category"))
    fp = _plain(sub.properties.get("flash_point"))
    cat = float(cat) if isinstance(cat, int | float) else None
    fp = float(fp) if isinstance(fp, int | float) else None
    if cat is not None and cat <= 2:
        return True
    if (cat is None or cat == 3) and fp is not None:
        return fp < BOND_FLASH_POINT
    return False


@register("ChemicalContainer")
class ChemicalContainer(FaultAware):
    """A drum, can or tote: its liquid, its vent, its connection to ground."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        filled = self.capacity * min(max(self.param("initial_fill", 0.0), 0.0), 1.0)
        names = list(eq.relations.contains) or [""]
        self.volumes: dict[str, float] = {n: filled / len(names) for n in names}
        self.states["contents"] = filled
        self.states.setdefault("vent", "closed")
        self.states.setdefault("resistance_to_ground", R_OPEN)
        self.states.setdefault("labeled", False)
        self.pour: dict | None = None
        self._reacted: set[frozenset[str]] = set()

    @property
    def capacity(self) -> float:
        return max(self.param("capacity", 0.208), 1e-9)

    def contents(self) -> float:
        return sum(self.volumes.values())

    def present(self) -> list[str]:
        return [s for s, v in self.volumes.items() if v > TINY and s]

    # ------------------------------------------------------------ grounding

    def conductive(self) -> bool:
        return self.params.get("conductive") is not False

    def clamp_ok(self) -> bool:
        held, value = self.stuck("resistance_to_ground")
        return not (held and isinstance(value, float) and value > STATIC_LIMIT)

    def ground_resistance(self) -> float:
        """Resistance to ground through the ground clamp or a bond to a grounded container."""
        if not self.conductive() or not self.clamp_ok():
            return R_OPEN
        best = R_GROUND if "ground" in self.devices else R_OPEN
        if "bond" in self.devices:
            for b in self.env.behaviours.values():
                if (b is not self and isinstance(b, ChemicalContainer) and "bond" in b.devices
                        and "ground" in b.devices and b.conductive() and b.clamp_ok()):
                    best = min(best, R_BOND + R_GROUND)
        return best

    def dissipates(self) -> bool:
        return float(self.states["resistance_to_ground"]) <= STATIC_LIMIT

    # ------------------------------------------------------------ actions

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if verb in ("open", "close"):
            target = "open" if verb == "open" else "closed"
            self.schedule(VENT_TIME, lambda: self._set("vent", target))
            return Outcome(True, duration=VENT_TIME)
        if verb == "label":
            self.schedule(LABEL_TIME, lambda: self._set("labeled", True))
            return Outcome(True, duration=LABEL_TIME)
        if verb == "measure":
            return Outcome(True, duration=MEASURE_TIME)
        if verb == "transfer":
            return self.start_transfer(to, at)
        return super().act(verb, actor=actor, to=to, at=at)

    def _set(self, state: str, value) -> None:
        held, _ = self.stuck(state)
        if not held:
            self.states[state] = value

    def start_transfer(self, to, at) -> Outcome:
        if not to:
            return Outcome(False, f"say where to pour (`transfer {self.id} to ...`)")
        rid, _ = split_ref(self.env, to[0])
        receiver = self.env.behaviours.get(rid) if rid else None
        if not isinstance(receiver, ChemicalContainer) or receiver is self:
            return Outcome(False, f"`{to[0]}` is not another container to pour into")
        if self.pour is not None:
            return Outcome(False, f"`{self.id}` is already being poured")
        if self.contents() <= TINY:
            return Outcome(False, f"`{self.id}` is empty")
        if self.states.get("vent") != "open":
            return Outcome(False, f"the vent of `{self.id}` is closed: the liquid will not "
                           "flow (open it first)")
        if isinstance(at, m.Quantity) and at.dimension == "fraction":
            amount = at.si * receiver.capacity - receiver.contents()
        elif isinstance(at, m.Quantity | int | float) and not isinstance(at, bool):
            amount = at.si if isinstance(at, m.Quantity) else float(at)  # a volume, m^3
        else:
            amount = FILL_TO * receiver.capacity - receiver.contents()
        amount = min(amount, self.contents())
        if amount <= TINY:
            return Outcome(False, f"`{rid}` is already filled to the level asked for")
        self.pour = {"to": receiver, "left": amount, "moved": 0.0, "static": False,
                     "spilled": False}
        return Outcome(True, duration=amount / POUR_RATE)

    # ------------------------------------------------------------ time

    def step(self, t: float, dt: float) -> list[Event]:
        events = self.run_due(t, dt)
        self.states["resistance_to_ground"] = self.ground_resistance()
        self.hold_stuck()
        if self.pour is not None and self.states.get("vent") == "open":
            events.extend(self._pour(dt))
        self.states["contents"] = self.contents()
        self.hold_stuck()
        return events

    def wake(self) -> float | None:
        w = super().wake()
        if self.pour is not None:
            end = self.env.t + min(self.pour["left"], self.contents()) / POUR_RATE
            w = end if w is None else min(w, end)
        return w

    def _pour(self, dt: float) -> list[Event]:
        p = self.pour
        rcv: ChemicalContainer = p["to"]
        total = self.contents()
        dv = min(POUR_RATE * dt, p["left"], total)
        events: list[Event] = []
        incoming = self.present()
        if any(needs_bonding(self.env, s) for s in incoming):
            bad = not (self.dissipates() and rcv.dissipates())
            if bad and not p["static"]:
                events.append(Event("hazard", self.id, {
                    "hazard": "static_discharge", "to": rcv.id, "substances": incoming,
                    "resistance_to_ground": {
                        self.id: self.states["resistance_to_ground"],
                        rcv.id: rcv.states["resistance_to_ground"]}}))
            p["static"] = bad
        for a in incoming:
            for b in rcv.present():
                key = frozenset((a, b))
                hit = reaction(self.env, a, b) if key not in rcv._reacted else None
                if hit is not None:
                    rcv._reacted.add(key)
                    groups, cons = hit
                    events.append(Event("reaction", rcv.id, {
                        "substances": [a, b], "groups": groups, "consequences": cons,
                        "heat": "heat" in cons,
                        "gas": [c for c in cons if c.endswith("_gas")],
                        "volume": rcv.contents() + dv}))
        room = max(0.0, rcv.capacity - rcv.contents())
        share = min(dv, room) / dv if dv > 0 else 0.0
        for s, v in list(self.volumes.items()):
            part = dv * v / total if total > 0 else 0.0
            self.volumes[s] = max(0.0, v - part)
            rcv.volumes[s] = rcv.volumes.get(s, 0.0) + part * share
        if share < 1.0 and not p["spilled"]:
            p["spilled"] = True
            events.append(Event("hazard", rcv.id, {"hazard": "spill", "from": self.id}))
        rcv.states["contents"] = rcv.contents()
        p["left"] -= dv
        p["moved"] += dv
        if p["left"] <= TINY or self.contents() <= TINY:
            events.append(Event("transferred", self.id, {"to": rcv.id, "volume": p["moved"]}))
            self.pour = None
        return events


@register("LockBox")
class LockBox(FaultAware):
    """Group lock box: isolation keys inside, personal locks on the lid."""

    def __init__(self, eq: m.Equipment, env) -> None:
        super().__init__(eq, env)
        self.states.setdefault("keys_inside", 0.0)
        self.states.setdefault("personal_locks", 0.0)

    def keys_held(self) -> bool:
        """The keys cannot be taken out: they are inside and a personal lock holds the lid."""
        return float(self.states["keys_inside"]) > 0 and self.locked()

    def isolation_locks(self) -> int:
        return sum(len(b.devices.get("lock", [])) for b in self.env.behaviours.values()
                   if b is not self and b.eq.isolates)

    def act(self, verb: str, *, actor: str | None = None, to=(), at=None) -> Outcome:
        if verb != "deposit" or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        count = at_number(at)
        n = int(count) if count is not None and count >= 1 else self.isolation_locks()
        if n < 1:
            return Outcome(False, f"there are no isolation locks whose keys could go into "
                           f"`{self.id}`")

        def put():
            held, _ = self.stuck("keys_inside")
            if not held:
                self.states["keys_inside"] = float(self.states["keys_inside"]) + n
        self.schedule(DEPOSIT_TIME, put)
        return Outcome(True, duration=DEPOSIT_TIME)

    def apply(self, device: str, owner: str | None) -> Outcome:
        if device == "lock" and len(self.devices.get("lock", [])) >= self.param("lock_points",
                                                                                 12):
            return Outcome(False, f"every lock point of `{self.id}` is taken")
        out = super().apply(device, owner)
        self.states["personal_locks"] = float(len(self.devices.get("lock", [])))
        return out

    def remove(self, device: str, owner: str | None) -> Outcome:
        out = super().remove(device, owner)
        self.states["personal_locks"] = float(len(self.devices.get("lock", [])))
        return out
