"""Renderers: one function per output format, chosen by name.

Every renderer has the same signature (:class:`Renderer`) and is registered in
:data:`RENDERERS` under the name the CLI offers (``--output-format human``).  Callers go
through :func:`render` and never branch on the format themselves; adding a format means
writing one function and one :func:`register` call.

``sources`` maps each display file name (``Span.file``) to its decoded text; renderers
that show source lines take them from there and degrade gracefully when a file is
missing (a file that could not be decoded has no text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from ..._version import __version__
from ..model import Diagnostic


class Renderer(Protocol):
    def __call__(
        self,
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, str],
        *,
        color: bool,
        tool_version: str,
    ) -> str: ...


#: Every output format by name, in the order ``--help`` should list them.
RENDERERS: dict[str, Renderer] = {}


def register(name: str, renderer: Renderer) -> Renderer:
    """Make ``renderer`` available as format ``name`` (a later call replaces it)."""
    RENDERERS[name] = renderer
    return renderer


def formats() -> list[str]:
    """The names of the registered formats."""
    return list(RENDERERS)


def render(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    sources: Mapping[str, str],
    *,
    color: bool = False,
    tool_version: str = __version__,
) -> str:
    """Render ``diagnostics`` in format ``fmt``; ``ValueError`` if the format is unknown.

    The order of ``diagnostics`` is kept (``DiagnosticSink.sorted()`` already gives a
    stable order).  ``color`` only affects formats meant for a terminal.
    """
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        known = ", ".join(RENDERERS)
        raise ValueError(f"unknown output format `{fmt}` (known formats: {known})") from None
    return renderer(list(diagnostics), sources, color=color, tool_version=tool_version)


def _register_builtin() -> None:
    from . import github, human, json_format, sarif

    register("human", human.render_human)
    register("json", json_format.render_json)
    register("sarif", sarif.render_sarif)
    register("github", github.render_github)


_register_builtin()

__all__ = ["RENDERERS", "Renderer", "formats", "register", "render"]
