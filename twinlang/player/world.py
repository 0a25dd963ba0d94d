"""The rigid-body world of the player: the bundle's URDF scene in PyBullet.

The behaviours (:mod:`.behaviours`) own the process models; the world shows what they do
on the equipment's joints, with the masses, inertias, limits, damping and friction the
compiler wrote into the URDFs.  Each joint listed in a scene `controls` entry follows its
state: a valve's handwheel turns to ``lower + (s - at_lower) / (at_upper - at_lower) x
(upper - lower)``, a switch handle goes to the position of its choice, a shaft or a head
pulley turns at ``speed / scale``.  Joints without a state are held by their friction only
(PyBullet reads the URDF friction but does not apply it: the world applies it as a
zero-velocity motor of that force).

Only this module imports :mod:`pybullet` (and :mod:`numpy`, through the renderer), lazily
from :mod:`.runner`, so `twinlang check` never loads them.  Stepping is deterministic:
``p.DIRECT`` with a fixed time step and no wall clock (the GUI's pacing sleeps but never
changes what is simulated).  A non-finite or runaway joint stops the run with
:class:`~.behaviours.base.PhysicsError`.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..bundle import model as m
from .behaviours.base import Environment, PhysicsError

#: the physics time step (s): PyBullet's default, as in scene.json
TIME_STEP = 1.0 / 240.0
#: a joint is runaway above this multiple of its URDF velocity limit (or RUNAWAY_FLOOR)
RUNAWAY_FACTOR = 5.0
RUNAWAY_FLOOR = 50.0        # rad/s or m/s
#: PyBullet clamps joint speeds at maxJointVelocity (default 100 rad/s, less than a motor's)
CLAMP_FACTOR = 100.0
#: joints are checked for blow-ups every this many steps (0.1 s): a NaN or a runaway stays
#: (nothing in the behaviours reads the world back), and reading every joint costs more than
#: a bare PyBullet step
CHECK_EVERY = 24


@dataclass
class Drive:
    """One driven joint: what it follows and how hard the motor may push."""

    equipment: str
    body: int
    joint: int
    name: str
    state: str | None       # the behaviour state it follows (None: friction hold only)
    mode: str               # "position", "velocity" or "hold"
    force: float            # N*m or N: the URDF effort (or friction for "hold")
    speed: float            # the URDF velocity limit
    lower: float = 0.0
    upper: float = 0.0
    positions: dict[str, float] | None = None
    at_lower: float | None = None
    at_upper: float | None = None
    scale: float = 1.0
    target: float | None = None
    value: object = None    # the state value the target was computed from

    def goal(self, value) -> float:
        """The joint target (position or velocity) for the state value ``value``."""
        where = f"`{self.equipment}.{self.state}`"
        if self.positions is not None:
            key = ("true" if value else "false") if isinstance(value, bool) else str(value)
            if key not in self.positions:
                raise PhysicsError(
                    f"{where} is `{key}`, which joint `{self.name}` has no position for "
                    f"(it has {', '.join(f'`{k}`' for k in sorted(self.positions))})")
            return self.positions[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PhysicsError(f"{where} is {value!r}, not a number joint `{self.name}` can follow")
        x = float(value)
        if not math.isfinite(x):
            raise PhysicsError(f"{where} is {x}: joint `{self.name}` cannot follow it")
        if self.mode == "velocity":
            return x / self.scale
        share = (x - self.at_lower) / (self.at_upper - self.at_lower)
        return self.lower + min(1.0, max(0.0, share)) * (self.upper - self.lower)


def has_display() -> bool:
    """Whether a window can open (X11 or Wayland on Linux; assumed elsewhere)."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class World:
    """The URDF scene of a bundle in a PyBullet client, stepped with the behaviours."""

    def __init__(self, bundle: m.Bundle, bundle_dir: str | Path, *, gui: bool = False,
                 seed: int = 0, speed: float = 1.0) -> None:
        import pybullet as p

        self.p = p
        self.seed = seed
        self.bundle = bundle
        folder = Path(bundle_dir)
        folder = folder if folder.is_dir() else folder.parent
        scene = json.loads((folder / "scene.json").read_text(encoding="utf-8"))
        mode = p.DIRECT
        if gui:
            if has_display():
                mode = p.GUI
            else:
                warnings.warn("no display: the world runs headless (p.DIRECT) instead of "
                              "opening a window", RuntimeWarning, stacklevel=2)
        self.gui = mode == p.GUI
        self.cid = p.connect(mode)
        if self.cid < 0:
            raise PhysicsError("cannot start PyBullet (p.connect failed)")
        cid = self.cid
        world = scene.get("world", {})
        self.dt = float(world.get("time_step", TIME_STEP))
        p.resetSimulation(physicsClientId=cid)
        p.setPhysicsEngineParameter(fixedTimeStep=self.dt, numSubSteps=0,
                                    deterministicOverlappingPairs=1, physicsClientId=cid)
        p.setGravity(*world.get("gravity", [0.0, 0.0, -9.81]), physicsClientId=cid)
        self.speed = speed
        self.steps = 0
        self._wall0: float | None = None
        self.bodies: dict[str, int] = {}
        self.joints: dict[str, dict[str, int]] = {}
        self.drives: list[Drive] = []
        self._limits: dict[int, list[tuple[int, str, float]]] = {}
        for item in scene["equipment"]:
            self._load(folder, item)
        self._bodies = [(b, [j for j, _n, _v in js]) for b, js in self._limits.items() if js]
        self._started = False
        self._driven = [d for d in self.drives if d.state is not None]
        self._version = -1

    # ------------------------------------------------------------ loading

    def _load(self, folder: Path, item: dict) -> None:
        p, cid = self.p, self.cid
        path = folder / item["model"]
        if not path.is_file():
            raise PhysicsError(f"the scene names `{item['model']}` for `{item['id']}`, which "
                               "is not in the bundle (recompile it)")
        body = p.loadURDF(str(path), basePosition=item.get("position", [0.0, 0.0, 0.0]),
                          baseOrientation=p.getQuaternionFromEuler(
                              item.get("orientation_rpy", [0.0, 0.0, 0.0])),
                          useFixedBase=True, flags=p.URDF_USE_INERTIA_FROM_FILE,
                          physicsClientId=cid)
        eq_id = item["id"]
        self.bodies[eq_id] = body
        names: dict[str, int] = {}
        infos = {}
        limits: list[tuple[int, str, float]] = []
        for j in range(-1, p.getNumJoints(body, physicsClientId=cid)):
            if j >= 0:
                info = p.getJointInfo(body, j, physicsClientId=cid)
                name = info[1].decode("utf-8")
                names[name], infos[name] = j, info
                limit = max(float(info[11]), 1.0)
            else:
                limit = 1.0
            p.changeDynamics(body, j, linearDamping=0.0, angularDamping=0.0,
                             maxJointVelocity=CLAMP_FACTOR * max(limit, RUNAWAY_FLOOR),
                             physicsClientId=cid)
            if j >= 0 and infos[name][2] != p.JOINT_FIXED:
                limits.append((j, name, max(RUNAWAY_FACTOR * limit, RUNAWAY_FLOOR)))
        self.joints[eq_id] = names
        self._limits[body] = limits
        controlled = set()
        behaviour_states = {s.name for e in self.bundle.equipment if e.id == eq_id
                            for s in e.states}
        for ctrl in item.get("controls", []):
            name = ctrl["joint"]
            if name not in names:
                raise PhysicsError(f"`{item['model']}` has no joint `{name}` for `{eq_id}`")
            controlled.add(name)
            self.drives.append(self._drive(eq_id, body, names[name], infos[name], ctrl,
                                           behaviour_states))
        for name, j in names.items():       # the others: held by their friction
            if name not in controlled and infos[name][2] != p.JOINT_FIXED:
                self.drives.append(Drive(eq_id, body, j, name, None, "hold",
                                         float(infos[name][7]), float(infos[name][11])))
        for d in self.drives:
            if d.body == body and d.mode == "hold":
                self._command(d, 0.0)

    def _drive(self, eq_id: str, body: int, j: int, info: tuple, ctrl: dict,
               states: set[str]) -> Drive:
        state = ctrl.get("state")
        if state not in states:
            state = None
        velocity = ctrl["type"] == "continuous"
        mode = "hold" if state is None else "velocity" if velocity else "position"
        force = float(info[10]) if mode != "hold" else float(info[7])
        d = Drive(eq_id, body, j, ctrl["joint"], state, mode, force, float(info[11]),
                  float(ctrl.get("lower", info[8])), float(ctrl.get("upper", info[9])),
                  ctrl.get("positions"), ctrl.get("at_lower", 0.0), ctrl.get("at_upper", 1.0),
                  float(ctrl.get("scale", 1.0)))
        if d.at_lower == d.at_upper:
            raise PhysicsError(f"control of `{eq_id}` joint `{d.name}`: at_lower = at_upper")
        return d

    def start(self, env: Environment) -> None:
        """Put every driven joint where its state says, at rest or at its speed (t = 0)."""
        p, cid = self.p, self.cid
        self._started = True
        for d in self.drives:
            if d.state is None:
                continue
            value = env.behaviours[d.equipment].states.get(d.state)
            if value is None:
                continue
            goal = d.goal(value)
            if d.mode == "velocity":
                p.resetJointState(d.body, d.joint, 0.0, goal, physicsClientId=cid)
            else:
                p.resetJointState(d.body, d.joint, goal, 0.0, physicsClientId=cid)
            self._command(d, goal)

    # ------------------------------------------------------------ stepping

    def _command(self, d: Drive, goal: float) -> None:
        p = self.p
        d.target = goal
        if d.mode == "position":
            p.setJointMotorControl2(d.body, d.joint, p.POSITION_CONTROL, targetPosition=goal,
                                    targetVelocity=0.0, force=d.force, maxVelocity=d.speed,
                                    physicsClientId=self.cid)
        else:
            p.setJointMotorControl2(d.body, d.joint, p.VELOCITY_CONTROL, targetVelocity=goal,
                                    force=d.force, physicsClientId=self.cid)

    def step(self, env: Environment) -> None:
        """Drive the joints from the behaviours' states, then advance one time step."""
        if not self._started:
            self.start(env)
        if env.version != self._version:   # the process models moved: new targets
            self._version = env.version
            behaviours = env.behaviours
            for d in self._driven:
                value = behaviours[d.equipment].states.get(d.state)
                if value is None or value == d.value:      # NaN != NaN: it reaches goal()
                    continue
                d.value = value
                goal = d.goal(value)
                if goal != d.target:
                    self._command(d, goal)
        self.p.stepSimulation(physicsClientId=self.cid)
        self.steps += 1
        if self.steps % CHECK_EVERY == 0:
            self._check(env.t)
        if self.gui:
            self._pace()

    def _check(self, t: float) -> None:
        get = self.p.getJointStates
        cid = self.cid
        for body, indices in self._bodies:
            for (q, v, _f, _tau), (_j, name, limit) in zip(
                    get(body, indices, physicsClientId=cid), self._limits[body], strict=True):
                if not (abs(v) <= limit and math.isfinite(q)):    # NaN fails both tests
                    eq = next(k for k, b in self.bodies.items() if b == body)
                    what = (f"position {q}" if not math.isfinite(q) else f"velocity {v}"
                            if not math.isfinite(v) else
                            f"velocity {v:.4g} (runaway: above {limit:.4g})")
                    raise PhysicsError(f"joint `{name}` of `{eq}` reached {what} "
                                       f"at t = {t:.3f} s")

    def _pace(self) -> None:
        """In the GUI, let simulated time pass at ``speed`` times real time."""
        now = time.perf_counter()
        if self._wall0 is None:
            self._wall0 = now
        ahead = self.steps * self.dt / max(self.speed, 1e-6) - (now - self._wall0)
        if ahead > 0.005:
            time.sleep(ahead)

    # ------------------------------------------------------------ reading

    def joint_state(self, eq_id: str, joint: str) -> tuple[float, float]:
        """Position and velocity of the joint ``joint`` of ``eq_id``."""
        q, v, _f, _tau = self.p.getJointState(self.bodies[eq_id], self.joints[eq_id][joint],
                                              physicsClientId=self.cid)
        return q, v

    def joint_states(self) -> dict[str, tuple[float, float]]:
        """Every movable joint, as ``"EQ.joint" -> (position, velocity)`` (for tests, logs)."""
        out = {}
        for eq_id, names in self.joints.items():
            for name in names:
                if name == "hasp_mount":
                    continue
                out[f"{eq_id}.{name}"] = self.joint_state(eq_id, name)
        return out

    # ------------------------------------------------------------ pictures

    def snapshot(self, path: str | Path, width: int = 960, height: int = 640) -> Path:
        """A PNG of the scene from the TinyRenderer (headless), framing all equipment."""
        p, cid = self.p, self.cid
        lo, hi = [math.inf] * 3, [-math.inf] * 3
        for body in self.bodies.values():
            for link in range(-1, p.getNumJoints(body, physicsClientId=cid)):
                a, b = p.getAABB(body, link, physicsClientId=cid)
                lo = [min(x, y) for x, y in zip(lo, a, strict=True)]
                hi = [max(x, y) for x, y in zip(hi, b, strict=True)]
        if not self.bodies:
            lo, hi = [-1.0] * 3, [1.0] * 3
        centre = [(x + y) / 2 for x, y in zip(lo, hi, strict=True)]
        radius = max(0.5, math.dist(lo, hi) / 2)
        fov = 50.0
        distance = 0.8 * radius / math.sin(math.radians(fov / 2)) * max(1.0, height / width)
        view = p.computeViewMatrixFromYawPitchRoll(centre, distance, 40.0, -30.0, 0.0, 2,
                                                   physicsClientId=cid)
        proj = p.computeProjectionMatrixFOV(fov, width / height, 0.05, 4 * distance,
                                            physicsClientId=cid)
        _w, _h, rgba, _depth, _seg = p.getCameraImage(
            width, height, view, proj, renderer=p.ER_TINY_RENDERER, shadow=0,
            lightDirection=[1.0, 1.0, 2.0], physicsClientId=cid)
        import numpy as np

        pixels = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)[:, :, :3]
        out = Path(path)
        out.write_bytes(png(pixels.tobytes(), width, height))
        return out

    def close(self) -> None:
        if self.cid is not None and self.cid >= 0:
            try:
                self.p.disconnect(physicsClientId=self.cid)
            except self.p.error:
                pass
            self.cid = -1


def png(rgb: bytes, width: int, height: int) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` (rows top to bottom, 3 bytes a pixel)."""
    row = 3 * width
    if len(rgb) != row * height:
        raise ValueError("pixel data does not match the image size")
    raw = b"".join(b"\x00" + rgb[y * row:(y + 1) * row] for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


__all__ = ["Drive", "World", "has_display", "png"]
