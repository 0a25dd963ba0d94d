"""`rubric.json` and `rubric.html`: what "competent" means for each competency of a scenario.

For every competency: the pass rule, how long a pass stays valid, the thresholds of the
`initial` and the `refresher` assessment (the common thresholds, profile included, with the
variant's own replacing those on the same metric and subject), and the critical items:
every critical step of the assessed procedures with its cue (what prompts it), its standard
(what must be done and observed) and the consequence of missing it.  The consequence is
derived from the data only: the energy sources the step's equipment is connected to (by
`feeds` and `isolates`), their magnitudes, and the procedure's hazards of a matching class.

Step numbers are the ones of the printed procedure (`procedure.md`).
"""

from __future__ import annotations

from . import WriteContext, dumps, writer
from . import model as m
from .escape import html_env, render
from .lower import _iri_part
from .sop import (
    CMP_TEXT,
    FORWARD,
    Flow,
    Names,
    action_text,
    cond_text,
    expect_text,
    flows,
    magnitudes,
    qty,
)

FORMAT = "twinlang.rubric/1"

CMP_WORDS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least",
             "==": "exactly", "!=": "not"}

#: the hazard classes that an uncontrolled energy type causes
HAZARD_CLASSES = {
    "electrical": {"electrical_shock", "arc_flash"},
    "electrical_stored": {"stored_electrical", "electrical_shock", "arc_flash"},
    "mechanical": {"mechanical", "entanglement", "crush"},
    "mechanical_spring": {"mechanical", "crush"},
    "gravitational": {"crush", "fall", "mechanical"},
    "hydraulic": {"pressure", "hydraulic_injection"},
    "pneumatic": {"pressure"},
    "chemical": {"toxic", "corrosive", "reactive", "flammable_liquid", "flammable_atmosphere",
                 "toxic_atmosphere", "engulfment", "oxygen_deficiency"},
    "thermal": {"thermal"},
    "radiant": {"radiation"},
}

FAILS_WHEN = ("the step is left out, done before a step it requires, done by the wrong role, "
              "or its expected results are not met in time")


# ------------------------------------------------------------------ thresholds


def metric_info():
    from ..semantics.vocab import METRICS

    return METRICS


def threshold_json(t: m.Threshold, origin: str, overrides: bool, labels: dict) -> dict:
    """One threshold; ``labels`` maps the subject kind (`step`, `fault`) to readable names."""
    info = metric_info().get(t.metric)
    desc = info.description if info is not None else t.metric.replace("_", " ")
    kind = getattr(info, "subject", None) or ""
    subject = labels.get(kind, {}).get(t.subject) if t.subject else None
    what = t.metric.replace("_", " ")
    if t.subject:
        what += f" ({subject or t.subject})"
    requirement = f"{_sentence(what)}: {CMP_WORDS[t.cmp]} {qty(t.value)}"
    return {
        "metric": t.metric, "subject": t.subject, "subject_title": subject,
        "comparison": t.cmp, "comparison_text": CMP_WORDS[t.cmp],
        "value": {"si": t.value.si, "si_unit": t.value.si_unit, "dimension": t.value.dimension,
                  "value": t.value.value, "unit": t.value.unit, "text": qty(t.value)},
        "weight": t.weight, "critical": t.critical, "description": desc,
        "requirement": requirement, "origin": origin, "overrides": overrides,
        "source": t.source,
    }


def merged(c: m.Competency, variant: list[m.Threshold], name: str, labels: dict) -> list[dict]:
    """The common thresholds with the variant's replacing the ones on the same metric and
    subject (in place), and the variant's others after them."""
    own = {(t.metric, t.subject): t for t in variant}
    out = []
    for t in c.thresholds:
        key = (t.metric, t.subject)
        if key in own:
            out.append(threshold_json(own.pop(key), name, True, labels))
        else:
            out.append(threshold_json(t, "common", False, labels))
    out.extend(threshold_json(t, name, False, labels) for t in variant
               if (t.metric, t.subject) in own)
    return out


def pass_rule(c: m.Competency) -> dict:
    score = c.pass_score if c.pass_score is not None else 1.0
    pct = f"{score * 100:g} %"
    return {
        "all_of": [
            {"rule": "score_at_least", "value": score},
            {"rule": "no_critical_item_failed"},
            {"rule": "critical_thresholds_met"},
        ],
        "pass_score": c.pass_score,
        "score": "sum of the weights of the thresholds met, divided by the sum of all the "
                 "weights of the assessment variant (initial or refresher)",
        "critical_item_fails_when": FAILS_WHEN,
        "text": (f"Pass when the weighted score is at least {pct}"
                 + ("" if c.pass_score is not None else " (no pass score set: every threshold)")
                 + ", no critical item failed, and every threshold marked critical is met."),
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ critical items


class Items:
    """Cue, standard and consequence of the critical steps of one procedure."""

    def __init__(self, bundle: m.Bundle, names: Names, fl: Flow) -> None:
        self.bundle = bundle
        self.names = names
        self.flow = fl
        self.proc = fl.procedure
        self.eqs = {e.id: e for e in bundle.equipment}
        self.feeds = {e.id: list(e.relations.feeds) for e in bundle.equipment}
        self.fed_by: dict[str, list[str]] = {}
        for src, outs in self.feeds.items():
            for dst in outs:
                self.fed_by.setdefault(dst, []).append(src)
        self.permits = {p.id: p.title for p in self.proc.permits}
        self.in_edges: dict[str, list[m.Edge]] = {}
        for e in self.proc.graph.edges:
            self.in_edges.setdefault(e.target, []).append(e)

    def label(self, node_id: str) -> str:
        return self.flow.step_label(node_id)

    # ---- cue

    def cue(self, node_id: str, depth: int = 0) -> list[str]:
        out: list[str] = []
        for e in self.in_edges.get(node_id, []):
            src = self.flow.nodes[e.source]
            if e.kind == "goto":
                bound = f", at most {e.bound} times" if e.bound else ""
                out.append(f"when sent back here to repeat it{bound}")
            elif e.kind == "resume":
                out.append("when the alarm handling is done (resume)")
            elif src.kind == "step":
                out.append(f"after {self.label(src.id)}")
            elif src.kind == "start":
                out.append("at the start of the procedure")
            elif src.kind == "alarm":
                during = [self.label(x) for x in sorted(
                    (x.source for x in self.in_edges.get(src.id, []) if x.kind == "alarm"),
                    key=lambda x: (self.flow.numbers.get(x, 0), x))]
                text = f"when the alarm {cond_text(src.condition, self.label)} goes off"
                out.append(text + (f" during {', '.join(during)}" if during else ""))
            elif depth < 4 and src.kind == "goto" and e.exhausted:
                out.extend(f"when the repeats are used up, {c}"
                           for c in self.cue(src.id, depth + 1))
            elif depth < 4 and src.kind == "decision":
                if e.kind == "option":
                    when = f"when “{e.option}” is chosen at “{src.prompt or ''}”"
                elif e.kind == "else":
                    when = f"when not {cond_text(src.condition, self.label, 3)}"
                else:
                    when = f"when {cond_text(src.condition, self.label)}"
                before = self.cue(src.id, depth + 1)
                out.append(when + (f" ({'; or '.join(before)})" if before else ""))
            elif depth < 4 and src.kind == "fork":
                before = self.cue(src.id, depth + 1)
                text = f"at the start of parallel branch “{e.branch}”"
                out.append(text + (f", {'; or '.join(before)}" if before else ""))
            elif depth < 4 and e.kind in FORWARD:
                out.extend(self.cue(src.id, depth + 1))
        return list(dict.fromkeys(out))

    # ---- consequence

    def related(self, tags: set[str]) -> set[str]:
        """Equipment connected to ``tags``: what they isolate, what they feed (downstream)
        and what feeds them (upstream)."""
        seeds = set(tags)
        for t in tags:
            eq = self.eqs.get(t)
            if eq is not None:
                seeds.update(eq.relations.isolates)
        return self._reach(seeds, self.feeds) | self._reach(set(tags), self.fed_by)

    @staticmethod
    def _reach(start: set[str], edges: dict[str, list[str]]) -> set[str]:
        return set(_reach_ordered(sorted(start), edges))

    def effect(self, src: m.EnergySource) -> str:
        s, energy = src.equipment, src.energy
        mags = magnitudes(self.eqs.get(s), energy, self.names)[:2]
        size = f" ({', '.join(mags)})" if mags else ""
        if energy == "electrical":
            driven = [x for x in _reach_ordered([s], self.feeds)[1:]
                      if "mechanical" in getattr(self.eqs.get(x), "stores", [])]
            text = f"contact with parts energized through {s}{size}"
            if driven:
                text += f" or unexpected start-up of {', '.join(driven)}"
            return text
        text = {
            "electrical_stored": "shock from the charge stored in {s}",
            "mechanical": "movement of the moving or rotating parts of {s}",
            "mechanical_spring": "the spring of {s} releasing its energy",
            "gravitational": "the raised load of {s} falling or moving",
            "hydraulic": "sudden release of hydraulic pressure from {s}",
            "pneumatic": "sudden release of compressed air from {s}",
            "chemical": "release of process material from {s}",
            "thermal": "contact with hot or cold material at {s}",
            "radiant": "exposure to radiant energy from {s}",
        }.get(energy, f"uncontrolled {energy.replace('_', ' ')} energy at {{s}}")
        return text.format(s=s) + size

    def consequence(self, n: m.Node) -> dict:
        tags = {r.equipment for a in n.actions for r in (*a.targets, *a.to)}
        tags |= {r.equipment for e in n.expects for r in _refs(e.condition)}
        near = self.related(tags)
        sources = [s for s in self.proc.energy if s.equipment in near]
        energies = {s.energy for s in sources}
        for s in sources:
            if s.energy == "electrical" and any(
                    "mechanical" in getattr(self.eqs.get(x), "stores", [])
                    for x in self._reach({s.equipment}, self.feeds)):
                energies.add("mechanical")
        classes = set().union(*(HAZARD_CLASSES.get(e, set()) for e in energies)) \
            if energies else set()
        hazards = [h for h in self.proc.hazards if h.hazard_class in classes]
        if sources:
            effects = "; ".join(self.effect(s) for s in sources)
            text = (f"If this step is missed or done wrong: {effects}, while people work "
                    "in the danger zone")
        else:
            what = ([expect_text(e) for e in n.expects]
                    or [action_text(a, self.names, self.permits) for a in n.actions])
            hazards = list(self.proc.hazards)
            text = ("If this step is missed or done wrong, the procedure goes on without: "
                    + "; ".join(what or [n.title or n.id]))
        if hazards:
            text += (". Hazards: " if sources else ". Hazards this procedure controls: ")
            text += "; ".join(h.title or h.id for h in hazards)
        return {
            "text": text + ".",
            "energy": [{"energy": s.energy, "equipment": s.equipment, "stored": s.stored,
                        "magnitudes": magnitudes(self.eqs.get(s.equipment), s.energy,
                                                 self.names)} for s in sources],
            "hazards": [h.id for h in hazards],
        }

    # ---- one item

    def item(self, n: m.Node, xapi: dict[str, str]) -> dict:
        cues = self.cue(n.id)
        requires = [cond_text(r, self.label) for r in n.requires]
        cue_text = _sentence("; or ".join(cues) or "no step leads here")
        if requires:
            cue_text += "; only when " + " and ".join(requires)
        actions = [action_text(a, self.names, self.permits) for a in n.actions]
        expects = [expect_text(e) for e in n.expects]
        who = f"Performed by {self.names.role(n.performed_by) or 'anyone'}"
        if n.verified_by:
            who += f"; verified by {self.names.role(n.verified_by)}"
        standard = "; ".join(actions) or (n.title or n.id)
        if expects:
            standard += ". Expected: " + "; ".join(expects)
        iri = f"{self.bundle.xapi.activity_base}/procedures/{_iri_part(self.proc.id)}" \
              f"/steps/{_iri_part(n.id)}"
        return {
            "id": n.id, "procedure": self.proc.id, "step": self.flow.numbers.get(n.id),
            "title": n.title or n.name or n.id,
            "performed_by": n.performed_by, "verified_by": n.verified_by,
            "cue": {"text": cue_text + ".", "after": cues, "requires": requires},
            "standard": {"text": f"{standard}. {who}.", "actions": actions,
                         "expectations": expects, "warnings": list(n.warnings)},
            "consequence": self.consequence(n),
            "fails_when": FAILS_WHEN,
            "xapi_activity": xapi.get(iri),
            "source": n.source,
        }


def _reach_ordered(start: list[str], edges: dict[str, list[str]]) -> list[str]:
    """Breadth-first, in a stable order: ``start`` first, then what follows."""
    seen, out, i = set(start), list(start), 0
    while i < len(out):
        for nxt in edges.get(out[i], []):
            if nxt not in seen:
                seen.add(nxt)
                out.append(nxt)
        i += 1
    return out


def _refs(c) -> list[m.StateRef]:
    if c is None:
        return []
    if isinstance(c, m.AllOf | m.AnyOf):
        return [r for a in c.args for r in _refs(a)]
    if isinstance(c, m.NotCond):
        return _refs(c.arg)
    ref = getattr(c, "ref", None)
    return [ref] if ref is not None else []


# ------------------------------------------------------------------ the rubric


def rubric(bundle: m.Bundle, ctx: WriteContext | None = None) -> dict:
    names = Names(bundle, getattr(getattr(ctx, "module", None), "scope", None))
    fls = flows(bundle)
    xapi = {a.id: a.id for a in bundle.xapi.critical_items}
    comp_iris = {a.id for a in bundle.xapi.competencies}
    procs = {p.id: p for p in bundle.procedures}
    faults = {f.id: f.title or f.id for f in bundle.faults}
    comps = []
    for c in bundle.competencies:
        steps: dict[str, str] = {}
        labels = {"fault": faults, "step": steps}
        items = []
        for pid in c.assesses:
            fl = fls.get(pid)
            if fl is None:
                continue
            for n in fl.procedure.graph.nodes:
                if n.kind == "step":
                    steps.setdefault(n.id, fl.step_label(n.id))
                    steps.setdefault(n.name or n.id, fl.step_label(n.id))
            maker = Items(bundle, names, fl)
            crit = sorted((n for n in procs[pid].graph.nodes if n.kind == "step" and n.critical),
                          key=lambda n: fl.numbers.get(n.id, 0))
            items.extend(maker.item(n, xapi) for n in crit)
        iri = f"{bundle.xapi.activity_base}/competencies/{_iri_part(c.id)}"
        comps.append({
            "id": c.id, "title": c.title or c.id, "description": c.description,
            "assesses": [{"id": p, "title": procs[p].title if p in procs else None}
                         for p in c.assesses],
            "risk": c.risk, "based_on": c.based_on,
            "pass_rule": pass_rule(c),
            "valid_for": None if c.valid_for is None else {
                "seconds": c.valid_for.si, "value": c.valid_for.value,
                "unit": c.valid_for.unit, "text": qty(c.valid_for)},
            "thresholds": {"initial": merged(c, c.initial, "initial", labels),
                           "refresher": merged(c, c.refresher, "refresher", labels)},
            "critical_items": items,
            "xapi_activity": iri if iri in comp_iris else None,
            "source": c.source,
        })
    h = bundle.scenario
    return {
        "format": FORMAT,
        "scenario": {"id": h.id, "title": h.title, "risk": h.risk, "version": h.version},
        "content_hash": bundle.content_hash,
        "compiler": {"name": bundle.compiler.name, "version": bundle.compiler.version},
        "competencies": comps,
    }


@writer("rubric")
def write(bundle: m.Bundle, ctx: WriteContext) -> dict[str, bytes]:
    data = rubric(bundle, ctx)
    return {
        "rubric.json": dumps(data),
        "rubric.html": render(html_env(), "rubric.html.j2", rubric=data, cmp=CMP_TEXT),
    }
