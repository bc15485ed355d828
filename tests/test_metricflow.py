"""MetricFlow answers every KPI as kpi_metrics does (issue 23): one `mf query` for all of them by
week, against the built sample's warehouse file, compared week by week with kpi_metrics' `all` rows.

mf reads the dbt project's saved parse (target/semantic_manifest.json, made by the
`warehouse_settings` fixture for this test's profile) and profiles.yml, whose DuckDB path is the
test's WAREHOUSE_DUCKDB_PATH: it asks the real warehouse through dbt's DuckDB adapter.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.core.settings import PROJECT_ROOT
from orchestration.transform import semantic_layer


def mf_weekly(metrics: list[str], out: Path) -> dict[str, dict[str, float]]:
    """KPI -> week start -> value, from one `mf query` (one start-up of dbt and MetricFlow for all)."""
    mf = Path(sys.executable).with_name("mf")
    query = subprocess.run(
        [str(mf), "query", "--quiet", "--metrics", ",".join(metrics), "--group-by", "metric_time__week"]
        + ["--csv", str(out)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DBT_PROFILES_DIR": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert query.returncode == 0 and out.exists(), query.stdout + query.stderr
    values: dict[str, dict[str, float]] = {metric: {} for metric in metrics}
    with out.open(newline="") as rows:
        for row in csv.DictReader(rows):
            week = row["metric_time__week"][:10]
            for metric in metrics:  # a KeyError here: mf left a metric out
                if row[metric] != "":  # no value that week (a ratio over nothing, or no facts)
                    values[metric][week] = float(row[metric])
    return values


def kpi_metrics_weekly(duckdb_path: Path) -> dict[str, dict[str, float]]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        rows = con.execute(
            """
            select kpi, cast(period_start as varchar), value
            from marts.kpi_metrics
            where period_grain = 'week' and segment_type = 'all' and value is not null
            """
        ).fetchall()
    values: dict[str, dict[str, float]] = {}
    for kpi, week, value in rows:
        values.setdefault(kpi, {})[week] = value
    return values


def test_mf_query_gives_kpi_metrics_weekly_values_for_every_kpi(built, tmp_path):
    kpis = [kpi.name for kpi in semantic_layer.read_catalogue()]
    # kpi_metrics is read and its connection closed before mf opens the file: DuckDB takes one
    # writer, and dbt's adapter (mf) opens it read-write
    expected = kpi_metrics_weekly(built.settings.duckdb_path)
    answered = mf_weekly(kpis, tmp_path / "weekly.csv")

    # a KPI whose facts the sample lacks (no NPS or CSAT response in it) has no row in kpi_metrics
    # and must have no value from mf either: compared too, as weeks without a value
    differences = []
    for kpi in kpis:
        for week in sorted(set(expected.get(kpi, {})) | set(answered[kpi])):
            want, got = expected.get(kpi, {}).get(week), answered[kpi].get(week)
            if want is None or got is None or not math.isclose(got, want, rel_tol=1e-9):
                differences.append(f"{kpi} week of {week}: kpi_metrics {want}, mf {got}")
    assert differences == []
    compared = sorted(kpi for kpi in kpis if expected.get(kpi))
    assert len(compared) >= len(kpis) - 2, f"the sample gives values of only {compared}"
