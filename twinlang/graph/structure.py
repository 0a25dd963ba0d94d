"""Structural rules: reachability, dead ends, unbounded loops, jumps across `parallel`."""

from __future__ import annotations

from ..diagnostics import Label, make
from . import codes
from .dataflow import FLOW_EDGES, path_between, reachable
from .digraph import DiGraph, strongly_connected_components
from .model import ABORT, END, START, StepGraph


def check_structure(sg: StepGraph) -> list:
    g = sg.graph
    diags = []
    seen = reachable(g, START, edge_kinds=FLOW_EDGES | {"resume"})
    for n in sg.steps():
        if n not in seen and "/" not in n:
            diags.append(make(
                codes.UNREACHABLE_STEP,
                f"step `{g.nodes[n]['name']}` can never be reached",
                sg.span(n),
                help="check the `goto` or branch before it; remove the step if it is not "
                "needed",
            ))
    # An alarm is not a way out: a loop that only ends if an alarm happens to fire is a trap.
    exits = (FLOW_EDGES - {"alarm"}) | {"resume"}
    can_end = reachable(g, END, reverse=True, edge_kinds=exits) | \
        reachable(g, ABORT, reverse=True, edge_kinds=exits)
    open_handlers: set = set()
    for n, data in g.nodes(data=True):
        if data.get("no_exit"):
            open_handlers |= reachable(g, n, edge_kinds=FLOW_EDGES - {"alarm"})
    diags.extend(_loops(sg, seen, can_end, open_handlers))
    diags.extend(_gotos_across_parallel(sg))
    return diags


def _loops(sg: StepGraph, seen: set, can_end: set, open_handlers: set) -> list:
    """Cycles: a trap with no way out is a dead end; a loop with a way out but no bound
    is an unbounded loop.  Bounded gotos and alarm/resume edges do not make loops."""
    g = sg.graph
    sub = DiGraph()
    sub.add_nodes_from(g.nodes)
    for u, v, data in g.edges(data=True):
        kind = data.get("kind")
        if kind in ("alarm", "resume"):
            continue  # a handler returning to the step it interrupted is not a loop
        if kind == "goto" and data.get("bound"):
            continue  # a bounded retry
        sub.add_edge(u, v)
    order = {n: i for i, n in enumerate(g.nodes)}
    diags = []
    trapped_steps: set = set()
    for comp in strongly_connected_components(sub):
        if len(comp) == 1:
            (n,) = comp
            if not sub.has_edge(n, n):
                continue
        if not comp & seen or comp & open_handlers:
            continue
        steps = sorted((n for n in comp if g.nodes[n]["kind"] == "step"), key=order.__getitem__)
        anchor = steps[0] if steps else min(comp, key=order.__getitem__)
        names = [g.nodes[n]["label"] for n in steps]
        gotos = sorted((n for n in comp if g.nodes[n]["kind"] == "goto"), key=order.__getitem__)
        labels = [Label(span=g.nodes[x]["span"], message="this jump closes the loop")
                  for x in gotos[:1]]
        path = path_between(g, START, anchor)
        notes = [f"path: {sg.path_text(path)}"] if path else []
        notes.append(f"loop: {' → '.join(names)} → {names[0]}" if names else "loop")
        if not comp & can_end:
            trapped_steps |= set(steps)
            diags.append(make(
                codes.DEAD_END,
                f"once at step `{g.nodes[anchor]['name']}` the procedure can never reach its end",
                sg.span(anchor), labels=labels, notes=notes,
                help="give the loop a way out: bound the jump (`goto STEP up to 3 times`) or "
                'add a branch that continues or ends with `abort "reason"`',
            ))
        else:
            diags.append(make(
                codes.UNBOUNDED_LOOP,
                f"steps {_names(names)} can repeat without a bound",
                sg.span(anchor), labels=labels, notes=notes,
                help="bound the retry: `goto STEP up to 3 times`",
            ))
    return diags


def _gotos_across_parallel(sg: StepGraph) -> list:
    g = sg.graph
    diags = []
    for _n, data in g.nodes(data=True):
        if data["kind"] != "goto":
            continue
        target = data["target"]
        src_region = data.get("region", ())
        dst_region = g.nodes[target].get("region", ())
        if dst_region[: len(src_region)] != src_region:
            what = "into a branch of a `parallel` block"
        elif src_region[: len(dst_region)] != dst_region:
            what = "out of a branch of a `parallel` block"
        else:
            continue
        diags.append(make(
            codes.GOTO_ACROSS_PARALLEL,
            f"`goto {g.nodes[target]['name']}` jumps {what}",
            data["span"],
            labels=[Label(span=sg.span(target), message="the target step")],
            help="jump to a step outside the `parallel` block, or move the steps so that "
            "the jump stays inside one branch",
        ))
    return diags


def _names(names: list[str]) -> str:
    shown = names[:5]
    text = ", ".join(f"`{n}`" for n in shown)
    return text + (f" and {len(names) - 5} more" if len(names) > 5 else "")
