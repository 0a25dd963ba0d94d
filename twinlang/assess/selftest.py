"""Rubric self-test: the expert run must pass, every mutant must fail for its reason.

`plan(bundle_dir)` plays the expert policy through each assessed procedure and derives
the mutants of its run; `run_case` plays one case from its trace and judges it.  Cases
are independent, so `run_cases` spreads them over processes.  Each case runs the process
models without the rigid-body scene (nothing in the behaviours reads the scene back), so
a case costs what the procedure's models cost.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .mutants import Mutant, expert_trace, mutants, public


@dataclass(frozen=True)
class Case:
    bundle_dir: str
    scenario: str
    procedure: str
    id: str
    kind: str
    description: str
    trace: tuple[dict, ...] | None      # None: the expert policy itself
    reasons: frozenset[str] = field(default_factory=frozenset)
    seed: int = 0
    variant: str = "initial"
    max_time: float | None = None       # simulated seconds; None: the player's limit

    @property
    def name(self) -> str:
        return f"{self.scenario}/{self.procedure}/{self.id}"


@dataclass(frozen=True)
class Outcome:
    case: Case
    ok: bool
    message: str
    seconds: float
    found: tuple[str, ...] = ()


def plan(bundle_dir: str | Path, *, seed: int = 0, variant: str = "initial",
         procedure: str | None = None, kinds: frozenset[str] | None = None) -> list[Case]:
    """The cases of one bundle: per assessed procedure, the expert and its mutants."""
    from ..player.runner import play
    from . import load_bundle
    from .graphinfo import facts

    bundle_dir = str(bundle_dir)
    bundle, rubric = load_bundle(bundle_dir)
    cases: list[Case] = []
    for proc in bundle.procedures:
        comps = [c for c in rubric.get("competencies", [])
                 if proc.id in [a["id"] for a in c.get("assesses", [])]]
        if not comps or (procedure is not None and proc.id != procedure):
            continue
        thresholds = [t for c in comps for t in (c["thresholds"].get(variant) or [])]
        result = play(bundle_dir, seed=seed, procedure=proc.id, world=False)
        trace = expert_trace(result.events)
        # a wrong run may leave the procedure waiting for good: stop it well after the
        # time the expert needed (the verdict does not depend on how long it then waits)
        base = dict(bundle_dir=bundle_dir, scenario=bundle.scenario.id, procedure=proc.id,
                    seed=seed, variant=variant, max_time=2 * result.time + 600.0)
        cases.append(Case(**base, id="expert", kind="expert",
                          description="the expert policy passes every competency", trace=None))
        cases.append(Case(**base, id="expert-trace", kind="expert",
                          description="the expert's actions, replayed as a trace, pass",
                          trace=tuple(public(x) for x in trace)))
        for mt in mutants(trace, facts(proc), result.events, thresholds):
            if kinds is None or mt.kind in kinds:
                cases.append(_case(base, mt))
    return cases


def _case(base: dict, mt: Mutant) -> Case:
    return Case(**base, id=mt.id, kind=mt.kind, description=mt.description,
                trace=tuple(public(x) for x in mt.lines), reasons=mt.reasons)


def run_case(case: Case, keep: str | None = None) -> Outcome:
    import time

    from ..player.runner import play
    from ..player.trace import TraceError, parse_trace
    from . import AssessError, assess_file, load_bundle

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="twinlang-test-") as tmp:
        where = Path(keep) / case.name.replace("/", "__").replace(":", "_") if keep else \
            Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        log = where / "run.jsonl"
        try:
            bundle, rubric = load_bundle(case.bundle_dir)
            trace = None
            if case.trace is not None:
                text = "".join(json.dumps(x, sort_keys=True) + "\n" for x in case.trace)
                (where / "trace.jsonl").write_text(text, encoding="utf-8")
                trace = parse_trace(text, bundle, name=case.id)
            limit = {} if case.max_time is None else {"max_time": case.max_time}
            play(case.bundle_dir, trace=trace, seed=case.seed, log_path=log,
                 procedure=case.procedure, world=False, **limit)
            assessment, _ = assess_file(log, bundle, rubric, variant=case.variant)
        except (TraceError, AssessError) as exc:
            return Outcome(case, False, f"could not be played: {exc}",
                           time.perf_counter() - began)
    seconds = time.perf_counter() - began
    return judge(case, assessment, seconds)


def judge(case: Case, assessment, seconds: float = 0.0) -> Outcome:
    assessed = [c for c in assessment.competencies if c.assessed]
    failed = [c for c in assessed if not c.passed]
    if case.kind == "expert":
        if assessment.passed and assessment.run.outcome in ("completed", "aborted"):
            return Outcome(case, True, "passed every competency", seconds)
        why = [f"`{c.id}`: " + "; ".join(c.reasons) for c in failed] or \
            [f"the procedure ended {assessment.run.outcome}"]
        return Outcome(case, False, "the correct run failed: " + " | ".join(why), seconds)
    found: list[str] = []
    for c in failed:
        found.extend(t.metric for t in c.thresholds if not t.met)
        found.extend(f"critical:{i.step}" for i in c.critical_items if i.failed)
    found = sorted(set(found))
    if not failed:
        scores = ", ".join(f"`{c.id}` {c.score * 100:.1f} %" for c in assessed)
        return Outcome(case, False, f"the wrong run passed ({scores}): the rubric does not "
                       f"catch it", seconds)
    hit = sorted(set(found) & case.reasons)
    if hit:
        return Outcome(case, True, "failed on " + ", ".join(hit), seconds, tuple(found))
    return Outcome(case, False, "failed, but not for its reason: expected one of "
                   + ", ".join(sorted(case.reasons)) + "; got " + ", ".join(found), seconds,
                   tuple(found))


def run_cases(cases: list[Case], *, jobs: int = 1, keep: str | None = None,
              on_result=None) -> list[Outcome]:
    """Run the cases, ``jobs`` at a time, calling ``on_result`` in the cases' order."""
    results: list[Outcome] = []
    if jobs <= 1 or len(cases) <= 1:
        for c in cases:
            r = run_case(c, keep)
            results.append(r)
            if on_result:
                on_result(r)
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for r in pool.map(run_case, cases, [keep] * len(cases)):
            results.append(r)
            if on_result:
                on_result(r)
    return results


def junit_xml(results: list[Outcome]) -> bytes:
    """JUnit XML: one test suite per scenario and procedure, one test case per case."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="twinlang test")
    suites: dict[str, ET.Element] = {}
    counts: dict[str, list[int]] = {}
    for r in results:
        key = f"{r.case.scenario}/{r.case.procedure}"
        if key not in suites:
            suites[key] = ET.SubElement(root, "testsuite", name=key)
            counts[key] = [0, 0]
        tc = ET.SubElement(suites[key], "testcase", classname=key, name=r.case.id,
                           time=f"{r.seconds:.3f}")
        ET.SubElement(tc, "system-out").text = r.case.description
        counts[key][0] += 1
        if not r.ok:
            counts[key][1] += 1
            ET.SubElement(tc, "failure", message=r.message, type=r.case.kind).text = r.message
    total = failures = 0
    for key, el in suites.items():
        el.set("tests", str(counts[key][0]))
        el.set("failures", str(counts[key][1]))
        total += counts[key][0]
        failures += counts[key][1]
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
