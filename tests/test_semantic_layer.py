"""The semantic layer's metrics come from the KPI catalogue (seeds/kpi_catalogue.csv)."""

from __future__ import annotations

import pytest

from orchestration.transform import semantic_layer
from orchestration.transform.semantic_layer import Kpi, build_metrics


def test_metrics_file_is_generated_from_the_catalogue():
    committed = semantic_layer.METRICS_FILE.read_text(encoding="utf-8")
    assert committed == semantic_layer.render(), "run `uv run warehouse semantic` and commit the result"


def test_every_kpi_is_a_metric():
    kpis = semantic_layer.read_catalogue()
    metrics, missing = build_metrics(kpis, semantic_layer.read_measures())
    # the states at a period's end (churn_rate, engagement_score) too: semi-additive measures
    assert missing == []
    assert {kpi.name for kpi in kpis} <= {metric["name"] for metric in metrics}


def test_what_a_metric_cannot_answer_is_in_its_description():
    kpis = semantic_layer.read_catalogue()
    notes = semantic_layer.gap_notes(kpis, semantic_layer.read_measure_models())
    # every semantic model named in GAPS still declares a KPI's numerator
    assert set(semantic_layer.GAPS) <= set(semantic_layer.read_measure_models().values())
    assert "week grain only" in notes["engagement_score"]
    assert "rfm_segment" in notes["sessions"] and "region" not in notes["sessions"]
    assert "ctr" not in notes and "Segment all only" in notes["churn_rate"]
    # a KPI's own note follows its semantic model's
    assert (
        notes["repeat_purchase_rate"].startswith(notes["orders"])
        and "2nd-or-later" in notes["repeat_purchase_rate"]
    )
    metrics, _ = build_metrics(kpis, semantic_layer.read_measures(), notes)
    by_name = {metric["name"]: metric for metric in metrics}
    assert str(by_name["engagement_score"]["description"]).endswith(notes["engagement_score"])


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
    assert by_name["nps"]["type_params"]["expr"] == "100 * promoters / nullif(responses, 0)"
    assert sorted(by_name) == ["bounce_rate", "bounced", "nps", "promoters", "responses", "sessions"]


def test_a_measure_named_like_another_kpi_is_refused():
    with pytest.raises(ValueError, match="rename the measure"):
        build_metrics(
            [_kpi("orders", "completed_orders"), _kpi("aov", "revenue", "orders")],
            {"completed_orders": "", "revenue": "", "orders": ""},
        )
