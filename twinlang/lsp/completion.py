"""Completion: keywords, equipment tags, the actions a kind accepts, units for a dimension.

The text before the cursor decides what is offered (it is read as text, since a buffer being
typed rarely parses); names come from the last analysis of the buffer that parsed.
"""

from __future__ import annotations

import re
from functools import cache

from lsprotocol import types

from .. import ast
from .analysis import Analysis
from .lookup import kind_decl_of, member

_TOP_LEVEL = ("scenario", "module", "use", "role", "kind", "equipment", "substance",
              "reactivity", "incompatible", "energy_type", "procedure", "fault", "competency",
              "profile", "allow")
#: The statements of each block, by the word that opens the block.
_BLOCK_WORDS = {
    "scenario": ("id", "version", "risk", "site", "description"),
    "role": ("qualified", "description"),
    "kind": ("param", "state", "stores", "transmits", "isolates", "action", "control_device",
             "lockable", "description"),
    "equipment": ("feeds", "isolates", "located_in", "contains", "at", "description"),
    "substance": ("groups", "description"),
    "procedure": ("performed_by", "roles", "energy", "hazard", "permit", "ppe", "boundary",
                  "attendant", "rescue", "group_lockout", "shift_change", "description",
                  "allow", "step", "parallel", "if", "choose", "on alarm", "call", "goto",
                  "resume", "abort"),
    "step": ("expect", "requires", "critical", "performed_by", "verified_by", "hint", "warning",
             "note", "notify", "communicate", "work", "wait", "record", "apply", "remove",
             "issue permit", "sign permit", "revoke permit", "hold for", "account for",
             "clear area"),
    "fault": ("trigger", "effect", "clears", "description"),
    "competency": ("assesses", "risk", "based_on", "valid_for", "pass_score", "initial",
                   "refresher", "description"),
    "profile": ("risk", "pass_score", "valid_for", "description"),
}
for _w in ("branch", "if", "else", "option", "on"):
    _BLOCK_WORDS[_w] = _BLOCK_WORDS["procedure"][10:]
_BLOCK_WORDS["parallel"] = ("branch",)
_BLOCK_WORDS["choose"] = ("option",)
_BLOCK_WORDS["initial"] = _BLOCK_WORDS["refresher"] = ()

_NUMBER_UNIT = re.compile(r"(?<![\w.])[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[ \t]+([^\s,;]*)$")
_PARAM_SET = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=\s*[^=]*$")
_COMPARE = re.compile(r"([A-Za-z_][\w-]*)\.([A-Za-z_]\w*)\s*(?:<=|>=|==|!=|<|>|between)\s*"
                      r"[^=<>]*$")
_MEMBER = re.compile(r"([A-Za-z_][\w-]*)\.([\w]*)$")
_AFTER_VERB = re.compile(r"(?:^|[:;]|\band)\s*([a-z_]+)\s+(?:[A-Za-z_][\w-]*\s*,\s*)*"
                         r"[\w-]*$")
_EQUIPMENT_HEAD = re.compile(r'\s*equipment\s+[A-Za-z_][\w-]*\s*(?:"(?:[^"\\]|\\.)*"\s*)?'
                             r"is\s+([A-Za-z_][\w-]*)")


@cache
def units_for(type_name: str) -> tuple[str, ...]:
    """The units twinlang knows for a type (`pressure` → `Pa`, `kPa`, `bar`, ...)."""
    from ..semantics.units import FAST_UNITS

    special = {"fraction": ("%",), "concentration": ("ppm", "ppb", "% vol", "%"),
               "flammability": ("% LEL", "% LFL")}
    if type_name in special:
        return special[type_name]
    out = [u for u, (kinds, _f, _o) in FAST_UNITS.items() if type_name in kinds]
    # The spellings the docs use for units that pint writes out in full.
    names = {"gallon/minute": "gpm", "ft^3/min": "cfm", "kW*h": "kWh"}
    return tuple(names.get(u, u) for u in out)


def _all_units() -> list[str]:
    from ..semantics.units import ALL_TYPES

    seen: dict[str, None] = {}
    for t in ALL_TYPES:
        for u in units_for(t):
            seen.setdefault(u, None)
    return list(seen)


def _block_word(text: str, offset: int) -> str | None:
    """The first word of the line that opened the innermost `{` still open at ``offset``."""
    from ..syntax.source import open_braces

    opened = open_braces(text, offset)
    if not opened:
        return None
    start = text.rfind("\n", 0, opened[-1]) + 1
    line = text[start:opened[-1]]
    # `step name: ... {` is impossible; `step name "title" {` opens a step block.
    words = line.replace(";", " ").split()
    return words[0] if words else None


def _decls(analysis: Analysis | None, category: str) -> list:
    if analysis is None or analysis.module is None:
        return []
    return [d for d in analysis.module.scope.values() if d.category == category]


def _item(label: str, kind: types.CompletionItemKind, detail: str | None = None,
          insert: str | None = None, sort: str = "1") -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, detail=detail, insert_text=insert,
                                sort_text=f"{sort}{label}")


def _units(type_name: str | None) -> list[types.CompletionItem]:
    units = units_for(type_name) if type_name else _all_units()
    detail = f"unit of {type_name}" if type_name else "unit"
    return [_item(u, types.CompletionItemKind.Unit, detail) for u in units]


def _block_kind(analysis: Analysis | None, text: str, offset: int):
    """The kind of the equipment whose block holds ``offset`` (from `equipment X is KIND {`)."""
    from ..syntax.source import open_braces

    opened = open_braces(text, offset)
    if not opened or analysis is None or analysis.module is None:
        return None
    start = text.rfind("\n", 0, opened[-1]) + 1
    m = _EQUIPMENT_HEAD.match(text[start:opened[-1]])
    if not m:
        return None
    decl = analysis.module.scope.get(m.group(1))
    return decl if decl is not None and decl.category == "kind" else None


def _param_type(analysis: Analysis | None, text: str, offset: int, name: str) -> str | None:
    """The type of parameter ``name`` of the equipment whose block holds ``offset``."""
    kind = _block_kind(analysis, text, offset)
    found = member(kind, name) if kind is not None else None
    return found[1].type.name.name if found and found[0] != "action" else None


def _member_type(analysis: Analysis | None, tag: str, name: str) -> str | None:
    if analysis is None or analysis.module is None:
        return None
    eq = analysis.module.scope.get(tag)
    kind = kind_decl_of(eq) if eq is not None and eq.category == "equipment" else None
    found = member(kind, name) if kind is not None else None
    return found[1].type.name.name if found and found[0] != "action" else None


def _members(analysis: Analysis | None, tag: str) -> list[types.CompletionItem]:
    if analysis is None or analysis.module is None:
        return []
    eq = analysis.module.scope.get(tag)
    kind = kind_decl_of(eq) if eq is not None and eq.category == "equipment" else None
    if kind is None:
        return []
    node: ast.Kind = kind.node
    items = [_item(s.name.name, types.CompletionItemKind.Field, f"state: {s.type.name.name}")
             for s in node.states]
    items += [_item(p.name.name, types.CompletionItemKind.Property,
                    f"param: {p.type.name.name}", sort="2") for p in node.params]
    return items


def _equipment_items(analysis: Analysis | None, verb: str | None) -> list[types.CompletionItem]:
    items = []
    for d in _decls(analysis, "equipment"):
        kind = kind_decl_of(d)
        accepts = kind is not None and verb is not None and any(
            a.name == verb for a in kind.node.actions)
        detail = f"{d.node.kind.name}" + (f": {d.node.title}" if d.node.title else "")
        if verb is not None and not accepts:
            continue
        items.append(_item(d.name, types.CompletionItemKind.Variable, detail))
    return items


def _action_items(analysis: Analysis | None) -> list[types.CompletionItem]:
    """The verbs the kinds of the equipment in scope accept, with the tags that accept each."""
    verbs: dict[str, list[str]] = {}
    for d in _decls(analysis, "equipment"):
        kind = kind_decl_of(d)
        for a in kind.node.actions if kind is not None else ():
            verbs.setdefault(a.name, []).append(d.name)
    return [_item(v, types.CompletionItemKind.Method, "action on " + ", ".join(tags[:6])
                  + (", ..." if len(tags) > 6 else ""))
            for v, tags in sorted(verbs.items())]


def complete(analysis: Analysis | None, text: str, offset: int) -> list[types.CompletionItem]:
    """Completion items for code-point ``offset`` of the normalised buffer ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    if _in_string_or_comment(before):
        return []
    m = _NUMBER_UNIT.search(before)
    if m:
        type_name = None
        setting = _PARAM_SET.match(before)
        compare = _COMPARE.search(before)
        if setting:
            type_name = _param_type(analysis, text, offset, setting.group(1))
        elif compare:
            type_name = _member_type(analysis, compare.group(1), compare.group(2))
        return _units(type_name)
    m = _MEMBER.search(before)
    if m:
        return _members(analysis, m.group(1))
    block = _block_word(text, offset)
    m = _AFTER_VERB.search(before)
    verbs = {i.label for i in _action_items(analysis)}
    if m and m.group(1) in verbs and block in (None, *_BLOCK_WORDS) and block != "kind":
        return _equipment_items(analysis, m.group(1))
    items: list[types.CompletionItem] = []
    words = _TOP_LEVEL if block is None else _BLOCK_WORDS.get(block, ())
    items += [_item(w, types.CompletionItemKind.Keyword, sort="3") for w in words]
    if block == "equipment":
        items += _equipment_params(analysis, text, offset)
    if block in ("procedure", "step", "branch", "if", "else", "option", "on") or (
            block == "procedure" and ":" in before):
        items += _action_items(analysis)
        items += _equipment_items(analysis, None)
        items += [_item(d.name, types.CompletionItemKind.Class, "role", sort="2")
                  for d in _decls(analysis, "role")]
    return items


def _equipment_params(analysis: Analysis | None, text: str, offset: int):
    kind = _block_kind(analysis, text, offset)
    if kind is None:
        return []
    return [_item(p.name.name, types.CompletionItemKind.Property, f"{p.type.name.name}",
                  insert=f"{p.name.name} = ") for p in kind.node.params]


def _in_string_or_comment(before: str) -> bool:
    """Whether the end of ``before`` (the line up to the cursor) is in a string or a comment."""
    in_string = False
    i = 0
    while i < len(before):
        c = before[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "#":
            return True
        i += 1
    return in_string
