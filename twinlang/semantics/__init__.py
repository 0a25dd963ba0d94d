"""Stage 2: modules, names, kinds, units (work in progress: parsing only for now)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import DiagnosticSink


def check_program(files: list[Path], sink: DiagnosticSink, sources: dict[str, str]) -> None:
    from ..api import display_name
    from ..syntax import parse_bytes

    for f in files:
        name = display_name(f)
        data = f.read_bytes()
        _module, diags, source = parse_bytes(data, name)
        if source is not None:
            sources[name] = source.text
        sink.extend(diags)
