"""The semantic layer's metrics come from the KPI catalogue (seeds/kpi_catalogue.csv)."""

from __future__ import annotations

import pytest

from orchestration.transform import semantic_layer
from orchestration.transform.semantic_layer import Kpi, build_metrics


def test_metrics_file_is_generated_from_the_catalogue():
    committed = semantic_layer.METRICS_FILE.read_text(encoding="utf-8")
    assert committed == semantic_layer.render(), "run `uv run warehouse semantic` and commit the result"


def test_every_kpi_but_the_states_at_a_period_end_is_a_metric():
    kpis = semantic_layer.read_catalogue()
    metrics, missing = build_metrics(kpis, semantic_layer.read_measures())
    names = {metric["name"] for metric in metrics}
    # the engagement score (of the customers active in the period, each as of its last day) and
    # the churn rate (customers churned at the period's end) are states at a period's end, not
    # sums over it: no semantic model declares them yet
    assert missing == ["engagement_score", "churn_rate"]
    assert {kpi.name for kpi in kpis} - set(missing) <= names


def _kpi(name, numerator, denominator=None, scale=1):
    return Kpi(name, name.title(), f"{name} description", numerator, denominator, scale)


def test_counts_ratios_and_scaled_ratios():
    measures = {"sessions": "Sessions.", "bounced": "Bounced.", "promoters": "P-D.", "responses": "R."}
    metrics, missing = build_metrics(
        [
            _kpi("sessions", "sessions"),
            _kpi("bounce_rate", "bounced", "sessions"),
            _kpi("nps", "promoters", "responses", scale=100),
            _kpi("ctr", "clicks", "impressions"),
        ],
        measures,
    )
    by_name = {metric["name"]: metric for metric in metrics}
    assert missing == ["ctr"]
    assert by_name["sessions"]["type_params"] == {"measure": "sessions"}
    # a ratio divides simple metrics: the KPI `sessions` itself, and one made for `bounced`
    assert by_name["bounce_rate"]["type"] == "ratio"
    assert by_name["bounce_rate"]["type_params"] == {"numerator": "bounced", "denominator": "sessions"}
    assert by_name["bounced"]["type_params"] == {"measure": "bounced"}
    assert by_name["nps"]["type"] == "derived"
    assert by_name["nps"]["type_params"]["expr"] == "100 * promoters / responses"
    assert sorted(by_name) == ["bounce_rate", "bounced", "nps", "promoters", "responses", "sessions"]


def test_a_measure_named_like_another_kpi_is_refused():
    with pytest.raises(ValueError, match="rename the measure"):
        build_metrics(
            [_kpi("orders", "completed_orders"), _kpi("aov", "revenue", "orders")],
            {"completed_orders": "", "revenue": "", "orders": ""},
        )
