"""Units and dimensions: one pint registry, and the type names SMEs write.

A *type* is what a kind declares for a parameter or state (`pressure`, `count`,
`choice(open, closed)`, ...).  A quantity written in a source (`40 N*m`) is parsed once
into a :class:`Measure`: its value in SI base units, the unit as the author wrote it, and
the dimension name it belongs to.  Percentages are dimensionless in pint but are kept apart
here: `%` is a fraction, `% vol` and `ppm` a concentration, `% LEL`/`% LFL` a flammability.

pint is the source of truth for units, but importing it and building its registry costs
more than the rest of a small `check`.  The common units (:data:`FAST_UNITS`) are therefore
converted from a table of their SI factors, which are pint's own floats, so the results are
the same to the last bit (tests/test_units_table.py compares every entry with pint); any
other unit, and every error message, goes through pint.
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


#: Unit (as pint reads it, after :data:`_ALIASES`) → (the types whose dimensionality it has,
#: plus "dimensionless" for pure numbers; SI factor; SI offset).  ``si = number * factor +
#: offset``: for every entry this is the float pint computes (offsets only for degC, degF).
FAST_UNITS: dict[str, tuple[frozenset[str], float, float]] = {}


def _fast(types: str, *rows: tuple[str, float, float]) -> None:
    kinds = frozenset(types.split())
    for unit, factor, offset in rows:
        FAST_UNITS[unit] = (kinds, factor, offset)


_fast("length", ("m", 1.0, 0.0), ("mm", 0.001, 0.0), ("cm", 0.01, 0.0), ("km", 1000.0, 0.0),
      ("in", 0.0254, 0.0), ("ft", 0.30479999999999996, 0.0))
_fast("area", ("m^2", 1.0, 0.0), ("cm^2", 0.0001, 0.0), ("mm^2", 1e-06, 0.0),
      ("in^2", 0.00064516, 0.0), ("ft^2", 0.09290303999999999, 0.0))
_fast("volume", ("L", 0.0010000000000000002, 0.0), ("mL", 1.0000000000000002e-06, 0.0),
      ("m^3", 1.0, 0.0), ("gal", 0.0037854117839999993, 0.0))
_fast("time", ("s", 1.0, 0.0), ("ms", 0.001, 0.0), ("min", 60.0, 0.0), ("h", 3600.0, 0.0),
      ("d", 86400.0, 0.0), ("year", 31557600.0, 0.0))
_fast("pressure", ("Pa", 1.0, 0.0), ("kPa", 1000.0, 0.0), ("MPa", 1000000.0, 0.0),
      ("bar", 100000.0, 0.0), ("mbar", 100.0, 0.0), ("psi", 6894.7572931683635, 0.0))
_fast("torque energy", ("N*m", 1.0, 0.0), ("lbf*ft", 1.3558179483314006, 0.0),
      ("J", 1.0, 0.0), ("kJ", 1000.0, 0.0), ("MJ", 1000000.0, 0.0),
      ("kW*h", 3600000.0, 0.0))
_fast("force", ("N", 1.0, 0.0), ("kN", 1000.0, 0.0), ("lbf", 4.4482216152605005, 0.0))
_fast("power", ("W", 1.0, 0.0), ("kW", 1000.0, 0.0), ("MW", 1000000.0, 0.0),
      ("hp", 745.6998715822701, 0.0))
_fast("voltage", ("V", 1.0, 0.0), ("kV", 1000.0, 0.0), ("mV", 0.001, 0.0))
_fast("current", ("A", 1.0, 0.0), ("mA", 0.001, 0.0), ("kA", 1000.0, 0.0))
_fast("resistance", ("ohm", 1.0, 0.0), ("kiloohm", 1000.0, 0.0), ("kohm", 1000.0, 0.0),
      ("Mohm", 1000000.0, 0.0))
_fast("capacitance", ("F", 1.0, 0.0), ("uF", 1e-06, 0.0), ("nF", 1e-09, 0.0),
      ("pF", 1e-12, 0.0))
_fast("mass", ("kg", 1.0, 0.0), ("g", 0.001, 0.0), ("lb", 0.4535923700000001, 0.0))
_fast("temperature", ("K", 1.0, 0.0), ("degC", 1.0, 273.15),
      ("degF", 0.5555555555555556, 255.37222222222223))
_fast("angular_speed frequency", ("rpm", 0.10471975511965977, 0.0), ("rad/s", 1.0, 0.0),
      ("Hz", 1.0, 0.0), ("kHz", 1000.0, 0.0))
_fast("speed", ("m/s", 1.0, 0.0), ("km/h", 0.2777777777777778, 0.0))
_fast("flow", ("m^3/s", 1.0, 0.0), ("m^3/h", 0.0002777777777777778, 0.0),
      ("L/min", 1.666666666666667e-05, 0.0), ("L/s", 0.0010000000000000002, 0.0),
      ("gallon/minute", 6.309019639999999e-05, 0.0), ("ft^3/min", 0.0004719474431999999, 0.0))
_fast("mass_flow", ("kg/s", 1.0, 0.0), ("kg/h", 0.0002777777777777778, 0.0))
_fast("inertia", ("kg*m^2", 1.0, 0.0))
_fast("incident_energy", ("J/cm^2", 10000.0, 0.0), ("cal/cm^2", 41840.0, 0.0))
# pint's radian is dimensionless: angles and parts-per are all pure numbers to it
_fast("angle dimensionless", ("rad", 1.0, 0.0), ("deg", 0.017453292519943295, 0.0),
      ("turn", 6.283185307179586, 0.0), ("ppm", 1e-06, 0.0), ("ppb", 1e-09, 0.0))


def pint_text(unit: str) -> str:
    """The spelling of ``unit`` that pint reads (SME spellings mapped by :data:`_ALIASES`)."""
    return _ALIASES.get(unit, unit).replace("·", "*")


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
    text = pint_text(unit)
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
    if unit is not None and expected not in ("count", "number") and math.isfinite(number):
        fast = FAST_UNITS.get(pint_text(unit))  # never a percentage: no key holds `%`
        if fast is not None:
            kinds, factor, offset = fast
            if expected in DIMENSIONS and expected in kinds:
                si = number * factor + offset if offset else number * factor
                if not math.isfinite(si):
                    raise NotFiniteError(number)
                return Measure(si, expected, unit, DIMENSIONS[expected])
            if expected == "concentration" and "dimensionless" in kinds:
                return Measure(number * factor, expected, unit, "1")
    return convert_with_pint(number, unit, expected)


def convert_with_pint(number: float, unit: str | None, expected: str) -> Measure:
    """:func:`convert` without the table: every unit through pint (the reference)."""
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
    qty = reg.Quantity(number, pint_text(unit))
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
    if percent_kind(unit) is not None or pint_text(unit) in FAST_UNITS:
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
