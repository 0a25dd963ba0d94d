"""`allow CODE because "reason"`: switching a safety rule off, never silently."""

from __future__ import annotations

from .. import ast
from ..diagnostics import Diagnostic, Label, make


def apply_allows(program, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop the diagnostics an `allow` covers; add one note per `allow` with its reason.

    A file-level `allow` covers the whole file; one inside a procedure covers the spans of
    that procedure.  Only safety rules (TW05xx and above) and warnings can be allowed; the
    semantic stage reports an `allow` of anything else.
    """
    from ..diagnostics.codes import RULE_ALLOWED_CODE, lookup

    scopes: list[tuple[ast.Allow, str, int, int]] = []
    for mod in program.roots:
        if mod.ast is None:
            continue
        for item in mod.ast.items:
            if isinstance(item, ast.Allow):
                scopes.append((item, mod.display, 0, 1 << 62))
            elif isinstance(item, ast.Procedure):
                for allow in item.allows:
                    scopes.append((allow, mod.display, item.span.start, item.span.end))
    if not scopes:
        return diagnostics
    counts = {id(a): 0 for a, *_ in scopes}
    kept = []
    for d in diagnostics:
        covered = False
        if d.span is not None and _allowable(d):
            for allow, file, start, end in scopes:
                if allow.code == d.code and d.span.file == file and start <= d.span.start <= end:
                    counts[id(allow)] += 1
                    covered = True
        if not covered:
            kept.append(d)
    info = lookup(RULE_ALLOWED_CODE)
    for allow, _file, _start, _end in scopes:
        if lookup(allow.code) is None:
            continue
        n = counts[id(allow)]
        what = (f"{n} diagnostic{'s' if n != 1 else ''}" if n
                else "nothing (the rule found no problem)")
        kept.append(make(
            info,
            f"`{allow.code}` is allowed here because \"{allow.reason}\"",
            allow.span,
            labels=[Label(span=allow.code_span, message=f"this switched off {what}")],
            help="remove the `allow` once the procedure satisfies the rule",
        ))
    return kept


def _allowable(d: Diagnostic) -> bool:
    return d.severity.value != "error" or int(d.code[2:]) >= 500
