"""Exports of a step graph: JSON (networkx node-link), Graphviz DOT, Mermaid and SVG.

Every export is deterministic: the same procedure gives the same text, byte for byte
(nodes and edges in build order, JSON keys sorted when dumped).  Text from the scenario
(titles, prompts, messages) is data: each writer escapes it for its format, so a title
holding quotes, backslashes, newlines, `<script>` or `{|}` cannot break the output.
Conditions, expectations and actions are printed back in twinlang syntax.

`twinlang graph` uses :func:`graph_of_file`, :func:`render` and :func:`write_output`.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx

from .. import ast
from .model import StepGraph

FORMATS = ("json", "dot", "mermaid", "svg")

#: Labels in pictures are wrapped at this many characters per line.
WRAP = 40
#: `dot` gets this long to lay out a graph.
DOT_TIMEOUT = 300


class GraphError(Exception):
    """A graph cannot be exported as asked; ``help`` says what to do instead."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.help = help


class GraphvizMissing(GraphError):
    """`dot` (Graphviz) is not installed, so no SVG can be drawn."""


# ------------------------------------------------------------------ twinlang text


def quote(text: str) -> str:
    """A twinlang string literal for ``text``."""
    body = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t"))
    return f'"{body}"'


def value_text(value) -> str:
    if isinstance(value, ast.QuantityValue):
        return f"{value.text} {value.unit}" if value.unit else value.text
    if isinstance(value, ast.StringValue):
        return quote(value.value)
    if isinstance(value, ast.BoolValue):
        return "true" if value.value else "false"
    if isinstance(value, ast.NameValue):
        return value.name
    return str(value)


def condition_text(cond) -> str:
    """A condition in twinlang syntax, with the parentheses its structure needs."""
    if isinstance(cond, ast.Compare):
        return f"{cond.ref.text} {cond.op} {value_text(cond.value)}"
    if isinstance(cond, ast.Between):
        return f"{cond.ref.text} between {value_text(cond.low)} and {value_text(cond.high)}"
    if isinstance(cond, ast.IsState):
        return f"{cond.ref.text} is {cond.state.name}"
    if isinstance(cond, ast.RefCondition):
        return cond.ref.text
    if isinstance(cond, ast.Not):
        inner = condition_text(cond.operand)
        return f"not ({inner})" if isinstance(cond.operand, ast.And | ast.Or) else f"not {inner}"
    if isinstance(cond, ast.And | ast.Or):
        # `and` binds tighter than `or`; both group to the left.
        op, looser = ("and", ast.Or | ast.And) if isinstance(cond, ast.And) else ("or", ast.Or)
        left = condition_text(cond.left)
        if isinstance(cond, ast.And) and isinstance(cond.left, ast.Or):
            left = f"({left})"
        right = condition_text(cond.right)
        if isinstance(cond.right, looser):
            right = f"({right})"
        return f"{left} {op} {right}"
    return str(cond)


def _refs(refs) -> str:
    return ", ".join(r.text for r in refs)


def action_text(action: ast.Action) -> str:
    """One action in twinlang syntax (`apply lock to DS-12`, `notify operator "..."`)."""
    a = action
    text = f" {quote(a.text)}" if a.text is not None else ""
    op = a.op
    if op in ("notify", "communicate"):
        return f"{op} {a.role.name if a.role else '?'}{text}"
    if op == "work":
        return f"work{text}" + (f" for {value_text(a.duration)}" if a.duration else "")
    if op == "wait":
        return f"wait {value_text(a.duration)}"
    if op == "wait_until":
        cond = condition_text(a.condition)
        if isinstance(a.condition, ast.And | ast.Or):
            cond = f"({cond})"
        return f"wait until {cond}" + (f" within {value_text(a.within)}" if a.within else "")
    if op == "record":
        return f"record {_refs(a.targets)}" if a.targets else f"record{text}"
    if op in ("apply", "remove"):
        prep = "to" if op == "apply" else "from"
        return f"{op} {a.device.name if a.device else '?'} {prep} {_refs(a.targets)}"
    if op in ("permit_issue", "permit_sign", "permit_revoke"):
        verb = op.split("_", 1)[1]
        return f"{verb} permit {a.permit.name if a.permit else '?'}"
    if op == "hold":
        return f"hold for {a.role.name if a.role else '?'}{text}"
    if op == "account":
        return "account for " + ", ".join(r.name for r in a.roles)
    if op == "clear_area":
        return f"clear area{text}"
    # a generic action a kind accepts: `open DS-12`, `connect G-1 to TK-7`, `position SS-12 at off`
    out = f"{a.verb.name if a.verb else op} {_refs(a.targets)}".rstrip()
    if a.to:
        out += f" {a.preposition} {_refs(a.to)}"
    if a.at is not None:
        out += f" at {value_text(a.at)}"
    return out


def expect_text(expect: ast.Expect) -> str:
    text = condition_text(expect.condition)
    return text + (f" within {value_text(expect.within)}" if expect.within else "")


# ------------------------------------------------------------------ JSON


def _span_text(span) -> str:
    return f"{span.file}:{span.line}"


def _json_value(key: str, value):
    """A JSON-safe form of a node or edge attribute; ``_SKIP`` to leave it out."""
    if key in ("ast", "region"):  # the AST is summarised; regions hold object ids
        return _SKIP
    if key == "span":
        return _span_text(value) if value is not None else None
    if key == "condition":
        return condition_text(value) if value is not None else None
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return list(value)
    return _SKIP


_SKIP = object()


def _node_json(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        v = _json_value(key, value)
        if v is not _SKIP:
            out[key] = v
    step = data.get("ast")
    if isinstance(step, ast.Step):
        out["actions"] = [action_text(a) for a in step.actions]
        out["expectations"] = [expect_text(e) for e in step.expects]
        out["requires"] = [condition_text(c) for c in step.requires]
    return out


def to_json(sg: StepGraph) -> dict:
    """The graph as networkx node-link data, every value JSON-safe.

    Step nodes carry their actions, expectations and `requires` as twinlang text and their
    place as ``file:line``; ``branch`` and ``else`` edges both carry the `if` condition
    (``else`` is taken when it is false).  ``nx.node_link_graph(data, edges="edges")``
    rebuilds the graph.
    """
    g = sg.graph
    out = nx.DiGraph()
    proc = sg.procedure
    out.graph.update({
        "format": "twinlang-step-graph",
        "format_version": 1,
        "procedure": sg.name,
        "title": proc.title,
        "file": proc.span.file,
        "energy": [{"energy": e, "source": s} for e, s in sg.energy],
        "hazards": [{"name": n, "class": c} for n, c in sg.hazards],
        "permits": list(sg.permits),
        "roles": list(sg.roles),
    })
    for n, data in g.nodes(data=True):
        out.add_node(n, **_node_json(data))
    for u, v, data in g.edges(data=True):
        out.add_edge(u, v, **_node_json(data))
    return nx.node_link_data(out, edges="edges")


def json_text(sg: StepGraph) -> str:
    return json.dumps(to_json(sg), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ shared picture labels


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, WRAP, break_on_hyphens=False) or [""])
    return lines


def _node_lines(sg: StepGraph, n: str, data: dict) -> list[str]:
    """The lines of text shown in a node's box (unescaped)."""
    kind = data["kind"]
    if kind == "step":
        lines = [data.get("label", n)]
        if data.get("title"):
            lines += _wrap(data["title"])
        return lines
    if kind == "if":
        return _wrap("if " + condition_text(data["condition"]))
    if kind == "choose":
        return _wrap(data.get("prompt") or "choose")
    if kind == "alarm":
        return _wrap("on alarm " + condition_text(data["condition"]))
    if kind in ("fork", "join"):
        return []
    return _wrap(data.get("label", n))


def _edge_text(data: dict) -> str:
    kind = data.get("kind")
    if kind == "branch":
        return "then"
    if kind == "else":
        return "else"
    if kind == "option":
        return data.get("option") or ""
    if kind == "fork":
        return data.get("branch") or ""
    if kind == "goto":
        bound = data.get("bound")
        return f"up to {bound} times" if bound else "goto"
    if data.get("exhausted"):
        return "retries used up"
    return ""


def _step_tooltip(data: dict) -> str:
    step = data.get("ast")
    if not isinstance(step, ast.Step):
        return ""
    lines = [action_text(a) for a in step.actions]
    lines += ["expect " + expect_text(e) for e in step.expects]
    lines += ["requires " + condition_text(c) for c in step.requires]
    who = [f"performed_by {data['performer']}"] if data.get("performer") else []
    if data.get("verifier"):
        who.append(f"verified_by {data['verifier']}")
    if data.get("critical"):
        who.append("critical")
    return "\n".join(lines + who)


# ------------------------------------------------------------------ DOT

_DOT_ESCAPES = str.maketrans({
    "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\n", "\t": " ",
    # Only record shapes give these a meaning; escaped, they print as themselves in
    # every shape, so a label stays correct whatever shape a later change picks.
    "<": "\\<", ">": "\\>", "{": "\\{", "}": "\\}", "|": "\\|",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def dot_string(text: str) -> str:
    """A double-quoted DOT string whose label text prints as ``text``."""
    return '"' + _CONTROL.sub(" ", text).translate(_DOT_ESCAPES) + '"'


def _dot_id(node_id: str) -> str:
    return '"' + node_id.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_NODE_STYLE = {
    "start": 'shape=circle, style=filled, fillcolor="#dff0d8"',
    "end": 'shape=doublecircle, style=filled, fillcolor="#dff0d8"',
    "abort": 'shape=octagon, style=filled, fillcolor="#f2dede", color="#a94442"',
    "step": 'shape=box, style="rounded"',
    "if": 'shape=diamond',
    "choose": 'shape=diamond, style=filled, fillcolor="#eef3fb"',
    "fork": 'shape=box, style=filled, fillcolor=black, height=0.08, width=1.2',
    "join": 'shape=box, style=filled, fillcolor=black, height=0.08, width=1.2',
    "alarm": 'shape=hexagon, style=filled, fillcolor="#fcf8e3", color="#8a6d3b"',
    "resume": 'shape=cds, fontsize=10',
    "goto": 'shape=cds, fontsize=10',
}
_DOT_EDGE_STYLE = {
    "fork": "penwidth=2",
    "join": "penwidth=2",
    "alarm": 'style=dashed, color="#8a6d3b", arrowhead=vee',
    "resume": 'style=dashed, color=gray40',
    "goto": 'style=dotted, color="#31708f"',
}


def to_dot(sg: StepGraph) -> str:
    """The graph in Graphviz DOT, written by hand so that every string is escaped."""
    g = sg.graph
    title = f"procedure {sg.name}" + (f": {sg.procedure.title}" if sg.procedure.title else "")
    out = [
        f"digraph {_dot_id(sg.name)} {{",
        f"  graph [label={dot_string(title)}, labelloc=t, fontname=Helvetica];",
        '  node [fontname=Helvetica, fontsize=11];',
        '  edge [fontname=Helvetica, fontsize=9];',
    ]
    for n, data in g.nodes(data=True):
        kind = data["kind"]
        attrs = [f"label={dot_string(chr(10).join(_node_lines(sg, n, data)))}",
                 _DOT_NODE_STYLE.get(kind, "shape=box")]
        if kind == "step":
            tip = _step_tooltip(data)
            if tip:
                attrs.append(f"tooltip={dot_string(tip)}")
            if data.get("critical"):
                attrs.append('penwidth=2.5, color="#a94442"')
        out.append(f"  {_dot_id(n)} [{', '.join(attrs)}];")
    for u, v, data in g.edges(data=True):
        attrs = []
        text = _edge_text(data)
        if text:
            attrs.append(f"label={dot_string(text)}")
        style = _DOT_EDGE_STYLE.get(data.get("kind"))
        if style:
            attrs.append(style)
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {_dot_id(u)} -> {_dot_id(v)}{tail};")
    out.append("}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ Mermaid

_MERMAID_ENTITIES = {
    "#": "#35;", '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;",
    "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "(": "#40;", ")": "#41;",
    "|": "#124;",
}
_MERMAID_SPECIAL = re.compile("[" + re.escape("".join(_MERMAID_ENTITIES)) + "]")


def mermaid_string(lines: list[str]) -> str:
    """A double-quoted Mermaid label: entity codes for what Mermaid would read, `<br/>`
    between lines."""
    def one(line: str) -> str:
        line = _CONTROL.sub(" ", line).replace("\t", " ").replace("\r", " ")
        return _MERMAID_SPECIAL.sub(lambda m: _MERMAID_ENTITIES[m.group()], line)

    return '"' + "<br/>".join(one(x) for x in lines) + '"'


def mermaid_ids(g: nx.DiGraph) -> dict[str, str]:
    """Safe Mermaid ids for the nodes: letters, digits and `_`, in node order.

    Every id starts with ``n_`` so none is a Mermaid keyword (`end`) or starts an edge
    shape (`o`, `x`); names that clash once cleaned get ``_2``, ``_3`` ...
    """
    ids: dict[str, str] = {}
    used: set[str] = set()
    for n in g.nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", str(n))
        cand, k = base, 1
        while cand in used:
            k += 1
            cand = f"{base}_{k}"
        used.add(cand)
        ids[n] = cand
    return ids


_MERMAID_SHAPE = {
    "start": ("([", "])"), "end": ("((", "))"), "abort": ("{{", "}}"), "step": ("[", "]"),
    "if": ("{", "}"), "choose": ("{", "}"), "fork": ("[", "]"), "join": ("[", "]"),
    "alarm": (">", "]"), "resume": ("([", "])"), "goto": ("([", "])"),
}
_MERMAID_ARROW = {"alarm": "-.->", "resume": "-.->", "goto": "-.->", "fork": "==>",
                  "join": "==>"}


def to_mermaid(sg: StepGraph) -> str:
    """The graph as a Mermaid flowchart (top to bottom)."""
    g = sg.graph
    ids = mermaid_ids(g)
    out = ["flowchart TD"]
    critical = []
    for n, data in g.nodes(data=True):
        kind = data["kind"]
        lines = _node_lines(sg, n, data) or [kind]
        left, right = _MERMAID_SHAPE.get(kind, ("[", "]"))
        out.append(f"  {ids[n]}{left}{mermaid_string(lines)}{right}")
        if kind == "step" and data.get("critical"):
            critical.append(ids[n])
    for u, v, data in g.edges(data=True):
        arrow = _MERMAID_ARROW.get(data.get("kind"), "-->")
        text = _edge_text(data)
        label = f"|{mermaid_string(_wrap(text))}|" if text else ""
        out.append(f"  {ids[u]} {arrow}{label} {ids[v]}")
    out.append("  classDef critical stroke:#a94442,stroke-width:3px")
    if critical:
        out.append(f"  class {','.join(critical)} critical")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ SVG


def to_svg(sg: StepGraph) -> bytes:
    """The graph drawn by Graphviz `dot` as SVG; :class:`GraphvizMissing` without it."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(
            "drawing SVG needs Graphviz, and its `dot` command is not installed",
            help="install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: "
            "`brew install graphviz`), or export `--format dot` and draw it elsewhere")
    try:
        proc = subprocess.run([dot, "-Tsvg"], input=to_dot(sg).encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise GraphError(f"Graphviz took more than {DOT_TIMEOUT} s to draw the graph",
                         help="export `--format dot` or `--format json` instead") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphError("Graphviz `dot` failed" + (f": {reason[-1]}" if reason else ""))
    return proc.stdout


# ------------------------------------------------------------------ the `graph` command


def render(sg: StepGraph, fmt: str) -> str | bytes:
    """The export of ``sg`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json_text(sg)
    if fmt == "dot":
        return to_dot(sg)
    if fmt == "mermaid":
        return to_mermaid(sg)
    if fmt == "svg":
        return to_svg(sg)
    raise GraphError(f"unknown graph format `{fmt}`", help="use one of " + ", ".join(FORMATS))


def select_procedure(procedures: list[ast.Procedure], name: str | None,
                     file: str) -> ast.Procedure:
    """The procedure called ``name`` (or the only one); :class:`GraphError` otherwise."""
    names = [p.name.name for p in procedures]
    listed = ", ".join(f"`{n}`" for n in names)
    if not procedures:
        raise GraphError(f"`{file}` declares no procedure",
                         help="a step graph is drawn for a `procedure` block")
    if name is None:
        if len(procedures) == 1:
            return procedures[0]
        raise GraphError(f"`{file}` declares {len(procedures)} procedures: {listed}",
                         help="choose one with `--procedure NAME`")
    for p in procedures:
        if p.name.name == name:
            return p
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"the procedures are {listed}"
    raise GraphError(f"`{file}` has no procedure `{name}`", help=hint)


def graph_of_file(path: Path, name: str | None):
    """Check ``path``; with no errors, build the step graph of procedure ``name``.

    Returns ``(report, graph)``; ``graph`` is None when the check found errors.
    Raises :class:`GraphError` when no procedure can be chosen.
    """
    from ..api import check_files, display_name
    from ..diagnostics import DiagnosticSink
    from ..semantics import check_program
    from .build import build_graph

    report = check_files([path])
    if report.has_errors:
        return report, None
    sink = DiagnosticSink()
    program = check_program([path], sink, {})
    module = program.roots[0]
    items = module.ast.items if module.ast is not None else ()
    procs = [i for i in items if isinstance(i, ast.Procedure)]
    proc = select_procedure(procs, name, display_name(path))
    return report, build_graph(proc, module, DiagnosticSink())


def write_output(data: str | bytes, path: str | None) -> None:
    """Write an export (text as UTF-8) to the file ``path``, or to standard output."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path is not None:
        Path(path).write_bytes(raw)
        return
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    view = memoryview(raw)
    while view:
        written = buffer.write(view)
        view = view[written or 0:]
    buffer.flush()
