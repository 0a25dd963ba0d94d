"""Equipment behaviours, one module per family; importing a module registers its kinds."""

from __future__ import annotations

import importlib

from .base import REGISTRY, Behaviour, Environment, Event, Inert, Outcome, PhysicsError, register

#: Behaviour modules; each registers the kinds it models.
FAMILIES = ("valves", "pressure", "rotating", "mechanical", "electrical", "atmosphere",
            "chemical")


def load_behaviours() -> dict[str, type[Behaviour]]:
    """Import every family present (a family not written yet leaves its kinds inert)."""
    for name in FAMILIES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return REGISTRY


__all__ = ["REGISTRY", "Behaviour", "Environment", "Event", "Inert", "Outcome", "PhysicsError",
           "load_behaviours", "register"]
