"""Springs and raised loads: energy stored until the mechanism is released or blocked.

* SpringMechanism: the energy at full compression is ``stored_energy`` when given, else
  1/2 F s with F = ``spring_force`` and s = ``stroke`` (a linear spring, F = k s, so
  1/2 k s^2).  ``release`` backs the spring off under control over
  :data:`SPRING_RELEASE_TIME`: the compression x falls linearly and the energy left is
  1/2 k x^2, so a quarter remains half-way.
* RaisedLoad: m g h.  ``release`` lowers it under control at :data:`LOWERING_SPEED`.

``apply block`` holds the mechanism where it is (condition ``blocked``; the energy is
still stored and is still reported) and ``release`` is then refused; removing the last
block makes it ``loaded`` / ``raised`` again.  A ``stuck`` fault jams the mechanism: the
release is accepted but nothing moves.
"""

from __future__ import annotations

from ...bundle import model as m
from .base import Behaviour, Environment, Event, Outcome, StateValue, register

G = 9.80665
#: releasing a spring under control (backing off the cage bolt or brake adjuster), s [D]
SPRING_RELEASE_TIME = 5.0
#: controlled lowering speed of a ram, platen or hanging load, m/s [D]
LOWERING_SPEED = 0.1
#: taking hold of the release control, s [D]
HANDLING_TIME = 2.0


class Mechanism(Behaviour):
    """Stored energy with a share ``x`` (1 = as stored, 0 = at rest) of its travel left."""

    held = "loaded"
    rest = "released"
    energy = "mechanical_spring"

    def __init__(self, eq: m.Equipment, env: Environment) -> None:
        super().__init__(eq, env)
        cond = self.states.get("condition", self.held)
        self.x = 0.0 if cond == self.rest else 1.0
        if cond == "blocked":
            self.devices["block"] = [""]  # a block already in place at the start
        self.states["condition"] = cond if cond in (self.held, self.rest, "blocked") \
            else self.held
        self.moving = False
        self._grip = 0.0

    def full_energy(self) -> float:
        raise NotImplementedError

    def travel_time(self) -> float:
        """Time to go from fully stored to rest under control, s."""
        raise NotImplementedError

    def blocked(self) -> bool:
        return bool(self.devices.get("block"))

    def stuck(self) -> bool:
        return any(f.kind == "stuck" for f in self.faults)

    def act(self, verb: str, *, actor: str | None = None, to: list[str] = (),
            at: StateValue | None = None) -> Outcome:
        if verb != "release" or verb not in self.eq.actions:
            return super().act(verb, actor=actor, to=to, at=at)
        if self.blocked():
            return Outcome(False, f"`{self.id}` is held by a block; remove the block before "
                           "releasing it")
        if self.x <= 0.0:
            return Outcome(True, f"`{self.id}` is already {self.rest}", duration=HANDLING_TIME)
        if self.stuck():
            return Outcome(True, f"`{self.id}` is jammed and does not move",
                           duration=HANDLING_TIME)
        self.moving, self._grip = True, HANDLING_TIME
        return Outcome(True, duration=HANDLING_TIME + self.x * self.travel_time())

    def apply(self, device: str, owner: str | None) -> Outcome:
        out = super().apply(device, owner)
        if out.accepted and device == "block":
            self.moving = False
            if self.x > 0.0:
                self.states["condition"] = "blocked"
        return out

    def remove(self, device: str, owner: str | None) -> Outcome:
        out = super().remove(device, owner)
        if out.accepted and device == "block" and not self.blocked():
            self.states["condition"] = self.held if self.x > 0.0 else self.rest
        return out

    def wake(self) -> float | None:
        if not self.moving:
            return None
        return self.env.t + self._grip + self.x * self.travel_time()

    def step(self, t: float, dt: float) -> list[Event]:
        if not self.moving or self.blocked() or self.stuck():
            return []
        left = dt
        if self._grip > 0.0:
            used = min(self._grip, left)
            self._grip -= used
            left -= used
        travel = self.travel_time()
        self.x = max(0.0, self.x - left / travel) if travel > 0.0 else 0.0
        if self.x == 0.0:
            self.moving = False
            self.states["condition"] = self.rest
            return [Event("released", self.id, {"energy": self.energy})]
        return []


@register("SpringMechanism")
class SpringMechanism(Mechanism):
    held, rest, energy = "loaded", "released", "mechanical_spring"

    def full_energy(self) -> float:
        e = self.params.get("stored_energy")
        if isinstance(e, float):
            return e
        f = self.params.get("spring_force")
        return 0.5 * f * self.param("stroke", 0.05) if isinstance(f, float) else 0.0

    def travel_time(self) -> float:
        return SPRING_RELEASE_TIME

    def stored(self) -> dict[str, float]:
        return {self.energy: self.full_energy() * self.x * self.x}  # 1/2 k x^2


@register("RaisedLoad")
class RaisedLoad(Mechanism):
    held, rest, energy = "raised", "lowered", "gravitational"

    def full_energy(self) -> float:
        mass = self.params.get("load_mass")
        return mass * G * self.param("height", 1.0) if isinstance(mass, float) else 0.0

    def travel_time(self) -> float:
        return self.param("height", 1.0) / LOWERING_SPEED

    def height(self) -> float:
        """Current height of the load above its rest position, m."""
        return self.x * self.param("height", 1.0)

    def stored(self) -> dict[str, float]:
        return {self.energy: self.full_energy() * self.x}  # m g h
