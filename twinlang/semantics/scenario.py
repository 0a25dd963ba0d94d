"""Scenario-level declarations: the header, faults, competencies, profiles, `allow`."""

from __future__ import annotations

from .. import ast
from ..diagnostics import Label
from ..diagnostics.codes import lookup as lookup_code
from . import codes, units, vocab
from .context import Ctx, suggest
from .kinds import resolve_equipment_ref
from .procedures import ProcedureChecker, iter_steps


def check_header(ctx: Ctx, header: ast.ScenarioHeader) -> None:
    if header.risk is not None:
        check_risk(ctx, header.risk)


def check_risk(ctx: Ctx, risk: ast.Ident) -> None:
    if risk.name not in vocab.RISK_CLASSES:
        close = suggest(risk.name, vocab.RISK_CLASSES)
        ctx.error(
            codes.UNKNOWN_RISK,
            f"unknown risk class `{risk.name}`",
            risk.span,
            help=f"did you mean `{close}`?"
            if close
            else "risk classes are `low`, `medium`, `high` and `critical`",
        )


def check_allow(ctx: Ctx, allow: ast.Allow) -> None:
    info = lookup_code(allow.code)
    if info is None:
        ctx.error(
            codes.UNKNOWN_CODE,
            f"no diagnostic has the code `{allow.code}`",
            allow.code_span,
            help="see `twinlang explain CODE` or docs/diagnostics.md",
        )
        return
    if info.severity.value == "error" and int(allow.code[2:]) < 500:
        ctx.error(
            codes.NOT_ALLOWABLE,
            f"`{allow.code}` ({info.name}) cannot be allowed",
            allow.code_span,
            help="fix the problem it reports; only safety rules (TW05xx and above) and "
            "warnings can be allowed with a reason",
        )
    if not allow.reason.strip():
        ctx.error(
            codes.INVALID_VALUE,
            "`allow` needs a written reason",
            allow.span,
            help='say why the rule does not apply: `because "..."`',
        )


def module_steps(ctx: Ctx) -> dict[str, ast.Step]:
    """Every step of every procedure of the module, by name (the first wins), collected
    once per module: each fault asks for it."""
    cached = getattr(ctx, "_module_steps", None)
    if cached is None:
        cached = {}
        for decl in ctx.module.decls.values():
            if decl.category == "procedure":
                for s in iter_steps(decl.node.body):
                    cached.setdefault(s.name.name, s)
        ctx._module_steps = cached
    return cached


class _ModuleSteps(ProcedureChecker):
    """Checks conditions outside a procedure (fault triggers): steps of any procedure count."""

    def __init__(self, ctx: Ctx) -> None:
        dummy = ast.Procedure(
            span=ast.Span(file=ctx.module.display),
            name=ast.Ident(span=ast.Span(file=ctx.module.display), name="(scenario)"),
        )
        super().__init__(ctx, dummy)
        self.steps = module_steps(ctx)

    def step_ref(self, ident: ast.Ident) -> ast.Step | None:
        step = self.steps.get(ident.name)
        if step is None:
            close = suggest(ident.name, self.steps)
            self.ctx.error(
                codes.UNKNOWN_STEP,
                f"no procedure of this scenario has a step `{ident.name}`",
                ident.span,
                help=f"did you mean `{close}`?"
                if close
                else "name a step of one of the scenario's procedures",
            )
        return step


def check_fault(ctx: Ctx, fault: ast.Fault) -> None:
    steps = _ModuleSteps(ctx)
    decl, state = resolve_equipment_ref(ctx, fault.target, allow_member=True)
    if not fault.triggers:
        ctx.error(
            codes.INVALID_VALUE,
            f"fault `{fault.name.name}` has no trigger",
            fault.name.span,
            help="add `trigger at step S`, `trigger at time T`, `trigger when COND` or "
            "`trigger random probability P`",
        )
    if not fault.effects:
        ctx.error(
            codes.INVALID_VALUE,
            f"fault `{fault.name.name}` has no effect",
            fault.name.span,
            help="add an `effect`: stuck at, leak, drift, sensor_failure, lock_failure or alarm",
        )
    for t in fault.triggers:
        if t.kind == "step":
            steps.step_ref(t.step)
        elif t.kind == "time":
            m = ctx.check_value(t.time, "time", what="the trigger time")
            if isinstance(m, units.Measure) and m.si < 0:
                ctx.error(
                    codes.INVALID_VALUE,
                    "the trigger time cannot be negative",
                    t.time.span,
                    help="give a time from the start of the run, e.g. `at time 5 min`",
                )
        elif t.kind == "when":
            steps.condition(t.condition)
        elif t.kind == "random":
            m = ctx.check_value(t.probability, "fraction", what="the probability")
            if isinstance(m, units.Measure) and not 0 <= m.si <= 1:
                ctx.error(
                    codes.INVALID_VALUE,
                    "a probability lies between 0 % and 100 %",
                    t.probability.span,
                    help="write a percentage such as `5 %`",
                )
            if t.every is not None:
                steps.duration(t.every, "the interval")
    for e in fault.effects:
        _effect(ctx, steps, e, state)
    for c in fault.clears:
        if c.kind == "after":
            steps.duration(c.value, "the clearing time")
        elif c.kind == "when":
            steps.condition(c.condition)
        elif c.kind == "step":
            steps.step_ref(c.step)
    if decl is not None and any(e.kind == "lock_failure" for e in fault.effects):
        kind = ctx.module.scope.get(decl.node.kind.name)
        if kind is not None and kind.category == "kind" and not kind.node.lockable:
            ctx.error(
                codes.INVALID_VALUE,
                f"a lock failure on `{fault.target.text}` cannot happen: "
                f"`{kind.node.name.name}` takes no lock",
                fault.target.span,
                help="target the lockable isolating device",
            )


def _effect(ctx: Ctx, steps: _ModuleSteps, e: ast.Effect, target_state) -> None:
    if e.kind == "stuck":
        if target_state is not None:
            ctx.check_value(e.value, target_state.type, what="the stuck value")
        else:
            _known_unit(ctx, e.value)
    elif e.kind == "leak":
        if isinstance(e.value, ast.QuantityValue):
            kinds = ("flow", "mass_flow")
            ok = any(_fits(e.value, k) for k in kinds)
            if not ok:
                ctx.check_value(e.value, "flow", what="the leak rate")
        else:
            ctx.check_value(e.value, "flow", what="the leak rate")
    elif e.kind == "drift":
        state = target_state
        if e.ref is not None:
            _decl, state = resolve_equipment_ref(ctx, e.ref, allow_member=True)
            if len(e.ref.parts) == 1:
                state = None
        if state is not None:
            ctx.check_value(e.value, state.type, what="the drift")
        else:
            _known_unit(ctx, e.value)
        steps.duration(e.per, "the drift period")
    elif e.kind == "sensor_failure" and e.value is not None:
        if target_state is not None:
            ctx.check_value(e.value, target_state.type, what="the failed reading")
        else:
            _known_unit(ctx, e.value)


def _fits(value: ast.QuantityValue, type_name: str) -> bool:
    try:
        units.convert(value.number, value.unit, type_name)
        return True
    except ValueError:
        return False


def _known_unit(ctx: Ctx, value: ast.Value) -> None:
    if isinstance(value, ast.QuantityValue) and value.unit is not None:
        try:
            units.check_unit(value.unit)
        except units.UnitError:
            close = suggest(value.unit, units.known_unit_names())
            ctx.error(
                codes.UNKNOWN_UNIT,
                f"unknown unit `{value.unit}`",
                value.unit_span or value.span,
                help=f"did you mean `{close}`?"
                if close
                else "write products with `*` and quotients with `/`: `N*m`, `L/min`",
            )


def check_competency(ctx: Ctx, comp: ast.Competency | ast.Profile) -> None:
    procs = []
    if isinstance(comp, ast.Competency):
        if not comp.assesses:
            ctx.error(
                codes.INVALID_VALUE,
                f"competency `{comp.name.name}` assesses no procedure",
                comp.name.span,
                help="add `assesses PROCEDURE`",
            )
        for p in comp.assesses:
            decl = ctx.resolve(p, ("procedure",))
            if decl is not None:
                procs.append(decl.node)
        if comp.based_on is not None:
            ctx.resolve(comp.based_on, ("profile",))
    if comp.risk is not None:
        check_risk(ctx, comp.risk)
    if comp.valid_for is not None:
        m = ctx.check_value(comp.valid_for, "time", what="the validity period")
        if isinstance(m, units.Measure) and m.si <= 0:
            ctx.error(
                codes.INVALID_VALUE,
                "the validity period must be longer than zero",
                comp.valid_for.span,
                help="write e.g. `valid_for 1 year`",
            )
    if comp.pass_score is not None:
        m = ctx.check_value(comp.pass_score, "fraction", what="the pass score")
        if isinstance(m, units.Measure) and not 0 <= m.si <= 1:
            ctx.error(
                codes.INVALID_VALUE,
                "a pass score lies between 0 % and 100 %",
                comp.pass_score.span,
                help="write a percentage such as `80 %`",
            )
    steps: dict[str, ast.Step] = {}
    for p in procs:
        for s in iter_steps(p.body):
            steps.setdefault(s.name.name, s)
    blocks = [comp.thresholds]
    if isinstance(comp, ast.Competency):
        blocks += [comp.initial, comp.refresher]
    for block in blocks:
        seen: dict[tuple, ast.Threshold] = {}
        for t in block:
            key = (t.metric.name, t.subject.name if t.subject else None, t.op)
            if key in seen:
                ctx.error(
                    codes.DUPLICATE_DEFINITION,
                    f"threshold on `{t.metric.name}` is given twice",
                    t.span,
                    labels=[Label(span=seen[key].span, message="first given here")],
                    help="keep one threshold per metric (use `initial`/`refresher` blocks "
                    "for variants)",
                )
                continue
            seen[key] = t
            _threshold(ctx, t, steps, bool(procs))


def _threshold(ctx: Ctx, t: ast.Threshold, steps: dict, have_procs: bool) -> None:
    metric = vocab.METRICS.get(t.metric.name)
    if metric is None:
        close = suggest(t.metric.name, vocab.METRICS)
        ctx.error(
            codes.UNKNOWN_METRIC,
            f"unknown metric `{t.metric.name}`",
            t.metric.span,
            help=f"did you mean `{close}`?"
            if close
            else "see `twinlang explain TW0404` for the metrics",
        )
        return
    if t.subject is None and metric.subject_required:
        ctx.error(
            codes.METRIC_SUBJECT,
            f"`{metric.name}` needs the {metric.subject} it measures",
            t.metric.span,
            help=f"write `{metric.name} {metric.subject.upper()} "
            f"{t.op} ...`, e.g. `{metric.name} tryout <= 2 min`",
        )
    elif t.subject is not None and metric.subject is None:
        ctx.error(
            codes.METRIC_SUBJECT,
            f"`{metric.name}` takes no subject",
            t.subject.span,
            help=f"remove `{t.subject.name}`",
        )
    elif t.subject is not None and metric.subject == "step" and have_procs:
        if t.subject.name not in steps:
            close = suggest(t.subject.name, steps)
            ctx.error(
                codes.UNKNOWN_STEP,
                f"the assessed procedures have no step `{t.subject.name}`",
                t.subject.span,
                help=f"did you mean `{close}`?" if close else "name a step",
            )
    elif t.subject is not None and metric.subject == "fault":
        ctx.resolve(t.subject, ("fault",))
    value = ctx.check_value(t.value, metric.type, what=f"`{metric.name}`")
    if isinstance(value, units.Measure):
        if metric.type == "fraction" and not 0 <= value.si <= 1:
            ctx.error(
                codes.INVALID_VALUE,
                f"`{metric.name}` lies between 0 % and 100 %",
                t.value.span,
                help="write a percentage such as `95 %`",
            )
        elif value.si < 0:
            ctx.error(
                codes.INVALID_VALUE,
                f"`{metric.name}` cannot be negative",
                t.value.span,
                help="write a value of zero or more",
            )
    if t.weight is not None and t.weight <= 0:
        ctx.error(
            codes.INVALID_VALUE,
            "a weight must be positive",
            t.span,
            help="write `weight 1` or more, or leave the weight out",
        )
