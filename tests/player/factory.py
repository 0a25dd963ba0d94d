"""Small bundle objects for behaviour unit tests, built from the real stdlib kinds.

The kind definitions (parameters with defaults, states with initial values, actions,
energies, lockable) are read from `stdlib/equipment.twin`, so a test sees exactly what a
compiled bundle would hold; only what the test names is overridden::

    acc = equipment("Accumulator", "ACC-3", volume="10 L", bleed_orifice="2 mm")
    v = equipment("GateValve", "V-1", isolates=["ACC-3"], initial={"position": "0 %"})
    env = environment(v, acc)

Values are given as written in a `.twin` file: ``"140 bar"``, ``"25 s"``, a choice name
(``"quadratic"``), a bool, or a bare number for counts and numbers.  A ready
:class:`m.Quantity` is taken as is.
"""

from __future__ import annotations

import re
from functools import cache

from twinlang import ast
from twinlang.bundle import model as m
from twinlang.paths import stdlib_dir
from twinlang.player.behaviours.base import Environment
from twinlang.semantics import units
from twinlang.syntax.parser import parse_source
from twinlang.syntax.source import decode

__all__ = ["bundle", "effect", "environment", "equipment", "example", "failed_expectations",
           "fault_effects", "kind", "quantity", "step_node", "substance"]

_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@cache
def _kinds() -> dict[str, ast.Kind]:
    path = stdlib_dir() / "equipment.twin"
    source, diags = decode(path.name, path.read_bytes())
    assert source is not None, diags
    module, diags = parse_source(source)
    assert module is not None, diags
    return {item.name.name: item for item in module.items if isinstance(item, ast.Kind)}


def kind(name: str) -> ast.Kind:
    """The stdlib kind ``name`` (KeyError names the known kinds when it does not exist)."""
    kinds = _kinds()
    if name not in kinds:
        raise KeyError(f"no stdlib kind {name!r}; known: {', '.join(sorted(kinds))}")
    return kinds[name]


def quantity(text: str, type_name: str) -> m.Quantity:
    """``"140 bar"`` as a bundle quantity of the twinlang type ``type_name``."""
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"not a quantity: {text!r}")
    number, unit = float(match.group(1)), match.group(2) or None
    meas = units.convert(number, unit, type_name)
    return m.Quantity(si=meas.si, si_unit=meas.si_unit, dimension=type_name, value=number,
                      unit=unit)


def _value(value, type_name: str) -> m.Value | None:
    """A test value (as written, or a bundle value) as the bundle holds it."""
    if value is None or isinstance(value, m.Quantity | bool):
        return value
    if type_name in ("boolean", "text", "choice"):
        return value
    if isinstance(value, int | float):
        if type_name not in ("count", "number"):
            raise ValueError(f"give a unit for a {type_name}: {value!r}")
        return m.Quantity(si=float(value), si_unit="1", dimension=type_name, value=value,
                          unit=None)
    return quantity(str(value), type_name)


def _ast_value(value: ast.Value | None, type_name: str) -> m.Value | None:
    if value is None:
        return None
    if isinstance(value, ast.QuantityValue):
        if type_name in ("boolean", "text", "choice"):
            return None
        meas = units.convert(value.number, value.unit, type_name)
        return m.Quantity(si=meas.si, si_unit=meas.si_unit, dimension=type_name,
                          value=value.number, unit=value.unit)
    if isinstance(value, ast.BoolValue):
        return value.value
    if isinstance(value, ast.StringValue):
        return value.value
    return value.name


def equipment(kind_name: str, eq_id: str = "X-1", *, feeds=(), isolates=(),
              located_in: str | None = None, contains=(), initial: dict | None = None,
              position: list[float] | None = None, **params) -> m.Equipment:
    """An `m.Equipment` of the stdlib kind ``kind_name`` with the parameters ``params``
    (others keep the kind's defaults) and state initial values overridden by ``initial``."""
    k = kind(kind_name)
    known = {p.name.name for p in k.params}
    unknown = set(params) - known
    if unknown:
        raise KeyError(f"{kind_name} has no parameter {', '.join(sorted(unknown))}")
    state_names = {s.name.name for s in k.states}
    initial = dict(initial or {})
    if set(initial) - state_names:
        raise KeyError(f"{kind_name} has no state {', '.join(sorted(set(initial) - state_names))}")
    out_params = {}
    for p in k.params:
        t = p.type.name.name
        name = p.name.name
        given = name in params
        out_params[name] = m.Param(
            type=t,
            value=_value(params[name], t) if given else _ast_value(p.default, t),
            from_default=not given and p.default is not None,
            low=_ast_value(p.low, t) if isinstance(p.low, ast.QuantityValue) else None,
            high=_ast_value(p.high, t) if isinstance(p.high, ast.QuantityValue) else None,
            choices=[c.name for c in p.type.choices], doc=p.doc)
    states = []
    for s in k.states:
        t = s.type.name.name
        name = s.name.name
        init = _value(initial[name], t) if name in initial else _ast_value(s.initial, t)
        states.append(m.StateVar(name=name, type=t, choices=[c.name for c in s.type.choices],
                                 initial=init, doc=s.doc))
    return m.Equipment(
        id=eq_id, kind=kind_name, kind_title=k.title, params=out_params, states=states,
        actions=[a.name for a in k.actions], stores=[x.name for x in k.stores],
        transmits=[x.name for x in k.transmits], isolates=[x.name for x in k.isolates],
        lockable=k.lockable, control_device=k.control_device,
        relations=m.Relations(feeds=list(feeds), isolates=list(isolates),
                              located_in=located_in, contains=list(contains)),
        position=position, model=f"urdf/{eq_id}.urdf", source="test:1")


def bundle(*equipment_: m.Equipment, substances=(), faults=()) -> m.Bundle:
    """A minimal valid bundle holding the given equipment (no procedures)."""
    return m.Bundle(
        compiler=m.Compiler(version="0"), content_hash="0" * 64,
        scenario=m.Header(id="test", title="test", source="test:1"),
        roles=[], equipment=list(equipment_), substances=list(substances), procedures=[],
        faults=list(faults),
        xapi=m.Xapi(activity_base="https://example.org/x",
                    scenario=m.XapiActivity(id="https://example.org/x/test", type="t",
                                            name="test"),
                    procedures=[], competencies=[], critical_items=[], verbs={}),
        files={}, sources={})


def environment(*equipment_: m.Equipment, seed: int = 0, **kw) -> Environment:
    """An :class:`Environment` over a bundle of the given equipment."""
    return Environment(bundle(*equipment_, **kw), seed=seed)


def effect(kind_: str, *, value=None, value_type: str = "number", per: str | None = None,
           equipment: str | None = None, state: str | None = None,
           message: str | None = None) -> m.Effect:
    """A fault effect: ``effect("stuck", value="60 %", value_type="fraction")``,
    ``effect("drift", value="2 bar", value_type="pressure", per="1 min",
    equipment="ACC-3", state="pressure")``; a name (``value="lowered"``) is kept as a name."""
    ref = m.StateRef(equipment=equipment, state=state) if equipment is not None else None
    if isinstance(value, str) and _NUMBER.match(value) is None:
        value_type = "choice"  # a name: `sensor_failure condition lowered`
    return m.Effect(kind=kind_, value=_value(value, value_type), state=ref, message=message,
                    per=quantity(per, "time") if per is not None else None)


@cache
def _substances() -> dict[str, ast.Substance]:
    path = stdlib_dir() / "chemicals.twin"
    source, diags = decode(path.name, path.read_bytes())
    assert source is not None, diags
    module, diags = parse_source(source)
    assert module is not None, diags
    return {item.name.name: item for item in module.items if isinstance(item, ast.Substance)}


def substance(name: str, *, groups=None, **props) -> m.Substance:
    """The stdlib substance ``name`` (`stdlib/chemicals.twin`) as the bundle holds it, or a
    new one when ``groups`` is given; ``props`` as written: ``flash_point="-18 degC"``."""
    from twinlang.semantics.vocab import SUBSTANCE_PARAMS

    known = _substances().get(name)
    if known is None and groups is None:
        raise KeyError(f"no stdlib substance {name!r}; known: {', '.join(sorted(_substances()))}")
    out: dict[str, m.Quantity | float] = {}
    for p in known.params if known is not None else ():
        t = SUBSTANCE_PARAMS.get(p.name.name)
        v = _ast_value(p.value, t) if t else None
        if isinstance(v, m.Quantity):
            out[p.name.name] = v.si if t in ("number", "count") else v
    for key, text in props.items():
        t = SUBSTANCE_PARAMS[key]
        v = _value(text, t)
        out[key] = v.si if t in ("number", "count") else v
    return m.Substance(
        id=name, title=known.title if known is not None else None,
        groups=list(groups) if groups is not None else [g.name for g in known.groups],
        properties=out, source="test:1")


# ---------------------------------------------------------------- compiled examples


def example(name: str, out_dir, *, replace: dict[str, str] | None = None) -> m.Bundle:
    """Compile `examples/<name>.twin` (with text replacements) into ``out_dir`` and load it."""
    from pathlib import Path

    from twinlang.bundle import load
    from twinlang.compile import compile_files

    text = (Path(__file__).resolve().parents[2] / "examples" / f"{name}.twin").read_text(
        encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    src = Path(out_dir) / f"{name}.twin"
    src.write_text(text, encoding="utf-8")
    result = compile_files([src], Path(out_dir) / "build")
    assert not result.report.has_errors, result.report.diagnostics
    return load(result.bundles[0])


def step_node(bundle: m.Bundle, step: str) -> m.Node:
    """The node of the step named ``step`` in the bundle's procedures."""
    for p in bundle.procedures:
        for n in p.graph.nodes:
            if n.name == step:
                return n
    raise KeyError(step)


def failed_expectations(env: Environment, bundle: m.Bundle, step: str) -> list[str]:
    """The expectations of ``step`` that do not hold now, read from what the behaviours
    show (`observe()`); an empty list when all hold."""
    from twinlang.player.conditions import evaluate

    def read(ref: m.StateRef):
        seen = env.behaviours[ref.equipment].observe()
        return seen.get(ref.state) if ref.state else seen

    return [e.text for e in step_node(bundle, step).expects
            if not evaluate(e.condition, read, lambda _s: True)]


def fault_effects(bundle: m.Bundle, fault: str) -> list[m.Effect]:
    """The effects of a bundle fault, with the fault's target state filled in where the
    effect names none (what the engine is expected to pass to `inject`)."""
    f = next(x for x in bundle.faults if x.id == fault)
    return [e if e.state is not None or f.target.state is None
            else e.model_copy(update={"state": f.target}) for e in f.effects]
