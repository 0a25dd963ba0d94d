"""The entries of a procedure into confined spaces and the path facts its rules share.

An entry is a step that `enter`s a confined space: equipment whose kind accepts the verb
`enter` and has a `volume` parameter (stdlib `ConfinedSpace`).  :class:`Analysis` finds the
entries and exits, classifies what each step does with atmospheric readings (see
:mod:`._confined_atmosphere`) and answers, per path, which tests, rescue provisions and
accounting come before or after an entry.  One analysis is built per rule context
(:func:`analysis`) and shared by the rules of :mod:`.confined`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import ast
from ..dataflow import FLOW_EDGES, ordered_phases, witness
from ..model import ABORT, END, START
from . import RuleContext
from ._confined_atmosphere import (
    EPS,
    LFL_SHARE,
    O2_HIGH,
    O2_LOW,
    O2_TEXT,
    ORDER,
    atmosphere_class,
    atoms,
    conjuncts,
    item_text_limit,
    param_value,
    qtext,
    si_value,
    state_def,
    toxic_limit,
)

#: Verbs that read an instrument (a test when the step also checks the reading).
TEST_VERBS = frozenset({"measure", "test", "check", "sample", "read", "monitor"})
#: Verbs that set up a retrieval system (a kind that accepts `retrieve`).
RIG_VERBS = frozenset({"rig", "attach", "set_up", "install", "mount"})
#: Deeper vertical entries need a mechanical retrieval device (1910.146(k)(3)(ii)).
RETRIEVAL_DEPTH_M = 1.52


def is_confined_space(kind: ast.Kind | None) -> bool:
    """A kind one can `enter` and that has a volume: a confined space."""
    return bool(kind is not None and any(a.name == "enter" for a in kind.actions)
                and any(p.type.name.name == "volume" for p in kind.params))


def length_si(ctx: RuleContext, tag: str, name: str) -> float | None:
    return si_value(param_value(ctx, tag, name), "length")


@dataclass(frozen=True)
class Entry:
    node: str
    space: str
    name: str


@dataclass
class Tests:
    """What one step does with atmospheric readings."""

    measured: set = field(default_factory=set)   # classes read or checked
    checked: set = field(default_factory=set)    # classes checked against a limit
    gated: set = field(default_factory=set)      # ... and in the standard's order
    accepted: set = field(default_factory=set)   # items with the bounds the standard needs
    partial: dict = field(default_factory=dict)  # item → what the check lacks
    lax: list = field(default_factory=list)      # (span, message, help)
    toxic: set = field(default_factory=set)      # toxic state names read


class Analysis:
    """The entries of a procedure and the path facts the confined-space rules share."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.entries = [Entry(n, t, ctx.g.nodes[n]["name"]) for n in ctx.step_nodes()
                        for verb, targets, _a in ctx.verbs(n) if verb == "enter"
                        for t in targets if is_confined_space(ctx.kind(t))]
        self._tests: dict = {}
        self._cache: dict = {}
        self.item_ref: dict[str, str] = {}

    def _memo(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # ------------------------------------------------------------ exits

    def exits(self, space: str) -> list:
        return self._memo(("exits", space), lambda: [
            n for n in self.ctx.step_nodes()
            if any(v == "exit" and space in t for v, t, _a in self.ctx.verbs(n))])

    def exit_classes(self, space: str):
        exits = set(self.exits(space))
        return lambda n: frozenset({"exit"}) if n in exits else frozenset()

    def exit_results(self, space: str) -> list:
        return self._memo(("exit-results", space), lambda: [
            ordered_phases(self.ctx.g, t, ["exit"], self.exit_classes(space), reverse=True)
            for t in (END, ABORT)])

    def inside(self, e: Entry) -> set:
        """Steps after the entry and before an exit (alarm handlers left out)."""
        g, stop = self.ctx.g, set(self.exits(e.space))
        seen, stack = {e.node}, [e.node]
        while stack:
            for nxt, d in g.succ[stack.pop()].items():
                if d.get("kind") in FLOW_EDGES - {"alarm"} and nxt not in seen:
                    seen.add(nxt)
                    if nxt not in stop:
                        stack.append(nxt)
        return {n for n in seen - stop - {e.node} if g.nodes[n]["kind"] == "step"}

    # ------------------------------------------------------------ tests

    def _readings(self, ref: ast.Ref):
        """(tag, state, class) read through ``ref``: one state, or every one of a detector."""
        tag = ref.head.name
        if len(ref.parts) == 2:
            cls = atmosphere_class(self.ctx, tag, ref.parts[1].name)
            return [(tag, ref.parts[1].name, cls)] if cls else []
        kind = self.ctx.kind(tag)
        out = [(tag, s.name.name, atmosphere_class(self.ctx, tag, s.name.name))
               for s in (kind.states if kind is not None and len(ref.parts) == 1 else ())]
        return sorted((r for r in out if r[2]), key=lambda r: ORDER.index(r[2]))

    def tests(self, n) -> Tests:
        if n not in self._tests:
            self._tests[n] = self._step_tests(n) if self.ctx.g.nodes[n]["kind"] == "step" \
                else Tests()
        return self._tests[n]

    def _step_tests(self, n) -> Tests:
        ctx, t = self.ctx, Tests()
        order: list[tuple[str, bool]] = []
        conds = []
        for a in ctx.actions(n):
            if a.op == "record" or (a.op == "do" and a.verb and a.verb.name in TEST_VERBS):
                for tag, st, cls in (r for ref in a.targets for r in self._readings(ref)):
                    self._seen(t, tag, st, cls)
                    order.append((cls, False))
            if a.op == "wait_until" and a.condition is not None:
                conds.append(a.condition)
        step = ctx.step(n)
        if step is not None:
            conds += [e.condition for e in step.expects] + list(step.requires)
        bounds: dict = {}
        for cond in conds:
            for c in atoms(cond):
                if not hasattr(c, "ref") or len(c.ref.parts) != 2:
                    continue
                for tag, st, cls in self._readings(c.ref):
                    self._seen(t, tag, st, cls)
                    t.checked.add(cls)
                    order.append((cls, True))
                    bounds.setdefault((tag, st, cls), [None, None])
            for c in conjuncts(cond):
                if isinstance(c, ast.Compare | ast.Between) and len(c.ref.parts) == 2:
                    key = (c.ref.head.name, c.ref.parts[1].name)
                    cls = atmosphere_class(ctx, *key)
                    if cls is not None:
                        _bound(bounds[(*key, cls)], c, state_def(ctx, *key).type.name.name)
        for (tag, st, cls), (lo, hi) in bounds.items():
            self._judge(t, tag, st, cls, lo, hi)
        # a check counts for the order only if no check of an earlier class follows it
        low = len(ORDER)
        for cls, gate in reversed(order):
            if gate and ORDER.index(cls) <= low:
                t.gated.add(cls)
                low = ORDER.index(cls)
        return t

    def _seen(self, t: Tests, tag: str, st: str, cls: str) -> None:
        t.measured.add(cls)
        item = f"toxic:{st}" if cls == "toxics" else cls
        self.item_ref.setdefault(item, f"{tag}.{st}")
        if cls == "toxics":
            t.toxic.add(st)

    def _judge(self, t: Tests, tag, st, cls, lo, hi) -> None:
        ref = f"`{tag}.{st}`"
        item = f"toxic:{st}" if cls == "toxics" else cls
        lax = []
        if cls == "oxygen":
            if lo is not None and lo[0] < O2_LOW - EPS:
                lax.append((lo, f"{ref} accepts oxygen down to {qtext(lo[1])}: below "
                            "19.5 % vol the atmosphere is oxygen-deficient"))
            if hi is not None and hi[0] > O2_HIGH + EPS:
                lax.append((hi, f"{ref} accepts oxygen up to {qtext(hi[1])}: above "
                            "23.5 % vol the atmosphere is oxygen-enriched"))
            complete = lo is not None and hi is not None
            lacking = ("no upper bound" if lo is not None else "no lower bound"
                       if hi is not None else "no bounds")
        else:
            limit = LFL_SHARE if cls == "flammables" else (toxic_limit(self.ctx, tag, st) or
                                                           (None,))[0]
            if hi is not None and limit is not None and hi[0] > limit + EPS:
                what = ("above 10 % LEL the atmosphere is hazardous" if cls == "flammables"
                        else "the limit is " + item_text_limit(self.ctx, tag, st))
                lax.append((hi, f"{ref} accepts up to {qtext(hi[1])}: {what}"))
            complete = hi is not None
            lacking = "no upper bound"
        for (_v, _value, span), message in lax:
            t.lax.append((span, message, "tighten the expectation to the limit of "
                          "29 CFR 1910.146(b)"))
        if complete or lax:
            t.accepted.add(item)
        else:
            t.partial[item] = f"{ref} with {lacking}"

    def toxics_required(self) -> bool:
        ctx = self.ctx
        if any(h.hazard_class is not None and h.hazard_class.name in ("toxic_atmosphere", "toxic")
               for h in ctx.proc.hazards):
            return True
        if any(self.tests(n).toxic for n in ctx.step_nodes()):
            return True
        for e in self.entries:
            eq = ctx.equipment(e.space)
            for ref in eq.contains if eq is not None else ():
                decl = ctx.scope.get(ref.head.name)
                if decl is not None and decl.category == "substance" and any(
                        p.name.name == "pel" for p in decl.node.params):
                    return True
        return False

    def sequence(self):
        phases = ["oxygen", "flammables"] + (["toxics"] if self.toxics_required() else [])
        return self._memo("sequence", lambda: ordered_phases(
            self.ctx.g, START, phases, lambda n: frozenset(self.tests(n).gated)))

    def test_gap(self, n):
        """(class missing, node that tested it too early or None, path) or None."""
        res = self.sequence()
        if not res.reached(n) or res.missing(n) is None:
            return None
        cls = res.missing(n)
        path = witness(res, n)
        early = next((p for p in path[:-1] if cls in self.tests(p).checked), None)
        return cls, early if ORDER.index(cls) > 0 else None, path

    def required_items(self) -> list[str]:
        toxic = sorted({s for n in self.ctx.step_nodes() for s in self.tests(n).toxic})
        return ["oxygen", "flammables"] + [f"toxic:{s}" for s in toxic]

    def acceptance(self, item: str):
        return self._memo(("accept", item), lambda: ordered_phases(
            self.ctx.g, START, [item],
            lambda n: frozenset({item}) if item in self.tests(n).accepted else frozenset()))

    def item_text(self, item: str, expect: bool = False) -> str:
        ref = self.item_ref.get(item, "GD-1." + item.split(":")[-1])
        if item == "oxygen":
            return f"`{ref} {O2_TEXT}`" if expect else f"oxygen {O2_TEXT}"
        if item == "flammables":
            return f"`{ref} < 10 % LEL`" if expect else "flammable gas below 10 % LEL"
        tag, st = ref.split(".", 1)
        limit = toxic_limit(self.ctx, tag, st)
        if expect:
            return f"`{ref} < {limit[1] if limit else 'LIMIT'}`"
        return (f"`{st}` below {item_text_limit(self.ctx, tag, st)}" if limit
                else f"an upper bound on `{st}`")

    # ------------------------------------------------------------ rescue, accounting

    def rigs(self, n) -> bool:
        ctx = self.ctx
        return any(verb in RIG_VERBS and any(
            k is not None and any(a.name == "retrieve" for a in k.actions)
            for k in map(ctx.kind, targets)) for verb, targets, _a in ctx.verbs(n))

    def accounts(self, n, space: str) -> bool:
        ctx = self.ctx
        if ctx.g.nodes[n]["kind"] != "step":
            return False
        entrants = {ctx.performer(e.node) for e in self.entries if e.space == space}
        entrants |= {ctx.performer(x) for x in self.exits(space)}
        refs = [r for a in ctx.actions(n) if a.op in ("record", "do") for r in a.targets]
        refs += ctx.expect_refs(n)
        for a in ctx.actions(n):
            if a.op == "account" and (not entrants or entrants & {r.name for r in a.roles}):
                return True
        return any(r.head.name == space and len(r.parts) == 2 and (
            (st := state_def(ctx, space, r.parts[1].name)) is not None
            and st.type.name.name == "count") for r in refs)


def _bound(slot: list, c, type_name: str) -> None:
    """Narrow [lo, hi] (each (si, value, span)) by one comparison."""
    if isinstance(c, ast.Between):
        pairs = [(0, c.low), (1, c.high)]
    else:
        pairs = {">": [(0, c.value)], ">=": [(0, c.value)], "<": [(1, c.value)],
                 "<=": [(1, c.value)], "==": [(0, c.value), (1, c.value)]}.get(c.op, [])
    for i, value in pairs:
        v = si_value(value, type_name)
        if v is None:
            continue
        cur = slot[i]
        if cur is None or (v > cur[0] if i == 0 else v < cur[0]):
            slot[i] = (v, value, c.span)


def analysis(ctx: RuleContext) -> Analysis:
    an = ctx.__dict__.get("_confined_analysis")
    if an is None:
        an = ctx.__dict__["_confined_analysis"] = Analysis(ctx)
    return an


def reverse_results(ctx: RuleContext, phases, classes):
    """Reverse analyses of ``phases`` from the end and from an `abort`: for a node,
    whether every path from it to that terminal passes through them."""
    return [ordered_phases(ctx.g, t, phases, classes, reverse=True) for t in (END, ABORT)]


def first_gap(results, n):
    """The first of ``results`` that reaches ``n`` with a phase missing, or None."""
    for res in results:
        if res.reached(n) and res.missing(n) is not None:
            return res
    return None


def rig_result(ctx: RuleContext):
    """Whether a retrieval system is rigged on every path from the start."""
    an = analysis(ctx)
    return ordered_phases(ctx.g, START, ["rig"],
                          lambda n: frozenset({"rig"}) if an.rigs(n) else frozenset())


def is_deep(ctx: RuleContext, space: str) -> bool:
    """A vertical entry deep enough to need a mechanical retrieval device."""
    depth = length_si(ctx, space, "vertical_depth")
    return depth is not None and depth > RETRIEVAL_DEPTH_M
