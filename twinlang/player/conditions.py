"""Evaluating bundle conditions against the live state of the plant."""

from __future__ import annotations

from collections.abc import Callable

from ..bundle import model as m

#: Relative tolerance of `==` and `!=` on measured values (readings are never exact).
EQUAL_TOLERANCE = 1e-3
#: Absolute tolerance around zero (0 rpm, 0 V): 1e-6 of the SI unit.
ZERO_TOLERANCE = 1e-6


def value_si(value):
    if isinstance(value, m.Quantity):
        return value.si
    return value


def _equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= max(ZERO_TOLERANCE, EQUAL_TOLERANCE * max(abs(a), abs(b)))


def compare(a, op: str, b) -> bool:
    if a is None or b is None:
        return False
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if isinstance(a, str | bool) or isinstance(b, str | bool):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(cond: m.Condition, read: Callable[[m.StateRef], object],
             done: Callable[[str], bool]) -> bool:
    """Whether ``cond`` holds; ``read(ref)`` gives a state's value, ``done(step)`` a step's.

    Iterative over `and`/`or`/`not` (conditions can be long chains)."""
    # Post-order evaluation with an explicit stack.
    stack: list[tuple[object, bool]] = [(cond, False)]
    values: list[bool] = []
    while stack:
        c, expanded = stack.pop()
        if isinstance(c, m.AllOf | m.AnyOf):
            if not expanded:
                stack.append((c, True))
                stack.extend((a, False) for a in reversed(c.args))
                continue
            args = [values.pop() for _ in c.args][::-1]
            values.append(all(args) if isinstance(c, m.AllOf) else any(args))
        elif isinstance(c, m.NotCond):
            if not expanded:
                stack.append((c, True))
                stack.append((c.arg, False))
                continue
            values.append(not values.pop())
        elif isinstance(c, m.Compare):
            values.append(compare(read(c.ref), c.cmp, value_si(c.value)))
        elif isinstance(c, m.Between):
            v = read(c.ref)
            lo, hi = value_si(c.low), value_si(c.high)
            values.append(v is not None and not isinstance(v, str | bool)
                          and lo is not None and hi is not None and lo <= v <= hi)
        elif isinstance(c, m.IsState):
            v = read(c.ref)  # the whole state dict when the reference names no state
            values.append(c.value in v.values() if isinstance(v, dict) else v == c.value)
        elif isinstance(c, m.StateTrue):
            values.append(read(c.ref) is True)
        elif isinstance(c, m.StepDone):
            values.append(done(c.step))
        else:  # pragma: no cover - the model has no other condition
            values.append(False)
    return values[-1]


def refs(cond: m.Condition) -> list[m.StateRef]:
    """Every state reference in a condition."""
    out, stack = [], [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, m.AllOf | m.AnyOf):
            stack.extend(c.args)
        elif isinstance(c, m.NotCond):
            stack.append(c.arg)
        elif hasattr(c, "ref"):
            out.append(c.ref)
    return out
