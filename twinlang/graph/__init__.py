"""Stage 3: the step graph of each procedure, and its verification.

`verify_program` builds a :class:`StepGraph` for every procedure of the files being
checked, runs the structural rules and every registered rule pack, and adds what they
find to the sink.
"""

from __future__ import annotations

from ..diagnostics import DiagnosticSink
from .build import build_graph
from .model import StepGraph


def procedure_graphs(program, sink: DiagnosticSink) -> list[StepGraph]:
    """A step graph for every procedure declared in the program's root modules."""
    from .. import ast

    graphs = []
    for mod in program.roots:
        if mod.ast is None:
            continue
        for item in mod.ast.items:
            if isinstance(item, ast.Procedure):
                graphs.append(build_graph(item, mod, sink))
    return graphs


def verify_graph(sg: StepGraph, sink: DiagnosticSink) -> None:
    from .rules import RuleContext, load_packs
    from .structure import check_structure

    sink.extend(check_structure(sg))
    ctx = RuleContext(sg)
    for rule in load_packs():
        sink.extend(rule.check(ctx))


def verify_program(program, sink: DiagnosticSink) -> list[StepGraph]:
    graphs = procedure_graphs(program, sink)
    for sg in graphs:
        verify_graph(sg, sink)
    return graphs


__all__ = ["StepGraph", "build_graph", "procedure_graphs", "verify_graph", "verify_program"]
