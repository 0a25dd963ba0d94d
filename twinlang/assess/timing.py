"""The time metrics: completion, per step, recovery after faults, latency under alarms."""

from __future__ import annotations

from .metrics import fmt_time, metric
from .model import MetricValue
from .runfacts import RunFacts


def _time(name: str, value: float | None, detail: str, evidence=(), *, subject=None,
          applicable: bool = True) -> MetricValue:
    if not applicable:
        text = "not applicable"
    else:
        text = fmt_time(value) if value is not None else "not measured"
    return MetricValue(metric=name, subject=subject, value=value, unit="s", text=text,
                       detail=detail, evidence=list(evidence), applicable=applicable)


@metric("completion_time", "s", """
    time from the start of the procedure to its end, when it was completed; not applicable
    when it stopped at one of its own `abort` steps (an evacuation, say); not measured (so
    any threshold on it is not met) when it ended otherwise""")
def _completion(rf: RunFacts) -> list[MetricValue]:
    if rf.outcome == "aborted" and rf.ended_index is not None:
        return [_time("completion_time", None, "the procedure stopped at one of its own "
                      "`abort` steps", [rf.evidence(rf.ended_index)], applicable=False)]
    if rf.outcome != "completed" or rf.ended_index is None:
        return [_time("completion_time", None, f"the procedure was not completed "
                      f"({rf.outcome})")]
    return [_time("completion_time", rf.end - rf.start, "from procedure start to end",
                  [rf.evidence(rf.ended_index)])]


@metric("step_time", "s", """
    per step: time from entering the step to completing it; when a step was done more than
    once (a retry), the longest of its times""")
def _step_time(rf: RunFacts) -> list[MetricValue]:
    out = []
    for s in rf.proc.order:
        idx = rf.steps[s].completed
        if not idx:
            out.append(_time("step_time", None, f"step `{s}` was not completed", subject=s))
            continue
        durations = [(float(rf.run.events[i].get("duration") or 0.0), i) for i in idx]
        value, i = max(durations)
        detail = "entered to completed" + (f", longest of {len(idx)} times"
                                           if len(idx) > 1 else "")
        out.append(_time("step_time", value, detail, [rf.evidence(i)], subject=s))
    return out


def _fault_ids(rf: RunFacts) -> list[str]:
    seen: list[str] = []
    for e in rf.run.events:
        if e["type"] == "fault_injected" and e.get("fault") not in seen:
            seen.append(str(e.get("fault")))
    return seen


def recoveries(rf: RunFacts) -> dict[str, list[tuple[int, int, int | None]]]:
    """{fault: [(injected index, detected index, recovered index or None)]}.

    Detected: the first alarm (`alarm` or `fault_alarm`) at or after the injection while
    the fault is active, else the injection itself.  Recovered: the first of the handler's
    `resumed`, the fault cleared by the trainee's step (`how: step`), or the completion of
    a step that was active when the fault was detected."""
    ev = rf.run.events
    out: dict[str, list[tuple[int, int, int | None]]] = {}
    for i, e in enumerate(ev):
        if e["type"] != "fault_injected":
            continue
        fault = str(e.get("fault"))
        cleared = next((j for j in range(i + 1, len(ev)) if ev[j]["type"] == "fault_cleared"
                        and ev[j].get("fault") == fault), None)
        limit = cleared if cleared is not None else len(ev)
        detected = next((j for j in range(i, limit) if ev[j]["type"] == "alarm"
                         or (ev[j]["type"] == "fault_alarm" and ev[j].get("fault") == fault)),
                        i)
        active = _active_steps(rf, detected)
        recovered = None
        for j in range(detected, len(ev)):
            x = ev[j]
            if x["type"] == "resumed" and j > detected:
                recovered = j
            elif x["type"] == "fault_cleared" and x.get("fault") == fault and \
                    x.get("how") == "step":
                recovered = j
            elif x["type"] == "step_completed" and x.get("step") in active:
                recovered = j
            elif x["type"] == "procedure_ended":
                if x.get("outcome") == "aborted" and j > detected:
                    recovered = j  # the procedure's own abort: stopped safely
                break
            if recovered is not None:
                break
        out.setdefault(fault, []).append((i, detected, recovered))
    return out


def _active_steps(rf: RunFacts, index: int) -> set[str]:
    active: set[str] = set()
    for e in rf.run.events[: index + 1]:
        if e["type"] == "step_entered":
            active.add(e.get("step"))
        elif e["type"] in ("step_completed", "step_skipped"):
            active.discard(e.get("step"))
    return active


@metric("recovery_time", "s", """
    per induced fault: time from the moment the fault showed (its alarm, or its injection
    when it raises none) to the safe state: the alarm handler resumed the procedure, the
    trainee's step cleared the fault, the step under way when it showed was completed, or
    the procedure stopped safely at its own `abort`; the longest over repeated injections.
    Without a subject: the longest over all faults. Not applicable when no fault was
    injected; not measured (threshold not met) when the run ended before recovery""")
def _recovery(rf: RunFacts) -> list[MetricValue]:
    out: list[MetricValue] = []
    values: list[float | None] = []
    all_evidence = []
    for fault, items in recoveries(rf).items():
        value: float | None = 0.0
        evidence = []
        for _, d, r in items:
            evidence.append(rf.evidence(d))
            if r is None:
                value = None
                continue
            evidence.append(rf.evidence(r, "safe state reached"))
            if value is not None:
                value = max(value, rf.t(r) - rf.t(d))
        detail = "from the fault showing to the safe state" if value is not None else \
            "the run ended before the safe state was reached"
        out.append(_time("recovery_time", value, detail, evidence, subject=fault))
        values.append(value)
        all_evidence.extend(evidence)
    if not values:
        out.append(_time("recovery_time", None, "no fault was injected in this run",
                         applicable=False))
    elif None in values:
        out.append(_time("recovery_time", None, "a fault was not recovered from before the "
                         "run ended", all_evidence))
    else:
        out.append(_time("recovery_time", max(values), "the longest over all faults",
                         all_evidence))
    return out


@metric("decision_latency", "s", """
    per alarm: time from the alarm to the trainee's first response (an action or a choice);
    the longest over the alarms of the run. Not applicable when no alarm was raised; not
    measured (threshold not met) when an alarm got no response""")
def _latency(rf: RunFacts) -> list[MetricValue]:
    ev = rf.run.events
    worst: float | None = 0.0
    evidence = []
    alarms = [i for i, e in enumerate(ev) if e["type"] in ("alarm", "fault_alarm")]
    for i in alarms:
        j = next((j for j in range(i, len(ev)) if ev[j]["type"] in ("action", "choice_made")),
                 None)
        evidence.append(rf.evidence(i))
        if j is None:
            worst = None
            continue
        evidence.append(rf.evidence(j, "first response"))
        if worst is not None:
            worst = max(worst, rf.t(j) - rf.t(i))
    if not alarms:
        return [_time("decision_latency", None, "no alarm was raised in this run",
                      applicable=False)]
    detail = f"the longest of {len(alarms)} alarms" if worst is not None else \
        "an alarm got no response"
    return [_time("decision_latency", worst, detail, evidence)]
