"""What the step graph of a procedure says a correct run looks like.

- `must`: the steps every successful path from `start` to `end` goes through.  Where
  the graph branches (`if`, `choose`, a bounded retry) only the steps common to every
  branch are on it; where it forks (`parallel`) every branch is.  Alarm handlers are
  not on it: a handler's steps become required when its alarm fires and the handler
  is entered.  Paths that end in `abort` do not count as successful paths.
- `preceding`: for each step, the steps that come immediately before it (through
  decisions, forks and joins, never through alarm, goto or resume edges).  These pairs
  are the order constraints of the procedure; steps of parallel branches have none
  between them, so any interleaving of the branches is a correct order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..bundle import model as m

ORDER_EDGES = frozenset({"next", "branch", "else", "option", "fork", "join"})
FLOW_EDGES = ORDER_EDGES | {"goto"}


@dataclass(frozen=True)
class ProcedureFacts:
    procedure: m.Procedure
    steps: dict[str, m.Node]
    order: tuple[str, ...]
    must: frozenset[str]
    preceding: dict[str, tuple[str, ...]]

    @property
    def constraints(self) -> list[tuple[str, str]]:
        return [(a, b) for b in self.order for a in self.preceding.get(b, ())]


def facts(procedure: m.Procedure) -> ProcedureFacts:
    nodes = {n.id: n for n in procedure.graph.nodes}
    out: dict[str, list[m.Edge]] = {n: [] for n in nodes}
    for e in procedure.graph.edges:
        if e.source in out and e.target in nodes:
            out[e.source].append(e)
    steps = {n.id: n for n in procedure.graph.nodes if n.kind == "step"}
    order = tuple(n.id for n in procedure.graph.nodes if n.kind == "step")
    return ProcedureFacts(procedure, steps, order, _must(nodes, out, steps),
                          _preceding(nodes, out, steps))


def _must(nodes: dict[str, m.Node], out: dict[str, list[m.Edge]],
          steps: dict[str, m.Node]) -> frozenset[str]:
    """Greatest fixpoint of must(n) = {n if step} ∪ combine(must(successors))."""
    top = frozenset(steps) | {"⊤"}
    must: dict[str, frozenset[str]] = {n: top for n in nodes}
    for n, node in nodes.items():
        if node.kind == "end":
            must[n] = frozenset()
    changed = True
    while changed:
        changed = False
        for n, node in nodes.items():
            if node.kind in ("end", "abort"):
                continue
            succ = [e for e in out[n] if e.kind in FLOW_EDGES]
            if not succ:
                new = top  # a dead end: no successful path through here
            elif node.kind == "fork":
                new = frozenset().union(*(must[e.target] for e in succ))
            else:
                new = frozenset.intersection(*(must[e.target] for e in succ))
            if node.kind == "step":
                new = new | {n}
            if new != must[n]:
                must[n] = new
                changed = True
    result = must.get(next((n for n, x in nodes.items() if x.kind == "start"), ""), top)
    if "⊤" in result:  # no successful path at all
        return frozenset()
    return frozenset(result)


def _preceding(nodes: dict[str, m.Node], out: dict[str, list[m.Edge]],
               steps: dict[str, m.Node]) -> dict[str, tuple[str, ...]]:
    before: dict[str, set[str]] = {s: set() for s in steps}
    for s in steps:
        seen: set[str] = set()
        stack = [e.target for e in out[s] if e.kind in ORDER_EDGES]
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            if x in steps:
                before[x].add(s)
                continue
            stack.extend(e.target for e in out[x] if e.kind in ORDER_EDGES)
    rank = {s: i for i, s in enumerate(steps)}
    return {s: tuple(sorted(p, key=rank.__getitem__)) for s, p in before.items() if p}
