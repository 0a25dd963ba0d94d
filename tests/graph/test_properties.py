"""Properties of every step graph, on random procedures.

Hypothesis writes procedures as source text (steps, nested `if`/`choose`/`parallel`, alarm
handlers, `goto` with and without a bound, `abort`, calls of a helper and of the procedure
itself) and checks what must hold for any of them once built.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinlang import ast
from twinlang.diagnostics import DiagnosticSink
from twinlang.graph import export
from twinlang.graph.build import build_graph
from twinlang.graph.dataflow import reachable
from twinlang.graph.model import ABORT, END, START
from twinlang.graph.structure import check_structure
from twinlang.semantics import check_program

HEADER = """\
scenario "Random" {
  id random
  risk low
}
role operator "Operator"

procedure helper "Helper" {
  performed_by operator
  step h1: record "h1"
  step h2: record "h2"
}
"""

# ------------------------------------------------------------------ a random procedure
# A tree of tuples; step names are given in order when the tree is written out, and jump
# targets are indices into the list of steps, resolved then.

_jump = st.one_of(
    st.tuples(st.just("goto"), st.integers(0, 10_000), st.one_of(st.none(), st.integers(1, 4))),
    st.tuples(st.just("abort")),
)


_leaf = st.one_of(
    st.tuples(st.just("step")),
    st.tuples(st.just("call"), st.sampled_from(["helper", "helper", "p"])),
    _jump,
)


def _items(children):
    return st.one_of(
        st.tuples(st.just("step")),
        st.tuples(st.just("if"), children, st.one_of(st.none(), children)),
        st.tuples(st.just("choose"), st.lists(children, min_size=1, max_size=3)),
        st.tuples(st.just("parallel"), st.lists(children, min_size=2, max_size=3)),
        st.tuples(st.just("alarm"), st.booleans(), children,
                  st.sampled_from(["resume", "abort", "goto", "none"]),
                  st.integers(0, 10_000)),
        _leaf,
    )


def _body(max_leaves: int):
    return st.recursive(
        st.lists(_leaf, min_size=1, max_size=4),
        lambda children: st.lists(_items(children), min_size=1, max_size=4),
        max_leaves=max_leaves,
    )


@dataclass
class _Writer:
    n_steps: int
    lines: list[str]
    next_step: int = 0

    def target(self, k: int) -> str:
        return f"s{k % self.n_steps}"

    def step(self, indent: str) -> None:
        self.lines.append(f'{indent}step s{self.next_step}: record "{self.next_step}"')
        self.next_step += 1

    def body(self, items, indent: str, in_handler: bool = False) -> None:
        # every block starts with a step, so no block is empty and `s0` comes first
        self.step(indent)
        for item in items:
            self.item(item, indent, in_handler)

    def item(self, item, indent: str, in_handler: bool) -> None:
        kind = item[0]
        inner = indent + "  "
        if kind == "step":
            self.step(indent)
        elif kind == "if":
            self.lines.append(f"{indent}if s0 {{")
            self.body(item[1], inner, in_handler)
            if item[2] is not None:
                self.lines.append(f"{indent}}} else {{")
                self.body(item[2], inner, in_handler)
            self.lines.append(f"{indent}}}")
        elif kind == "choose":
            self.lines.append(f'{indent}choose "which" {{')
            for i, opt in enumerate(item[1]):
                self.lines.append(f'{inner}option "o{i}" {{')
                self.body(opt, inner + "  ", in_handler)
                self.lines.append(f"{inner}}}")
            self.lines.append(f"{indent}}}")
        elif kind == "parallel":
            self.lines.append(f"{indent}parallel {{")
            for i, branch in enumerate(item[1]):
                self.lines.append(f"{inner}branch b{i} {{")
                self.body(branch, inner + "  ", in_handler)
                self.lines.append(f"{inner}}}")
            self.lines.append(f"{indent}}}")
        elif kind == "alarm":
            _, with_during, body, ending, k = item
            during = f" during {self.target(k)}" if with_during else ""
            self.lines.append(f"{indent}on alarm s0{during} {{")
            self.body(body, inner, in_handler=True)
            if ending == "resume":
                self.lines.append(f"{inner}resume")
            elif ending == "abort":
                self.lines.append(f'{inner}abort "alarm"')
            elif ending == "goto":
                self.lines.append(f"{inner}goto {self.target(k)} up to 2 times")
            self.lines.append(f"{indent}}}")
        elif kind == "call":
            self.lines.append(f"{indent}call {item[1]}")
        elif kind == "goto":
            bound = f" up to {item[2]} times" if item[2] else ""
            self.lines.append(f"{indent}goto {self.target(item[1])}{bound}")
        elif kind == "abort":
            self.lines.append(f'{indent}abort "stop"')


def _count_steps(items) -> int:
    n = 1  # the step each block starts with
    for item in items:
        kind = item[0]
        if kind == "step":
            n += 1
        elif kind == "if":
            n += _count_steps(item[1]) + (_count_steps(item[2]) if item[2] is not None else 0)
        elif kind in ("choose", "parallel"):
            n += sum(_count_steps(b) for b in item[1])
        elif kind == "alarm":
            n += _count_steps(item[2])
    return n


def procedure_text(items) -> str:
    w = _Writer(_count_steps(items), [])
    w.body(items, "  ")
    return HEADER + '\nprocedure p "Random" {\n  performed_by operator\n' + \
        "\n".join(w.lines) + "\n}\n"


def build(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.twin"
        path.write_text(text, encoding="utf-8")
        sink = DiagnosticSink()
        program = check_program([path], sink, {}, displays=["random.twin"])
        module = program.roots[0]
        assert module.ast is not None, [d.message for d in sink]
        proc = next(i for i in module.ast.items
                    if isinstance(i, ast.Procedure) and i.name.name == "p")
        sg = build_graph(proc, module, sink)
        structural = check_structure(sg)
        return sg, list(sink), structural


# ------------------------------------------------------------------ the properties


def check_invariants(text: str) -> None:
    sg, diags, structural = build(text)
    g = sg.graph
    kinds = {n: d["kind"] for n, d in g.nodes(data=True)}

    # exactly one start, and nothing leads into it
    assert [n for n, k in kinds.items() if k == "start"] == [START]
    assert g.in_degree(START) == 0
    assert g.out_degree(START) == 1
    # the terminals are terminal
    assert kinds[END] == "end" and kinds[ABORT] == "abort"
    assert g.out_degree(END) == 0 and g.out_degree(ABORT) == 0

    # every step is reachable from the start or reported as unreachable
    seen = reachable(g, START)
    unreachable = {d.span.line for d in structural if d.code == "TW0501"}
    for n in sg.steps():
        if n not in seen and "/" not in n:
            assert sg.span(n).line in unreachable, f"step {n} unreachable and not reported"

    # gotos land on steps
    for u, v, data in g.edges(data=True):
        if data["kind"] == "goto":
            assert kinds[u] == "goto" and kinds[v] == "step"
            assert g.nodes[u]["target"] == v
            assert data.get("bound") == g.nodes[u]["bound"]

    # each fork has exactly one join, and the other way round
    forks = [n for n, k in kinds.items() if k == "fork"]
    joins = [n for n, k in kinds.items() if k == "join"]
    assert len(forks) == len(joins)
    assert sorted(g.nodes[f]["join"] for f in forks) == sorted(joins)
    for f in forks:
        assert g.nodes[g.nodes[f]["join"]]["fork"] == f
        out = [d["kind"] for *_, d in g.out_edges(f, data=True)]
        assert len(out) >= 2 and set(out) == {"fork"}

    # every edge has a known kind, every node a known kind
    assert {d["kind"] for *_, d in g.edges(data=True)} <= {
        "next", "branch", "else", "option", "fork", "join", "alarm", "goto", "resume"}
    assert set(kinds.values()) <= {"start", "end", "abort", "step", "if", "choose", "fork",
                                   "join", "alarm", "resume", "goto"}

    # nothing unexpected went wrong: only the codes the generator can provoke
    allowed = {"TW0501", "TW0502", "TW0503", "TW0504", "TW0505", "TW0506", "TW0209"}
    codes = {d.code for d in diags} | {d.code for d in structural}
    assert codes <= allowed | {c for c in codes if c >= "TW0600"}, codes

    # exports are deterministic, and so is building
    first = export.json_text(sg)
    assert export.to_json(sg) == export.to_json(sg)
    again, _, structural_again = build(text)
    assert export.json_text(again) == first
    assert export.to_dot(again) == export.to_dot(sg)
    assert export.to_mermaid(again) == export.to_mermaid(sg)
    assert [d.message for d in structural_again] == [d.message for d in structural]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body(max_leaves=12))
def test_graph_invariants(items):
    check_invariants(procedure_text(items))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body(max_leaves=60))
def test_graph_invariants_many(items):
    check_invariants(procedure_text(items))


def test_generator_covers_every_construct():
    items = [("if", [("step",)], [("goto", 3, None)]), ("choose", [[("step",)], [("abort",)]]),
             ("parallel", [[("step",)], [("call", "helper")]]),
             ("alarm", True, [("step",)], "resume", 1), ("call", "p"), ("goto", 2, 3)]
    text = procedure_text(items)
    for word in ("if s0 {", "} else {", "choose", "parallel", "on alarm s0 during",
                 "resume", "call helper", "call p", "up to 3 times", 'abort "stop"'):
        assert word in text
    _, diags, _ = build(text)
    assert "TW0506" in {d.code for d in diags}  # `call p` inside p
    check_invariants(text)


# ------------------------------------------------------------------ dataflow helpers

_KINDS = ["next", "goto", "alarm", "resume"]


@st.composite
def _graphs(draw):
    import networkx as nx

    n = draw(st.integers(1, 14))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, kind in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                              st.sampled_from(_KINDS)), max_size=40)):
        g.add_edge(u, v, kind=kind)
    members = draw(st.sets(st.integers(0, n - 1), max_size=n))
    return g, members


@settings(max_examples=150, deadline=None)
@given(_graphs(), st.sampled_from([None, frozenset({"next", "goto"})]))
def test_reaching_and_reaches_another_match_reachable(gm, kinds):
    from twinlang.graph.dataflow import reaches_another, reaching

    g, members = gm
    each = {n: reachable(g, n, edge_kinds=kinds) for n in g}
    assert reaching(g, members, edge_kinds=kinds) == {n for n in g if each[n] & members}
    assert reaching(g, members, reverse=True, edge_kinds=kinds) == \
        set().union(*(each[m] for m in members))
    # a path of at least one edge from m to another member
    expected = {m for m in members
                if any(each[s] & (members - {m}) for s, d in g.succ[m].items()
                       if kinds is None or d["kind"] in kinds)}
    assert reaches_another(g, members, edge_kinds=kinds) == expected
