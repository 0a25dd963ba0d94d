"""Rule packs: the safety properties every path of a procedure must satisfy.

A pack is one module in this package; each of its rules is registered with :func:`rule`
and has a diagnostic code (declared in the pack with `define`, its explain text giving the
rationale, the standard's clause and the fix).  A rule is a function of a
:class:`RuleContext` returning diagnostics; it reasons about the step graph (through
:mod:`twinlang.graph.dataflow`) and about what each action *means* (through the
classification helpers here), never about the text of the file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ... import ast
from ...diagnostics import CodeInfo, Diagnostic, Span, make
from ..model import StepGraph

#: The rule pack modules, in the order their rules run.
PACK_MODULES: tuple[str, ...] = ("energy", "confined", "chemical", "electrical", "signoff",
                                  "faults")


@dataclass(frozen=True)
class Rule:
    info: CodeInfo
    pack: str
    citation: str
    check: Callable[[RuleContext], Iterable[Diagnostic]]


RULES: list[Rule] = []


def rule(info: CodeInfo, pack: str, citation: str):
    """Register a rule function under a code (a decorator)."""

    def deco(fn):
        RULES.append(Rule(info, pack, citation, fn))
        return fn

    return deco


def load_packs() -> list[Rule]:
    for name in PACK_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return RULES


# ---------------------------------------------------------------- vocabulary of actions

#: Verbs that stop equipment in the normal way (1910.147(d)(2) shutdown).
SHUTDOWN_VERBS = frozenset({"stop", "shut_down", "shutdown", "de_energize", "switch_off",
                            "turn_off"})
#: Verbs that operate an energy isolating device, whatever the energy.
ISOLATE_VERBS = frozenset({"isolate", "disconnect", "rack_out", "withdraw", "unplug",
                           "switch_off", "turn_off"})
#: Energy isolated by opening a switch (other isolating devices are closed: valves).
ELECTRICAL_ENERGY = frozenset({"electrical", "electrical_stored"})
#: Energy of motion or position, isolated by isolating what drives it.
DRIVEN_ENERGY = frozenset({"mechanical", "mechanical_spring", "gravitational"})
#: Verbs that release or restrain stored energy (1910.147(d)(5)).
RELEASE_VERBS = frozenset({"bleed", "vent", "drain", "discharge", "release", "dissipate",
                           "lower", "relieve", "depressurize", "depressurise", "block",
                           "restrain", "purge"})
RELEASE_DEVICES = frozenset({"ground", "block", "blind"})
#: Verbs that verify isolation (1910.147(d)(6)): try-out, test, measurement.
VERIFY_VERBS = frozenset({"try_start", "tryout", "test", "verify", "measure", "check"})
LOCK_DEVICES = frozenset({"lock", "tag"})


@dataclass(frozen=True)
class Source:
    """An energy source in scope of a procedure."""

    energy: str
    equipment: str
    node: ast.EnergySource
    stored: bool


class RuleContext:
    """What a rule sees: the graph, the module's names, and what actions mean."""

    def __init__(self, sg: StepGraph) -> None:
        self.sg = sg
        self.g = sg.graph
        self.proc = sg.procedure
        self.scope = sg.module.scope if sg.module is not None else {}
        #: facts about the module's declarations, shared by the graphs of its procedures
        #: (kept on the `ModuleInfo`, which lives for one check)
        facts = getattr(sg.module, "facts", None)
        self.shared: dict = facts if isinstance(facts, dict) else {}
        self._class_cache: dict[tuple, frozenset[str]] = {}
        self._eq_local: dict | None = None
        self._eq_canon: dict = {}
        self._feeder_map: dict[str, set[str]] | None = None
        # per-node facts, memoised: rules ask the same questions of every node many times
        self._verbs: dict = {}
        self._devices: dict = {}
        self._ops: dict = {}
        self._expect_refs: dict = {}
        self._expect_tags: dict = {}
        self._steps: tuple | None = None

    # ------------------------------------------------------------ names

    # Equipment is known by its own tag (the name in its declaration), whatever name the
    # scenario imported it under, and its kind and relations are resolved in the module
    # that declares it.

    def _equipment_decl(self, name: str):
        if self._eq_local is None:
            maps = self.shared.get("_equipment_maps")
            if maps is None:
                local_map: dict = {}
                canon_map: dict = {}
                for local, decl in self.scope.items():
                    if decl.category == "equipment":
                        local_map[local] = decl
                        canon_map.setdefault(decl.node.name.name, decl)
                maps = self.shared["_equipment_maps"] = (local_map, canon_map)
            self._eq_local, self._eq_canon = maps
        return self._eq_local.get(name) or self._eq_canon.get(name)

    def canon(self, name: str) -> str:
        """The equipment's own tag for a name used in the scenario (aliases resolved)."""
        decl = self._equipment_decl(name)
        return decl.node.name.name if decl is not None else name

    def equipment(self, name: str) -> ast.Equipment | None:
        decl = self._equipment_decl(name)
        return decl.node if decl is not None else None

    def kind(self, name: str) -> ast.Kind | None:
        decl = self._equipment_decl(name)
        if decl is None:
            return None
        kd = decl.module.scope.get(decl.node.kind.name)
        return kd.node if kd is not None and kd.category == "kind" else None

    def energy_stored(self, energy: str) -> bool:
        decl = self.scope.get(energy)
        return bool(decl is not None and decl.category == "energy type" and decl.node.stored)

    def sources(self) -> list[Source]:
        out = []
        for e in self.proc.energy:
            if len(e.source.parts) != 1 or self.equipment(e.source.head.name) is None:
                continue
            out.append(Source(e.energy.name, self.canon(e.source.head.name), e,
                              self.energy_stored(e.energy.name)))
        return out

    # ------------------------------------------------------------ equipment relations

    def _related(self, name: str, attr: str) -> list[str]:
        decl = self._equipment_decl(name)
        if decl is None:
            return []
        out = []
        for ref in getattr(decl.node, attr):
            target = decl.module.scope.get(ref.head.name)
            out.append(target.node.name.name if target is not None
                       and target.category == "equipment" else ref.head.name)
        return out

    def _feeders(self) -> dict[str, set[str]]:
        """Equipment → what feeds it or declares it `isolates` (built once per graph)."""
        if self._feeder_map is None:
            feeders = self.shared.get("_feeders")
            if feeders is None:
                self._equipment_decl("")
                feeders = {}
                for tag in self._eq_canon:
                    for target in (*self._related(tag, "feeds"),
                                   *self._related(tag, "isolates")):
                        feeders.setdefault(target, set()).add(tag)
                self.shared["_feeders"] = feeders
            self._feeder_map = feeders
        return self._feeder_map

    def feeds(self, name: str) -> list[str]:
        return self._related(name, "feeds")

    def downstream(self, name: str) -> set[str]:
        """The equipment itself and everything it feeds, transitively."""
        name = self.canon(name)
        seen = {name}
        stack = [name]
        while stack:
            for nxt in self.feeds(stack.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def upstream(self, name: str) -> set[str]:
        """The equipment, what feeds it (transitively) and what declares it `isolates`."""
        name = self.canon(name)
        feeders = self._feeders()
        seen = {name}
        stack = [name]
        while stack:
            for tag in feeders.get(stack.pop(), ()):
                if tag not in seen:
                    seen.add(tag)
                    stack.append(tag)
        return seen

    def is_control_device(self, name: str) -> bool:
        kind = self.kind(name)
        return bool(kind is not None and kind.control_device)

    def isolates_energy(self, name: str, energy: str) -> bool:
        """Whether equipment ``name`` is an isolating device for ``energy``.

        Motion and position energy (a turning shaft, a spring, a raised load) is isolated
        by isolating whatever drives it: any isolating device counts for those types.
        """
        kind = self.kind(name)
        if kind is None or kind.control_device or not kind.isolates:
            return False
        if energy in DRIVEN_ENERGY:
            return True
        return any(i.name == energy for i in kind.isolates)

    def isolating_verb(self, name: str) -> str:
        """The verb that isolates with this device: a switch is opened, a valve closed."""
        kind = self.kind(name)
        if kind is not None and any(i.name in ELECTRICAL_ENERGY for i in kind.isolates):
            return "open"
        return "close"

    def can_be_stopped(self, names) -> bool:
        """Whether any of the equipment accepts a normal-stop verb."""
        for n in names:
            kind = self.kind(n)
            if kind is not None and any(a.name in SHUTDOWN_VERBS for a in kind.actions):
                return True
        return False

    # ------------------------------------------------------------ steps and actions

    def step_nodes(self) -> list[str]:
        if self._steps is None:
            self._steps = tuple(self.sg.steps())
        return list(self._steps)

    def actions(self, node) -> tuple[ast.Action, ...]:
        step = self.g.nodes[node].get("ast")
        return step.actions if step is not None else ()

    def step(self, node) -> ast.Step | None:
        return self.g.nodes[node].get("ast")

    def performer(self, node) -> str | None:
        return self.g.nodes[node].get("performer")

    def span(self, node) -> Span:
        return self.sg.span(node)

    def nodes_where(self, pred: Callable[[str], bool]) -> list[str]:
        return [n for n in self.step_nodes() if pred(n)]

    def has_op(self, node, op: str) -> bool:
        ops = self._ops.get(node)
        if ops is None:
            ops = self._ops[node] = frozenset(a.op for a in self.actions(node))
        return op in ops

    def verbs(self, node) -> list[tuple[str, list[str], ast.Action]]:
        """(verb, target equipment tags, action) for each generic action of a step."""
        out = self._verbs.get(node)
        if out is None:
            out = self._verbs[node] = tuple(
                (a.verb.name, [self.canon(t.head.name) for t in a.targets], a)
                for a in self.actions(node) if a.op == "do" and a.verb is not None)
        return list(out)

    def devices(self, node, op: str) -> list[tuple[str, list[str], ast.Action]]:
        """(device, target tags, action) for each `apply`/`remove` (op) of a step."""
        key = (node, op)
        out = self._devices.get(key)
        if out is None:
            out = self._devices[key] = tuple(
                (a.device.name, [self.canon(t.head.name) for t in a.targets], a)
                for a in self.actions(node) if a.op == op and a.device is not None)
        return list(out)

    def expect_tags(self, node) -> set[str]:
        """The equipment (own tags) whose states the step's expectations read."""
        out = self._expect_tags.get(node)
        if out is None:
            out = self._expect_tags[node] = frozenset(
                self.canon(r.head.name) for r in self._refs(node))
        return set(out)

    def expect_refs(self, node) -> list[ast.Ref]:
        return list(self._refs(node))

    def _refs(self, node) -> tuple[ast.Ref, ...]:
        out = self._expect_refs.get(node)
        if out is None:
            out = self._expect_refs[node] = tuple(self._find_expect_refs(node))
        return out

    def _find_expect_refs(self, node) -> list[ast.Ref]:
        step = self.step(node)
        if step is None:
            return []
        refs: list[ast.Ref] = []
        stack = [e.condition for e in step.expects]
        while stack:
            c = stack.pop()
            if isinstance(c, ast.And | ast.Or):
                stack.extend((c.left, c.right))
            elif isinstance(c, ast.Not):
                stack.append(c.operand)
            elif hasattr(c, "ref"):
                refs.append(c.ref)
        return refs

    # ------------------------------------------------------------ diagnostics

    def diag(self, info: CodeInfo, message: str, node, *, path: list | None = None,
             help: str, labels=(), notes=()) -> Diagnostic:
        all_notes = list(notes)
        if path:
            all_notes.insert(0, f"path: {self.sg.path_text(path)}")
        return make(info, message, self.span(node) if isinstance(node, str) else node,
                    labels=labels, notes=all_notes, help=help)
