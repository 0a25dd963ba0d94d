"""Units and dimensions: one pint registry, and the type names SMEs write.

A *type* is what a kind declares for a parameter or state (`pressure`, `count`,
`choice(open, closed)`, ...).  A quantity written in a source (`40 N*m`) is parsed once
into a :class:`Measure`: its value in SI base units, the unit as the author wrote it, and
the dimension name it belongs to.  Percentages are dimensionless in pint but are kept apart
here: `%` is a fraction, `% vol` and `ppm` a concentration, `% LEL`/`% LFL` a flammability.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

#: Type names → a representative unit whose dimensionality defines the type.
DIMENSIONS: dict[str, str] = {
    "length": "m",
    "area": "m^2",
    "volume": "m^3",
    "time": "s",
    "pressure": "Pa",
    "torque": "N*m",
    "force": "N",
    "power": "W",
    "voltage": "V",
    "current": "A",
    "resistance": "ohm",
    "capacitance": "F",
    "energy": "J",
    "mass": "kg",
    "temperature": "K",
    "angular_speed": "rad/s",
    "speed": "m/s",
    "flow": "m^3/s",
    "mass_flow": "kg/s",
    "frequency": "Hz",
    "angle": "rad",
    "inertia": "kg*m^2",
    "incident_energy": "J/m^2",
}
#: Types whose values are percentages or plain numbers (no pint dimension to check).
SPECIAL_TYPES = ("fraction", "concentration", "flammability", "count", "number")
#: Types that are not numbers at all.
NON_NUMERIC_TYPES = ("boolean", "text")
ALL_TYPES = tuple(sorted([*DIMENSIONS, *SPECIAL_TYPES, *NON_NUMERIC_TYPES, "choice"]))

#: Example units shown in help messages.
EXAMPLE_UNITS: dict[str, str] = {
    "length": "mm, m, in, ft", "area": "m^2", "volume": "L, m^3, gal", "time": "s, min, h",
    "pressure": "bar, kPa, psi", "torque": "N*m, lbf*ft", "force": "N, lbf",
    "power": "W, kW, hp", "voltage": "V, kV", "current": "A", "resistance": "ohm",
    "capacitance": "uF, F", "energy": "J, kJ", "mass": "kg, lb", "temperature": "degC, K",
    "angular_speed": "rpm", "speed": "m/s", "flow": "L/min, m^3/h, gpm", "mass_flow": "kg/s",
    "frequency": "Hz", "angle": "deg, turn", "inertia": "kg*m^2",
    "incident_energy": "cal/cm^2, J/cm^2", "fraction": "%", "concentration": "ppm, % vol",
    "flammability": "% LEL, % LFL", "count": "a plain number", "number": "a plain number",
}

# Spellings SMEs use that pint does not know, or knows differently.
_ALIASES = {
    "°C": "degC", "°F": "degF", "Ω": "ohm", "kΩ": "kiloohm",
    "µF": "uF", "μF": "uF", "l": "L", "gpm": "gallon/minute", "lpm": "L/min", "cfm": "ft^3/min",
    "psig": "psi", "barg": "bar", "turns": "turn", "rev": "turn", "ppb": "ppb", "ppm": "ppm",
    "kWh": "kW*h", "Nm": "N*m", "lbf·ft": "lbf*ft", "scfm": "ft^3/min",
}


@dataclass(frozen=True)
class Measure:
    """A quantity converted to SI: ``si`` in SI base units (fractions as 0..1)."""

    si: float
    dimension: str
    unit: str | None
    si_unit: str


class UnitError(ValueError):
    """A unit that cannot be understood."""


@functools.cache
def registry():
    import pint

    try:
        reg = pint.UnitRegistry(cache_folder=":auto:")
    except Exception:  # no writable cache folder: build it in memory
        reg = pint.UnitRegistry()
    reg.define("ppm = 1e-6 = parts_per_million")
    reg.define("ppb = 1e-9 = parts_per_billion")
    return reg


@functools.cache
def _dimensionality(type_name: str):
    reg = registry()
    return reg.Quantity(1, DIMENSIONS[type_name]).dimensionality


@functools.cache
def _dimension_by_dimensionality() -> dict:
    out: dict = {}
    for name in DIMENSIONS:
        out.setdefault(_dimensionality(name), name)
    # torque and energy share a dimensionality; written `N*m` it is a torque,
    # `J` an energy: the caller's expected type decides (see convert()).
    return out


def percent_kind(unit: str) -> str | None:
    """`%` → fraction, `% vol` → concentration, `% LEL`/`% LFL` → flammability."""
    norm = " ".join(unit.split())
    if norm == "%":
        return "fraction"
    if norm == "% vol":
        return "concentration"
    if norm in ("% LEL", "% LFL"):
        return "flammability"
    return None


@functools.cache
def _parse_unit(unit: str):
    reg = registry()
    text = _ALIASES.get(unit, unit).replace("·", "*")
    try:
        q = reg.Quantity(1, text)
    except Exception as exc:  # pint raises several error types
        raise UnitError(unit) from exc
    return q


def known_unit_names() -> list[str]:
    """A list of common unit spellings, for "did you mean" on an unknown unit."""
    return sorted({
        "m", "mm", "cm", "in", "ft", "L", "m^3", "gal", "s", "min", "h", "d", "year", "bar",
        "kPa", "Pa", "MPa", "psi", "N*m", "lbf*ft", "N", "lbf", "W", "kW", "hp", "V", "kV", "A",
        "ohm", "F", "uF", "J", "kJ", "kWh", "kg", "lb", "degC", "degF", "K", "rpm", "m/s",
        "L/min", "m^3/h", "gpm", "kg/s", "Hz", "deg", "turn", "kg*m^2", "cal/cm^2", "J/cm^2",
        "ppm", "ppb", "mA", "mV", "mbar", "ms",
    })


def convert(number: float, unit: str | None, expected: str) -> Measure:
    """Convert ``number unit`` to SI for a value of type ``expected``.

    Raises :class:`UnitError` for an unknown unit and :class:`DimensionError` when the
    unit does not fit the type.
    """
    if not math.isfinite(number):
        raise NotFiniteError(number)
    if expected in ("count", "number"):
        if unit is not None:
            raise DimensionError(expected, describe_unit(unit), unit)
        if expected == "count" and number != int(number):
            raise DimensionError(expected, "a fractional number", unit)
        return Measure(number, expected, None, "1")
    if unit is None:
        raise MissingUnitError(expected)
    pkind = percent_kind(unit)
    if expected in ("fraction", "concentration", "flammability"):
        if pkind is not None:
            if expected == "concentration" and pkind == "fraction":
                pkind = "concentration"  # `19.5 %` of oxygen: a plain % is a volume share
            if pkind != expected:
                raise DimensionError(expected, pkind, unit)
            return Measure(number / 100.0, expected, unit, "1")
        q = _parse_unit(unit)
        if expected == "concentration" and q.dimensionless:
            return Measure(number * float(q.to("dimensionless").magnitude), expected, unit, "1")
        raise DimensionError(expected, describe_unit(unit), unit)
    if pkind is not None:
        raise DimensionError(expected, pkind, unit)
    if expected not in DIMENSIONS:
        raise DimensionError(expected, describe_unit(unit), unit)
    q = _parse_unit(unit)
    if q.dimensionality != _dimensionality(expected):
        raise DimensionError(expected, describe_unit(unit), unit)
    reg = registry()
    qty = reg.Quantity(number, _ALIASES.get(unit, unit).replace("·", "*"))
    base = qty.to_base_units()
    if expected == "angular_speed":
        base = qty.to("rad/s")
    elif expected == "angle":
        base = qty.to("rad")
    si = float(base.magnitude)
    if not math.isfinite(si):
        raise NotFiniteError(number)
    return Measure(si, expected, unit, DIMENSIONS[expected])


def describe_unit(unit: str) -> str:
    """The dimension name of a unit (for messages): `bar` → `pressure`."""
    pkind = percent_kind(unit)
    if pkind:
        return pkind
    try:
        q = _parse_unit(unit)
    except UnitError:
        return "an unknown unit"
    if q.dimensionless:
        return "a dimensionless number"
    name = _dimension_by_dimensionality().get(q.dimensionality)
    if name is None:
        return f"`{q.dimensionality}`"
    if name == "torque" and unit.strip() in ("J", "kJ", "MJ", "kWh", "Wh", "cal", "kcal"):
        return "energy"
    return name


def check_unit(unit: str) -> None:
    """Raise :class:`UnitError` if the unit is unknown."""
    if percent_kind(unit) is not None:
        return
    _parse_unit(unit)


class DimensionError(ValueError):
    def __init__(self, expected: str, found: str, unit: str | None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.found = found
        self.unit = unit


class MissingUnitError(ValueError):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


class NotFiniteError(ValueError):
    pass
