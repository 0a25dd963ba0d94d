"""xAPI 1.0.3 statements for an assessment: the attempt, each competency, each critical item.

The attempt follows the cmi5 sequence (launched, initialized, completed, passed or failed,
terminated) without claiming to be a cmi5 assignable unit: nothing launches twinlang from
an LMS, so the cmi5 category and launch data are left out.  Between initialized and
completed come one statement per critical step that was due in the run (passed, or failed
with the reasons) and one per assessed competency (passed or failed, with its weighted
score, its thresholds and the figures they were checked against).

Everything is deterministic, so that sending the same attempt twice stores it once:

* statement ids are UUID v5 of (registration, session, verb, object);
* timestamps are the wall-clock start of the run plus the simulation time of the event;
* the session id defaults to a UUID v5 of the assessment, the registration to one of the
  session id.

Activity ids, types, names and verbs come from the bundle (``scenario.json``: ``xapi``,
the same data ``xapi-profile.json`` lists); the extensions are under
``https://twinlang.org/xapi/extensions/``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .._version import __version__
from ..compile.xapi import EXT, LANG, XAPI_VERSION
from ..compile.xapi import activities as profile_activities
from .model import Assessment, CompetencyResult, CriticalItemResult

__all__ = ["EXT", "NAMESPACE", "XAPI_VERSION", "duration", "problems", "session_uuid",
           "statement_id", "statements", "timestamp_at", "write_statements"]

#: namespace of every UUID v5 twinlang derives (statement ids, default sessions)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://twinlang.org/xapi")

#: error code of a critical item, by the start of the reason the assessment gives
_ERROR_CODES = (
    ("left out", "omission"),
    ("done before", "wrong_order"),
    ("begun before", "wrong_order"),
    ("done or verified by the wrong person", "wrong_role"),
    ("its expected results were not met", "expectation_failed"),
    ("expectations not met", "expectation_failed"),
)


# ------------------------------------------------------------------ small pieces


def statement_id(registration: str, session_id: str, verb: str, object_id: str) -> str:
    """The id of a statement: UUID v5 of what makes it unique within the attempt."""
    return str(uuid.uuid5(NAMESPACE, "\n".join((registration, session_id, verb, object_id))))


def session_uuid(data: bytes) -> str:
    """A session id for a run: UUID v5 of the sha256 of ``data`` (the log, or the
    assessment when the log cannot be read)."""
    return str(uuid.uuid5(NAMESPACE, "session\n" + hashlib.sha256(data).hexdigest()))


def duration(seconds: float) -> str:
    """ISO 8601 duration with the 0.01 s precision xAPI keeps: ``PT1H2M3.45S``."""
    centis = max(0, math.floor(float(seconds) * 100 + 0.5))  # half up
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, frac = divmod(rest, 100)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or frac or out == "PT":
        out += f"{secs}.{frac:02d}".rstrip("0").rstrip(".") + "S"
    return out


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 date-time with a time zone (``Z`` or an offset); ValueError otherwise."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        raise ValueError(f"`{text}` has no time zone: end it with `Z` or an offset like "
                         "`+02:00`")
    return value.astimezone(UTC)


def timestamp_at(start: datetime, t: float) -> str:
    """``start`` plus ``t`` seconds of simulation time, in UTC to the millisecond."""
    at = start + timedelta(milliseconds=math.floor(float(t) * 1000 + 0.5))
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _num(value: float | None, digits: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    out = round(float(value), digits)
    return out if out != 0 else 0.0


def _error_code(reason: str) -> str:
    low = reason.lower()
    for prefix, code in _ERROR_CODES:
        if low.startswith(prefix):
            return code
    return "commission"


# ------------------------------------------------------------------ statements


class _Builder:
    def __init__(self, assessment: Assessment, bundle, actor: dict, registration: str,
                 session_id: str, start: datetime) -> None:
        self.a = assessment
        self.bundle = bundle
        self.actor = actor
        self.registration = registration
        self.session = session_id
        self.start = start
        self.verbs = bundle.xapi.verbs
        self.defs = {}
        for act in profile_activities(bundle):
            d = {k: v for k, v in act.items() if k not in ("role", "parent")}
            self.defs[d["id"]] = d
        base = bundle.xapi.activity_base
        self.scenario = bundle.xapi.scenario.id
        from ..compile.lower import _iri_part

        self.procedure = f"{base}/procedures/{_iri_part(assessment.run.procedure)}"
        variants = {c.variant for c in assessment.competencies}
        self.variant = variants.pop() if len(variants) == 1 else None

    def activity(self, iri: str, name: str | None = None) -> dict:
        found = self.defs.get(iri)
        if found is not None:
            return json.loads(json.dumps(found))
        return {"objectType": "Activity", "id": iri,
                "definition": {"name": {LANG: name or iri}}}

    def context(self, *, parent: list[str] = (), grouping: list[str] = (),
                extra: dict | None = None) -> dict:
        ext = {f"{EXT}/session": self.session, f"{EXT}/bundle": self.a.bundle_hash,
               f"{EXT}/procedure": self.a.run.procedure}
        if self.a.run.seed is not None:
            ext[f"{EXT}/seed"] = int(self.a.run.seed)
        if self.variant:
            ext[f"{EXT}/variant"] = self.variant
        version = self.a.scenario.get("version")
        if version:
            ext[f"{EXT}/scenario-version"] = str(version)
        ext.update(extra or {})
        ctx: dict = {"registration": self.registration, "platform": f"twinlang {__version__}",
                     "language": LANG}
        acts = {}
        if parent:
            acts["parent"] = [{"objectType": "Activity", "id": i} for i in parent]
        if grouping:
            acts["grouping"] = [{"objectType": "Activity", "id": i} for i in grouping]
        if acts:
            ctx["contextActivities"] = acts
        if version:
            ctx["revision"] = str(version)
        ctx["extensions"] = ext
        return ctx

    def statement(self, verb: str, obj: dict, t: float, *, result: dict | None = None,
                  context: dict | None = None) -> dict:
        verb_iri = self.verbs[verb]
        out = {
            "id": statement_id(self.registration, self.session, verb_iri, obj["id"]),
            "actor": self.actor,
            "verb": {"id": verb_iri, "display": {LANG: verb}},
            "object": obj,
            "context": context if context is not None else self.context(),
            "timestamp": timestamp_at(self.start, t),
        }
        if result is not None:
            out["result"] = result
        return out

    # -- the parts

    def critical_items(self) -> list[tuple[CriticalItemResult, str]]:
        """Each critical step due in the run, once (a step assessed by two competencies
        failed if either says so)."""
        steps = {s.step: s for s in self.a.steps}
        merged: dict[str, CriticalItemResult] = {}
        for c in self.a.competencies:
            if not c.assessed:
                continue
            for item in c.critical_items:
                rec = steps.get(item.step)
                if rec is not None and not rec.required and rec.status != "completed":
                    continue  # on a branch the run did not take: not due
                old = merged.get(item.step)
                if old is None or (item.failed and not old.failed):
                    merged[item.step] = item
                elif item.failed and old.failed:
                    extra = [r for r in item.reasons if r not in old.reasons]
                    merged[item.step] = old.model_copy(
                        update={"reasons": [*old.reasons, *extra]})
        from ..compile.lower import _iri_part

        out = []
        for step, item in merged.items():
            iri = item.xapi_activity or f"{self.procedure}/steps/{_iri_part(step)}"
            out.append((item, iri))
        return out

    def critical_statement(self, item: CriticalItemResult, iri: str, number: int | None) -> dict:
        rec = next((s for s in self.a.steps if s.step == item.step), None)
        result: dict = {"success": not item.failed}
        if rec is not None and rec.duration is not None:
            result["duration"] = duration(rec.duration)
        if item.failed:
            reasons = item.reasons or ["failed"]
            result["response"] = "; ".join(reasons)
            result["extensions"] = {f"{EXT}/error": _error_code(reasons[0])}
        extra = {f"{EXT}/step": item.step}
        if number is not None:
            extra[f"{EXT}/step-number"] = number
        t = self.a.run.end
        if rec is not None and rec.completed is not None:
            t = rec.completed
        times = [e.t for e in item.evidence]
        if item.failed and times:
            t = max(times)
        t = min(max(t, self.a.run.start), self.a.run.end)
        ctx = self.context(parent=[self.procedure], grouping=[self.scenario], extra=extra)
        return self.statement("failed" if item.failed else "passed",
                              self.activity(iri, item.title or item.step), t,
                              result=result, context=ctx)

    def competency_statement(self, c: CompetencyResult) -> dict:
        from ..compile.lower import _iri_part

        iri = c.xapi_activity or f"{self.bundle.xapi.activity_base}/competencies/" \
                                 f"{_iri_part(c.id)}"
        used = {(t.metric, t.subject) for t in c.thresholds}
        metrics = {_metric_key(m.metric, m.subject): _num(m.value)
                   for m in self.a.metrics if (m.metric, m.subject) in used}
        thresholds = []
        for t in c.thresholds:
            entry = {"metric": t.metric, "requirement": t.requirement, "comparison": t.comparison,
                     "required": _num(t.required), "value": _num(t.measured), "met": t.met,
                     "weight": _num(t.weight), "critical": t.critical}
            if t.subject is not None:
                entry["subject"] = t.subject
            if t.why:
                entry["why"] = t.why
            thresholds.append(entry)
        result = {"success": c.passed,
                  "score": {"scaled": _num(c.score, 4), "raw": _num(c.score, 4),
                            "min": 0, "max": 1},
                  "duration": duration(self.a.run.end - self.a.run.start),
                  "extensions": {f"{EXT}/metrics": metrics, f"{EXT}/thresholds": thresholds}}
        if c.reasons:
            result["response"] = "; ".join(c.reasons)
        extra = {f"{EXT}/mastery-score": _num(c.pass_score, 4)}
        ctx = self.context(parent=[self.scenario], grouping=[self.procedure], extra=extra)
        return self.statement("passed" if c.passed else "failed",
                              self.activity(iri, c.title or c.id), self.a.run.end,
                              result=result, context=ctx)

    def verdict_statement(self, assessed: list[CompetencyResult],
                          failed_items: list[str]) -> dict:
        lowest = min(assessed, key=lambda c: (c.score, c.id))
        overall = {_metric_key(m.metric, m.subject): _num(m.value)
                   for m in self.a.metrics if m.subject is None}
        result = {"success": self.a.passed,
                  "score": {"scaled": _num(lowest.score, 4)},
                  "duration": duration(self.a.run.end - self.a.run.start),
                  "extensions": {f"{EXT}/critical-items-failed": failed_items,
                                 f"{EXT}/metrics": overall}}
        extra = {f"{EXT}/mastery-score": _num(lowest.pass_score, 4)}
        return self.statement("passed" if self.a.passed else "failed",
                              self.activity(self.scenario), self.a.run.end, result=result,
                              context=self.context(extra=extra))

    def build(self) -> list[dict]:
        run = self.a.run
        scen = self.activity(self.scenario)
        out = [self.statement("launched", scen, run.start),
               self.statement("initialized", scen, run.start)]
        numbers: dict[str, int] = {}
        try:
            from ..compile.sop import flows

            numbers = flows(self.bundle).get(run.procedure).numbers
        except (AttributeError, KeyError):  # a procedure the bundle does not have
            numbers = {}
        items = sorted(self.critical_items(),
                       key=lambda x: (numbers.get(x[0].step, 1 << 30), x[0].step))
        out.extend(self.critical_statement(item, iri, numbers.get(item.step))
                   for item, iri in items)
        assessed = [c for c in self.a.competencies if c.assessed]
        out.extend(self.competency_statement(c) for c in assessed)
        if run.outcome == "completed":
            out.append(self.statement("completed", scen, run.end, result={
                "completion": True, "duration": duration(run.end - run.start)}))
        if assessed:
            failed_items = [item.step for item, _ in items if item.failed]
            out.append(self.verdict_statement(assessed, failed_items))
        out.append(self.statement("terminated", scen, run.end, result={
            "duration": duration(run.end - run.start)}))
        return out


def _metric_key(metric: str, subject: str | None) -> str:
    return metric if subject is None else f"{metric}/{subject}"


def statements(assessment: Assessment, bundle, *, actor: dict,
               registration: str | None = None, session_id: str | None = None,
               timestamp: str | None = None) -> list[dict]:
    """The xAPI statements of ``assessment`` (made against ``bundle``), in order.

    ``actor`` is an xAPI Agent (one identifier: ``mbox``, ``account``, ...).
    ``registration`` is a UUID; ``session_id`` any text; both default to UUIDs derived
    from the assessment.  ``timestamp`` is the wall-clock time (ISO 8601 with a zone) at
    which the run started; statements are timed at it plus simulation time.  Without
    it the current time is used, and statements sent twice are no longer identical.
    Raises ValueError for a registration that is not a UUID or a bad timestamp.
    """
    if assessment.bundle_hash != bundle.content_hash:
        raise ValueError("the assessment was made against another build of the scenario "
                         f"({assessment.bundle_hash}, the bundle is {bundle.content_hash})")
    if session_id is None:
        session_id = session_uuid(assessment.model_dump_json().encode())
    if registration is None:
        registration = str(uuid.uuid5(NAMESPACE, "registration\n" + session_id))
    else:
        registration = str(uuid.UUID(registration))
    start = parse_timestamp(timestamp) if timestamp else datetime.now(UTC)
    return _Builder(assessment, bundle, actor, registration, session_id, start).build()


def write_statements(statements: list[dict], path: str | Path) -> None:
    """Write ``statements`` as JSON Lines (UTF-8, one statement a line, sorted keys)."""
    text = "".join(json.dumps(s, sort_keys=True, ensure_ascii=False, allow_nan=False,
                              separators=(",", ":")) + "\n" for s in statements)
    Path(path).write_text(text, encoding="utf-8", newline="\n")


# ------------------------------------------------------------------ structural checks

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?"
                       r"(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_INTERACTIONS = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                 "sequencing", "likert", "numeric", "other"}


def _agent_problems(agent: object, where: str) -> list[str]:
    if not isinstance(agent, dict):
        return [f"{where} is not an object"]
    out = []
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in agent]
    if len(ifis) != 1:
        out.append(f"{where} needs exactly one identifier, has {ifis}")
    if "mbox" in agent and not re.match(r"^mailto:[^@\s]+@[^@\s]+$", str(agent["mbox"])):
        out.append(f"{where}.mbox is not a mailto IRI")
    acc = agent.get("account")
    if acc is not None and (not isinstance(acc, dict)
                            or not re.match(r"^https?://\S+$", str(acc.get("homePage")))
                            or not acc.get("name")):
        out.append(f"{where}.account needs a homePage URL and a name")
    if agent.get("objectType", "Agent") != "Agent":
        out.append(f"{where}.objectType is not `Agent`")
    return out


def _lang_map(value: object, where: str) -> list[str]:
    if not isinstance(value, dict) or not value or not all(
            isinstance(k, str) and re.match(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", k)
            and isinstance(v, str) for k, v in value.items()):
        return [f"{where} is not a language map"]
    return []


def _extensions(value: object, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} is not an object"]
    return [f"{where} key `{k}` is not an IRI" for k in value if not _IRI.match(k)]


def _activity_problems(act: object, where: str) -> list[str]:
    if not isinstance(act, dict) or not _IRI.match(str(act.get("id", ""))):
        return [f"{where}.id is not an IRI"]
    out = []
    if act.get("objectType", "Activity") != "Activity":
        out.append(f"{where}.objectType is not `Activity`")
    d = act.get("definition")
    if d is not None:
        for key in ("name", "description"):
            if key in d:
                out += _lang_map(d[key], f"{where}.definition.{key}")
        if "type" in d and not _IRI.match(str(d["type"])):
            out.append(f"{where}.definition.type is not an IRI")
        if "interactionType" in d and d["interactionType"] not in _INTERACTIONS:
            out.append(f"{where}.definition.interactionType is not an xAPI interaction type")
    return out


def problems(statement: dict) -> list[str]:
    """What makes ``statement`` not a valid xAPI 1.0.3 statement, as far as its structure
    goes (no LRS needed); an empty list when nothing was found."""
    out: list[str] = []
    allowed = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
               "authority", "version", "attachments"}
    out += [f"unknown property `{k}`" for k in statement if k not in allowed]
    if not _UUID.match(str(statement.get("id", ""))):
        out.append("id is not a lowercase UUID")
    out += _agent_problems(statement.get("actor"), "actor")
    verb = statement.get("verb") or {}
    if not _IRI.match(str(verb.get("id", ""))):
        out.append("verb.id is not an IRI")
    if "display" in verb:
        out += _lang_map(verb["display"], "verb.display")
    out += _activity_problems(statement.get("object"), "object")
    if not _TIMESTAMP.match(str(statement.get("timestamp", ""))):
        out.append("timestamp is not ISO 8601 with a time zone")
    res = statement.get("result")
    if res is not None:
        score = res.get("score")
        if score is not None:
            scaled = score.get("scaled")
            if scaled is not None and not (isinstance(scaled, int | float) and -1 <= scaled <= 1):
                out.append("result.score.scaled is not in -1..1")
            lo, hi, raw = score.get("min"), score.get("max"), score.get("raw")
            if lo is not None and hi is not None and lo >= hi:
                out.append("result.score.min is not below max")
            if raw is not None and ((lo is not None and raw < lo) or (hi is not None and raw > hi)):
                out.append("result.score.raw is outside min..max")
        for key in ("success", "completion"):
            if key in res and not isinstance(res[key], bool):
                out.append(f"result.{key} is not a boolean")
        if "duration" in res and not _DURATION.match(str(res["duration"])):
            out.append("result.duration is not an ISO 8601 duration")
        if "response" in res and not isinstance(res["response"], str):
            out.append("result.response is not a string")
        if "extensions" in res:
            out += _extensions(res["extensions"], "result.extensions")
    ctx = statement.get("context")
    if ctx is not None:
        if "registration" in ctx and not _UUID.match(str(ctx["registration"])):
            out.append("context.registration is not a lowercase UUID")
        for kind, acts in (ctx.get("contextActivities") or {}).items():
            if kind not in ("parent", "grouping", "category", "other"):
                out.append(f"context.contextActivities.{kind} is not an xAPI property")
            for i, act in enumerate(acts if isinstance(acts, list) else [acts]):
                out += _activity_problems(act, f"context.contextActivities.{kind}[{i}]")
        if "extensions" in ctx:
            out += _extensions(ctx["extensions"], "context.extensions")
    try:
        json.dumps(statement, allow_nan=False)
    except ValueError:
        out.append("a number is NaN or infinite")
    return out
