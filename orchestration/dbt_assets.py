"""dbt models as Dagster assets: the arrival-window models per daily partition, the rest whole."""

import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
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
from orchestration.settings import PROJECT_ROOT

# The partitioned group holds the models that read the arrival-day window (tag arrival_window:
# staged events, the sessionizer, the identity map, sessions and page views) and everything they
# read (seeds, staging tables), so a daily run refreshes their inputs first. The other group
# holds the models built from them, rebuilt whole or incremental by their own watermarks (the KPI
# inputs): they need no window, and as unpartitioned assets they cost Dagster one event per run
# instead of one per day of a backfill. Splitting purely by materialization would make the groups
# depend on each other in both directions, which Dagster resolves by running dbt more than twice.
PARTITIONED_SELECTOR = "+tag:arrival_window"

# A plain description of the project; nothing runs here. The manifest is built by `dbt parse` in
# orchestration/dbt_parse.py: by `make setup`, the `warehouse` command, the tests, and on load
# under `dagster dev` (definitions.py).
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
