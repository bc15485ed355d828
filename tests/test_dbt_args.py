from datetime import date, datetime

import pytest

from orchestration.transform.dbt_args import (
    dbt_build_args,
    partition_window_env,
    partition_window_vars,
    window_from_run_tags,
)


def test_one_day_window_is_that_day_inclusive():
    assert partition_window_vars(datetime(2026, 10, 5), datetime(2026, 10, 6)) == {
        "min_date": "2026-10-05",
        "max_date": "2026-10-05",
    }


def test_backfill_range_covers_every_day_of_it():
    assert partition_window_vars(date(2026, 9, 28), date(2026, 10, 3)) == {
        "min_date": "2026-09-28",
        "max_date": "2026-10-02",
    }


def test_empty_window_is_refused():
    with pytest.raises(ValueError, match="empty partition window"):
        partition_window_vars(date(2026, 10, 5), date(2026, 10, 5))


def test_build_args():
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
    assert dbt_build_args({"min_date": "2026-10-05", "max_date": "2026-10-05"}, full_refresh=True) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--no-write-json",
        "--vars",
        '{"max_date": "2026-10-05", "min_date": "2026-10-05"}',
        "--full-refresh",
    ]


def test_window_travels_as_environment_variables():
    assert partition_window_env(date(2026, 10, 5), date(2026, 10, 7)) == {
        "WAREHOUSE_MIN_DATE": "2026-10-05",
        "WAREHOUSE_MAX_DATE": "2026-10-06",
    }


def test_window_of_a_run_comes_from_its_partition_tags():
    backfill = {
        "dagster/asset_partition_range_start": "2026-10-01",
        "dagster/asset_partition_range_end": "2026-10-29",
    }
    assert window_from_run_tags(backfill) == {
        "WAREHOUSE_MIN_DATE": "2026-10-01",
        "WAREHOUSE_MAX_DATE": "2026-10-29",
    }
    scheduled = {"dagster/partition": "2026-10-05", "dagster/schedule_name": "daily_refresh_schedule"}
    assert window_from_run_tags(scheduled) == {
        "WAREHOUSE_MIN_DATE": "2026-10-05",
        "WAREHOUSE_MAX_DATE": "2026-10-05",
    }
    assert window_from_run_tags({"dagster/run_key": "x"}) is None
    with pytest.raises(ValueError, match="ends before it starts"):
        window_from_run_tags(
            {
                "dagster/asset_partition_range_start": "2026-10-05",
                "dagster/asset_partition_range_end": "2026-10-01",
            }
        )


def test_data_tests_are_left_out_only_when_asked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WAREHOUSE_SKIP_DATA_TESTS", "1")
    assert dbt_build_args()[-2:] == ["--exclude-resource-type", "test"]
    monkeypatch.setenv("WAREHOUSE_SKIP_DATA_TESTS", "0")
    assert "test" not in dbt_build_args()
