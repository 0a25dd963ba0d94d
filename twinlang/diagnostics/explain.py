"""The long form of a diagnostic code, for `twinlang explain CODE`.

::

    $ twinlang explain tw0105
    TW0105 missing-separator (error)
    two statements on one line without `;` between them

    Statements end at a line break or at `;`. ...

A code is accepted in any case (``tw0105``), with or without leading zeros or the ``TW``
prefix (``105``), or by its kebab-case name (``missing-separator``).
"""

from __future__ import annotations

import difflib
import re

from .codes import CodeInfo, catalogue, lookup

_CODE = re.compile(r"^(?:tw)?(\d{1,4})$", re.IGNORECASE)
# Letters typed for digits in a code: `TWO1O5`, `tw0l05`.
_LOOKALIKE = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1"})


def _normalise(query: str) -> str:
    query = query.strip()
    m = _CODE.match(query) or _CODE.match(query[:2] + query[2:].translate(_LOOKALIKE))
    return f"TW{int(m.group(1)):04d}" if m else query


def resolve(code_or_name: str) -> CodeInfo | None:
    """The catalogue entry for a code (``TW0105``, ``tw105``, ``105``) or a name."""
    return lookup(_normalise(code_or_name))


def explain_text(code_or_name: str) -> str | None:
    """The text `twinlang explain` prints, or ``None`` for an unknown code or name."""
    info = resolve(code_or_name)
    if info is None:
        return None
    header = f"{info.code} {info.name} ({info.severity.value})"
    return f"{header}\n{info.summary}\n\n{info.explain.rstrip()}\n"


def closest_codes(query: str, limit: int = 3) -> list[str]:
    """Codes whose code or name resembles ``query``, best first (for "did you mean")."""
    infos = catalogue()
    by_key: dict[str, str] = {}
    for info in infos.values():
        by_key[info.code.lower()] = info.code
        by_key[info.name] = info.code
    key = _normalise(query).lower()
    found: list[str] = []
    for match in difflib.get_close_matches(key, list(by_key), n=limit * 2, cutoff=0.6):
        code = by_key[match]
        if code not in found:
            found.append(code)
    return found[:limit]
