"""Lark parse tree → typed AST (:mod:`twinlang.ast`), with a span on every node.

The nodes are built without pydantic validation (:func:`twinlang.ast.construct`): every
callback below already produces values of the declared types (tuples, exact ``str``,
``int`` and ``float``, nodes), so validation would return them unchanged and only cost
time.  ``to_ast(..., validate=True)`` builds the same tree through the validating
constructors; ``tests/syntax/test_ast_identity.py`` checks that both agree on every
source the project ships.
"""

from __future__ import annotations

import functools
import re

from lark import Token, Tree
from lark.tree import Meta

from .. import ast
from ..diagnostics import Diagnostic, Label, Span, make
from . import codes
from .source import MAX_STRING
from .transform_procedure import ProcedureRules, _Field

_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)")
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _unit_text(unit: str) -> str:
    """The unit as written, spacing normalised: `%LEL` and `%  LEL` are `% LEL`."""
    if unit.startswith("%") and len(unit) > 1:
        return "% " + unit[1:].strip()
    return " ".join(unit.split())


def _validated(cls, /, **values):
    return cls(**values)


_SPAN_NAMES = ("file", "start", "end", "line", "column", "end_line", "end_column")


class _Makers:
    """Fast positional constructors of the most frequent nodes (:func:`ast.constructor`)."""

    def __init__(self, validate: bool) -> None:
        c = functools.partial(ast.constructor, validate=validate)
        self.span = c(Span, *_SPAN_NAMES)
        self.ident = c(ast.Ident, "span", "name")
        self.ref = c(ast.Ref, "span", "parts")
        self.quantity = c(ast.QuantityValue, "span", "number", "text", "unit", "unit_span")
        self.param_set = c(ast.ParamSet, "span", "name", "value")
        self.name_value = c(ast.NameValue, "span", "name")
        self.compare = c(ast.Compare, "span", "ref", "op", "value")
        self.ref_condition = c(ast.RefCondition, "span", "ref")
        self.expect = c(ast.Expect, "span", "condition", "within")


_MAKERS: dict[bool, _Makers] = {}


def _makers(validate: bool) -> _Makers:
    makers = _MAKERS.get(validate)
    if makers is None:
        makers = _MAKERS[validate] = _Makers(validate)
    return makers


def _position_makers(file: str, makers: _Makers, mk, validate: bool):
    """``(span of a meta, span of a token, token as an Ident)`` for nodes of ``file``."""
    if not validate:
        return _fast_position_makers(file, mk)
    new_span = makers.span
    new_ident = makers.ident

    def span(meta) -> Span:
        if getattr(meta, "empty", True):
            return mk(Span, file=file)
        return new_span(file, meta.start_pos, meta.end_pos, meta.line, meta.column,
                        meta.end_line, meta.end_column)

    def tok_span(tok: Token) -> Span:
        return new_span(file, tok.start_pos, tok.end_pos, tok.line, tok.column, tok.end_line,
                        tok.end_column)

    def ident(tok: Token) -> ast.Ident:
        return new_ident(new_span(file, tok.start_pos, tok.end_pos, tok.line, tok.column,
                                  tok.end_line, tok.end_column), str(tok))

    return span, tok_span, ident


def _fast_position_makers(file: str, mk):
    """The same as :func:`_position_makers`, with the spans and idents built inline (the
    two thirds of all nodes that they are): what :func:`ast.constructor` would build."""
    new, set_dict, set_fields_set = ast._new, ast._set_dict, ast._set_fields_set
    set_extra, set_private = ast._set_extra, ast._set_private
    span_fields = ast._FIELDS_SETS.setdefault(_SPAN_NAMES, set(_SPAN_NAMES))
    ident_fields = ast._FIELDS_SETS.setdefault(("span", "name"), {"span", "name"})
    span_cls, ident_cls = Span, ast.Ident

    def span(meta) -> Span:
        if getattr(meta, "empty", True):
            return mk(Span, file=file)
        node = new(span_cls)
        set_dict(node, {"file": file, "start": meta.start_pos, "end": meta.end_pos,
                        "line": meta.line, "column": meta.column, "end_line": meta.end_line,
                        "end_column": meta.end_column})
        set_fields_set(node, span_fields)
        set_extra(node, None)
        set_private(node, None)
        return node

    def tok_span(tok: Token) -> Span:
        node = new(span_cls)
        set_dict(node, {"file": file, "start": tok.start_pos, "end": tok.end_pos,
                        "line": tok.line, "column": tok.column, "end_line": tok.end_line,
                        "end_column": tok.end_column})
        set_fields_set(node, span_fields)
        set_extra(node, None)
        set_private(node, None)
        return node

    def ident(tok: Token) -> ast.Ident:
        where = new(span_cls)
        set_dict(where, {"file": file, "start": tok.start_pos, "end": tok.end_pos,
                         "line": tok.line, "column": tok.column, "end_line": tok.end_line,
                         "end_column": tok.end_column})
        set_fields_set(where, span_fields)
        set_extra(where, None)
        set_private(where, None)
        node = new(ident_cls)
        set_dict(node, {"span": where, "name": str(tok)})
        set_fields_set(node, ident_fields)
        set_extra(node, None)
        set_private(node, None)
        return node

    return span, tok_span, ident


class _Callbacks(dict):
    """Rule name → bound callback, looked up once per name (a rule without a callback
    stays a :class:`~lark.Tree`, as with Lark's ``Transformer``)."""

    def __init__(self, owner: ToAst) -> None:
        super().__init__()
        self.owner = owner

    def __missing__(self, name: str):
        fn = getattr(type(self.owner), name, None) if not name.startswith("_") else None
        if callable(fn):
            fn = fn.__get__(self.owner)
        else:
            def fn(meta, children, _name=name):
                return Tree(_name, children, meta)
        self[name] = fn
        return fn


class ToAst(ProcedureRules):
    """Builds AST nodes; collects string-escape problems in :attr:`diagnostics`.

    Each callback receives the rule's ``meta`` and its children, already transformed,
    bottom-up and left to right (as Lark's ``Transformer`` with ``v_args(meta=True)``
    calls them).  With ``validate=True`` every node goes through pydantic validation.
    """

    def __init__(self, file: str, *, validate: bool = False) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._first_spans: dict[int, dict[str, Meta | Token]] = {}
        self._mk = _validated if validate else ast.construct
        self._new = _makers(validate)
        #: the span of a rule's ``meta``, the span of a token, and a token as an Ident
        self._span, self._tok_span, self._ident = _position_makers(file, self._new, self._mk,
                                                                     validate)

    def transform(self, tree: Tree):
        """The AST of ``tree`` (depth bounded by the parser's ``MAX_TREE_DEPTH``)."""
        callbacks = _Callbacks(self)

        def walk(t: Tree):
            # ``_meta`` is what the ``meta`` property returns: the parser sets it on
            # every tree it builds (propagate_positions)
            return callbacks[t.data](
                t._meta, [walk(c) if isinstance(c, Tree) else c for c in t.children])

        return walk(tree) if isinstance(tree, Tree) else tree

    # ------------------------------------------------------------ helpers

    def _set(self, out: dict, field: _Field) -> None:
        """Store a single-valued field, reporting a second occurrence."""
        if field.key in out:
            first = self._first_spans.get(id(out), {}).get(field.key)
            if first is not None:
                first = self._where(first)
            self.diagnostics.append(make(
                codes.DUPLICATE_FIELD,
                f"`{field.key}` is given twice in this block",
                self._where(field.where),
                labels=[Label(span=first, message="first given here")] if first else [],
                help="keep one of them",
            ))
            return
        out[field.key] = field.value
        self._first_spans.setdefault(id(out), {})[field.key] = field.where

    def _where(self, where: Meta | Token) -> Span:
        return self._tok_span(where) if isinstance(where, Token) else self._span(where)

    def _fields(self, children, *, multi: tuple[str, ...] = ()) -> tuple[dict, list]:
        """Split block children into keyword fields (a dict) and everything else."""
        out: dict = {}
        rest = []
        for child in children:
            if isinstance(child, _Field):
                if child.key in multi:
                    out.setdefault(child.key, []).append(child.value)
                else:
                    self._set(out, child)
            else:
                rest.append(child)
        return out, rest

    def _string(self, tok: Token) -> str:
        if tok.startswith("<<"):  # a template placeholder (reported by the parser, TW0006)
            return str(tok)
        raw = str(tok)[1:-1]
        if len(raw) > MAX_STRING:
            self.diagnostics.append(make(
                codes.STRING_TOO_LONG,
                f"string is {len(raw):,} characters long, over the limit of {MAX_STRING:,}",
                self._tok_span(tok),
                help="shorten the text or move it to a document the scenario refers to",
            ))
        if "\\" not in raw:
            return raw

        def repl(m: re.Match) -> str:
            esc = m.group(1)
            if esc in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[esc]
            if esc.startswith("u{"):
                cp = int(esc[2:-1], 16)
                if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF:
                    return chr(cp)
            start = tok.start_pos + 1 + m.start()
            span = Span(file=self.file, start=start, end=start + len(m.group(0)), line=tok.line,
                        column=tok.column + 1 + m.start(),
                        end_line=tok.line, end_column=tok.column + 1 + m.end())
            self.diagnostics.append(make(
                codes.INVALID_ESCAPE,
                f"unknown escape `{m.group(0)}` in string",
                span,
                help="use `\\\\` for a backslash; known escapes are `\\\"`, `\\\\`, `\\n`, "
                "`\\t` and `\\u{...}`",
            ))
            return m.group(0)

        return _ESCAPE.sub(repl, raw)

    def _opt_string(self, items) -> tuple[str | None, list]:
        if items and isinstance(items[0], Token) and items[0].type == "STRING":
            return self._string(items[0]), items[1:]
        return None, list(items)

    # ------------------------------------------------------------ tokens and values

    def name(self, meta, ch):
        return self._ident(ch[0])

    def name_list(self, meta, ch):
        return tuple(map(self._ident, ch))

    def ref(self, meta, ch):
        return self._new.ref(self._span(meta), tuple(map(self._ident, ch)))

    def ref_list(self, meta, ch):
        return tuple(ch)

    def quantity(self, meta, ch):
        num = ch[0]
        unit = ch[1] if len(ch) > 1 else None
        text = str(num)
        try:
            number = float(text)
        except ValueError:  # pragma: no cover - the lexer only passes numbers
            number = float("nan")
        if unit is None:
            return self._new.quantity(self._span(meta), number, text, None, None)
        return self._new.quantity(self._span(meta), number, text, _unit_text(str(unit)),
                                  self._tok_span(unit))

    def unit(self, meta, ch):
        return ch[0]

    def string_value(self, meta, ch):
        return self._mk(ast.StringValue, span=self._span(meta), value=self._string(ch[0]))

    def true_value(self, meta, ch):
        return self._mk(ast.BoolValue, span=self._span(meta), value=True)

    def false_value(self, meta, ch):
        return self._mk(ast.BoolValue, span=self._span(meta), value=False)

    def name_value(self, meta, ch):
        return self._new.name_value(self._span(meta), str(ch[0]))

    # ------------------------------------------------------------ shared fields

    def field_description(self, meta, ch):
        return _Field("description", self._string(ch[0]), meta)

    def field_risk(self, meta, ch):
        return _Field("risk", self._ident(ch[0]), meta)

    # ------------------------------------------------------------ module

    def start(self, meta, ch):
        return self._mk(ast.Module, span=self._span(meta), path=self.file, items=tuple(ch))

    def scenario(self, meta, ch):
        title = self._string(ch[0])
        header_title = _Field("title", title, ch[0])
        f, _ = self._fields([header_title, *ch[1:]])
        return self._mk(ast.ScenarioHeader, span=self._span(meta), **f)

    def field_id(self, meta, ch):
        return _Field("id", ch[0], meta)

    def field_version(self, meta, ch):
        tok = ch[0]
        value = self._string(tok) if tok.type == "STRING" else str(tok)
        return _Field("version", value, meta)

    def field_site(self, meta, ch):
        return _Field("site", self._string(ch[0]), meta)

    def module_decl(self, meta, ch):
        return self._mk(ast.ModuleDecl, span=self._span(meta), title=self._string(ch[0]))

    def module_path(self, meta, ch):
        out = []
        for c in ch:
            out.extend(c if isinstance(c, list) else [self._ident(c)])
        return out

    def import_name(self, meta, ch):
        return self._mk(ast.ImportName, span=self._span(meta), name=self._ident(ch[0]),
                        alias=self._ident(ch[1]) if len(ch) > 1 else None)

    def use(self, meta, ch):
        return self._mk(ast.Use, span=self._span(meta), path=tuple(ch[0]), names=tuple(ch[1:]))

    def use_all(self, meta, ch):
        return self._mk(ast.Use, span=self._span(meta), path=tuple(ch[0]), star=True)

    # ------------------------------------------------------------ roles

    def role(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        fields = rest[0] if rest else {}
        return self._mk(ast.Role, span=self._span(meta), name=name, title=title, **fields)

    def role_body(self, meta, ch):
        f, _ = self._fields(ch)
        return f

    def role_qualified(self, meta, ch):
        return _Field("qualified", True, meta)

    # ------------------------------------------------------------ kinds

    def kind(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        params, states = [], []
        lists: dict[str, list] = {"stores": [], "transmits": [], "isolates": [], "actions": []}
        flags: dict = {}
        for c in rest:
            if isinstance(c, ast.ParamDef):
                params.append(c)
            elif isinstance(c, ast.StateDef):
                states.append(c)
            elif isinstance(c, _Field):
                if c.key in lists:
                    lists[c.key].extend(c.value)
                else:
                    self._set(flags, c)
        return self._mk(ast.Kind, span=self._span(meta), name=name, title=title,
                        params=tuple(params),
                        states=tuple(states), **{k: tuple(v) for k, v in lists.items()}, **flags)

    def type_expr(self, meta, ch):
        return self._mk(ast.TypeExpr, span=self._span(meta), name=self._ident(ch[0]),
                        choices=ch[1] if len(ch) > 1 else ())

    def param_def(self, meta, ch):
        out = {"name": self._ident(ch[0]), "type": ch[1]}
        for c in ch[2:]:
            out.update(c)
        return self._mk(ast.ParamDef, span=self._span(meta), **out)

    def state_def(self, meta, ch):
        out = {"name": self._ident(ch[0]), "type": ch[1]}
        for c in ch[2:]:
            out.update(c)
        if "default" in out:
            out["initial"] = out.pop("default")
        return self._mk(ast.StateDef, span=self._span(meta), **out)

    def param_default(self, meta, ch):
        return {"default": ch[0]}

    def state_init(self, meta, ch):
        return {"default": ch[0]}

    def param_range(self, meta, ch):
        return {"low": ch[0], "high": ch[1]}

    def doc(self, meta, ch):
        return {"doc": self._string(ch[0])}

    def kind_stores(self, meta, ch):
        return _Field("stores", ch[0], meta)

    def kind_transmits(self, meta, ch):
        return _Field("transmits", ch[0], meta)

    def kind_isolates(self, meta, ch):
        return _Field("isolates", ch[0], meta)

    def kind_actions(self, meta, ch):
        return _Field("actions", ch[0], meta)

    def kind_control(self, meta, ch):
        return _Field("control_device", True, meta)

    def kind_lockable(self, meta, ch):
        return _Field("lockable", True, meta)

    # ------------------------------------------------------------ equipment

    def equipment(self, meta, ch):
        name = ch[0]
        title, rest = self._opt_string(ch[1:])
        kind = self._ident(rest[0])
        body = rest[1] if len(rest) > 1 else {}
        return self._mk(ast.Equipment, span=self._span(meta), name=name, title=title, kind=kind,
                        **body)

    def equipment_body(self, meta, ch):
        out: dict = {"params": [], "feeds": [], "isolates": [], "contains": []}
        for c in ch:
            if isinstance(c, ast.ParamSet):
                out["params"].append(c)
            elif c.key in ("feeds", "isolates", "contains"):
                out[c.key].extend(c.value)
            else:
                self._set(out, c)
        return {k: tuple(v) if isinstance(v, list) else v for k, v in out.items()}

    def param_set(self, meta, ch):
        return self._new.param_set(self._span(meta), self._ident(ch[0]), ch[1])

    def rel_feeds(self, meta, ch):
        return _Field("feeds", ch[0], meta)

    def rel_isolates(self, meta, ch):
        return _Field("isolates", ch[0], meta)

    def rel_contains(self, meta, ch):
        return _Field("contains", ch[0], meta)

    def rel_located_in(self, meta, ch):
        return _Field("located_in", ch[0], meta)

    def position(self, meta, ch):
        return _Field("position", tuple(ch), meta)

    # ------------------------------------------------------------ chemistry, energy

    def substance(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        groups, params, fields = [], [], {}
        for c in rest:
            if isinstance(c, ast.ParamSet):
                params.append(c)
            elif c.key == "groups":
                groups.extend(c.value)
            else:
                self._set(fields, c)
        return self._mk(ast.Substance, span=self._span(meta), name=name, title=title,
                        groups=tuple(groups), params=tuple(params), **fields)

    def substance_groups(self, meta, ch):
        return _Field("groups", ch[0], meta)

    def reactivity(self, meta, ch):
        title = self._string(ch[2]) if len(ch) > 2 else None
        return self._mk(ast.Reactivity, span=self._span(meta), name=self._ident(ch[0]),
                        number=int(str(ch[1])), title=title)

    def incompatible(self, meta, ch):
        return self._mk(ast.Incompatible, span=self._span(meta), first=self._ident(ch[0]),
                        second=self._ident(ch[1]), consequences=ch[2])

    def energy_type(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        return self._mk(ast.EnergyType, span=self._span(meta), name=name, title=title,
                        stored=bool(rest))

    def energy_flags(self, meta, ch):
        return True

    # ------------------------------------------------------------ faults

    def fault(self, meta, ch):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        target = rest[0]
        f, _ = self._fields(rest[1:], multi=("triggers", "effects", "clears"))
        f = {k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}
        return self._mk(ast.Fault, span=self._span(meta), name=name, title=title, target=target,
                        **f)

    def fault_trigger(self, meta, ch):
        return _Field("triggers", ch[0], meta)

    def fault_effect(self, meta, ch):
        return _Field("effects", ch[0], meta)

    def fault_clears(self, meta, ch):
        return _Field("clears", ch[0], meta)

    def trigger_step(self, meta, ch):
        return self._mk(ast.Trigger, span=self._span(meta), kind="step", step=self._ident(ch[0]))

    def trigger_time(self, meta, ch):
        return self._mk(ast.Trigger, span=self._span(meta), kind="time", time=ch[0])

    def trigger_when(self, meta, ch):
        return self._mk(ast.Trigger, span=self._span(meta), kind="when", condition=ch[0])

    def trigger_random(self, meta, ch):
        opts: dict = {}
        for c in ch[1:]:
            opts.update(c)
        return self._mk(ast.Trigger, span=self._span(meta), kind="random", probability=ch[0],
                        **opts)

    def random_seed(self, meta, ch):
        return {"seed": int(str(ch[0]))}

    def random_every(self, meta, ch):
        return {"every": ch[0]}

    def effect_stuck(self, meta, ch):
        return self._mk(ast.Effect, span=self._span(meta), kind="stuck", value=ch[0])

    def effect_leak(self, meta, ch):
        return self._mk(ast.Effect, span=self._span(meta), kind="leak", value=ch[0])

    def effect_drift(self, meta, ch):
        ref = ch[0] if isinstance(ch[0], ast.Ref) else None
        vals = ch[1:] if ref is not None else ch
        return self._mk(ast.Effect, span=self._span(meta), kind="drift", ref=ref, value=vals[0],
                        per=vals[1])

    def effect_sensor_failure(self, meta, ch):
        return self._mk(ast.Effect, span=self._span(meta), kind="sensor_failure",
                        value=ch[0] if ch else None)

    def effect_lock_failure(self, meta, ch):
        return self._mk(ast.Effect, span=self._span(meta), kind="lock_failure")

    def effect_alarm(self, meta, ch):
        return self._mk(ast.Effect, span=self._span(meta), kind="alarm",
                        message=self._string(ch[0]))

    def clears_after(self, meta, ch):
        return self._mk(ast.Clearing, span=self._span(meta), kind="after", value=ch[0])

    def clears_when(self, meta, ch):
        return self._mk(ast.Clearing, span=self._span(meta), kind="when", condition=ch[0])

    def clears_on_step(self, meta, ch):
        return self._mk(ast.Clearing, span=self._span(meta), kind="step", step=self._ident(ch[0]))

    def clears_never(self, meta, ch):
        return self._mk(ast.Clearing, span=self._span(meta), kind="never")

    # ------------------------------------------------------------ competencies

    def _competency_like(self, meta, ch, cls):
        name = self._ident(ch[0])
        title, rest = self._opt_string(ch[1:])
        thresholds, fields = [], {}
        for c in rest:
            if isinstance(c, ast.Threshold):
                thresholds.append(c)
            elif c.key == "assesses":
                fields["assesses"] = fields.get("assesses", ()) + tuple(c.value)
            else:
                self._set(fields, c)
        return self._mk(cls, span=self._span(meta), name=name, title=title,
                        thresholds=tuple(thresholds), **fields)

    def competency(self, meta, ch):
        return self._competency_like(meta, ch, ast.Competency)

    def profile(self, meta, ch):
        return self._competency_like(meta, ch, ast.Profile)

    def comp_assesses(self, meta, ch):
        return _Field("assesses", ch[0], meta)

    def comp_based_on(self, meta, ch):
        return _Field("based_on", self._ident(ch[0]), meta)

    def comp_valid_for(self, meta, ch):
        return _Field("valid_for", ch[0], meta)

    def comp_pass_score(self, meta, ch):
        return _Field("pass_score", ch[0], meta)

    def comp_initial(self, meta, ch):
        return _Field("initial", tuple(ch), meta)

    def comp_refresher(self, meta, ch):
        return _Field("refresher", tuple(ch), meta)

    def threshold(self, meta, ch):
        metric = self._ident(ch[0])
        i = 1
        subject = None
        if isinstance(ch[i], Token) and ch[i].type == "NAME":
            subject = self._ident(ch[i])
            i += 1
        op = str(ch[i])
        value = ch[i + 1]
        weight, critical = None, False
        for c in ch[i + 2:]:
            if isinstance(c, float):
                weight = c
            elif c is True:
                critical = True
        return self._mk(ast.Threshold, span=self._span(meta), metric=metric, subject=subject, op=op,
                        value=value, weight=weight, critical=critical)

    def weight(self, meta, ch):
        return float(str(ch[0]))

    def critical_flag(self, meta, ch):
        return True

    def allow(self, meta, ch):
        return self._mk(ast.Allow, span=self._span(meta), code=str(ch[0]),
                        code_span=self._tok_span(ch[0]),
                        reason=self._string(ch[1]))


def to_ast(tree: Tree, file: str, *,
           validate: bool = False) -> tuple[ast.Module, list[Diagnostic]]:
    """Transform a parse tree; return the module and any string-escape diagnostics.

    ``validate=True`` builds every node through pydantic validation (slower; the tests
    compare both ways).
    """
    t = ToAst(file, validate=validate)
    module = t.transform(tree)
    return module, t.diagnostics
