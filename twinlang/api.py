"""The pipeline behind the public functions in `twinlang/__init__.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, DiagnosticSink


@dataclass
class CheckReport:
    """What `check` found: diagnostics (sorted), and the text of every source read."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: the checked program (`twinlang.semantics.Program`) and the verified step graphs
    program: object = None
    graphs: list = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


def display_name(path: Path) -> str:
    """The name a file is reported under: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _is_library(module) -> bool:
    from . import ast

    return module.header is None and any(isinstance(i, ast.ModuleDecl) for i in module.items)


def check_files(files: list[Path]) -> CheckReport:
    """Parse and check each file (and the modules it uses); never raises on bad input.

    The cyclic garbage collector is paused meanwhile: the parse trees and the ASTs are
    millions of small objects that live until the end, and the collector would walk them
    again and again (a third of the time of a large file).  The few cycles left are freed
    once it runs again.
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _check_files(files)
    finally:
        if paused:
            gc.enable()


def _check_files(files: list[Path]) -> CheckReport:
    from .graph import verify_graph
    from .graph.build import build_graph
    from .semantics import check_program
    from .semantics.allows import apply_allows

    sink = DiagnosticSink()
    sources: dict[str, str] = {}
    program = check_program(files, sink, sources)
    # The step graph is verified for files whose text and names are sound; on a file with
    # errors its rules would mostly repeat them.
    broken = {d.span.file for d in sink if d.span is not None and d.severity.value == "error"}
    from . import ast

    graphs = []
    for mod in program.roots:
        # A library module's procedures are verified where they are called, in context.
        if mod.ast is None or mod.display in broken or _is_library(mod.ast):
            continue
        for item in mod.ast.items:
            if isinstance(item, ast.Procedure):
                sg = build_graph(item, mod, sink)
                verify_graph(sg, sink)
                graphs.append(sg)
    diagnostics = apply_allows(program, sink.sorted())
    diagnostics.sort(key=lambda d: d.sort_key)
    return CheckReport(diagnostics=diagnostics, sources=sources,
                       files=[display_name(f) for f in files], program=program, graphs=graphs)
