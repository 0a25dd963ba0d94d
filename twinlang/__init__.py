"""twinlang: a language and compiler for digital-twin training of high-risk industrial work.

The public API::

    import twinlang

    module, diagnostics = twinlang.parse(text)          # one source text -> AST
    report = twinlang.check(["examples/"])              # files and directories -> CheckReport
    report.has_errors, report.diagnostics

Importing `twinlang` is cheap: each function imports the stage it needs when first called.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .api import CheckReport
    from .ast import Module
    from .diagnostics import Diagnostic

__all__ = ["__version__", "check", "parse"]

PathLike = str | os.PathLike[str]


def parse(text: str, file: str = "<string>") -> tuple[Module | None, list[Diagnostic]]:
    """Parse one source text.

    Returns the AST (or None when the text has syntax errors) and the diagnostics found.
    ``file`` is the name the diagnostics are reported under.
    """
    from .syntax import parse_text

    return parse_text(text, file)


def check(paths: PathLike | Iterable[PathLike]) -> CheckReport:
    """Check files and directories (searched recursively for `*.twin`), as `twinlang check` does.

    Problems in the sources are returned as diagnostics in the report, never raised.  A path
    that does not exist, a directory without sources or an unreadable file raises
    :class:`twinlang.paths.SourcePathError` (an ``OSError``).
    """
    from .api import check_files
    from .paths import find_sources

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return check_files(find_sources(paths))
