"""The step graph's own `DiGraph` behaves as networkx's, orders included, and the batched
phase analysis finds what the single one finds for each sequence."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from twinlang.graph.dataflow import ordered_phases, ordered_phases_many
from twinlang.graph.digraph import DiGraph, strongly_connected_components

_KINDS = ["next", "goto", "alarm", "resume", "fork", "join"]
_PHASES = ["a", "b", "c"]


@st.composite
def _edges(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.sampled_from(_KINDS)), max_size=36))
    return n, edges


def _both(n, edges):
    ours, theirs = DiGraph(), nx.DiGraph()
    for g in (ours, theirs):
        g.add_node(0, kind="start")
        for i in range(1, n):
            g.add_node(i, kind={3: "fork", 4: "join"}.get(i % 5, "step"))
        for u, v, kind in edges:
            g.add_edge(u, v, kind=kind)
    return ours, theirs


def _same(ours: DiGraph, theirs: nx.DiGraph) -> None:
    assert list(ours.nodes) == list(theirs.nodes)
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges(data=True)) == list(theirs.edges(data=True))
    assert list(ours.edges) == list(theirs.edges)
    for n in theirs:
        assert list(ours.succ[n]) == list(theirs.succ[n])
        assert list(ours.pred[n]) == list(theirs.pred[n])
        assert ours.in_degree(n) == theirs.in_degree(n)
        assert ours.out_degree(n) == theirs.out_degree(n)
        assert list(ours.out_edges(n, data=True)) == list(theirs.out_edges(n, data=True))
    assert ours.number_of_edges() == theirs.number_of_edges()
    assert len(ours) == len(theirs)


@settings(max_examples=150, deadline=None)
@given(_edges(), st.data())
def test_digraph_matches_networkx(ne, data):
    n, edges = ne
    ours, theirs = _both(n, edges)
    _same(ours, theirs)
    _same(ours.copy(), theirs.copy())  # a copy rebuilds the predecessor order
    converted = ours.to_networkx()
    assert list(converted.edges(data=True)) == list(theirs.edges(data=True))
    cut = data.draw(st.lists(st.sampled_from(edges), max_size=4)) if edges else []
    ours.remove_edges_from(cut)
    theirs.remove_edges_from(cut)
    _same(ours, theirs)
    gone = data.draw(st.integers(0, n - 1))
    ours.remove_node(gone)
    theirs.remove_node(gone)
    _same(ours, theirs)
    assert [sorted(c) for c in strongly_connected_components(ours)] == \
        [sorted(c) for c in nx.strongly_connected_components(theirs)]


def test_views_and_questions():
    g = DiGraph()
    g.add_edge("a", "b", kind="next")
    g.add_node("a", kind="start")
    assert g.nodes["a"] == {"kind": "start"} and g.nodes["b"] == {}
    assert g.edges["a", "b"] == {"kind": "next"} and ("a", "b") in g.edges
    assert ("b", "a") not in g.edges and g.has_edge("a", "b") and not g.has_edge("b", "a")
    assert "a" in g and "c" not in g and [] not in g
    assert list(g.nodes(data="kind")) == [("a", "start"), ("b", None)]
    assert list(g.successors("a")) == ["b"] and list(g.predecessors("b")) == ["a"]
    assert list(g.in_edges("b", data=True)) == [("a", "b", {"kind": "next"})]


@settings(max_examples=200, deadline=None)
@given(_edges(), st.lists(st.lists(st.sampled_from(_PHASES), max_size=3), min_size=1,
                          max_size=4),
       st.lists(st.sets(st.sampled_from(_PHASES)), min_size=12, max_size=12),
       st.booleans())
def test_many_sequences_at_once_match_one_at_a_time(ne, sequences, marks, reverse):
    n, edges = ne
    g, _ = _both(n, edges)
    # each sequence sees the node's marks shifted by its index, so the classes differ
    def classes(i):
        return lambda node: frozenset(marks[(node + i) % len(marks)]) if node else frozenset()

    many = ordered_phases_many(g, 0, sequences,
                               lambda node: [(i, classes(i)(node))
                                             for i in range(len(sequences))],
                               reverse=reverse)
    for i, seq in enumerate(sequences):
        one = ordered_phases(g, 0, seq, classes(i), reverse=reverse)
        for node in g:
            assert many.reached(node) == one.reached(node)
            if one.reached(node):
                assert many.missing(i, node) == one.missing(node), (i, node)
                assert many.done(i, node) == one.done(node)
