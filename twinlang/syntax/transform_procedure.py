"""Parse tree → AST callbacks for procedures: headers, steps and flow, actions, conditions.

A mixin of :class:`twinlang.syntax.transform.ToAst` (split off to keep each module small);
the helpers it calls (``_mk``, ``_span``, ``_fields``, ``_ident``, ``_new``, ...) are
``ToAst``'s.
"""

from __future__ import annotations

from lark import Token
from lark.tree import Meta

from .. import ast


class _Field:
    """A keyword field of a block (`id`, `risk`, `qualified`, ...), folded by its parent.

    ``where`` is the rule's ``meta`` or a token; its span is made only when a diagnostic
    needs it (:meth:`ToAst._where`).
    """

    __slots__ = ("key", "value", "where")

    def __init__(self, key: str, value, where: Meta | Token) -> None:
        self.key = key
        self.value = value
        self.where = where


class ProcedureRules:
    """The callbacks of the rules in grammar/procedure.lark."""

    # ------------------------------------------------------------ procedures

    def procedure(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        multi = ("roles", "energy", "hazards", "permits", "ppe", "boundaries")
        body, allows, fields = [], [], {}
        for c in rest:
            if isinstance(c, _Field):
                if c.key in multi:
                    fields.setdefault(c.key, []).extend(c.value)
                else:
                    self._set(fields, c)
            elif isinstance(c, ast.Allow):
                allows.append(c)
            else:
                body.append(c)
        fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
        return self._mk(ast.Procedure, span=self._span(meta), name=name, title=title,
                        body=tuple(body),
                        allows=tuple(allows), **fields)

    def proc_performed_by(self, meta, ch):
        return _Field("performed_by", self._ident(ch[0]), meta)

    def proc_roles(self, meta, ch):
        return _Field("roles", list(ch[0]), meta)

    def proc_energy(self, meta, ch):
        return _Field("energy", list(ch), meta)

    def energy_source(self, meta, ch):
        return self._mk(ast.EnergySource, span=self._span(meta), energy=self._ident(ch[0]),
                        source=ch[1])

    def proc_hazard(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        cls = self._ident(rest[0]) if rest else None
        return _Field("hazards", [self._mk(ast.Hazard, span=self._span(meta), name=name,
                                           title=title, hazard_class=cls)], meta)

    def proc_permit(self, meta, ch):
        title = self._string(ch[1]) if len(ch) > 1 else None
        return _Field("permits", [self._mk(ast.Permit, span=self._span(meta),
                                           name=self._ident(ch[0]), title=title)], meta)

    def proc_ppe(self, meta, ch):
        items = []
        for t in ch:
            if t.type == "STRING":
                items.append(self._mk(ast.PpeItem, span=self._tok_span(t), text=self._string(t),
                                      quoted=True))
            else:
                items.append(self._mk(ast.PpeItem, span=self._tok_span(t), text=str(t)))
        return _Field("ppe", items, meta)

    def proc_boundary(self, meta, ch):
        items = [self._mk(ast.Boundary, span=self._tok_span(ch[i]), name=self._ident(ch[i]),
                          value=ch[i + 1])
                 for i in range(0, len(ch), 2)]
        return _Field("boundaries", items, meta)

    def proc_attendant(self, meta, ch):
        return _Field("attendant", self._ident(ch[0]), meta)

    def proc_rescue(self, meta, ch):
        c = ch[0]
        value = c if isinstance(c, ast.Ref) else self._string(c)
        return _Field("rescue", value, meta)

    def proc_group_lockout(self, meta, ch):
        return _Field("group_lockout", True, meta)

    def proc_shift_change(self, meta, ch):
        return _Field("shift_change", True, meta)

    # ------------------------------------------------------------ flow

    def _step(self, meta, ch, one_line: bool):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        out: dict = {"actions": [], "expects": [], "requires": [], "hints": [],
                     "warnings": [], "notes": []}
        for c in rest:
            if isinstance(c, list):
                out["actions"].extend(c)
            elif c.key in ("expects", "requires", "hints", "warnings", "notes"):
                out[c.key].append(c.value)
            else:
                self._set(out, c)
        out = {k: tuple(v) if isinstance(v, list) else v for k, v in out.items()}
        return self._mk(ast.Step, span=self._span(meta), name=name, title=title, one_line=one_line,
                        **out)

    def step_line(self, meta, ch):
        return self._step(meta, ch, True)

    def step_block(self, meta, ch):
        return self._step(meta, ch, False)

    def action_chain(self, meta, ch):
        return list(ch)

    def clause_expect(self, meta, ch):
        return _Field("expects", self._new.expect(self._span(meta), ch[0],
                                                  ch[1] if len(ch) > 1 else None), meta)

    def clause_requires(self, meta, ch):
        return _Field("requires", ch[0], meta)

    def clause_critical(self, meta, ch):
        return _Field("critical", True, meta)

    def clause_performed_by(self, meta, ch):
        return _Field("performed_by", self._ident(ch[0]), meta)

    def clause_verified_by(self, meta, ch):
        return _Field("verified_by", self._ident(ch[0]), meta)

    def clause_hint(self, meta, ch):
        return _Field("hints", self._string(ch[0]), meta)

    def clause_warning(self, meta, ch):
        return _Field("warnings", self._string(ch[0]), meta)

    def clause_note(self, meta, ch):
        return _Field("notes", self._string(ch[0]), meta)

    def parallel(self, meta, ch):
        name = None
        if ch and isinstance(ch[0], Token):
            name = self._ident(ch[0])
            ch = ch[1:]
        return self._mk(ast.Parallel, span=self._span(meta), name=name, branches=tuple(ch))

    def branch(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        return self._mk(ast.Branch, span=self._span(meta), name=name, title=title, body=tuple(rest))

    def if_block(self, meta, ch):
        cond = ch[0]
        otherwise = None
        body = list(ch[1:])
        if body and isinstance(body[-1], tuple):
            otherwise = body.pop()
        return self._mk(ast.If, span=self._span(meta), condition=cond, then=tuple(body),
                        otherwise=otherwise)

    def else_block(self, meta, ch):
        return tuple(ch)

    def choose(self, meta, ch):
        return self._mk(ast.Choose, span=self._span(meta), prompt=self._string(ch[0]),
                        options=tuple(ch[1:]))

    def option(self, meta, ch):
        return self._mk(ast.Option, span=self._span(meta), label=self._string(ch[0]),
                        body=tuple(ch[1:]))

    def _alarm(self, meta, ch, arrow: bool):
        cond = ch[0]
        during: tuple = ()
        rest = list(ch[1:])
        if rest and isinstance(rest[0], _Field):
            during = rest.pop(0).value
        return self._mk(ast.Alarm, span=self._span(meta), condition=cond, during=during,
                        body=tuple(rest),
                        arrow=arrow)

    def alarm_jump(self, meta, ch):
        return self._alarm(meta, ch, True)

    def alarm_block(self, meta, ch):
        return self._alarm(meta, ch, False)

    def during(self, meta, ch):
        return _Field("during", ch[0], meta)

    def call(self, meta, ch):
        return self._mk(ast.Call, span=self._span(meta), target=self._ident(ch[0]))

    def jump_goto(self, meta, ch):
        return self._mk(ast.Jump, span=self._span(meta), op="goto", target=self._ident(ch[0]),
                        bound=ch[1] if len(ch) > 1 else None)

    def bound(self, meta, ch):
        return int(str(ch[0]))

    def jump_resume(self, meta, ch):
        return self._mk(ast.Jump, span=self._span(meta), op="resume")

    def jump_abort(self, meta, ch):
        return self._mk(ast.Jump, span=self._span(meta), op="abort",
                        reason=self._string(ch[0]) if ch else None)

    # ------------------------------------------------------------ actions

    def _act(self, meta, op, **kw):
        return self._mk(ast.Action, span=self._span(meta), op=op, **kw)

    def act_notify(self, meta, ch):
        return self._act(meta, "notify", role=self._ident(ch[0]),
                         text=self._string(ch[1]) if len(ch) > 1 else None)

    def act_communicate(self, meta, ch):
        return self._act(meta, "communicate", role=self._ident(ch[0]),
                         text=self._string(ch[1]) if len(ch) > 1 else None)

    def act_work(self, meta, ch):
        return self._act(meta, "work", text=self._string(ch[0]),
                         duration=ch[1] if len(ch) > 1 else None)

    def act_wait(self, meta, ch):
        return self._act(meta, "wait", duration=ch[0])

    def act_wait_until(self, meta, ch):
        return self._act(meta, "wait_until", condition=ch[0],
                         within=ch[1] if len(ch) > 1 else None)

    def act_record(self, meta, ch):
        c = ch[0]
        if isinstance(c, ast.Ref):
            return self._act(meta, "record", targets=(c,))
        return self._act(meta, "record", text=self._string(c))

    def act_apply(self, meta, ch):
        return self._act(meta, "apply", device=self._ident(ch[0]), targets=ch[1])

    def act_remove(self, meta, ch):
        return self._act(meta, "remove", device=self._ident(ch[0]), targets=ch[1])

    def act_permit_issue(self, meta, ch):
        return self._act(meta, "permit_issue", permit=self._ident(ch[0]))

    def act_permit_sign(self, meta, ch):
        return self._act(meta, "permit_sign", permit=self._ident(ch[0]))

    def act_permit_revoke(self, meta, ch):
        return self._act(meta, "permit_revoke", permit=self._ident(ch[0]))

    def act_hold(self, meta, ch):
        return self._act(meta, "hold", role=self._ident(ch[0]),
                         text=self._string(ch[1]) if len(ch) > 1 else None)

    def act_account(self, meta, ch):
        return self._act(meta, "account", roles=ch[0])

    def act_clear_area(self, meta, ch):
        return self._act(meta, "clear_area", text=self._string(ch[0]) if ch else None)

    def act_generic(self, meta, ch):
        extra: dict = {}
        if len(ch) > 2:
            extra = ch[2]
        return self._act(meta, "do", verb=self._ident(ch[0]), targets=ch[1], **extra)

    def arg_to(self, meta, ch):
        return {"to": ch[0]}

    def arg_on(self, meta, ch):
        return {"to": ch[0], "preposition": "on"}

    def arg_at(self, meta, ch):
        return {"at": ch[0]}

    # ------------------------------------------------------------ conditions

    def cond_compare(self, meta, ch):
        return self._new.compare(self._span(meta), ch[0], str(ch[1]), ch[2])

    def cond_between(self, meta, ch):
        return self._mk(ast.Between, span=self._span(meta), ref=ch[0], low=ch[1], high=ch[2])

    def cond_is(self, meta, ch):
        return self._mk(ast.IsState, span=self._span(meta), ref=ch[0], state=self._ident(ch[1]))

    def cond_ref(self, meta, ch):
        return self._new.ref_condition(self._span(meta), ch[0])

    def cond_and(self, meta, ch):
        return self._mk(ast.And, span=self._span(meta), left=ch[0], right=ch[1])

    def cond_or(self, meta, ch):
        return self._mk(ast.Or, span=self._span(meta), left=ch[0], right=ch[1])

    def cond_not(self, meta, ch):
        return self._mk(ast.Not, span=self._span(meta), operand=ch[0])
