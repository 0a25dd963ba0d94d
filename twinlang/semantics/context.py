"""The per-module checking context: name lookup with "did you mean", and value checking."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .. import ast
from ..diagnostics import DiagnosticSink, Label, Span, make
from . import codes, units
from .modules import Decl, ModuleInfo

#: Categories with a diagnostic code of their own when a name is unknown.
_UNKNOWN_CODES = {"role": codes.UNKNOWN_ROLE, "energy type": codes.UNKNOWN_ENERGY}

_ARTICLE = {"equipment": "", "energy type": "an ", "reactivity group": "a "}


def article(category: str) -> str:
    if category in _ARTICLE:
        return _ARTICLE[category]
    return "an " if category[0] in "aeiou" else "a "


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    cands = sorted(set(candidates))
    close = difflib.get_close_matches(name, cands, n=1, cutoff=0.6)
    if close:
        return close[0]
    lower = {c.lower(): c for c in cands}
    return lower.get(name.lower())


class Ctx:
    """What every check needs: the module, its scope and the sink."""

    def __init__(self, module: ModuleInfo, sink: DiagnosticSink) -> None:
        self.module = module
        self.sink = sink

    # ------------------------------------------------------------ names

    def names_of(self, categories: tuple[str, ...]) -> list[str]:
        return [n for n, d in self.module.scope.items() if d.category in categories]

    def resolve(
        self,
        ident: ast.Ident,
        categories: tuple[str, ...],
        what: str | None = None,
        help_missing: str | None = None,
    ) -> Decl | None:
        """Look up ``ident`` expecting one of ``categories``; report if absent or wrong."""
        what = what or categories[0]
        decl = self.module.lookup(ident.name)
        if decl is None and ident.name in self.module.unresolved:
            return None  # its `use` already failed; one diagnostic is enough
        if decl is None:
            close = suggest(ident.name, self.names_of(categories))
            if close:
                hint = f"did you mean `{close}`?"
            else:
                hint = (
                    help_missing
                    or f"declare {article(what)}{what} named `{ident.name}` or import it with `use`"
                )
            info = _UNKNOWN_CODES.get(categories[0], codes.UNKNOWN_NAME)
            self.sink.add(make(info, f"unknown {what} `{ident.name}`", ident.span, help=hint))
            return None
        if decl.category not in categories:
            labels = []
            if decl.module is self.module:
                labels.append(
                    Label(
                        span=decl.node.name.span,
                        message=f"`{ident.name}` is declared here as "
                        f"{article(decl.category)}{decl.category}",
                    )
                )
            close = suggest(ident.name, self.names_of(categories))
            self.sink.add(
                make(
                    codes.WRONG_KIND_OF_NAME,
                    f"`{ident.name}` is {article(decl.category)}{decl.category}, "
                    f"not {article(what)}{what}",
                    ident.span,
                    labels=labels,
                    help=f"did you mean `{close}`?"
                    if close
                    else f"name {article(what)}{what} here",
                )
            )
            return None
        return decl

    # ------------------------------------------------------------ values

    def check_value(
        self, value: ast.Value, type_: ast.TypeExpr | str, *, what: str
    ) -> units.Measure | str | bool | None:
        """Check ``value`` against a type; return its converted form, or None if wrong.

        ``type_`` is a kind's type expression or a plain type name.
        """
        if isinstance(type_, ast.TypeExpr):
            type_name = type_.name.name
            choices = tuple(c.name for c in type_.choices)
        else:
            type_name, choices = type_, ()
        if type_name == "choice":
            if not isinstance(value, ast.NameValue):
                return self._wrong_sort(value, f"one of {_fmt_names(choices)}", what)
            if value.name not in choices:
                close = suggest(value.name, choices)
                self.sink.add(
                    make(
                        codes.INVALID_CHOICE,
                        f"`{value.name}` is not a choice for {what}",
                        value.span,
                        notes=[f"the choices are {_fmt_names(choices)}"],
                        help=f"did you mean `{close}`?"
                        if close
                        else f"write one of {_fmt_names(choices)}",
                    )
                )
                return None
            return value.name
        if type_name == "boolean":
            if not isinstance(value, ast.BoolValue):
                return self._wrong_sort(value, "`true` or `false`", what)
            return value.value
        if type_name == "text":
            if not isinstance(value, ast.StringValue):
                return self._wrong_sort(value, 'a string in double quotes ("...")', what)
            return value.value
        if not isinstance(value, ast.QuantityValue):
            need = (
                "a number"
                if type_name in ("count", "number")
                else f"a {type_name.replace('_', ' ')} (a number with a unit such as "
                f"{units.EXAMPLE_UNITS.get(type_name, '')})"
            )
            return self._wrong_sort(value, need, what)
        return self.convert(value, type_name, what=what)

    def convert(
        self, value: ast.QuantityValue, type_name: str, *, what: str
    ) -> units.Measure | None:
        span = value.unit_span or value.span
        try:
            return units.convert(value.number, value.unit, type_name)
        except units.UnitError:
            close = suggest(value.unit or "", units.known_unit_names())
            self.sink.add(
                make(
                    codes.UNKNOWN_UNIT,
                    f"unknown unit `{value.unit}`",
                    span,
                    help=f"did you mean `{close}`?"
                    if close
                    else f"{type_name.replace('_', ' ')} units include "
                    f"{units.EXAMPLE_UNITS.get(type_name, '')}"
                    if type_name in units.EXAMPLE_UNITS
                    else "write products with `*` and "
                    "quotients with `/`, without spaces: `N*m`, `L/min`",
                )
            )
        except units.MissingUnitError:
            self.sink.add(
                make(
                    codes.MISSING_UNIT,
                    f"{what} is a {type_name.replace('_', ' ')} and needs a unit",
                    value.span,
                    help=f"write the unit after the number, e.g. `{value.text} "
                    f"{units.EXAMPLE_UNITS.get(type_name, '').split(',')[0]}`",
                )
            )
        except units.NotFiniteError:
            self.sink.add(
                make(
                    codes.NOT_FINITE,
                    f"`{value.text}` is too large a number",
                    value.span,
                    help="check the number for a typo",
                )
            )
        except units.DimensionError as exc:
            if exc.expected in ("count", "number"):
                msg = (
                    f"{what} is a plain {exc.expected}, but `{value.text}` is not a whole number"
                    if exc.found == "a fractional number"
                    else f"{what} is a plain {exc.expected} and takes no unit"
                )
                hint = (
                    "write a whole number"
                    if exc.found == "a fractional number"
                    else f"remove `{value.unit}`"
                )
                self.sink.add(make(codes.WRONG_DIMENSION, msg, span, help=hint))
            elif value.unit in _LOOKALIKE_UNITS:
                name, right = _LOOKALIKE_UNITS[value.unit]
                self.sink.add(make(
                    codes.WRONG_DIMENSION,
                    f"`{value.unit}` is the {name}, not a {exc.expected.replace('_', ' ')}",
                    span, help=f"write {right}"))
            else:
                self.sink.add(
                    make(
                        codes.WRONG_DIMENSION,
                        f"{what} is a {exc.expected.replace('_', ' ')}, but `{value.unit}` "
                        f"measures {_found(exc.found)}",
                        span,
                        help=f"use a {exc.expected.replace('_', ' ')} unit such as "
                        f"{units.EXAMPLE_UNITS.get(exc.expected, '')}",
                    )
                )
        return None

    def _wrong_sort(self, value: ast.Value, need: str, what: str) -> None:
        self.sink.add(
            make(
                codes.WRONG_VALUE_TYPE,
                f"{what} needs {need}, not {_describe(value)}",
                value.span,
                help=f"write {need}",
            )
        )
        return None

    def error(self, info, message: str, span: Span, **kw) -> None:
        self.sink.add(make(info, message, span, **kw))


#: Unit symbols that are easy to mistake for another unit: what they are, what was meant.
_LOOKALIKE_UNITS = {
    "C": ("coulomb (electric charge)", "degrees Celsius as `degC` or `°C`"),
    "F": ("farad (capacitance)", "degrees Fahrenheit as `degF` or `°F`"),
}


def _found(found: str) -> str:
    if found.startswith("a ") or found.startswith("an ") or found.startswith("`"):
        return found
    return article(found) + found.replace("_", " ")


def _describe(value: ast.Value) -> str:
    if isinstance(value, ast.StringValue):
        return "a string"
    if isinstance(value, ast.BoolValue):
        return f"`{str(value.value).lower()}`"
    if isinstance(value, ast.NameValue):
        return f"the name `{value.name}`"
    return f"`{value.text}{' ' + value.unit if value.unit else ''}`"


def _fmt_names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)
