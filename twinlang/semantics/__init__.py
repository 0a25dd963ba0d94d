"""Stage 2: modules and `use`, name resolution, kinds and parameters, units.

`check_program` loads every file given (and the modules they use), reports what is wrong
and returns the :class:`Program` that later stages (the step graph) build on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import ast
from ..diagnostics import DiagnosticSink, make
from . import codes
from .context import Ctx
from .kinds import check_equipment, check_incompatible, check_kind, check_substance
from .modules import Loader, ModuleInfo, find_cycles
from .procedures import ProcedureChecker
from .scenario import check_allow, check_competency, check_fault, check_header


@dataclass
class Program:
    """The checked modules: the files given (roots) and everything they use."""

    roots: list[ModuleInfo]
    modules: list[ModuleInfo]
    #: equipment tag → parameter values (SI measures, names, strings), per module path
    equipment_values: dict[tuple[Path, str], dict[str, object]] = field(default_factory=dict)


def check_program(files: list[Path], sink: DiagnosticSink, sources: dict[str, str],
                  displays: list[str] | None = None) -> Program:
    loader = Loader(sink, sources)
    roots: list[ModuleInfo] = []
    for i, f in enumerate(files):
        roots.append(loader.load(f, displays[i] if displays else None))
    loader.prelude()
    everything: list[ModuleInfo] = []
    seen: set[int] = set()
    for root in roots:
        for mod in loader.load_closure(root):
            if id(mod) not in seen:
                seen.add(id(mod))
                everything.append(mod)
    prelude = loader.prelude()
    if prelude is not None and id(prelude) not in seen:
        everything.append(prelude)
    sink.extend(find_cycles(everything))
    for mod in everything:
        loader.build_scope(mod)
    program = Program(roots=roots, modules=everything)
    root_ids = {id(r) for r in roots}
    for mod in everything:
        # Library modules of the standard library are checked when given explicitly;
        # a scenario that uses them is not blamed for their contents.
        if mod.ast is None or (mod.is_stdlib and id(mod) not in root_ids):
            continue
        check_module(mod, sink, program)
    return program


def check_module(mod: ModuleInfo, sink: DiagnosticSink, program: Program) -> None:
    ctx = Ctx(mod, sink)
    module = mod.ast
    assert module is not None
    has_procedures = False
    header = None
    for item in module.items:
        if isinstance(item, ast.ScenarioHeader):
            header = header or item
            check_header(ctx, item)
        elif isinstance(item, ast.Kind):
            check_kind(ctx, item)
        elif isinstance(item, ast.Equipment):
            program.equipment_values[(mod.path, item.name.name)] = check_equipment(ctx, item)
        elif isinstance(item, ast.Substance):
            check_substance(ctx, item)
        elif isinstance(item, ast.Incompatible):
            check_incompatible(ctx, item)
        elif isinstance(item, ast.Procedure):
            has_procedures = True
            ProcedureChecker(ctx, item).run()
            for allow in item.allows:
                check_allow(ctx, allow)
        elif isinstance(item, ast.Fault):
            check_fault(ctx, item)
        elif isinstance(item, ast.Competency | ast.Profile):
            check_competency(ctx, item)
        elif isinstance(item, ast.Allow):
            check_allow(ctx, item)
    is_library = any(isinstance(i, ast.ModuleDecl) for i in module.items)
    if has_procedures and header is None and not is_library and not mod.is_stdlib:
        first = next(i for i in module.items if isinstance(i, ast.Procedure))
        sink.add(make(codes.MISSING_HEADER, "this file has procedures but no `scenario` header",
                      first.name.span,
                      help='start the file with `scenario "Title" { id ...; version "1.0"; '
                      "risk high }`"))
    _unused_imports(mod, sink)


def _unused_imports(mod: ModuleInfo, sink: DiagnosticSink) -> None:
    for local, (imp, _decl) in mod.imports.items():
        if imp is None or local in mod.used_names:
            continue
        sink.add(make(codes.UNUSED_IMPORT, f"`{local}` is imported but never used",
                      imp.span, help=f"remove `{local}` from the `use` list"))


__all__ = ["Program", "check_program"]
