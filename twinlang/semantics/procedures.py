"""Procedures: steps, actions, conditions, flow; roles, permits and energy sources."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ast
from ..diagnostics import Label
from . import codes, units, vocab
from .context import Ctx, suggest
from .kinds import find_state, resolve_equipment_ref


def iter_steps(items) -> Iterator[ast.Step]:
    """Every step in a flow body, nested ones included (iteratively, in source order)."""
    stack = [iter(items)]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        if isinstance(item, ast.Step):
            yield item
        else:
            children = list(_children(item))
            if children:
                stack.append(iter(children))


def _children(item) -> list:
    if isinstance(item, ast.Parallel):
        return [s for b in item.branches for s in b.body]
    if isinstance(item, ast.If):
        return [*item.then, *(item.otherwise or ())]
    if isinstance(item, ast.Choose):
        return [s for o in item.options for s in o.body]
    if isinstance(item, ast.Alarm):
        return list(item.body)
    return []


def iter_flow(items) -> Iterator:
    """Every flow item (steps, blocks, jumps, calls), depth first, iteratively."""
    stack = [iter(items)]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        yield item
        children = _children(item)
        if children:
            stack.append(iter(children))


class ProcedureChecker:
    def __init__(self, ctx: Ctx, proc: ast.Procedure) -> None:
        self.ctx = ctx
        self.proc = proc
        self.steps: dict[str, ast.Step] = {}
        self.permits: dict[str, ast.Permit] = {}

    def run(self) -> None:
        ctx, proc = self.ctx, self.proc
        if proc.performed_by is not None:
            ctx.resolve(proc.performed_by, ("role",))
        for r in proc.roles:
            ctx.resolve(r, ("role",))
        if proc.attendant is not None:
            ctx.resolve(proc.attendant, ("role",))
        if isinstance(proc.rescue, ast.Ref):
            resolve_equipment_ref(ctx, proc.rescue)
        for src in proc.energy:
            ctx.resolve(src.energy, ("energy type",))
            resolve_equipment_ref(ctx, src.source)
        for hz in proc.hazards:
            if hz.hazard_class is not None and hz.hazard_class.name not in vocab.HAZARD_CLASSES:
                close = suggest(hz.hazard_class.name, vocab.HAZARD_CLASSES)
                ctx.error(
                    codes.UNKNOWN_HAZARD_CLASS,
                    f"unknown hazard class `{hz.hazard_class.name}`",
                    hz.hazard_class.span,
                    help=f"did you mean `{close}`?"
                    if close
                    else "see `twinlang explain TW0409` for the hazard classes",
                )
        self._unique(proc.hazards, "hazard")
        for p in proc.permits:
            if p.name.name in self.permits:
                self._dup(p.name, self.permits[p.name.name].name, "permit")
            else:
                self.permits[p.name.name] = p
        for b in proc.boundaries:
            ctx.check_value(b.value, "length", what=f"the `{b.name.name}` boundary")
        for step in iter_steps(proc.body):
            prev = self.steps.get(step.name.name)
            if prev is not None:
                self._dup(step.name, prev.name, "step", where=f" in procedure `{proc.name.name}`")
                continue
            self.steps[step.name.name] = step
        if not any(True for _ in iter_steps(proc.body)) and not any(
            isinstance(i, ast.Call) for i in iter_flow(proc.body)
        ):
            ctx.error(
                codes.EMPTY_PROCEDURE,
                f"procedure `{proc.name.name}` has no steps",
                proc.name.span,
                help="add steps: `step NAME: ACTION`",
            )
        for item in iter_flow(proc.body):
            self._flow_item(item)

    def _unique(self, items, what: str) -> None:
        seen: dict[str, ast.Ident] = {}
        for it in items:
            if it.name.name in seen:
                self._dup(it.name, seen[it.name.name], what)
            else:
                seen[it.name.name] = it.name

    def _dup(self, ident: ast.Ident, first: ast.Ident, what: str, where: str = "") -> None:
        self.ctx.error(
            codes.DUPLICATE_DEFINITION,
            f"{what} `{ident.name}` is declared twice{where}",
            ident.span,
            labels=[Label(span=first.span, message="first declared here")],
            help=f"give each {what} a name of its own",
        )

    # ------------------------------------------------------------ flow

    def _flow_item(self, item) -> None:
        ctx = self.ctx
        if isinstance(item, ast.Step):
            self._step(item)
        elif isinstance(item, ast.Jump):
            if item.op == "goto" and item.target is not None:
                self.step_ref(item.target)
            if item.bound is not None and item.bound < 1:
                ctx.error(
                    codes.INVALID_VALUE,
                    "a `goto` bound must be at least 1",
                    item.span,
                    help="write `up to N times` with N of 1 or more",
                )
        elif isinstance(item, ast.Call):
            # the callee must exist; calls that recurse are the step graph's to report
            ctx.resolve(item.target, ("procedure",))
        elif isinstance(item, ast.Alarm):
            self.condition(item.condition)
            for d in item.during:
                self.step_ref(d)
            if not item.body:
                ctx.error(
                    codes.EMPTY_PROCEDURE,
                    "alarm handler has no response",
                    item.span,
                    help="add `-> goto STEP`, `-> resume`, `-> abort` or steps in a block",
                )
        elif isinstance(item, ast.If):
            self.condition(item.condition)
            if not item.then:
                ctx.error(
                    codes.EMPTY_PROCEDURE,
                    "`if` block has no steps",
                    item.span,
                    help="add steps to the block or remove the `if`",
                )
        elif isinstance(item, ast.Parallel):
            if len(item.branches) < 2:
                ctx.error(
                    codes.EMPTY_PROCEDURE,
                    "`parallel` needs at least two branches",
                    item.span,
                    help="add a branch, or write the steps without `parallel`",
                )
            self._unique(item.branches, "branch")
            for b in item.branches:
                if not b.body:
                    ctx.error(
                        codes.EMPTY_PROCEDURE,
                        f"branch `{b.name.name}` has no steps",
                        b.name.span,
                        help="add steps to the branch or remove it",
                    )
        elif isinstance(item, ast.Choose):
            if not item.options:
                ctx.error(
                    codes.EMPTY_PROCEDURE,
                    "`choose` has no options",
                    item.span,
                    help='add `option "label" { ... }` blocks',
                )
            for o in item.options:
                if not o.body:
                    ctx.error(
                        codes.EMPTY_PROCEDURE,
                        f'option "{o.label}" has no steps',
                        o.span,
                        help="add steps to the option (a `goto` counts)",
                    )

    def step_ref(self, ident: ast.Ident) -> ast.Step | None:
        step = self.steps.get(ident.name)
        if step is None:
            close = suggest(ident.name, self.steps)
            self.ctx.error(
                codes.UNKNOWN_STEP,
                f"procedure `{self.proc.name.name}` has no step `{ident.name}`",
                ident.span,
                help=f"did you mean `{close}`?" if close else "name one of the procedure's steps",
            )
        return step

    def _step(self, step: ast.Step) -> None:
        ctx = self.ctx
        if step.performed_by is not None:
            ctx.resolve(step.performed_by, ("role",))
        if step.verified_by is not None:
            ctx.resolve(step.verified_by, ("role",))
        for action in step.actions:
            self._action(action)
        for exp in step.expects:
            self.condition(exp.condition)
            if exp.within is not None:
                self.duration(exp.within, "the time limit")
        for req in step.requires:
            self.condition(req)

    def duration(self, value: ast.Value, what: str) -> units.Measure | None:
        m = self.ctx.check_value(value, "time", what=what)
        if isinstance(m, units.Measure) and m.si <= 0:
            self.ctx.error(
                codes.INVALID_VALUE,
                f"{what} must be longer than zero",
                value.span,
                help="give a positive time, e.g. `within 30 s`",
            )
            return None
        return m

    # ------------------------------------------------------------ actions

    def _action(self, a: ast.Action) -> None:
        ctx = self.ctx
        op = a.op
        if op in ("notify", "communicate", "hold"):
            ctx.resolve(a.role, ("role",))
        elif op == "account":
            for r in a.roles:
                ctx.resolve(r, ("role",))
        elif op == "work":
            if a.duration is not None:
                self.duration(a.duration, "the work time")
        elif op == "wait":
            self.duration(a.duration, "the waiting time")
        elif op == "wait_until":
            self.condition(a.condition)
            if a.within is not None:
                self.duration(a.within, "the time limit")
        elif op == "record":
            for t in a.targets:
                resolve_equipment_ref(ctx, t, allow_member=True)
        elif op in ("apply", "remove"):
            self._device(a)
        elif op in ("permit_issue", "permit_sign", "permit_revoke"):
            if a.permit.name not in self.permits:
                close = suggest(a.permit.name, self.permits)
                ctx.error(
                    codes.UNKNOWN_PERMIT,
                    f"procedure `{self.proc.name.name}` declares no permit `{a.permit.name}`",
                    a.permit.span,
                    help=f"did you mean `{close}`?"
                    if close
                    else f'declare it in the procedure: `permit {a.permit.name} "Title"`',
                )
        elif op == "do":
            self._generic(a)

    def _device(self, a: ast.Action) -> None:
        ctx = self.ctx
        dev = a.device.name
        if dev not in vocab.DEVICES:
            close = suggest(dev, vocab.DEVICES)
            ctx.error(
                codes.UNKNOWN_DEVICE,
                f"`{dev}` is not a protective device",
                a.device.span,
                help=f"did you mean `{close}`?"
                if close
                else "devices are "
                + ", ".join(f"`{d}`" for d in vocab.DEVICES)
                + f"; to act on equipment use its verb: `{dev} TAG`",
            )
        for t in a.targets:
            decl, _ = resolve_equipment_ref(ctx, t)
            if decl is None or dev not in vocab.LOCK_DEVICES:
                continue
            kind = _kind(ctx, decl.node)
            if kind is not None and not kind.lockable:
                ctx.error(
                    codes.ACTION_NOT_ACCEPTED,
                    f"`{t.text}` ({kind.name.name}) cannot take a lock",
                    t.span,
                    notes=[
                        "29 CFR 1910.147(c)(3): where an isolating device cannot be "
                        "locked, a tag is used with additional protective measures"
                    ],
                    help="lock the energy isolating device that feeds it, or apply a tag",
                )

    def _generic(self, a: ast.Action) -> None:
        ctx = self.ctx
        verb = a.verb.name
        for t in a.targets:
            decl, _state = resolve_equipment_ref(ctx, t, allow_member=True)
            if decl is None:
                continue
            kind = _kind(ctx, decl.node)
            if kind is None:
                continue
            accepted = [x.name for x in kind.actions]
            if verb not in accepted:
                close = suggest(verb, accepted)
                ctx.error(
                    codes.ACTION_NOT_ACCEPTED,
                    f"`{t.head.name}` ({kind.name.name}) does not accept `{verb}`",
                    a.verb.span,
                    help=f"did you mean `{close}`?"
                    if close
                    else (f"`{kind.name.name}` accepts " + ", ".join(f"`{x}`" for x in accepted))
                    if accepted
                    else f"`{kind.name.name}` accepts no actions",
                )
        for t in a.to:
            resolve_equipment_ref(ctx, t, allow_member=True)
        if a.at is not None and isinstance(a.at, ast.QuantityValue) and a.at.unit is not None:
            try:
                units.check_unit(a.at.unit)
            except units.UnitError:
                ctx.error(
                    codes.UNKNOWN_UNIT,
                    f"unknown unit `{a.at.unit}`",
                    a.at.unit_span or a.at.span,
                    help="write products with `*` and quotients with `/`: `N*m`, `L/min`",
                )

    # ------------------------------------------------------------ conditions

    def condition(self, cond) -> None:
        stack = [cond]
        while stack:
            c = stack.pop()
            if isinstance(c, ast.And | ast.Or):
                stack.extend((c.right, c.left))
            elif isinstance(c, ast.Not):
                stack.append(c.operand)
            elif isinstance(c, ast.Compare | ast.Between):
                state = self._state_ref(c.ref)
                if state is not None:
                    vals = [c.value] if isinstance(c, ast.Compare) else [c.low, c.high]
                    for v in vals:
                        self.ctx.check_value(v, state.type, what=f"`{c.ref.text}`")
            elif isinstance(c, ast.IsState):
                self._is_state(c)
            elif isinstance(c, ast.RefCondition):
                self._bare_ref(c.ref)

    def _state_ref(self, ref: ast.Ref) -> ast.StateDef | None:
        ctx = self.ctx
        if len(ref.parts) != 2:
            decl = ctx.module.scope.get(ref.head.name)
            if len(ref.parts) == 1 and decl is not None and decl.category == "equipment":
                ctx.error(
                    codes.UNKNOWN_MEMBER,
                    f"a comparison needs a state of `{ref.head.name}`, not the equipment",
                    ref.span,
                    help=f"write `{ref.head.name}.STATE`, e.g. "
                    f"`{ref.head.name}.{_first_state(ctx, decl.node) or 'position'}`",
                )
                return None
            if len(ref.parts) == 1:
                ctx.resolve(ref.head, ("equipment",))
                return None
            ctx.error(
                codes.UNKNOWN_MEMBER,
                f"`{ref.text}` has too many parts",
                ref.span,
                help="write `TAG.STATE`",
            )
            return None
        decl = ctx.resolve(ref.head, ("equipment",))
        if decl is None:
            return None
        return find_state(ctx, decl.node, ref.parts[1])

    def _is_state(self, c: ast.IsState) -> None:
        ctx = self.ctx
        if len(c.ref.parts) == 2:
            state = self._state_ref(c.ref)
            if state is not None:
                ctx.check_value(
                    ast.NameValue(span=c.state.span, name=c.state.name),
                    state.type,
                    what=f"`{c.ref.text}`",
                )
            return
        decl, _ = resolve_equipment_ref(ctx, c.ref)
        if decl is None:
            return
        kind = _kind(ctx, decl.node)
        if kind is None:
            return
        choices = {ch.name for s in kind.states for ch in s.type.choices}
        if c.state.name not in choices:
            close = suggest(c.state.name, choices)
            ctx.error(
                codes.INVALID_CHOICE,
                f"no state of `{c.ref.text}` ({kind.name.name}) can be `{c.state.name}`",
                c.state.span,
                help=f"did you mean `{close}`?"
                if close
                else ("possible values: " + ", ".join(f"`{x}`" for x in sorted(choices)))
                if choices
                else f"`{kind.name.name}` has no named states",
            )

    def _bare_ref(self, ref: ast.Ref) -> None:
        ctx = self.ctx
        if len(ref.parts) == 1 and ref.head.name in self.steps:
            return
        if len(ref.parts) == 2:
            state = self._state_ref(ref)
            if state is not None and state.type.name.name != "boolean":
                ctx.error(
                    codes.WRONG_VALUE_TYPE,
                    f"`{ref.text}` is a {state.type.name.name}, not a yes/no state",
                    ref.span,
                    help=f"compare it: `{ref.text} == ...`",
                )
            return
        close = suggest(ref.head.name, self.steps)
        ctx.error(
            codes.UNKNOWN_STEP,
            f"`{ref.text}` is not a step of procedure `{self.proc.name.name}`",
            ref.span,
            help=f"did you mean `{close}`?"
            if close
            else "a bare name in a condition means a step that is done; to test equipment "
            "write `TAG.STATE == VALUE`",
        )


def _kind(ctx: Ctx, eq: ast.Equipment) -> ast.Kind | None:
    decl = ctx.module.scope.get(eq.kind.name)
    return decl.node if decl is not None and decl.category == "kind" else None


def _first_state(ctx: Ctx, eq: ast.Equipment) -> str | None:
    kind = _kind(ctx, eq)
    return kind.states[0].name.name if kind is not None and kind.states else None
