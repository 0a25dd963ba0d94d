"""Built-in vocabularies: risk classes, hazard classes, protective devices, metrics, ..."""

from __future__ import annotations

from dataclasses import dataclass

RISK_CLASSES = ("low", "medium", "high", "critical")

HAZARD_CLASSES = (
    "electrical_shock",
    "arc_flash",
    "stored_electrical",
    "mechanical",
    "entanglement",
    "crush",
    "pressure",
    "hydraulic_injection",
    "thermal",
    "fall",
    "engulfment",
    "oxygen_deficiency",
    "oxygen_enrichment",
    "flammable_atmosphere",
    "toxic_atmosphere",
    "flammable_liquid",
    "corrosive",
    "toxic",
    "reactive",
    "static_discharge",
    "noise",
    "radiation",
)

#: Devices placed with `apply DEVICE to ...`; the ones that need a `lockable` kind.
DEVICES = ("lock", "tag", "ground", "bond", "blind", "block", "barrier")
LOCK_DEVICES = ("lock",)

#: EPA-600/2-80-076 consequence codes, by name.
CONSEQUENCES = (
    "heat",
    "fire",
    "innocuous_gas",
    "toxic_gas",
    "flammable_gas",
    "explosion",
    "violent_polymerization",
    "solubilization",
    "unknown",
)

#: Substance properties and their types.
SUBSTANCE_PARAMS = {
    "flash_point": "temperature",
    "boiling_point": "temperature",
    "lfl": "fraction",
    "ufl": "fraction",
    "pel": "concentration",
    "idlh": "concentration",
    "vapor_density": "number",
    "flammable_category": "count",
    "conductivity": "number",
}


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    subject: str | None  # "step", "fault" or None
    subject_required: bool
    description: str


METRICS = {
    m.name: m
    for m in (
        Metric(
            "sequence_accuracy",
            "fraction",
            None,
            False,
            "share of the procedure's order constraints the trainee respected",
        ),
        Metric("critical_errors", "count", None, False, "errors on critical items"),
        Metric("omission_errors", "count", None, False, "required steps never performed"),
        Metric(
            "commission_errors", "count", None, False, "actions that were not part of the procedure"
        ),
        Metric(
            "wrong_order_errors", "count", None, False, "steps performed before a step they follow"
        ),
        Metric("wrong_role_errors", "count", None, False, "steps performed by the wrong role"),
        Metric("expectations_failed", "count", None, False, "expectations not met in time"),
        Metric("completion_time", "time", None, False, "time from the first to the last step"),
        Metric("step_time", "time", "step", True, "time spent on one step"),
        Metric(
            "recovery_time", "time", "fault", False, "time from an induced fault to the safe state"
        ),
        Metric("decision_latency", "time", None, False, "time from an alarm to the first response"),
        Metric("hints_used", "count", None, False, "hints the trainee asked for"),
    )
}
