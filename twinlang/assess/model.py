"""The assessment: what a run measured, against which thresholds, and the verdict.

`Assessment` is the artifact of the last stage (event log -> assessment).  It is written
as ``assessment.json`` (format ``twinlang.assessment/1``) and read by the report, the
xAPI statements and `twinlang test`.  Every figure carries its evidence: the log lines
(1-based, the header is line 1) of the events it was computed from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ASSESSMENT_FORMAT = "twinlang.assessment/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Model):
    """One event of the log that a figure or a verdict rests on."""

    line: int = Field(description="line of the event in the log (the header is line 1)")
    t: float = Field(description="simulation time of the event, s")
    type: str
    step: str | None = None
    text: str = Field(description="what the event shows, in words")


class MetricValue(_Model):
    """One measured figure.  ``value`` is in SI (s for times, 0..1 for fractions) or None
    when the run gives no measurement (then every threshold on it is not met)."""

    metric: str
    subject: str | None = None
    value: float | None
    unit: Literal["1", "s"]
    applicable: bool = Field(default=True, description="false when the run gave nothing to "
                             "measure (no alarm for a decision latency, no fault for a "
                             "recovery time); a threshold on it is then met")
    text: str = Field(description="the value as a person reads it, e.g. `92 %` or `1 min 40 s`")
    detail: str = Field(description="how the value came about in this run")
    evidence: list[Evidence] = Field(default_factory=list)


class ThresholdResult(_Model):
    metric: str
    subject: str | None = None
    requirement: str = Field(description="the threshold in words, e.g. `Sequence accuracy: "
                             "at least 95 %`")
    comparison: str
    required: float = Field(description="the threshold value in SI")
    measured: float | None
    measured_text: str
    met: bool
    critical: bool
    weight: float
    source: str | None = None
    why: str | None = Field(default=None, description="why it is not met")


class CriticalItemResult(_Model):
    step: str
    title: str | None = None
    failed: bool
    reasons: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    xapi_activity: str | None = None


class CompetencyResult(_Model):
    id: str
    title: str | None = None
    variant: Literal["initial", "refresher"]
    assessed: bool = Field(description="false when the run played a procedure this "
                           "competency does not assess")
    score: float = Field(description="weights of the thresholds met / all weights, 0..1")
    pass_score: float
    passed: bool
    thresholds: list[ThresholdResult] = Field(default_factory=list)
    critical_items: list[CriticalItemResult] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why it failed, in words")
    valid_for_seconds: float | None = None
    xapi_activity: str | None = None


class StepRecord(_Model):
    """One step of the procedure in this run."""

    step: str
    title: str | None = None
    status: Literal["completed", "omitted", "not_required"]
    required: bool
    critical: bool
    performed_by: str | None = None
    entered: float | None = None
    started: float | None = None
    completed: float | None = None
    duration: float | None = None
    times: int = Field(default=0, description="how many times it was completed")
    errors: list[str] = Field(default_factory=list)


class RunInfo(_Model):
    log: str | None = Field(default=None, description="the log file, as given")
    procedure: str
    seed: int | None = None
    trainee: str | None = None
    player: dict | None = None
    outcome: str = Field(description="completed, aborted, stopped, error or incomplete "
                         "(the log ends before the procedure did)")
    reason: str | None = None
    start: float
    end: float
    events: int
    complete_log: bool


class Assessment(_Model):
    format: Literal["twinlang.assessment/1"] = ASSESSMENT_FORMAT
    scenario: dict
    bundle_hash: str
    run: RunInfo
    passed: bool = Field(description="every assessed competency passed")
    metrics: list[MetricValue]
    competencies: list[CompetencyResult]
    steps: list[StepRecord]
    warnings: list[str] = Field(default_factory=list)
