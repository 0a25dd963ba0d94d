"""Hover: what a name means, and the long explanation of a diagnostic under the cursor."""

from __future__ import annotations

import itertools

from .. import ast
from ..diagnostics import Diagnostic
from .analysis import Analysis
from .lookup import Target, find_target, kind_decl_of, steps_of


def _src(analysis: Analysis, module, span) -> str:
    """The source text of ``span`` in ``module`` (as written, on one line)."""
    text = analysis.sources.get(module.display if module is not None else "", "")
    return " ".join(text[span.start:span.end].split()) if span is not None else ""


def _where(target_module, span) -> str:
    if target_module is None or span is None:
        return ""
    return f"{target_module.display}:{span.line}"


def _value(analysis: Analysis, module, value) -> str:
    return f"`{_src(analysis, module, value.span)}`" if value is not None else ""


def _type(type_: ast.TypeExpr) -> str:
    if type_.choices:
        return f"choice({', '.join(c.name for c in type_.choices)})"
    return type_.name.name


def _member_text(analysis: Analysis, t: Target) -> list[str]:
    node = t.node
    kind_name = t.kind.name if t.kind is not None else "?"
    if t.category == "action":
        return [f"**action** `{t.name}` of kind `{kind_name}`",
                f"declared in `{_where(t.module, node.span if node else None)}`"]
    what = "parameter" if t.category == "param" else "state"
    lines = [f"**{what}** `{t.name}`: {_dimension_text(node.type)}"]
    if t.equipment is not None and t.category == "param":
        setting = next((p for p in t.equipment.node.params if p.name.name == t.name), None)
        if setting is not None:
            lines.append(f"set on `{t.equipment.name}` to "
                         f"{_value(analysis, t.equipment.module, setting.value)}")
    default = node.default if t.category == "param" else node.initial
    if default is not None:
        label = "default" if t.category == "param" else "initial value"
        lines.append(f"{label}: {_value(analysis, t.module, default)}")
    if t.category == "param" and node.low is not None and node.high is not None:
        lines.append(f"range: {_value(analysis, t.module, node.low)} .. "
                     f"{_value(analysis, t.module, node.high)}")
    if node.doc:
        lines.append(node.doc)
    lines.append(f"declared by kind `{kind_name}` at `{_where(t.module, node.name.span)}`")
    return lines


def _dimension_text(type_: ast.TypeExpr) -> str:
    from ..semantics.units import DIMENSIONS, EXAMPLE_UNITS

    name = _type(type_)
    units = EXAMPLE_UNITS.get(type_.name.name)
    if type_.name.name in DIMENSIONS and units:
        return f"{name} (units: {units})"
    if units:
        return f"{name} ({units})"
    return name


def _equipment_text(analysis: Analysis, t: Target) -> list[str]:
    node: ast.Equipment = t.node
    decl = t.module.decls.get(t.name) if t.module is not None else None
    kind = kind_decl_of(decl) if decl is not None else None
    head = f"**equipment** `{t.name}`" + (f" \"{node.title}\"" if node.title else "")
    lines = [head, f"kind `{node.kind.name}`"
             + (f" ({kind.node.title})" if kind is not None and kind.node.title else "")]
    if kind is not None:
        set_values = {p.name.name: p for p in node.params}
        for p in kind.node.params:
            if p.name.name in set_values:
                val = _value(analysis, t.module, set_values[p.name.name].value)
            elif p.default is not None:
                val = _value(analysis, kind.module, p.default) + " (default)"
            else:
                val = "not set"
            lines.append(f"- `{p.name.name}` = {val}")
        if kind.node.actions:
            lines.append("actions: " + ", ".join(f"`{a.name}`" for a in kind.node.actions))
    lines.append(f"declared at `{_where(t.module, node.name.span)}`")
    return lines


def _step_text(analysis: Analysis, t: Target) -> list[str]:
    step: ast.Step = t.node
    proc = t.procedure
    lines = [f"**step** `{t.name}`" + (f" \"{step.title}\"" if step.title else "")]
    role = step.performed_by or (proc.performed_by if proc is not None else None)
    if role is not None:
        implied = " (the procedure's)" if step.performed_by is None else ""
        lines.append(f"role: `{role.name}`{implied}")
    if step.verified_by is not None:
        lines.append(f"verified by: `{step.verified_by.name}`")
    for action in step.actions:
        lines.append(f"- does `{_src(analysis, t.module, action.span)}`")
    for exp in step.expects:
        shown = _src(analysis, t.module, exp.span).removeprefix("expect ")
        lines.append(f"- expects `{shown}`")
    for req in step.requires:
        lines.append(f"- requires `{_src(analysis, t.module, req.span)}`")
    if step.critical:
        lines.append("critical: a mistake here is a critical error")
    if proc is not None:
        lines.append(f"in procedure `{proc.name.name}`")
    return lines


def _decl_text(analysis: Analysis, t: Target) -> list[str]:
    node = t.node
    title = getattr(node, "title", None)
    lines = [f"**{t.category}** `{t.name}`" + (f" \"{title}\"" if title else "")]
    if isinstance(node, ast.Kind):
        if node.description:
            lines.append(node.description)
        lines += [f"- param `{p.name.name}`: {_type(p.type)}" for p in node.params]
        lines += [f"- state `{s.name.name}`: {_type(s.type)}" for s in node.states]
        for label, names in (("actions", node.actions), ("isolates", node.isolates),
                             ("stores", node.stores)):
            if names:
                lines.append(f"{label}: " + ", ".join(f"`{n.name}`" for n in names))
    elif isinstance(node, ast.Role):
        if node.qualified:
            lines.append("qualified (an authorized employee / qualified person)")
        if node.description:
            lines.append(node.description)
    elif isinstance(node, ast.Procedure):
        if node.performed_by is not None:
            lines.append(f"performed by `{node.performed_by.name}`")
        lines.append(f"{sum(1 for _ in steps_of(node.body))} steps")
    elif getattr(node, "description", None):
        lines.append(node.description)
    lines.append(f"declared at `{_where(t.module, getattr(node, 'name', node).span)}`")
    return lines


def describe(analysis: Analysis, t: Target) -> str:
    if t.category == "module":
        where = t.module.display if t.module is not None else "not found"
        return f"**module** `{t.name}`: `{where}`"
    if t.category in ("param", "state", "action"):
        lines = _member_text(analysis, t)
    elif t.category == "equipment":
        lines = _equipment_text(analysis, t)
    elif t.category == "step":
        lines = _step_text(analysis, t)
    else:
        lines = _decl_text(analysis, t)
    return _join(lines)


def _join(lines: list[str]) -> str:
    """Paragraphs, with consecutive list items kept in one list."""
    out = lines[0]
    for prev, line in itertools.pairwise(lines):
        out += ("\n" if line.startswith("- ") and prev.startswith("- ") else "\n\n") + line
    return out


def explain(diag: Diagnostic) -> str:
    from ..diagnostics.explain import resolve

    info = resolve(diag.code)
    text = f"**{diag.code} {diag.name}**: {diag.message}"
    if diag.help:
        text += f"\n\nhelp: {diag.help}"
    if info is not None and info.explain.strip():
        text += "\n\n" + info.explain.strip()
    return text


def hover_text(analysis: Analysis, offset: int, line: int, column: int) -> str | None:
    """Markdown for the cursor at code-point ``offset`` (``line``/``column`` 1-based)."""
    parts: list[str] = []
    if analysis.module is not None and analysis.module.ast is not None:
        target = find_target(analysis.module, offset)
        if target is not None:
            parts.append(describe(analysis, target))
    for d in analysis.own_diagnostics:
        s = d.span
        if s is not None and (s.line, s.column) <= (line, column) <= (s.end_line, s.end_column):
            parts.append(explain(d))
    return "\n\n---\n\n".join(parts) if parts else None
