"""The expert policy completes every example with no error (issue 5: `twinlang run` works
for all four examples).  Each run simulates up to an hour and a half of plant time, so the
test is marked slow: `pytest -m slow tests/player/test_examples.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinlang.compile import compile_files
from twinlang.player.runner import play

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))
BAD = ("critical", "expectation_failed", "step_skipped", "wrong_role", "physics_error")


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_expert_completes_example(example, tmp_path):
    result = compile_files([example], tmp_path)
    assert not result.report.has_errors
    # Faults are induced to train recovery; the expert path is judged without them.
    run = play(result.bundles[0], log_path=tmp_path / "run.jsonl", faults=False)
    problems = [e for e in run.events if e["type"] in BAD]
    assert run.outcome == "completed", run.reason
    assert problems == []
