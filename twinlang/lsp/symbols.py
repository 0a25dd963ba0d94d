"""Document symbols: the outline of a `.twin` file."""

from __future__ import annotations

from lsprotocol import types

from .. import ast
from .positions import LineIndex

K = types.SymbolKind
_KINDS = {
    ast.Role: K.Class, ast.Kind: K.Interface, ast.Equipment: K.Object,
    ast.Procedure: K.Function, ast.Fault: K.Event, ast.Competency: K.Struct,
    ast.Profile: K.Struct, ast.Substance: K.Constant, ast.Reactivity: K.EnumMember,
    ast.EnergyType: K.EnumMember,
}


def _symbol(index: LineIndex, name: str, kind, node, name_span, detail=None, children=None):
    rng = index.range(node.span)
    sel = index.range(name_span)
    return types.DocumentSymbol(name=name, kind=kind, range=rng, selection_range=sel,
                                detail=detail, children=children or None)


def _flow(index: LineIndex, items) -> list[types.DocumentSymbol]:
    out = []
    for item in items:
        if isinstance(item, ast.Step):
            out.append(_symbol(index, item.name.name, K.Method, item, item.name.span,
                               item.title))
        elif isinstance(item, ast.Parallel):
            branches = [_symbol(index, b.name.name, K.Namespace, b, b.name.span, b.title,
                                _flow(index, b.body)) for b in item.branches]
            name = item.name.name if item.name else "parallel"
            out.append(_symbol(index, name, K.Namespace, item,
                               item.name.span if item.name else item.span, "parallel", branches))
        elif isinstance(item, ast.If):
            out.extend(_flow(index, item.then))
            out.extend(_flow(index, item.otherwise or ()))
        elif isinstance(item, ast.Choose):
            for opt in item.options:
                out.extend(_flow(index, opt.body))
        elif isinstance(item, ast.Alarm):
            out.extend(_flow(index, item.body))
    return out


def document_symbols(module: ast.Module, index: LineIndex) -> list[types.DocumentSymbol]:
    out: list[types.DocumentSymbol] = []
    for item in module.items:
        if isinstance(item, ast.ScenarioHeader):
            out.append(_symbol(index, item.title, K.Package, item, item.span, "scenario"))
        elif isinstance(item, ast.ModuleDecl):
            out.append(_symbol(index, item.title, K.Package, item, item.span, "module"))
        elif isinstance(item, ast.Use):
            out.append(_symbol(index, item.dotted, K.Module, item, item.path[-1].span, "use"))
        elif type(item) in _KINDS:
            children = None
            detail = getattr(item, "title", None)
            if isinstance(item, ast.Kind):
                children = [_symbol(index, p.name.name, K.Property, p, p.name.span,
                                    p.type.name.name) for p in item.params]
                children += [_symbol(index, s.name.name, K.Field, s, s.name.span,
                                     s.type.name.name) for s in item.states]
            elif isinstance(item, ast.Equipment):
                detail = f"is {item.kind.name}" + (f": {item.title}" if item.title else "")
                children = [_symbol(index, p.name.name, K.Property, p, p.name.span)
                            for p in item.params]
            elif isinstance(item, ast.Procedure):
                children = _flow(index, item.body)
            out.append(_symbol(index, item.name.name, _KINDS[type(item)], item,
                               item.name.span, detail, children))
    return out
