"""What a name at a position refers to: the shared core of hover and go to definition.

:func:`find_target` walks the buffer's AST for the name under the cursor and resolves it
with the module's scope (so across `use`): equipment, kinds, roles, procedures, faults,
competencies, substances, energy types, a kind's parameters, states and actions, and the
steps of a procedure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from .. import ast
from ..semantics.modules import Decl, ModuleInfo


@dataclass
class Target:
    """A resolved name: what it is, its declaring node and the module that declares it."""

    category: str  # "equipment", "kind", "role", ..., "param", "state", "action", "step", "module"
    name: str
    node: BaseModel | None
    module: ModuleInfo | None
    #: the name as written at the cursor
    ident: ast.Ident
    #: for "param"/"state"/"action": the kind (and the equipment, when reached through one)
    kind: Decl | None = None
    equipment: Decl | None = None
    #: for "step": the procedure that holds it
    procedure: ast.Procedure | None = None

    @property
    def decl_span(self):
        if self.category == "module":
            return None
        name = getattr(self.node, "name", None)
        return name.span if isinstance(name, ast.Ident) else getattr(self.node, "span", None)


@dataclass
class _Hit:
    ident: ast.Ident
    parents: tuple  # (node, field name) from the module down to the ident's owner
    index: int  # position in a Ref's parts (0 otherwise)


def _children(node: BaseModel) -> Iterator[tuple[str, object]]:
    for name in type(node).model_fields:
        if name == "span":
            continue
        yield name, getattr(node, name)


def ident_at(module: ast.Module, offset: int) -> _Hit | None:
    """The identifier whose span contains code-point ``offset`` (or ends at it)."""
    best: _Hit | None = None

    def visit(node: BaseModel, parents: tuple) -> None:
        nonlocal best
        span = node.span
        if not (span.start <= offset <= span.end) and not isinstance(node, ast.Module):
            return
        if isinstance(node, ast.Ident):
            best = _Hit(node, parents, 0)
            return
        if isinstance(node, ast.Ref):
            for i, part in enumerate(node.parts):
                if part.span.start <= offset <= part.span.end:
                    best = _Hit(part, (*parents, (node, "parts")), i)
            return
        for field_name, value in _children(node):
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, BaseModel) and hasattr(item, "span"):
                    visit(item, (*parents, (node, field_name)))

    visit(module, ())
    return best


def steps_of(items) -> Iterator[ast.Step]:
    """Every step in a procedure body, in nested blocks too."""
    for item in items:
        if isinstance(item, ast.Step):
            yield item
        elif isinstance(item, ast.Parallel):
            for br in item.branches:
                yield from steps_of(br.body)
        elif isinstance(item, ast.If):
            yield from steps_of(item.then)
            yield from steps_of(item.otherwise or ())
        elif isinstance(item, ast.Choose):
            for opt in item.options:
                yield from steps_of(opt.body)
        elif isinstance(item, ast.Alarm):
            yield from steps_of(item.body)


def kind_decl_of(equipment: Decl) -> Decl | None:
    """The kind of a piece of equipment, looked up where the equipment is declared."""
    decl = equipment.module.scope.get(equipment.node.kind.name)
    return decl if decl is not None and decl.category == "kind" else None


def member(kind: Decl, name: str) -> tuple[str, BaseModel] | None:
    """A kind's parameter, state or action called ``name``."""
    node: ast.Kind = kind.node
    for p in node.params:
        if p.name.name == name:
            return "param", p
    for s in node.states:
        if s.name.name == name:
            return "state", s
    for a in node.actions:
        if a.name == name:
            return "action", a
    return None


def _step(mod: ast.Module, procedure: ast.Procedure | None, name: str):
    procs = [procedure] if procedure is not None else []
    procs += [i for i in mod.items if isinstance(i, ast.Procedure) and i is not procedure]
    for proc in procs:
        for step in steps_of(proc.body):
            if step.name.name == name:
                return proc, step
    return None


def find_target(info: ModuleInfo, offset: int) -> Target | None:
    """Resolve the name at ``offset`` of the module ``info`` (``info.ast`` must be set)."""
    module = info.ast
    if module is None:
        return None
    hit = ident_at(module, offset)
    if hit is None:
        return None
    ident = hit.ident
    owner, field_name = hit.parents[-1] if hit.parents else (None, "")
    procedure = next((n for n, _f in reversed(hit.parents) if isinstance(n, ast.Procedure)), None)
    scope = info.scope

    def decl_target(decl: Decl) -> Target:
        return Target(decl.category, decl.name, decl.node, decl.module, ident)

    # A `use` line: the module path, or an imported name (and its alias).
    if isinstance(owner, ast.Use):
        target = next((t for u, t in info.uses if u is owner), None)
        return Target("module", owner.dotted, None, target, ident)
    if isinstance(owner, ast.ImportName):
        decl = scope.get(owner.local.name)
        return decl_target(decl) if decl is not None else None
    # A parameter set on a piece of equipment: the kind's declaration of it.
    if isinstance(owner, ast.ParamSet) and field_name == "name" and len(hit.parents) >= 2:
        eq_node = hit.parents[-2][0]
        if isinstance(eq_node, ast.Equipment):
            eq = info.decls.get(eq_node.name.name)
            kind = kind_decl_of(eq) if eq is not None else None
            found = member(kind, ident.name) if kind is not None else None
            if found:
                return Target(found[0], ident.name, found[1], kind.module, ident, kind=kind,
                              equipment=eq)
        return None
    # A kind's own parameter, state or action.
    if isinstance(owner, ast.ParamDef | ast.StateDef) and field_name == "name":
        kdecl = next((info.decls.get(n.name.name) for n, _f in hit.parents
                      if isinstance(n, ast.Kind)), None)
        category = "param" if isinstance(owner, ast.ParamDef) else "state"
        return Target(category, ident.name, owner, info, ident, kind=kdecl)
    # `TAG.member`: the member of the equipment's kind.
    if isinstance(owner, ast.Ref) and hit.index >= 1:
        head = scope.get(owner.parts[0].name)
        if head is not None and head.category == "equipment" and hit.index == 1:
            kind = kind_decl_of(head)
            found = member(kind, ident.name) if kind is not None else None
            if found:
                return Target(found[0], ident.name, found[1], kind.module, ident, kind=kind,
                              equipment=head)
        return None
    # The verb of an action: the kind's action, through the first target.
    if isinstance(owner, ast.Action) and field_name == "verb" and owner.targets:
        head = scope.get(owner.targets[0].parts[0].name)
        if head is not None and head.category == "equipment":
            kind = kind_decl_of(head)
            if kind is not None and member(kind, ident.name):
                return Target("action", ident.name, kind.node, kind.module, ident, kind=kind,
                              equipment=head)
        return None
    # A step: its declaration, or a name that refers to one.
    if isinstance(owner, ast.Step) and field_name == "name":
        return Target("step", ident.name, owner, info, ident, procedure=procedure)
    step_fields = {(ast.Jump, "target"), (ast.Trigger, "step"), (ast.Clearing, "step"),
                   (ast.Alarm, "during"), (ast.Threshold, "subject")}
    decl = scope.get(ident.name)
    prefers_step = any(isinstance(owner, t) and field_name == f for t, f in step_fields)
    if prefers_step or decl is None or isinstance(owner, ast.Ref):
        found = _step(module, procedure, ident.name)
        if found is not None and (prefers_step or decl is None):
            return Target("step", ident.name, found[1], info, ident, procedure=found[0])
    if decl is not None:
        return decl_target(decl)
    return None
