"""Modules: loading the files a scenario uses, `use` resolution, import cycles, scopes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .. import ast
from ..diagnostics import Diagnostic, DiagnosticSink, Label, make
from ..paths import stdlib_dir
from . import codes

#: AST node type → the category of name it declares.
CATEGORY = {
    ast.Kind: "kind",
    ast.Equipment: "equipment",
    ast.Role: "role",
    ast.Procedure: "procedure",
    ast.Fault: "fault",
    ast.Competency: "competency",
    ast.Profile: "profile",
    ast.Substance: "substance",
    ast.Reactivity: "reactivity group",
    ast.EnergyType: "energy type",
}


@dataclass(eq=False)
class Decl:
    name: str
    category: str
    node: ast.Node
    module: ModuleInfo


@dataclass(eq=False)
class ModuleInfo:
    path: Path
    display: str
    ast: ast.Module | None
    is_stdlib: bool = False
    is_prelude: bool = False
    decls: dict[str, Decl] = field(default_factory=dict)
    scope: dict[str, Decl] = field(default_factory=dict)
    #: local name → (the import node, the declaration it names)
    imports: dict[str, tuple[ast.ImportName, Decl]] = field(default_factory=dict)
    #: resolved `use` edges: (use node, target module or None)
    uses: list[tuple[ast.Use, ModuleInfo | None]] = field(default_factory=list)
    used_names: set[str] = field(default_factory=set)
    #: names listed in a `use` whose module could not be read: not reported again as unknown
    unresolved: set[str] = field(default_factory=set)
    #: facts derived from the module's declarations, computed once per check by whoever
    #: needs them (the rule packs share them between the procedures of the module)
    facts: dict = field(default_factory=dict)

    def lookup(self, name: str) -> Decl | None:
        decl = self.scope.get(name)
        if decl is not None:
            self.used_names.add(name)
        return decl


def display_for(path: Path) -> str:
    """How a module file is named in diagnostics."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    try:
        return "stdlib/" + resolved.relative_to(stdlib_dir().resolve()).as_posix()
    except (ValueError, FileNotFoundError):
        return path.as_posix()


class Loader:
    """Loads modules once each, following `use`, and reports unreadable ones."""

    def __init__(self, sink: DiagnosticSink, sources: dict[str, str]) -> None:
        self.sink = sink
        self.sources = sources
        self.modules: dict[Path, ModuleInfo] = {}
        self._prelude: ModuleInfo | None = None
        self._stdlib_root = stdlib_dir().resolve()

    # ------------------------------------------------------------ loading

    def load(self, path: Path, display: str | None = None) -> ModuleInfo:
        from ..syntax import parse_bytes

        key = path.resolve()
        if key in self.modules:
            return self.modules[key]
        name = display or display_for(path)
        is_stdlib = self._stdlib_root in key.parents
        info = ModuleInfo(path=key, display=name, ast=None, is_stdlib=is_stdlib,
                          is_prelude=key == self._stdlib_root / "prelude.twin")
        self.modules[key] = info
        data = self.read(key)
        module, diags, source = _parse_cached(data, name, parse_bytes)
        if source is not None:
            self.sources[name] = source.text
        self.sink.extend(diags)
        info.ast = module
        if module is not None:
            self._collect_decls(info)
        return info

    def read(self, path: Path) -> bytes:
        """The bytes of a module's file (an editor's loader takes some from memory)."""
        return path.read_bytes()

    def prelude(self) -> ModuleInfo | None:
        if self._prelude is None:
            path = self._stdlib_root / "prelude.twin"
            if path.is_file():
                self._prelude = self.load(path)
        return self._prelude

    def load_closure(self, root: ModuleInfo) -> list[ModuleInfo]:
        """Load every module reachable from ``root`` through `use` (iteratively)."""
        order: list[ModuleInfo] = []
        seen: set[int] = set()
        stack = [root]
        while stack:
            mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            order.append(mod)
            if mod.ast is None:
                continue
            if not mod.uses:
                for item in mod.ast.items:
                    if isinstance(item, ast.Use):
                        target = self._resolve_use(mod, item)
                        mod.uses.append((item, target))
            for _use, target in mod.uses:
                if target is not None and id(target) not in seen:
                    stack.append(target)
        return order

    def _module_file(self, mod: ModuleInfo, use: ast.Use) -> tuple[Path, Path, list[str]]:
        parts = [p.name for p in use.path]
        if parts[0] == "stdlib":
            base, rel = self._stdlib_root, parts[1:]
        else:
            base, rel = mod.path.parent, parts
        return base, base.joinpath(*rel).with_suffix(".twin") if rel else base, rel

    def _resolve_use(self, mod: ModuleInfo, use: ast.Use) -> ModuleInfo | None:
        base, path, rel = self._module_file(mod, use)
        if rel and path.is_file():
            try:
                return self.load(path)
            except OSError as exc:
                self.sink.add(make(codes.UNKNOWN_MODULE,
                                   f"cannot read module `{use.dotted}`: {exc.strerror or exc}",
                                   _path_span(use), help="check the file's permissions"))
                return None
        where = "the standard library" if use.path[0].name == "stdlib" else f"`{_dir_name(base)}`"
        candidates = _available_modules(base, use.path[0].name == "stdlib")
        wanted = ".".join(rel)
        close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6)
        if close:
            prefix = "stdlib." if use.path[0].name == "stdlib" else ""
            hint = f"did you mean `{prefix}{close[0]}`?"
        elif use.path[0].name == "stdlib" and [c for c in candidates if c != "prelude"]:
            hint = "modules of the standard library: " + ", ".join(
                f"`stdlib.{c}`" for c in candidates if c != "prelude")
        else:
            hint = (f"create `{'/'.join(rel)}.twin` next to this file, or use `stdlib.` for "
                    "the standard library")
        self.sink.add(make(codes.UNKNOWN_MODULE,
                           f"no module `{use.dotted}` in {where}", _path_span(use), help=hint))
        return None

    # ------------------------------------------------------------ declarations

    def _collect_decls(self, info: ModuleInfo) -> None:
        assert info.ast is not None
        headers: list[ast.Node] = []
        for item in info.ast.items:
            if isinstance(item, ast.ScenarioHeader | ast.ModuleDecl):
                headers.append(item)
                continue
            category = CATEGORY.get(type(item))
            if category is None:
                continue
            name_node = item.name
            name = name_node.name
            prev = info.decls.get(name)
            if prev is not None:
                self.sink.add(make(
                    codes.DUPLICATE_DEFINITION,
                    f"`{name}` is declared twice in this module",
                    name_node.span,
                    labels=[Label(span=prev.node.name.span,
                                  message=f"first declared here as a {prev.category}")],
                    help=f"rename one of the two; every {category} needs a name of its own",
                ))
                continue
            info.decls[name] = Decl(name, category, item, info)
        for extra in headers[1:]:
            self.sink.add(make(codes.DUPLICATE_HEADER, "a file has only one header",
                               extra.span, labels=[Label(span=headers[0].span,
                                                         message="first header here")],
                               help="remove this header or split the file in two"))

    def build_scope(self, info: ModuleInfo) -> None:
        """The names visible in ``info``: the prelude's, then imports, then its own."""
        if info.ast is None:
            return
        scope: dict[str, Decl] = {}
        prelude = None if info.is_prelude else self.prelude()
        if prelude is not None:
            scope.update(prelude.decls)
        for use, target in info.uses:
            if target is None:
                info.unresolved.update(imp.local.name for imp in use.names)
                continue
            if use.star:
                for name, decl in target.decls.items():
                    scope[name] = decl
                    info.imports.setdefault(name, (None, decl))
                continue
            for imp in use.names:
                decl = target.decls.get(imp.name.name)
                if decl is None:
                    self.sink.add(_unknown_import(use, imp, target))
                    info.unresolved.add(imp.local.name)
                    continue
                local = imp.local.name
                if local in info.decls:
                    self.sink.add(make(
                        codes.DUPLICATE_DEFINITION,
                        f"`{local}` is both imported and declared in this module",
                        imp.local.span,
                        labels=[Label(span=info.decls[local].node.name.span,
                                      message="declared here")],
                        help=f"import it under another name: `{imp.name.name} as OTHER`",
                    ))
                    continue
                if local in info.imports and info.imports[local][0] is not None:
                    self.sink.add(make(codes.DUPLICATE_DEFINITION,
                                       f"`{local}` is imported twice", imp.local.span,
                                       help="remove one of the imports"))
                    continue
                scope[local] = decl
                info.imports[local] = (imp, decl)
        scope.update(info.decls)
        info.scope = scope


#: Parsed modules by (display name, content hash): the AST and its diagnostics are
#: immutable, so a module read again unchanged (the prelude and the stdlib on every check
#: of a long-running process: the language server, the test suite) is not parsed again.
_PARSED: dict[tuple[str, str], tuple] = {}
_PARSED_MAX = 512


def _parse_cached(data: bytes, name: str, parse_bytes):
    import hashlib

    key = (name, hashlib.sha256(data).hexdigest())
    hit = _PARSED.get(key)
    if hit is None:
        hit = parse_bytes(data, name)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = hit
    return hit


def find_cycles(modules: list[ModuleInfo]) -> list[Diagnostic]:
    """One diagnostic per `use` that closes a cycle (iterative depth-first search)."""
    diags: list[Diagnostic] = []
    state: dict[int, int] = {}  # 1 = on the stack, 2 = done
    for start in modules:
        if state.get(id(start)):
            continue
        path: list[ModuleInfo] = []
        stack: list[tuple[ModuleInfo, int]] = [(start, 0)]
        while stack:
            mod, i = stack.pop()
            if i == 0:
                state[id(mod)] = 1
                path.append(mod)
            if i < len(mod.uses):
                stack.append((mod, i + 1))
                use, target = mod.uses[i]
                if target is None:
                    continue
                if state.get(id(target)) == 1:
                    cycle = [*path[path.index(target):], target]
                    chain = " → ".join(f"`{m.display}`" for m in cycle)
                    what = ("this module uses itself" if target is mod
                            else "modules use each other in a circle")
                    diags.append(make(codes.IMPORT_CYCLE, what, _path_span(use),
                                      notes=[f"cycle: {chain}"],
                                      help="move what the modules share into a third module "
                                      "that both use"))
                elif not state.get(id(target)):
                    stack.append((target, 0))
            else:
                state[id(mod)] = 2
                path.pop()
    return diags


def _unknown_import(use: ast.Use, imp: ast.ImportName, target: ModuleInfo) -> Diagnostic:
    names = sorted(target.decls)
    close = difflib.get_close_matches(imp.name.name, names, n=1, cutoff=0.6)
    if not close:
        lower = {n.lower(): n for n in names}
        if imp.name.name.lower() in lower:
            close = [lower[imp.name.name.lower()]]
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif names:
        shown = ", ".join(f"`{n}`" for n in names[:12])
        hint = f"`{use.dotted}` declares {shown}" + (", ..." if len(names) > 12 else "")
    else:
        hint = f"`{use.dotted}` declares nothing yet"
    return make(codes.UNKNOWN_IMPORT, f"`{use.dotted}` has no `{imp.name.name}`",
                imp.name.span, help=hint)


def _path_span(use: ast.Use):
    first, last = use.path[0].span, use.path[-1].span
    return first.model_copy(update={"end": last.end, "end_line": last.end_line,
                                    "end_column": last.end_column})


def _dir_name(base: Path) -> str:
    return display_for(base) or "."


def _available_modules(base: Path, stdlib: bool) -> list[str]:
    try:
        files = sorted(base.rglob("*.twin")) if stdlib else sorted(base.glob("*.twin"))
    except OSError:
        return []
    out = []
    for f in files[:500]:
        rel = f.relative_to(base).with_suffix("")
        out.append(".".join(rel.parts))
    return out
