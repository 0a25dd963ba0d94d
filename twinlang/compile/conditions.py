"""Conditions and references: AST → bundle model, and back to twinlang text."""

from __future__ import annotations

from collections.abc import Callable

from .. import ast
from . import model as m


def state_ref(ref: ast.Ref) -> m.StateRef:
    return m.StateRef(equipment=ref.head.name,
                      state=ref.parts[1].name if len(ref.parts) > 1 else None)


def lower_condition(cond, state_type: Callable[[ast.Ref], str]) -> m.Condition:
    """Lower a condition; ``state_type(ref)`` gives the type a compared value has."""
    from .lower import value_of

    if isinstance(cond, ast.And):
        return m.AllOf(args=[lower_condition(c, state_type) for c in _flatten(cond, ast.And)])
    if isinstance(cond, ast.Or):
        return m.AnyOf(args=[lower_condition(c, state_type) for c in _flatten(cond, ast.Or)])
    if isinstance(cond, ast.Not):
        return m.NotCond(arg=lower_condition(cond.operand, state_type))
    if isinstance(cond, ast.Compare):
        return m.Compare(ref=state_ref(cond.ref), cmp=cond.op,
                         value=value_of(cond.value, state_type(cond.ref)))
    if isinstance(cond, ast.Between):
        t = state_type(cond.ref)
        return m.Between(ref=state_ref(cond.ref), low=value_of(cond.low, t),
                         high=value_of(cond.high, t))
    if isinstance(cond, ast.IsState):
        return m.IsState(ref=state_ref(cond.ref), value=cond.state.name)
    if isinstance(cond, ast.RefCondition):
        if len(cond.ref.parts) == 1:
            return m.StepDone(step=cond.ref.head.name)
        return m.StateTrue(ref=state_ref(cond.ref))
    raise TypeError(f"not a condition: {type(cond).__name__}")


def _flatten(cond, cls) -> list:
    """`a and b and c` as one list (iteratively: chains can be long)."""
    out, stack = [], [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, cls):
            stack.extend((c.right, c.left))
        else:
            out.append(c)
    return out


def value_text(value) -> str:
    if isinstance(value, ast.QuantityValue):
        return value.text + (f" {value.unit}" if value.unit else "")
    if isinstance(value, ast.StringValue):
        escaped = value.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, ast.BoolValue):
        return "true" if value.value else "false"
    return value.name


_PRECEDENCE = {ast.Or: 1, ast.And: 2, ast.Not: 3}


def condition_text(cond, parent: int = 0) -> str:
    """The condition in twinlang syntax, parenthesised only where needed."""
    if isinstance(cond, ast.And | ast.Or):
        word = " and " if isinstance(cond, ast.And) else " or "
        mine = _PRECEDENCE[type(cond)]
        text = word.join(condition_text(c, mine) for c in _flatten(cond, type(cond)))
        return f"({text})" if mine < parent else text
    if isinstance(cond, ast.Not):
        return "not " + condition_text(cond.operand, 3)
    if isinstance(cond, ast.Compare):
        return f"{cond.ref.text} {cond.op} {value_text(cond.value)}"
    if isinstance(cond, ast.Between):
        text = f"{cond.ref.text} between {value_text(cond.low)} and {value_text(cond.high)}"
        return f"({text})" if parent >= 2 else text
    if isinstance(cond, ast.IsState):
        return f"{cond.ref.text} is {cond.state.name}"
    if isinstance(cond, ast.RefCondition):
        return cond.ref.text
    raise TypeError(f"not a condition: {type(cond).__name__}")
