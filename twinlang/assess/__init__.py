"""Assessment: from a run's event log to measured performance and a verdict.

    assessment, run = assess_log("run.jsonl", "bundles/loto-conveyor-c12")

`assess_log` reads and checks the log (`runlog`), works out what the step graph requires
(`graphinfo`), collects per-step facts (`runfacts`), computes every metric of the
registry (`metrics`, `timing`) and applies each competency's thresholds and pass rule
(`verdict`).  The result is an `Assessment` (`model`), written as assessment.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import ASSESSMENT_FORMAT, Assessment, RunInfo, StepRecord
from .runlog import AssessError, RunLog, parse_run, read_run

__all__ = ["ASSESSMENT_FORMAT", "AssessError", "Assessment", "RunLog", "assess", "assess_file",
           "assess_log", "load_bundle", "load_rubric", "parse_run", "read_run", "to_json"]

VARIANTS = ("initial", "refresher")


def load_rubric(bundle_dir: str | Path) -> dict:
    path = Path(bundle_dir) / "rubric.json"
    try:
        rubric = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssessError(f"cannot read `{path}`: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise AssessError(f"`{path}` is not valid JSON: {exc.msg}") from None
    if not isinstance(rubric, dict) or rubric.get("format") != "twinlang.rubric/1":
        raise AssessError(f"`{path}` is not a twinlang rubric of format `twinlang.rubric/1`")
    return rubric


def load_bundle(bundle_dir: str | Path) -> tuple:
    """The bundle in ``bundle_dir`` and its rubric, checked to be of the same build."""
    from ..bundle import BundleError, load

    try:
        bundle = load(bundle_dir)
    except BundleError as exc:
        raise AssessError(str(exc)) from None
    rubric = load_rubric(bundle_dir)
    if rubric.get("content_hash") != bundle.content_hash:
        raise AssessError(f"`{Path(bundle_dir) / 'rubric.json'}` belongs to another build of "
                          "the scenario (content hashes differ): recompile the bundle")
    return bundle, rubric


def assess_log(log_path: str | Path, bundle_dir: str | Path, *,
               variant: str = "initial") -> tuple[Assessment, RunLog]:
    """Assess the log at ``log_path`` against the bundle in ``bundle_dir``."""
    bundle, rubric = load_bundle(bundle_dir)
    return assess_file(log_path, bundle, rubric, variant=variant)


def assess_file(log_path: str | Path, bundle, rubric: dict, *,
                variant: str = "initial") -> tuple[Assessment, RunLog]:
    """Assess the log at ``log_path`` against a bundle already loaded (`load_bundle`)."""
    run = read_run(log_path, bundle_id=bundle.scenario.id, content_hash=bundle.content_hash)
    return assess(run, bundle, rubric, variant=variant), run


def assess(run: RunLog, bundle, rubric: dict, *, variant: str = "initial") -> Assessment:
    """Assess a run (already read and matched to ``bundle``) with ``rubric``."""
    from .graphinfo import facts
    from .metrics import measure
    from .runfacts import run_facts
    from .verdict import competency_result

    if variant not in VARIANTS:
        raise AssessError(f"unknown variant `{variant}`: use `initial` or `refresher`")
    name = run.header.get("procedure")
    procedure = next((p for p in bundle.procedures if p.id == name), None)
    if procedure is None:
        raise AssessError(f"the log plays procedure `{name}`, which the bundle does not have")
    rf = run_facts(run, facts(procedure))
    values = measure(rf)
    by_key = {(v.metric, v.subject): v for v in values}
    fault_ids = {f.id for f in bundle.faults}
    competencies = [competency_result(c, variant, rf, by_key, fault_ids)
                    for c in rubric.get("competencies", [])]
    assessed = [c for c in competencies if c.assessed]
    warnings = list(run.warnings)
    if not assessed:
        warnings.append(f"no competency of the scenario assesses procedure `{name}`")
    info = RunInfo(log=run.path, procedure=procedure.id, seed=run.header.get("seed"),
                   trainee=run.header.get("trainee"), player=run.header.get("player"),
                   outcome=rf.outcome, reason=rf.reason, start=rf.start, end=rf.end,
                   events=len(run.events), complete_log=run.complete)
    scenario = {"id": bundle.scenario.id, "title": bundle.scenario.title,
                "version": bundle.scenario.version}
    return Assessment(scenario=scenario, bundle_hash=bundle.content_hash, run=info,
                      passed=bool(assessed) and all(c.passed for c in assessed),
                      metrics=values, competencies=competencies, steps=_steps(rf),
                      warnings=warnings)


def _steps(rf) -> list[StepRecord]:
    from .metrics import critical_failures, omitted_steps, wrong_order_steps, wrong_role_steps

    omitted = set(omitted_steps(rf))
    early = wrong_order_steps(rf)
    roles = wrong_role_steps(rf)
    critical = critical_failures(rf)
    out = []
    for s in rf.proc.order:
        node, st = rf.proc.steps[s], rf.steps[s]
        errors = []
        if s in omitted:
            errors.append("left out")
        if s in early:
            errors.append(f"begun before `{early[s][0]}` was completed")
        if s in roles:
            errors.append("done or verified by the wrong person")
        if st.failed_expectations:
            errors.append("expectations not met in time")
        for reason in critical.get(s, ([], []))[0]:
            if reason not in errors and reason != "left out":
                errors.append(reason)
        durations = [float(rf.run.events[i].get("duration") or 0.0) for i in st.completed]
        status = "completed" if st.completed else ("omitted" if s in rf.required
                                                   else "not_required")
        out.append(StepRecord(step=s, title=node.title, status=status,
                              required=s in rf.required, critical=node.critical,
                              performed_by=node.performed_by, entered=rf.first_t(st.entered),
                              started=rf.started(s), completed=rf.done(s),
                              duration=max(durations) if durations else None,
                              times=len(st.completed), errors=errors))
    return out


def to_json(assessment: Assessment) -> str:
    """assessment.json: sorted keys, two-space indent, UTF-8, a final newline."""
    data = assessment.model_dump(mode="json")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
