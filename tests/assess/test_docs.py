"""docs/metrics.md is generated from the metric registry and must be up to date."""

from __future__ import annotations

from twinlang.assess import docs
from twinlang.assess.metrics import METRICS
from twinlang.semantics.vocab import METRICS as LANGUAGE_METRICS


def test_metrics_page_is_up_to_date():
    assert docs.main(["--check"]) == 0


def test_every_metric_of_the_language_is_computed_and_documented():
    assert set(METRICS) == set(LANGUAGE_METRICS)
    text = docs.generate()
    for name in METRICS:
        assert f"| `{name}` |" in text
