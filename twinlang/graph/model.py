"""The step graph of one procedure: a `DiGraph` with typed node and edge data.

Node kinds: ``start``, ``end`` and ``abort`` (the safe terminals), ``step``, ``decision``
(an `if` or a `choose`), ``fork`` and ``join`` (a `parallel` block), ``alarm`` (the entry
of an alarm handler) and ``resume`` (a handler's return to the step it interrupted).

Edge kinds: ``next`` (sequence), ``branch``/``else``/``option`` (out of a decision),
``fork``/``join``, ``alarm`` (a step to a handler that may interrupt it), ``goto`` (with an
optional ``bound``: a retry loop taken at most that many times) and ``resume``.

Every step node keeps its AST (``ast``) and the effective roles; the graph keeps the
procedure's energy sources, hazards, permits and roles.  Node ids are deterministic:
the step name, prefixed by the call site for steps of a called sub-procedure
(``release#1/clear``), and ``kind#N`` for the structural nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ast
from ..diagnostics import Span
from .digraph import DiGraph

START = "start"
END = "end"
ABORT = "abort"
TERMINALS = (END, ABORT)


@dataclass
class StepGraph:
    procedure: ast.Procedure
    graph: DiGraph = field(default_factory=DiGraph)
    #: the module the procedure was declared in (a `ModuleInfo`)
    module: object = None
    #: energy sources, hazards, permits, roles of the procedure (copied for exports)
    energy: list[tuple[str, str]] = field(default_factory=list)
    hazards: list[tuple[str, str | None]] = field(default_factory=list)
    permits: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    #: problems found while building (unbounded expansion, recursive calls, ...)
    notes: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.procedure.name.name

    def steps(self) -> list[str]:
        """Step node ids in build (source) order."""
        return [n for n, d in self.graph.nodes(data=True) if d["kind"] == "step"]

    def node(self, node_id: str) -> dict:
        return self.graph.nodes[node_id]

    def step_ast(self, node_id: str) -> ast.Step | None:
        return self.graph.nodes[node_id].get("ast")

    def span(self, node_id: str) -> Span:
        data = self.graph.nodes[node_id]
        return data.get("span") or self.procedure.name.span

    def label(self, node_id: str) -> str:
        return self.graph.nodes[node_id].get("label", node_id)

    def path_text(self, path: list[str]) -> str:
        """`start → notify → stop → work` for a path of node ids (structural nodes elided)."""
        shown = [self.label(n) for n in path
                 if self.graph.nodes[n]["kind"] in ("start", "step", "end", "abort")]
        if len(shown) > 24:
            shown = [*shown[:10], f"... {len(shown) - 20} more ...", *shown[-10:]]
        return " → ".join(shown)
