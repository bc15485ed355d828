"""The semantic layer's metrics, generated from the KPI catalogue.

A KPI is defined once, in `seeds/kpi_catalogue.csv`: its label, description and the measures it
divides. The measures themselves (what is summed or counted, on which mart) are declared by the
semantic models in `dbt_project/models/semantic/_semantic_models.yml`. This module writes the
metrics of `_kpi_metrics.yml` from the two, so the semantic layer cannot drift from kpi_metrics:

    uv run warehouse semantic           # rewrite the metrics file
    uv run warehouse semantic --check   # exit 1 if it is out of date (the tests run this)

Each KPI becomes a metric of its own name: a simple metric for a count or sum, a ratio metric of
two simple metrics (ratios of sums, never averages of ratios), and a derived metric when the
numerator is scaled (NPS in points). A KPI whose measures no semantic model declares yet is
listed at the top of the file rather than left out silently. What a metric cannot answer as
kpi_metrics does (segment types, or grains, its semantic model lacks) is said in its description
(GAPS).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.core.settings import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "seeds" / "kpi_catalogue.csv"
SEMANTIC_MODELS = PROJECT_ROOT / "dbt_project" / "models" / "semantic" / "_semantic_models.yml"
METRICS_FILE = PROJECT_ROOT / "dbt_project" / "models" / "semantic" / "_kpi_metrics.yml"

HEADER = (
    "# Generated from seeds/kpi_catalogue.csv by `uv run warehouse semantic`: edit the catalogue\n"
    "# (or the measures in _semantic_models.yml), not this file.\n"
)


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    description: str
    numerator: str
    denominator: str | None
    numerator_scale: int


def read_catalogue(path: Path = CATALOGUE) -> list[Kpi]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Kpi(
                name=row["kpi"],
                label=row["label"],
                description=row["description"],
                numerator=row["numerator"],
                denominator=row["denominator"] or None,
                numerator_scale=int(row["numerator_scale"]),
            )
            for row in csv.DictReader(handle)
        ]


def _customer_segments(missing: str) -> str:
    return (
        "By customer segment as of the fact's day: customer__age_band, customer__gender,"
        " customer__rfm_segment, customer__behavioral_segment, customer__lifecycle_stage,"
        f" customer__psychographic_segment (a fact of no known customer has none; kpi_metrics: '{missing}')."
    )


# What a metric answers differently from kpi_metrics, added to its description: by the semantic model
# of its numerator, then for the KPI itself. The tests compare every KPI by week, segment all.
GAPS: dict[str, str] = {
    "sessions": _customer_segments("anonymous"),
    "orders": "Not by the customer's region (kpi_metrics has it). " + _customer_segments("guest"),
    "survey_responses": "Not by the customer's region (kpi_metrics has it). "
    + _customer_segments("anonymous"),
    "engagement_week_to_date": (
        "Exact at week grain only (metric_time__week): at day grain it is the week to date, at month"
        " grain the week to the month's last day; read daily and monthly scores from kpi_metrics. No"
        " segment dimension (kpi_metrics has the session and customer segment types)."
    ),
}
KPI_GAPS: dict[str, str] = {
    "churn_rate": "Segment all only: churn_rate by customer segment type is in kpi_metrics.",
    "repeat_purchase_rate": (
        "By a segment or order attribute, a buyer counts as repeat only through a 2nd-or-later order"
        " in it; kpi_metrics counts every repeat buyer of the period with an order in it."
    ),
}


def read_measure_models(path: Path = SEMANTIC_MODELS) -> dict[str, str]:
    """The semantic model declaring each measure."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        measure["name"]: model["name"]
        for model in document.get("semantic_models", [])
        for measure in model.get("measures", [])
    }


def gap_notes(kpis: list[Kpi], measure_models: dict[str, str]) -> dict[str, str]:
    """Each KPI's note: GAPS of the semantic model of its numerator, then its own KPI_GAPS."""
    notes = {
        kpi.name: " ".join(
            note
            for note in (GAPS.get(measure_models.get(kpi.numerator, ""), ""), KPI_GAPS.get(kpi.name, ""))
            if note
        )
        for kpi in kpis
    }
    return {name: note for name, note in notes.items() if note}


def read_measures(path: Path = SEMANTIC_MODELS) -> dict[str, str]:
    """Every measure the semantic models declare, with its description."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        measure["name"]: measure.get("description", "")
        for model in document.get("semantic_models", [])
        for measure in model.get("measures", [])
    }


def _simple(name: str, label: str, description: str, measure: str) -> dict[str, object]:
    return {
        "name": name,
        "label": label,
        "description": description,
        "type": "simple",
        "type_params": {"measure": measure},
    }


def build_metrics(
    kpis: list[Kpi], measures: dict[str, str], notes: dict[str, str] | None = None
) -> tuple[list[dict[str, object]], list[str]]:
    """The metrics for the KPIs, and the KPIs left without one (a measure not declared yet); a
    KPI's note (`notes`) follows its description."""
    notes = notes or {}
    by_name = {kpi.name: kpi for kpi in kpis}
    metrics: dict[str, dict[str, object]] = {}
    missing: list[str] = []

    def component(measure: str) -> str:
        # the simple metric a ratio divides: the KPI of that name if it is that measure, else one
        # named after the measure
        kpi = by_name.get(measure)
        if kpi is not None and (kpi.numerator, kpi.denominator, kpi.numerator_scale) != (measure, None, 1):
            raise ValueError(
                f"kpi_catalogue: measure {measure} has the name of KPI {measure}, which is not that measure;"
                " rename the measure"
            )
        if measure not in metrics:
            label = measure.replace("_", " ").capitalize()
            metrics[measure] = _simple(measure, label, measures[measure], measure)
        return measure

    for kpi in kpis:
        used = [kpi.numerator] + ([kpi.denominator] if kpi.denominator else [])
        if any(measure not in measures for measure in used):
            missing.append(kpi.name)
            continue
        description = (
            f"{kpi.description.rstrip('.')}. {notes[kpi.name]}" if kpi.name in notes else kpi.description
        )
        if kpi.denominator is None and kpi.numerator_scale == 1:
            metrics[kpi.name] = _simple(kpi.name, kpi.label, description, kpi.numerator)
            continue
        numerator, denominator = component(kpi.numerator), component(kpi.denominator or "")
        metric: dict[str, object] = {"name": kpi.name, "label": kpi.label, "description": description}
        if kpi.numerator_scale == 1:
            metric["type"] = "ratio"
            metric["type_params"] = {"numerator": numerator, "denominator": denominator}
        else:
            metric["type"] = "derived"
            metric["type_params"] = {
                # nullif: a period without responses has no value (a ratio metric does the same), not NaN
                "expr": f"{kpi.numerator_scale} * {numerator} / nullif({denominator}, 0)",
                "metrics": [{"name": numerator}, {"name": denominator}],
            }
        metrics[kpi.name] = metric
    return sorted(metrics.values(), key=lambda metric: str(metric["name"])), missing


def render(kpis: list[Kpi] | None = None, measures: dict[str, str] | None = None) -> str:
    kpis = read_catalogue() if kpis is None else kpis
    metrics, missing = build_metrics(
        kpis, read_measures() if measures is None else measures, gap_notes(kpis, read_measure_models())
    )
    text = HEADER
    if missing:
        text += f"# KPIs without a metric (no semantic model declares their measures): {', '.join(missing)}\n"
    body = yaml.safe_dump({"version": 2, "metrics": metrics}, sort_keys=False, allow_unicode=True, width=100)
    return text + body


def write(check: bool = False) -> int:
    """Rewrite the metrics file; with `check`, only report whether it is up to date (0) or not (1)."""
    text = render()
    current = METRICS_FILE.read_text(encoding="utf-8") if METRICS_FILE.exists() else ""
    relative = METRICS_FILE.relative_to(PROJECT_ROOT)
    if check:
        if current != text:
            print(f"{relative} is out of date with seeds/kpi_catalogue.csv: run `uv run warehouse semantic`")
            return 1
        print(f"{relative} is up to date")
        return 0
    if current != text:
        METRICS_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {relative}")
    else:
        print(f"{relative} was up to date")
    return 0
