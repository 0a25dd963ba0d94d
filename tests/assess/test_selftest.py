"""`twinlang test`: the expert passes, each mutant fails for its reason, weak rubrics show."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from twinlang.assess.mutants import expert_trace, mutants
from twinlang.assess.selftest import Case, junit_xml, plan, run_case
from twinlang.bundle import load
from twinlang.compile import compile_files
from twinlang.player.runner import play

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def _compile(tmp_path, text: str) -> Path:
    src = tmp_path / "mini.twin"
    src.write_text(text, encoding="utf-8")
    result = compile_files([src], tmp_path / "out")
    assert not result.report.has_errors
    return Path(result.bundles[0])


@pytest.fixture(scope="module")
def weak(tmp_path_factory) -> Path:
    """mini.twin as it is: an omission costs 1 weight of 13, under the 20 % margin."""
    return _compile(tmp_path_factory.mktemp("weak"), (DATA / "mini.twin").read_text())


@pytest.fixture(scope="module")
def strong(tmp_path_factory) -> Path:
    """mini.twin with omissions, wrong roles and a slow recovery made critical."""
    text = (DATA / "mini.twin").read_text()
    for t in ("omission_errors == 0", "wrong_role_errors == 0", "recovery_time creep <= 1 min"):
        text = text.replace(t, t + " critical")
    return _compile(tmp_path_factory.mktemp("strong"), text)


def test_mutants_of_the_expert_trace(strong):
    from twinlang.assess import load_rubric
    from twinlang.assess.graphinfo import facts

    bundle = load(strong)
    result = play(strong, world=False)
    trace = expert_trace(result.events)
    proc = facts(bundle.procedures[0])
    thresholds = load_rubric(strong)["competencies"][0]["thresholds"]["initial"]
    ids = [m.id for m in mutants(trace, proc, result.events, thresholds)]
    # one omission per required step that has actions
    assert sorted(i for i in ids if i.startswith("omit:")) == [
        "omit:brief", "omit:confirm", "omit:report", "omit:shut_in", "omit:shut_out"]
    # swaps only next to a critical step (shut_in): brief→shut_in and shut_in→confirm
    assert [i for i in ids if i.startswith("swap:")] == ["swap:brief:shut_in",
                                                         "swap:shut_in:confirm"]
    assert "role:confirm" in ids and "role:file_sheet" in ids
    omit = next(m for m in mutants(trace, proc, result.events, thresholds)
                if m.id == "omit:shut_out")
    assert not any(x.get("_step") == "shut_out" for x in omit.lines)
    assert len(omit.lines) == len(trace) - 1


def test_strong_rubric_every_case_as_expected(strong):
    cases = plan(strong)
    assert cases[0].id == "expert" and cases[1].id == "expert-trace"
    results = [run_case(c) for c in cases]
    bad = [(r.case.id, r.message) for r in results if not r.ok]
    assert bad == []
    omit = next(r for r in results if r.case.id == "omit:shut_out")
    assert "omission_errors" in omit.message


def test_weak_rubric_is_caught(weak):
    # a wrong role costs 1 weight of 13 and is not critical in mini.twin: 92 % passes
    case = next(c for c in plan(weak, kinds=frozenset({"role"})) if c.id == "role:shut_out")
    r = run_case(case)
    assert not r.ok
    assert "the wrong run passed" in r.message and "does not catch it" in r.message


def test_failing_for_another_reason_is_reported(strong):
    case = next(c for c in plan(strong, kinds=frozenset({"omit"})) if c.id == "omit:shut_out")
    wrong = Case(**{**case.__dict__, "reasons": frozenset({"hints_used"})})
    r = run_case(wrong)
    assert not r.ok and "not for its reason" in r.message and "omission_errors" in r.message


def test_junit_xml(strong):
    cases = plan(strong, kinds=frozenset({"role"}))[:3]
    results = [run_case(c) for c in cases]
    root = ET.fromstring(junit_xml(results))
    suite = root.find("testsuite")
    assert suite.get("name") == "mini-lineup/lineup"
    assert root.get("tests") == "3" and root.get("failures") == "0"
    assert [tc.get("name") for tc in suite.iter("testcase")] == [c.id for c in cases]


def test_cli(weak, tmp_path):
    junit = tmp_path / "j.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "twinlang", "test", str(DATA / "mini.twin"), "-k", "role",
         "-j", "1", "--junit", str(junit), "--color", "never"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("ok   mini-lineup/lineup/expert")
    # the critical step is caught (a failed critical item); the five others are not
    assert any(x.startswith("ok   mini-lineup/lineup/role:shut_in") for x in lines)
    assert any(x.startswith("FAIL mini-lineup/lineup/role:shut_out") for x in lines)
    assert lines[-1].startswith("3 passed, 5 failed in ")
    assert ET.parse(junit).getroot().get("failures") == "5"


@pytest.mark.slow
def test_examples_pass_their_self_test():
    proc = subprocess.run([sys.executable, "-m", "twinlang", "test", str(ROOT / "examples"),
                           "--color", "never"], capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1].split()[2:4] == ["0", "failed"]


def test_every_action_of_the_examples_reads_back_from_its_description(tmp_path):
    """Mutants are traces made from the expert's logged actions: each logged description
    must parse back to the same action."""
    from twinlang.player.trace import act_from_model, parse_action

    result = compile_files(sorted((ROOT / "examples").glob("*.twin")), tmp_path)
    for path in result.bundles:
        for proc in load(path).procedures:
            for node in proc.graph.nodes:
                for a in node.actions:
                    act = act_from_model(a)
                    assert parse_action(act.describe()).key() == act.key(), act.describe()
