"""The Dagster code location: loaders, dbt models, publication, the daily job and its schedule.

Definitions are built by `build_definitions()` when Dagster (or the `warehouse` command) loads
them, never at import time, so settings come from the environment of the process that loads them.
"""

import os

import dagster as dg

from orchestration.core.partitions import daily_partitions
from orchestration.core.progress import progress_logger
from orchestration.core.settings import DEFAULT_MEMORY_LIMIT, Settings
from orchestration.ingest.raw_assets import build_loader_assets
from orchestration.resources import WarehouseResource
from orchestration.serve.lake_publish import SERVING_FOLDER, publish_from_lake
from orchestration.serve.publish import publish_serving_file
from orchestration.serve.report import build_report
from orchestration.transform.dbt_assets import (
    WarehouseDbtCliResource,
    build_dbt_assets,
    dbt_project,
    dbt_project_manifest,
)
from orchestration.transform.dbt_parse import dbt_executable, manifest_is_readable, prepare_dbt_manifest

DAILY_JOB = "daily_refresh"
PUBLISH_KEY = dg.AssetKey(["serving", "published_marts"])


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        group_name="serving",
        deps=upstream,
        kinds={"duckdb"},
        description=(
            "The marts copied to WAREHOUSE_SERVING_PATH for BI tools, by write-then-rename. Runs only "
            "after every model upstream was built and its blocking tests passed."
        ),
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        settings = warehouse.settings()
        if settings.on_spark:
            # contract §7: Parquet under <lake>/serving/, and the serving file made from it
            result = publish_from_lake(
                dbt_project_manifest(),
                settings.lake_dir,
                settings.serving_path,
                run_id=context.run_id,
                memory_limit=os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
            )
            context.log.info(f"marts written as Parquet under {settings.lake_dir / SERVING_FOLDER}")
        else:
            result = publish_serving_file(
                settings.duckdb_path,
                settings.serving_path,
                run_id=context.run_id,
                # a full refresh rewrites every row: nothing to gain from changing a copy
                allow_delta=not warehouse.dbt_full_refresh,
            )
        timings = ", ".join(f"{part} {value:.1f} s" for part, value in result.seconds.items() if value)
        how = {
            "copy": "delta on a byte copy of the serving file",
            "previous": "delta on the file the last publication replaced",
        }.get(result.base, "full copy")
        context.log.info(
            f"published {len(result.tables)} tables to {result.path} ({how}"
            + (
                f", {result.rows_replaced:,} rows of the event-grain marts replaced"
                if result.method == "delta"
                else ""
            )
            + f"; {timings})"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "tables": dg.MetadataValue.json(result.tables),
                "published_at": result.published_at.isoformat(),
                "method": result.method,
                "base": result.base,
                "rows_replaced": result.rows_replaced,
                "seconds": dg.MetadataValue.json(result.seconds),
            }
        )

    return published_marts


REPORT_KEY = dg.AssetKey(["serving", "kpi_report"])


@dg.asset(
    key=REPORT_KEY,
    group_name="serving",
    deps=[PUBLISH_KEY],
    kinds={"html"},
    description=(
        "A self-contained HTML report (scorecard, KPI trends, segments, funnel, cohorts) built from the "
        "serving file, next to it as kpi_report.html unless WAREHOUSE_REPORT_PATH says otherwise."
    ),
)
def kpi_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    result = build_report(settings.serving_path, settings.kpi_report_path)
    context.log.info(f"KPI report written to {result.path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(result.path))})


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    partitions = daily_partitions(settings.start_date)
    loader_assets = build_loader_assets(partitions)
    dbt_assets_defs = build_dbt_assets()
    dbt_keys = [key for assets_def in dbt_assets_defs for key in assets_def.keys]
    publish = build_publish_asset(dbt_keys)

    daily_job = dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        description=(
            "Load the arrival day's landing partitions, build and test the dbt models for that window, "
            "and publish the serving file. Backfills of a date range run as one run."
        ),
        tags={"dagster/max_retries": "0"},
    )
    schedule = dg.build_schedule_from_partitioned_job(
        daily_job,
        name="daily_refresh_schedule",
        hour_of_day=2,
        minute_of_hour=30,
        description="Every day at 02:30 UTC, refresh the previous (complete) arrival day.",
    )
    return dg.Definitions(
        assets=[*loader_assets, *dbt_assets_defs, publish, kpi_report],
        jobs=[daily_job],
        schedules=[schedule],
        resources={
            "dbt": WarehouseDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
            "warehouse": WarehouseResource(),
        },
        # DuckDB takes one writer per file: every step of a run shares one process, one at a time.
        executor=dg.in_process_executor,
        loggers={"console": dg.default_loggers()["console"], "progress": progress_logger},
    )


@dg.definitions
def defs() -> dg.Definitions:
    # `dagster dev` (DAGSTER_IS_DEV_CLI) picks up edits to the dbt project; any code server
    # rebuilds a missing or unreadable manifest rather than failing to load.
    if os.getenv("DAGSTER_IS_DEV_CLI") or not manifest_is_readable():
        # Our parse, not dbt_project.prepare_if_dev(): dagster-dbt's preparer saves seeds without
        # checksums, which makes every later dbt run re-parse them (see orchestration/transform/dbt_parse.py).
        prepare_dbt_manifest()
    return build_definitions()
