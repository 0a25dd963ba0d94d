"""The table of common units in `twinlang.semantics.units` agrees with pint, bit for bit."""

from __future__ import annotations

import random

import pytest

from twinlang.semantics import units

#: Every type a value can be checked against.
TYPES = (*units.DIMENSIONS, "fraction", "concentration", "flammability", "count", "number")


def _numbers() -> list[float]:
    rng = random.Random(7)
    out = [0.0, -0.0, 1.0, -1.0, 0.1, 2.5, 40.0, 273.15, -40.0, 1e-9, 1e12, 1.7e308]
    out += [round(rng.uniform(-1e4, 1e4), rng.randint(0, 6)) for _ in range(20)]
    return out


def _outcome(fn, number: float, unit: str, expected: str):
    try:
        m = fn(number, unit, expected)
    except units.DimensionError as exc:
        return ("DimensionError", exc.expected, exc.found, exc.unit)
    except ValueError as exc:  # UnitError, MissingUnitError, NotFiniteError
        return (type(exc).__name__,)
    return ("ok", repr(m.si), m.dimension, m.unit, m.si_unit)


def _spellings() -> list[str]:
    """Table keys, and every SME alias that maps onto one."""
    keys = list(units.FAST_UNITS)
    keys += [a for a in units._ALIASES if units.pint_text(a) in units.FAST_UNITS]
    return keys


@pytest.mark.parametrize("unit", _spellings())
def test_table_entry_converts_exactly_as_pint(unit):
    for expected in TYPES:
        for number in _numbers():
            fast = _outcome(units.convert, number, unit, expected)
            slow = _outcome(units.convert_with_pint, number, unit, expected)
            assert fast == slow, (number, unit, expected)


@pytest.mark.parametrize("unit", list(units.FAST_UNITS))
def test_table_dimensions_are_pints(unit):
    kinds, _factor, _offset = units.FAST_UNITS[unit]
    q = units.registry().Quantity(1, unit)
    expect = {t for t in units.DIMENSIONS if q.dimensionality == units._dimensionality(t)}
    if q.dimensionless:
        expect.add("dimensionless")
    assert kinds == expect


def test_table_covers_the_units_of_the_conventions():
    # docs: notes/semantics-conventions.md, "Types"
    listed = ("m mm cm in ft m^2 L m^3 gal s min h d year bar psi kPa Pa MPa N*m lbf*ft N lbf "
              "W kW hp V kV A ohm F uF J kJ kWh kg lb degC K degF rpm rad/s m/s L/min m^3/h gpm "
              "m^3/s kg/s Hz deg turn kg*m^2 cal/cm^2 J/cm^2 ppm ppb").split()
    missing = [u for u in listed if units.pint_text(u) not in units.FAST_UNITS]
    assert not missing


def test_units_outside_the_table_still_go_through_pint():
    assert "yd" not in units.FAST_UNITS
    assert units.convert(2, "yd", "length").si == pytest.approx(1.8288)
    with pytest.raises(units.UnitError):
        units.convert(1, "flurbs", "length")
    with pytest.raises(units.DimensionError):
        units.convert(1, "bar", "length")
