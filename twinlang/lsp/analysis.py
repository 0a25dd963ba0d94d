"""Checking an editor buffer that may not be saved, with its `use` modules read from disk.

`twinlang.api.check_files` reads every file from disk.  An editor checks the text it holds:
:func:`check_buffer` runs the same stages as `twinlang check` (parse, modules and names,
kinds and units, procedures, the step graph and its rules, `allow`) on that text, while the
modules it uses are read from disk, or taken from other open buffers when the editor holds
them.  The result keeps the loaded modules so that hover, definition and completion can look
names up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import ast
from ..diagnostics import Diagnostic, DiagnosticSink
from ..semantics import Program, check_module
from ..semantics.modules import Loader, ModuleInfo, find_cycles


@dataclass
class Analysis:
    """What the check of one buffer found."""

    path: Path
    display: str
    text: str
    diagnostics: list[Diagnostic]
    module: ModuleInfo | None = None
    program: Program | None = None
    #: display name → module, for every module loaded (for related information)
    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    #: display name → normalised source text, as in `CheckReport.sources`
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def own_diagnostics(self) -> list[Diagnostic]:
        """The diagnostics located in this buffer (or located nowhere)."""
        return [d for d in self.diagnostics if d.span is None or d.span.file == self.display]


class _BufferLoader(Loader):
    """A `Loader` that takes the text of some files from memory instead of the disk."""

    def __init__(self, sink: DiagnosticSink, sources: dict[str, str],
                 overlay: dict[Path, str]) -> None:
        super().__init__(sink, sources)
        self.overlay = {p.resolve(): t for p, t in overlay.items()}

    def read(self, path: Path) -> bytes:
        text = self.overlay.get(path)
        if text is None:
            return super().read(path)
        return text.encode("utf-8", errors="surrogatepass")


def check_buffer(path: Path, text: str, others: dict[Path, str] | None = None) -> Analysis:
    """Check ``text`` as the content of ``path``; ``others`` are other unsaved buffers.

    Never raises on bad input; an unreadable `use` module is a diagnostic, as in `check`.
    """
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _check_buffer(path, text, others or {})
    finally:
        if paused:
            gc.enable()


def _check_buffer(path: Path, text: str, others: dict[Path, str]) -> Analysis:
    from ..api import _is_library
    from ..graph import verify_graph
    from ..graph.build import build_graph
    from ..semantics.allows import apply_allows

    sink = DiagnosticSink()
    sources: dict[str, str] = {}
    loader = _BufferLoader(sink, sources, {**others, path: text})
    # The stages of `twinlang.semantics.check_program`, for one root file.
    root = loader.load(path)
    loader.prelude()
    everything = list(loader.load_closure(root))
    prelude = loader.prelude()
    if prelude is not None and all(m is not prelude for m in everything):
        everything.append(prelude)
    sink.extend(find_cycles(everything))
    for mod in everything:
        loader.build_scope(mod)
    program = Program(roots=[root], modules=everything)
    for mod in everything:
        if mod.ast is None or (mod.is_stdlib and mod is not root):
            continue
        check_module(mod, sink, program)
    # The step graph, as in `twinlang.api.check_files`.
    broken = {d.span.file for d in sink if d.span is not None and d.severity.value == "error"}
    if root.ast is not None and root.display not in broken and not _is_library(root.ast):
        for item in root.ast.items:
            if isinstance(item, ast.Procedure):
                verify_graph(build_graph(item, root, sink), sink)
    diagnostics = apply_allows(program, sink.sorted())
    diagnostics.sort(key=lambda d: d.sort_key)
    return Analysis(path=root.path, display=root.display, text=text, diagnostics=diagnostics,
                    module=root, program=program,
                    modules={m.display: m for m in loader.modules.values()}, sources=sources)
