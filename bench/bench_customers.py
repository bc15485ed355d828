"""Benchmark of the customer layer (issue: orders, customer 360, CLV and segments).

For each size it generates a sample with that many customers (cached under bench/out/), loads
every arrival day into a fresh DuckDB file, builds everything `dim_customers` reads (untimed),
and then measures in one run:

- `customer layer`: `dbt run` of the customer intermediates (rollups, purchase summary, the BG/NBD
  and Gamma-Gamma fit and the per-customer predictions, as dbt Python models) and dim_customers,
  with each model's own time from dbt's run_results.json;
- `dbt startup`: a dbt run of one seed, dbt's fixed cost inside the figure above.

The generator makes ~4 events per customer and day, so the windows are short at 1M customers
(3 days, ~12M events); pre-existing customers come in the first CRM extract whatever the window.
Run with `uv run python bench/bench_customers.py --sizes 100k 1m`.
"""

from __future__ import annotations

import argparse
import json
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
# size -> (customers, arrival days)
SIZES = {"10k": (10_000, 14), "100k": (100_000, 7), "1m": (1_000_000, 3)}
# The customer intermediates: those read from the staging and intermediate models, and those read
# from the marts (roll-ups, CLV inputs and fits: in the marts layer since issue 21).
CUSTOMER_LAYER = [
    "path:dbt_project/models/intermediate/customers",
    "path:dbt_project/models/marts/intermediate/customers",
    "dim_customers",
]


def model_times(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}


def run_size(size: str) -> dict[str, object]:
    customers, days_count = SIZES[size]
    start = date(2026, 10, 1)
    landing = OUT / f"customers_{size}" / "landing"
    rows = cached_sample(landing, size, customers=customers, days=days_count, start=start)
    print(f"[{size}] {rows['events']:,} event lines, {rows['orders']:,} order lines", flush=True)

    work = OUT / f"customers_{size}" / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "warehouse.duckdb"
    target = work / "target"
    days = [start + timedelta(days=i) for i in range(days_count)]
    env = {
        **os.environ,
        "WAREHOUSE_DUCKDB_PATH": str(db),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    figures: dict[str, object] = {"events": rows["events"]}

    def load_all() -> None:
        for source in SOURCES:
            load_partitions(db, landing, source, days, log_fn=lambda _: None)

    figures["load"] = timed(f"load {days_count} arrival days", load_all)
    dbt(["seed"], env)
    figures["upstream"] = timed(
        "build what dim_customers reads", lambda: dbt(["run", "--select", "+dim_customers"], env)
    )
    figures["customer_layer"] = timed(
        "customer layer (rollups, CLV, dim_customers)", lambda: dbt(["run", "--select", *CUSTOMER_LAYER], env)
    )
    figures["models"] = model_times(target)
    figures["dbt_noop"] = timed(
        "dbt startup (dbt run of one seed)", lambda: dbt(["run", "--select", "fx_rates"], env)
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        figures["customers"], figures["buyers"] = con.execute(
            "select count(*), count(*) filter (where orders > 0) from marts.dim_customers"
        ).fetchone()
    finally:
        con.close()
    for name, seconds in sorted(figures["models"].items(), key=lambda kv: -kv[1]):
        print(f"    {name:<38} {seconds:8.1f} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["100k"], choices=list(SIZES))
    args = parser.parse_args()
    results = {size: run_size(size) for size in args.sizes}
    print()
    header = ("size", "customers", "buyers", "events", "layer", "dim_customers", "CLV fit", "startup")
    widths = (5, 10, 8, 11, 8, 14, 8, 8)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for size, f in results.items():
        models = f["models"]
        cells = (
            size,
            f"{f['customers']:,}",
            f"{f['buyers']:,}",
            f"{int(f['events']):,}",
            f"{f['customer_layer']:.1f}s",
            f"{models.get('dim_customers', float('nan')):.1f}s",
            f"{models.get('int_clv_parameters_fitted', float('nan')):.1f}s",
            f"{f['dbt_noop']:.1f}s",
        )
        print(" ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    print("(the layer figure includes dbt's start-up; per-model figures are dbt's own execution times)")


if __name__ == "__main__":
    main()
