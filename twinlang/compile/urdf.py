"""URDF robot descriptions of the equipment, and the scene file (`scene.json`).

Each piece of equipment becomes `urdf/<file id>.urdf` (`Equipment.model`): rigid links of
boxes, cylinders and rings with masses and inertia tensors from the standard formulas, and
the joints a trainee acts on (handwheel, switch handle, button, rotor).  SI units.  Every
model's origin is the bottom centre of the equipment, z up, x along its run (pipe, shaft,
belt).  Sizes and masses come from the parameters (`params` already hold the kind's
defaults), else from the constants below ([D]: derived here from physics or practice).

`scene.json` (`twinlang.scene/1`) gives each model's pose, whether its base is fixed, and
its `controls`: the joints a player drives and what their positions mean.  Text from the
source appears only in XML comments, escaped and with `--` broken up.
"""

from __future__ import annotations

import functools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import dumps, writer
from . import model as m

SCENE_FORMAT = "twinlang.scene/1"
GRAVITY = 9.81                  # m/s^2, along -z
TIME_STEP = 1 / 240             # s, PyBullet's default step

STEEL, CAST_IRON, HDPE, OIL, WATER = 7850.0, 7200.0, 950.0, 870.0, 1000.0   # kg/m^3
P_ATM, R_AIR = 101325.0, 287.05         # Pa; J/(kg*K)
RIM_PULL = 360.0        # N: API 6D limit on handwheel rim force (domain-facts 5.1)
HAND_TURN = 2 * math.pi  # rad/s: about one handwheel turn per second by hand [D]
VALVE_MASS_1IN = 7.1    # kg at 1 in, x (size/1 in)^1.5: fit to class 150 flanged valve weights [D]
TRV = 15e3              # N*m/m^3: torque per rotor volume, enclosed induction motors 7-30 k [D]
ROTOR_LD = 1.5          # rotor length / diameter [D]
MOTOR_DENSITY = 2500.0  # kg/m^3: motor mass / housing envelope volume (IEC 132M, ~60 kg) [D]
PUMP_SPEED = 1750 * math.pi / 30        # rad/s: 4-pole at 60 Hz when a pump gives none [D]
COAST_DOWN = 10.0       # s: when no coast_down is given (set it from equipment data) [D]
STOP_FRACTION = 0.01    # the viscous model counts a rotor stopped below 1 % of its speed
ALLOWABLE_STRESS = 138e6  # Pa: SA-516-70 allowable stress for the shell formula [D]
CORROSION = 0.0015      # m: corrosion allowance on pressure shells [D]
CONVEYOR_POWER = 5500.0  # W: drive power when no motor feeds the conveyor [D]
MATERIALS = {
    "steel": (0.62, 0.64, 0.66, 1), "iron": (0.25, 0.27, 0.3, 1), "red": (0.8, 0.1, 0.1, 1),
    "green": (0.1, 0.6, 0.2, 1), "black": (0.08, 0.08, 0.08, 1), "blue": (0.15, 0.3, 0.6, 1),
    "grey": (0.75, 0.76, 0.74, 1), "yellow": (0.95, 0.8, 0.1, 1), "white": (0.92, 0.92, 0.9, 1),
    "orange": (0.95, 0.45, 0.1, 1), "inside": (0.3, 0.6, 0.9, 0.25),
}
FLUID_ENERGY = {"hydraulic", "pneumatic", "chemical", "thermal"}
ELECTRICAL = {"electrical", "electrical_stored"}
RIGHT = math.pi / 2


# ---------------------------------------------------------------- geometry and inertia


@dataclass(frozen=True)
class Part:
    """One primitive of a link.  box: (x, y, z); cylinder: (radius, length[, inner radius]);
    sphere: (radius,); ring: (R, a), a torus drawn as a flat cylinder.  Cylinders and rings
    lie along z of their own frame (turn them with `rpy`).  `solid=False`: mass only;
    `collide=False`: drawn only (the `inside` of a vessel or space, named for players)."""

    shape: str
    size: tuple
    mass: float
    xyz: tuple = (0.0, 0.0, 0.0)
    rpy: tuple = (0.0, 0.0, 0.0)
    material: str = "steel"
    solid: bool = True
    collide: bool = True
    name: str | None = None

    def moments(self) -> tuple[float, float, float]:
        s, mass = self.size, self.mass
        if self.shape == "box":
            x, y, z = s
            return (mass * (y * y + z * z) / 12, mass * (x * x + z * z) / 12,
                    mass * (x * x + y * y) / 12)
        if self.shape == "cylinder":
            r2 = s[0] ** 2 + (s[2] ** 2 if len(s) > 2 else 0.0)
            side = mass * (3 * r2 + s[1] ** 2) / 12
            return side, side, mass * r2 / 2
        if self.shape == "ring":   # torus: ring radius R, tube radius a
            big, a = s
            side = mass * (big * big / 2 + 5 * a * a / 8)
            return side, side, mass * (big * big + 3 * a * a / 4)
        i = 2 * mass * s[0] ** 2 / 5
        return i, i, i

    def geometry(self) -> tuple[str, dict[str, float]]:
        if self.shape == "box":
            return "box", {"size": self.size}
        if self.shape == "ring":
            return "cylinder", {"radius": self.size[0] + self.size[1],
                                "length": 2 * self.size[1]}
        if self.shape == "cylinder":
            return "cylinder", {"radius": self.size[0], "length": self.size[1]}
        return "sphere", {"radius": self.size[0]}


def _rot(rpy) -> list[list[float]]:
    r, p, y = rpy
    cr, sr, cp, sp, cy, sy = (math.cos(r), math.sin(r), math.cos(p), math.sin(p),
                              math.cos(y), math.sin(y))
    return [[cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr]]


@dataclass
class Link:
    name: str
    parts: list[Part]

    @property
    def mass(self) -> float:
        return sum(p.mass for p in self.parts)

    def inertial(self) -> tuple[tuple, list[list[float]]]:
        """Centre of mass and the inertia tensor about it, in link axes (parallel axes)."""
        mass = self.mass
        com = tuple(sum(p.mass * p.xyz[i] for p in self.parts) / mass for i in range(3))
        tensor = [[0.0] * 3 for _ in range(3)]
        for p in self.parts:
            rot, diag = _rot(p.rpy), p.moments()
            d = [p.xyz[i] - com[i] for i in range(3)]
            d2 = sum(x * x for x in d)
            for i in range(3):
                for j in range(3):
                    tensor[i][j] += sum(rot[i][k] * diag[k] * rot[j][k] for k in range(3))
                    tensor[i][j] += p.mass * ((d2 if i == j else 0.0) - d[i] * d[j])
        scale = max(tensor[0][0], tensor[1][1], tensor[2][2])
        tensor = [[0.0 if abs(v) < 1e-12 * scale else v for v in row] for row in tensor]
        return tuple(0.0 if abs(c) < 1e-12 else c for c in com), tensor


@dataclass
class Joint:
    name: str
    type: str                       # fixed | revolute | continuous | prismatic
    parent: str
    child: str
    xyz: tuple
    axis: tuple = (0.0, 0.0, 1.0)
    lower: float = 0.0
    upper: float = 0.0
    effort: float = 0.0
    velocity: float = 0.0
    damping: float = 0.0
    friction: float = 0.0
    rpy: tuple = (0.0, 0.0, 0.0)


@dataclass
class Robot:
    family: str                     # the template: valve, switch, control, rotating, ...
    links: list[Link]
    joints: list[Joint] = field(default_factory=list)
    info: dict = field(default_factory=dict)        # numbers the template explains
    controls: list[dict] = field(default_factory=list)
    fixed_base: bool = True
    hasp: tuple | None = None       # where a lockable device takes a padlock (base link)


def fmt(x: float) -> str:
    """Deterministic number text: nine significant digits, no negative zero."""
    if not math.isfinite(x):
        raise ValueError(f"non-finite number {x!r} in a URDF")
    text = f"{x:.9g}"
    return "0" if float(text) == 0 else text


def _r(x: float) -> float:
    return float(fmt(x))


# ---------------------------------------------------------------- parameter access


def num(eq: m.Equipment, name: str, default: float | None = None) -> float | None:
    p = eq.params.get(name)
    v = p.value if p is not None else None
    if isinstance(v, m.Quantity) and math.isfinite(v.si):
        return v.si
    return default


def word(eq: m.Equipment, name: str, default: str) -> str:
    p = eq.params.get(name)
    return p.value if p is not None and isinstance(p.value, str) else default


def flag(eq: m.Equipment, name: str, default: bool) -> bool:
    p = eq.params.get(name)
    return p.value if p is not None and isinstance(p.value, bool) else default


def _state(eq: m.Equipment, name: str) -> m.StateVar | None:
    return next((s for s in eq.states if s.name == name), None)


def _box(name, size, mass, z0=0.0, material="grey") -> Link:
    """A link holding one box standing on z = z0."""
    return Link(name, [Part("box", size, mass, (0.0, 0.0, z0 + size[2] / 2), material=material)])


def _steel_box(size, t=0.002, fill=1.6) -> float:
    """Mass of a sheet-steel enclosure (wall t) with `fill` x its shell for what is inside."""
    x, y, z = size
    return STEEL * t * 2 * (x * y + x * z + y * z) * fill


def _control(joint: Joint, **extra) -> dict:
    """A scene `controls` entry for a joint (limits as written in the URDF)."""
    out = {"joint": joint.name, "type": joint.type}
    if joint.type != "continuous":
        out.update(lower=_r(joint.lower), upper=_r(joint.upper))
    return {**out, **extra}


def _lever(name: str, length: float, material="red") -> Link:
    w, t = max(0.02, 0.08 * length), max(0.006, 0.025 * length)
    return Link(name, [Part("box", (length, w, t), STEEL * length * w * t,
                            (length / 2 - w / 2, 0.0, 0.0), material=material),
                       Part("cylinder", (w * 0.6, 2 * t), STEEL * math.pi * (0.6 * w) ** 2 * t,
                            material="iron")])


def _choices(eq: m.Equipment, name: str, default: list[str]) -> list[str]:
    state = _state(eq, name)
    return list(state.choices) if state is not None and state.choices else default


def _spread(names: list[str], travel: float, centred: bool = False) -> dict[str, float]:
    """Joint positions of the values of a choice state: evenly over `travel`, in order."""
    step = travel / max(1, len(names) - 1)
    shift = travel / 2 if centred else 0.0
    return {c: _r(i * step - shift) for i, c in enumerate(names)}


# ---------------------------------------------------------------- valves


def valve(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    quarter = "turns_to_close" not in eq.params
    d = num(eq, "size", 0.0508)
    bonnet_k, mass_k = {"GateValve": (2.0, 1.0), "GlobeValve": (1.5, 1.15)}.get(
        eq.kind, (0.5, 0.8) if quarter else (2.0, 1.0))
    r_b, run = 0.75 * d + 0.015, 0.1 + 1.2 * d
    r_n, h_n = 0.45 * d + 0.012, bonnet_k * d + 0.06
    m_body = VALVE_MASS_1IN * (d / 0.0254) ** 1.5 * mass_k
    top = 2 * r_b + h_n
    stem_r = 0.08 * d + 0.006
    body = Link("body", [
        Part("cylinder", (r_b, run), 0.7 * m_body, (0.0, 0.0, r_b), (0.0, RIGHT, 0.0), "iron"),
        Part("cylinder", (r_n, r_b + h_n), 0.3 * m_body, (0.0, 0.0, r_b + (r_b + h_n) / 2),
             material="iron"),
        Part("cylinder", (stem_r, 0.04), STEEL * math.pi * stem_r ** 2 * 0.04,
             (0.0, 0.0, top + 0.02))])
    breakaway = num(eq, "breakaway_torque")
    running = num(eq, "operating_torque")
    effort = breakaway if breakaway is not None else (running or 40.0)
    friction = running if running is not None else 0.7 * effort  # Sharpe 0.70 x breakaway
    if quarter:
        turns, upper, speed = 0.25, RIGHT, math.pi
        lever = num(eq, "lever_length", 0.3)
        handle, size_from = _lever("lever", lever), "lever_length"
        wheel_d = lever
    else:
        turns = num(eq, "turns_to_close", 8.0)
        upper, speed = 2 * math.pi * turns, HAND_TURN
        wheel_d = num(eq, "handwheel_diameter")
        size_from = "handwheel_diameter"
        if wheel_d is None:     # the smallest wheel one person turns with RIM_PULL
            wheel_d, size_from = min(1.065, max(0.1, 2 * effort / RIM_PULL)), "rim pull"
        a = 0.005 + 0.02 * wheel_d
        big = wheel_d / 2 - a
        hub_r = max(0.015, 0.12 * big)
        spoke = (2 * big, 1.2 * a, a)
        handle = Link("handwheel", [
            Part("ring", (big, a), CAST_IRON * 2 * math.pi ** 2 * big * a * a, material="red"),
            Part("box", spoke, CAST_IRON * math.prod(spoke), material="red"),
            Part("box", spoke, CAST_IRON * math.prod(spoke), rpy=(0.0, 0.0, RIGHT),
                 material="red"),
            Part("cylinder", (hub_r, 3 * a), CAST_IRON * math.pi * hub_r ** 2 * 3 * a,
                 material="iron")])
    damping = 0.1 * friction / speed
    stem = Joint("stem", "revolute", "body", handle.name, (0.0, 0.0, top + 0.04),
                 (0.0, 0.0, -1.0), 0.0, upper, effort, speed, damping, friction)
    control = _control(stem)
    if _state(eq, "position") is not None:
        control.update(state="position", at_lower=1.0, at_upper=0.0)
    info = dict(quarter=quarter, turns=turns, upper=upper, effort=effort,
                effort_from="breakaway_torque" if breakaway is not None else
                "operating_torque", friction=friction,
                friction_from="operating_torque" if running is not None else
                "0.7 x breakaway_torque", damping=damping, speed=speed, wheel=wheel_d,
                wheel_from=size_from, body_mass=m_body, size=d)
    return Robot("valve", [body, handle], [stem], info, [control],
                 hasp=(0.0, r_n + 0.005, top - 0.03))


# ---------------------------------------------------------------- disconnects and breakers


def switch(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    s = min(4.0, max(0.7, (num(eq, "rated_current", 100.0) / 100.0) ** (1 / 3)))
    size = (0.2 * s, 0.35 * s, 0.5 * s)          # depth (x, front at +x), width, height
    links, joints, controls = [_box("enclosure", size, _steel_box(size))], [], []
    # the handle pivots on the side of the enclosure (on the front of a draw-out carriage)
    pivot = (size[0] / 2 - 0.04, size[1] / 2 + 0.01, size[2] * 0.6)
    parent = "enclosure"
    if flag(eq, "drawout", False):               # the carriage racks out along +x
        rack, inner = 0.3, (0.8 * size[0], 0.8 * size[1], 0.6 * size[2])
        links.append(Link("carriage", [Part("box", inner, 0.4 * links[0].mass,
                                            material="black")]))
        joints.append(Joint("rack", "prismatic", "enclosure", "carriage",     # front flush
                            ((size[0] - inner[0]) / 2 + 0.01, 0.0, size[2] / 2),
                            (1.0, 0.0, 0.0), 0.0, rack, 2000.0, 0.05, 200.0, 50.0))
        names = _choices(eq, "racked", ["connected", "test", "disconnected"])
        controls.append(_control(joints[-1], state="racked", positions=_spread(names, rack)))
        parent, pivot = "carriage", (inner[0] / 2 + 0.01, 0.0, 0.0)
    torque = num(eq, "handle_torque", 5.0)       # breakers: 5 N*m toggle [D]
    travel, length = RIGHT, 0.15 * s             # 90 degrees of handle travel [D]
    w, t = 0.02 * s, 0.008 * s
    half = length / 2 * math.sqrt(0.5)
    # the lever points 45 degrees up and forward when on, 45 degrees down when off
    links.append(Link("handle", [
        Part("box", (length, w, t), STEEL * length * w * t, (half, 0.0, half),
             (0.0, -math.pi / 4, 0.0), "red"),
        Part("cylinder", (w, 2 * t), STEEL * math.pi * w * w * 2 * t, rpy=(RIGHT, 0.0, 0.0),
             material="iron")]))
    joints.append(Joint("handle", "revolute", parent, "handle", pivot, (0.0, 1.0, 0.0), 0.0,
                        travel, torque, math.pi, 0.05 * torque, torque))
    state = "handle" if _state(eq, "handle") is not None else "position"
    names = _choices(eq, state, ["on", "off"] if state == "handle" else ["closed", "open"])
    if set(names) == {"closed", "open", "tripped"}:
        names = ["closed", "tripped", "open"]     # a tripped handle rests midway
    controls.insert(0, _control(joints[-1], state=state, positions=_spread(names, travel)))
    info = dict(torque=torque, travel=travel, torque_from="handle_torque"
                if "handle_torque" in eq.params else "a 5 N*m toggle", scale=s,
                mass=links[0].mass, drawout=parent == "carriage")
    return Robot("switch", links, joints, info, controls,
                 hasp=(size[0] / 2 - 0.02, size[1] / 2 + 0.03, size[2] * 0.35))


# ---------------------------------------------------------------- push buttons and selectors


def control(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    size = (0.1, 0.1, 0.12)
    station = _box("station", size, 0.6)
    selector = "press" not in eq.actions
    function = word(eq, "function", "start")
    if selector:
        knob = Link("knob", [Part("box", (0.02, 0.012, 0.045), 0.01, (0.01, 0.0, 0.0),
                                  material="black"),
                             Part("cylinder", (0.014, 0.01), 0.01, (0.005, 0.0, 0.0),
                                  (0.0, RIGHT, 0.0), "black")])
        names = _choices(eq, "position", ["off", "hand", "auto"])
        positions = _spread(names, math.pi / 4 * (len(names) - 1), centred=True)
        low, high = min(positions.values()), max(positions.values())
        joint = Joint("selector", "revolute", "station", "knob", (0.05, 0.0, 0.06),
                      (1.0, 0.0, 0.0), low, high, 1.0, math.pi, 0.005, 0.1)
        ctrl = _control(joint, state="position", positions=positions)
    else:
        travel = 0.005                              # 5 mm button stroke [D]
        mushroom = function == "emergency_stop"
        r = 0.02 if mushroom else 0.011
        color = {"start": "green", "jog": "black"}.get(function, "red")
        knob = Link("button", [Part("cylinder", (r, 0.015), 0.01, (0.0075, 0.0, 0.0),
                                    (0.0, RIGHT, 0.0), color)])
        joint = Joint("button", "prismatic", "station", "button", (0.05, 0.0, 0.06),
                      (-1.0, 0.0, 0.0), 0.0, travel, 10.0, 0.2, 1.0, 1.0)
        ctrl = _control(joint, state="pressed", positions={"false": 0.0, "true": travel})
    info = dict(selector=selector, function=function)
    return Robot("control", [station, knob], [joint], info, [ctrl])


# ---------------------------------------------------------------- motors, pumps, conveyors


def _rotor(power: float, speed: float) -> tuple[float, float, float]:
    """Rotor diameter, length and inertia of a solid steel rotor sized by TRV."""
    volume = power / speed / TRV
    dia = (4 * volume / (math.pi * ROTOR_LD)) ** (1 / 3)
    return dia, ROTOR_LD * dia, STEEL * volume * dia * dia / 8


def _coast(inertia: float, t_cd: float, speed: float) -> tuple[float, float, float]:
    """Viscous damping b and Coulomb friction f that stop the rotor in exactly t_cd:
    J w' = -b w - f gives w(t) = (w0 + f/b) exp(-t/tau) - f/b with tau = J/b, which
    reaches 0 at t = tau ln(1 + b w0/f); tau = t_cd / ln(1/STOP_FRACTION) and
    f = b w0 STOP_FRACTION / (1 - STOP_FRACTION) make that t_cd."""
    tau = t_cd / math.log(1 / STOP_FRACTION)
    b = inertia / tau
    return tau, b, b * speed * STOP_FRACTION / (1 - STOP_FRACTION)


def rotating(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    if eq.kind == "Conveyor" or ("belt_speed" in eq.params and "rated_power" not in eq.params):
        return conveyor(eq, bundle)
    power = num(eq, "rated_power", 5500.0)
    speed = num(eq, "rated_speed", PUMP_SPEED)
    dia, length, j_est = _rotor(power, speed)
    inertia = num(eq, "rotor_inertia")
    j_from = "rotor_inertia"
    if inertia is None:
        inertia, j_from = j_est, "estimated from rated_power and speed"
    t_cd = num(eq, "coast_down")
    t_from = "coast_down" if t_cd is not None else "default"
    t_cd = t_cd if t_cd else COAST_DOWN
    tau, b, f = _coast(inertia, t_cd, speed)
    r_h, l_h = 0.9 * dia + 0.02, 1.6 * length + 0.1
    shaft_z = 1.1 * r_h + 0.03
    m_rotor = 2 * inertia / (dia / 2) ** 2      # a solid cylinder of that J
    envelope = MOTOR_DENSITY * math.pi * r_h * r_h * l_h
    m_env = max(0.5 * envelope, envelope - m_rotor)     # the motor without its rotor
    feet = (0.8 * l_h, 1.6 * r_h, shaft_z - 0.5 * r_h)
    parts = [Part("cylinder", (r_h, l_h), 0.9 * m_env, (0.0, 0.0, shaft_z), (0.0, RIGHT, 0.0),
                  "blue"),
             Part("box", feet, 0.1 * m_env, (0.0, 0.0, feet[2] / 2), material="blue")]
    pump = "rated_flow" in eq.params
    if pump:      # volute casing ahead of the motor, on the -x end
        vol = (1.2 * r_h, 0.6 * r_h)
        parts.append(Part("cylinder", vol, 0.5 * m_env, (-l_h / 2 - vol[1] / 2, 0.0, shaft_z),
                          (0.0, RIGHT, 0.0), "iron"))
    r_r, r_s, l_s = dia / 2, 0.18 * dia, 0.25 * length + 0.04
    rotor = Link("rotor", [
        Part("cylinder", (r_r, length), m_rotor, rpy=(0.0, RIGHT, 0.0),
             material="iron"),
        Part("cylinder", (r_s, l_s), 0.0, (l_h / 2 + l_s / 2, 0.0, 0.0), (0.0, RIGHT, 0.0)),
        Part("box", (0.01, r_s, 2.2 * r_s), 0.0, (l_h / 2 + l_s, 0.0, 0.0), material="yellow")])
    joint = Joint("shaft", "continuous", "housing", "rotor", (0.0, 0.0, shaft_z),
                  (1.0, 0.0, 0.0), effort=power / speed, velocity=speed, damping=b,
                  friction=f)
    info = dict(inertia=inertia, j_from=j_from, t_cd=t_cd, t_from=t_from, tau=tau, b=b, f=f,
                speed=speed, torque=power / speed, power=power, pump=pump,
                rotor_mass=rotor.mass, dia=dia)
    return Robot("rotating", [Link("housing", parts), rotor], [joint], info,
                 [_control(joint, state="speed", scale=1.0)])


def conveyor(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    length = num(eq, "length", 12.0)
    theta = num(eq, "incline", 0.0)
    v = num(eq, "belt_speed", 1.5)
    width, bed_z, r_p = 1.0, 0.9, 0.2     # frame width, bed height, head pulley radius [D]
    dx, dz = length / 2 * math.cos(theta), length / 2 * math.sin(theta)
    # the tail end at bed_z, the head end (+x, the drive) 2 dz higher
    parts = [Part("box", (length, width, 0.15), 50.0 * length, (0.0, 0.0, bed_z + dz),
                  (0.0, -theta, 0.0), "grey")]    # 50 kg/m of frame and idlers [D]
    for sign in (-1, 1):
        h = bed_z + dz + sign * dz
        parts.append(Part("box", (0.1, width, h), 20.0, (sign * dx, 0.0, h / 2), material="grey"))
    belt = 12.0 * 0.8 * 2 * length            # 12 kg/m^2 fabric belt, 0.8 m wide, both strands [D]
    face = width - 0.1
    pulley = Link("pulley", [
        Part("cylinder", (r_p, face, r_p - 0.01), STEEL * 2 * math.pi * r_p * face * 0.01,
             rpy=(RIGHT, 0.0, 0.0), material="iron"),
        Part("ring", (r_p, 0.005), belt, rpy=(RIGHT, 0.0, 0.0), solid=False)])
    feeder = next((e for e in bundle.equipment if eq.id in e.relations.feeds
                   and num(e, "rated_power") is not None), None)
    power = num(feeder, "rated_power") if feeder else CONVEYOR_POWER
    t_cd = (num(feeder, "coast_down") if feeder else None) or COAST_DOWN
    speed = v / r_p
    inertia = pulley.inertial()[1][1][1]       # about the pulley axis (y)
    tau, b, f = _coast(inertia, t_cd, speed)
    joint = Joint("pulley", "continuous", "frame", "pulley", (dx, 0.0, bed_z + 2 * dz),
                  (0.0, 1.0, 0.0), effort=power / speed, velocity=speed, damping=b, friction=f)
    info = dict(inertia=inertia, belt=belt, r=r_p, t_cd=t_cd, tau=tau, b=b, f=f, speed=speed,
                feeder=feeder.id if feeder else None, power=power)
    return Robot("conveyor", [Link("frame", parts), pulley], [joint], info,
                 [_control(joint, state="speed", scale=r_p)])


# ---------------------------------------------------------------- vessels and containers

#: container type -> (height / diameter, wall thickness m, wall density) [D]
CONTAINERS = {"drum": (1.5, 0.0012, STEEL), "safety_can": (1.4, 0.0006, STEEL),
              "tote": (1.0, 0.004, HDPE), "bottle": (2.5, 0.002, HDPE),
              "can": (1.5, 0.0005, STEEL)}


def vessel(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    """An upright cylinder holding exactly the declared volume (pi r^2 h = V)."""
    volume = num(eq, "volume") or num(eq, "capacity") or 0.2
    ctype = word(eq, "container_type", "drum")
    aspect, wall, rho = {"Accumulator": (3.0, None, STEEL), "PressureVessel": (2.5, None, STEEL),
                         "Tank": (1.0, None, STEEL)}.get(eq.kind, CONTAINERS.get(
                             ctype, CONTAINERS["drum"]))
    if not flag(eq, "conductive", True):        # a plastic container
        rho, wall = HDPE, max(wall or 0.0, 0.003)
    given = eq.params.get("height")
    if given is not None and not given.from_default and num(eq, "height"):
        height = num(eq, "height")              # a tank's height as written
        dia = math.sqrt(4 * volume / (math.pi * height))
    else:
        dia = (4 * volume / (math.pi * aspect)) ** (1 / 3)
        height = aspect * dia
    r = dia / 2
    pressure = next((num(eq, k) for k in ("working_pressure", "design_pressure",
                                         "supply_pressure") if num(eq, k)), None)
    if wall is not None:
        wall_from = f"{ctype} wall"
    elif pressure:                  # ASME VIII UG-27 hoop stress, joint efficiency 1
        wall = max(0.003, pressure * r / (ALLOWABLE_STRESS - 0.6 * pressure) + CORROSION)
        wall_from = "t = P r / (S - 0.6 P) + c, S = 138 MPa, c = 1.5 mm (ASME VIII UG-27)"
    else:                           # API 650 minimum shell thickness by tank diameter
        wall = 0.005 if dia < 15 else 0.006 if dia < 36 else 0.008 if dia < 60 else 0.010
        wall_from = "API 650 minimum shell thickness for the diameter"
    outer, h_total = r + wall, height + 2 * wall
    # cylindrical shell and two flat heads
    shell = rho * wall * (2 * math.pi * outer * h_total + 2 * math.pi * outer ** 2)
    contents, what, fill = _contents(eq, volume)
    color = "white" if rho == HDPE else "yellow" if eq.kind == "Accumulator" else "steel"
    parts = [Part("cylinder", (outer, h_total, r), shell, (0.0, 0.0, h_total / 2),
                  material=color)]
    parts.append(Part("cylinder", (r, height), 0.0, (0.0, 0.0, h_total / 2),
                      material="inside", collide=False, name="inside"))
    if contents > 0:
        parts.append(Part("cylinder", (r, height * fill), contents,
                          (0.0, 0.0, wall + height * fill / 2), solid=False))
    links, joints, controls = [Link("shell", parts)], [], []
    name = next((n for verb, n in (("open", "closure"), ("bleed", "bleed"), ("drain", "drain"))
                 if verb in eq.actions), None)
    if name == "closure":           # a lid hinged at its edge, opening upwards
        lid = min(0.06, 0.4 * r)
        links.append(Link(name, [Part("cylinder", (lid, 0.01), STEEL * math.pi * lid ** 2 * 0.002,
                                      (0.0, -lid, 0.005), material="black")]))
        joints.append(Joint(name, "revolute", "shell", name, (0.0, 0.5 * r + lid, h_total),
                            (-1.0, 0.0, 0.0), 0.0, RIGHT, 5.0, math.pi, 0.01, 0.2))
    elif name is not None:          # a quarter-turn valve low on the side
        links.append(_lever(name, min(0.15, max(0.05, 0.5 * r))))
        joints.append(Joint(name, "revolute", "shell", name,
                            (0.0, outer + 0.02, 0.1 * h_total + 0.02), (0.0, 1.0, 0.0), 0.0,
                            RIGHT, 10.0, math.pi, 0.02, 1.0))
    if name is not None:
        controls.append(_control(joints[0], positions={"closed": 0.0, "open": _r(RIGHT)}))
        if name == "closure" and _state(eq, "vent") is not None:
            controls[0]["state"] = "vent"
    info = dict(volume=volume, modelled=math.pi * r * r * height, dia=dia, height=height,
                wall=wall, wall_from=wall_from, shell=shell, contents=contents, what=what,
                aspect=height / dia, valve=name)
    portable = eq.kind == "ChemicalContainer" and ctype in ("safety_can", "bottle", "can")
    return Robot("vessel", links, joints, info, controls, fixed_base=not portable)


def _contents(eq: m.Equipment, volume: float) -> tuple[float, str, float]:
    """Mass of what the vessel holds at the start, how it was found, the share it fills."""
    if eq.kind == "Accumulator":     # oil pushed in at working pressure, isothermal gas
        p0, p = num(eq, "precharge", 9e6) + P_ATM, num(eq, "working_pressure", 14e6) + P_ATM
        share = max(0.0, 1 - p0 / p)
        return OIL * volume * share, "hydraulic oil at working_pressure (V (1 - P0/P))", share
    if eq.kind == "PressureVessel":  # air at design pressure, ideal gas
        p = num(eq, "design_pressure", 1e6) + P_ATM
        rho = p / (R_AIR * num(eq, "gas_temperature", 293.15))
        return rho * volume, "air at design_pressure (ideal gas)", 1.0
    share = num(eq, "initial_fill")
    level = _state(eq, "level")
    if share is None and level is not None and isinstance(level.initial, m.Quantity):
        share = level.initial.si
    if share:
        return WATER * volume * share, "liquid of 1000 kg/m^3 (density not in the bundle)", share
    return 0.0, "empty", 0.0


# ---------------------------------------------------------------- spaces and simple bodies


def space(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    """A box-shaped space with plate walls and a 0.6 m manway in the roof."""
    volume = num(eq, "volume", 10.0)
    depth = num(eq, "vertical_depth", 0.0)
    height = depth if depth >= 1.0 else volume ** (1 / 3)
    side = max(0.6, math.sqrt(volume / height))
    height = volume / (side * side)
    t, hole = 0.006, min(0.6, side / 2)
    plate = STEEL * t
    parts = [Part("box", (side, side, t), plate * side * side, (0.0, 0.0, t / 2))]
    zc = t + height / 2
    for x, y, sx, sy in ((1, 0, t, side), (-1, 0, t, side), (0, 1, side, t), (0, -1, side, t)):
        parts.append(Part("box", (sx, sy, height), plate * max(sx, sy) * height,
                          (x * (side + t) / 2, y * (side + t) / 2, zc)))
    rim, zr = (side - hole) / 2, height + 1.5 * t
    for s in (-1, 1):
        parts.append(Part("box", (side, rim, t), plate * side * rim,
                          (0.0, s * (hole + rim) / 2, zr)))
        parts.append(Part("box", (hole, rim, t), plate * hole * rim,
                          (s * (hole + rim) / 2, 0.0, zr), (0.0, 0.0, RIGHT)))
    parts.append(Part("box", (side, side, height), 0.0, (0.0, 0.0, zc), material="inside",
                      collide=False, name="inside"))
    info = dict(volume=volume, side=side, height=height, modelled=side * side * height,
                portals=num(eq, "portals", 1.0), hole=hole)
    return Robot("space", [Link("walls", parts)], info=info)


#: kind -> (box size m, mass kg, portable) for simple bodies [D]
BODIES = {
    "GasDetector": ((0.07, 0.05, 0.15), 0.45, True),
    "VoltageTester": ((0.05, 0.04, 0.25), 0.4, True),
    "ProvingUnit": ((0.08, 0.04, 0.15), 0.3, True),
    "CapacitorBank": ((0.4, 0.6, 1.2), 80.0, False),
    "Panelboard": ((0.15, 0.5, 1.2), 45.0, False),
    "LockBox": ((0.1, 0.3, 0.35), 4.0, False),
    "VentilationBlower": ((0.45, 0.4, 0.45), 25.0, False),
    "SpringMechanism": ((0.2, 0.2, 0.3), 15.0, False),
}


def body(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    if eq.kind == "RetrievalSystem":
        return tripod(eq)
    if eq.kind == "ProcessLine" or ("operating_pressure" in eq.params and "size" in eq.params):
        d = num(eq, "size", 0.0508)
        t, run = max(0.0017, 0.055 * d + 0.001), 2.0     # schedule-40-like wall, 2 m spool [D]
        r = d / 2 + t
        mass = STEEL * math.pi * (r * r - (d / 2) ** 2) * run
        if word(eq, "phase", "liquid") == "liquid":
            mass += WATER * math.pi * (d / 2) ** 2 * run
        parts = [Part("cylinder", (r, run, d / 2), mass, (0.0, 0.0, r), (0.0, RIGHT, 0.0))]
        return Robot("body", [Link("pipe", parts)], info=dict(what="pipe spool", mass=mass))
    size, mass, portable = BODIES.get(eq.kind, ((0.3, 0.3, 0.3), 10.0, False))
    what = "generic 0.3 m box" if eq.kind not in BODIES else "simple body"
    if eq.kind == "VentilationBlower":      # side grows with the cube root of the flow
        s = min(3.0, max(0.7, (num(eq, "rated_flow", 0.3) / 0.3) ** (1 / 3)))
        size, mass = tuple(x * s for x in size), mass * s ** 3
    if eq.kind == "RaisedLoad" or "load_mass" in eq.params:
        return raised_load(eq)
    return Robot("body", [_box("body", size, mass, material="orange" if portable else "grey")],
                 info=dict(what=what, mass=mass), fixed_base=not portable,
                 hasp=(size[0] / 2 + 0.005, 0.0, size[2] * 0.7))


def tripod(eq: m.Equipment) -> Robot:
    height, spread, r = 2.1, 0.7, 0.02          # tripod head height, foot radius [D]
    leg = math.hypot(height, spread)
    tilt = math.atan2(spread, height)
    parts = [Part("cylinder", (0.08, 0.06), 3.0, (0.0, 0.0, height))]
    for i in range(3):
        a = 2 * math.pi * i / 3
        parts.append(Part("cylinder", (r, leg), 4.0,
                          (spread / 2 * math.cos(a), spread / 2 * math.sin(a), height / 2),
                          (0.0, -tilt, a), "yellow"))
    winch_r = spread * (1 - 1.2 / height) + 0.1      # the winch on the first leg
    parts.append(Part("box", (0.15, 0.15, 0.2), 5.0, (winch_r, 0.0, 1.2), material="iron"))
    return Robot("body", [Link("tripod", parts)],
                 info=dict(what="tripod and winch", mass=sum(p.mass for p in parts)))


def raised_load(eq: m.Equipment) -> Robot:
    mass = num(eq, "load_mass") or 100.0
    height = num(eq, "height", 1.0)
    side = max(0.2, (mass / STEEL) ** (1 / 3))
    frame = Link("frame", [Part("box", (0.1, 0.1, height + side), 20.0,
                                (-(side / 2 + 0.05), 0.0, (height + side) / 2))])
    load = Link("load", [Part("box", (side, side, side), mass, (0.0, 0.0, side / 2),
                              material="orange")])
    joint = Joint("lift", "prismatic", "frame", "load", (0.0, 0.0, 0.0), (0.0, 0.0, 1.0),
                  0.0, max(height, 0.001), GRAVITY * mass * 2, 0.5, 0.0, 0.0)
    ctrl = _control(joint, positions={"lowered": 0.0, "raised": _r(joint.upper)})
    return Robot("body", [frame, load], [joint], dict(what="raised load", mass=mass), [ctrl])


# ---------------------------------------------------------------- families and writing

FAMILIES = {
    "GateValve": valve, "GlobeValve": valve, "BallValve": valve, "Disconnect": switch,
    "CircuitBreaker": switch, "PushButton": control, "SelectorSwitch": control,
    "Motor": rotating, "Pump": rotating, "Conveyor": rotating, "Accumulator": vessel,
    "PressureVessel": vessel, "Tank": vessel, "ChemicalContainer": vessel,
    "ConfinedSpace": space,
}


def family(eq: m.Equipment):
    """The builder for a kind: by stdlib name, else by what the kind declares."""
    if eq.kind in FAMILIES:
        return FAMILIES[eq.kind]
    params = eq.params
    if FLUID_ENERGY & set(eq.isolates) and ("turns_to_close" in params
                                             or "lever_length" in params):
        return valve
    if ELECTRICAL & set(eq.isolates):
        return switch
    if eq.control_device and ("press" in eq.actions or "position" in eq.actions):
        return control
    if "rotor_inertia" in params or "rated_speed" in params or "belt_speed" in params:
        return rotating
    if ("volume" in params or "capacity" in params) and set(eq.stores) & FLUID_ENERGY:
        return vessel
    return body


def _comment(text) -> str:
    """Text made safe for an XML comment (the template escapes `<`, `&` and quotes)."""
    out = "".join(c if c >= " " or c == "\t" else " " for c in str(text or ""))
    out = "".join(c for c in out if c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
    while "--" in out:
        out = out.replace("--", "- -")
    return out + " " if out.endswith("-") else out


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(n=fmt, vec=lambda xs: " ".join(fmt(x) for x in xs), comment=_comment)
    return env


def _link_view(link: Link) -> dict:
    com, t = link.inertial()
    return dict(name=link.name, mass=link.mass, com=com,
                inertia=dict(ixx=t[0][0], ixy=t[0][1], ixz=t[0][2], iyy=t[1][1], iyz=t[1][2],
                             izz=t[2][2]),
                parts=[dict(xyz=p.xyz, rpy=p.rpy, material=p.material, geometry=p.geometry(),
                            collide=p.collide, name=p.name) for p in link.parts if p.solid])


def render(eq: m.Equipment, robot: Robot) -> bytes:
    links = [_link_view(link) for link in robot.links]
    materials = sorted({p["material"] for link in links for p in link["parts"]})
    text = _env().get_template(f"{robot.family}.urdf.j2").render(
        eq=eq, robot=robot, links=links, info=robot.info,
        materials=[(name, MATERIALS[name]) for name in materials])
    _self_check(eq.id, text)
    return text.encode("utf-8")


def _self_check(tag: str, text: str) -> None:
    """The output parses, and every inertial is physical after rounding (a bug otherwise)."""
    root = ET.fromstring(text.encode("utf-8"))
    for link in root.iter("link"):
        mass = float(link.find("inertial/mass").get("value"))
        i = {k: float(v) for k, v in link.find("inertial/inertia").attrib.items()}
        xx, yy, zz = i["ixx"], i["iyy"], i["izz"]
        minor = xx * yy - i["ixy"] ** 2
        det = (xx * (yy * zz - i["iyz"] ** 2) - i["ixy"] * (i["ixy"] * zz - i["iyz"] * i["ixz"])
               + i["ixz"] * (i["ixy"] * i["iyz"] - yy * i["ixz"]))
        if not (mass > 0 and xx > 0 and minor > 0 and det > 0 and xx + yy >= zz
                and yy + zz >= xx and xx + zz >= yy):
            raise ValueError(f"URDF of `{tag}`: link `{link.get('name')}` has an invalid inertial")


def build(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    robot = family(eq)(eq, bundle)
    if eq.lockable:     # a lockout hasp: a fixed link that marks where a padlock goes
        robot.links.append(Link("hasp", [Part("box", (0.01, 0.04, 0.03), 0.05,
                                              material="yellow")]))
        top = max(part.xyz[2] for part in robot.links[0].parts)
        robot.joints.append(Joint("hasp_mount", "fixed", robot.links[0].name, "hasp",
                                  robot.hasp or (0.0, 0.0, top)))
    return robot


@writer("urdf")
def write(bundle: m.Bundle, ctx) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    scene = []
    for eq in bundle.equipment:
        robot = build(eq, bundle)
        files[eq.model] = render(eq, robot)
        scene.append({
            "id": eq.id, "kind": eq.kind, "model": eq.model, "base_link": robot.links[0].name,
            "position": [_r(x) for x in (eq.position or [0.0, 0.0, 0.0])],
            "orientation_rpy": [0.0, 0.0, 0.0], "fixed_base": robot.fixed_base,
            "mass": _r(sum(link.mass for link in robot.links)),
            "controls": robot.controls,
            "lock_point": "hasp" if eq.lockable else None,
        })
    files["scene.json"] = dumps({
        "format": SCENE_FORMAT, "scenario": bundle.scenario.id,
        "units": {"length": "m", "mass": "kg", "time": "s", "angle": "rad"},
        "world": {"gravity": [0.0, 0.0, -GRAVITY], "time_step": TIME_STEP, "up": "z"},
        "equipment": scene})
    return files
