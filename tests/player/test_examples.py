"""The expert policy completes every example with no error (issue 5: the expert trace
completes each procedure), with the bundle's faults off and on.

With faults on (what `play` does by default) the expert reacts as the procedure says: an
`on alarm` handler interrupts the steps of its scope and the expert performs the handler's
steps (they become the active steps), a `goto` retries, an `abort` ends the run safely.  The
hazards a fault itself causes (a bond clamp that slips off mid-pour, a vent valve that
starts passing gas while the entrant is inside) are logged as critical events carrying
`faults`; the expert makes no error of its own: no skipped step, no wrong role, no action
out of order, extra or refused.  Each run simulates up to an hour and a half of plant
time, so the tests are marked slow: `pytest -m slow tests/player/test_examples.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinlang.compile import compile_files
from twinlang.player.runner import play

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))
BAD = ("critical", "expectation_failed", "step_skipped", "wrong_role", "physics_error")
#: how each example ends with its faults on: the tank entry's faults trip the atmosphere
#: alarm during the work and its handler evacuates the entrant and aborts
WITH_FAULTS = {"chemical_transfer": "completed", "eswc_panel": "completed",
               "loto_conveyor": "completed", "tank_entry": "aborted"}


def _trainee_errors(events: list[dict]) -> list[dict]:
    return [e for e in events
            if e["type"] in ("step_skipped", "wrong_role", "physics_error", "choice_ignored")
            or (e["type"] == "action" and (e["deviation"] is not None or not e["accepted"]))]


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_expert_completes_example(example, tmp_path):
    result = compile_files([example], tmp_path)
    assert not result.report.has_errors
    run = play(result.bundles[0], log_path=tmp_path / "run.jsonl", faults=False)
    problems = [e for e in run.events if e["type"] in BAD]
    assert run.outcome == "completed", run.reason
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_expert_handles_the_faults(example, tmp_path):
    result = compile_files([example], tmp_path)
    assert not result.report.has_errors
    run = play(result.bundles[0], log_path=tmp_path / "run.jsonl")
    events = run.events
    assert run.outcome == WITH_FAULTS[example.stem], run.reason
    assert _trainee_errors(events) == []
    injected = {e["fault"] for e in events if e["type"] == "fault_injected"}
    assert injected, "every example induces at least one fault"
    # what went wrong, went wrong while an induced fault was in effect, and says which
    for e in events:
        if e["type"] in ("critical", "expectation_failed"):
            assert e.get("faults") and set(e["faults"]) <= injected, e
    handled = [e for e in events if e["type"] in ("alarm", "goto")]
    assert handled, "the expert went through the procedure's recovery"
    if run.outcome == "aborted":
        assert events[-1]["type"] == "procedure_ended" and "abort" in run.reason
