"""The procedure engine: follows a step graph while a trainee acts on the plant.

The engine keeps the steps that are *active* (entered, not yet completed).  An action is
matched to a pending action of an active step; if it belongs to a later step instead, the
trainee has skipped or reordered something: the skipped steps are recorded as omitted and
the engine follows the trainee (the plant reacts to what was really done); an action that
belongs to no step is a commission error.  Every action is also carried out on the plant
by its behaviour, whatever the procedure says.  A step completes when its actions are
done and its expectations are met (or their time limit runs out: expectation failed).

Decisions (`if`) are taken from the plant's state when reached, options (`choose`) from
the trainee, parallel branches all run and meet at their join, a `goto` with a bound is
taken at most that many times.  Alarm handlers fire on the rising edge of their condition
while a step of their scope is active.  Exposure of a worker to hazardous energy or
atmosphere while work is under way is a critical event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..bundle import model as m
from .behaviours.base import Environment
from .conditions import evaluate, refs
from .log import EventLog
from .trace import Act, act_from_model

#: Hazardous energy left in a source below this is not an exposure (joules).
EXPOSURE_ENERGY_J = 10.0
#: How often exposure and alarms are checked (seconds of simulated time).
CHECK_EVERY = 0.25


@dataclass
class StepState:
    node: m.Node
    entered: float
    pending: list[Act]
    done_at: float | None = None  # all actions done
    expect_deadline: float | None = None
    out_of_order: bool = False
    suspended: bool = False
    wait_until: float | None = None
    #: when the last action started on the step is finished (a person turning a wheel)
    busy_until: float = 0.0
    #: the plant's version when the expectations were last found not met
    checked: int = -1
    #: the roles that acted on the step (a verifier must not be one of them)
    actors: set = field(default_factory=set)
    #: a step with `verified_by`: verified (by someone), and whether it is waiting for it
    verified: bool = False
    awaiting_verification: bool = False


@dataclass
class Outcome:
    status: str = "running"  # running | completed | aborted | timeout
    reason: str | None = None


@dataclass
class Engine:
    bundle: m.Bundle
    procedure: m.Procedure
    env: Environment
    log: EventLog
    nodes: dict[str, m.Node] = field(init=False)
    active: dict[str, StepState] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)

    def __post_init__(self) -> None:
        g = self.procedure.graph
        self.nodes = {n.id: n for n in g.nodes}
        self.out: dict[str, list[m.Edge]] = {}
        self.join_needed: dict[str, int] = {}
        for e in g.edges:
            self.out.setdefault(e.source, []).append(e)
        # A join waits for as many branches as its fork started (`fork#N` pairs `join#N`).
        for n in g.nodes:
            if n.kind == "join":
                prefix, _, number = n.id.rpartition("join#")
                fork = f"{prefix}fork#{number}"
                self.join_needed[n.id] = sum(1 for e in self.out.get(fork, [])
                                             if e.kind == "fork")
        self.join_count: dict[str, int] = {}
        self.goto_count: dict[str, int] = {}
        self.alarm_state: dict[str, bool] = {}
        self.interrupted: dict[str, list[str]] = {}
        self.pending_choice: str | None = None
        self.early: dict[tuple, float] = {}
        self.exposures: set[str] = set()
        self._next_check = 0.0
        self._tick_key: tuple[int, int] | None = None
        self._quiet_until = 0.0
        self.alarms = [n for n in g.nodes if n.kind == "alarm"]
        self.alarm_scope = {a.id: {e.source for e in g.edges if e.target == a.id
                                   and e.kind == "alarm"} for a in self.alarms}
        #: callbacks ``f(step_id)`` called when a step is entered / completed (fault triggers)
        self.on_step_entered: list[Callable[[str], None]] = []
        self.on_step_completed: list[Callable[[str], None]] = []
        #: the ids of the faults in effect (set by the fault injector)
        self.active_faults: Callable[[], list[str]] = list

    def fault_field(self) -> dict:
        """``{"faults": [...]}`` naming the induced faults in effect, if any: critical
        events and failed expectations carry it, so that what a fault caused can be told
        from what the trainee did."""
        ids = self.active_faults()
        return {"faults": ids} if ids else {}

    # ------------------------------------------------------------ reading the plant

    def read(self, ref: m.StateRef):
        b = self.env.behaviours.get(ref.equipment)
        if b is None:
            return None
        obs = b.observe()
        return obs if ref.state is None else obs.get(ref.state)

    def holds(self, cond: m.Condition | None) -> bool:
        return cond is None or evaluate(cond, self.read, lambda s: s in self.done)

    # ------------------------------------------------------------ following the graph

    def start(self) -> None:
        self.log.emit(self.env.t, "procedure_started", procedure=self.procedure.id)
        self._enter("start")

    def _follow(self, node_id: str, kinds=("next",)) -> None:
        for e in self.out.get(node_id, []):
            if e.kind in kinds:
                self._enter(e.target)
                return

    def _enter(self, node_id: str) -> None:
        node = self.nodes[node_id]
        t = self.env.t
        kind = node.kind
        if kind == "start":
            self._follow(node_id)
        elif kind == "step":
            pending = [act_from_model(a) for a in node.actions
                       if a.op not in ("wait", "wait_until")]
            st = StepState(node, t, pending)
            for a in node.actions:
                if a.op == "wait" and a.duration is not None:
                    st.wait_until = t + a.duration.si
            self.active[node_id] = st
            self.log.emit(t, "step_entered", step=node_id, title=node.title,
                          performed_by=node.performed_by, critical=node.critical)
            for callback in self.on_step_entered:
                callback(node_id)
            for act in list(st.pending):  # done earlier, out of order
                if act.key() in self.early:
                    st.pending.remove(act)
                    st.out_of_order = True
            self._maybe_actions_done(st)
        elif kind == "decision":
            edges = self.out.get(node_id, [])
            if any(e.kind == "option" for e in edges):
                self.pending_choice = node_id
                self.log.emit(t, "choice_offered", node=node_id, prompt=node.prompt,
                              options=[e.option for e in edges if e.kind == "option"])
                return
            self.env.sync()  # decided on the plant as it is now
            taken = self.holds(node.condition)
            self.log.emit(t, "decision", node=node_id, result=taken)
            self._follow(node_id, ("branch",) if taken else ("else",))
        elif kind == "fork":
            for e in self.out.get(node_id, []):
                if e.kind == "fork":
                    self._enter(e.target)
        elif kind == "join":
            self.join_count[node_id] = self.join_count.get(node_id, 0) + 1
            if self.join_count[node_id] >= self.join_needed.get(node_id, 1):
                self.join_count[node_id] = 0
                self._follow(node_id)
        elif kind == "goto":
            bound = next((e.bound for e in self.out.get(node_id, []) if e.kind == "goto"), None)
            n = self.goto_count.get(node_id, 0)
            if bound is None or n < bound:
                self.goto_count[node_id] = n + 1
                self.log.emit(t, "goto", node=node_id, count=n + 1, bound=bound)
                self._follow(node_id, ("goto",))
            else:
                self.log.emit(t, "retry_exhausted", node=node_id, bound=bound)
                self._follow(node_id, ("next",))
        elif kind == "alarm":
            self._follow(node_id)
        elif kind == "resume":
            alarm = node_id.rsplit(":resume", 1)[0]
            for s in self.interrupted.pop(alarm, []):
                if s in self.active:
                    self.active[s].suspended = False
            self.log.emit(t, "resumed", alarm=alarm)
        elif kind == "end":
            if not self.active:
                self._finish("completed")
        elif kind == "abort":
            self._finish("aborted", "the procedure stopped safely (abort)")

    def _finish(self, status: str, reason: str | None = None) -> None:
        if self.outcome.status != "running":
            return
        self.outcome = Outcome(status, reason)
        omitted = [n.id for n in self.procedure.graph.nodes
                   if n.kind == "step" and n.id not in self.done]
        self.log.emit(self.env.t, "procedure_ended", outcome=status, reason=reason,
                      omitted=omitted)

    def _complete(self, st: StepState, *, skipped: bool = False) -> None:
        node_id = st.node.id
        self.active.pop(node_id, None)
        self.env.version += 1  # `step X done` conditions may hold now
        t = self.env.t
        if skipped:
            self.log.emit(t, "step_skipped", step=node_id, critical=st.node.critical)
        else:
            self.done[node_id] = t
            self.log.emit(t, "step_completed", step=node_id, duration=t - st.entered,
                          out_of_order=st.out_of_order)
            for callback in self.on_step_completed:
                callback(node_id)
        self._follow(node_id)
        if not self.active and self.outcome.status == "running" and self.pending_choice is None:
            # every path has ended at `end`
            ends = [e for e in self.out.get(node_id, []) if self.nodes[e.target].kind == "end"]
            if ends:
                self._finish("completed")

    def _maybe_actions_done(self, st: StepState) -> None:
        if st.pending or st.done_at is not None:
            return
        if st.wait_until is not None and self.env.t < st.wait_until:
            return
        if self.env.t < st.busy_until:
            return
        st.done_at = self.env.t
        limits = [e.within.si for e in st.node.expects if e.within is not None]
        st.expect_deadline = st.done_at + (max(limits) if limits else 0.0)
        self._check_expectations(st)

    def _check_expectations(self, st: StepState) -> None:
        if st.awaiting_verification:
            return  # met; nothing moves until the verifier comes (`verify`)
        t = self.env.t
        version = self.env.version
        due = st.expect_deadline is not None and t >= st.expect_deadline
        if st.checked == version and not due:
            return  # nothing changed in the plant or the procedure since the last look
        st.checked = version
        pending = [e for e in st.node.expects if not self.holds(e.condition)]
        if pending and due:
            # a limit reached: failed only on the plant as it is at this instant
            self.env.sync()
            st.checked = self.env.version
            pending = [e for e in st.node.expects if not self.holds(e.condition)]
        if not pending:
            if st.node.verified_by is not None and not st.verified:
                # two-person rule: the step is done when its verifier has seen it done
                if not st.awaiting_verification:
                    st.awaiting_verification = True
                    self.log.emit(t, "verification_due", step=st.node.id,
                                  verifier=st.node.verified_by)
                return
            for e in st.node.expects:
                self.log.emit(t, "expectation_met", step=st.node.id, expect=e.text)
            self._complete(st)
        elif st.expect_deadline is not None and t >= st.expect_deadline:
            for e in pending:
                self.log.emit(t, "expectation_failed", step=st.node.id, expect=e.text,
                              critical=st.node.critical, **self.fault_field())
            self._complete(st)

    # ------------------------------------------------------------ trainee input

    def act(self, by: str | None, act: Act) -> tuple[bool, str, float]:
        """Carry out an action of a trainee; return (accepted, reason, duration in s)."""
        t = self.env.t
        step_id, deviation = self._match(act)
        outcome = self._perform(by, act)
        self.log.emit(t, "action", by=by, action=act.describe(), op=act.op, verb=act.verb,
                      targets=list(act.targets), step=step_id, deviation=deviation,
                      accepted=outcome[0], reason=outcome[1] or None, duration=outcome[2])
        if step_id is not None:
            st = self.active.get(step_id)
            if st is not None:
                st.busy_until = max(st.busy_until, t + outcome[2])
                if by is not None and act.op != "hold":
                    st.actors.add(by)
            if st is not None and act.op == "work":
                work = next((a for a in st.node.actions if a.op == "work"), None)
                if work is not None and work.duration is not None:
                    st.wait_until = max(st.wait_until or 0.0, t + work.duration.si)
            if st is not None:
                if by is not None and st.node.performed_by not in (None, by) and act.op != "hold":
                    self.log.emit(t, "wrong_role", step=step_id, by=by,
                                  expected=st.node.performed_by)
                self._maybe_actions_done(st)
        return outcome

    def verify(self, by: str | None, step_id: str) -> bool:
        """A second person verifies a step with `verified_by` whose actions are done.

        Logged as `verification` with ``ok`` false when the verifier is not the step's
        `verified_by` or is one of the people who did the step; the step then counts as
        verified all the same (the assessment marks the wrong person), so the run goes on
        as it would on the plant."""
        t = self.env.t
        st = self.active.get(step_id)
        node = self.nodes.get(step_id)
        if node is None or node.kind != "step" or node.verified_by is None:
            self.log.emit(t, "verification_ignored", step=step_id, by=by,
                          reason="the step has no `verified_by`")
            return False
        if st is None or st.done_at is None or st.verified:
            why = ("it is not under way" if st is None else "its actions are not done yet"
                   if st.done_at is None else "it is verified already")
            self.log.emit(t, "verification_ignored", step=step_id, by=by,
                          reason=f"nothing to verify: {why}")
            return False
        ok = by == node.verified_by and by not in st.actors
        self.log.emit(t, "verification", step=step_id, by=by, expected=node.verified_by,
                      performed_by=sorted(st.actors), ok=ok)
        st.verified = True
        st.awaiting_verification = False
        st.checked = -1
        self._check_expectations(st)
        return True

    def choose(self, by: str | None, label: str) -> bool:
        node_id = self.pending_choice
        if node_id is None:
            self.log.emit(self.env.t, "choice_ignored", by=by, option=label)
            return False
        for e in self.out.get(node_id, []):
            if e.kind == "option" and e.option == label:
                self.pending_choice = None
                self.log.emit(self.env.t, "choice_made", node=node_id, by=by, option=label)
                self._enter(e.target)
                return True
        self.log.emit(self.env.t, "choice_ignored", by=by, option=label)
        return False

    def _match(self, act: Act) -> tuple[str | None, str | None]:
        key = act.key()
        for sid, st in sorted(self.active.items()):
            for p in st.pending:
                if p.key() == key:
                    st.pending.remove(p)
                    return sid, None
        # An action of a later step: the active steps before it are skipped.
        later = self._later_step(key)
        if later is not None:
            for sid in list(self.active):
                st = self.active[sid]
                # a step whose actions are done is under way (work, a wait), not skipped
                if not st.suspended and st.pending and self._reaches(sid, later):
                    self._skip_to(st, later)
            st = self.active.get(later)
            if st is not None:
                for p in st.pending:
                    if p.key() == key:
                        st.pending.remove(p)
                        break
                return later, "out_of_order"
            self.early[key] = self.env.t
            return later, "out_of_order"
        return None, "extra"

    def _later_step(self, key) -> str | None:
        for n in self.procedure.graph.nodes:
            if n.kind == "step" and n.id not in self.done and n.id not in self.active:
                if any(act_from_model(a).key() == key for a in n.actions):
                    return n.id
        return None

    def _reaches(self, a: str, b: str) -> bool:
        seen, stack = {a}, [a]
        while stack:
            x = stack.pop()
            for e in self.out.get(x, []):
                if e.kind in ("alarm", "resume"):
                    continue
                if e.target == b:
                    return True
                if e.target not in seen:
                    seen.add(e.target)
                    stack.append(e.target)
        return False

    def _skip_to(self, st: StepState, target: str) -> None:
        """The trainee went on to ``target``: the active step is skipped."""
        self.active.pop(st.node.id, None)
        self.log.emit(self.env.t, "step_skipped", step=st.node.id, critical=st.node.critical,
                      to=target)
        if st.node.critical:
            self.log.emit(self.env.t, "critical", what="critical step skipped",
                          step=st.node.id, **self.fault_field())
        if target not in self.active:
            self._enter(target)

    def _perform(self, by: str | None, act: Act) -> tuple[bool, str, float]:
        env = self.env
        env.sync()  # the plant as it is now, before the action changes it
        try:
            return self._perform_now(by, act)
        finally:
            env.sync()  # what the action changed is read from now on

    def _perform_now(self, by: str | None, act: Act) -> tuple[bool, str, float]:
        env = self.env
        if act.op == "do":
            accepted, reasons, duration = True, [], 0.0
            for tag in act.targets:
                b = env.behaviours.get(tag)
                if b is None:
                    return False, f"no equipment `{tag}`", 0.0
                out = b.act(act.verb, actor=by, to=list(act.to), at=act.at)
                accepted &= out.accepted
                duration = max(duration, out.duration)
                if out.reason:
                    reasons.append(out.reason)
            return accepted, "; ".join(reasons), duration
        if act.op in ("apply", "remove"):
            accepted, reasons = True, []
            for tag in act.targets:
                b = env.behaviours.get(tag)
                if b is None:
                    return False, f"no equipment `{tag}`", 0.0
                out = (b.apply if act.op == "apply" else b.remove)(act.device, by)
                accepted &= out.accepted
                if out.reason:
                    reasons.append(out.reason)
            return accepted, "; ".join(reasons), 20.0
        return True, "", 0.0

    # ------------------------------------------------------------ time

    def tick(self) -> None:
        """Checks after a physics step: waits, expectations, alarms, exposure."""
        t = self.env.t
        if t < self._quiet_until and self._tick_key == (len(self.log.events), self.env.version):
            return  # nothing logged, the plant unchanged, no wait or limit due yet
        self._tick()
        self._tick_key = (len(self.log.events), self.env.version)
        self._quiet_until = self._next_due()

    def _next_due(self) -> float:
        """The next time a tick can change anything when nothing else happens."""
        due = self._next_check
        for st in self.active.values():
            if st.suspended:
                continue
            if st.done_at is None:
                if not st.pending:
                    due = min(due, max(st.wait_until or 0.0, st.busy_until))
            elif st.expect_deadline is not None:
                due = min(due, st.expect_deadline)
        return due

    def _tick(self) -> None:
        for st in list(self.active.values()):
            if st.suspended:
                continue
            if st.done_at is None:
                self._maybe_actions_done(st)
            else:
                self._check_expectations(st)
        if self.env.t >= self._next_check:
            self._next_check = self.env.t + CHECK_EVERY
            self._check_alarms()
            self._check_exposure()

    def _check_alarms(self) -> None:
        for alarm in self.alarms:
            scope = self.alarm_scope[alarm.id]
            live = [s for s in scope if s in self.active and not self.active[s].suspended]
            now = bool(live) and self.holds(alarm.condition)
            before = self.alarm_state.get(alarm.id, False)
            self.alarm_state[alarm.id] = now
            if now and not before:
                self.log.emit(self.env.t, "alarm", alarm=alarm.id,
                              states={f"{r.equipment}.{r.state}": self.read(r)
                                      for r in refs(alarm.condition)},
                              interrupted=sorted(live))
                for s in live:
                    self.active[s].suspended = True
                self.interrupted[alarm.id] = sorted(live)
                self._enter(alarm.id)

    def _check_exposure(self) -> None:
        # A worker interrupted by an alarm is still in the danger zone until evacuated.
        working = [s for s in self.active.values()
                   if any(a.op == "work" for a in s.node.actions)]
        if not working:
            return
        for src in self.procedure.energy:
            b = self.env.behaviours.get(src.equipment)
            if b is None:
                continue
            # The source reaches the worker unless it is cut off: at the source itself, or at
            # every device declared to isolate it.
            isolators = [e.id for e in self.bundle.equipment
                         if src.equipment in e.relations.isolates]
            through = max((self.env.behaviours[i].passes(src.energy) for i in isolators),
                          default=1.0)
            live = (self.env.supply(src.equipment, src.energy) > 0
                    and b.passes(src.energy) > 0 and through > 0 and not src.stored)
            stored = b.stored().get(src.energy, 0.0)
            key = f"{src.energy}:{src.equipment}"
            if (live or stored > EXPOSURE_ENERGY_J) and key not in self.exposures:
                self.exposures.add(key)
                self.log.emit(self.env.t, "critical", what="worker exposed to hazardous energy",
                              energy=src.energy, equipment=src.equipment,
                              stored_j=stored, energized=live,
                              step=working[0].node.id, **self.fault_field())
