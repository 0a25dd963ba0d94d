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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .digraph import DiGraph

#: Edge kinds followed by path analyses.  `resume` edges are left out: returning from a
#: handler to the step it interrupted never lowers what has been done on the way there.
FLOW_EDGES = frozenset({"next", "branch", "else", "option", "fork", "join", "goto", "alarm"})


def _adjacency(g: DiGraph, reverse: bool = False) -> dict:
    """The graph's own successor (or predecessor) dicts: ``{node: {neighbour: edge data}}``.

    Read-only.  ``g`` may be a networkx graph too, which stores the same dicts (its
    ``g.succ``/``g.pred`` wrap them in views whose per-access cost dominates a traversal).
    """
    return g._pred if reverse else g._succ


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
    g: DiGraph,
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
    succ = _adjacency(g, reverse)
    preds_of = _adjacency(g, not reverse)
    nodes = g._node
    # All branches of a `parallel` block run: where they meet, what was done is what the
    # furthest branch did (a max); everywhere else paths are alternatives (a min).
    meet_all = "fork" if reverse else "join"

    def advance(k: int, node) -> int:
        cls = classes(node)
        while k < n_phases and phases[k] in cls:
            k += 1
        return k

    # Nodes the analysis reaches, in breadth-first order; all start at the top value
    # (everything done) and only ever go down, so the iteration ends.
    order = [start]
    seen = {start}
    for node in order:
        for nxt, data in succ[node].items():
            if nxt not in seen and data.get("kind") in edge_kinds:
                seen.add(nxt)
                order.append(nxt)
    top = n_phases
    entering = dict.fromkeys(order, top)  # phases done on the worst path into a node
    leaving = dict.fromkeys(order, top)  # ... and after the node's own actions
    entering[start] = 0
    leaving[start] = advance(0, start)
    pred: dict = {start: None}
    queue = deque(order[1:])
    queued = set(order[1:])
    while queue:
        node = queue.popleft()
        queued.discard(node)
        best, best_pred = None, None
        if nodes[node].get("kind") == meet_all:
            for p, data in preds_of[node].items():
                if p in leaving and data.get("kind") in edge_kinds:
                    out = leaving[p]
                    if best is None or out > best:
                        best, best_pred = out, p
        else:
            for p, data in preds_of[node].items():
                if p in leaving and data.get("kind") in edge_kinds:
                    out = leaving[p]
                    if best is None or out < best:
                        best, best_pred = out, p
        if best is None or (best >= entering[node] and node in pred):
            continue
        entering[node] = best
        leaving[node] = advance(best, node)
        pred[node] = best_pred
        for nxt, data in succ[node].items():
            if nxt not in queued and nxt != start and data.get("kind") in edge_kinds:
                queued.add(nxt)
                queue.append(nxt)
    state = {n: (entering[n], leaving[n]) for n in order}
    return PhaseResult(state, pred, phases)


class ManyPhaseResult:
    """What :func:`ordered_phases_many` found: the state entering each node, per analysis."""

    def __init__(self, state: dict, sequences: tuple[tuple[str, ...], ...], width: int) -> None:
        self.state = state
        self.sequences = sequences
        self.width = width

    def reached(self, node) -> bool:
        return node in self.state

    def done(self, index: int, node) -> int:
        """Phases of analysis ``index`` completed on the worst path reaching ``node``."""
        bits = self.state.get(node)
        if bits is None:
            return 0
        k, n = 0, len(self.sequences[index])
        while k < n and bits >> (k * self.width + index) & 1:
            k += 1
        return k

    def missing(self, index: int, node) -> str | None:
        """The first phase of analysis ``index`` not guaranteed at ``node`` (None when all are)."""
        k = self.done(index, node)
        seq = self.sequences[index]
        return None if k >= len(seq) else seq[k]


def ordered_phases_many(
    g: DiGraph,
    start,
    sequences: Iterable[Iterable[str]],
    classes_at: Callable[[object], Iterable[tuple[int, frozenset[str] | set[str]]]],
    *,
    reverse: bool = False,
    edge_kinds: frozenset[str] = FLOW_EDGES,
) -> ManyPhaseResult:
    """:func:`ordered_phases` for many phase sequences at once, in one traversal.

    ``classes_at(node)`` gives ``(index, classes)`` for the analyses whose classes are not
    empty at ``node`` (listing the others is allowed, only slower).  The state entering a
    node is the same, for every analysis, as :func:`ordered_phases` finds for it alone
    (each is the greatest solution of its own equations); the witnesses are not kept:
    ask :func:`ordered_phases` again for an analysis that needs one.

    The states of all analyses are packed in one integer: bit ``k * width + i`` is set when
    analysis ``i`` has done more than ``k`` phases, so that the minimum over the paths
    meeting at a node is a bitwise `and` of its predecessors' states (a `join` takes the
    maximum, an `or`).
    """
    seqs = tuple(tuple(s) for s in sequences)
    width = max(len(seqs), 1)
    top = 0
    for i, seq in enumerate(seqs):
        for k in range(len(seq)):
            top |= 1 << (k * width + i)
    succ = _adjacency(g, reverse)
    preds_of = _adjacency(g, not reverse)
    nodes = g._node
    meet_all = "fork" if reverse else "join"
    memo: dict = {}

    def advance(bits: int, node) -> int:
        changes = memo.get(node)
        if changes is None:
            changes = memo[node] = [(i, frozenset(c)) for i, c in classes_at(node) if c]
        for i, cls in changes:
            seq = seqs[i]
            n = len(seq)
            k = 0
            while k < n and bits >> (k * width + i) & 1:
                k += 1
            while k < n and seq[k] in cls:
                bits |= 1 << (k * width + i)
                k += 1
        return bits

    order = [start]
    seen = {start}
    for node in order:
        for nxt, data in succ[node].items():
            if nxt not in seen and data.get("kind") in edge_kinds:
                seen.add(nxt)
                order.append(nxt)
    entering = dict.fromkeys(order, top)
    leaving = dict.fromkeys(order, top)
    entering[start] = 0
    leaving[start] = advance(0, start)
    processed = {start}
    queue = deque(order[1:])
    queued = set(order[1:])
    while queue:
        node = queue.popleft()
        queued.discard(node)
        best = None
        if nodes[node].get("kind") == meet_all:
            for p, data in preds_of[node].items():
                if p in leaving and data.get("kind") in edge_kinds:
                    best = leaving[p] if best is None else best | leaving[p]
        else:
            for p, data in preds_of[node].items():
                if p in leaving and data.get("kind") in edge_kinds:
                    best = leaving[p] if best is None else best & leaving[p]
        # states only go down, so an unchanged meet is the only one not lower
        if best is None or (best == entering[node] and node in processed):
            continue
        entering[node] = best
        leaving[node] = advance(best, node)
        processed.add(node)
        for nxt, data in succ[node].items():
            if nxt not in queued and nxt != start and data.get("kind") in edge_kinds:
                queued.add(nxt)
                queue.append(nxt)
    return ManyPhaseResult(entering, seqs, width)


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


def reachable(g: DiGraph, start, *, reverse: bool = False,
              edge_kinds: frozenset[str] | None = None) -> set:
    """Nodes reachable from ``start`` (iterative), following only ``edge_kinds`` if given."""
    return reaching(g, (start,), reverse=not reverse, edge_kinds=edge_kinds)


def reaching(g: DiGraph, targets: Iterable, *, reverse: bool = False,
             edge_kinds: frozenset[str] | None = None) -> set:
    """Nodes from which at least one of ``targets`` can be reached (the targets included).

    One traversal for all the targets: ask ``n in reaching(g, works)`` instead of calling
    :func:`reachable` from every ``n``.  With ``reverse=True``: the nodes reachable from
    at least one of them.
    """
    back = _adjacency(g, not reverse)
    seen = set(targets)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt, data in back[node].items():
            if nxt in seen or (edge_kinds is not None and data.get("kind") not in edge_kinds):
                continue
            seen.add(nxt)
            stack.append(nxt)
    return seen


_NONE = object()


def reaches_another(g: DiGraph, members: Iterable, *,
                    edge_kinds: frozenset[str] | None = None) -> set:
    """The members from which a *different* member can be reached (by at least one edge).

    ``{n for n in members if reachable(g, n) & (members - {n})}`` in one traversal: every
    node learns (up to) two distinct members it can reach, so each node is visited at
    most twice.
    """
    members = set(members)
    if len(members) < 2:
        return set()  # no other member to reach
    back = _adjacency(g, reverse=True)
    succ = _adjacency(g)
    # the first and second distinct member each node is known to reach
    first: dict = {m: m for m in members}
    second: dict = {}
    queue = deque((m, m) for m in members)
    while queue:
        node, label = queue.popleft()
        for prev, data in back[node].items():
            if edge_kinds is not None and data.get("kind") not in edge_kinds:
                continue
            known = first.get(prev, _NONE)
            if known is _NONE:
                first[prev] = label
            elif known == label or prev in second:
                continue
            else:
                second[prev] = label
            queue.append((prev, label))
    out = set()
    for m in members:
        for nxt, data in succ[m].items():
            if edge_kinds is not None and data.get("kind") not in edge_kinds:
                continue
            if nxt in second or first.get(nxt, m) != m:
                out.add(m)
                break
    return out


def path_between(g: DiGraph, source, target, *, edge_kinds: frozenset[str] = FLOW_EDGES,
                 avoid: set | None = None) -> list | None:
    """A shortest path from ``source`` to ``target`` avoiding ``avoid`` (breadth first)."""
    avoid = avoid or set()
    succ = _adjacency(g)
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
        for nxt, data in succ[node].items():
            if data.get("kind") not in edge_kinds or nxt in prev or nxt in avoid:
                continue
            prev[nxt] = node
            queue.append(nxt)
    return None
