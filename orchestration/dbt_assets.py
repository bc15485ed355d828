"""dbt models as Dagster assets: the arrival-window models per daily partition, the rest whole."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import dbt.version
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from orchestration.dbt_args import WINDOW_ENV, dbt_build_args, partition_window_env
from orchestration.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT, Settings

# The partitioned group holds the models that read the arrival-day window (tag arrival_window:
# staged events, the sessionizer, the identity map, sessions and page views) and everything they
# read (seeds, staging tables), so a daily run refreshes their inputs first. The other group
# holds the models built from them, rebuilt whole or incremental by their own watermarks (the KPI
# inputs): they need no window, and as unpartitioned assets they cost Dagster one event per run
# instead of one per day of a backfill. Splitting purely by materialization would make the groups
# depend on each other in both directions, which Dagster resolves by running dbt more than twice.
PARTITIONED_SELECTOR = "+tag:arrival_window"

# A plain description of the project; nothing runs here. The manifest is built by `dbt parse`:
# on load under `dagster dev` (prepare_if_dev in definitions.py), by `prepare_dbt_manifest()`
# for the `warehouse` command and the tests.
dbt_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs this project does not need.

    Per invocation, dagster-dbt runs `dbt --version` in a subprocess and builds an in-process
    dbt adapter, about 13 s together on our machines. The version is that of the dbt-core
    installed beside us, and the adapter only serves row-count and column metadata, which we do
    not fetch (it would also open the DuckDB file while dbt writes it). Both are private hooks of
    the dagster-dbt pinned in uv.lock; tests/test_definitions.py fails if they disappear.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt.version.__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_executable() -> str:
    """dbt from this environment's bin/ (so `python -m` and IDE runs work without PATH tweaks)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _newest_project_file() -> float:
    root = dbt_project.project_dir
    files = [root / "dbt_project.yml", root / "profiles.yml"]
    for folder in ("dbt_project", "seeds"):
        files += [p for p in (root / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files if p.exists())


def _profile_stamp() -> str:
    # dbt re-parses the whole project when its profile changes, and the profile holds the DuckDB
    # path: the stamp records which one the saved parse was made for.
    # The reporting currency and time zone are read while parsing: a parse made without them would
    # be partly redone (17 files, ~4 s) by every dbt run of a refresh, which sets them.
    names = (
        "WAREHOUSE_DUCKDB_PATH",
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
        "WAREHOUSE_REPORTING_CURRENCY",
        "WAREHOUSE_REPORTING_TIMEZONE",
    )
    return json.dumps({name: os.environ.get(name, "") for name in names}, sort_keys=True)


def prepare_dbt_manifest(force: bool = False) -> bool:
    """Run `dbt parse` unless the saved parse is newer than every file of the dbt project and was
    made for the same profile (DuckDB path).

    Returns whether dbt ran. Every dbt run Dagster starts copies the saved parse as its starting
    point, so keeping it current for this process's profile saves each of them a full re-parse.
    """
    # parse with the values every dbt run of a refresh is given (resources / prepare_environment)
    os.environ.update(Settings.from_env().dbt_env())
    manifest = dbt_project.manifest_path
    stamp_file = manifest.with_name(".parsed_for_profile.json")
    stamp = _profile_stamp()
    up_to_date = (
        manifest.exists()
        and manifest.stat().st_mtime > _newest_project_file()
        and stamp_file.exists()
        and stamp_file.read_text() == stamp
    )
    if up_to_date and not force:
        return False
    # Our own `dbt parse` rather than dagster-dbt's preparer: its full parse saves seeds with empty
    # checksums, so every later run re-parsed the seeds and the models reading them (~4 s each).
    parse = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(dbt_project.profiles_dir)],
        cwd=dbt_project.project_dir,
        capture_output=True,
        text=True,
    )
    if parse.returncode != 0:
        raise RuntimeError(f"dbt parse failed (exit {parse.returncode}):\n{parse.stdout}{parse.stderr}")
    stamp_file.write_text(stamp)
    return True


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Ties dbt sources to the loader assets and names groups and keys after the project's folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # Sources read raw.<table>, which the loader asset raw/<table> writes.
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        folders = fqn[1:-1] if dbt_resource_props["resource_type"] == "model" else []
        return "_".join(folders) or self._layer(dbt_resource_props)

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "reference"
        if resource_type == "snapshot":
            return "snapshots"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "models"


translator = WarehouseDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _run_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    args: list[str],
    window: dict[str, str] | None = None,
) -> Iterator[Any]:
    """Run dbt with the warehouse settings and the partition window in its environment (dbt's
    subprocess inherits ours); a run without a window must not inherit a previous run's."""
    warehouse.export_for_dbt()
    for name in WINDOW_ENV:
        os.environ.pop(name, None)
    os.environ.update(window or {})
    described = f" for arrival days {window[WINDOW_ENV[0]]}..{window[WINDOW_ENV[1]]}" if window else ""
    context.log.info(f"dbt {' '.join(args)}{described}")
    try:
        yield from dbt.cli(args, context=context).stream()
    finally:
        for name in WINDOW_ENV:
            os.environ.pop(name, None)


def build_dbt_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The two dbt asset groups: the models of the arrival window and their inputs (daily
    partitions, one run per backfill range), and everything built from them."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        select=PARTITIONED_SELECTOR,
        name="dbt_incremental_models",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=translator,
    )
    def dbt_incremental_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        """The models that read the arrival window (and their inputs), for the selected days."""
        window = context.partition_time_window
        days = partition_window_env(window.start, window.end)
        yield from _run_dbt(context, dbt, warehouse, dbt_build_args(None, warehouse.dbt_full_refresh), days)

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        exclude=PARTITIONED_SELECTOR,
        name="dbt_models",
        dagster_dbt_translator=translator,
    )
    def dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        """Models built from the partitioned ones: tables rebuilt whole, and incremental models
        that find what changed by their own watermarks."""
        yield from _run_dbt(context, dbt, warehouse, dbt_build_args(None, warehouse.dbt_full_refresh))

    return [dbt_incremental_models, dbt_models]
