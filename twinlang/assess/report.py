"""`report.html`: an assessed run for trainers and auditors.

`write_report(assessment, run, bundle, out_dir)` writes ``report.html`` and the plot it
shows (``timeline.svg``) into ``out_dir``.  The page is self-contained: the CSS is inline,
the plot is embedded as an image (and also written next to the page), there is no script
and nothing is loaded from the network.  Every string that comes from the scenario or the
log is a value given to an autoescaping Jinja template, never part of a template.  The same
inputs give the same bytes (no dates, no machine-dependent text).

Sections: the verdict (scenario, procedure, trainee, seed, outcome, pass or fail and why),
one section per competency (score against the pass score, each threshold, the critical
items with their evidence), the metrics, the timeline of the run against the expected
steps, the per-step times and the events of the log.  Each event row has the anchor
``#line-N`` (N is its line in the log, the header being line 1); every piece of evidence
links there.
"""

from __future__ import annotations

import base64
import heapq
import json
from pathlib import Path
from typing import Any

from ..bundle import model as bm
from . import metrics, plots
from .model import Assessment, Evidence

TEMPLATES = Path(__file__).parent / "templates"
REPORT = "report.html"
TIMELINE = "timeline.svg"

# Graph edges that follow the written order of the procedure (not loops back or alarms).
_FORWARD = ("next", "branch", "else", "option", "fork", "join")

# Events that show an error, and the word the event list shows for them.
_ERROR_EVENTS = {
    "step_skipped": "omitted",
    "wrong_role": "wrong role",
    "expectation_failed": "expectation failed",
    "critical": "critical",
    "retry_exhausted": "retries used up",
    "physics_error": "simulation error",
    "truncated": "stopped",
}
_NOTICE_EVENTS = {"alarm": "alarm", "fault_alarm": "alarm", "fault_injected": "fault",
                  "fault_cleared": "fault", "hint": "hint"}


# ---------------------------------------------------------------- formatting


def fmt_duration(seconds: float | None) -> str:
    """``12.5 s``, ``3 min 20 s``, ``1 h 05 min`` (as in the assessment's own texts); an em
    dash when there is no value."""
    if seconds is None:
        return "—"
    return metrics.fmt_time(seconds)


def fmt_validity(seconds: float) -> str:
    """A validity period as written in scenarios: ``1 year``, ``18 months``, ``90 days``."""
    year, day = 365.25 * 86400, 86400.0
    for size, one, many in ((year, "year", "years"), (year / 12, "month", "months"),
                            (day, "day", "days")):
        n = seconds / size
        if n >= 1 and abs(n - round(n)) < 1e-6:
            return f"{round(n)} {one if round(n) == 1 else many}"
    return fmt_duration(seconds)


def fmt_time(t: float | None) -> str:
    """A simulation time, in seconds with two decimals."""
    return "—" if t is None else f"{t:.2f}"


def fmt_percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


# ---------------------------------------------------------------- expected order


def find_procedure(bundle: bm.Bundle, procedure_id: str) -> bm.Procedure | None:
    return next((p for p in bundle.procedures if p.id == procedure_id), None)


def expected_order(procedure: bm.Procedure) -> list[str]:
    """The steps of ``procedure`` in the order of its step graph: a topological order of
    the forward edges (ties in the order the steps were written), then the steps reached
    only from an alarm, in the order written."""
    nodes = procedure.graph.nodes
    position = {n.id: i for i, n in enumerate(nodes)}
    kind = {n.id: n.kind for n in nodes}
    succ: dict[str, list[str]] = {n.id: [] for n in nodes}
    indeg = dict.fromkeys(succ, 0)
    for e in procedure.graph.edges:
        if e.kind in _FORWARD and e.source in succ and e.target in succ:
            succ[e.source].append(e.target)
            indeg[e.target] += 1
    # Start from `start` only: nodes reached from elsewhere (alarms) come afterwards.
    reach, stack = {"start"}, ["start"]
    while stack:
        for t in succ.get(stack.pop(), []):
            if t not in reach:
                reach.add(t)
                stack.append(t)
    order: list[str] = []
    heap = [(position[n], n) for n in reach if indeg[n] == 0 or n == "start"]
    heapq.heapify(heap)
    seen: set[str] = set()
    while heap:
        _, n = heapq.heappop(heap)
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        for t in succ[n]:
            indeg[t] -= 1
            if indeg[t] <= 0 and t in reach:
                heapq.heappush(heap, (position[t], t))
    rest = [n.id for n in nodes if n.id not in seen]  # alarm branches, leftover cycles
    return [n for n in order + rest if kind.get(n) == "step"]


# ---------------------------------------------------------------- the timeline


def build_timeline(assessment: Assessment, events: list[dict],
                   procedure: bm.Procedure | None) -> plots.Timeline:
    """Bars, error markers and vertical lines of the run, from the events of the log."""
    nodes = {n.id: n for n in procedure.graph.nodes} if procedure else {}
    order = expected_order(procedure) if procedure else []
    records = {s.step: s for s in assessment.steps}
    for s in assessment.steps:
        if s.step not in order:
            order.append(s.step)
    for ev in events:
        step = ev.get("step")
        if ev.get("type") == "step_entered" and isinstance(step, str) and step not in order:
            order.append(step)

    def label(step: str) -> str:
        title = (nodes[step].title if step in nodes else None) or (
            records[step].title if step in records else None)
        return title or step

    def critical(step: str) -> bool:
        return (nodes[step].critical if step in nodes else False) or (
            records[step].critical if step in records else False)

    tl = plots.Timeline(rows=[plots.Row(s, label(s), critical(s)) for s in order],
                        start=assessment.run.start, end=assessment.run.end)
    rows = set(order)
    open_at: dict[str, float] = {}
    interrupted: dict[str, list[str]] = {}  # alarm -> the steps it interrupted
    done_at: set[str] = set()  # steps completed or skipped since last entered

    def close(step: str, t: float, how: str) -> None:
        if step in open_at:
            tl.bars.append(plots.Bar(step, open_at.pop(step), t, how))
        if how in ("completed", "skipped"):
            done_at.add(step)

    def mark(step: Any, t: float, kind: str) -> None:
        tl.marks.append(plots.Mark(step if step in rows else plots.NO_STEP, t, kind))

    times = [assessment.run.start, assessment.run.end]
    for ev in events:
        kind, step = ev.get("type"), ev.get("step")
        t = ev.get("t")
        if not isinstance(t, int | float) or isinstance(t, bool):
            continue
        t = float(t)
        times.append(t)
        if kind == "step_entered" and isinstance(step, str):
            close(step, t, "interrupted")
            open_at[step] = t
            done_at.discard(step)
        elif kind == "step_completed" and isinstance(step, str):
            close(step, t, "completed")
            if ev.get("out_of_order"):
                mark(step, t, "out_of_order")
        elif kind == "step_skipped" and isinstance(step, str):
            close(step, t, "skipped")
            mark(step, t, "omitted")
        elif kind == "action":
            if ev.get("deviation") == "out_of_order":
                mark(step, t, "out_of_order")
            elif ev.get("deviation") == "extra":
                mark(step, t, "extra")
            if ev.get("accepted") is False:
                mark(step, t, "refused")
        elif kind in ("wrong_role", "expectation_failed", "hint"):
            mark(step, t, kind)
        elif kind == "critical":
            if step in rows:
                mark(step, t, "critical")
            else:
                tl.lines.append(plots.VLine(t, "critical"))
        elif kind in ("alarm", "fault_alarm", "fault_injected", "fault_cleared"):
            tl.lines.append(plots.VLine(t, kind))
            if kind == "alarm":
                stopped = [s for s in ev.get("interrupted") or [] if isinstance(s, str)]
                interrupted[str(ev.get("alarm"))] = stopped
                for s in stopped:
                    close(s, t, "interrupted")
        elif kind == "resumed":
            for s in interrupted.pop(str(ev.get("alarm")), []):
                if s not in open_at and s not in done_at:
                    open_at[s] = t
    tl.start, tl.end = min(times), max(times)
    for step in sorted(open_at, key=order.index):
        close(step, tl.end, "open")
    skipped = {m.step for m in tl.marks if m.kind == "omitted"}
    for s in assessment.steps:
        if s.status == "omitted" and s.step not in skipped:
            mark(s.step, tl.end, "omitted")
    return tl


def timeline_description(tl: plots.Timeline) -> str:
    """A text alternative of the timeline for the image's alt text."""
    counts: dict[str, int] = {}
    for m in tl.marks:
        counts[m.kind] = counts.get(m.kind, 0) + 1
    marks = "; ".join(f"{n} × {plots.MARKS[k][0]}" for k, n in counts.items())
    lines: dict[str, int] = {}
    for v in tl.lines:
        lines[v.kind] = lines.get(v.kind, 0) + 1
    vlines = "; ".join(f"{n} × {plots.LINES[k][0]}" for k, n in lines.items())
    return (f"Gantt chart of {len(tl.rows)} expected steps from {fmt_time(tl.start)} s to "
            f"{fmt_time(tl.end)} s with {len(tl.bars)} bars of steps under way. "
            f"Errors marked: {marks or 'none'}. Vertical lines: {vlines or 'none'}. "
            "The same data is in the per-step table and the event list.")


# ---------------------------------------------------------------- the page


def _events(run: Any) -> list[dict]:
    events = getattr(run, "events", None) or []
    return [e for e in events if isinstance(e, dict)]


def _evidence(items: list[Evidence], lines: set[int]) -> list[dict]:
    return [{"line": e.line, "t": fmt_time(e.t), "type": e.type, "step": e.step,
             "text": e.text, "linked": e.line in lines} for e in items]


def _event_rows(header: dict | None, events: list[dict], cited: dict[int, list[str]]) -> list:
    rows = []
    if header is not None:
        details = [(k, _value_text(v)) for k, v in sorted(header.items()) if k != "type"]
        rows.append({"line": 1, "t": "", "type": "header", "step": "", "flag": "", "error": False,
                     "details": details, "cited": cited.get(1, [])})
    for i, ev in enumerate(events):
        line = i + 2
        kind = str(ev.get("type", ""))
        step = ev.get("step") if ev.get("step") is not None else ev.get("node")
        flag = _ERROR_EVENTS.get(kind) or _NOTICE_EVENTS.get(kind, "")
        if kind == "action":
            if ev.get("accepted") is False:
                flag = "refused"
            elif ev.get("deviation"):
                flag = str(ev.get("deviation")).replace("_", " ")
        elif kind == "step_completed" and ev.get("out_of_order"):
            flag = "out of order"
        details = [(k, _value_text(v)) for k, v in sorted(ev.items())
                   if k not in ("t", "type", "step") and v not in (None, [], {})]
        t = ev.get("t")
        rows.append({"line": line, "t": fmt_time(t) if isinstance(t, int | float) else "",
                     "type": kind, "step": "" if step is None else _value_text(step),
                     "flag": flag, "error": kind in _ERROR_EVENTS or flag in (
                         "refused", "out of order", "extra"),
                     "details": details, "cited": cited.get(line, [])})
    return rows


def report_context(assessment: Assessment, run: Any, bundle: bm.Bundle) -> dict:
    """Everything the template shows, as plain values (strings are escaped by the template)."""
    events = _events(run)
    header = getattr(run, "header", None)
    header = header if isinstance(header, dict) else None
    lines = set(range(2, len(events) + 2)) | ({1} if header is not None else set())
    procedure = find_procedure(bundle, assessment.run.procedure)
    tl = build_timeline(assessment, events, procedure)

    cited: dict[int, list[str]] = {}
    metrics = []
    for i, m in enumerate(assessment.metrics):
        anchor = f"metric-{i + 1}"
        name = m.metric + (f" ({m.subject})" if m.subject else "")
        for e in m.evidence:
            if name not in cited.setdefault(e.line, []):
                cited[e.line].append(name)
        metrics.append({"anchor": anchor, "metric": m.metric, "subject": m.subject,
                        "text": m.text, "detail": m.detail,
                        "evidence": _evidence(m.evidence, lines)})

    competencies, failed = [], []
    for i, c in enumerate(assessment.competencies):
        items = []
        for item in c.critical_items:
            for e in item.evidence:
                what = f"critical item {item.step}"
                if what not in cited.setdefault(e.line, []):
                    cited[e.line].append(what)
            items.append({"step": item.step, "title": item.title, "failed": item.failed,
                          "reasons": item.reasons,
                          "evidence": _evidence(item.evidence, lines)})
        thresholds = [{"requirement": t.requirement, "metric": t.metric,
                       "subject": t.subject, "measured": t.measured_text, "met": t.met,
                       "critical": t.critical, "weight": f"{t.weight:g}", "why": t.why,
                       "source": t.source} for t in c.thresholds]
        entry = {"anchor": f"competency-{i + 1}", "id": c.id, "title": c.title or c.id,
                 "variant": c.variant, "assessed": c.assessed,
                 "score": fmt_percent(c.score), "pass_score": fmt_percent(c.pass_score),
                 "passed": c.passed, "reasons": c.reasons, "thresholds": thresholds,
                 "critical_items": items,
                 "valid_for": fmt_validity(c.valid_for_seconds)
                 if c.valid_for_seconds is not None else None}
        competencies.append(entry)
        if c.assessed and not c.passed:
            failed.append(entry)

    assessed = [c for c in assessment.competencies if c.assessed]
    if not assessed:
        verdict_reasons = ["no competency of the scenario assesses this procedure"]
    elif assessment.passed:
        verdict_reasons = [f"every assessed competency passed ({len(assessed)})"]
    else:
        verdict_reasons = []
        for c in failed:
            why = "; ".join(c["reasons"]) or f"score {c['score']} below {c['pass_score']}"
            verdict_reasons.append(f"{c['title']}: {why}")

    order = {r.step: i for i, r in enumerate(tl.rows)}
    steps = sorted(assessment.steps, key=lambda s: order.get(s.step, len(order)))
    step_rows = [{"step": s.step, "title": s.title, "status": s.status.replace("_", " "),
                  "required": s.required, "critical": s.critical,
                  "performed_by": s.performed_by, "entered": fmt_time(s.entered),
                  "started": fmt_time(s.started), "completed": fmt_time(s.completed),
                  "duration": fmt_duration(s.duration), "times": s.times,
                  "errors": s.errors} for s in steps]

    warnings = list(assessment.warnings)
    for w in getattr(run, "warnings", None) or []:
        if str(w) not in warnings:
            warnings.append(str(w))
    r = assessment.run
    player = r.player or {}
    variants = sorted({c.variant for c in assessment.competencies})
    return {
        "scenario": {"id": bundle.scenario.id, "title": bundle.scenario.title,
                     "version": bundle.scenario.version, "risk": bundle.scenario.risk,
                     "site": bundle.scenario.site},
        "procedure": {"id": r.procedure, "title": procedure.title if procedure else None},
        "run": {"trainee": r.trainee, "seed": r.seed, "outcome": r.outcome,
                "reason": r.reason, "start": fmt_time(r.start), "end": fmt_time(r.end),
                "duration": fmt_duration(r.end - r.start), "events": r.events,
                "complete_log": r.complete_log, "log": r.log,
                "player": " ".join(str(player[k]) for k in ("name", "version")
                                   if player.get(k) is not None)},
        "bundle_hash": assessment.bundle_hash,
        "variants": variants,
        "passed": assessment.passed,
        "verdict_reasons": verdict_reasons,
        "warnings": warnings,
        "competencies": competencies,
        "metrics": metrics,
        "steps": step_rows,
        "events": _event_rows(header, events, cited),
        "timeline": tl,
        "timeline_alt": timeline_description(tl),
        "legend_marks": [v[0] for k, v in plots.MARKS.items()
                         if any(m.kind == k for m in tl.marks)],
    }


def code_spans(text: object):
    """``text`` HTML-escaped, with each `name` in backticks shown as code (the messages of
    the assessment put names in backticks).  Unbalanced backticks stay as they are."""
    from markupsafe import Markup, escape

    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return escape(str(text))
    return Markup("").join(escape(p) if i % 2 == 0 else Markup("<code>%s</code>") % p
                           for i, p in enumerate(parts))


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["code"] = code_spans
    return env


def render_html(context: dict, timeline_svg: bytes) -> bytes:
    """The page as UTF-8 bytes; the SVG is embedded as a data URL (an image: no script in
    it can run)."""
    from .._version import __version__

    data_url = "data:image/svg+xml;base64," + base64.b64encode(timeline_svg).decode("ascii")
    text = _environment().get_template("report.html.j2").render(
        version=__version__, timeline_src=data_url, timeline_file=TIMELINE, **context)
    return (text.rstrip("\n") + "\n").encode("utf-8")


def write_report(assessment: Assessment, run: Any, bundle: bm.Bundle, out_dir: Path) -> Path:
    """Write ``report.html`` and ``timeline.svg`` into ``out_dir`` (created if needed);
    return the path of ``report.html``.

    ``run`` is the log as read (``.header`` dict, ``.events`` list in log order, event i on
    line i + 2, ``.warnings``); ``bundle`` the bundle the run was played from."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = report_context(assessment, run, bundle)
    svg = plots.timeline_svg(context["timeline"])
    (out_dir / TIMELINE).write_bytes(svg)
    path = out_dir / REPORT
    path.write_bytes(render_html(context, svg))
    return path
