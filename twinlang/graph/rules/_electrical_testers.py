"""Absence-of-voltage testers: which tests use them and where they are proven live.

Live-dead-live (NFPA 70E 120.5(7) (2021) / 120.6(7) (2024)): each tester that proves the
absence of voltage is itself proven on a known source before and after the test.  These
helpers find the tests made with each tester, the steps that prove it on a source outside
the circuits in scope, and the branches a procedure takes right after a tester failed that
proof (a known-source check whose reading excludes every value the check expects).
Used by the live-dead-live rule of :mod:`.electrical`.
"""

from __future__ import annotations

from ... import ast
from ..dataflow import FLOW_EDGES
from . import RuleContext
from ._electrical_circuits import AOV_VERBS, aov_parts, is_proximity, to_si

#: Verbs that prove a tester on a known source.
PROVE_VERBS = frozenset({"verify", "test", "check", "prove"})


def tests_by_tester(ctx: RuleContext, chains) -> dict[str, list]:
    out: dict[str, list] = {}
    for n in ctx.step_nodes():
        for verb, targets, action in ctx.verbs(n):
            if verb not in AOV_VERBS:
                continue
            points, testers = aov_parts(action, targets, chains)
            if not points:
                continue
            for t in testers:
                if not is_proximity(ctx, t) and n not in out.setdefault(t, []):
                    out[t].append(n)
    return out


def proves(action: ast.Action, verb: str, targets: list[str], tester: str, chains) -> bool:
    """Whether the action proves ``tester`` on a known source outside the circuits."""
    known = [r.head.name for r in action.to]
    return (verb in PROVE_VERBS and tester in targets and bool(known)
            and not any(k in chains or k == tester for k in known))


def proven_in_step(ctx: RuleContext, n, tester: str, chains, before: bool) -> bool:
    """Whether step ``n`` itself proves the tester before its first (after its last) test."""
    seq = []
    for verb, targets, action in ctx.verbs(n):
        if proves(action, verb, targets, tester, chains):
            seq.append("live")
        elif verb in AOV_VERBS and tester in targets and aov_parts(action, targets, chains)[0]:
            seq.append("dead")
    if "dead" not in seq:
        return False
    if before:
        return "live" in seq[: seq.index("dead")]
    return "live" in seq[len(seq) - seq[::-1].index("dead"):]


_OPS = {"<": (None, (False,)), "<=": (None, (True,)), ">": ((False,), None), ">=": ((True,), None),
        "==": ((True,), (True,))}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _interval(ctx: RuleContext, c, op: str):
    """(low, low included, high, high included) of a comparison of a state, in SI."""
    kind = ctx.kind(c.ref.head.name)
    state = c.ref.parts[1].name if len(c.ref.parts) > 1 else None
    stype = next((s.type.name.name for s in kind.states if s.name.name == state), None) \
        if kind is not None else None
    x = to_si(c.value, stype) if stype else None
    if x is None or op not in _OPS:
        return None
    low, high = _OPS[op]
    return (x if low else float("-inf"), bool(low and low[0]),
            x if high else float("inf"), bool(high and high[0]))


def _disjoint(a, b) -> bool:
    def before(p, q):  # p lies wholly below q
        return p[2] < q[0] or (p[2] == q[0] and not (p[3] and q[1]))
    return before(a, b) or before(b, a)


def _steps_before(ctx: RuleContext, u) -> set:
    """The steps right before node ``u`` (through `if`, `join`, `goto` ... nodes)."""
    out, seen, stack = set(), {u}, [u]
    while stack:
        for p, data in ctx.g.pred[stack.pop()].items():
            if p in seen or data.get("kind") not in FLOW_EDGES:
                continue
            seen.add(p)
            if ctx.g.nodes[p]["kind"] == "step":
                out.add(p)
            elif ctx.g.nodes[p]["kind"] not in ("start", "alarm"):
                stack.append(p)
    return out


def failure_edges(ctx: RuleContext, tester: str, live) -> list:
    """(`if` node, successor, check) for the branches taken when the tester has just failed
    a known-source check: the `if` follows the check and its condition on that branch
    excludes every reading the check expects."""
    out = []
    for u, data in ctx.g.nodes(data=True):
        c = data.get("condition")
        if data["kind"] != "if" or not isinstance(c, ast.Compare) or c.ref.head.name != tester:
            continue
        before = _steps_before(ctx, u)
        if not before or not all(live(n) for n in before):
            continue  # the reading is not (only) the result of a known-source check
        check = min(before, key=list(ctx.g.nodes).index)
        for v, edge in ctx.g.succ[u].items():
            op = c.op if edge.get("kind") == "branch" else _NEGATE.get(c.op)
            taken = _interval(ctx, c, op) if op else None
            expected = [_interval(ctx, e.condition, e.condition.op)
                        for n in before for e in ctx.step(n).expects
                        if isinstance(e.condition, ast.Compare)
                        and e.condition.ref.text == c.ref.text]
            if taken and expected and all(x and _disjoint(taken, x) for x in expected):
                out.append((u, v, check))
    return out
