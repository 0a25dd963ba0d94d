"""From measured values to a verdict per competency, by the rubric's rules.

Per threshold: met or not (a threshold on a metric the run gave nothing to measure, such
as a decision latency when no alarm was raised, is met; one on a value the run did not
produce, such as a completion time when the procedure was not completed, is not).
Score: the weights of the thresholds met over all the weights of the variant.  The pass
rule is the rubric's `pass_rule.all_of` list, each rule from the registry `PASS_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable

from .metrics import EPS, critical_failures, fmt_value
from .model import CompetencyResult, CriticalItemResult, MetricValue, ThresholdResult
from .runfacts import RunFacts
from .runlog import AssessError

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b - EPS * max(1.0, abs(b)),
    "<=": lambda a, b: a <= b + EPS * max(1.0, abs(b)),
    ">": lambda a, b: a > b + EPS * max(1.0, abs(b)),
    ">=": lambda a, b: a >= b - EPS * max(1.0, abs(b)),
    "==": lambda a, b: abs(a - b) <= EPS * max(1.0, abs(b)),
    "!=": lambda a, b: abs(a - b) > EPS * max(1.0, abs(b)),
}


def threshold_result(t: dict, values: dict[tuple[str, str | None], MetricValue],
                     fault_ids: set[str]) -> ThresholdResult:
    metric, subject = t["metric"], t.get("subject")
    required = float(t["value"]["si"])
    cmp = t["comparison"]
    if cmp not in _COMPARE:
        raise AssessError(f"the rubric compares with `{cmp}`, which this version of twinlang "
                          "does not know")
    v = values.get((metric, subject))
    fraction = t["value"].get("dimension") == "fraction"
    base = dict(metric=metric, subject=subject, requirement=t["requirement"], comparison=cmp,
                required=required, critical=bool(t.get("critical")),
                weight=float(t.get("weight", 1.0)), source=t.get("source"))
    if v is None:
        if metric == "recovery_time" and subject in fault_ids:
            return ThresholdResult(**base, measured=None, measured_text="not applicable: the "
                                   "fault was not injected in this run", met=True)
        return ThresholdResult(**base, measured=None, measured_text="not measured", met=False,
                               why=f"the run gives no value of `{metric}`"
                               + (f" for `{subject}`" if subject else ""))
    if not v.applicable:
        return ThresholdResult(**base, measured=None, measured_text=f"not applicable: "
                               f"{v.detail}", met=True)
    if v.value is None:
        return ThresholdResult(**base, measured=None, measured_text="not measured", met=False,
                               why=v.detail)
    met = _COMPARE[cmp](v.value, required)
    text = fmt_value(v.value, v.unit, fraction=fraction)
    return ThresholdResult(**base, measured=v.value, measured_text=text, met=met,
                           why=None if met else f"measured {text}, required "
                           f"{t.get('comparison_text', cmp)} {t['value']['text']}")


# ------------------------------------------------------------------ pass rules

PassRule = Callable[[dict, float, list[ThresholdResult], list[CriticalItemResult]],
                    list[str]]
PASS_RULES: dict[str, PassRule] = {}


def pass_rule(name: str):
    def deco(fn: PassRule) -> PassRule:
        PASS_RULES[name] = fn
        return fn
    return deco


@pass_rule("score_at_least")
def _score(rule, score, thresholds, items) -> list[str]:
    need = float(rule["value"])
    if score + EPS >= need:
        return []
    return [f"score {score * 100:.1f} % is below the pass score {need * 100:g} %"]


@pass_rule("no_critical_item_failed")
def _items(rule, score, thresholds, items) -> list[str]:
    return [f"critical step `{i.step}` failed: " + "; ".join(i.reasons)
            for i in items if i.failed]


@pass_rule("critical_thresholds_met")
def _critical_thresholds(rule, score, thresholds, items) -> list[str]:
    return [f"critical threshold not met: {t.requirement} ({t.why})"
            for t in thresholds if t.critical and not t.met]


def competency_result(c: dict, variant: str, rf: RunFacts,
                      values: dict[tuple[str, str | None], MetricValue],
                      fault_ids: set[str]) -> CompetencyResult:
    procedure = rf.proc.procedure.id
    assessed = procedure in [a["id"] for a in c.get("assesses", [])]
    thresholds_spec = c.get("thresholds", {}).get(variant) or c.get("thresholds", {}).get(
        "initial", [])
    rule = c.get("pass_rule", {})
    pass_score = float(rule.get("pass_score", 1.0))
    if not assessed:
        return CompetencyResult(id=c["id"], title=c.get("title"), variant=variant,
                                assessed=False, score=0.0, pass_score=pass_score,
                                passed=False, reasons=["assesses "
                                + ", ".join(f"`{a['id']}`" for a in c.get("assesses", []))
                                + f", not `{procedure}`"],
                                xapi_activity=c.get("xapi_activity"))
    thresholds = [threshold_result(t, values, fault_ids) for t in thresholds_spec]
    total = sum(t.weight for t in thresholds)
    score = sum(t.weight for t in thresholds if t.met) / total if total > 0 else 1.0
    failed = critical_failures(rf)
    items = []
    for item in c.get("critical_items", []):
        if item.get("procedure") != procedure:
            continue
        step = item["id"]
        reasons, evidence = failed.get(step, ([], []))
        if step not in rf.required:
            reasons = []
        items.append(CriticalItemResult(step=step, title=item.get("title"),
                                        failed=bool(reasons), reasons=reasons,
                                        evidence=evidence,
                                        xapi_activity=item.get("xapi_activity")))
    reasons: list[str] = []
    for r in rule.get("all_of", []):
        fn = PASS_RULES.get(r.get("rule"))
        if fn is None:
            raise AssessError(f"the rubric's pass rule `{r.get('rule')}` is not known to this "
                              "version of twinlang; assess with the version that compiled it")
        reasons.extend(fn(r, score, thresholds, items))
    valid = c.get("valid_for") or {}
    return CompetencyResult(id=c["id"], title=c.get("title"), variant=variant, assessed=True,
                            score=round(score, 9), pass_score=pass_score, passed=not reasons,
                            thresholds=thresholds, critical_items=items, reasons=reasons,
                            valid_for_seconds=valid.get("seconds"),
                            xapi_activity=c.get("xapi_activity"))
