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
PACK_MODULES: tuple[str, ...] = ("energy",)


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
        self._class_cache: dict[tuple, frozenset[str]] = {}

    # ------------------------------------------------------------ names

    def equipment(self, name: str) -> ast.Equipment | None:
        decl = self.scope.get(name)
        return decl.node if decl is not None and decl.category == "equipment" else None

    def kind(self, name: str) -> ast.Kind | None:
        eq = self.equipment(name)
        if eq is None:
            return None
        decl = self.scope.get(eq.kind.name)
        return decl.node if decl is not None and decl.category == "kind" else None

    def energy_stored(self, energy: str) -> bool:
        decl = self.scope.get(energy)
        return bool(decl is not None and decl.category == "energy type" and decl.node.stored)

    def sources(self) -> list[Source]:
        out = []
        for e in self.proc.energy:
            if len(e.source.parts) != 1 or self.equipment(e.source.head.name) is None:
                continue
            out.append(Source(e.energy.name, e.source.head.name, e,
                              self.energy_stored(e.energy.name)))
        return out

    # ------------------------------------------------------------ equipment relations

    def feeds(self, name: str) -> list[str]:
        eq = self.equipment(name)
        return [r.head.name for r in eq.feeds] if eq is not None else []

    def downstream(self, name: str) -> set[str]:
        """The equipment itself and everything it feeds, transitively."""
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
        seen = {name}
        stack = [name]
        while stack:
            cur = stack.pop()
            for decl in self.scope.values():
                if decl.category != "equipment":
                    continue
                eq: ast.Equipment = decl.node
                tag = eq.name.name
                if tag in seen:
                    continue
                if any(r.head.name == cur for r in (*eq.feeds, *eq.isolates)):
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
        return self.sg.steps()

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
        return any(a.op == op for a in self.actions(node))

    def verbs(self, node) -> list[tuple[str, list[str], ast.Action]]:
        """(verb, target equipment tags, action) for each generic action of a step."""
        out = []
        for a in self.actions(node):
            if a.op == "do" and a.verb is not None:
                out.append((a.verb.name, [t.head.name for t in a.targets], a))
        return out

    def devices(self, node, op: str) -> list[tuple[str, list[str], ast.Action]]:
        """(device, target tags, action) for each `apply`/`remove` (op) of a step."""
        return [(a.device.name, [t.head.name for t in a.targets], a)
                for a in self.actions(node) if a.op == op and a.device is not None]

    def expect_refs(self, node) -> list[ast.Ref]:
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
