"""The typed syntax tree of a twinlang module.

Every node carries the :class:`~twinlang.diagnostics.Span` of the source it came from.
Nodes are plain pydantic models built by :mod:`twinlang.syntax.transform`; they say what
was written, not what it means (names are not resolved, units are not converted).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .diagnostics.model import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    span: Span


class Ident(Node):
    name: str


# ---------------------------------------------------------------- values


class QuantityValue(Node):
    """A number with an optional unit, exactly as written (`40 N*m`, `8`, `10 % LEL`)."""

    number: float
    text: str
    unit: str | None = None
    unit_span: Span | None = None


class StringValue(Node):
    value: str


class BoolValue(Node):
    value: bool


class NameValue(Node):
    name: str


Value = QuantityValue | StringValue | BoolValue | NameValue


class Ref(Node):
    """A dotted reference: `M-12`, `M-12.speed`, `stdlib.equipment`."""

    parts: tuple[Ident, ...]

    @property
    def head(self) -> Ident:
        return self.parts[0]

    @property
    def text(self) -> str:
        return ".".join(p.name for p in self.parts)


# ---------------------------------------------------------------- conditions


class Compare(Node):
    ref: Ref
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: Value


class Between(Node):
    ref: Ref
    low: Value
    high: Value


class IsState(Node):
    ref: Ref
    state: Ident


class RefCondition(Node):
    """A bare reference used as a condition: a step that is done, or a boolean state."""

    ref: Ref


class And(Node):
    left: Condition
    right: Condition


class Or(Node):
    left: Condition
    right: Condition


class Not(Node):
    operand: Condition


Condition = Compare | Between | IsState | RefCondition | And | Or | Not


# ---------------------------------------------------------------- header, modules, roles


class ScenarioHeader(Node):
    title: str
    id: Ident | None = None
    version: str | None = None
    risk: Ident | None = None
    site: str | None = None
    description: str | None = None


class ModuleDecl(Node):
    title: str


class ImportName(Node):
    name: Ident
    alias: Ident | None = None

    @property
    def local(self) -> Ident:
        return self.alias or self.name


class Use(Node):
    path: tuple[Ident, ...]
    names: tuple[ImportName, ...] = ()
    star: bool = False

    @property
    def dotted(self) -> str:
        return ".".join(p.name for p in self.path)


class Role(Node):
    name: Ident
    title: str | None = None
    qualified: bool = False
    description: str | None = None


# ---------------------------------------------------------------- kinds and equipment


class TypeExpr(Node):
    name: Ident
    choices: tuple[Ident, ...] = ()


class ParamDef(Node):
    name: Ident
    type: TypeExpr
    default: Value | None = None
    low: Value | None = None
    high: Value | None = None
    doc: str | None = None


class StateDef(Node):
    name: Ident
    type: TypeExpr
    initial: Value | None = None
    doc: str | None = None


class Kind(Node):
    name: Ident
    title: str | None = None
    params: tuple[ParamDef, ...] = ()
    states: tuple[StateDef, ...] = ()
    stores: tuple[Ident, ...] = ()
    transmits: tuple[Ident, ...] = ()
    isolates: tuple[Ident, ...] = ()
    actions: tuple[Ident, ...] = ()
    control_device: bool = False
    lockable: bool = False
    description: str | None = None


class ParamSet(Node):
    name: Ident
    value: Value


class Equipment(Node):
    name: Ident
    title: str | None = None
    kind: Ident
    params: tuple[ParamSet, ...] = ()
    feeds: tuple[Ref, ...] = ()
    isolates: tuple[Ref, ...] = ()
    located_in: Ref | None = None
    contains: tuple[Ref, ...] = ()
    position: tuple[Value, ...] | None = None
    description: str | None = None


class Substance(Node):
    name: Ident
    title: str | None = None
    groups: tuple[Ident, ...] = ()
    params: tuple[ParamSet, ...] = ()
    description: str | None = None


class Reactivity(Node):
    name: Ident
    number: int
    title: str | None = None


class Incompatible(Node):
    first: Ident
    second: Ident
    consequences: tuple[Ident, ...]


class EnergyType(Node):
    name: Ident
    title: str | None = None
    stored: bool = False


# ---------------------------------------------------------------- procedures


class Action(Node):
    """One action of a step.

    ``op`` is one of the built-in operations (`notify`, `communicate`, `work`, `wait`,
    `wait_until`, `record`, `apply`, `remove`, `permit_issue`, `permit_sign`,
    `permit_revoke`, `hold`, `account`, `clear_area`) or `do` for an action a kind accepts
    (``verb`` names it).
    """

    op: str
    verb: Ident | None = None
    targets: tuple[Ref, ...] = ()
    to: tuple[Ref, ...] = ()
    preposition: Literal["to", "on"] = "to"
    at: Value | None = None
    role: Ident | None = None
    roles: tuple[Ident, ...] = ()
    device: Ident | None = None
    permit: Ident | None = None
    text: str | None = None
    duration: Value | None = None
    condition: Condition | None = None
    within: Value | None = None


class Expect(Node):
    condition: Condition
    within: Value | None = None


class Step(Node):
    name: Ident
    title: str | None = None
    actions: tuple[Action, ...] = ()
    expects: tuple[Expect, ...] = ()
    requires: tuple[Condition, ...] = ()
    critical: bool = False
    performed_by: Ident | None = None
    verified_by: Ident | None = None
    hints: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    one_line: bool = False


class Jump(Node):
    op: Literal["goto", "resume", "abort"]
    target: Ident | None = None
    bound: int | None = None
    reason: str | None = None


class Call(Node):
    target: Ident


class Branch(Node):
    name: Ident
    title: str | None = None
    body: tuple[FlowItem, ...] = ()


class Parallel(Node):
    name: Ident | None = None
    branches: tuple[Branch, ...] = ()


class If(Node):
    condition: Condition
    then: tuple[FlowItem, ...] = ()
    otherwise: tuple[FlowItem, ...] | None = None


class Option(Node):
    label: str
    body: tuple[FlowItem, ...] = ()


class Choose(Node):
    prompt: str
    options: tuple[Option, ...] = ()


class Alarm(Node):
    condition: Condition
    during: tuple[Ident, ...] = ()
    body: tuple[FlowItem, ...] = ()
    arrow: bool = False


FlowItem = Step | Parallel | If | Choose | Alarm | Call | Jump


class EnergySource(Node):
    energy: Ident
    source: Ref


class Hazard(Node):
    name: Ident
    title: str | None = None
    hazard_class: Ident | None = None


class Permit(Node):
    name: Ident
    title: str | None = None


class PpeItem(Node):
    text: str
    quoted: bool = False


class Boundary(Node):
    name: Ident
    value: Value


class Allow(Node):
    code: str
    code_span: Span
    reason: str


class Procedure(Node):
    name: Ident
    title: str | None = None
    performed_by: Ident | None = None
    roles: tuple[Ident, ...] = ()
    energy: tuple[EnergySource, ...] = ()
    hazards: tuple[Hazard, ...] = ()
    permits: tuple[Permit, ...] = ()
    ppe: tuple[PpeItem, ...] = ()
    boundaries: tuple[Boundary, ...] = ()
    attendant: Ident | None = None
    rescue: Ref | str | None = None
    group_lockout: bool = False
    shift_change: bool = False
    description: str | None = None
    allows: tuple[Allow, ...] = ()
    body: tuple[FlowItem, ...] = ()


# ---------------------------------------------------------------- faults


class Trigger(Node):
    kind: Literal["step", "time", "when", "random"]
    step: Ident | None = None
    time: Value | None = None
    condition: Condition | None = None
    probability: Value | None = None
    seed: int | None = None
    every: Value | None = None


class Effect(Node):
    kind: Literal["stuck", "leak", "drift", "sensor_failure", "lock_failure", "alarm"]
    value: Value | None = None
    per: Value | None = None
    ref: Ref | None = None
    message: str | None = None


class Clearing(Node):
    kind: Literal["after", "when", "step", "never"]
    value: Value | None = None
    condition: Condition | None = None
    step: Ident | None = None


class Fault(Node):
    name: Ident
    title: str | None = None
    target: Ref
    triggers: tuple[Trigger, ...] = ()
    effects: tuple[Effect, ...] = ()
    clears: tuple[Clearing, ...] = ()
    description: str | None = None


# ---------------------------------------------------------------- competencies


class Threshold(Node):
    metric: Ident
    subject: Ident | None = None
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: Value
    weight: float | None = None
    critical: bool = False


class Competency(Node):
    name: Ident
    title: str | None = None
    assesses: tuple[Ident, ...] = ()
    risk: Ident | None = None
    based_on: Ident | None = None
    valid_for: Value | None = None
    pass_score: Value | None = None
    thresholds: tuple[Threshold, ...] = ()
    initial: tuple[Threshold, ...] = ()
    refresher: tuple[Threshold, ...] = ()
    description: str | None = None


class Profile(Node):
    name: Ident
    title: str | None = None
    risk: Ident | None = None
    pass_score: Value | None = None
    valid_for: Value | None = None
    thresholds: tuple[Threshold, ...] = ()
    description: str | None = None


Item = (
    ScenarioHeader | ModuleDecl | Use | Role | Kind | Equipment | Substance | Reactivity
    | Incompatible | EnergyType | Procedure | Fault | Competency | Profile | Allow
)


class Module(Node):
    """One parsed `.twin` file."""

    path: str
    items: tuple[Item, ...] = ()

    @property
    def header(self) -> ScenarioHeader | None:
        for item in self.items:
            if isinstance(item, ScenarioHeader):
                return item
        return None



# ---------------------------------------------------------------- construction without validation

# What pydantic's own ``model_construct`` sets, set here through the slot descriptors.
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
#: class → its fields in declaration order, with their defaults (required ones: _REQUIRED)
_TEMPLATES: dict[type, dict[str, Any]] = {}
_REQUIRED = object()
#: names given → the ``model_fields_set`` shared by every node built from those names
_FIELDS_SETS: dict[tuple[str, ...], set[str]] = {}


def _template(cls: type[BaseModel]) -> dict[str, Any]:
    template = {
        name: _REQUIRED if info.is_required() else info.get_default(call_default_factory=True)
        for name, info in cls.model_fields.items()
    }
    _TEMPLATES[cls] = template
    return template


def construct(cls: type[BaseModel], /, **values: Any) -> Any:
    """``cls(**values)`` without validation, for values already of the declared types.

    The result is what validation gives for such values: the same ``__dict__`` (every
    field in declaration order, the default of each one not given), the given names as
    ``model_fields_set``, no extra and no private attributes.  Unlike
    ``BaseModel.model_construct`` it does no work per field in Python, which makes it
    faster than validation; :mod:`twinlang.syntax.transform` builds every node with it.
    Nothing is checked: a value of the wrong type, an unknown name or a missing required
    field goes unnoticed (``tests/syntax/test_ast_identity.py`` compares the trees built
    both ways).

    Nodes built from the same names share one ``model_fields_set`` object (equal to the
    one validation makes): the nodes are frozen, so pydantic never changes it, and a
    million small sets kept alive cost more than anything else here.  Do not mutate a
    node's ``model_fields_set``.
    """
    template = _TEMPLATES.get(cls)
    if template is None:
        template = _template(cls)
    fields = template.copy()
    fields.update(values)
    names = tuple(values)
    fields_set = _FIELDS_SETS.get(names)
    if fields_set is None:
        fields_set = _FIELDS_SETS[names] = set(names)
    node = _new(cls)
    _set_dict(node, fields)
    _set_fields_set(node, fields_set)
    _set_extra(node, None)
    _set_private(node, None)
    return node


def constructor(cls: type[BaseModel], *names: str, validate: bool = False) -> Any:
    """A function of the values of ``names`` (positional, in that order) that builds a
    ``cls`` like ``construct(cls, **dict(zip(names, values)))``, only faster.

    Every field of ``cls`` not in ``names`` must have a default; ``validate=True`` returns
    a function that validates instead (``cls(**dict(zip(names, values)))``).
    """
    fields = cls.model_fields
    unknown = [n for n in names if n not in fields]
    missing = [n for n, info in fields.items() if n not in names and info.is_required()]
    if unknown or missing or len(set(names)) != len(names):
        raise TypeError(f"{cls.__name__}: cannot build from {names} (unknown {unknown}, "
                        f"missing {missing})")
    if validate:
        def make_validated(*values: Any) -> Any:
            return cls(**dict(zip(names, values, strict=True)))
        return make_validated
    env: dict[str, Any] = {"_new": _new, "_set_dict": _set_dict, "_set_extra": _set_extra,
                           "_set_fields_set": _set_fields_set, "_set_private": _set_private,
                           "cls": cls, "fields_set": _FIELDS_SETS.setdefault(names, set(names))}
    items = []
    for name, info in fields.items():
        if name in names:
            items.append(f"{name!r}: {name}")
        else:
            env[f"default_{name}"] = info.get_default(call_default_factory=True)
            items.append(f"{name!r}: default_{name}")
    code = (f"def make_{cls.__name__}({', '.join(names)}):\n"
            "    node = _new(cls)\n"
            f"    _set_dict(node, {{{', '.join(items)}}})\n"
            "    _set_fields_set(node, fields_set)\n"
            "    _set_extra(node, None)\n"
            "    _set_private(node, None)\n"
            "    return node\n")
    exec(code, env)  # built from the model's field names only
    return env[f"make_{cls.__name__}"]
