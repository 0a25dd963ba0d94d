"""`xapi-profile.json`: the activities, verbs and statement templates an assessment of this
scenario sends to a Learning Record Store.

A profile stub, not a JSON-LD xAPI Profile: it lists what an LRS administrator needs to set
up the store before the first run (activity ids with their definitions, verbs with display
names, the extensions and what goes in them) and the statements the assessment will send,
in order.  Values in angle brackets (``<registration>``) are placeholders the assessment
fills in.  Activity ids and verbs come from the bundle (``scenario.json``: ``xapi``).
"""

from __future__ import annotations

from . import WriteContext, dumps, writer
from . import model as m
from .lower import XAPI_BASE, _iri_part

FORMAT = "twinlang.xapi-profile/1"
LANG = "en-US"
XAPI_VERSION = "1.0.3"
EXT = f"{XAPI_BASE}/extensions"

#: (name, where, JSON type, what it holds)
EXTENSIONS = (
    ("variant", "context", "string",
     "the assessment variant: `initial` or `refresher`"),
    ("bundle", "context", "string",
     "`content_hash` of the compiled bundle (sha256 of the sources), so results name "
     "exactly the procedure version that was trained"),
    ("scenario-version", "context", "string", "the scenario's `version`, if any"),
    ("seed", "context", "integer", "the seed the player ran with (faults, randomness)"),
    ("procedure", "context", "string", "id of the procedure a step belongs to"),
    ("step", "context", "string", "id of the step in the step graph"),
    ("step-number", "context", "integer", "number of the step in the printed procedure"),
    ("metrics", "result", "object",
     "metric name → measured value in SI units (fractions as ratios, times in seconds)"),
    ("thresholds", "result", "array",
     "one entry per threshold: metric, subject, requirement, value, met (boolean), "
     "weight, critical"),
    ("critical-items-failed", "result", "array", "ids of the critical steps that failed"),
    ("error", "result", "string",
     "why a critical item failed: `omission`, `wrong_order`, `wrong_role`, "
     "`expectation_failed` or `commission`"),
)


def _lang(text: str | None) -> dict[str, str]:
    return {LANG: text or ""}


def activity(a: m.XapiActivity, role: str, description: str | None,
             parent: str | None = None) -> dict:
    out = {
        "id": a.id, "objectType": "Activity", "role": role,
        "definition": {"type": a.type, "name": _lang(a.name),
                       "description": _lang(description or a.name)},
    }
    if a.type.endswith("/activities/interaction"):
        # xAPI: an interaction needs its type; a critical step is a task of several actions
        out["definition"]["interactionType"] = "performance"
    if parent is not None:
        out["parent"] = parent
    return out


def activities(bundle: m.Bundle) -> list[dict]:
    x = bundle.xapi
    h = bundle.scenario
    base = x.activity_base
    out = [activity(x.scenario, "scenario", h.description or h.title)]
    procs = {f"{base}/procedures/{_iri_part(p.id)}": p for p in bundle.procedures}
    titles = {p.id: p.title or p.id for p in bundle.procedures}
    for a in x.procedures:
        p = procs.get(a.id)
        out.append(activity(a, "procedure", (p.description or p.title) if p else None,
                            x.scenario.id))
    comps = {f"{base}/competencies/{_iri_part(c.id)}": c for c in bundle.competencies}
    for a in x.competencies:
        c = comps.get(a.id)
        desc = None
        if c is not None:
            desc = c.description or (f"Competency “{c.title or c.id}”, assessed on "
                                     + ", ".join(titles.get(p, p) for p in c.assesses))
        out.append(activity(a, "competency", desc, x.scenario.id))
    for a in x.critical_items:
        parent = next((k for k in procs if a.id.startswith(k + "/steps/")), x.scenario.id)
        out.append(activity(a, "critical_item", f"Critical step: {a.name}", parent))
    return out


def verbs(bundle: m.Bundle) -> list[dict]:
    return [{"id": iri, "display": {LANG: name}} for name, iri in sorted(bundle.xapi.verbs.items())]


def _context(scenario_iri: str, *, parent: str | None = None, step: bool = False) -> dict:
    ext = {
        f"{EXT}/variant": "<initial | refresher>",
        f"{EXT}/bundle": "<content_hash>",
        f"{EXT}/seed": "<seed>",
    }
    if step:
        ext.update({f"{EXT}/procedure": "<procedure id>", f"{EXT}/step": "<step id>",
                    f"{EXT}/step-number": "<step number>"})
    ctx = {
        "registration": "<registration: one UUID per attempt>",
        "contextActivities": {"parent": [{"id": parent or scenario_iri}]}
        if parent or step else {},
        "extensions": ext,
    }
    if not ctx["contextActivities"]:
        del ctx["contextActivities"]
    return ctx


def templates(bundle: m.Bundle) -> list[dict]:
    x = bundle.xapi
    v = x.verbs
    scen = x.scenario.id
    out = []

    def attempt(verb: str, desc: str, result: dict | None = None) -> None:
        t = {"id": f"attempt-{verb}", "scope": "attempt", "description": desc,
             "verb": v.get(verb), "object": scen, "context": _context(scen)}
        if result is not None:
            t["result"] = result
        out.append(t)

    attempt("launched", "the player has started the scenario")
    attempt("initialized", "the trainee is ready; the first statement of the session")
    attempt("completed", "the trainee reached the end (or an abort) of the procedure",
            {"completion": True, "duration": "<ISO 8601 duration of the attempt>"})
    out.append({
        "id": "attempt-passed-or-failed", "scope": "attempt",
        "description": "the verdict of the attempt: `passed` when every competency assessed "
                       "passed, else `failed`; at most one per session",
        "verb": [v.get("passed"), v.get("failed")], "object": scen, "context": _context(scen),
        "result": {"success": "<true | false>",
                   "score": {"scaled": "<lowest weighted score of the competencies, 0..1>"},
                   "extensions": {f"{EXT}/critical-items-failed": ["<step id>"]}},
    })
    attempt("terminated", "the last statement of the session",
            {"duration": "<ISO 8601 duration of the session>"})
    if x.competencies:
        out.append({
            "id": "competency-passed-or-failed", "scope": "competency",
            "description": "one per competency and attempt, with the rubric verdict "
                           "(rubric.json: pass_rule)",
            "verb": [v.get("passed"), v.get("failed")], "objects": [a.id for a in x.competencies],
            "context": _context(scen, parent=scen),
            "result": {"success": "<true | false>",
                       "score": {"scaled": "<weighted score, 0..1>", "min": 0, "max": 1},
                       "extensions": {f"{EXT}/metrics": {"<metric>": "<value in SI>"},
                                      f"{EXT}/thresholds": ["<threshold result>"]}},
        })
    if x.critical_items:
        out.append({
            "id": "critical-item-passed-or-failed", "scope": "critical_item",
            "description": "one per critical step reached or due in the attempt: `passed` "
                           "when its standard was met, else `failed` with the reason",
            "verb": [v.get("passed"), v.get("failed")],
            "objects": [a.id for a in x.critical_items],
            "context": _context(scen, step=True),
            "result": {"success": "<true | false>",
                       "duration": "<ISO 8601 time spent on the step>",
                       "extensions": {f"{EXT}/error": "<reason, when failed>"}},
        })
    return out


def profile(bundle: m.Bundle) -> dict:
    h = bundle.scenario
    return {
        "format": FORMAT,
        "kind": "profile stub",
        "xapi_version": XAPI_VERSION,
        "scenario": {"id": h.id, "title": h.title, "version": h.version},
        "content_hash": bundle.content_hash,
        "activity_base": bundle.xapi.activity_base,
        "language": LANG,
        "activities": activities(bundle),
        "verbs": verbs(bundle),
        "extensions": [{"id": f"{EXT}/{name}", "in": where, "type": typ, "description": desc}
                       for name, where, typ, desc in EXTENSIONS],
        "templates": templates(bundle),
        "ordering": [
            "launched, then initialized: the first statements of a session",
            "completed, then one passed or failed for the scenario, then terminated: the "
            "last statement of the session",
            "the competency and critical-item statements come between initialized and "
            "terminated",
            "every statement of one attempt carries the same context.registration",
        ],
        "placeholders": "values written <like this> are filled in by the assessment",
    }


@writer("xapi")
def write(bundle: m.Bundle, ctx: WriteContext) -> dict[str, bytes]:
    return {"xapi-profile.json": dumps(profile(bundle))}
