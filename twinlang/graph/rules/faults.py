"""Faults and alarms: every injected fault can happen, can be noticed, and has a way back.

Faults are top-level declarations of a scenario (`fault NAME on TAG { ... }`).  Each is
checked once, against the graph of the procedure that declares its trigger step (or the
first procedure of the module when it is triggered by time, condition or chance).

A fault is *recovered* on a path when, at its trigger step or after it, one of these
happens: an alarm handler watching the fault's equipment (or equipment connected to it
by `feeds`, `isolates` or `located_in`) covers the step and ends with `resume`, `goto` or
`abort`; a step expects a state of the faulty equipment (for a value the fault fixes,
`stuck at V` or `sensor_failure reading V`, only an expectation that V fails counts); or the
fault's clearing step is performed.  A fault that clears by itself (`clears after T`,
`clears when C`) needs no recovery.  Paths that end in `abort` are safe stops.
"""

from __future__ import annotations

from ... import ast
from ...diagnostics import Label
from ...diagnostics.codes import define
from ..dataflow import (
    FLOW_EDGES,
    ordered_phases,
    ordered_phases_many,
    path_between,
    reachable,
    witness,
)
from ..model import END, START
from . import RuleContext, rule
from ._electrical_circuits import to_si
from ._fault_facts import _acted, _live, _owned_faults, _touched, cond_refs, related
from .signoff import checked_steps

PACK = "faults and alarms"

TARGET_UNUSED = define("TW1101", "fault-target-unused", "warning",
    "a fault on equipment that no step acts on or observes",
    """
    A fault changes the equipment it is declared on. If no step of the scenario operates,
    reads or expects anything of that equipment, the trainee never meets the fault and the
    exercise tests nothing; usually the fault names the wrong tag.

    Fix: put the fault on the equipment the procedure uses, or add the step that meets it.
    """, PACK)

TRIGGER_UNREACHABLE = define("TW1102", "fault-trigger-unreachable", "error",
    "a fault triggered at a step that no path reaches",
    """
    `trigger at step S` starts the fault when step S is performed. If no path from the
    start of the procedure reaches S (it follows a `goto`, or sits in a branch that cannot
    be taken), the fault never happens and the exercise it was written for never runs.
    The same holds for a `trigger when` condition that waits for such a step.

    Fix: trigger the fault at a step that is performed, or fix the flow that skips it.
    """, PACK)

TRIGGER_UNOBSERVABLE = define("TW1103", "fault-trigger-unobservable", "warning",
    "a fault triggered by the state of equipment the procedures never touch",
    """
    `trigger when COND` starts the fault when the condition holds. A condition on
    equipment that no step operates or observes, and that is not connected (`feeds`,
    `isolates`, `located_in`) to equipment a step uses, does not change during the
    exercise: the fault never starts.

    Fix: make the trigger watch equipment the procedure changes or reads.
    """, PACK)

NO_RECOVERY = define("TW1104", "fault-no-recovery", "error",
    "a fault after which some path reaches the end without noticing or clearing it",
    """
    A fault injected in training must have a way back to a safe state: an alarm handler
    that watches the faulty equipment (or what it is connected to) and ends with `resume`,
    `goto` or `abort`; a later step that expects a state of the faulty equipment, an
    expectation the faulty value fails; or a clearing step (`clears on step S`). Otherwise
    a path reaches the end of the procedure with the fault still active and unnoticed:
    the trainee is taught that the job is finished while the plant is unsafe, and the
    recovery time of the competency cannot be measured.

    twinlang checks every path from the trigger step to the end; paths that `abort` are
    safe stops. A fault that clears by itself (`clears after`, `clears when`) passes.

    Fix: add the alarm handler, a checking step after the trigger, or a clearing step.
    """, PACK)

CLEAR_UNREACHABLE = define("TW1105", "fault-clear-unreachable", "error",
    "a fault that clears on a step that never comes after its trigger",
    """
    `clears on step S` ends the fault when step S is performed. If S can never follow the
    trigger (it comes earlier and nothing leads back to it), the fault never clears,
    which is not what the author wrote.

    Fix: clear the fault on a step after the trigger (for example the step of an alarm
    handler), or add the `goto` that leads back to S.
    """, PACK)

EXPECT_UNOBSERVABLE = define("TW1106", "expectation-unobservable", "warning",
    "an expectation on equipment that the procedure never acts on or reads",
    """
    An `expect` says what the trainee should see after the step. If the step does nothing
    to that equipment or to what it is connected to (`feeds`, `isolates`, `located_in`),
    and no step of the procedure operates or reads it, nothing in the exercise makes its
    state change or shows it: the expectation is usually on the wrong tag. Steps that
    operate a control device (a push button, a selector) are exempt: what the device
    controls is not declared.

    Fix: expect a state of the equipment the step operates, or add the step that reads it.
    """, PACK)


# ---------------------------------------------------------------- recovery


class _Fault:
    """What the graph needs to know about one fault."""

    def __init__(self, ctx: RuleContext, fault: ast.Fault) -> None:
        self.ctx, self.fault = ctx, fault
        target = fault.target
        refs = [target, *(e.ref for e in fault.effects if e.ref is not None)]
        self.tags = {r.head.name for r in refs}
        #: (tag, state) the fault acts on; a tag named without a state counts with any state
        self.states = {(r.head.name, r.parts[1].name if len(r.parts) > 1 else None)
                       for r in refs}
        self.watch = related(ctx, self.tags)
        self.state = fault.target.parts[1].name if len(fault.target.parts) > 1 else None
        self.value = next((e.value for e in fault.effects
                           if e.kind in ("stuck", "sensor_failure") and e.value is not None), None)
        self.state_type = None
        kind = ctx.kind(fault.target.head.name)
        if kind is not None and self.state is not None:
            self.state_type = next((s.type.name.name for s in kind.states
                                    if s.name.name == self.state), None)
        self.clear_steps = {c.step.name for c in fault.clears if c.kind == "step" and c.step}
        self.self_clearing = any(c.kind in ("after", "when") for c in fault.clears)

    # -------------------------------------------------------- detection

    def _value_of(self, ref: ast.Ref) -> bool:
        return (self.value is not None and self.state is not None and len(ref.parts) > 1
                and ref.head.name == self.fault.target.head.name
                and ref.parts[1].name == self.state)

    def _same(self, a, b) -> bool | None:
        quantities = isinstance(a, ast.QuantityValue) and isinstance(b, ast.QuantityValue)
        if quantities and self.state_type:
            x, y = to_si(a, self.state_type), to_si(b, self.state_type)
            return None if x is None or y is None else abs(x - y) <= 1e-9 * max(1.0, abs(x))
        if isinstance(a, ast.NameValue | ast.BoolValue) and type(a) is type(b):
            return a.value == b.value if isinstance(a, ast.BoolValue) else a.name == b.name
        return None

    def _cmp(self, a, b) -> float | None:
        if self.state_type is None:
            return None
        x, y = to_si(a, self.state_type), to_si(b, self.state_type)
        return None if x is None or y is None else x - y

    def evaluate(self, c) -> bool | None:
        """The condition under the fault's fixed value (None: cannot tell)."""
        if isinstance(c, ast.And | ast.Or):
            left, right = self.evaluate(c.left), self.evaluate(c.right)
            stop = isinstance(c, ast.Or)  # True decides an `or`, False an `and`
            if stop in (left, right):
                return stop
            return None if None in (left, right) else not stop
        if isinstance(c, ast.Not):
            inner = self.evaluate(c.operand)
            return None if inner is None else not inner
        if isinstance(c, ast.Compare) and self._value_of(c.ref):
            if c.op in ("==", "!="):
                same = self._same(self.value, c.value)
                return None if same is None else same == (c.op == "==")
            d = self._cmp(self.value, c.value)
            if d is None:
                return None
            return {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0}[c.op]
        if isinstance(c, ast.Between) and self._value_of(c.ref):
            lo, hi = self._cmp(self.value, c.low), self._cmp(self.value, c.high)
            return None if lo is None or hi is None else lo >= 0 and hi <= 0
        return None

    def looks_at(self, ref: ast.Ref) -> bool:
        tag = ref.head.name
        state = ref.parts[1].name if len(ref.parts) > 1 else None
        return (tag, None) in self.states or (tag, state) in self.states

    def detects(self, cond) -> bool:
        """Whether an expectation notices the fault: it looks at it and may fail."""
        if not any(self.looks_at(r) for r in cond_refs(cond)):
            return False
        return self.evaluate(cond) is not True

    def recovers(self, n) -> bool:
        g = self.ctx.g
        data = g.nodes[n]
        if data["kind"] == "alarm":
            return self.watches(n)
        if data["kind"] != "step":
            return False
        if data["name"] in self.clear_steps:
            return True
        step = data["ast"]
        conds = [e.condition for e in step.expects]
        conds += [a.condition for a in step.actions if a.op == "wait_until"]
        if any(self.detects(c) for c in conds):
            return True
        return any(d.get("kind") == "alarm" and self.watches(m) for m, d in g.succ[n].items())

    def watches(self, alarm) -> bool:
        """An alarm handler that can fire on the fault and ends with a way out."""
        data = self.ctx.g.nodes[alarm]
        cond = data.get("condition")
        return (not data.get("no_exit") and self.evaluate(cond) is not False
                and any(r.head.name in self.watch for r in cond_refs(cond)))

    def graph(self):
        """The step graph without the branches a decision cannot take under the fault."""
        g = self.ctx.g
        cut = []
        for n, data in g.nodes(data=True):
            if data.get("kind") != "if" or data.get("condition") is None:
                continue
            value = self.evaluate(data["condition"])
            if value is not None:
                dead = "else" if value else "branch"
                cut += [(n, m) for m, d in g.succ[n].items() if d.get("kind") == dead]
        if not cut:
            return g
        g = g.copy()
        g.remove_edges_from(cut)
        return g


def _trigger_nodes(ctx: RuleContext, fault: ast.Fault) -> list[tuple[ast.Trigger, str]]:
    return [(t, t.step.name) for t in fault.triggers
            if t.kind == "step" and t.step is not None and t.step.name in ctx.g
            and ctx.g.nodes[t.step.name]["kind"] == "step"]


def _siblings(ctx: RuleContext, node) -> list:
    """Steps in the other branches of the `parallel` blocks around ``node`` (they run beside it)."""
    region = ctx.g.nodes[node].get("region") or ()
    out = []
    for m in ctx.step_nodes():
        other = ctx.g.nodes[m].get("region") or ()
        for i, (block, branch) in enumerate(region):
            if len(other) > i and other[:i] == region[:i] and other[i][0] == block \
                    and other[i][1] != branch:
                out.append(m)
                break
    return out


def _reach(ctx: RuleContext, start) -> set:
    return reachable(ctx.g, start, edge_kinds=FLOW_EDGES | {"resume"})


# ---------------------------------------------------------------- rules


@rule(TARGET_UNUSED, PACK, "fault injection (domain-facts 6)")
def target_unused(ctx: RuleContext):
    for fault in _owned_faults(ctx):
        tag = fault.target.head.name
        if ctx.equipment(tag) is not None and tag not in _touched(ctx):
            yield ctx.diag(TARGET_UNUSED,
                           f"fault `{fault.name.name}` is on `{tag}`, which no step acts on or "
                           "observes", fault.target.span,
                           help="put the fault on equipment the procedure uses, or add the "
                           "step that meets it")


@rule(TRIGGER_UNREACHABLE, PACK, "fault injection (domain-facts 6)")
def trigger_unreachable(ctx: RuleContext):
    faults = _owned_faults(ctx)
    if not faults:
        return
    seen = _reach(ctx, START)
    for fault in faults:
        for t, node in _trigger_nodes(ctx, fault):
            if node not in seen:
                yield ctx.diag(TRIGGER_UNREACHABLE,
                               f"fault `{fault.name.name}` is triggered at step `{node}`, which "
                               f"no path of `{ctx.proc.name.name}` reaches", t.step.span,
                               labels=[Label(span=ctx.span(node), message="never reached")],
                               help="trigger the fault at a step that is performed")
        for t in fault.triggers:
            if t.kind != "when":
                continue
            for r in cond_refs(t.condition):
                name = r.head.name
                if len(r.parts) == 1 and name in ctx.g and ctx.g.nodes[name]["kind"] == "step" \
                        and name not in seen:
                    yield ctx.diag(TRIGGER_UNREACHABLE,
                                   f"fault `{fault.name.name}` waits for step `{name}`, which no "
                                   f"path of `{ctx.proc.name.name}` reaches", r.span,
                                   labels=[Label(span=ctx.span(name), message="never reached")],
                                   help="wait for a step that is performed")


@rule(TRIGGER_UNOBSERVABLE, PACK, "fault injection (domain-facts 6)")
def trigger_unobservable(ctx: RuleContext):
    faults = _owned_faults(ctx)
    if not faults:
        return
    live = _live(ctx)
    for fault in faults:
        for t in fault.triggers:
            if t.kind != "when":
                continue
            for r in cond_refs(t.condition):
                tag = r.head.name
                if ctx.equipment(tag) is not None and tag not in live:
                    yield ctx.diag(TRIGGER_UNOBSERVABLE,
                                   f"the trigger of fault `{fault.name.name}` watches `{r.text}`, "
                                   "which nothing in the procedures changes or reads", r.span,
                                   help="trigger on a state the procedure changes or reads, or "
                                   "`at step S`")


@rule(NO_RECOVERY, PACK, "fault recovery (domain-facts 6, recovery time)")
def no_recovery(ctx: RuleContext):
    faults = [_Fault(ctx, fault) for fault in _owned_faults(ctx)]
    clean = _recovered_everywhere(ctx, faults)
    for f in faults:
        fault = f.fault
        if f.self_clearing or id(f) in clean:
            continue

        def classes(n, f=f):
            return frozenset({"recover"}) if f.recovers(n) else frozenset()

        triggers = _trigger_nodes(ctx, fault)
        help_text = (f"add `on alarm` watching `{fault.target.head.name}` during the steps after "
                     "the trigger, a later step that `expect`s its state, or a `clears` clause")
        if not triggers:
            if not any(f.recovers(n) for n in _reach(ctx, START)):
                yield ctx.diag(NO_RECOVERY,
                               f"nothing in `{ctx.proc.name.name}` notices or clears fault "
                               f"`{fault.name.name}`", fault.name.span, help=help_text)
            continue
        result = ordered_phases(f.graph(), END, ["recover"], classes, reverse=True)
        for t, node in triggers:
            if f.recovers(node) or not result.reached(node) or not result.missing(node):
                continue
            if any(f.recovers(m) for m in _siblings(ctx, node)):
                continue  # a parallel branch running beside the trigger notices it
            path = list(reversed(witness(result, node)))
            yield ctx.diag(NO_RECOVERY,
                           f"after fault `{fault.name.name}` starts at `{node}`, a path reaches "
                           "the end without noticing or clearing it", t.span, path=path,
                           notes=_passed(ctx, f, path),
                           labels=[Label(span=ctx.span(node), message="the fault starts here")],
                           help=help_text)


def _recovered_everywhere(ctx: RuleContext, faults: list[_Fault]) -> set[int]:
    """The faults (ids) that `no_recovery` would find recovered after every trigger.

    The analysis of `no_recovery` for all the faults whose graph is the procedure's own,
    in one traversal; only the others, and the faults this finds unrecovered somewhere,
    are analysed one by one (for the path of the note).
    """
    batch = [f for f in faults if not f.self_clearing and _trigger_nodes(ctx, f.fault)
             and f.graph() is ctx.g]
    if not batch:
        return set()
    # which faults a node may recover, from the names it mentions (see _Fault.recovers)
    by_tag: dict[str, set[int]] = {}
    by_watch: dict[str, set[int]] = {}
    by_clear: dict[str, set[int]] = {}
    for i, f in enumerate(batch):
        for tag in f.tags:
            by_tag.setdefault(tag, set()).add(i)
        for tag in f.watch:
            by_watch.setdefault(tag, set()).add(i)
        for name in f.clear_steps:
            by_clear.setdefault(name, set()).add(i)
    g = ctx.g

    def alarm_candidates(n) -> set[int]:
        out: set[int] = set()
        for r in cond_refs(g.nodes[n].get("condition")):
            out |= by_watch.get(r.head.name, set())
        return out

    def classes_at(n):
        data = g.nodes[n]
        if data["kind"] == "alarm":
            candidates = alarm_candidates(n)
        elif data["kind"] == "step":
            candidates = set(by_clear.get(data["name"], ()))
            step = data["ast"]
            conds = [e.condition for e in step.expects]
            conds += [a.condition for a in step.actions if a.op == "wait_until"]
            for c in conds:
                for r in cond_refs(c):
                    candidates |= by_tag.get(r.head.name, set())
            for m, d in g.succ[n].items():
                if d.get("kind") == "alarm":
                    candidates |= alarm_candidates(m)
        else:
            return ()
        return [(i, _RECOVER) for i in sorted(candidates) if batch[i].recovers(n)]

    result = ordered_phases_many(g, END, [("recover",)] * len(batch), classes_at, reverse=True)
    clean = set()
    for i, f in enumerate(batch):
        if not any(result.reached(node) and result.missing(i, node)
                   and not f.recovers(node) for _t, node in _trigger_nodes(ctx, f.fault)):
            clean.add(id(f))
    return clean


_RECOVER = frozenset({"recover"})


def _passed(ctx: RuleContext, f: _Fault, path) -> list[str]:
    """A note naming the steps on the path whose expectations the faulty value passes."""
    steps, seen = [], None
    for n in path:
        step = ctx.g.nodes[n].get("ast")
        if step is None:
            continue
        refs = [r for e in step.expects if f.evaluate(e.condition) is True
                for r in cond_refs(e.condition) if f.looks_at(r)]
        if refs:
            steps.append(f"`{ctx.g.nodes[n]['name']}`")
            seen = seen or refs[0].text
    if not steps:
        return []
    who = f"step {steps[0]} checks" if len(steps) == 1 else f"steps {', '.join(steps)} check"
    return [f"{who} `{seen}`, but the faulty value {_written(f.value)} passes"]


def _written(value) -> str:
    if isinstance(value, ast.QuantityValue):
        return value.text + (f" {value.unit}" if value.unit else "")
    return getattr(value, "name", None) or str(getattr(value, "value", ""))


@rule(CLEAR_UNREACHABLE, PACK, "fault injection (domain-facts 6)")
def clear_unreachable(ctx: RuleContext):
    for fault in _owned_faults(ctx):
        triggers = _trigger_nodes(ctx, fault)
        starts = [node for _t, node in triggers] or [START]
        after: set = set()
        for s in starts:
            after |= _reach(ctx, s)
        for c in fault.clears:
            if c.kind != "step" or c.step is None:
                continue
            nodes = [n for n in ctx.step_nodes() if ctx.g.nodes[n]["name"] == c.step.name]
            if not nodes or any(n in after for n in nodes):
                continue
            start = starts[0]
            path = path_between(ctx.g, start, END)
            what = f"its trigger `{start}`" if triggers else "the start"
            yield ctx.diag(CLEAR_UNREACHABLE,
                           f"fault `{fault.name.name}` clears on step `{c.step.name}`, which never "
                           f"comes after {what}", c.step.span, path=path,
                           labels=[Label(span=ctx.span(nodes[0]), message="the clearing step")],
                           help="clear it on a step performed after the trigger, or add the "
                           "`goto` that leads back to it")


@rule(EXPECT_UNOBSERVABLE, PACK, "observable expectations")
def expect_unobservable(ctx: RuleContext):
    acted_by: dict[str, set] = {}
    for n in ctx.step_nodes():
        for tag in _acted(ctx.step(n)):
            acted_by.setdefault(tag, set()).add(id(ctx.step(n)))
    for n in checked_steps(ctx, None):
        step = ctx.step(n)
        mine = _acted(step)
        if any(ctx.is_control_device(t) for t in mine):
            continue  # a push button or selector acts on what it controls, which is not declared
        near = related(ctx, mine) if mine else set()
        for e in step.expects:
            for r in cond_refs(e.condition):
                tag = r.head.name
                if ctx.equipment(tag) is None or tag in near:
                    continue
                if acted_by.get(tag, set()) - {id(step)}:
                    continue
                yield ctx.diag(EXPECT_UNOBSERVABLE,
                               f"step `{ctx.g.nodes[n]['name']}` expects `{r.text}`, but no step "
                               f"acts on or reads `{tag}`", r.span,
                               path=path_between(ctx.g, START, n,
                                                 edge_kinds=FLOW_EDGES | {"resume"}),
                               help=f"expect a state of what the step operates, or add a step "
                               f"that reads `{tag}` (`inspect`, `measure`, `record`)")
