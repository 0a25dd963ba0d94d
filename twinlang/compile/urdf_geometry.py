"""The building blocks of the URDF models (:mod:`.urdf`): shapes, links, joints, numbers.

A :class:`Part` is one rigid primitive (box, cylinder, sphere, ring) with its mass and its
principal moments of inertia from the standard formulas; a :class:`Link` combines its parts
into a centre of mass and an inertia tensor about it (rotated into link axes, moved by the
parallel-axis theorem).  :func:`fmt` writes numbers deterministically.  The helpers below
read sizes and masses from an equipment's parameters (SI) and make the links and scene
`controls` the family builders share.  SI units throughout, z up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import model as m

STEEL, CAST_IRON, HDPE, OIL, WATER = 7850.0, 7200.0, 950.0, 870.0, 1000.0   # kg/m^3
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


def rotation(rpy) -> list[list[float]]:
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
            rot, diag = rotation(p.rpy), p.moments()
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


def rounded(x: float) -> float:
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


def state_var(eq: m.Equipment, name: str) -> m.StateVar | None:
    return next((s for s in eq.states if s.name == name), None)


def box_link(name, size, mass, z0=0.0, material="grey") -> Link:
    """A link holding one box standing on z = z0."""
    return Link(name, [Part("box", size, mass, (0.0, 0.0, z0 + size[2] / 2), material=material)])


def steel_box_mass(size, t=0.002, fill=1.6) -> float:
    """Mass of a sheet-steel enclosure (wall t) with `fill` x its shell for what is inside."""
    x, y, z = size
    return STEEL * t * 2 * (x * y + x * z + y * z) * fill


def control_entry(joint: Joint, **extra) -> dict:
    """A scene `controls` entry for a joint (limits as written in the URDF)."""
    out = {"joint": joint.name, "type": joint.type}
    if joint.type != "continuous":
        out.update(lower=rounded(joint.lower), upper=rounded(joint.upper))
    return {**out, **extra}


def lever_link(name: str, length: float, material="red") -> Link:
    w, t = max(0.02, 0.08 * length), max(0.006, 0.025 * length)
    return Link(name, [Part("box", (length, w, t), STEEL * length * w * t,
                            (length / 2 - w / 2, 0.0, 0.0), material=material),
                       Part("cylinder", (w * 0.6, 2 * t), STEEL * math.pi * (0.6 * w) ** 2 * t,
                            material="iron")])


def state_choices(eq: m.Equipment, name: str, default: list[str]) -> list[str]:
    state = state_var(eq, name)
    return list(state.choices) if state is not None and state.choices else default


def spread_positions(names: list[str], travel: float, centred: bool = False) -> dict[str, float]:
    """Joint positions of the values of a choice state: evenly over `travel`, in order."""
    step = travel / max(1, len(names) - 1)
    shift = travel / 2 if centred else 0.0
    return {c: rounded(i * step - shift) for i, c in enumerate(names)}
