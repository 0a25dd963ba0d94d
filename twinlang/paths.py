"""Finding `grammar/` and `stdlib/`, in a source checkout or in an installed wheel.

In a checkout (and an editable install) they sit beside the `twinlang/` package.  A wheel
carries them inside the package as `twinlang/_data/grammar` and `twinlang/_data/stdlib`
(see `setup.py`).  `TWINLANG_STDLIB` overrides the stdlib location.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str, marker: str) -> Path:
    candidates = [_PACKAGE.parent / name, _PACKAGE / "_data" / name]
    for cand in candidates:
        if (cand / marker).is_file():
            return cand
    raise FileNotFoundError(
        f"twinlang cannot find its `{name}/` directory (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); reinstall twinlang"
    )


@functools.cache
def grammar_dir() -> Path:
    return _find("grammar", "twin.lark")


@functools.cache
def stdlib_dir() -> Path:
    override = os.environ.get("TWINLANG_STDLIB")
    if override:
        return Path(override)
    return _find("stdlib", "prelude.twin")


def layout() -> str:
    """`checkout` or `wheel`: where the data directories were found (for `--version`)."""
    return "checkout" if grammar_dir().parent == _PACKAGE.parent else "wheel"
