"""Path properties over a step graph, computed iteratively.

The rule packs ask one question in many forms: *on every path from A to B, do these
things happen, in this order?* :func:`ordered_phases` answers it for all nodes at once
with a must-analysis: the state of a node is the number of phases completed on the worst
path reaching it (the minimum over its predecessors), so a node whose state is below the
number of phases has at least one path that skips or reorders something, and
:func:`witness` reconstructs such a path for the diagnostic note.

Work is O(edges x phases); no recursion, so graphs of any depth are safe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import networkx as nx

#: Edge kinds followed by path analyses.  `resume` edges are left out: returning from a
#: handler to the step it interrupted never lowers what has been done on the way there.
FLOW_EDGES = frozenset({"next", "branch", "else", "option", "fork", "join", "goto", "alarm"})


class PhaseResult:
    def __init__(self, state: dict, pred: dict, phases: tuple[str, ...]) -> None:
        self.state = state
        self.pred = pred
        self.phases = phases

    def done(self, node) -> int:
        """Phases completed on the worst path reaching ``node`` (0 if unreachable)."""
        return self.state.get(node, (0, 0))[0]

    def reached(self, node) -> bool:
        return node in self.state

    def missing(self, node) -> str | None:
        """The first phase not guaranteed at ``node`` (None when all are)."""
        k = self.done(node)
        return None if k >= len(self.phases) else self.phases[k]


def ordered_phases(
    g: nx.DiGraph,
    start,
    phases: Iterable[str],
    classes: Callable[[object], frozenset[str] | set[str]],
    *,
    reverse: bool = False,
    edge_kinds: frozenset[str] = FLOW_EDGES,
    entry_of: Callable[[object], bool] | None = None,
) -> PhaseResult:
    """For every node, how many of ``phases`` are done, in order, on every path from ``start``.

    ``classes(node)`` gives the phase names a node accomplishes; a node advances the state
    through consecutive phases it accomplishes (a step that opens and locks a disconnect
    does both).  The state *entering* a node is what is reported: a node is never credited
    with its own actions.  With ``reverse=True`` the analysis runs backwards (from ``start``
    against the edges), which asks what happens on every path from a node to ``start``.
    """
    phases = tuple(phases)
    n_phases = len(phases)
    succ = g.pred if reverse else g.succ
    preds_of = g.succ if reverse else g.pred
    # All branches of a `parallel` block run: where they meet, what was done is what the
    # furthest branch did (a max); everywhere else paths are alternatives (a min).
    meet_all = "fork" if reverse else "join"

    def advance(k: int, node) -> int:
        cls = classes(node)
        while k < n_phases and phases[k] in cls:
            k += 1
        return k

    def ok(data) -> bool:
        return data.get("kind") in edge_kinds

    # Nodes the analysis reaches, in breadth-first order; all start at the top value
    # (everything done) and only ever go down, so the iteration ends.
    order = [start]
    seen = {start}
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for nxt, data in succ[node].items():
            if ok(data) and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
    top = n_phases
    state: dict = {n: (top, top) for n in order}
    state[start] = (0, advance(0, start))
    pred: dict = {start: None}
    queue = deque(order[1:])
    queued = set(order[1:])
    while queue:
        node = queue.popleft()
        queued.discard(node)
        best, best_pred = None, None
        use_max = g.nodes[node].get("kind") == meet_all
        for p, data in preds_of[node].items():
            if p not in state or not ok(data):
                continue
            out = state[p][1]
            if best is None or (out > best if use_max else out < best):
                best, best_pred = out, p
        if best is None or (best >= state[node][0] and node in pred):
            continue
        state[node] = (best, advance(best, node))
        pred[node] = best_pred
        for nxt, data in succ[node].items():
            if ok(data) and nxt not in queued and nxt != start:
                queued.add(nxt)
                queue.append(nxt)
    return PhaseResult(state, pred, phases)


def witness(result: PhaseResult, node, limit: int = 10_000) -> list:
    """A path from the analysis start to ``node`` along which the state is lowest."""
    path = [node]
    seen = {node}
    cur = result.pred.get(node)
    while cur is not None and len(path) < limit:
        if cur in seen:
            break
        path.append(cur)
        seen.add(cur)
        cur = result.pred.get(cur)
    path.reverse()
    return path


def reachable(g: nx.DiGraph, start, *, reverse: bool = False,
              edge_kinds: frozenset[str] | None = None) -> set:
    """Nodes reachable from ``start`` (iterative), following only ``edge_kinds`` if given."""
    succ = g.pred if reverse else g.succ
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt, data in succ[node].items():
            if edge_kinds is not None and data.get("kind") not in edge_kinds:
                continue
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def path_between(g: nx.DiGraph, source, target, *, edge_kinds: frozenset[str] = FLOW_EDGES,
                 avoid: set | None = None) -> list | None:
    """A shortest path from ``source`` to ``target`` avoiding ``avoid`` (breadth first)."""
    avoid = avoid or set()
    prev = {source: None}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            path = []
            while node is not None:
                path.append(node)
                node = prev[node]
            return path[::-1]
        for nxt, data in g.succ[node].items():
            if data.get("kind") not in edge_kinds or nxt in prev or nxt in avoid:
                continue
            prev[nxt] = node
            queue.append(nxt)
    return None
