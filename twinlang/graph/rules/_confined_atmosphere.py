"""The atmosphere of a confined space: what a reading measures and the limits it must meet.

Shared by the confined-space rules (:mod:`.confined`).  An atmospheric reading is classified
by the state it reads: a `flammability` state is flammable gas, a state named `oxygen`/`o2`
is oxygen, any other `concentration` state is a toxic gas.  The limits are those of a
hazardous atmosphere in 29 CFR 1910.146(b); a toxic gas is limited by the PEL of the
substance of that name or by a limit parameter of the instrument.
"""

from __future__ import annotations

from ... import ast
from ...semantics import units
from . import RuleContext

ORDER = ("oxygen", "flammables", "toxics")
CLASS_TEXT = {"oxygen": "oxygen", "flammables": "flammable gas", "toxics": "toxic gas"}
#: 1910.146(b) hazardous atmosphere: O2 < 19.5 % or > 23.5 %, flammables > 10 % LFL.
O2_LOW, O2_HIGH, LFL_SHARE = 0.195, 0.235, 0.10
O2_TEXT = "between 19.5 % vol and 23.5 % vol"
#: Detector state names → the substance whose PEL limits them.
TOXIC_ALIASES = {"h2s": "hydrogen_sulfide", "co": "carbon_monoxide", "cl2": "chlorine",
                 "nh3": "ammonia", "so2": "sulfur_dioxide", "no2": "nitrogen_dioxide",
                 "hcn": "hydrogen_cyanide"}
#: Instrument parameters that set a toxic limit, `{}` being the state name.
LIMIT_PARAMS = ("{}_limit", "{}_pel", "{}_low_alarm")
EPS = 1e-9


def state_def(ctx: RuleContext, tag: str, name: str) -> ast.StateDef | None:
    kind = ctx.kind(tag)
    return next((s for s in kind.states if s.name.name == name), None) if kind else None


def atmosphere_class(ctx: RuleContext, tag: str, name: str) -> str | None:
    st = state_def(ctx, tag, name)
    if st is None:
        return None
    if st.type.name.name == "flammability":
        return "flammables"
    if name.lower() in ("oxygen", "o2"):
        return "oxygen"
    return "toxics" if st.type.name.name == "concentration" else None


def atoms(cond):
    """Every atomic condition under ``cond`` (through and/or/not)."""
    stack = [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, ast.And | ast.Or):
            stack.extend((c.right, c.left))
        elif isinstance(c, ast.Not):
            stack.append(c.operand)
        elif c is not None:
            yield c


def conjuncts(cond):
    stack = [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, ast.And):
            stack.extend((c.right, c.left))
        else:
            yield c


def si_value(value, type_name: str) -> float | None:
    if not isinstance(value, ast.QuantityValue):
        return None
    try:
        return units.convert(value.number, value.unit, type_name).si
    except Exception:  # a value the semantic stage already reported
        return None


def qtext(value) -> str:
    if isinstance(value, ast.QuantityValue):
        return f"{value.text} {value.unit}" if value.unit else value.text
    return "?"


def param_value(ctx: RuleContext, tag: str, name: str):
    eq, kind = ctx.equipment(tag), ctx.kind(tag)
    for ps in eq.params if eq is not None else ():
        if ps.name.name == name:
            return ps.value
    for pd in kind.params if kind is not None else ():
        if pd.name.name == name:
            return pd.default
    return None


def toxic_limit(ctx: RuleContext, tag: str, name: str) -> tuple[float, str, str] | None:
    """(limit in SI, limit as written, where it comes from), the lowest one declared."""
    found = []
    for pattern in LIMIT_PARAMS:
        pname = pattern.format(name)
        v = param_value(ctx, tag, pname)
        if si_value(v, "concentration") is not None:
            found.append((si_value(v, "concentration"), qtext(v), f"`{pname}` of `{tag}`"))
    for sub in dict.fromkeys((name, TOXIC_ALIASES.get(name.lower()))):
        decl = ctx.scope.get(sub) if sub else None
        if decl is None or decl.category != "substance":
            continue
        for ps in decl.node.params:
            if ps.name.name == "pel" and si_value(ps.value, "concentration") is not None:
                found.append((si_value(ps.value, "concentration"), qtext(ps.value),
                              f"the PEL of `{sub}`"))
    return min(found, key=lambda f: f[0]) if found else None


def item_text_limit(ctx: RuleContext, tag: str, st: str) -> str:
    limit = toxic_limit(ctx, tag, st)
    return f"{limit[1]} ({limit[2]})" if limit else "its limit"


def alarm_is_atmospheric(ctx: RuleContext, node) -> bool:
    cond = ctx.g.nodes[node].get("condition")
    return any(hasattr(c, "ref") and len(c.ref.parts) == 2 and atmosphere_class(
        ctx, c.ref.head.name, c.ref.parts[1].name) for c in atoms(cond))


def alarm_setpoints(ctx: RuleContext, cond):
    """(span, message, help) for each alarm threshold beyond the limits of 1910.146(b)."""
    stack = [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, ast.And | ast.Or):
            stack.extend((c.right, c.left))
        if not isinstance(c, ast.Compare) or len(c.ref.parts) != 2:
            continue
        tag, st = c.ref.head.name, c.ref.parts[1].name
        cls = atmosphere_class(ctx, tag, st)
        v = si_value(c.value, state_def(ctx, tag, st).type.name.name) if cls else None
        if v is None:
            continue
        below, above = c.op in ("<", "<="), c.op in (">", ">=")
        need = None
        if cls == "oxygen" and below and v < O2_LOW - EPS:
            need = "below 19.5 % vol"
        elif cls == "oxygen" and above and v > O2_HIGH + EPS:
            need = "above 23.5 % vol"
        elif cls == "flammables" and above and v > LFL_SHARE + EPS:
            need = "at 10 % LEL"
        elif cls == "toxics" and above:
            limit = toxic_limit(ctx, tag, st)
            if limit is not None and v > limit[0] + EPS:
                need = f"at {item_text_limit(ctx, tag, st)}"
        if need:
            yield (c.span, f"the alarm on `{c.ref.text}` goes off only at {qtext(c.value)}; "
                   f"it must go off {need}",
                   "set the alarm threshold at the limit of 29 CFR 1910.146(b) or inside it")
