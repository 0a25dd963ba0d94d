"""Positions of equipment in the scene: from the source (`at X, Y, Z`) or automatic."""

from __future__ import annotations

from .. import ast
from ..semantics import units

#: Spacing of the automatic grid, in metres.
GRID = 2.5


def auto_layout(equipment: list[ast.Equipment]) -> dict[str, list[float]]:
    """x, y, z in metres for every piece of equipment.

    Equipment with `at` keeps its position.  The rest is placed on a grid along x, in
    declaration order, one row per kind of thing, clear of the positions already taken,
    so the layout is the same on every compile.
    """
    out: dict[str, list[float]] = {}
    taken: set[tuple[int, int]] = set()
    for eq in equipment:
        pos = _given(eq)
        if pos is not None:
            out[eq.name.name] = pos
            taken.add((round(pos[0] / GRID), round(pos[1] / GRID)))
    i = 0
    for eq in equipment:
        if eq.name.name in out:
            continue
        while True:
            cell = (i % 8, -2 - i // 8)
            i += 1
            if cell not in taken:
                break
        taken.add(cell)
        out[eq.name.name] = [cell[0] * GRID, cell[1] * GRID, 0.0]
    return out


def _given(eq: ast.Equipment) -> list[float] | None:
    if eq.position is None or len(eq.position) != 3:
        return None
    coords = []
    for v in eq.position:
        if not isinstance(v, ast.QuantityValue):
            return None
        try:
            coords.append(units.convert(v.number, v.unit, "length").si)
        except ValueError:
            return None
    return coords
