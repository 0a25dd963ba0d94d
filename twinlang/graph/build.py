"""Building the step graph of a procedure from its AST (with `call` sites expanded)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ast
from ..diagnostics import Label, make
from . import codes
from .model import ABORT, END, START, StepGraph

#: At most this many nodes are built for one procedure (sub-procedure calls included).
MAX_NODES = 500_000
#: Calls nest at most this deep.
MAX_CALL_DEPTH = 16


@dataclass
class _Scope:
    """A procedure body being expanded: its own steps, under a node-id prefix."""

    procedure: ast.Procedure
    prefix: str
    performer: str | None
    calls: tuple[str, ...]  # the chain of procedures being expanded (for recursion)
    step_ids: dict[str, str] = field(default_factory=dict)


class Builder:
    def __init__(self, procedure: ast.Procedure, module, sink) -> None:
        self.sg = StepGraph(procedure=procedure, module=module)
        self.g = self.sg.graph
        self.module = module
        self.sink = sink
        self.counter: dict[str, int] = {}
        self.overflow = False
        self.alarms: list[tuple[ast.Alarm, _Scope, tuple]] = []

    # ------------------------------------------------------------ helpers

    def _new(self, kind: str, scope: _Scope | None = None, **data) -> str:
        n = self.counter.get(kind, 0) + 1
        self.counter[kind] = n
        prefix = scope.prefix if scope is not None else ""
        node_id = f"{prefix}{kind}#{n}"
        self.g.add_node(node_id, kind=kind, **data)
        return node_id

    def _too_big(self) -> bool:
        if len(self.g) > MAX_NODES and not self.overflow:
            self.overflow = True
            self.sink.add(make(
                codes.GRAPH_TOO_LARGE,
                f"procedure `{self.sg.name}` expands to more than {MAX_NODES:,} nodes",
                self.sg.procedure.name.span,
                help="split it into smaller procedures; check for calls that multiply",
            ))
        return self.overflow

    # ------------------------------------------------------------ build

    def build(self) -> StepGraph:
        proc = self.sg.procedure
        self.g.add_node(START, kind="start", label="start")
        self.g.add_node(END, kind="end", label="end")
        self.g.add_node(ABORT, kind="abort", label="abort")
        performer = proc.performed_by.name if proc.performed_by else None
        scope = _Scope(proc, "", performer, (proc.name.name,))
        self._declare_steps(proc.body, scope, ())
        entry = self._seq(proc.body, END, scope, ())
        self.g.add_edge(START, entry, kind="next")
        self._attach_alarms()
        sg = self.sg
        sg.energy = [(e.energy.name, e.source.text) for e in proc.energy]
        sg.hazards = [(h.name.name, h.hazard_class.name if h.hazard_class else None)
                      for h in proc.hazards]
        sg.permits = [p.name.name for p in proc.permits]
        roles = [r.name for r in proc.roles]
        if performer and performer not in roles:
            roles.insert(0, performer)
        sg.roles = roles
        return sg

    def _declare_steps(self, items, scope: _Scope, region: tuple) -> None:
        """Create every step node of a body first, so `goto` may jump forward."""
        stack = [(iter(items), region)]
        while stack:
            try:
                item = next(stack[-1][0])
            except StopIteration:
                stack.pop()
                continue
            reg = stack[-1][1]
            if isinstance(item, ast.Step):
                if item.name.name in scope.step_ids:
                    continue  # duplicate names are reported by the semantic stage
                node_id = scope.prefix + item.name.name
                scope.step_ids[item.name.name] = node_id
                self.g.add_node(node_id, **_step_data(item, scope, reg))
            elif isinstance(item, ast.Parallel):
                for b in item.branches:
                    stack.append((iter(b.body), (*reg, (id(item), b.name.name))))
            elif isinstance(item, ast.If):
                stack.append((iter([*item.then, *(item.otherwise or ())]), reg))
            elif isinstance(item, ast.Choose):
                stack.append((iter([s for o in item.options for s in o.body]), reg))
            elif isinstance(item, ast.Alarm):
                stack.append((iter(item.body), reg))

    def _seq(self, items, cont: str | None, scope: _Scope, region: tuple,
             handler: str | None = None) -> str | None:
        entry = cont
        for item in reversed(items):
            if self._too_big():
                return entry
            entry = self._item(item, entry, scope, region, handler)
        return entry

    def _item(self, item, cont, scope: _Scope, region: tuple, handler: str | None):
        g = self.g
        if isinstance(item, ast.Step):
            node_id = scope.step_ids.get(item.name.name)
            if node_id is None or g.nodes[node_id].get("ast") is not item:
                return cont
            if cont is not None:
                g.add_edge(node_id, cont, kind="next")
            return node_id
        if isinstance(item, ast.Jump):
            return self._jump(item, cont, scope, region, handler)
        if isinstance(item, ast.If):
            d = self._new("if", scope, label="if", region=region, span=item.span,
                          condition=item.condition)
            then = self._seq(item.then, cont, scope, region, handler)
            other = self._seq(item.otherwise, cont, scope, region, handler) \
                if item.otherwise is not None else cont
            if then is not None:
                g.add_edge(d, then, kind="branch", condition=item.condition)
            if other is not None:
                g.add_edge(d, other, kind="else", condition=item.condition)
            return d
        if isinstance(item, ast.Choose):
            d = self._new("choose", scope, label="choose", region=region, span=item.span,
                          prompt=item.prompt)
            for opt in item.options:
                entry = self._seq(opt.body, cont, scope, region, handler)
                if entry is not None:
                    g.add_edge(d, entry, kind="option", option=opt.label)
            return d
        if isinstance(item, ast.Parallel):
            fork = self._new("fork", scope, label="fork", region=region, span=item.span)
            join = self._new("join", scope, label="join", region=region, span=item.span,
                             fork=fork)
            g.nodes[fork]["join"] = join
            if cont is not None:
                g.add_edge(join, cont, kind="next")
            for b in item.branches:
                sub = (*region, (id(item), b.name.name))
                entry = self._seq(b.body, join, scope, sub, handler)
                if entry is not None:
                    g.add_edge(fork, entry, kind="fork", branch=b.name.name)
            return fork
        if isinstance(item, ast.Alarm):
            self.alarms.append((item, scope, region))
            return cont
        if isinstance(item, ast.Call):
            return self._call(item, cont, scope, region, handler)
        return cont

    def _jump(self, item: ast.Jump, cont, scope: _Scope, region: tuple, handler: str | None):
        if item.op == "abort":
            return ABORT
        if item.op == "resume":
            if handler is None:
                self.sink.add(make(codes.RESUME_OUTSIDE_HANDLER,
                                   "`resume` is only meaningful inside an alarm handler",
                                   item.span, help="use `goto STEP` to jump, or remove `resume`"))
                return None
            return handler + ":resume"
        target = scope.step_ids.get(item.target.name) if item.target else None
        if target is None:
            return None  # reported as unknown-step by the semantic stage
        # A goto is a node of its own so that its bound and its region survive.  A bounded
        # goto is a retry: once the bound is used up the procedure goes on after it, or, at
        # the end of an alarm handler, stops safely.
        node = self._new("goto", scope, label=f"goto {item.target.name}", region=region,
                         span=item.span, target=target, bound=item.bound)
        self.g.add_edge(node, target, kind="goto", bound=item.bound)
        if item.bound:
            after = cont if cont is not None else ABORT
            self.g.add_edge(node, after, kind="next", exhausted=True)
        return node

    def _call(self, item: ast.Call, cont, scope: _Scope, region: tuple, handler: str | None):
        decl = self.module.scope.get(item.target.name) if self.module is not None else None
        if decl is None or decl.category != "procedure":
            return cont
        callee: ast.Procedure = decl.node
        name = callee.name.name
        if name in scope.calls:
            chain = " → ".join(f"`{c}`" for c in (*scope.calls, name))
            self.sink.add(make(
                codes.RECURSIVE_CALL,
                f"procedure `{name}` calls itself" if scope.calls[-1] == name
                else f"calling `{name}` here makes the procedures call each other in a circle",
                item.target.span, notes=[f"calls: {chain}"],
                help="a sub-procedure cannot call a procedure that is already running; "
                "use `goto ... up to N times` for a bounded repetition",
            ))
            return cont
        if len(scope.calls) >= MAX_CALL_DEPTH:
            self.sink.add(make(codes.GRAPH_TOO_LARGE,
                               f"calls nest more than {MAX_CALL_DEPTH} levels deep",
                               item.target.span, help="flatten the chain of sub-procedures"))
            return cont
        n = self.counter.get("call:" + name, 0) + 1
        self.counter["call:" + name] = n
        performer = callee.performed_by.name if callee.performed_by else scope.performer
        sub = _Scope(callee, f"{scope.prefix}{name}#{n}/", performer, (*scope.calls, name))
        self._declare_steps(callee.body, sub, region)
        entry = self._seq(callee.body, cont, sub, region, handler)
        return cont if entry is None else entry

    # ------------------------------------------------------------ alarms

    def _attach_alarms(self) -> None:
        g = self.g
        i = 0
        while i < len(self.alarms):  # handlers may contain further handlers
            alarm, scope, region = self.alarms[i]
            i += 1
            node = self._new("alarm", scope, label="on alarm", region=region, span=alarm.span,
                             condition=alarm.condition)
            if alarm.during:
                targets = [scope.step_ids[d.name] for d in alarm.during if d.name in scope.step_ids]
            else:
                targets = list(scope.step_ids.values())
            for t in targets:
                g.add_edge(t, node, kind="alarm")
            resume = node + ":resume"
            g.add_node(resume, kind="resume", label="resume", region=region, span=alarm.span)
            for t in targets:
                g.add_edge(resume, t, kind="resume")
            entry = self._seq(alarm.body, None, scope, region, handler=node)
            if entry is not None:
                g.add_edge(node, entry, kind="next")
            self._check_handler_exit(alarm, node)
            if g.in_degree(resume) == 0:
                g.remove_node(resume)

    def _check_handler_exit(self, alarm: ast.Alarm, node: str) -> None:
        last = alarm.body[-1] if alarm.body else None
        if isinstance(last, ast.Jump):
            return
        span = last.span if last is not None else alarm.span
        self.sink.add(make(
            codes.HANDLER_NO_EXIT,
            "this alarm handler does not say how it ends",
            alarm.span,
            labels=[Label(span=span, message="the handler runs off here")],
            help="end it with `resume` (back to the interrupted step), `goto STEP` or "
            '`abort "reason"` (stop safely)',
        ))
        self.g.nodes[node]["no_exit"] = True


def _step_data(step: ast.Step, scope: _Scope, region: tuple) -> dict:
    performer = step.performed_by.name if step.performed_by else scope.performer
    return {
        "kind": "step",
        "label": scope.prefix + step.name.name,
        "name": step.name.name,
        "title": step.title,
        "procedure": scope.procedure.name.name,
        "performer": performer,
        "verifier": step.verified_by.name if step.verified_by else None,
        "critical": step.critical,
        "region": region,
        "span": step.name.span,
        "ast": step,
    }


#: The builder recurses once per nesting level of blocks and calls, both bounded (64
#: levels of blocks by the source limits, MAX_CALL_DEPTH calls): at most about 64 x 17
#: levels of a few frames each.  This is the Python recursion limit that depth needs.
RECURSION_NEEDED = 64 * (MAX_CALL_DEPTH + 1) * 4 + 1000


def build_graph(procedure: ast.Procedure, module, sink) -> StepGraph:
    import sys

    old = sys.getrecursionlimit()
    if old < RECURSION_NEEDED:
        sys.setrecursionlimit(RECURSION_NEEDED)
    try:
        return Builder(procedure, module, sink).build()
    finally:
        if old < RECURSION_NEEDED:
            sys.setrecursionlimit(old)
