from datetime import date
from pathlib import Path

import pytest

from orchestration.core.settings import SAMPLE_START, Settings


def test_defaults_follow_the_contract(tmp_path: Path):
    s = Settings.from_env({}, root=tmp_path)
    assert s.landing_dir == tmp_path / "data" / "landing"
    assert s.duckdb_path == tmp_path / "data" / "warehouse.duckdb"
    assert s.serving_path == tmp_path / "data" / "serving.duckdb"
    assert s.start_date == SAMPLE_START
    assert (s.reporting_currency, s.reporting_timezone) == ("USD", "UTC")
    assert (s.clv_holdout_days, s.clv_min_history_days) == (90, 90)
    assert s.dbt_env()["WAREHOUSE_CLV_HOLDOUT_DAYS"] == "90"
    assert (s.engine, s.on_spark, s.lake_dir) == ("duckdb", False, tmp_path / "data" / "lake")


def test_spark_engine_and_its_lake(tmp_path: Path):
    s = Settings.from_env({"WAREHOUSE_ENGINE": " Spark ", "WAREHOUSE_LAKE_DIR": "lake"}, root=tmp_path)
    assert (s.engine, s.on_spark) == ("spark", True)
    # dbt's profile picks its target from the engine, and reads the lake's absolute path
    assert s.dbt_env()["WAREHOUSE_ENGINE"] == "spark"
    assert s.dbt_env()["WAREHOUSE_LAKE_DIR"] == str(tmp_path / "lake")


def test_environment_overrides_and_absolute_paths(tmp_path: Path):
    s = Settings.from_env(
        {
            "WAREHOUSE_LANDING_DIR": "/abs/landing",
            "WAREHOUSE_DUCKDB_PATH": "rel/w.duckdb",
            "WAREHOUSE_START_DATE": "2026-01-02",
            "WAREHOUSE_REPORTING_CURRENCY": "krw",
            "WAREHOUSE_REPORTING_TIMEZONE": "Asia/Seoul",
            "WAREHOUSE_CLV_HOLDOUT_DAYS": "273",
            "WAREHOUSE_CLV_MIN_HISTORY_DAYS": "0",
        },
        root=tmp_path,
    )
    assert s.landing_dir == Path("/abs/landing")
    assert s.duckdb_path == tmp_path / "rel" / "w.duckdb"
    assert s.start_date == date(2026, 1, 2)
    assert s.reporting_currency == "KRW"
    assert s.dbt_env()["WAREHOUSE_REPORTING_TIMEZONE"] == "Asia/Seoul"
    assert (s.clv_holdout_days, s.clv_min_history_days) == (273, 0)
    assert s.dbt_env()["WAREHOUSE_CLV_HOLDOUT_DAYS"] == "273"
    assert s.dbt_env()["WAREHOUSE_CLV_MIN_HISTORY_DAYS"] == "0"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WAREHOUSE_START_DATE", "01/02/2026", "YYYY-MM-DD"),
        ("WAREHOUSE_REPORTING_CURRENCY", "dollars", "ISO 4217"),
        ("WAREHOUSE_CLV_HOLDOUT_DAYS", "0", "WAREHOUSE_CLV_HOLDOUT_DAYS='0' is not a whole number"),
        ("WAREHOUSE_CLV_HOLDOUT_DAYS", "90d", "WAREHOUSE_CLV_HOLDOUT_DAYS='90d'"),
        ("WAREHOUSE_CLV_MIN_HISTORY_DAYS", "-1", "WAREHOUSE_CLV_MIN_HISTORY_DAYS='-1'"),
        ("WAREHOUSE_CLV_MIN_HISTORY_DAYS", "1.5", "WAREHOUSE_CLV_MIN_HISTORY_DAYS='1.5'"),
        ("WAREHOUSE_ENGINE", "bigquery", "WAREHOUSE_ENGINE='bigquery' is not one of duckdb, spark"),
    ],
)
def test_bad_settings_say_what_to_fix(name: str, value: str, message: str):
    with pytest.raises(ValueError, match=message):
        Settings.from_env({name: value})
