"""The metrics: a registry of functions from a run's facts to measured values.

Each metric is registered with its unit and its formula in words (docs/assessment.md is
generated from the same text).  A function returns one `MetricValue` per subject: the
metrics that take a subject (a step, a fault) return one per step or fault of the
procedure, and the ones that may also be used without a subject return the aggregate
with ``subject=None`` too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Evidence, MetricValue
from .runfacts import RunFacts, per_run

EPS = 1e-6


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    formula: str
    compute: Callable[[RunFacts], list[MetricValue]]


METRICS: dict[str, Metric] = {}


def metric(name: str, unit: str, formula: str):
    def deco(fn: Callable[[RunFacts], list[MetricValue]]):
        METRICS[name] = Metric(name, unit, " ".join(formula.split()), fn)
        return fn
    return deco


def measure(rf: RunFacts) -> list[MetricValue]:
    values: list[MetricValue] = []
    for m in METRICS.values():
        values.extend(m.compute(rf))
    return values


# ------------------------------------------------------------------ formatting


def fmt_value(value: float | None, unit: str, *, fraction: bool = False) -> str:
    if value is None:
        return "not measured"
    if fraction:
        return f"{value * 100:.1f} %".replace(".0 %", " %")
    if unit == "s":
        return fmt_time(value)
    return f"{value:g}"


def fmt_time(seconds: float) -> str:
    """``12.5 s``, ``3 min 20 s``, ``1 h 05 min``: every duration an assessment shows."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _count(name: str, items: list[Evidence], detail: str) -> MetricValue:
    return MetricValue(metric=name, value=float(len(items)), unit="1", text=str(len(items)),
                       detail=detail, evidence=items)


# ------------------------------------------------------------------ order


@per_run
def order_violations(rf: RunFacts) -> list[tuple[str, str]]:
    """The order constraints (a, b) of required steps that the run did not respect."""
    bad = []
    for a, b in rf.proc.constraints:
        if a not in rf.required or b not in rf.required:
            continue
        done_a, start_b = rf.done(a), rf.started(b)
        if done_a is None or start_b is None or done_a > start_b + EPS:
            bad.append((a, b))
    return bad


@per_run
def wrong_order_steps(rf: RunFacts) -> dict[str, tuple[str, int]]:
    """Steps begun before a step they follow was done, where that step was done (or acted
    on) later: {step: (the step it should have followed, event index of the early act)}."""
    out: dict[str, tuple[str, int]] = {}
    for a, b in rf.proc.constraints:
        if b in out:
            continue
        start_b = rf.started(b)
        if start_b is None:
            continue
        done_a = rf.done(a)
        if done_a is not None and done_a <= start_b + EPS:
            continue
        sa = rf.steps[a]
        later = [i for i in sa.actions + sa.completed if rf.t(i) > start_b + EPS]
        if later:
            sb = rf.steps[b]
            first = min(sb.actions[:1] + sb.completed[:1])
            out[b] = (a, first)
    return out


@metric("sequence_accuracy", "1", """
    (order constraints respected) / (order constraints between required steps). An order
    constraint is a pair of steps where the second comes immediately after the first in the
    step graph (steps of parallel branches have none between them, so every interleaving is
    correct); it is respected when the first step was completed before the trainee first
    acted on the second. A constraint with a step that was never done is not respected.
    1 when the procedure has no constraints.""")
def _sequence_accuracy(rf: RunFacts) -> list[MetricValue]:
    pairs = [(a, b) for a, b in rf.proc.constraints if a in rf.required and b in rf.required]
    bad = order_violations(rf)
    value = 1.0 if not pairs else (len(pairs) - len(bad)) / len(pairs)
    evidence = []
    for a, b in bad:
        sb = rf.steps[b]
        idx = (sb.actions[:1] + sb.skipped[:1] + rf.steps[a].skipped[:1])
        if idx:
            evidence.append(rf.evidence(idx[0], f"`{b}` was not preceded by a completed `{a}`"))
    return [MetricValue(metric="sequence_accuracy", value=value, unit="1",
                        text=fmt_value(value, "1", fraction=True),
                        detail=f"{len(pairs) - len(bad)} of {len(pairs)} order constraints "
                        "respected", evidence=evidence)]


@metric("wrong_order_errors", "1", """
    number of steps the trainee began before a step they follow was completed, where that
    earlier step was then done or acted on later (a step left out altogether is an omission,
    not an order error)""")
def _wrong_order(rf: RunFacts) -> list[MetricValue]:
    found = wrong_order_steps(rf)
    ev = [rf.evidence(i, f"`{b}` begun before `{a}` was completed")
          for b, (a, i) in sorted(found.items(), key=lambda kv: kv[1][1])]
    return [_count("wrong_order_errors", ev, f"{len(ev)} steps begun too early")]


# ------------------------------------------------------------------ omission, commission


@per_run
def omitted_steps(rf: RunFacts) -> list[str]:
    return [s for s in rf.proc.order if s in rf.required and not rf.steps[s].completed]


@metric("omission_errors", "1", """
    number of required steps never completed. Required: every step on every successful path
    through the step graph (only the steps common to all branches of an `if` or `choose`),
    and every step the run entered, including the steps of an alarm handler that ran. When
    the procedure ended at one of its own `abort` steps, only the steps entered, less those an
    alarm interrupted on the way there after the trainee had begun them (or within 1 s of
    their start): a step never begun is omitted even if an alarm came later.""")
def _omission(rf: RunFacts) -> list[MetricValue]:
    ev = []
    for s in omitted_steps(rf):
        st = rf.steps[s]
        i = (st.skipped + st.entered)[:1] or ([rf.ended_index] if rf.ended_index is not None
                                              else [])
        if i:
            ev.append(rf.evidence(i[0], f"step `{s}` never completed"))
        else:
            ev.append(Evidence(line=0, t=rf.end, type="missing", step=s,
                               text=f"step `{s}` never completed"))
    return [_count("omission_errors", ev, f"{len(ev)} required steps not completed")]


@metric("commission_errors", "1", """
    number of actions that match no step of the procedure (the player marks them
    `deviation: extra`), accepted by the equipment or not""")
def _commission(rf: RunFacts) -> list[MetricValue]:
    ev = [rf.evidence(i) for i, e in enumerate(rf.run.events)
          if e["type"] == "action" and e.get("deviation") == "extra"]
    return [_count("commission_errors", ev, f"{len(ev)} actions outside the procedure")]


# ------------------------------------------------------------------ roles, critical


@per_run
def wrong_role_steps(rf: RunFacts) -> dict[str, list[int]]:
    """Steps done by a role other than `performed_by`, or verified by the performer or by
    a role other than `verified_by`."""
    out: dict[str, list[int]] = {}
    for s in rf.proc.order:
        st = rf.steps[s]
        idx = list(st.wrong_role)
        for i in st.verifications:
            if rf.run.events[i].get("ok") is False:
                idx.append(i)
        if idx:
            out[s] = sorted(idx)
    return out


@metric("wrong_role_errors", "1", """
    number of steps with an action by a role other than the step's `performed_by`, or a
    verification by the person who did the step or by a role other than `verified_by`""")
def _wrong_role(rf: RunFacts) -> list[MetricValue]:
    ev = [rf.evidence(idx[0]) for idx in wrong_role_steps(rf).values()]
    return [_count("wrong_role_errors", ev, f"{len(ev)} steps by the wrong person")]


@per_run
def critical_failures(rf: RunFacts) -> dict[str, tuple[list[str], list[Evidence]]]:
    """{critical step: (reasons, evidence)} for each required critical step that failed."""
    omitted = set(omitted_steps(rf))
    roles = wrong_role_steps(rf)
    early: dict[str, str] = {}
    for a, b in order_violations(rf):
        if rf.started(b) is not None:
            early.setdefault(b, a)
    out: dict[str, tuple[list[str], list[Evidence]]] = {}
    for s, node in rf.proc.steps.items():
        if not node.critical or s not in rf.required:
            continue
        st = rf.steps[s]
        reasons: list[str] = []
        ev: list[Evidence] = []
        if s in omitted:
            reasons.append("left out")
            i = (st.skipped + st.entered)[:1]
            ev.extend(rf.evidence(j, f"step `{s}` never completed") for j in i)
        if s in early:
            reasons.append(f"done before `{early[s]}`, a step it follows, was completed")
            ev.append(rf.evidence(min(st.actions[:1] + st.completed[:1])))
        if s in roles:
            reasons.append("done or verified by the wrong person")
            ev.extend(rf.evidence(i) for i in roles[s])
        if st.failed_expectations:
            reasons.append("its expected results were not met in time")
            ev.extend(rf.evidence(i) for i in st.failed_expectations)
        for i in st.critical_events:
            if rf.run.events[i].get("faults"):
                continue
            what = rf.run.events[i].get("what")
            if what == "critical step skipped":
                if s not in omitted:  # done later (a retry, an alarm handler): still a miss
                    reasons.append("skipped when it was due")
            else:
                reasons.append(str(what))
            ev.append(rf.evidence(i))
        if reasons:
            out[s] = (reasons, ev)
    return out


@metric("critical_errors", "1", """
    number of critical steps that failed (left out, begun before a step they follow was
    completed, done or verified by the wrong person, or their expectations not met in time)
    plus the critical events of the twin not tied to one of those steps (a worker exposed to
    hazardous energy, an incompatible mix, ...). A critical event that happens while an
    induced fault is in effect (the player names the faults on it) is the fault's doing and
    is not counted; how fast the trainee recovers from it is `recovery_time`""")
def _critical(rf: RunFacts) -> list[MetricValue]:
    failed = critical_failures(rf)
    ev = [Evidence(line=items[0].line if items else 0, t=items[0].t if items else rf.end,
                   type="critical_item", step=s, text=f"critical step `{s}`: "
                   + "; ".join(reasons))
          for s, (reasons, items) in failed.items()]
    attributed = 0
    for i, e in enumerate(rf.run.events):
        if e["type"] != "critical" or e.get("step") in failed:
            continue
        if e.get("faults"):   # caused by an induced fault: judged by the recovery from it
            attributed += 1
            continue
        ev.append(rf.evidence(i))
    detail = f"{len(failed)} critical steps failed, {len(ev) - len(failed)} other critical " \
        "events"
    if attributed:
        detail += f" ({attributed} more while an induced fault was in effect, not counted: " \
            "the recovery time measures the response to them)"
    return [_count("critical_errors", ev, detail)]


@metric("expectations_failed", "1", """
    number of expectations (`expect ... within ...`) not met by the end of their time limit;
    one not met while an induced fault was in effect (the player names the faults on it) is
    the fault's doing and is not counted, here or against a critical step""")
def _expectations(rf: RunFacts) -> list[MetricValue]:
    ev = [rf.evidence(i) for i, e in enumerate(rf.run.events)
          if e["type"] == "expectation_failed" and not e.get("faults")]
    faulted = sum(len(s.fault_expectations) for s in rf.steps.values())
    detail = f"{len(ev)} expectations not met"
    if faulted:
        detail += f" ({faulted} more while an induced fault was in effect, not counted)"
    return [_count("expectations_failed", ev, detail)]


@metric("hints_used", "1", "number of hints the trainee asked for")
def _hints(rf: RunFacts) -> list[MetricValue]:
    ev = [rf.evidence(i) for i, e in enumerate(rf.run.events) if e["type"] == "hint"]
    return [_count("hints_used", ev, f"{len(ev)} hints")]


from . import timing  # noqa: E402,F401  (registers the time metrics after the counts)
