"""What happened in a run, per step: the facts the metrics are computed from."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .graphinfo import ProcedureFacts
from .model import Evidence
from .runlog import RunLog

#: seconds a step may have been under way, not yet begun, when an alarm interrupts it
GRACE = 1.0


@dataclass
class StepFacts:
    entered: list[int] = field(default_factory=list)      # event indexes
    actions: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    wrong_role: list[int] = field(default_factory=list)
    failed_expectations: list[int] = field(default_factory=list)
    fault_expectations: list[int] = field(default_factory=list)
    out_of_order: list[int] = field(default_factory=list)
    critical_events: list[int] = field(default_factory=list)
    verifications: list[int] = field(default_factory=list)


@dataclass
class RunFacts:
    run: RunLog
    proc: ProcedureFacts
    steps: dict[str, StepFacts]
    required: frozenset[str]
    outcome: str
    reason: str | None
    start: float
    end: float
    ended_index: int | None
    #: results of the derived facts (`per_run`), computed once per run
    memo: dict = field(default_factory=dict)

    def t(self, i: int) -> float:
        return float(self.run.events[i]["t"])

    def first_t(self, idx: list[int]) -> float | None:
        return self.t(idx[0]) if idx else None

    def started(self, step: str) -> float | None:
        """When the trainee first acted on the step (or it completed without an action)."""
        s = self.steps[step]
        times = [self.t(i) for i in s.actions[:1] + s.completed[:1]]
        return min(times) if times else None

    def done(self, step: str) -> float | None:
        return self.first_t(self.steps[step].completed)

    def evidence(self, i: int, text: str | None = None) -> Evidence:
        e = self.run.events[i]
        return Evidence(line=self.run.line(i), t=float(e["t"]), type=e["type"],
                        step=e.get("step") if isinstance(e.get("step"), str) else None,
                        text=text or describe(e))


def per_run(fn):
    """Compute a derived fact of a run once (metrics, critical items and the step records
    all ask for the same omissions, order errors and failed critical steps)."""
    name = fn.__name__

    @functools.wraps(fn)
    def cached(rf: RunFacts):
        if name not in rf.memo:
            rf.memo[name] = fn(rf)
        return rf.memo[name]
    return cached


def describe(e: dict) -> str:
    kind = e.get("type")
    step = f" `{e['step']}`" if isinstance(e.get("step"), str) else ""
    if kind == "action":
        text = f"{e.get('by') or 'someone'}: {e.get('action')}"
        if e.get("deviation") == "extra":
            text += " (not part of the procedure)"
        elif e.get("deviation") == "out_of_order":
            text += " (out of order)"
        if e.get("accepted") is False:
            text += f" (refused: {e.get('reason')})"
        return text
    if kind == "step_completed":
        return f"step{step} completed" + (" out of order" if e.get("out_of_order") else "")
    if kind == "step_skipped":
        return f"step{step} skipped"
    if kind == "step_entered":
        return f"step{step} entered"
    if kind == "wrong_role":
        return f"step{step} done by `{e.get('by')}`, not `{e.get('expected')}`"
    if kind == "expectation_failed":
        return f"expectation `{e.get('expect')}` of step{step} not met in time"
    if kind == "expectation_met":
        return f"expectation `{e.get('expect')}` of step{step} met"
    if kind == "critical":
        return f"critical event: {e.get('what')}" + (f" at `{e['equipment']}`"
                                                      if e.get("equipment") else "")
    if kind == "alarm":
        return f"alarm `{e.get('alarm')}`"
    if kind in ("fault_injected", "fault_cleared", "fault_alarm"):
        return f"{kind.replace('_', ' ')}: `{e.get('fault')}`"
    if kind == "hint":
        return f"hint asked by {e.get('by') or 'the trainee'}"
    if kind == "verification":
        return f"step{step} verified by `{e.get('by')}`"
    if kind == "procedure_ended":
        return f"procedure ended: {e.get('outcome')}"
    return str(kind).replace("_", " ")


def run_facts(run: RunLog, proc: ProcedureFacts) -> RunFacts:
    steps = {s: StepFacts() for s in proc.order}
    outcome, reason, ended = "incomplete", None, None
    for i, e in enumerate(run.events):
        kind = e["type"]
        sid = e.get("step")
        s = steps.get(sid) if isinstance(sid, str) else None
        if kind == "procedure_ended" and ended is None:
            ended = i
            outcome = str(e.get("outcome") or "incomplete")
            reason = e.get("reason")
        if s is None:
            continue
        if kind == "step_entered":
            s.entered.append(i)
        elif kind == "action":
            s.actions.append(i)
            if e.get("deviation") == "out_of_order":
                s.out_of_order.append(i)
        elif kind == "step_completed":
            s.completed.append(i)
            if e.get("out_of_order"):
                s.out_of_order.append(i)
        elif kind == "step_skipped":
            s.skipped.append(i)
        elif kind == "wrong_role":
            s.wrong_role.append(i)
        elif kind == "expectation_failed":
            # not met because an induced fault was in effect (a dead tester battery, a
            # stuck valve): detecting that is the procedure working; the recovery time
            # measures the response
            (s.fault_expectations if e.get("faults") else s.failed_expectations).append(i)
        elif kind == "critical":
            s.critical_events.append(i)
        elif kind == "verification":
            s.verifications.append(i)
    touched = {sid for sid, s in steps.items()
               if s.entered or s.actions or s.completed or s.skipped}
    if outcome == "aborted":
        # the procedure's own abort: a step an alarm interrupted on the way there was
        # rightly left unfinished, if the trainee had begun it (or it began at most
        # GRACE seconds before the alarm); one never begun was omitted all the same
        excused: set[str] = set()
        for e in run.events:
            if e["type"] != "alarm":
                continue
            for sid in e.get("interrupted") or []:
                st = steps.get(sid) if isinstance(sid, str) else None
                if st is None:
                    continue
                begun = [i for i in st.actions if run.events[i]["t"] <= e["t"]]
                entered = [run.events[i]["t"] for i in st.entered if run.events[i]["t"]
                           <= e["t"]]
                if begun or (entered and e["t"] - max(entered) <= GRACE):
                    excused.add(sid)
        required = {s for s in touched if s not in excused or steps[s].completed}
    else:
        required = touched | proc.must
    times = [float(e["t"]) for e in run.events]
    start = next((float(e["t"]) for e in run.events if e["type"] == "procedure_started"),
                 times[0] if times else 0.0)
    end = float(run.events[ended]["t"]) if ended is not None else (times[-1] if times else start)
    return RunFacts(run, proc, steps, frozenset(required), outcome, reason, start, end, ended)
