"""The electrical circuits a procedure exposes workers to, and what each step does to them.

A circuit is in scope (:func:`circuits`) for an `electrical` source of 50 V or more (the
highest voltage-typed parameter in its chain; unknown counts as 50 V or more) whose chain
has parts a worker can test: equipment with a state of type voltage, or parts the procedure
tests for absence of voltage.  :func:`circuit_classes` says which steps of the electrically
safe work condition (NFPA 70E 120.5 (2021) / 120.6 (2024)) a step performs on a circuit.
Shared by the rules of :mod:`.electrical` and by :mod:`._electrical_testers`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import ast
from ...semantics import units
from . import (
    ELECTRICAL_ENERGY,
    ISOLATE_VERBS,
    LOCK_DEVICES,
    RELEASE_VERBS,
    RuleContext,
    Source,
)

#: Verbs that look at a device (visual verification of open blades).
VISUAL_VERBS = frozenset({"inspect", "verify", "check"})
#: States that show the contacts of a disconnecting device.
VISIBLE_STATES = frozenset({"blades", "contacts"})
#: Verbs of an absence-of-voltage test.
AOV_VERBS = frozenset({"test", "measure"})
#: Parameter values that mark a tester as a proximity (non-contact) tester.
PROXIMITY_VALUES = frozenset({"proximity", "non_contact", "noncontact", "contactless"})


# ---------------------------------------------------------------- equipment values


def param_value(ctx: RuleContext, tag: str, name: str) -> ast.Value | None:
    """The value of a parameter of equipment ``tag``: as set, or its kind's default."""
    eq, kind = ctx.equipment(tag), ctx.kind(tag)
    if eq is None or kind is None:
        return None
    for p in eq.params:
        if p.name.name == name:
            return p.value
    for d in kind.params:
        if d.name.name == name:
            return d.default
    return None


def to_si(value, type_name: str) -> float | None:
    if not isinstance(value, ast.QuantityValue):
        return None
    try:
        return units.convert(value.number, value.unit, type_name).si
    except ValueError:
        return None


def typed_params(ctx: RuleContext, tag: str, type_name: str) -> list[float]:
    """The SI values of every parameter of ``tag`` whose type is ``type_name``."""
    kind = ctx.kind(tag)
    if kind is None:
        return []
    out = []
    for d in kind.params:
        if d.type.name.name == type_name:
            si = to_si(param_value(ctx, tag, d.name.name), type_name)
            if si is not None:
                out.append(si)
    return out


def volts_text(v: float) -> str:
    return f"{v / 1000:g} kV" if v >= 1000 else f"{v:g} V"


def visible_states(ctx: RuleContext, tag: str) -> frozenset[str]:
    kind = ctx.kind(tag)
    if kind is None:
        return frozenset()
    names = {s.name.name for s in kind.states}
    seen = names & VISIBLE_STATES
    if seen:
        return frozenset(seen)
    drawout = param_value(ctx, tag, "drawout")
    if "racked" in names and isinstance(drawout, ast.BoolValue) and drawout.value:
        return frozenset({"racked"})
    return frozenset()


def is_proximity(ctx: RuleContext, tag: str) -> bool:
    kind = ctx.kind(tag)
    if kind is None:
        return False
    for d in kind.params:
        v = param_value(ctx, tag, d.name.name)
        if isinstance(v, ast.NameValue) and v.name in PROXIMITY_VALUES:
            return True
    return False


# ---------------------------------------------------------------- circuits in scope


@dataclass
class Circuit:
    """An `electrical` source in scope, and what its circuit holds."""

    src: Source
    chain: frozenset[str]
    devices: frozenset[str]     # its isolating (disconnecting) devices
    visible: frozenset[str]     # those whose contacts can be seen
    stored: frozenset[str]      # equipment holding stored electrical energy in the circuit
    grounded: bool              # the procedure grounds the circuit (not only a capacitor)
    volts: float | None


def _stored_electrical(ctx: RuleContext, energy: str) -> bool:
    return energy in ELECTRICAL_ENERGY and ctx.energy_stored(energy)


def aov_parts(action: ast.Action, targets: list[str], chain) -> tuple[list[str], list[str]]:
    """(points tested in ``chain``, testers) of an absence-of-voltage action."""
    refs = [*targets, *(r.head.name for r in action.to)]
    points = [x for x in refs if x in chain]
    testers = [t for t in targets if t not in chain]
    return points, testers


def circuits(ctx: RuleContext) -> list[Circuit]:
    cached = ctx.__dict__.get("_electrical_circuits")
    if cached is not None:
        return cached
    out = []
    for src in ctx.sources():
        if src.energy != "electrical" or ctx.is_control_device(src.equipment):
            continue
        up = ctx.upstream(src.equipment)
        chain = frozenset(up | ctx.downstream(src.equipment))
        volts = max((v for t in chain for v in typed_params(ctx, t, "voltage")), default=None)
        if volts is not None and volts < 50:
            continue
        if not (_has_test_points(ctx, chain) or _tested(ctx, chain)):
            continue
        devices = frozenset(t for t in up if ctx.isolates_energy(t, "electrical"))
        stored = {t for t in chain
                  if any(_stored_electrical(ctx, e.name) for e in _kind_stores(ctx, t))}
        stored |= {s.equipment for s in ctx.sources()
                   if _stored_electrical(ctx, s.energy) and ctx.downstream(s.equipment) & chain}
        grounded = any(set(targets) & (chain - stored)
                       for n in ctx.step_nodes()
                       for device, targets, _a in ctx.devices(n, "apply") if device == "ground")
        out.append(Circuit(src, chain, devices,
                           frozenset(t for t in devices if visible_states(ctx, t)),
                           frozenset(stored), grounded, volts))
    ctx.__dict__["_electrical_circuits"] = out
    return out


def _kind_stores(ctx: RuleContext, tag: str):
    kind = ctx.kind(tag)
    return kind.stores if kind is not None else ()


def _has_test_points(ctx: RuleContext, chain) -> bool:
    for t in chain:
        kind = ctx.kind(t)
        if kind is not None and any(s.type.name.name == "voltage" for s in kind.states):
            return True
    return False


def _tested(ctx: RuleContext, chain) -> bool:
    for n in ctx.step_nodes():
        for verb, targets, action in ctx.verbs(n):
            if verb in AOV_VERBS and aov_parts(action, targets, chain)[0]:
                return True
    return False


def circuit_classes(ctx: RuleContext, c: Circuit):
    cache: dict = {}

    def classes(n) -> frozenset[str]:
        if n in cache:
            return cache[n]
        out = set()
        if ctx.g.nodes[n]["kind"] == "step":
            for verb, targets, action in ctx.verbs(n):
                tset = set(targets)
                if any(t in c.devices and (verb == ctx.isolating_verb(t) or verb in ISOLATE_VERBS)
                       for t in targets):
                    out.add("open")
                if verb in VISUAL_VERBS and tset & c.visible:
                    out.add("visual")
                if verb in RELEASE_VERBS and tset & c.stored:
                    out.add("release")
                if verb in AOV_VERBS:
                    points, testers = aov_parts(action, targets, c.chain)
                    if points and not any(is_proximity(ctx, t) for t in testers):
                        out.add("test")
            for device, targets, _a in ctx.devices(n, "apply"):
                tset = set(targets)
                if device in LOCK_DEVICES and tset & c.devices:
                    out.add("lock")
                if device == "ground" and tset & c.stored:
                    out.add("release")
                if device == "ground" and tset & (c.chain - c.stored):
                    out.add("ground")
            for r in ctx.expect_refs(n):
                if (r.head.name in c.visible and len(r.parts) > 1
                        and r.parts[1].name in visible_states(ctx, r.head.name)):
                    out.add("visual")
        cache[n] = frozenset(out)
        return cache[n]

    return classes
