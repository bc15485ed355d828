"""Benchmark of the sessions layer (issue: sessionized engagement marts).

For each size it generates a sample (cached under bench/out/), loads all arrival days but the
last into a fresh DuckDB file, and then measures in one run:

- `hand-written`: one DuckDB query that deduplicates raw.events, sessionizes them and writes a
  session table (the floor: no dbt, no intermediate tables, no page types or channels);
- `dbt full`: `dbt run --full-refresh` of the sessions layer (staged events, sessionized events,
  identity map, orders, fct_sessions, fct_page_views), as `warehouse refresh --full-refresh` runs it;
- `dbt one day`: loading the last arrival day and the incremental `dbt run` for that day.

and prints the figures and their ratios. Run with `make bench-sessions` or
`uv run python bench/bench_sessions.py --sizes 1m 10m`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cached_sample, dbt, timed  # noqa: E402
from orchestration.ingest.contract import SOURCES  # noqa: E402
from orchestration.ingest.loaders import load_partitions  # noqa: E402

OUT = ROOT / "bench" / "out"
DAYS = 30
# customers per size: the generator makes ~120 events per customer over 30 days
SIZES = {"100k": 850, "1m": 8_400, "10m": 84_000, "50m": 420_000}
SESSION_MODELS = [
    "stg_tracking__events",
    "int_events_sessionized",
    "int_email_events",
    "int_visitors_stitched",
    "stg_shop__order_lines",
    "int_fx_rates_ranged",
    "int_orders_converted",
    "fct_sessions",
    "fct_page_views",
]

HAND_WRITTEN = """
create or replace table bench.hand_sessions as
with deduplicated as (
    select * from raw.events
    qualify row_number() over (
        partition by event_id order by _partition_date, _source_file, _line_number) = 1
),
site_events as (
    -- contract §2: email opens and clicks are off-site, in no session
    select * from deduplicated where event_type not in ('email_open', 'email_click')
),
gaps as (
    select
        *,
        case when epoch(occurred_at) - epoch(lag(occurred_at) over visitor) > {timeout}
                  or lag(occurred_at) over visitor is null then 1 else 0 end as is_start
    from site_events
    window visitor as (partition by anonymous_id order by occurred_at, event_id)
),
numbered as (
    select *, sum(is_start) over (partition by anonymous_id order by occurred_at, event_id) as session_number
    from gaps
)
select
    md5(anonymous_id || '|' || arg_min(event_id, (occurred_at, event_id))) as session_id,
    anonymous_id,
    session_number,
    min(occurred_at) as started_at,
    max(occurred_at) as ended_at,
    epoch(max(occurred_at)) - epoch(min(occurred_at)) as duration_seconds,
    count(*) as events,
    count(*) filter (where event_type = 'page_view') as page_views,
    count(*) filter (where event_type = 'page_view') = 1
        and count(*) filter (where event_type not in ('ad_impression', 'experiment_exposure')) = 1
        as is_bounce,
    bool_or(event_type = 'purchase') as has_purchase,
    arg_min(page_path, (occurred_at, event_id)) filter (where event_type = 'page_view') as landing_page_path,
    arg_max(page_path, (occurred_at, event_id)) filter (where event_type = 'page_view') as exit_page_path,
    arg_min(utm_source, (occurred_at, event_id)) as utm_source
from numbered
group by anonymous_id, session_number
"""


def run_size(size: str) -> dict[str, float]:
    customers = SIZES[size]
    start = date(2026, 10, 1)
    landing = OUT / size / "landing"
    rows = cached_sample(landing, size, customers=customers, days=DAYS, start=start)
    print(f"[{size}] {rows['events']:,} event lines", flush=True)

    work = OUT / size / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "warehouse.duckdb"
    days = [start + timedelta(days=i) for i in range(DAYS)]
    env = {
        **os.environ,
        "WAREHOUSE_DUCKDB_PATH": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    figures: dict[str, float] = {"events": rows["events"]}

    def load_history() -> None:
        for source in SOURCES:
            load_partitions(db, landing, source, days[:-1], log_fn=lambda _: None)

    figures["load_29_days"] = timed("load 29 arrival days", load_history)
    dbt(["seed"], env)  # reference data, not part of the timed layer

    def hand_written() -> None:
        con = duckdb.connect(str(db))
        con.execute("create schema if not exists bench")
        con.execute(HAND_WRITTEN.format(timeout=30 * 60))
        con.close()

    figures["hand_written"] = timed("hand-written DuckDB sessionization", hand_written)
    select = ["--select", *SESSION_MODELS]
    figures["dbt_full"] = timed(
        "dbt full build of the sessions layer", lambda: dbt(["run", "--full-refresh", *select], env)
    )

    last = days[-1].isoformat()

    def load_last_day() -> None:
        for source in SOURCES:
            load_partitions(db, landing, source, days[-1:], log_fn=lambda _: None)

    figures["load_one_day"] = timed("load the last arrival day", load_last_day)
    # the window travels as environment variables, as Dagster passes it (no re-parse)
    day_env = {**env, "WAREHOUSE_MIN_DATE": last, "WAREHOUSE_MAX_DATE": last}
    figures["dbt_one_day"] = timed("dbt incremental run, one day", lambda: dbt(["run", *select], day_env))
    figures["dbt_noop"] = timed(
        "dbt startup (dbt run of nothing)", lambda: dbt(["run", "--select", "fx_rates"], env)
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["1m"], choices=list(SIZES))
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        results[size] = run_size(size)
    print()
    print(
        f"{'size':>5} {'events':>11} {'hand':>7} {'dbt full':>9} {'ratio':>6} {'one day':>8} {'day/full':>9}"
    )
    for size, f in results.items():
        print(
            f"{size:>5} {int(f['events']):>11,} {f['hand_written']:>6.1f}s {f['dbt_full']:>8.1f}s "
            f"{f['dbt_full'] / f['hand_written']:>5.2f}x {f['dbt_one_day']:>7.1f}s "
            f"{f['dbt_one_day'] / f['dbt_full']:>8.1%}"
        )
    print("(dbt figures include dbt's own start-up, shown above as 'dbt startup')")


if __name__ == "__main__":
    main()
