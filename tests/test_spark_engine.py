"""Contract §7: the same sample refreshed on Spark and on DuckDB gives the same rows in every mart
of contract section 4.

The DuckDB side is `built`'s (conftest): its landing zone refreshed as two runs, the first two days
and then the last day. The Spark side refreshes a copy of that landing zone in processes of its own
(`warehouse refresh` with WAREHOUSE_ENGINE=spark, a lake, dbt target folder and Dagster instance of
its own): a full refresh of the first two days, then the daily run of the last. `built` starts it in
the background as soon as the sample exists (`spark_side` in conftest), so it runs beside the other
tests; this test, sorted last, waits for it and compares. dbt's unit tests then run on Spark too.

Rows are compared as sorted lists: every column but the run-time stamps, numbers within 1e-6
relative (Spark adds doubles in another order), everything else exactly.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.lake import PARQUET_FILE
from orchestration.serve.lake_publish import SERVING_FOLDER

pytestmark = pytest.mark.spark

# Contract §4's marts, each with the columns that order its rows (its grain).
CONTRACT_MARTS = {
    "fct_sessions": ["session_id"],
    "fct_page_views": ["event_id"],
    "fct_orders": ["order_id"],
    "fct_survey_responses": ["response_id"],
    "dim_customers": ["customer_id"],
    "kpi_metrics": ["period_grain", "period_start", "segment_type", "segment_value", "kpi"],
    "kpi_scorecard": ["kpi"],
    "fct_experiment_results": ["experiment_id", "variant"],
    "fct_marketing_performance": ["date", "platform", "campaign"],
    "fct_conversion_paths": ["path"],
    "fct_cohort_retention": ["cohort_month", "months_since_first_order"],
    "fct_feedback_follow_ups": ["response_id"],
    "customer_milestones": ["customer_id", "milestone_order_number"],
    "customer_recommendations": ["customer_id", "product_id"],
}
RUN_TIME_COLUMNS = {"_refreshed_at", "_loaded_at", "_sessionized_at", "_changed_at", "dbt_updated_at"}
RELATIVE_TOLERANCE = 1e-6


def _rows(con: duckdb.DuckDBPyConnection, relation: str, keys: list[str]) -> tuple[list[str], list[tuple]]:
    columns = [
        name
        for name, *_ in con.execute(f"describe select * from {relation}").fetchall()
        if name not in RUN_TIME_COLUMNS
    ]
    order = ", ".join(f'"{key}"' for key in keys)
    selected = ", ".join(f'"{name}"' for name in columns)
    return columns, con.execute(f"select {selected} from {relation} order by {order}").fetchall()


def _same(left: object, right: object) -> bool:
    if isinstance(left, float | Decimal | int) and isinstance(right, float | Decimal | int):
        if isinstance(left, bool) or isinstance(right, bool):
            return left == right
        a, b = float(left), float(right)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(
            a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9
        )
    if isinstance(left, datetime | date) and isinstance(right, datetime | date):
        return left == right
    return left == right


def _differences(
    mart: str, duck: tuple[list[str], list[tuple]], spark: tuple[list[str], list[tuple]]
) -> list[str]:
    (duck_columns, duck_rows), (spark_columns, spark_rows) = duck, spark
    if duck_columns != spark_columns:
        return [f"{mart}: columns differ: DuckDB {duck_columns}, Spark {spark_columns}"]
    if len(duck_rows) != len(spark_rows):
        return [f"{mart}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"]
    found = []
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        for column, left, right in zip(duck_columns, duck_row, spark_row, strict=True):
            if not _same(left, right):
                found.append(f"{mart}.{column}: DuckDB {left!r}, Spark {right!r} (row {duck_row[:3]}...)")
    return found[:5]


def test_spark_gives_duckdbs_rows_in_every_contract_mart(built, spark_side) -> None:
    process = spark_side.wait()
    assert process.returncode == 0, f"the Spark refreshes failed; see {spark_side.log}:\n{spark_side.tail()}"

    serving = spark_side.lake_dir / SERVING_FOLDER
    differences: list[str] = []
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{built.incremental_serving_copy}' as duck (read_only)")
        for mart, keys in CONTRACT_MARTS.items():
            spark_file = Path(serving / mart / PARQUET_FILE)
            assert spark_file.exists(), f"Spark published no {spark_file}"
            duck_rows = _rows(con, f"duck.marts.{mart}", keys)
            spark_rows = _rows(con, f"read_parquet('{spark_file}')", keys)
            counts[mart] = len(spark_rows[1])
            differences += _differences(mart, duck_rows, spark_rows)
    assert not differences, "\n".join(differences)
    # the comparison compared something: the sample's main marts are not empty
    for mart in ("fct_sessions", "fct_page_views", "fct_orders", "dim_customers", "kpi_metrics"):
        assert counts[mart] > 0, f"{mart} is empty on both engines"


def test_dbt_unit_tests_pass_on_spark(spark_side) -> None:
    """Every hand-computed dbt unit test, run on Spark after its refreshes (conftest's script):
    the engine-specific macros in the models' SQL (ordered lists, seconds between, the segment
    explosion) give the hand-computed answers there too. Unit tests run no hooks: the partition
    rewrites are checked by the equality test above."""
    spark_side.wait()
    text = spark_side.unit_tests_log.read_text(errors="replace") if spark_side.unit_tests_log.exists() else ""
    lines = text.strip().splitlines()
    assert lines, f"the unit tests did not run on Spark; see {spark_side.log}:\n{spark_side.tail()}"
    failed = [line for line in lines if " FAIL " in line or " ERROR " in line]
    assert lines[-1] == "0" and not failed, "\n".join(failed or lines[-40:])
    done = next((line for line in reversed(lines) if "Done. PASS=" in line), "")
    assert "ERROR=0" in done and "PASS=0 " not in done, done
