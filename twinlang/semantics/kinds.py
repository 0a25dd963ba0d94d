"""Kinds, equipment, substances and chemistry declarations."""

from __future__ import annotations

from .. import ast
from ..diagnostics import Label
from . import codes, units, vocab
from .context import Ctx, suggest


def check_kind(ctx: Ctx, kind: ast.Kind) -> None:
    seen: dict[str, ast.Ident] = {}
    for member in (*kind.params, *kind.states):
        name = member.name
        if name.name in seen:
            ctx.error(
                codes.DUPLICATE_DEFINITION,
                f"`{name.name}` is declared twice in kind `{kind.name.name}`",
                name.span,
                labels=[Label(span=seen[name.name].span, message="first declared here")],
                help="give each parameter and state its own name",
            )
            continue
        seen[name.name] = name
        if not check_type(ctx, member.type):
            continue
        what = f"`{name.name}`"
        if isinstance(member, ast.ParamDef):
            default = (
                None
                if member.default is None
                else ctx.check_value(member.default, member.type, what=what)
            )
            low = (
                None if member.low is None else ctx.check_value(member.low, member.type, what=what)
            )
            high = (
                None
                if member.high is None
                else ctx.check_value(member.high, member.type, what=what)
            )
            if isinstance(low, units.Measure) and isinstance(high, units.Measure):
                if low.si > high.si:
                    ctx.error(
                        codes.INVALID_RANGE,
                        f"the range of `{name.name}` is empty: its low end is above its high end",
                        member.low.span,
                        help="write the smaller value first: `range LOW .. HIGH`",
                    )
                elif isinstance(default, units.Measure) and not low.si <= default.si <= high.si:
                    ctx.error(
                        codes.INVALID_RANGE,
                        f"the default of `{name.name}` lies outside its range",
                        member.default.span,
                        labels=[Label(span=member.low.span, message="range starts here")],
                        help="change the default or widen the range",
                    )
        elif member.initial is not None:
            ctx.check_value(member.initial, member.type, what=what)
    for energy in (*kind.stores, *kind.transmits, *kind.isolates):
        ctx.resolve(energy, ("energy type",), help_missing=_energy_help(ctx))
    if kind.control_device and kind.isolates:
        ctx.error(
            codes.INVALID_VALUE,
            f"kind `{kind.name.name}` is a control device and cannot isolate energy",
            kind.isolates[0].span,
            notes=[
                "29 CFR 1910.147(b): push buttons, selector switches and other "
                "control-circuit devices are not energy isolating devices"
            ],
            help="remove `control_device` or the `isolates` line",
        )
    acts: dict[str, ast.Ident] = {}
    for act in kind.actions:
        if act.name in acts:
            ctx.error(
                codes.DUPLICATE_DEFINITION,
                f"action `{act.name}` is listed twice in kind `{kind.name.name}`",
                act.span,
                help="list each action once",
            )
        acts[act.name] = act


def check_type(ctx: Ctx, type_: ast.TypeExpr) -> bool:
    name = type_.name.name
    if name not in units.ALL_TYPES:
        close = suggest(name, units.ALL_TYPES)
        ctx.error(
            codes.UNKNOWN_TYPE,
            f"unknown type `{name}`",
            type_.name.span,
            help=f"did you mean `{close}`?"
            if close
            else "types are dimension names such as `pressure`, `length`, `time`, "
            "`fraction`, `count`, or `boolean`, `text`, `choice(a, b)`",
        )
        return False
    if name == "choice" and not type_.choices:
        ctx.error(
            codes.UNKNOWN_TYPE,
            "`choice` needs its choices",
            type_.span,
            help="list them in parentheses: `choice(open, closed)`",
        )
        return False
    if name != "choice" and type_.choices:
        ctx.error(
            codes.UNKNOWN_TYPE,
            f"type `{name}` takes no choices",
            type_.span,
            help=f"write `{name}` alone, or `choice(...)` for a list of names",
        )
        return False
    return True


def kind_of(ctx: Ctx, equipment: ast.Equipment) -> ast.Kind | None:
    decl = ctx.module.scope.get(equipment.kind.name)
    if decl is None or decl.category != "kind":
        return None
    return decl.node


def check_equipment(ctx: Ctx, eq: ast.Equipment) -> dict[str, object]:
    """Check an equipment declaration; return its parameter values (SI measures etc.)."""
    decl = ctx.resolve(eq.kind, ("kind",), help_missing=_kind_help(ctx, eq.kind.name))
    values: dict[str, object] = {}
    kind: ast.Kind | None = decl.node if decl is not None else None
    params = {p.name.name: p for p in kind.params} if kind is not None else {}
    seen: dict[str, ast.ParamSet] = {}
    for ps in eq.params:
        pname = ps.name.name
        if pname in seen:
            ctx.error(
                codes.DUPLICATE_DEFINITION,
                f"`{pname}` is set twice on `{eq.name.name}`",
                ps.name.span,
                labels=[Label(span=seen[pname].span, message="first set here")],
                help="keep one value",
            )
            continue
        seen[pname] = ps
        if kind is None:
            continue
        pdef = params.get(pname)
        if pdef is None:
            close = suggest(pname, params)
            state_names = {s.name.name for s in kind.states}
            if pname in state_names:
                hint = (
                    f"`{pname}` is a state of `{kind.name.name}`, observed during the run; "
                    "it cannot be set here"
                )
            elif close:
                hint = f"did you mean `{close}`?"
            elif params:
                hint = f"`{kind.name.name}` has " + ", ".join(f"`{p}`" for p in params)
            else:
                hint = f"`{kind.name.name}` has no parameters"
            ctx.error(
                codes.UNKNOWN_PARAMETER,
                f"unknown parameter `{pname}` for kind `{kind.name.name}`",
                ps.name.span,
                help=hint,
            )
            continue
        value = ctx.check_value(ps.value, pdef.type, what=f"`{pname}`")
        if value is None:
            continue
        values[pname] = value
        _check_range(ctx, pdef, ps, value, kind)
    if kind is not None:
        missing = [p for p in kind.params if p.default is None and p.name.name not in seen]
        for p in missing:
            ctx.error(
                codes.MISSING_PARAMETER,
                f"`{eq.name.name}` does not set `{p.name.name}`, which `{kind.name.name}` requires",
                eq.name.span,
                help=f"add `{p.name.name} = ...` ({_type_text(p.type)}) to `{eq.name.name}`",
            )
    for ref in (*eq.feeds, *eq.isolates):
        resolve_equipment_ref(ctx, ref)
    if eq.located_in is not None:
        resolve_equipment_ref(ctx, eq.located_in)
    for ref in eq.contains:
        if len(ref.parts) == 1:
            ctx.resolve(ref.head, ("substance",))
        else:
            ctx.error(
                codes.UNKNOWN_NAME,
                f"unknown substance `{ref.text}`",
                ref.span,
                help="name a substance declared with `substance` or imported",
            )
    if eq.position is not None:
        for v in eq.position:
            ctx.check_value(v, "length", what="a position coordinate")
    return values


def _check_range(ctx: Ctx, pdef: ast.ParamDef, ps: ast.ParamSet, value, kind: ast.Kind) -> None:
    if not isinstance(value, units.Measure) or pdef.low is None or pdef.high is None:
        return
    lo = _quiet_convert(pdef.low, pdef.type)
    hi = _quiet_convert(pdef.high, pdef.type)
    if lo is None or hi is None:
        return
    if not lo.si <= value.si <= hi.si:
        ctx.error(
            codes.OUT_OF_RANGE,
            f"`{ps.name.name}` = {_text(ps.value)} is outside the range of "
            f"`{kind.name.name}` ({_text(pdef.low)} .. {_text(pdef.high)})",
            ps.value.span,
            labels=[Label(span=pdef.span, message="range declared here")],
            help="check the number and its unit; if the plant really is outside this "
            "range, declare a kind of your own",
        )


def _quiet_convert(value: ast.Value, type_: ast.TypeExpr):
    if not isinstance(value, ast.QuantityValue):
        return None
    try:
        return units.convert(value.number, value.unit, type_.name.name)
    except ValueError:
        return None


def resolve_equipment_ref(ctx: Ctx, ref: ast.Ref, *, allow_member: bool = False):
    """Resolve `TAG` (or `TAG.state` when ``allow_member``); return (decl, state def or None)."""
    decl = ctx.resolve(ref.head, ("equipment",))
    if decl is None:
        return None, None
    if len(ref.parts) == 1:
        return decl, None
    member = ref.parts[1]
    if not allow_member or len(ref.parts) > 2:
        ctx.error(
            codes.UNKNOWN_MEMBER,
            f"expected equipment, found `{ref.text}`",
            ref.span,
            help=f"name the equipment alone: `{ref.head.name}`",
        )
        return None, None
    state = find_state(ctx, decl.node, member)
    return (decl, state) if state is not None else (None, None)


def find_state(ctx: Ctx, equipment: ast.Equipment, member: ast.Ident) -> ast.StateDef | None:
    kind_decl = ctx.module.scope.get(equipment.kind.name)
    if kind_decl is None or kind_decl.category != "kind":
        return None
    kind: ast.Kind = kind_decl.node
    states = {s.name.name: s for s in kind.states}
    if member.name in states:
        return states[member.name]
    close = suggest(member.name, states)
    params = {p.name.name for p in kind.params}
    if member.name in params:
        hint = (
            f"`{member.name}` is a fixed parameter of `{kind.name.name}`; observable states "
            "are " + ", ".join(f"`{s}`" for s in states)
        )
    elif close:
        hint = f"did you mean `{close}`?"
    elif states:
        hint = f"`{kind.name.name}` has the states " + ", ".join(f"`{s}`" for s in states)
    else:
        hint = f"`{kind.name.name}` has no observable states"
    ctx.error(
        codes.UNKNOWN_MEMBER,
        f"`{equipment.name.name}` ({kind.name.name}) has no state `{member.name}`",
        member.span,
        help=hint,
    )
    return None


def check_substance(ctx: Ctx, sub: ast.Substance) -> None:
    for g in sub.groups:
        ctx.resolve(g, ("reactivity group",))
    seen: set[str] = set()
    for ps in sub.params:
        name = ps.name.name
        if name in seen:
            ctx.error(
                codes.DUPLICATE_DEFINITION,
                f"`{name}` is set twice on `{sub.name.name}`",
                ps.name.span,
                help="keep one value",
            )
            continue
        seen.add(name)
        type_name = vocab.SUBSTANCE_PARAMS.get(name)
        if type_name is None:
            close = suggest(name, vocab.SUBSTANCE_PARAMS)
            ctx.error(
                codes.UNKNOWN_SUBSTANCE_PARAM,
                f"unknown substance property `{name}`",
                ps.name.span,
                help=f"did you mean `{close}`?"
                if close
                else "substances take " + ", ".join(f"`{p}`" for p in vocab.SUBSTANCE_PARAMS),
            )
            continue
        ctx.check_value(ps.value, type_name, what=f"`{name}`")


def check_incompatible(ctx: Ctx, inc: ast.Incompatible) -> None:
    ctx.resolve(inc.first, ("reactivity group",))
    ctx.resolve(inc.second, ("reactivity group",))
    for c in inc.consequences:
        if c.name not in vocab.CONSEQUENCES:
            close = suggest(c.name, vocab.CONSEQUENCES)
            ctx.error(
                codes.UNKNOWN_CONSEQUENCE,
                f"unknown consequence `{c.name}`",
                c.span,
                help=f"did you mean `{close}`?"
                if close
                else "consequences are " + ", ".join(f"`{x}`" for x in vocab.CONSEQUENCES),
            )


def _type_text(type_: ast.TypeExpr) -> str:
    if type_.choices:
        return "one of " + ", ".join(f"`{c.name}`" for c in type_.choices)
    name = type_.name.name
    ex = units.EXAMPLE_UNITS.get(name)
    return f"a {name.replace('_', ' ')}" + (f" in {ex}" if ex and name in units.DIMENSIONS else "")


def _text(value: ast.Value) -> str:
    if isinstance(value, ast.QuantityValue):
        return value.text + (f" {value.unit}" if value.unit else "")
    if isinstance(value, ast.StringValue):
        return f'"{value.value}"'
    if isinstance(value, ast.BoolValue):
        return str(value.value).lower()
    return value.name


def _kind_help(ctx: Ctx, name: str) -> str:
    return f"import it, e.g. `use stdlib.equipment.{{{name}}}`, or declare `kind {name}`"


def _energy_help(ctx: Ctx) -> str:
    return "energy types are declared in the prelude: " + ", ".join(
        f"`{n}`" for n in sorted(ctx.names_of(("energy type",)))
    )
