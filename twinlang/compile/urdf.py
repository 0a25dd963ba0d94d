"""URDF robot descriptions of the equipment, and the scene file (`scene.json`).

Each piece of equipment becomes `urdf/<file id>.urdf` (`Equipment.model`): rigid links of
boxes, cylinders and rings with masses and inertia tensors from the standard formulas, and
the joints a trainee acts on (handwheel, switch handle, button, rotor).  SI units.  Every
model's origin is the bottom centre of the equipment, z up, x along its run (pipe, shaft,
belt).  Sizes and masses come from the parameters (`params` already hold the kind's
defaults), else from constants ([D]: derived here from physics or practice).

This module picks each equipment's family builder (:func:`family`), builds the spaces and
simple bodies itself, renders the templates and writes the scene; the operated families
are built in :mod:`.urdf_families`, from the shapes and links of :mod:`.urdf_geometry`.

`scene.json` (`twinlang.scene/1`) gives each model's pose, whether its base is fixed, and
its `controls`: the joints a player drives and what their positions mean.  Text from the
source appears only in XML comments, escaped and with `--` broken up.
"""

from __future__ import annotations

import functools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from . import dumps, writer
from . import model as m
from .urdf_families import control, rotating, switch, valve, vessel
from .urdf_geometry import (
    RIGHT,
    STEEL,
    WATER,
    Joint,
    Link,
    Part,
    Robot,
    box_link,
    control_entry,
    fmt,
    num,
    rounded,
    word,
)

SCENE_FORMAT = "twinlang.scene/1"
GRAVITY = 9.81                  # m/s^2, along -z
TIME_STEP = 1 / 240             # s, PyBullet's default step

MATERIALS = {
    "steel": (0.62, 0.64, 0.66, 1), "iron": (0.25, 0.27, 0.3, 1), "red": (0.8, 0.1, 0.1, 1),
    "green": (0.1, 0.6, 0.2, 1), "black": (0.08, 0.08, 0.08, 1), "blue": (0.15, 0.3, 0.6, 1),
    "grey": (0.75, 0.76, 0.74, 1), "yellow": (0.95, 0.8, 0.1, 1), "white": (0.92, 0.92, 0.9, 1),
    "orange": (0.95, 0.45, 0.1, 1), "inside": (0.3, 0.6, 0.9, 0.25),
}
FLUID_ENERGY = {"hydraulic", "pneumatic", "chemical", "thermal"}
ELECTRICAL = {"electrical", "electrical_stored"}


# ---------------------------------------------------------------- spaces and simple bodies
# (built here: body.urdf.j2 tells readers to look for BODIES in this module)


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
    return Robot("body", [box_link("body", size, mass, material="orange" if portable else "grey")],
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
    ctrl = control_entry(joint, positions={"lowered": 0.0, "raised": rounded(joint.upper)})
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
            "position": [rounded(x) for x in (eq.position or [0.0, 0.0, 0.0])],
            "orientation_rpy": [0.0, 0.0, 0.0], "fixed_base": robot.fixed_base,
            "mass": rounded(sum(link.mass for link in robot.links)),
            "controls": robot.controls,
            "lock_point": "hasp" if eq.lockable else None,
        })
    files["scene.json"] = dumps({
        "format": SCENE_FORMAT, "scenario": bundle.scenario.id,
        "units": {"length": "m", "mass": "kg", "time": "s", "angle": "rad"},
        "world": {"gravity": [0.0, 0.0, -GRAVITY], "time_step": TIME_STEP, "up": "z"},
        "equipment": scene})
    return files
