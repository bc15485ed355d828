"""Pure helpers that turn a Dagster run into dbt arguments (unit-tested without dbt)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta


def partition_window_vars(start: datetime | date, end: datetime | date) -> dict[str, str]:
    """dbt vars for a Dagster time window [start, end): the inclusive arrival days to process."""
    first = start.date() if isinstance(start, datetime) else start
    after_last = end.date() if isinstance(end, datetime) else end
    if after_last <= first:
        raise ValueError(f"empty partition window [{first}, {after_last})")
    return {"min_date": first.isoformat(), "max_date": (after_last - timedelta(days=1)).isoformat()}


def dbt_build_args(dbt_vars: dict[str, str] | None = None, full_refresh: bool = False) -> list[str]:
    # Unit tests check the SQL, not the data: they run in `make test`, not in every refresh (and
    # tests of incremental models need the model's table to exist already).
    args = ["build", "--exclude-resource-type", "unit_test"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if full_refresh:
        args.append("--full-refresh")
    return args
