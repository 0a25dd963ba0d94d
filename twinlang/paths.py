"""Finding things on disk: twinlang's own data, and the `.twin` sources a user names.

twinlang's data directories, `grammar/` and `stdlib/`, sit beside the `twinlang/` package
in a source checkout (and so in an editable install).  A wheel carries them inside the
package as `twinlang/_data/grammar` and `twinlang/_data/stdlib` (copied there by
`setup.py` when the wheel is built).  `TWINLANG_STDLIB` overrides the stdlib location.

:func:`find_sources` turns the paths given to `twinlang check` into the sorted list of
files to read.  Only the standard library is imported here: the CLI loads this module
before anything heavy.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent
_WHEEL_DATA = _PACKAGE / "_data"

#: The suffix of twinlang sources, looked for when a directory is given.
SOURCE_SUFFIX = ".twin"
#: Directories never searched for sources (hidden directories are skipped as well).
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


def _find(name: str, marker: str) -> Path:
    candidates = [_CHECKOUT / name, _WHEEL_DATA / name]
    for cand in candidates:
        if (cand / marker).is_file():
            return cand
    raise FileNotFoundError(
        f"twinlang cannot find its `{name}/` directory (looked in "
        + ", ".join(f"`{c}`" for c in candidates)
        + "); reinstall twinlang"
    )


@functools.cache
def grammar_dir() -> Path:
    """The directory holding the Lark grammar files (`twin.lark` and the files it joins)."""
    return _find("grammar", "twin.lark")


@functools.cache
def stdlib_dir() -> Path:
    """The root of the twinlang standard library (`prelude.twin` and the `stdlib.*` modules)."""
    override = os.environ.get("TWINLANG_STDLIB")
    if override:
        return Path(override)
    return _find("stdlib", "prelude.twin")


def layout() -> str:
    """`checkout` or `wheel`: where the data directories were found (for `--version`)."""
    return "checkout" if grammar_dir().parent == _CHECKOUT else "wheel"


# ------------------------------------------------------------------ user sources


class SourcePathError(OSError):
    """A path given to `check` that cannot be used; the message is ready to show."""


def find_sources(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to check for the given files and directories, in a deterministic order.

    A file named explicitly is taken whatever its suffix.  A directory is searched
    recursively for `*.twin` files, skipping hidden files and directories, virtual
    environments and caches; its files are sorted by path.  Each file is listed once, at
    its first mention.  Raises :class:`SourcePathError` for a missing path, something that
    is not a regular file or directory, or a directory without sources.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _search_dir(path)
            if not files:
                raise SourcePathError(f"no `{SOURCE_SUFFIX}` files found in `{raw}`")
        elif path.is_file():
            files = [path]
        elif path.exists():
            raise SourcePathError(f"`{raw}` is not a regular file or a directory")
        else:
            raise SourcePathError(f"`{raw}` does not exist")
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                _probe(f)
                found.append(f)
    return found


def _probe(path: Path) -> None:
    """Fail early, with a plain message, on a file that cannot be opened."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise SourcePathError(f"cannot read `{path}`: {reason}") from None


def _search_dir(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not _skip_dir(here / d)]
        for name in filenames:
            if name.endswith(SOURCE_SUFFIX) and not name.startswith("."):
                f = here / name
                if f.is_file():
                    found.append(f)
    return sorted(found, key=lambda f: f.relative_to(root).parts)


def _skip_dir(path: Path) -> bool:
    name = path.name
    # a virtual environment under any name: it may hold an installed copy of the stdlib
    return (name.startswith(".") or name in SKIPPED_DIRS
            or (path / "pyvenv.cfg").is_file())
