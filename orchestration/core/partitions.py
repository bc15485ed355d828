"""The daily arrival-day partitions every partitioned asset shares."""

from __future__ import annotations

from datetime import date

import dagster as dg


def daily_partitions(start_date: date) -> dg.DailyPartitionsDefinition:
    # One partition per landing-zone arrival day (dt=YYYY-MM-DD). The newest partition is the last
    # complete day, which is what the daily schedule refreshes.
    return dg.DailyPartitionsDefinition(start_date=start_date.isoformat(), timezone="UTC")
