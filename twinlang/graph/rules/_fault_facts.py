"""Facts about a module that the fault rules need, computed once per module.

Which procedure checks each fault, the equipment the module's steps act on or observe,
and what equipment is connected to what (`feeds`, `isolates`, `located_in`).  They depend
on the module only, not on the procedure, so they are kept in `RuleContext.shared` (the
`ModuleInfo` of one check) and computed once for all the graphs of the module.
"""

from __future__ import annotations

from ... import ast
from ...semantics.procedures import iter_flow, iter_steps
from . import RuleContext


def _items(ctx: RuleContext) -> tuple:
    mod = ctx.sg.module
    return mod.ast.items if mod is not None and mod.ast is not None else ()


def _procedures(ctx: RuleContext) -> list[ast.Procedure]:
    return [i for i in _items(ctx) if isinstance(i, ast.Procedure)]


def _owned_faults(ctx: RuleContext) -> list[ast.Fault]:
    """The faults of the module that are checked in this procedure's graph."""
    owners = ctx.shared.get("_fault_owners")
    if owners is None:
        owners = ctx.shared["_fault_owners"] = _fault_owners(ctx)
    return [fault for fault, owner in owners if owner is ctx.proc]


def _fault_owners(ctx: RuleContext) -> list[tuple[ast.Fault, ast.Procedure | None]]:
    """Each fault of the module with the procedure whose graph checks it (once per module).

    The owner is the first procedure declaring the step of the fault's first `trigger at
    step` that names a declared step; otherwise the module's first procedure.
    """
    procs = _procedures(ctx)
    first_with: dict[str, ast.Procedure] = {}  # step name → first procedure declaring it
    for p in procs:
        for step in iter_steps(p.body):
            first_with.setdefault(step.name.name, p)
    out = []
    for fault in (i for i in _items(ctx) if isinstance(i, ast.Fault)):
        owner = procs[0] if procs else None
        for t in fault.triggers:
            if t.kind == "step" and t.step is not None:
                found = first_with.get(t.step.name)
                if found is not None:
                    owner = found
                    break
        out.append((fault, owner))
    return out


def cond_refs(cond) -> list[ast.Ref]:
    out, stack = [], [cond] if cond is not None else []
    while stack:
        c = stack.pop()
        if isinstance(c, ast.And | ast.Or):
            stack.extend((c.left, c.right))
        elif isinstance(c, ast.Not):
            stack.append(c.operand)
        elif hasattr(c, "ref"):
            out.append(c.ref)
    return out


def _acted(step: ast.Step) -> set[str]:
    """Equipment a step operates or reads through its actions."""
    out = set()
    for a in step.actions:
        out |= {t.head.name for t in (*a.targets, *a.to)}
    return out


def _observed(step: ast.Step) -> set[str]:
    refs = [r for e in step.expects for r in cond_refs(e.condition)]
    refs += [r for c in step.requires for r in cond_refs(c)]
    refs += [r for a in step.actions if a.op == "wait_until" for r in cond_refs(a.condition)]
    return {r.head.name for r in refs}


def _touched(ctx: RuleContext) -> set[str]:
    """Equipment that some step of the module acts on or observes (alarms and ifs too)."""
    cached = ctx.shared.get("_faults_touched")
    if cached is not None:
        return cached
    out: set[str] = set()
    for proc in _procedures(ctx):
        for item in iter_flow(proc.body):
            if isinstance(item, ast.Step):
                out |= _acted(item) | _observed(item)
            elif isinstance(item, ast.Alarm | ast.If):
                out |= {r.head.name for r in cond_refs(item.condition)}
    out = {t for t in out if ctx.equipment(t) is not None}
    ctx.shared["_faults_touched"] = out
    return out


def _live(ctx: RuleContext) -> set[str]:
    """Equipment touched by a step of the module, or connected to what is (once per module)."""
    live = ctx.shared.get("_faults_live")
    if live is None:
        live = ctx.shared["_faults_live"] = related(ctx, _touched(ctx))
    return live


def related(ctx: RuleContext, tags) -> set[str]:
    """Equipment connected to ``tags`` by `feeds`, `isolates` or `located_in`."""
    cache = ctx.shared.setdefault("_faults_related", {})
    out: set[str] = set()
    for t in tags:
        if t not in cache:
            cache[t] = _related_one(ctx, t)
        out |= cache[t]
    return out


def _related_one(ctx: RuleContext, tag: str) -> set[str]:
    eq = ctx.equipment(tag)
    isolated = {r.head.name for r in eq.isolates} if eq is not None else set()
    out = ctx.upstream(tag) | ctx.downstream(tag) | isolated
    places = set(out)
    for t in list(out):
        eq = ctx.equipment(t)
        if eq is not None and eq.located_in is not None:
            places.add(eq.located_in.head.name)
    located = _located(ctx)
    for place in places:
        out.update(located.get(place, ()))
    return out | places


def _located(ctx: RuleContext) -> dict[str, list[str]]:
    """Place name → the equipment in scope declared `located_in` it (once per module)."""
    index = ctx.shared.get("_faults_located")
    if index is None:
        index = {}
        for decl in ctx.scope.values():
            if decl.category == "equipment" and decl.node.located_in is not None:
                index.setdefault(decl.node.located_in.head.name, []).append(decl.node.name.name)
        ctx.shared["_faults_located"] = index
    return index
