"""Sign-off: who performs each step, who checks it, and who takes part in the procedure.

Roles used by a procedure are those named by `performed_by` (step or procedure),
`verified_by`, `notify`, `communicate`, `hold for`, `account for` and `attendant`.  A role is
*assigned* to a procedure when it is its default performer (`performed_by`) or listed in
its `roles`.  Declaration (that the role exists) is a semantic check (TW0204); these rules
look at assignment and at who checks whom.

Sub-procedures.  A procedure reached by `call` that names neither `roles` nor a performer
inherits them from its caller: its steps are checked where they are expanded, with the
caller's roles and performer.  Every other procedure's steps are checked in its own graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from ... import ast
from ...diagnostics import Label
from ...diagnostics.codes import define
from ...semantics.procedures import iter_flow
from ..dataflow import FLOW_EDGES, path_between
from ..model import START
from . import RuleContext, rule

PACK = "sign-off and roles"

SELF_CHECK = define("TW1001", "self-verification", "error",
    "a step verified (or held for) by the role that performs it",
    """
    `verified_by ROLE` asks a second person to confirm the step: the two-person rule of
    independent verification. A check by the person who did the work repeats the same
    mistake (the wrong disconnect opened, a reading misread) instead of catching it; the
    same holds for `hold for ROLE` in a step that ROLE performs itself.

    This is twinlang's rule for every verified step; it has no single clause in the
    regulations, which require the verification itself (e.g. 29 CFR 1910.147(d)(6)).

    Fix: verify with another role, or give the step to another performer.
    """, PACK)

ROLE_NOT_ASSIGNED = define("TW1002", "role-not-assigned", "error",
    "a role that takes part in a procedure without being assigned to it",
    """
    Every role a procedure uses must be assigned to it: its default performer
    (`performed_by ROLE`) or listed in `roles a, b, c`. The roles of a procedure are the
    people the twin puts in the exercise and the ones a real job briefing names: a step
    performed, verified, awaited (`hold for`), told (`notify`, `communicate`) or counted
    (`account for`) by a role outside them has nobody to do it. Lockout is done only by the
    authorized employees performing the servicing (29 CFR 1910.147(c)(8)); an entry
    names its attendant (1910.146(f)(5)).

    Fix: add the role to the procedure's `roles`, or use one that is listed.
    """, PACK)

CRITICAL_UNCHECKED = define("TW1003", "critical-step-unchecked", "error",
    "a critical step that operates equipment but whose result nobody checks",
    """
    A `critical` step is one whose failure fails the exercise (as NRC job performance
    measures grade critical steps). When it operates equipment (`open DS-4`,
    `close V-1`), the operation can fail (a stuck valve, a welded contact): the step needs
    an `expect` on the resulting state, a `wait until` condition, or `verified_by` a
    second role. Steps that only place devices, handle permits, notify, hold, count or
    record are complete when done and need no check.

    Fix: add `expect TAG.state ...` for the result, or `verified_by ROLE`.
    """, PACK)

NO_PERFORMER = define("TW1004", "step-without-performer", "error",
    "a step that no role performs",
    """
    Each step is performed by a role: its own `performed_by`, or the procedure's default
    `performed_by`. A step without one cannot be assigned to a trainee, and the rules that
    compare roles (who applied a lock, who verifies) cannot be checked.

    Fix: give the procedure a default `performed_by ROLE`, or the step its own.
    """, PACK)


# ---------------------------------------------------------------- which steps are checked here


def _called(ctx: RuleContext) -> set[str]:
    """Names of the procedures of this module reached by a `call`."""
    cached = ctx.shared.get("_signoff_called")  # a fact of the module: once for all graphs
    if cached is not None:
        return cached
    out = set()
    mod = ctx.sg.module
    items = mod.ast.items if mod is not None and mod.ast is not None else ()
    for item in items:
        if isinstance(item, ast.Procedure):
            out |= {x.target.name for x in iter_flow(item.body) if isinstance(x, ast.Call)}
    ctx.shared["_signoff_called"] = out
    return out


def _inherits(ctx: RuleContext, proc_name: str, what: str) -> bool:
    """Whether a called sub-procedure takes ``what`` ("roles" or "performer") from its caller."""
    if proc_name not in _called(ctx):
        return False
    decl = ctx.scope.get(proc_name)
    proc = decl.node if decl is not None and decl.category == "procedure" else None
    if proc is None:
        return False
    return not proc.roles if what == "roles" else proc.performed_by is None


def checked_steps(ctx: RuleContext, what: str | None) -> Iterator:
    """Step nodes this graph decides about, once per step of the source.

    ``what`` names what the check depends on ("roles", "performer", or None for the step
    alone): the steps of a sub-procedure that inherits it are checked in its callers.
    """
    me = ctx.proc.name.name
    if what is not None and _inherits(ctx, me, what):
        return
    seen = set()
    for n in ctx.step_nodes():
        owner = ctx.g.nodes[n]["procedure"]
        if owner != me and (what is None or not _inherits(ctx, owner, what)):
            continue
        step = ctx.step(n)
        if id(step) in seen:
            continue
        seen.add(id(step))
        yield n


def _path(ctx: RuleContext, n) -> list | None:
    return path_between(ctx.g, START, n, edge_kinds=FLOW_EDGES | {"resume"})


# ---------------------------------------------------------------- rules


@rule(SELF_CHECK, PACK, "independent verification (two-person rule)")
def self_check(ctx: RuleContext):
    for n in checked_steps(ctx, "performer"):
        step, who = ctx.step(n), ctx.performer(n)
        if who is None:
            continue
        name = ctx.g.nodes[n]["name"]
        if step.verified_by is not None and step.verified_by.name == who:
            yield ctx.diag(SELF_CHECK,
                           f"step `{name}` is verified by `{who}`, the role that performs it",
                           step.verified_by.span, path=_path(ctx, n),
                           labels=_performer_label(ctx, step),
                           help="verify with another role: the check must be independent "
                           "of the work")
        for a in step.actions:
            if a.op == "hold" and a.role is not None and a.role.name == who:
                yield ctx.diag(SELF_CHECK,
                               f"step `{name}` holds for `{who}`, the role that performs it",
                               a.role.span, path=_path(ctx, n),
                               labels=_performer_label(ctx, step),
                               help="hold for the role that must give the go-ahead, not for "
                               "the performer")


def _performer_label(ctx: RuleContext, step: ast.Step) -> list[Label]:
    ident = step.performed_by or ctx.proc.performed_by
    return [Label(span=ident.span, message="performer")] if ident is not None else []


def _uses(step: ast.Step) -> Iterator[tuple[ast.Ident, str]]:
    """(role identifier, what it does) for each role a step names."""
    if step.performed_by is not None:
        yield step.performed_by, "performs step"
    if step.verified_by is not None:
        yield step.verified_by, "verifies step"
    for a in step.actions:
        if a.op in ("notify", "communicate") and a.role is not None:
            yield a.role, "is told in step"
        elif a.op == "hold" and a.role is not None:
            yield a.role, "is waited for in step"
        elif a.op == "account":
            for r in a.roles:
                yield r, "is accounted for in step"


def _assigned(ctx: RuleContext) -> set[str]:
    out = {r.name for r in ctx.proc.roles}
    if ctx.proc.performed_by is not None:
        out.add(ctx.proc.performed_by.name)
    return out


@rule(ROLE_NOT_ASSIGNED, PACK, "29 CFR 1910.147(c)(8); 1910.146(f)(5)")
def role_not_assigned(ctx: RuleContext):
    if _inherits(ctx, ctx.proc.name.name, "roles"):
        return
    assigned = _assigned(ctx)
    where = "`roles`" if ctx.proc.roles else "the procedure's roles (it has no `roles` list)"
    fix = (f"add it to `roles` of `{ctx.proc.name.name}`" if ctx.proc.roles
           else f"list the roles of `{ctx.proc.name.name}`: `roles ...`")
    reported: set[str] = set()
    att = ctx.proc.attendant
    if att is not None and att.name not in assigned:
        reported.add(att.name)
        yield ctx.diag(ROLE_NOT_ASSIGNED,
                       f"the attendant `{att.name}` is not among {where}", att.span,
                       labels=[_roles_label(ctx)], help=fix)
    for n in checked_steps(ctx, "roles"):
        step = ctx.step(n)
        for ident, what in _uses(step):
            if ident.name in assigned or ident.name in reported:
                continue
            reported.add(ident.name)
            yield ctx.diag(ROLE_NOT_ASSIGNED,
                           f"`{ident.name}` {what} `{ctx.g.nodes[n]['name']}` but is "
                           f"not among {where}", ident.span, path=_path(ctx, n),
                           labels=[_roles_label(ctx)],
                           help=fix)


def _roles_label(ctx: RuleContext) -> Label:
    if ctx.proc.roles:
        return Label(span=ctx.proc.roles[0].span, message="the procedure's roles")
    return Label(span=ctx.proc.name.span, message=f"procedure `{ctx.proc.name.name}`")


#: Actions complete when done: they place devices, handle permits, tell, wait or count.
_SELF_EVIDENT = frozenset({"notify", "communicate", "work", "wait", "record", "apply", "remove",
                           "permit_issue", "permit_sign", "permit_revoke", "hold", "account",
                           "clear_area"})


@rule(CRITICAL_UNCHECKED, PACK, "critical steps (domain-facts 6.3)")
def critical_unchecked(ctx: RuleContext):
    for n in checked_steps(ctx, None):
        step = ctx.step(n)
        if not step.critical or step.expects or step.verified_by is not None:
            continue
        if any(a.op == "wait_until" for a in step.actions):
            continue
        ops = [a for a in step.actions if a.op not in _SELF_EVIDENT]
        if not ops:
            continue
        tags = []
        for a in ops:
            tags += [t.text for t in a.targets if t.text not in tags]
        what = ", ".join(f"`{t}`" for t in tags) if tags else "the equipment"
        yield ctx.diag(CRITICAL_UNCHECKED,
                       f"critical step `{ctx.g.nodes[n]['name']}` operates {what} but nothing "
                       "checks the result", step.name.span, path=_path(ctx, n),
                       help="add `expect TAG.state ...` for the state the step must reach, or "
                       "`verified_by ROLE` (another role)")


@rule(NO_PERFORMER, PACK, "29 CFR 1910.147(c)(8)")
def no_performer(ctx: RuleContext):
    for n in checked_steps(ctx, "performer"):
        if ctx.performer(n) is None:
            yield ctx.diag(NO_PERFORMER,
                           f"nobody performs step `{ctx.g.nodes[n]['name']}`", n,
                           path=_path(ctx, n),
                           help=f"give `{ctx.proc.name.name}` a default `performed_by ROLE`, or "
                           "the step its own")
