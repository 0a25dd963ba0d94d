"""Lowering a checked scenario (AST + scope + step graphs) to the bundle model."""

from __future__ import annotations

import hashlib
import math

from .. import ast
from .._version import __version__
from ..semantics import units
from ..semantics.modules import ModuleInfo
from . import model as m
from .conditions import condition_text, lower_condition, state_ref
from .layout import auto_layout

XAPI_BASE = "https://twinlang.org/xapi"
XAPI_VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
}


def bundle_names(program, root) -> dict[str, str]:
    """Display name of every module → the name it has in the bundle.

    Display names depend on the working directory; a bundle must not.  The scenario file
    is named by its file name, the modules it uses relative to its directory, standard
    library modules as `stdlib/<file>`.
    """
    from pathlib import PurePosixPath

    from ..paths import stdlib_dir

    base = root.path.parent
    std = stdlib_dir().resolve()
    out = {}
    for mod in program.modules:
        if std in mod.path.parents:
            out[mod.display] = "stdlib/" + mod.path.relative_to(std).as_posix()
            continue
        try:
            out[mod.display] = mod.path.relative_to(base).as_posix()
        except ValueError:
            out[mod.display] = str(PurePosixPath(*mod.path.parts[-2:]))
    return out


def quantity(value: ast.QuantityValue, type_name: str) -> m.Quantity | None:
    try:
        meas = units.convert(value.number, value.unit, type_name)
    except ValueError:
        return None
    return m.Quantity(si=meas.si, si_unit=meas.si_unit, dimension=type_name,
                      value=value.number, unit=value.unit)


def value_of(value: ast.Value | None, type_name: str) -> m.Value | None:
    """A source value as a bundle value of the given type."""
    if value is None:
        return None
    if isinstance(value, ast.QuantityValue):
        if type_name in ("boolean", "text", "choice"):
            return None
        return quantity(value, type_name)
    if isinstance(value, ast.BoolValue):
        return value.value
    if isinstance(value, ast.StringValue):
        return value.value
    return value.name


class Lowerer:
    def __init__(self, mod: ModuleInfo, graphs, sources: dict[str, str],
                 names: dict[str, str] | None = None) -> None:
        self.mod = mod
        self.names = names or {}
        self.scope = mod.scope
        self.graphs = {g.name: g for g in graphs}
        self.sources = sources

    # ------------------------------------------------------------ helpers

    def where(self, span) -> str:
        """`file:line` of a span, the file named as in the bundle."""
        return f"{self.names.get(span.file, span.file)}:{span.line}"

    def decls(self, category: str) -> list:
        """Declarations of a category visible in the scenario, in a stable order: the
        scenario's own in source order, then imported ones by name."""
        own = [d.node for d in self.mod.decls.values() if d.category == category]
        imported = sorted((d.node for n, d in self.scope.items()
                           if d.category == category and d.module is not self.mod
                           and not d.module.is_prelude and n == d.name),
                          key=lambda node: node.name.name)
        return own + imported

    def kind_of(self, eq: ast.Equipment) -> ast.Kind | None:
        decl = self.scope.get(eq.kind.name)
        return decl.node if decl is not None and decl.category == "kind" else None

    def state_type(self, ref: ast.Ref) -> str:
        decl = self.scope.get(ref.head.name)
        if decl is None or decl.category != "equipment" or len(ref.parts) < 2:
            return "number"
        kind = self.kind_of(decl.node)
        for s in kind.states if kind else ():
            if s.name.name == ref.parts[1].name:
                return s.type.name.name
        return "number"

    def cond(self, c):
        return None if c is None else lower_condition(c, self.state_type)

    # ------------------------------------------------------------ parts

    def header(self) -> m.Header:
        h = self.mod.ast.header
        return m.Header(id=h.id.name if h.id else _slug(h.title), title=h.title, version=h.version,
                        risk=h.risk.name if h.risk else None, site=h.site,
                        description=h.description, source=self.where(h.span))

    def roles(self) -> list[m.Role]:
        return [m.Role(id=r.name.name, title=r.title, qualified=r.qualified,
                       source=self.where(r.span)) for r in self.decls("role")]

    def equipment(self) -> list[m.Equipment]:
        eqs = self.decls("equipment")
        positions = auto_layout(eqs)
        out = []
        for eq in eqs:
            kind = self.kind_of(eq)
            if kind is None:
                continue
            given = {p.name.name: p.value for p in eq.params}
            params = {}
            for p in kind.params:
                t = p.type.name.name
                v = given.get(p.name.name)
                params[p.name.name] = m.Param(
                    type=t, value=value_of(v if v is not None else p.default, t),
                    from_default=v is None and p.default is not None,
                    low=value_of(p.low, t) if isinstance(p.low, ast.QuantityValue) else None,
                    high=value_of(p.high, t) if isinstance(p.high, ast.QuantityValue) else None,
                    choices=[c.name for c in p.type.choices], doc=p.doc)
            states = [m.StateVar(name=s.name.name, type=s.type.name.name,
                                 choices=[c.name for c in s.type.choices],
                                 initial=value_of(s.initial, s.type.name.name), doc=s.doc)
                      for s in kind.states]
            out.append(m.Equipment(
                id=eq.name.name, title=eq.title, kind=kind.name.name, kind_title=kind.title,
                params=params, states=states, actions=[a.name for a in kind.actions],
                stores=[x.name for x in kind.stores], transmits=[x.name for x in kind.transmits],
                isolates=[x.name for x in kind.isolates], lockable=kind.lockable,
                control_device=kind.control_device,
                relations=m.Relations(
                    feeds=[r.text for r in eq.feeds], isolates=[r.text for r in eq.isolates],
                    located_in=eq.located_in.text if eq.located_in else None,
                    contains=[r.text for r in eq.contains]),
                position=positions[eq.name.name], model=f"urdf/{_file_id(eq.name.name)}.urdf",
                source=self.where(eq.span)))
        return out

    def substances(self) -> list[m.Substance]:
        from ..semantics.vocab import SUBSTANCE_PARAMS

        out = []
        for s in self.decls("substance"):
            props = {}
            for p in s.params:
                t = SUBSTANCE_PARAMS.get(p.name.name)
                v = value_of(p.value, t) if t else None
                if isinstance(v, m.Quantity):
                    props[p.name.name] = v if t not in ("number", "count") else v.si
            out.append(m.Substance(id=s.name.name, title=s.title,
                                   groups=[g.name for g in s.groups], properties=props,
                                   source=self.where(s.span)))
        return out

    def action(self, a: ast.Action) -> m.Action:
        return m.Action(
            op=a.op, verb=a.verb.name if a.verb else None,
            targets=[state_ref(t) for t in a.targets], to=[state_ref(t) for t in a.to],
            preposition=a.preposition if a.to else None,
            at=_any_quantity(a.at) if isinstance(a.at, ast.QuantityValue)
            else value_of(a.at, "text"),
            role=a.role.name if a.role else None, roles=[r.name for r in a.roles],
            device=a.device.name if a.device else None,
            permit=a.permit.name if a.permit else None, text=a.text,
            duration=value_of(a.duration, "time") if a.duration else None,
            condition=self.cond(a.condition),
            within=value_of(a.within, "time") if a.within else None)

    def procedure(self, proc: ast.Procedure) -> m.Procedure:
        sg = self.graphs[proc.name.name]
        g = sg.graph
        nodes = []
        for nid, data in g.nodes(data=True):
            kind = {"if": "decision", "choose": "decision"}.get(data["kind"], data["kind"])
            step: ast.Step | None = data.get("ast")
            extra: dict = {}
            if step is not None:
                extra = dict(
                    name=step.name.name, title=step.title, procedure=data.get("procedure"),
                    performed_by=data.get("performer"), verified_by=data.get("verifier"),
                    critical=step.critical, actions=[self.action(a) for a in step.actions],
                    expects=[m.Expectation(condition=self.cond(e.condition),
                                           within=value_of(e.within, "time") if e.within
                                           else None, text=condition_text(e.condition))
                             for e in step.expects],
                    requires=[self.cond(r) for r in step.requires], hints=list(step.hints),
                    warnings=list(step.warnings), notes=list(step.notes))
            elif data.get("condition") is not None:
                extra = dict(condition=self.cond(data["condition"]))
            if data.get("prompt"):
                extra["prompt"] = data["prompt"]
            span = data.get("span")
            nodes.append(m.Node(id=nid, kind=kind, source=self.where(span) if span else None,
                                **extra))
        edges = []
        for u, v, data in g.edges(data=True):
            edges.append(m.Edge(source=u, target=v, kind=data["kind"],
                                condition=self.cond(data.get("condition")),
                                option=data.get("option"), branch=data.get("branch"),
                                bound=data.get("bound"), exhausted=bool(data.get("exhausted"))))
        rescue = proc.rescue.text if isinstance(proc.rescue, ast.Ref) else proc.rescue
        return m.Procedure(
            id=proc.name.name, title=proc.title,
            performed_by=proc.performed_by.name if proc.performed_by else None,
            roles=[r.name for r in proc.roles],
            energy=[m.EnergySource(energy=e.energy.name, equipment=e.source.text,
                                   stored=_stored(self.scope, e.energy.name))
                    for e in proc.energy],
            hazards=[m.Hazard(id=h.name.name, title=h.title,
                              hazard_class=h.hazard_class.name if h.hazard_class else None)
                     for h in proc.hazards],
            permits=[m.Permit(id=p.name.name, title=p.title) for p in proc.permits],
            ppe=[p.text for p in proc.ppe],
            boundaries=[m.Boundary(name=b.name.name, distance=value_of(b.value, "length"))
                        for b in proc.boundaries if value_of(b.value, "length") is not None],
            attendant=proc.attendant.name if proc.attendant else None, rescue=rescue,
            group_lockout=proc.group_lockout, shift_change=proc.shift_change,
            description=proc.description,
            graph=m.StepGraph(nodes=nodes, edges=edges), source=self.where(proc.span))

    def faults(self) -> list[m.Fault]:
        out = []
        for f in self.decls("fault"):
            target_type = self.state_type(f.target)
            triggers = []
            for t in f.triggers:
                prob = value_of(t.probability, "fraction") if t.probability else None
                triggers.append(m.Trigger(
                    kind=t.kind, step=t.step.name if t.step else None,
                    time=value_of(t.time, "time") if t.time else None,
                    condition=self.cond(t.condition),
                    probability=prob.si if isinstance(prob, m.Quantity) else None, seed=t.seed,
                    every=value_of(t.every, "time") if t.every else None))
            effects = []
            for e in f.effects:
                ref = e.ref or (f.target if len(f.target.parts) > 1 else None)
                vtype = self.state_type(ref) if ref is not None else target_type
                val = value_of(e.value, vtype) if e.value is not None else None
                if val is None and isinstance(e.value, ast.QuantityValue):
                    val = _any_quantity(e.value)
                effects.append(m.Effect(kind=e.kind, value=val,
                                        per=value_of(e.per, "time") if e.per else None,
                                        state=state_ref(e.ref) if e.ref else None,
                                        message=e.message))
            clears = [m.Clearing(kind=c.kind,
                                 after=value_of(c.value, "time") if c.value else None,
                                 condition=self.cond(c.condition),
                                 step=c.step.name if c.step else None) for c in f.clears]
            out.append(m.Fault(id=f.name.name, title=f.title, target=state_ref(f.target),
                               triggers=triggers, effects=effects, clears=clears,
                               description=f.description, source=self.where(f.span)))
        return out

    def thresholds(self, items) -> list[m.Threshold]:
        from ..semantics.vocab import METRICS

        out = []
        for t in items:
            metric = METRICS.get(t.metric.name)
            if metric is None:
                continue
            q = value_of(t.value, metric.type)
            if not isinstance(q, m.Quantity):
                continue
            out.append(m.Threshold(metric=t.metric.name,
                                   subject=t.subject.name if t.subject else None, cmp=t.op,
                                   value=q, weight=t.weight if t.weight is not None else 1.0,
                                   critical=t.critical, source=self.where(t.span)))
        return out

    def competencies(self) -> list[m.Competency]:
        out = []
        for c in self.decls("competency"):
            if c is None or not isinstance(c, ast.Competency):
                continue
            profile = None
            if c.based_on is not None:
                decl = self.scope.get(c.based_on.name)
                profile = decl.node if decl is not None and decl.category == "profile" else None
            merged = _merge(profile.thresholds if profile else (), c.thresholds)
            pass_score = c.pass_score or (profile.pass_score if profile else None)
            valid_for = c.valid_for or (profile.valid_for if profile else None)
            risk = c.risk or (profile.risk if profile else None) or self.mod.ast.header.risk
            ps = value_of(pass_score, "fraction") if pass_score is not None else None
            out.append(m.Competency(
                id=c.name.name, title=c.title, assesses=[a.name for a in c.assesses],
                risk=risk.name if risk else None,
                based_on=c.based_on.name if c.based_on else None,
                pass_score=ps.si if isinstance(ps, m.Quantity) else None,
                valid_for=value_of(valid_for, "time") if valid_for is not None else None,
                thresholds=self.thresholds(merged), initial=self.thresholds(c.initial),
                refresher=self.thresholds(c.refresher), description=c.description,
                source=self.where(c.span)))
        return out

    def xapi(self, header: m.Header, procedures, competencies) -> m.Xapi:
        base = f"{XAPI_BASE}/scenarios/{_iri_part(header.id)}"
        crit = []
        for p in procedures:
            for n in p.graph.nodes:
                if n.kind == "step" and n.critical:
                    crit.append(m.XapiActivity(
                        id=f"{base}/procedures/{_iri_part(p.id)}/steps/{_iri_part(n.id)}",
                        type="http://adlnet.gov/expapi/activities/interaction",
                        name=n.title or n.name or n.id))
        return m.Xapi(
            activity_base=base,
            scenario=m.XapiActivity(id=base, type="http://adlnet.gov/expapi/activities/simulation",
                                    name=header.title),
            procedures=[m.XapiActivity(id=f"{base}/procedures/{_iri_part(p.id)}",
                                       type="http://adlnet.gov/expapi/activities/module",
                                       name=p.title or p.id) for p in procedures],
            competencies=[m.XapiActivity(
                id=f"{base}/competencies/{_iri_part(c.id)}",
                type="http://adlnet.gov/expapi/activities/objective", name=c.title or c.id)
                for c in competencies],
            critical_items=crit, verbs=dict(XAPI_VERBS))

    def bundle(self, files: dict[str, str], used_sources: dict[str, str]) -> m.Bundle:
        header = self.header()
        procs = [self.procedure(p) for p in self.decls("procedure")
                 if p.name.name in self.graphs]
        comps = self.competencies()
        used_sources = {self.names.get(k, k): v for k, v in used_sources.items()}
        digest = hashlib.sha256()
        for name in sorted(used_sources):
            digest.update(name.encode() + b"\0" + used_sources[name].encode() + b"\0")
        return m.Bundle(
            compiler=m.Compiler(version=__version__), content_hash="sha256:" + digest.hexdigest(),
            scenario=header, roles=self.roles(), equipment=self.equipment(),
            substances=self.substances(), procedures=procs, faults=self.faults(),
            competencies=comps, xapi=self.xapi(header, procs, comps), files=files,
            sources={n: hashlib.sha256(t.encode()).hexdigest()
                     for n, t in sorted(used_sources.items())})


def _merge(base, local):
    """Profile thresholds, replaced by local ones on the same metric and subject."""
    keyed = {}
    for t in (*base, *local):
        keyed[(t.metric.name, t.subject.name if t.subject else None)] = t
    return list(keyed.values())


def _stored(scope, energy: str) -> bool:
    decl = scope.get(energy)
    return bool(decl is not None and decl.category == "energy type" and decl.node.stored)


def _any_quantity(value) -> m.Quantity | None:
    """A quantity of whatever dimension its unit has (for values without a declared type)."""
    if not isinstance(value, ast.QuantityValue) or not math.isfinite(value.number):
        return None
    if value.unit is None:
        return m.Quantity(si=value.number, si_unit="1", dimension="number", value=value.number,
                          unit=None)
    dim = units.describe_unit(value.unit)
    for t in (dim, "fraction", "concentration", "flammability"):
        q = quantity(value, t)
        if q is not None:
            return q
    return None


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p) or "scenario"


def _file_id(name: str) -> str:
    """A file-name-safe id: letters, digits, `-`, `_`; anything else hex-escaped."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else f"_{ord(c):x}_"
                   for c in name)


def _iri_part(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="-_.~")
