"""Pure helpers that turn a Dagster run into dbt arguments (unit-tested without dbt)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, datetime, timedelta

WINDOW_ENV = ("WAREHOUSE_MIN_DATE", "WAREHOUSE_MAX_DATE")
SKIP_DATA_TESTS_ENV = "WAREHOUSE_SKIP_DATA_TESTS"


def partition_window_vars(start: datetime | date, end: datetime | date) -> dict[str, str]:
    """The window of a Dagster time range [start, end): the inclusive arrival days to process."""
    first = start.date() if isinstance(start, datetime) else start
    after_last = end.date() if isinstance(end, datetime) else end
    if after_last <= first:
        raise ValueError(f"empty partition window [{first}, {after_last})")
    return {"min_date": first.isoformat(), "max_date": (after_last - timedelta(days=1)).isoformat()}


def partition_window_env(start: datetime | date, end: datetime | date) -> dict[str, str]:
    """The same window as the environment variables dbt's window macros read. Changing --vars
    makes dbt re-parse the whole project on every run; a changed environment variable used in a
    macro does not."""
    window = partition_window_vars(start, end)
    return {WINDOW_ENV[0]: window["min_date"], WINDOW_ENV[1]: window["max_date"]}


def window_from_run_tags(tags: Mapping[str, str]) -> dict[str, str] | None:
    """The arrival-day window of a run, from the partition tags Dagster gives it (a backfill
    range, or a single partition), as the environment variables dbt's window macros read; None
    for a run without partitions."""
    first = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    last = tags.get("dagster/asset_partition_range_end") or tags.get("dagster/partition")
    if not first or not last:
        return None
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    if end < start:
        raise ValueError(f"partition range {first}..{last} ends before it starts")
    return partition_window_env(start, end + timedelta(days=1))


def dbt_build_args(dbt_vars: dict[str, str] | None = None, full_refresh: bool = False) -> list[str]:
    # Unit tests check the SQL, not the data: they run in `make test`, not in every refresh (and
    # tests of incremental models need the model's table to exist already).
    # --no-write-json: the run's manifest.json and run_results.json are read by nothing here
    # (Dagster follows dbt's structured log), and writing them slows every dbt run.
    args = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
    if os.environ.get(SKIP_DATA_TESTS_ENV) == "1":
        # Models only, no data tests: for tests/test_spark_engine.py's first refresh, where Spark
        # pays seconds per test (its daily run tests everything). Never for a production refresh.
        args += ["--exclude-resource-type", "test"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    return args
