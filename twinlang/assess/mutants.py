"""Mutants of the expert's run: wrong runs that the rubric must fail, each for its reason.

The expert policy plays a correct path; its actions, with their times, make a trace
(`expert_trace`).  Each mutant is that trace changed in one way a trainee can go wrong:

- `omit:STEP` — every action of one required step left out;
- `swap:A:B` — two adjacent steps, at least one of them critical, done in the wrong order;
- `role:STEP` — a step done by another role of the procedure;
- `verify:STEP` — a step's verification done by the person who performed it;
- `late:FAULT` — the response after an induced fault delayed past its time limit.

A mutant carries the reasons that count as failing "for its reason": the names of
thresholds' metrics, or ``critical:<step>`` for a critical item of that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .graphinfo import ProcedureFacts

Line = dict


@dataclass(frozen=True)
class Mutant:
    id: str
    kind: str
    description: str
    lines: tuple[Line, ...]
    reasons: frozenset[str] = field(default_factory=frozenset)


def expert_trace(events: list[dict]) -> list[Line]:
    """The trainee's part of an expert run, as trace lines (with the step of each action)."""
    lines: list[Line] = []
    for e in events:
        if e["type"] == "action":
            lines.append({"t": e["t"], "by": e.get("by"), "action": e["action"],
                          "_step": e.get("step"), "_op": e.get("op")})
        elif e["type"] == "choice_made":
            lines.append({"t": e["t"], "by": e.get("by"), "choose": e["option"]})
        elif e["type"] == "verification":
            lines.append({"t": e["t"], "by": e.get("by"), "verify": e["step"],
                          "_step": e["step"], "_op": "verify"})
        elif e["type"] == "hint":
            lines.append({"t": e["t"], "by": e.get("by"), "hint": True})
    return lines


def public(line: Line) -> Line:
    """A trace line as written to a trace file (without the bookkeeping keys)."""
    return {k: v for k, v in line.items() if not k.startswith("_")}


def mutants(trace: list[Line], proc: ProcedureFacts, events: list[dict],
            thresholds: list[dict]) -> list[Mutant]:
    out: list[Mutant] = []
    steps_done = [s for s in proc.order if any(x.get("_step") == s for x in trace)]
    out.extend(_omissions(trace, proc, steps_done))
    out.extend(_swaps(trace, proc, steps_done))
    out.extend(_roles(trace, proc, steps_done))
    out.extend(_verifications(trace, proc))
    out.extend(_late(trace, events, thresholds))
    return out


def _omissions(trace, proc, steps_done) -> list[Mutant]:
    out = []
    for s in steps_done:
        if s not in proc.must:
            continue
        lines = tuple(x for x in trace if x.get("_step") != s or x.get("_op") == "verify")
        title = proc.steps[s].title or s
        out.append(Mutant(f"omit:{s}", "omit", f"step `{s}` ({title}) left out", lines,
                          frozenset({"omission_errors", f"critical:{s}"})))
    return out


def _block(trace, s) -> list[int]:
    """Indexes of the first uninterrupted run of the step's actions."""
    idx = [i for i, x in enumerate(trace) if x.get("_step") == s and x.get("_op") != "verify"]
    if not idx:
        return []
    run = [idx[0]]
    for i in idx[1:]:
        if i != run[-1] + 1 and any(trace[j].get("_step") not in (s, None)
                                    for j in range(run[-1] + 1, i)):
            break
        run.append(i)
    return run


def _swaps(trace, proc, steps_done) -> list[Mutant]:
    out = []
    for a, b in proc.constraints:
        if a not in steps_done or b not in steps_done:
            continue
        if not (proc.steps[a].critical or proc.steps[b].critical):
            continue
        ia, ib = _block(trace, a), _block(trace, b)
        if not ia or not ib or ia[-1] > ib[0]:
            continue
        span = list(range(ia[0], ib[-1] + 1))
        middle = [i for i in span if i not in ia and i not in ib]
        order = ib + ia + middle
        times = [trace[i]["t"] for i in span]
        moved = [dict(trace[i], t=t) for i, t in zip(order, times, strict=True)]
        lines = tuple(trace[: ia[0]] + moved + trace[ib[-1] + 1:])
        out.append(Mutant(f"swap:{a}:{b}", "swap", f"`{b}` done before `{a}`", lines,
                          frozenset({"wrong_order_errors", "sequence_accuracy",
                                     f"critical:{a}", f"critical:{b}"})))
    return out


def _other_role(proc: ProcedureFacts, role: str | None) -> str | None:
    roles = list(proc.procedure.roles)
    for n in proc.steps.values():
        for r in (n.performed_by, n.verified_by):
            if r and r not in roles:
                roles.append(r)
    return next((r for r in roles if r != role), None)


def _roles(trace, proc, steps_done) -> list[Mutant]:
    out = []
    for s in steps_done:
        node = proc.steps[s]
        other = _other_role(proc, node.performed_by)
        if node.performed_by is None or other is None:
            continue
        lines = tuple(dict(x, by=other) if x.get("_step") == s and x.get("_op") not in
                      ("hold", "verify") else x for x in trace)
        if lines == tuple(trace):
            continue
        out.append(Mutant(f"role:{s}", "role", f"step `{s}` done by `{other}` instead of "
                          f"`{node.performed_by}`", lines,
                          frozenset({"wrong_role_errors", f"critical:{s}"})))
    return out


def _verifications(trace, proc) -> list[Mutant]:
    out = []
    for i, x in enumerate(trace):
        if x.get("_op") != "verify":
            continue
        s = x["_step"]
        performer = proc.steps[s].performed_by if s in proc.steps else None
        if performer is None or performer == x.get("by"):
            continue
        lines = (*trace[:i], dict(x, by=performer), *trace[i + 1:])
        out.append(Mutant(f"verify:{s}", "verify", f"step `{s}` verified by its performer "
                          f"`{performer}`", lines,
                          frozenset({"wrong_role_errors", f"critical:{s}"})))
    return out


def _limit(thresholds: list[dict], metric: str, subject: str | None) -> float | None:
    values = [float(t["value"]["si"]) for t in thresholds if t["metric"] == metric
              and t.get("subject") in (subject, None) and t["comparison"] in ("<", "<=")]
    return max(values) if values else None


def _late(trace, events, thresholds) -> list[Mutant]:
    out = []
    seen: set[str] = set()
    for i, e in enumerate(events):
        if e["type"] != "fault_injected" or e.get("fault") in seen:
            continue
        fault = str(e.get("fault"))
        seen.add(fault)
        shown = next((x for x in events[i:] if x["type"] in ("alarm", "fault_alarm")
                      and x["t"] >= e["t"]), e)
        limits = [v for v in (_limit(thresholds, "recovery_time", fault),
                              _limit(thresholds, "decision_latency", None)) if v is not None]
        if not limits:
            continue
        delay = max(limits) + 60.0
        start = shown["t"]
        lines = tuple(dict(x, t=round(x["t"] + delay, 6)) if x["t"] >= start else x
                      for x in trace)
        if lines == tuple(trace):
            continue
        out.append(Mutant(f"late:{fault}", "late", f"response to fault `{fault}` delayed by "
                          f"{delay:g} s", lines,
                          frozenset({"recovery_time", "decision_latency"})))
    return out
