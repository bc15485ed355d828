"""One Dagster asset per landing source, loading daily arrival partitions into raw.<source>."""

import logging
from collections import Counter
from datetime import timedelta

import dagster as dg

from orchestration.ingest.contract import SOURCES
from orchestration.ingest.loaders import LoadResult, load_partitions
from orchestration.resources import WarehouseResource

# Contract §2 keeps every bad row; a warning above this share tells an operator that an upstream
# system has started sending something new, without stopping the refresh.
REJECT_RATE_WARN_THRESHOLD = 0.01

# Per-partition progress lines go to the console of the `warehouse` command (the progress
# logger's stream), not into Dagster's event log: a backfill would otherwise store one event per
# source and day. The UI gets the same figures as a table in the
# materialization's metadata, and one summary line per run.
console = logging.getLogger("warehouse.progress")

DESCRIPTIONS = {
    "events": "Tracker events (JSON Lines) of one arrival day; bad lines go to raw.events_rejects.",
    "orders": "Order-line exports (CSV) of one arrival day; bad records go to raw.orders_rejects.",
    "surveys": "Survey responses (CSV) of one arrival day; bad records go to raw.surveys_rejects.",
    "customers": "CRM customer changes (CSV) of one arrival day; bad records go to raw.customers_rejects.",
    "marketing": "Daily ad and social platform statistics (CSV); bad records go to raw.marketing_rejects.",
}


def summarise(results: list[LoadResult]) -> dict[str, object]:
    """Totals over the partitions of one run, as materialization metadata."""
    read = sum(r.rows_read for r in results)
    rejected = sum(r.rows_rejected for r in results)
    reasons: Counter[str] = Counter()
    for r in results:
        reasons.update(r.reject_reasons)
    return {
        "partitions": len(results),
        "files": sum(r.files for r in results),
        "rows_read": read,
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": rejected,
        "reject_rate": (rejected / read) if read else 0.0,
        "missing_folders": sum(r.folder_missing for r in results),
        "blank_lines_skipped": sum(r.blank_lines for r in results),
        "reject_reasons": dict(reasons.most_common()),
        "unreadable_files": [name for r in results for name in r.unreadable_files],
    }


def partition_table(results: list[LoadResult]) -> str:
    """The run's partitions as a Markdown table (read, loaded, rejected per arrival day)."""
    rows = ["| arrival day | files | read | loaded | rejected |", "|---|---:|---:|---:|---:|"]
    for r in results:
        files = "no folder" if r.folder_missing else str(r.files)
        rows.append(
            f"| {r.partition} | {files} | {r.rows_read:,} | {r.rows_loaded:,} | {r.rows_rejected:,} |"
        )
    return "\n".join(rows)


def build_loader_asset(source: str, partitions_def: dg.TimeWindowPartitionsDefinition) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", source])
    check_name = "reject_rate_below_1pct"

    @dg.asset(
        key=key,
        group_name="raw",
        description=DESCRIPTIONS[source],
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "python"},
        check_specs=[
            dg.AssetCheckSpec(
                check_name,
                asset=key,
                description=(
                    "Warns when more than 1% of the rows read in the run were rejected, or when a "
                    "file could not be read at all (rejected whole as one row, so the rate alone "
                    "would hide it)."
                ),
            )
        ],
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        window = context.partition_time_window
        days = [window.start.date() + timedelta(days=i) for i in range((window.end - window.start).days)]
        step = f"raw__{source}"
        results = load_partitions(
            settings.duckdb_path,
            settings.landing_dir,
            source,
            days,
            log_fn=lambda message: console.info(f"{step}: {message}"),
            # Spark (contract §7): Parquet partitions under the lake, which dbt registers as raw.*
            lake_dir=settings.lake_dir if settings.on_spark else None,
        )
        totals = summarise(results)
        rate = float(totals["reject_rate"])  # type: ignore[arg-type]
        missing = int(totals["missing_folders"])  # type: ignore[call-overload]
        unreadable: list[str] = totals["unreadable_files"]  # type: ignore[assignment]
        unreadable_note = f"; {len(unreadable)} file(s) could not be read: {', '.join(unreadable)}"
        context.log.info(
            f"{source}: {totals['partitions']} partition(s), {totals['rows_read']:,} read, "
            f"{totals['rows_loaded']:,} loaded, {totals['rows_rejected']:,} rejected"
            + (f"; {missing} day(s) had no {source} folder and were loaded empty" if missing else "")
            + (unreadable_note if unreadable else "")
        )
        return dg.MaterializeResult(
            metadata={
                **{k: v for k, v in totals.items() if k not in ("reject_reasons", "unreadable_files")},
                "reject_rate": dg.MetadataValue.float(rate),
                "reject_reasons": dg.MetadataValue.json(totals["reject_reasons"]),
                "unreadable_files": dg.MetadataValue.json(unreadable),
                "by_partition": dg.MetadataValue.md(partition_table(results)),
                "dagster/row_count": int(totals["rows_loaded"]),  # type: ignore[arg-type]
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=check_name,
                    passed=rate <= REJECT_RATE_WARN_THRESHOLD and not unreadable,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "reject_rate": dg.MetadataValue.float(rate),
                        "rows_rejected": int(totals["rows_rejected"]),  # type: ignore[arg-type]
                        "rows_read": int(totals["rows_read"]),  # type: ignore[arg-type]
                        "unreadable_files": dg.MetadataValue.json(unreadable),
                    },
                )
            ],
        )

    _load.__name__ = f"raw_{source}"
    return _load


def build_loader_assets(partitions_def: dg.TimeWindowPartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [build_loader_asset(source, partitions_def) for source in SOURCES]
