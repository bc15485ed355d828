"""Scale benchmark of the whole warehouse (issue 7): `make bench`.

For each size (1M, 10M, 50M events over 30 arrival days, and `50m-history`: the 10M shop's
customers over 175 days, ~50M events; orders, surveys, customers and marketing in proportion;
generated once and cached under bench/out/) it measures, in one run:

- `floor`: a hand-written DuckDB script doing the core work over the same extracts: load every
  field of the five sources (read_json / read_csv), deduplicate and sessionize the events, write a
  session table and daily rollups (and the narrow floor of earlier runs, events' six session
  fields only, for comparison); not for `50m-history`;
- `full refresh`: `warehouse refresh --full-refresh` of all days but the last into an empty
  working file: the real Dagster job (loaders with their checks and rejects, every dbt model and
  test, publication of the serving file), with its steps' times read back from Dagster;
- `one day`: `warehouse refresh` of the last day on top of that;
- peak memory of each (the largest process: the refresh, its dbt, or the floor), with DuckDB's
  `memory_limit` at WAREHOUSE_DUCKDB_MEMORY_LIMIT (default 4GB), spilling to disk past it.

It prints the figures and the issue's targets with a verdict for each. Nothing is timed inside the
test suite; run it with `make bench` or
`uv run python bench/bench_scale.py --sizes 1m 10m 50m 50m-history`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cached_sample  # noqa: E402
from orchestration.core.settings import DEFAULT_MEMORY_LIMIT  # noqa: E402
from orchestration.ingest.contract import EVENTS  # noqa: E402

OUT = ROOT / "bench" / "out"
LAST_DAY = date(2026, 10, 30)


@dataclass(frozen=True)
class Size:
    customers: int
    days: int
    floor: bool = True  # measure the hand-written floors too

    @property
    def start(self) -> date:
        return LAST_DAY - timedelta(days=self.days - 1)


# The generator makes ~4 events per customer and day (~120 over 30 days), so a size is its
# customers x days. `50m-history` has the 10M shop's customers, hence about its daily volume
# (its day 175 has 681,420 event lines, the 10M sample's day 30 751,221: 9% fewer), over 175 days
# of history: its one-day refresh is the "one day over 50M events of history", compared
# with the 10M one-day refresh of the same run. The `50m` size (5x the customers over 30 days)
# measures full refresh and memory at 50M; its one day is 5x the 10M one.
SIZES = {
    "100k": Size(850, 30),
    "1m": Size(8_400, 30),
    "10m": Size(84_000, 30),
    "50m": Size(420_000, 30),
    "50m-history": Size(84_000, 175, floor=False),
}

# Runs a command and reports the largest resident set of it and its descendants (Linux counts a
# waited-for grandchild, such as the dbt under a refresh, in its parent's children usage).
PEAK = textwrap.dedent(
    """
    import resource, subprocess, sys
    code = subprocess.run(sys.argv[2:]).returncode
    with open(sys.argv[1], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
    sys.exit(code)
    """
)

# The floor: what a careful engineer would write by hand in DuckDB for load + sessionize + session
# and daily rollups over the same extracts: every field of every source loaded into typed tables
# (bad rows skipped, as read_json / read_csv do with ignore_errors), events deduplicated and
# sessionized, a session table and daily rollups. No rejects, lineage, page types, channels,
# stitching, marts or tests. The narrow floor (NARROW_EVENT_COLUMNS, no other source) is its first
# version, kept for comparison: it loads only the six event fields the sessions need.
# the contract's event columns; timestamps keep their offset until the floor casts them
EVENT_COLUMNS = ", ".join(
    f"{c.name}: '{'timestamptz' if c.type == 'timestamp' else c.type}'" for c in EVENTS.columns
)
NARROW_EVENT_COLUMNS = (
    "event_id: 'varchar', event_type: 'varchar', occurred_at: 'timestamptz', anonymous_id: 'varchar', "
    "customer_id: 'varchar', page_path: 'varchar'"
)
LOAD_OTHER_SOURCES = """
create table orders as select * from read_csv('{landing}/orders/dt=*/*.csv*', header = true,
    ignore_errors = true, union_by_name = true, hive_partitioning = false, types = {{
    ordered_at: 'timestamptz', updated_at: 'timestamptz', quantity: 'integer', unit_price: 'decimal(18,4)',
    line_discount: 'decimal(18,4)', line_number: 'integer'}});
create table surveys as select * from read_csv('{landing}/surveys/dt=*/*.csv*', header = true,
    ignore_errors = true, union_by_name = true, hive_partitioning = false,
    types = {{submitted_at: 'timestamptz', score: 'integer'}});
create table customers as select * from read_csv('{landing}/customers/dt=*/*.csv*', header = true,
    ignore_errors = true, union_by_name = true, hive_partitioning = false,
    types = {{signed_up_at: 'timestamptz', updated_at: 'timestamptz', birth_year: 'integer'}});
create table marketing as select * from read_csv('{landing}/marketing/dt=*/*.csv*', header = true,
    ignore_errors = true, union_by_name = true, hive_partitioning = false,
    types = {{date: 'date', spend: 'decimal(18,4)'}});
"""
FLOOR = """
set TimeZone = 'UTC';
set memory_limit = '{memory_limit}';
create table events as
select
    * exclude (occurred_at, filename),
    cast(occurred_at as timestamp) as occurred_at,
    cast(regexp_extract(filename, 'dt=([0-9-]+)', 1) as date) as partition_date
from read_json(
    '{landing}/events/dt=*/*.jsonl*',
    format = 'newline_delimited', filename = true, ignore_errors = true, hive_partitioning = false,
    columns = {{{event_columns}}}
)
where partition_date <= date '{last_day}'
  and event_id is not null and anonymous_id is not null and occurred_at is not null;
{other_sources}
create table sessions as
with deduplicated as (
    select * from events
    qualify row_number() over (partition by event_id order by partition_date) = 1
),
flagged as (
    select *,
        coalesce(epoch(occurred_at) - epoch(lag(occurred_at) over visitor) > {timeout}, true) as is_start
    from deduplicated
    window visitor as (partition by anonymous_id order by occurred_at, event_id)
),
numbered as (
    select *, sum(cast(is_start as int)) over (
        partition by anonymous_id order by occurred_at, event_id) as session_number
    from flagged
)
select
    md5(anonymous_id || '|' || arg_min(event_id, (occurred_at, event_id))) as session_id,
    anonymous_id,
    min(occurred_at) as started_at,
    epoch(max(occurred_at)) - epoch(min(occurred_at)) as duration_seconds,
    count(*) filter (where event_type = 'page_view') as page_views,
    count(*) = 1 and count(*) filter (where event_type = 'page_view') = 1 as is_bounce,
    bool_or(event_type = 'purchase') as has_purchase
from numbered
group by anonymous_id, session_number;

create table daily as
select
    cast(started_at as date) as day,
    count(*) as sessions,
    count(distinct anonymous_id) as visitors,
    sum(page_views) as page_views,
    avg(cast(is_bounce as int)) as bounce_rate,
    avg(cast(has_purchase as int)) as conversion_rate,
    avg(duration_seconds) as avg_session_seconds
from sessions
group by 1;
"""


@dataclass
class Measured:
    seconds: float
    peak_bytes: int
    steps: dict[str, float] = field(default_factory=dict)


def measure(label: str, cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `cmd` to completion (failing loudly), timing it and taking its peak memory."""
    peak_file = log.with_suffix(".peak")
    print(f"  {label} ...", flush=True)
    start = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.run(
            [sys.executable, "-c", PEAK, str(peak_file), *cmd],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ).returncode
    seconds = time.perf_counter() - start
    if code != 0:
        print(log.read_text()[-5000:])
        raise SystemExit(f"{label} failed (exit {code}); full output in {log}")
    peak = int(peak_file.read_text())
    print(f"  {label:<36} {seconds:8.1f} s   peak {peak / 2**30:5.2f} GiB", flush=True)
    return Measured(seconds, peak)


def last_run_steps(dagster_home: Path) -> dict[str, float]:
    """Seconds per step of the newest Dagster run, grouped: loads, the dbt build, publication."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_step_stats(run.run_id)
    groups: dict[str, float] = {}
    for step in stats:
        if step.start_time is None or step.end_time is None:
            continue
        key = step.step_key
        name = "load" if key.startswith("raw__") else "dbt" if key.startswith("dbt") else "publish + report"
        groups[name] = groups.get(name, 0.0) + step.end_time - step.start_time
    return groups


def run_size(size: str, memory_limit: str, engine: str = "duckdb") -> dict[str, object]:
    landing = OUT / size / "landing"
    spec = SIZES[size]
    rows = cached_sample(landing, size, customers=spec.customers, days=spec.days, start=spec.start)
    print(f"[{size}] {rows['events']:,} event lines, {rows['orders']:,} order lines", flush=True)
    work = OUT / size / ("scale" if engine == "duckdb" else f"scale-{engine}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    days = [spec.start + timedelta(days=i) for i in range(spec.days)]
    env = {
        **os.environ,
        "WAREHOUSE_LANDING_DIR": str(landing),
        "WAREHOUSE_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "WAREHOUSE_SERVING_PATH": str(work / "serving.duckdb"),
        "WAREHOUSE_START_DATE": spec.start.isoformat(),
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT": memory_limit,
        "DAGSTER_HOME": str(work / "dagster_home"),
        "DBT_PROFILES_DIR": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "WAREHOUSE_ENGINE": engine,
    }
    if engine == "spark":
        # contract §7: the lake, and dbt's parse for Spark beside the DuckDB one
        env |= {"WAREHOUSE_LAKE_DIR": str(work / "lake"), "DBT_TARGET_PATH": str(work / "target")}
    (work / "dagster_home").mkdir()
    # untimed: dbt's parse for this working file (a refresh would otherwise start with it)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.transform.dbt_parse import prepare_dbt_manifest as p; p()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    floors: dict[str, Measured | None] = {"narrow": None, "wide": None}
    for label, columns, others in (
        ("narrow", NARROW_EVENT_COLUMNS, ""),
        ("wide", EVENT_COLUMNS, LOAD_OTHER_SOURCES.format(landing=landing)),
    ):
        if not spec.floor or engine != "duckdb":
            continue
        floor_sql = FLOOR.format(
            landing=landing,
            last_day=days[-2].isoformat(),
            timeout=30 * 60,
            memory_limit=memory_limit,
            event_columns=columns,
            other_sources=others,
        )
        (work / f"floor_{label}.sql").write_text(floor_sql)
        (work / f"floor_{label}.duckdb").unlink(missing_ok=True)
        floor_cmd = [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); con.execute(open(sys.argv[2]).read()); "
            "print(con.execute('select count(*), sum(sessions) from daily').fetchone()); con.close()",
            str(work / f"floor_{label}.duckdb"),
            str(work / f"floor_{label}.sql"),
        ]
        floors[label] = measure(
            f"floor, {label} (hand-written DuckDB)", floor_cmd, env, work / f"floor_{label}.log"
        )
    floor = floors["wide"]

    warehouse = [sys.executable, "-m", "orchestration.cli", "refresh"]
    full = measure(
        f"full refresh ({spec.days - 1} days)",
        [*warehouse, "--full-refresh", "--start", str(days[0]), "--end", str(days[-2])],
        env,
        work / "full.log",
    )
    full.steps = last_run_steps(work / "dagster_home")
    if os.environ.get("BENCH_KEEP_FULL_STATE"):
        # untimed: the state after the full refresh, to profile the one-day run against again
        kept = work / "after_full"
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir()
        for name in ("warehouse.duckdb", "serving.duckdb", "dagster_home"):
            source = work / name
            if source.is_dir():
                shutil.copytree(source, kept / name)
            elif source.exists():
                shutil.copy2(source, kept / name)
    one = measure(
        f"one-day refresh (day {spec.days})",
        [*warehouse, "--start", str(days[-1]), "--end", str(days[-1])],
        env,
        work / "one_day.log",
    )
    one.steps = last_run_steps(work / "dagster_home")
    # The least a daily run costs on this state: the day after the sample, which has no extracts
    # (every loader loads an empty partition; dbt runs every model and test with nothing new to
    # sessionize). What a one-day refresh spends above it is the new day's own work.
    empty_day = days[-1] + timedelta(days=1)
    empty = measure(
        f"refresh of a day with no extracts ({empty_day})",
        [*warehouse, "--start", str(empty_day), "--end", str(empty_day)],
        env,
        work / "empty_day.log",
    )
    empty.steps = last_run_steps(work / "dagster_home")
    for name, m in (("full", full), ("one day", one), ("empty day", empty)):
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(m.steps.items()))
        print(f"    {name} steps: {parts}")
    return {
        "events": rows["events"],
        "floor": floor,
        "narrow_floor": floors["narrow"],
        "full": full,
        "one": one,
        "empty": empty,
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", nargs="+", default=["1m", "10m", "50m", "50m-history"], choices=list(SIZES)
    )
    parser.add_argument(
        "--memory-limit",
        default=os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        help="DuckDB memory_limit for the floor, the loaders and dbt (default %(default)s)",
    )
    parser.add_argument(
        "--engine",
        default="duckdb",
        choices=["duckdb", "spark"],
        help="WAREHOUSE_ENGINE of the refreshes (spark: a local Spark session; no floors)",
    )
    args = parser.parse_args()
    results = {size: run_size(size, args.memory_limit, args.engine) for size in args.sizes}
    print(f"\nengine: {args.engine}")

    print()
    print(f"memory_limit {args.memory_limit}; peak = largest process (GiB)")
    print(
        f"{'size':>11} {'events':>11} {'narrow':>8} {'floor':>8} {'full':>8} {'full/floor':>10} "
        f"{'one day':>8} {'day/full':>8} {'empty day':>9} {'load':>7} {'peak floor':>10} {'peak full':>9} "
        f"{'peak day':>8}"
    )

    def secs(m: Measured | None) -> str:
        return f"{m.seconds:>7.1f}s" if m else f"{'-':>8}"

    def gib(m: Measured | None, width: int) -> str:
        return f"{m.peak_bytes / 2**30:>{width}.2f}" if m else f"{'-':>{width}}"

    for size, r in results.items():
        floor, full, one = r["floor"], r["full"], r["one"]
        ratio = f"{full.seconds / floor.seconds:>9.2f}x" if floor else f"{'-':>10}"
        print(
            f"{size:>11} {r['events']:>11,} {secs(r['narrow_floor'])} {secs(floor)} {secs(full)} "
            f"{ratio} {one.seconds:>7.1f}s {one.seconds / full.seconds:>8.1%} {r['empty'].seconds:>8.1f}s "
            f"{full.steps.get('load', 0):>6.1f}s {gib(floor, 10)} {gib(full, 9)} {gib(one, 8)}"
        )
    print()
    print("targets (issue 7):")
    if "10m" in results:
        r = results["10m"]
        ratio = r["full"].seconds / r["floor"].seconds
        print(f"  full refresh at 10M within 2.5x the floor: {ratio:.2f}x -> {verdict(ratio <= 2.5)}")
        narrow = r["full"].seconds / r["narrow_floor"].seconds
        print(f"    (against the narrow floor, six event fields only: {narrow:.2f}x)")
        share = r["one"].seconds / r["full"].seconds
        print(f"  one day at 10M under 10% of the full refresh: {share:.1%} -> {verdict(share < 0.10)}")
        least = r["empty"].seconds / r["full"].seconds
        print(
            f"    (a day with no extracts on the same state: {r['empty'].seconds:.1f} s, {least:.1%} "
            "of the full refresh; the new day's own work is the rest)"
        )
    if "10m" in results and "50m-history" in results:
        growth = results["50m-history"]["one"].seconds / results["10m"]["one"].seconds
        print(
            f"  one day over 50M events of history within 1.3x the one over 10M: {growth:.2f}x "
            f"-> {verdict(growth <= 1.3)}"
        )
        empty_growth = results["50m-history"]["empty"].seconds / results["10m"]["empty"].seconds
        print(f"    (a day with no extracts: {empty_growth:.2f}x)")
    elif "10m" in results and "50m" in results:
        growth = results["50m"]["one"].seconds / results["10m"]["one"].seconds
        print(
            f"  one day at 50M / one day at 10M: {growth:.2f}x (its day is 5x bigger; "
            "the history target needs --sizes 10m 50m-history)"
        )
    if "50m" in results:
        peak = max(results["50m"]["full"].peak_bytes, results["50m"]["one"].peak_bytes) / 2**30
        print(f"  50M completes under memory_limit {args.memory_limit}: met (largest process {peak:.2f} GiB)")
    print("  (`make demo` warm under 120 s is measured separately: `time make demo`)")
    summary = {
        size: {
            "events": r["events"],
            "floor_s": r["floor"].seconds if r["floor"] else None,
            "narrow_floor_s": r["narrow_floor"].seconds if r["narrow_floor"] else None,
            "full_s": r["full"].seconds,
            "one_day_s": r["one"].seconds,
            "full_steps_s": r["full"].steps,
            "one_day_steps_s": r["one"].steps,
            "empty_day_s": r["empty"].seconds,
            "empty_day_steps_s": r["empty"].steps,
            "peak_bytes": {
                "floor": r["floor"].peak_bytes if r["floor"] else None,
                "narrow_floor": r["narrow_floor"].peak_bytes if r["narrow_floor"] else None,
                "full": r["full"].peak_bytes,
                "one_day": r["one"].peak_bytes,
                "empty_day": r["empty"].peak_bytes,
            },
        }
        for size, r in results.items()
    }
    # kept per size (a run of one size leaves the others) and per engine
    saved = OUT / ("scale_results.json" if args.engine == "duckdb" else f"scale_results_{args.engine}.json")
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    saved.write_text(json.dumps({**previous, **summary}, indent=2))
    print(f"figures saved to {saved}")


if __name__ == "__main__":
    main()
