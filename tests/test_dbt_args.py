from datetime import date, datetime

import pytest

from orchestration.dbt_args import dbt_build_args, partition_window_env, partition_window_vars


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
