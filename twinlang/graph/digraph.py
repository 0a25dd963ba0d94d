"""A small directed graph with the part of networkx's `DiGraph` interface the step graph uses.

`twinlang check` builds one graph per procedure and walks it; importing networkx for that
cost about 0.1 s of every cold start (the package imports all of its algorithms).  This
class keeps the same storage as networkx (``_node``, ``_succ`` and ``_pred`` dicts, one
attribute dict shared by an edge's two ends) and the same semantics for what it offers,
down to the iteration orders, so that every analysis walks the graph exactly as it walked
a networkx graph.  :meth:`DiGraph.to_networkx` gives a real `networkx.DiGraph` to code that
needs networkx's algorithms; that is the only place networkx is imported.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping


class NodeView(Mapping):
    """``g.nodes``: iterate the node ids, ``g.nodes[n]`` is the attribute dict,
    ``g.nodes(data=True)`` the ``(node, attributes)`` pairs."""

    __slots__ = ("_nodes",)

    def __init__(self, nodes: dict) -> None:
        self._nodes = nodes

    def __getitem__(self, n) -> dict:
        return self._nodes[n]

    def __iter__(self) -> Iterator:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, n) -> bool:
        return n in self._nodes

    def __call__(self, data: bool | str = False, default=None):
        if data is False:
            return self
        if data is True:
            return iter(self._nodes.items())
        return ((n, d.get(data, default)) for n, d in self._nodes.items())

    def data(self, data: bool | str = True, default=None):
        return self(data=data, default=default)

    def __repr__(self) -> str:
        return f"NodeView({tuple(self._nodes)!r})"


class EdgeView:
    """``g.edges``: iterate ``(u, v)``; ``g.edges[u, v]`` is the attribute dict;
    ``g.edges(data=True)`` gives ``(u, v, attributes)``, in node order then insertion order."""

    __slots__ = ("_succ",)

    def __init__(self, succ: dict) -> None:
        self._succ = succ

    def __call__(self, nbunch=None, data: bool | str = False, default=None):
        if nbunch is None:
            sources: Iterable = self._succ
        elif nbunch in self._succ:
            sources = (nbunch,)
        else:
            sources = [n for n in nbunch if n in self._succ]
        return _edges(self._succ, sources, data, default)

    def __iter__(self) -> Iterator:
        for u, nbrs in self._succ.items():
            for v in nbrs:
                yield (u, v)

    def __len__(self) -> int:
        return sum(len(nbrs) for nbrs in self._succ.values())

    def __contains__(self, e) -> bool:
        try:
            u, v = e
        except (TypeError, ValueError):
            return False
        return u in self._succ and v in self._succ[u]

    def __getitem__(self, e) -> dict:
        u, v = e
        return self._succ[u][v]

    def data(self, data: bool | str = True, default=None, nbunch=None):
        return self(nbunch, data=data, default=default)


def _edges(succ: dict, sources: Iterable, data: bool | str, default) -> Iterator:
    for u in sources:
        for v, d in succ[u].items():
            if data is False:
                yield (u, v)
            elif data is True:
                yield (u, v, d)
            else:
                yield (u, v, d.get(data, default))


class DiGraph:
    """Directed graph, node and edge attributes in dicts (no parallel edges)."""

    def __init__(self) -> None:
        self.graph: dict = {}
        self._node: dict = {}
        self._succ: dict = {}
        self._pred: dict = {}
        self._adj = self._succ
        self._nodes_view = NodeView(self._node)
        self._edges_view = EdgeView(self._succ)

    # ------------------------------------------------------------ views

    @property
    def nodes(self) -> NodeView:
        return self._nodes_view

    @property
    def edges(self) -> EdgeView:
        return self._edges_view

    @property
    def succ(self) -> dict:
        """``succ[n]``: ``{successor: edge attributes}`` (read only, by convention)."""
        return self._succ

    adj = succ

    @property
    def pred(self) -> dict:
        """``pred[n]``: ``{predecessor: edge attributes}`` (read only, by convention)."""
        return self._pred

    # ------------------------------------------------------------ changes

    def add_node(self, n: Hashable, **attr) -> None:
        if n not in self._succ:
            if n is None:
                raise ValueError("None cannot be a node")
            self._succ[n] = {}
            self._pred[n] = {}
            self._node[n] = attr
        else:
            self._node[n].update(attr)

    def add_nodes_from(self, nodes: Iterable, **attr) -> None:
        for n in nodes:
            if isinstance(n, tuple) and len(n) == 2 and isinstance(n[1], dict):
                self.add_node(n[0], **{**attr, **n[1]})
            else:
                self.add_node(n, **attr)

    def add_edge(self, u: Hashable, v: Hashable, **attr) -> None:
        for n in (u, v):
            if n not in self._succ:
                if n is None:
                    raise ValueError("None cannot be a node")
                self._succ[n] = {}
                self._pred[n] = {}
                self._node[n] = {}
        datadict = self._succ[u].get(v, {})
        datadict.update(attr)
        self._succ[u][v] = datadict
        self._pred[v][u] = datadict

    def add_edges_from(self, edges: Iterable, **attr) -> None:
        for e in edges:
            u, v, *rest = e
            self.add_edge(u, v, **{**attr, **(rest[0] if rest else {})})

    def remove_node(self, n: Hashable) -> None:
        try:
            nbrs = self._succ[n]
        except KeyError:
            raise KeyError(f"the node {n!r} is not in the graph") from None
        del self._node[n]
        for u in nbrs:
            del self._pred[u][n]
        del self._succ[n]
        for u in self._pred[n]:
            del self._succ[u][n]
        del self._pred[n]

    def remove_edge(self, u: Hashable, v: Hashable) -> None:
        try:
            del self._succ[u][v]
            del self._pred[v][u]
        except KeyError:
            raise KeyError(f"the edge {u!r}-{v!r} is not in the graph") from None

    def remove_edges_from(self, edges: Iterable) -> None:
        for e in edges:
            u, v = e[:2]
            if u in self._succ and v in self._succ[u]:
                del self._succ[u][v]
                del self._pred[v][u]

    def copy(self) -> DiGraph:
        """An independent copy (attribute dicts copied), built in networkx's order."""
        out = DiGraph()
        out.graph.update(self.graph)
        for n, d in self._node.items():
            out.add_node(n, **d)
        for u, nbrs in self._succ.items():
            for v, d in nbrs.items():
                out.add_edge(u, v, **d)
        return out

    # ------------------------------------------------------------ questions

    def __contains__(self, n) -> bool:
        try:
            return n in self._node
        except TypeError:
            return False

    def __iter__(self) -> Iterator:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def has_node(self, n) -> bool:
        return n in self

    def has_edge(self, u, v) -> bool:
        return u in self._succ and v in self._succ[u]

    def successors(self, n) -> Iterator:
        return iter(self._succ[n])

    def predecessors(self, n) -> Iterator:
        return iter(self._pred[n])

    neighbors = successors

    def out_edges(self, nbunch=None, data: bool | str = False, default=None):
        return self.edges(nbunch, data=data, default=default)

    def in_edges(self, nbunch=None, data: bool | str = False, default=None):
        targets = self._pred if nbunch is None else (
            (nbunch,) if nbunch in self._pred else [n for n in nbunch if n in self._pred])
        for v in targets:
            for u, d in self._pred[v].items():
                if data is False:
                    yield (u, v)
                elif data is True:
                    yield (u, v, d)
                else:
                    yield (u, v, d.get(data, default))

    def out_degree(self, n=None):
        if n is None:
            return ((m, len(s)) for m, s in self._succ.items())
        return len(self._succ[n])

    def in_degree(self, n=None):
        if n is None:
            return ((m, len(p)) for m, p in self._pred.items())
        return len(self._pred[n])

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return sum(len(nbrs) for nbrs in self._succ.values())

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return False

    def to_networkx(self):
        """The same graph as a `networkx.DiGraph` (imports networkx; attribute dicts copied)."""
        import networkx as nx

        out = nx.DiGraph()
        out.graph.update(self.graph)
        for n, d in self._node.items():
            out.add_node(n, **d)
        for u, nbrs in self._succ.items():
            for v, d in nbrs.items():
                out.add_edge(u, v, **d)
        return out

    def __repr__(self) -> str:
        return f"<DiGraph with {len(self._node)} nodes and {self.number_of_edges()} edges>"


def strongly_connected_components(g) -> Iterator[set]:
    """The strongly connected components of ``g``, as sets of nodes.

    The iterative algorithm networkx uses (Tarjan's, with Nuutila's changes), walking
    nodes and successors in the graph's order, so the components come in the same order.
    """
    adj = g._succ
    preorder: dict = {}
    lowlink: dict = {}
    scc_found: set = set()
    scc_queue: list = []
    i = 0
    neighbors = {v: iter(adj[v]) for v in g}
    for source in g:
        if source in scc_found:
            continue
        queue = [source]
        while queue:
            v = queue[-1]
            if v not in preorder:
                i += 1
                preorder[v] = i
            done = True
            for w in neighbors[v]:
                if w not in preorder:
                    queue.append(w)
                    done = False
                    break
            if not done:
                continue
            lowlink[v] = preorder[v]
            for w in adj[v]:
                if w not in scc_found:
                    if preorder[w] > preorder[v]:
                        lowlink[v] = min(lowlink[v], lowlink[w])
                    else:
                        lowlink[v] = min(lowlink[v], preorder[w])
            queue.pop()
            if lowlink[v] == preorder[v]:
                scc = {v}
                while scc_queue and preorder[scc_queue[-1]] > preorder[v]:
                    scc.add(scc_queue.pop())
                scc_found.update(scc)
                yield scc
            else:
                scc_queue.append(v)
