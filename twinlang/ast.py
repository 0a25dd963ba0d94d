"""The typed syntax tree of a twinlang module.

Every node carries the :class:`~twinlang.diagnostics.Span` of the source it came from.
Nodes are plain pydantic models built by :mod:`twinlang.syntax.transform`; they say what
was written, not what it means (names are not resolved, units are not converted).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .diagnostics.model import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

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


for _model in (And, Or, Not, Branch, If, Option, Choose, Alarm, Action, Fault, Trigger, Clearing,
               Expect, Step, Procedure, Module):
    _model.model_rebuild()
