"""`procedure.md` and `procedure.html`: the procedures as a printable standard operating
procedure.

The steps are laid out in graph order by :func:`flow`: a sequence is a list, a `parallel`
block lists its branches "at the same time", `if`/`choose` become decision lists, alarm
handlers get their own "If an alarm ..." section, and every `goto` states its bound.  Steps
are numbered in that order (the rubric uses the same numbers).  Hints are left out: they
belong to the simulator.  The step graph is drawn as Mermaid in the Markdown and as SVG
(Graphviz `dot`, when installed) in the HTML.

All text is built here as plain strings; the templates escape it for their format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import networkx as nx

from . import WriteContext, writer
from . import model as m
from .escape import html_env, markdown_env, render

# ------------------------------------------------------------------ plain text of values

CMP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}


def num(x: float) -> str:
    """A number as a person writes it: `480`, `0.1`, `19.5`."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def qty(q: m.Quantity | None) -> str:
    """A quantity as written in the source: `40 s`, `95 %`, `0.1 rpm`."""
    if q is None:
        return ""
    return f"{num(q.value)} {q.unit}" if q.unit else num(q.value)


def value_text(v) -> str:
    if isinstance(v, m.Quantity):
        return qty(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def ref_text(r: m.StateRef) -> str:
    return f"{r.equipment}.{r.state}" if r.state else r.equipment


_PREC = {"or": 1, "and": 2, "not": 3}


def cond_text(c, step_label=None, parent: int = 0) -> str:
    """A condition in plain words and symbols: `M-12.speed ≤ 0.1 rpm`."""
    label = step_label or (lambda s: s)
    if isinstance(c, m.Compare):
        return f"{ref_text(c.ref)} {CMP_TEXT[c.cmp]} {value_text(c.value)}"
    if isinstance(c, m.Between):
        text = f"{ref_text(c.ref)} between {value_text(c.low)} and {value_text(c.high)}"
        return f"({text})" if parent >= 2 else text
    if isinstance(c, m.IsState):
        return f"{ref_text(c.ref)} is {c.value}"
    if isinstance(c, m.StepDone):
        return f"{label(c.step)} done"
    if isinstance(c, m.StateTrue):
        return ref_text(c.ref)
    if isinstance(c, m.NotCond):
        return "not " + cond_text(c.arg, step_label, 3)
    if isinstance(c, m.AllOf | m.AnyOf):
        mine = _PREC[c.op]
        text = f" {c.op} ".join(cond_text(a, step_label, mine) for a in c.args)
        return f"({text})" if mine < parent else text
    return ""


class Names:
    """Titles of the things a procedure names, for readable text."""

    def __init__(self, bundle: m.Bundle, scope=None) -> None:
        self.roles = {r.id: r for r in bundle.roles}
        self.equipment = {e.id: e for e in bundle.equipment}
        self.substances = {s.id: s for s in bundle.substances}
        self.scope = scope if isinstance(scope, dict) else {}

    def role(self, rid: str | None) -> str:
        if not rid:
            return ""
        r = self.roles.get(rid)
        if r is None or not r.title:
            return rid
        return r.title if rid.lower() in r.title.lower() else f"{r.title} ({rid})"

    def tag(self, ref: m.StateRef) -> str:
        if ref.state:
            return ref_text(ref)
        eq = self.equipment.get(ref.equipment)
        return f"{ref.equipment} ({eq.title})" if eq is not None and eq.title else ref.equipment

    def tags(self, refs: list[m.StateRef]) -> str:
        return ", ".join(self.tag(r) for r in refs)

    def energy(self, energy: str) -> str:
        decl = self.scope.get(energy)
        if getattr(decl, "category", None) != "energy type":
            decl = None
        title = getattr(getattr(decl, "node", None), "title", None)
        return title or energy.replace("_", " ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def action_text(a: m.Action, names: Names, permits: dict[str, str | None]) -> str:
    """One action as an instruction: `Apply lock to DS-12 (C-12 drive disconnect)`."""
    op = a.op
    quoted = f"“{a.text}”" if a.text is not None else ""
    if op in ("notify", "communicate"):
        verb = "Notify" if op == "notify" else "Tell"
        return f"{verb} {names.role(a.role)}: {quoted}"
    if op == "work":
        return f"Work: {a.text or ''}" + (f" ({qty(a.duration)})" if a.duration else "")
    if op == "wait":
        return f"Wait {qty(a.duration)}"
    if op == "wait_until":
        within = f" (at most {qty(a.within)})" if a.within else ""
        return f"Wait until {cond_text(a.condition)}{within}"
    if op == "record":
        if a.targets:
            return f"Record the reading of {names.tags(a.targets)}"
        return f"Record: {a.text or ''}"
    if op in ("apply", "remove"):
        prep = "to" if op == "apply" else "from"
        return f"{_sentence(op)} {a.device or 'device'} {prep} {names.tags(a.targets)}"
    if op.startswith("permit_"):
        verb = {"permit_issue": "Issue", "permit_sign": "Sign",
                "permit_revoke": "Revoke (cancel)"}.get(op, op)
        title = permits.get(a.permit or "")
        what = f"{title} ({a.permit})" if title else (a.permit or "")
        return f"{verb} the permit: {what}"
    if op == "hold":
        return f"Hold for {names.role(a.role)}: {a.text or ''}"
    if op == "account":
        return "Account for " + ", ".join(names.role(r) for r in a.roles)
    if op == "clear_area":
        return f"Clear the area: {a.text or ''}"
    verb = (a.verb or op).replace("_", " ")
    out = f"{_sentence(verb)} {names.tags(a.targets)}".rstrip()
    if a.to:
        out += f" {a.preposition or 'to'} {names.tags(a.to)}"
    if a.at is not None:
        out += f" at {value_text(a.at)}"
    return out


def expect_text(e: m.Expectation) -> str:
    return cond_text(e.condition) + (f" within {qty(e.within)}" if e.within else "")


# ------------------------------------------------------------------ the flow of a procedure

#: edges that move the procedure forward (alarm, goto and resume edges jump)
FORWARD = {"next", "branch", "else", "option", "fork", "join"}
_EXIT = "\0exit"


@dataclass
class Flow:
    """A procedure laid out for reading: main sequence, alarm handlers, step numbers."""

    procedure: m.Procedure
    items: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    unreached: list = field(default_factory=list)
    nodes: dict[str, m.Node] = field(default_factory=dict)
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)

    def step_label(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        if node is None or node.kind != "step":
            return node_id
        title = f" ({node.title})" if node.title else ""
        return f"step {self.numbers.get(node_id, '?')}{title}"


def flow(proc: m.Procedure, first_number: int = 1) -> Flow:
    """Lay out ``proc`` in graph order; steps are numbered from ``first_number``."""
    nodes = {n.id: n for n in proc.graph.nodes}
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for e in proc.graph.edges:
        g.add_edge(e.source, e.target, model=e)
    out = Flow(procedure=proc, nodes=nodes, graph=g)
    fwd = nx.DiGraph()
    fwd.add_nodes_from([*nodes, _EXIT])
    for e in proc.graph.edges:
        if e.kind in FORWARD:
            fwd.add_edge(e.source, e.target)
    # Where the branches of a block meet again: the immediate post-dominator.  For a
    # decision, only paths that reach `end` count, so a branch that aborts or loops back
    # (`goto`) leaves the others to carry on below it; a block whose every path ends
    # elsewhere (an alarm handler) falls back to all paths.
    to_end = fwd.subgraph(nx.ancestors(fwd, "end") | {"end"}).copy() if "end" in fwd else \
        nx.DiGraph()
    to_end.add_edge("end", _EXIT)
    for n in nodes:
        if fwd.out_degree(n) == 0:
            fwd.add_edge(n, _EXIT)
    ipdom = nx.immediate_dominators(fwd.reverse(copy=True), _EXIT)
    ipdom_end = nx.immediate_dominators(to_end.reverse(copy=True), _EXIT)

    def merge_of(n: str) -> str:
        m_ = ipdom_end.get(n)
        return m_ if m_ is not None and m_ != _EXIT else ipdom[n]

    counter = iter(range(first_number, first_number + len(nodes) + 1))

    def out_edges(n: str, kinds=FORWARD) -> list[m.Edge]:
        return [d["model"] for _u, _v, d in g.out_edges(n, data=True)
                if d["model"].kind in kinds]

    def nxt(n: str) -> str | None:
        es = out_edges(n, {"next", "join"})
        if not es:
            return None
        plain = [e for e in es if not e.exhausted]
        return (plain or es)[0].target

    def walk(start: str | None, stop: str | None) -> list:
        items: list = []
        node = start
        while node is not None and node != stop and node != _EXIT:
            n = nodes[node]
            if n.kind == "step":
                if node in out.numbers:
                    items.append({"type": "continue", "target": node})
                    break
                out.numbers[node] = next(counter)
                items.append({"type": "step", "node": n})
                node = nxt(node)
            elif n.kind in ("start", "alarm", "join"):
                node = nxt(node)
            elif n.kind == "end":
                items.append({"type": "end"})
                break
            elif n.kind == "abort":
                items.append({"type": "abort"})
                break
            elif n.kind == "fork":
                join = ipdom[node] if ipdom[node] != _EXIT else merge_of(node)
                branches = [{"name": e.branch or e.target, "body": walk(e.target, join)}
                            for e in out_edges(node, {"fork"})]
                items.append({"type": "parallel", "name": n.name, "branches": branches})
                node = join
            elif n.kind == "decision":
                merge = merge_of(node)
                options = []
                for e in out_edges(node, {"branch", "else", "option"}):
                    label = {"branch": "yes", "else": "no"}.get(e.kind, e.option or "")
                    options.append({"kind": e.kind, "label": label,
                                    "body": walk(e.target, merge)})
                items.append({"type": "decision", "node": n, "options": options})
                node = merge
            elif n.kind == "goto":
                jumps = out_edges(node, {"goto"})
                after = [e.target for e in out_edges(node, {"next"})]
                items.append({"type": "goto", "target": jumps[0].target if jumps else None,
                              "bound": jumps[0].bound if jumps else None,
                              "after": after[0] if after else None, "stop": stop})
                node = after[0] if after and nodes[after[0]].kind == "step" else None
            elif n.kind == "resume":
                back = out_edges(node, {"resume"})
                items.append({"type": "resume", "target": back[0].target if back else None})
                break
            else:  # pragma: no cover - every node kind is handled above
                break
        return items

    out.items = walk("start", None)
    for n in proc.graph.nodes:
        if n.kind == "alarm":
            during = [e.source for e in proc.graph.edges
                      if e.target == n.id and e.kind == "alarm"]
            out.alarms.append({"node": n, "during": during, "body": walk(n.id, None)})
    out.unreached = [n for n in proc.graph.nodes
                     if n.kind == "step" and n.id not in out.numbers]
    for n in out.unreached:
        out.numbers[n.id] = next(counter)
    return out


def flows(bundle: m.Bundle) -> dict[str, Flow]:
    """Every procedure's flow; step numbers run on from one procedure to the next."""
    out: dict[str, Flow] = {}
    start = 1
    for p in bundle.procedures:
        f = flow(p, start)
        out[p.id] = f
        start += len(f.numbers)
    return out


# ------------------------------------------------------------------ view for the templates


class View:
    """Turns a flow into plain dictionaries of text for the templates."""

    def __init__(self, bundle: m.Bundle, names: Names, fl: Flow) -> None:
        self.bundle = bundle
        self.names = names
        self.flow = fl
        self.permits = {p.id: p.title for p in fl.procedure.permits}

    def ref(self, node_id: str | None) -> str:
        if node_id is None:
            return ""
        kind = self.flow.nodes[node_id].kind if node_id in self.flow.nodes else None
        if kind == "abort":
            return "abort the procedure"
        if kind == "end":
            return "the end of the procedure"
        return self.flow.step_label(node_id)

    def step(self, n: m.Node) -> dict:
        signoff = n.critical or n.verified_by is not None
        sub = n.procedure if n.procedure and n.procedure != self.flow.procedure.id else None
        return {
            "type": "step", "number": self.flow.numbers[n.id], "id": n.id,
            "title": n.title or n.name or n.id, "critical": n.critical,
            "performed_by": self.names.role(n.performed_by),
            "verified_by": self.names.role(n.verified_by),
            "actions": [action_text(a, self.names, self.permits) for a in n.actions],
            "expects": [expect_text(e) for e in n.expects],
            "requires": [cond_text(r, self.ref) for r in n.requires],
            "warnings": list(n.warnings), "notes": list(n.notes), "signoff": signoff,
            "subprocedure": sub,
        }

    def items(self, items: list) -> list[dict]:
        out = []
        for it in items:
            t = it["type"]
            if t == "step":
                out.append(self.step(it["node"]))
            elif t == "parallel":
                out.append({"type": "parallel", "name": it["name"] or "",
                            "branches": [{"name": b["name"], "body": self.items(b["body"])}
                                         for b in it["branches"]]})
            elif t == "decision":
                n = it["node"]
                question = (n.prompt if n.prompt is not None
                            else f"Is {cond_text(n.condition, self.ref)}?")
                out.append({"type": "decision", "choose": n.prompt is not None,
                            "question": question,
                            "options": [{"kind": o["kind"], "label": o["label"],
                                         "body": self.items(o["body"])}
                                        for o in it["options"]]})
            elif t == "goto":
                out.append(self.goto(it))
            elif t == "resume":
                out.append({"type": "text", "text": "Resume "
                            + self.ref(it["target"]) + " where it was interrupted."})
            elif t == "continue":
                out.append({"type": "text", "text": f"Continue with {self.ref(it['target'])}."})
            elif t == "end":
                out.append({"type": "end", "text": "End of the procedure."})
            elif t == "abort":
                out.append({"type": "abort", "text": "Stop: abort the procedure."})
        return out

    def goto(self, it: dict) -> dict:
        text = f"Go back to {self.ref(it['target'])} and carry on from there"
        bound = it["bound"]
        if bound:
            text += f", at most {bound} time{'s' if bound != 1 else ''}"
            after = it["after"]
            kind = self.flow.nodes[after].kind if after in self.flow.nodes else None
            if after is None:
                pass
            elif after == it["stop"] or kind == "step":
                text += "; when the repeats are used up, continue below"
            elif kind == "abort":
                text += "; when the repeats are used up, stop: abort the procedure"
            elif kind == "end":
                text += "; when the repeats are used up, the procedure ends"
            else:
                text += f"; when the repeats are used up, continue with {self.ref(after)}"
        return {"type": "goto", "text": text + "."}

    def alarms(self) -> list[dict]:
        out = []
        for a in self.flow.alarms:
            during = [self.ref(s) for s in sorted(
                a["during"], key=lambda s: (self.flow.numbers.get(s, 0), s))]
            out.append({"condition": cond_text(a["node"].condition, self.ref),
                        "during": during, "body": self.items(a["body"])})
        return out


def magnitudes(eq: m.Equipment | None, energy: str, names: Names) -> list[str]:
    """The parameters that size an energy source: `rated_voltage 480 V`."""
    if eq is None:
        return []
    dims = ENERGY_DIMENSIONS.get(energy, ALL_DIMENSIONS)
    out = [f"{p} {qty(v.value)}" for p, v in eq.params.items()
           if isinstance(v.value, m.Quantity) and v.value.dimension in dims]
    if energy == "chemical":
        for s in eq.relations.contains:
            sub = names.substances.get(s)
            out.append(f"contains {sub.title if sub is not None and sub.title else s}")
    return out


ENERGY_DIMENSIONS = {
    "electrical": ("voltage", "current", "power"),
    "electrical_stored": ("voltage", "capacitance", "energy"),
    "mechanical": ("power", "angular_speed", "speed", "inertia", "time"),
    "mechanical_spring": ("energy", "force", "length"),
    "gravitational": ("mass", "length"),
    "hydraulic": ("pressure", "volume", "flow"),
    "pneumatic": ("pressure", "volume", "flow"),
    "chemical": ("pressure", "volume", "flow", "temperature"),
    "thermal": ("temperature", "pressure"),
    "radiant": ("power", "energy", "incident_energy"),
}
ALL_DIMENSIONS = tuple(sorted({d for ds in ENERGY_DIMENSIONS.values() for d in ds}))


def procedure_view(bundle: m.Bundle, names: Names, fl: Flow, ctx: WriteContext | None) -> dict:
    p = fl.procedure
    view = View(bundle, names, fl)
    eqs = {e.id: e for e in bundle.equipment}
    roles = list(dict.fromkeys([*([p.performed_by] if p.performed_by else []), *p.roles]))
    conditions = []
    if p.attendant:
        conditions.append(f"Attendant for the whole entry: {names.role(p.attendant)}")
    if p.rescue:
        eq = eqs.get(p.rescue)
        conditions.append("Rescue: " + (names.tag(m.StateRef(equipment=p.rescue))
                                         if eq is not None else p.rescue))
    if p.group_lockout:
        conditions.append("Group lockout: every authorized employee applies a personal lock")
    if p.shift_change:
        conditions.append("Shift change: the lockout is handed over between shifts")
    mermaid, svg = diagrams(p.id, ctx)
    return {
        "id": p.id, "title": p.title or p.id, "description": p.description,
        "performed_by": names.role(p.performed_by), "source": p.source,
        "roles": [{"id": r, "title": names.roles[r].title if r in names.roles else None,
                   "qualified": names.roles[r].qualified if r in names.roles else False}
                  for r in roles],
        "energy": [{"energy": names.energy(e.energy), "energy_id": e.energy,
                    "equipment": names.tag(m.StateRef(equipment=e.equipment)),
                    "stored": e.stored,
                    "magnitudes": magnitudes(eqs.get(e.equipment), e.energy, names)}
                   for e in p.energy],
        "hazards": [{"id": h.id, "title": h.title or h.id,
                     "class": (h.hazard_class or "").replace("_", " ")} for h in p.hazards],
        "ppe": list(p.ppe),
        "boundaries": [{"name": b.name.replace("_", " "), "distance": qty(b.distance)}
                       for b in p.boundaries],
        "permits": [{"id": x.id, "title": x.title or x.id} for x in p.permits],
        "conditions": conditions,
        "steps": view.items(fl.items),
        "alarms": view.alarms(),
        "unreached": [view.step(n) for n in fl.unreached],
        "mermaid": mermaid, "svg": svg,
    }


# ------------------------------------------------------------------ diagrams


def diagrams(proc_id: str, ctx: WriteContext | None) -> tuple[str, str | None]:
    """The procedure's step graph as Mermaid source and, when `dot` is installed, as SVG."""
    from ..graph import export

    sg = next((g for g in (ctx.graphs if ctx else ()) if g.name == proc_id), None)
    if sg is None:
        return "", None
    mermaid = export.to_mermaid(sg)
    try:
        svg = clean_svg(export.to_svg(sg))
    except export.GraphError:
        svg = None
    return mermaid, svg


_XML_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def clean_svg(data: bytes) -> str | None:
    """Graphviz's SVG ready to inline in HTML: no XML prologue, doctype or comments (which
    hold the Graphviz version), and refused (None) if it holds anything active."""
    import xml.etree.ElementTree as ET

    text = data.decode("utf-8")
    text = _COMMENT.sub("", _XML_PROLOGUE.sub("", text, count=1)).strip()
    if "<!" in text:  # no doctype, entity declaration or CDATA left to expand
        return None
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    for el in root.iter():
        if _local(el.tag) in ("script", "foreignobject", "iframe"):
            return None
        for k, v in el.attrib.items():
            if _local(k).startswith("on") or "javascript:" in v.lower().replace(" ", ""):
                return None
    return text


def _local(name: object) -> str:
    return str(name).rsplit("}", 1)[-1].lower()


def mermaid_fence(source: str) -> str:
    longest = max((len(r) for r in re.findall(r"`+", source)), default=0)
    return "`" * max(3, longest + 1)


# ------------------------------------------------------------------ the writer


def document(bundle: m.Bundle, ctx: WriteContext | None) -> dict:
    names = Names(bundle, getattr(getattr(ctx, "module", None), "scope", None))
    h = bundle.scenario
    procs = [procedure_view(bundle, names, f, ctx) for f in flows(bundle).values()]
    used = {e for p in bundle.procedures for n in p.graph.nodes for a in n.actions
            for r in (*a.targets, *a.to) for e in [r.equipment]}
    used |= {e.equipment for p in bundle.procedures for e in p.energy}
    equipment = [{"id": e.id, "title": e.title or "", "kind": e.kind_title or e.kind}
                 for e in bundle.equipment if e.id in used]
    return {
        "scenario": {"id": h.id, "title": h.title, "version": h.version or "",
                     "risk": h.risk or "", "site": h.site or "",
                     "description": h.description or "", "source": h.source},
        "equipment": equipment, "procedures": procs,
        "compiler": bundle.compiler.version, "content_hash": bundle.content_hash,
    }


@writer("sop")
def write(bundle: m.Bundle, ctx: WriteContext) -> dict[str, bytes]:
    doc = document(bundle, ctx)
    fences = {p["id"]: mermaid_fence(p["mermaid"]) for p in doc["procedures"]}
    return {
        "procedure.md": render(markdown_env(), "procedure.md.j2", doc=doc, fences=fences),
        "procedure.html": render(html_env(), "procedure.html.j2", doc=doc),
    }
