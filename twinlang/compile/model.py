"""The scenario bundle format, `twinlang.scenario/1`, as pydantic models.

These models are the interchange contract with every player (our PyBullet player, a Unity
or web player, a Gymnasium agent).  The JSON Schema in `docs/schema/scenario-1.json` is
exported from them (`twinlang schema`); a test fails if the two drift apart.

Conventions: every physical value is a :class:`Quantity` — its value in SI base units
(`si`, with `si_unit`), plus the number and unit the author wrote, for display.  Fractions
and concentrations are stored as plain ratios (50 % → 0.5, 10 ppm → 1e-5).  Times are
seconds.  Identifiers are the names written in the source (`DS-12`, `tryout`).  Every
element carries `source`, the `file:line` it came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "twinlang.scenario"
FORMAT_MAJOR = 1
FORMAT_MINOR = 0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(_Model):
    """A physical value: SI for computation, as written for display."""

    si: float = Field(description="value in SI base units (ratios for %, ppm)")
    si_unit: str = Field(description="the SI unit of `si` (`Pa`, `m^3/s`, `1` for ratios)")
    dimension: str = Field(description="the twinlang type: pressure, time, fraction, ...")
    value: float = Field(description="the number as written")
    unit: str | None = Field(description="the unit as written (`bar`, `% LEL`), or null")


Value = Quantity | str | bool
"""A parameter or state value: a quantity, a name (`choice`) or text, or a boolean."""


class Compiler(_Model):
    name: Literal["twinlang"] = "twinlang"
    version: str


class Header(_Model):
    id: str
    title: str
    version: str | None = None
    risk: Literal["low", "medium", "high", "critical"] | None = None
    site: str | None = None
    description: str | None = None
    source: str


class Role(_Model):
    id: str
    title: str | None = None
    qualified: bool = False
    source: str


class Param(_Model):
    type: str = Field(description="a dimension name, `count`, `number`, `boolean`, `text` or "
                      "`choice`")
    value: Value | None = Field(description="the value set on the equipment, else the kind's "
                                "default; null when neither exists")
    from_default: bool = False
    low: Quantity | None = None
    high: Quantity | None = None
    choices: list[str] = Field(default_factory=list)
    doc: str | None = None


class StateVar(_Model):
    name: str
    type: str = Field(description="a dimension name, `boolean`, `text` or `choice`")
    choices: list[str] = Field(default_factory=list)
    initial: Value | None = None
    doc: str | None = None


class Relations(_Model):
    feeds: list[str] = Field(default_factory=list)
    isolates: list[str] = Field(default_factory=list)
    located_in: str | None = None
    contains: list[str] = Field(default_factory=list)


class Equipment(_Model):
    id: str
    title: str | None = None
    kind: str
    kind_title: str | None = None
    params: dict[str, Param] = Field(
        description="every parameter of the kind: the value set, or the kind's default")
    states: list[StateVar]
    actions: list[str] = Field(description="verbs a step may use on it")
    stores: list[str] = Field(default_factory=list)
    transmits: list[str] = Field(default_factory=list)
    isolates: list[str] = Field(default_factory=list, description="energy types it isolates")
    lockable: bool = False
    control_device: bool = False
    relations: Relations
    position: list[float] | None = Field(
        default=None, description="x, y, z in metres, from the source or the automatic layout")
    model: str = Field(description="path of its URDF inside the bundle")
    source: str


class Substance(_Model):
    id: str
    title: str | None = None
    groups: list[str]
    properties: dict[str, Quantity | float]
    source: str


class EnergySource(_Model):
    energy: str
    equipment: str
    stored: bool


class Hazard(_Model):
    id: str
    title: str | None = None
    hazard_class: str | None = None


class Permit(_Model):
    id: str
    title: str | None = None


class Boundary(_Model):
    name: str
    distance: Quantity


# ---------------------------------------------------------------- conditions


class StateRef(_Model):
    equipment: str
    state: str | None = None


class Compare(_Model):
    op: Literal["compare"] = "compare"
    ref: StateRef
    cmp: Literal["<", "<=", ">", ">=", "==", "!="]
    value: Value


class Between(_Model):
    op: Literal["between"] = "between"
    ref: StateRef
    low: Value
    high: Value


class IsState(_Model):
    op: Literal["is"] = "is"
    ref: StateRef
    value: str


class StepDone(_Model):
    op: Literal["done"] = "done"
    step: str


class StateTrue(_Model):
    op: Literal["true"] = "true"
    ref: StateRef


class AllOf(_Model):
    op: Literal["and"] = "and"
    args: list[Condition]


class AnyOf(_Model):
    op: Literal["or"] = "or"
    args: list[Condition]


class NotCond(_Model):
    op: Literal["not"] = "not"
    arg: Condition


Condition = Compare | Between | IsState | StepDone | StateTrue | AllOf | AnyOf | NotCond


# ---------------------------------------------------------------- procedures


class Action(_Model):
    op: str = Field(description="notify, communicate, work, wait, wait_until, record, apply, "
                    "remove, permit_issue, permit_sign, permit_revoke, hold, account, "
                    "clear_area, or do (a verb of the target's kind)")
    verb: str | None = None
    targets: list[StateRef] = Field(default_factory=list)
    to: list[StateRef] = Field(default_factory=list)
    preposition: Literal["to", "on"] | None = None
    at: Value | None = None
    role: str | None = None
    roles: list[str] = Field(default_factory=list)
    device: str | None = None
    permit: str | None = None
    text: str | None = None
    duration: Quantity | None = None
    condition: Condition | None = None
    within: Quantity | None = None


class Expectation(_Model):
    condition: Condition
    within: Quantity | None = None
    text: str = Field(description="the condition as written, for display")


class Node(_Model):
    id: str
    kind: Literal["start", "end", "abort", "step", "decision", "fork", "join", "alarm",
                  "resume", "goto"]
    name: str | None = None
    title: str | None = None
    procedure: str | None = None
    performed_by: str | None = None
    verified_by: str | None = None
    critical: bool = False
    actions: list[Action] = Field(default_factory=list)
    expects: list[Expectation] = Field(default_factory=list)
    requires: list[Condition] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    condition: Condition | None = Field(default=None, description="for decisions and alarms")
    prompt: str | None = None
    source: str | None = None


class Edge(_Model):
    source: str
    target: str
    kind: Literal["next", "branch", "else", "option", "fork", "join", "alarm", "goto",
                  "resume"]
    condition: Condition | None = None
    option: str | None = None
    branch: str | None = None
    bound: int | None = None
    exhausted: bool = Field(default=False, description="taken when a bounded goto is used up")


class StepGraph(_Model):
    entry: Literal["start"] = "start"
    nodes: list[Node]
    edges: list[Edge]


class Procedure(_Model):
    id: str
    title: str | None = None
    performed_by: str | None = None
    roles: list[str] = Field(default_factory=list)
    energy: list[EnergySource] = Field(default_factory=list)
    hazards: list[Hazard] = Field(default_factory=list)
    permits: list[Permit] = Field(default_factory=list)
    ppe: list[str] = Field(default_factory=list)
    boundaries: list[Boundary] = Field(default_factory=list)
    attendant: str | None = None
    rescue: str | None = None
    group_lockout: bool = False
    shift_change: bool = False
    description: str | None = None
    graph: StepGraph
    source: str


# ---------------------------------------------------------------- faults


class Trigger(_Model):
    kind: Literal["step", "time", "when", "random"]
    step: str | None = None
    time: Quantity | None = None
    condition: Condition | None = None
    probability: float | None = Field(default=None, description="0..1, per interval")
    seed: int | None = None
    every: Quantity | None = None


class Effect(_Model):
    kind: Literal["stuck", "leak", "drift", "sensor_failure", "lock_failure", "alarm"]
    value: Value | None = None
    per: Quantity | None = None
    state: StateRef | None = None
    message: str | None = None


class Clearing(_Model):
    kind: Literal["after", "when", "step", "never"]
    after: Quantity | None = None
    condition: Condition | None = None
    step: str | None = None


class Fault(_Model):
    id: str
    title: str | None = None
    target: StateRef
    triggers: list[Trigger]
    effects: list[Effect]
    clears: list[Clearing] = Field(default_factory=list)
    description: str | None = None
    source: str


# ---------------------------------------------------------------- competencies


class Threshold(_Model):
    metric: str
    subject: str | None = None
    cmp: Literal["<", "<=", ">", ">=", "==", "!="]
    value: Quantity
    weight: float = 1.0
    critical: bool = False
    source: str


class Competency(_Model):
    id: str
    title: str | None = None
    assesses: list[str]
    risk: Literal["low", "medium", "high", "critical"] | None = None
    based_on: str | None = None
    pass_score: float | None = Field(default=None, description="0..1")
    valid_for: Quantity | None = None
    thresholds: list[Threshold] = Field(
        description="for both variants (profile thresholds merged in, overridden locally)")
    initial: list[Threshold] = Field(default_factory=list)
    refresher: list[Threshold] = Field(default_factory=list)
    description: str | None = None
    source: str


class XapiActivity(_Model):
    id: str = Field(description="IRI of the activity")
    type: str = Field(description="activity type IRI")
    name: str


class Xapi(_Model):
    activity_base: str
    scenario: XapiActivity
    procedures: list[XapiActivity]
    competencies: list[XapiActivity]
    critical_items: list[XapiActivity]
    verbs: dict[str, str]


class Bundle(_Model):
    """`scenario.json`: one compiled scenario."""

    format: Literal["twinlang.scenario/1"] = f"{FORMAT}/{FORMAT_MAJOR}"
    format_version: str = Field(default=f"{FORMAT_MAJOR}.{FORMAT_MINOR}",
                                description="major.minor; players accept any minor of "
                                "their major")
    compiler: Compiler
    content_hash: str = Field(description="sha256 of the sources the bundle was built from")
    scenario: Header
    roles: list[Role]
    equipment: list[Equipment]
    substances: list[Substance] = Field(default_factory=list)
    procedures: list[Procedure]
    faults: list[Fault] = Field(default_factory=list)
    competencies: list[Competency] = Field(default_factory=list)
    xapi: Xapi
    files: dict[str, str] = Field(description="other files of the bundle and their sha256")
    sources: dict[str, str] = Field(description="source file name → sha256 of its text")


for _m in (AllOf, AnyOf, NotCond, Compare, Between, Action, Expectation, Node, Edge, Trigger,
           Effect, Clearing, Fault, Bundle):
    _m.model_rebuild()
