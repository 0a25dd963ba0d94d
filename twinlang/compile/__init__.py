"""Stage 4: a checked scenario → a bundle directory any player can load.

`compile_files` checks the sources, refuses on error-level diagnostics, and writes one
bundle per scenario file into the output directory:

    OUT/<scenario-id>/
      scenario.json        the bundle (format `twinlang.scenario/1`)
      scene.json           where each piece of equipment stands, and its URDF
      urdf/<TAG>.urdf      one robot description per piece of equipment
      rubric.json          competencies, metrics, thresholds, critical items, pass rule
      rubric.html          the same, printable, for trainers
      procedure.md/.html   the procedure as a printable SOP
      xapi-profile.json    activity ids and verbs the assessment will use

Writers are a registry (:data:`WRITERS`): each takes the bundle model and returns the
files it contributes.  The directory is written atomically: all files go to a temporary
sibling directory that replaces the bundle in one rename, so a failure never leaves a
half-written bundle.  The output is deterministic: no timestamps, stable ordering.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..api import CheckReport, check_files
from . import model as m

#: name → function(bundle, context) → {relative path: bytes}
Writer = Callable[[m.Bundle, "WriteContext"], dict[str, bytes]]
WRITERS: dict[str, Writer] = {}


def writer(name: str):
    def deco(fn: Writer) -> Writer:
        WRITERS[name] = fn
        return fn

    return deco


@dataclass
class WriteContext:
    """What writers may need beyond the bundle (the checked program, the step graphs)."""

    report: CheckReport
    module: object
    graphs: list = field(default_factory=list)


class CompileError(Exception):
    """The scenarios cannot be compiled together (for example two share an id)."""


@dataclass
class CompileResult:
    report: CheckReport
    bundles: list[Path] = field(default_factory=list)


def dumps(data) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                       allow_nan=False) + "\n").encode("utf-8")


def bundle_json(bundle: m.Bundle) -> bytes:
    return dumps(bundle.model_dump(mode="json", exclude_none=False))


def _load_writers() -> None:
    from . import rubric, sop, urdf, xapi  # noqa: F401  (they register themselves)


def build_bundle(report: CheckReport, mod) -> tuple[m.Bundle, dict[str, bytes]]:
    """Lower one scenario module and run every writer; return the bundle and its files."""
    from .lower import Lowerer, bundle_names

    _load_writers()
    graphs = [g for g in report.graphs if g.module is mod]
    used = _used_sources(report, mod)
    lowerer = Lowerer(mod, graphs, report.sources, bundle_names(report.program, mod))
    draft = lowerer.bundle(files={}, used_sources=used)
    ctx = WriteContext(report=report, module=mod, graphs=graphs)
    files: dict[str, bytes] = {}
    for name in sorted(WRITERS):
        for path, data in WRITERS[name](draft, ctx).items():
            if path in files or path == "scenario.json":
                raise ValueError(f"writer {name} writes {path} twice")
            files[path] = data
    digests = {p: hashlib.sha256(d).hexdigest() for p, d in sorted(files.items())}
    bundle = draft.model_copy(update={"files": digests})
    files["scenario.json"] = bundle_json(bundle)
    return bundle, files


def _used_sources(report: CheckReport, mod) -> dict[str, str]:
    """The text of every module the scenario depends on (for the content hash)."""
    program = report.program
    out: dict[str, str] = {}
    seen: set[int] = set()
    stack = [mod]
    prelude = next((x for x in program.modules if x.is_prelude), None)
    if prelude is not None:
        stack.append(prelude)
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if cur.display in report.sources:
            out[cur.display] = report.sources[cur.display]
        stack.extend(t for _u, t in cur.uses if t is not None)
    return out


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` as directory ``out_dir``, replacing it in one rename."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for rel, data in sorted(files.items()):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def compile_files(files: list[Path], out: Path) -> CompileResult:
    """Check, then write one bundle per scenario file into ``out``."""
    report = check_files(files)
    result = CompileResult(report=report)
    if report.has_errors:
        return result
    built: list[tuple[Path, dict[str, bytes]]] = []
    ids: dict[str, str] = {}
    for mod in report.program.roots:
        if mod.ast is None or mod.ast.header is None:
            continue
        bundle, data = build_bundle(report, mod)
        bid = bundle.scenario.id
        if bid in ids:
            raise CompileError(f"two scenarios have the id `{bid}`: `{ids[bid]}` and "
                               f"`{mod.display}`; give each its own `id`")
        ids[bid] = mod.display
        built.append((out / _dir_name(bid), data))
    # Build everything first, write after: a failing scenario leaves no partial output.
    for path, data in built:
        write_atomically(path, data)
        result.bundles.append(path)
    return result


def _dir_name(scenario_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in scenario_id)
    return safe.strip(".") or "scenario"
