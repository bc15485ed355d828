"""dbt models as Dagster assets: one multi-asset for the whole project, run once per refresh (in two
parts on Spark, around the Python models: see `dbt_models`)."""

import json
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

from orchestration.core.settings import DEFAULT_MEMORY_LIMIT, PROJECT_ROOT
from orchestration.resources import WarehouseResource
from orchestration.transform.dbt_args import WINDOW_ENV, dbt_build_args, window_from_run_tags
from orchestration.transform.dbt_parse import MANIFEST
from orchestration.transform.lake_python import run_python_models

# Why the dbt assets are not partitioned, although the loaders are: the models that read the
# arrival-day window (tag arrival_window) take it from the run's partition tags instead (a daily
# run's day, a backfill's range), and every other model finds its work by its own watermark.
# Partitioned dbt assets cost Dagster a planned and a materialization event per model and day,
# and splitting the project into a partitioned and an unpartitioned group cost a second dbt
# process per run (figures in bench/README.md).

# A plain description of the project; nothing runs here. The manifest is built by `dbt parse` in
# orchestration/transform/dbt_parse.py: by `make setup`, the `warehouse` command, the tests, and on load
# under `dagster dev` (definitions.py).
dbt_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=MANIFEST.parent)


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs this project does not need.

    Per invocation, dagster-dbt runs `dbt --version` in a subprocess and builds an in-process
    dbt adapter, seconds per run (bench/README.md). The version is that of the dbt-core
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
        # The schema the model is built in (staging, intermediate, marts, ...), so that moving a
        # model between folders of one schema keeps its asset key and history.
        return dbt_resource_props.get("schema") or "models"


def dbt_project_manifest() -> dict[str, Any]:
    with open(dbt_project.manifest_path, encoding="utf-8") as manifest:
        return json.load(manifest)


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


def build_dbt_assets() -> list[dg.AssetsDefinition]:
    """The dbt project as one multi-asset, whose run reads the partition window of its run."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        name="dbt_models",
        dagster_dbt_translator=translator,
    )
    def dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        """Every model, seed, snapshot and test. The models of the arrival window process the run's
        partitions (all arrival days when the run has none); the others their own changes."""
        window = window_from_run_tags(context.run.tags)
        if window is None:
            context.log.info("the run has no partitions: models of the arrival window read every day")
        args = dbt_build_args(None, warehouse.dbt_full_refresh)
        settings = warehouse.settings()
        if not settings.on_spark or context.is_subset:
            # (a subset chosen in the UI runs as one dbt command on Spark too: its Python models,
            # if any, then fail with dbt-spark's error, saying to materialize the whole job)
            yield from _run_dbt(context, dbt, warehouse, args, window)
            return
        # Spark: dbt-spark runs no Python models outside Databricks; the same model files run here
        # between the two parts (selectors.yml). --selector makes dbt ignore dagster-dbt's --select.
        yield from _run_dbt(context, dbt, warehouse, [*args, "--selector", "before_python"], window)
        run_python_models(
            dbt_project_manifest(),
            settings.lake_dir,
            say=context.log.info,
            memory_limit=os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        )
        yield from _run_dbt(context, dbt, warehouse, [*args, "--selector", "after_python"], window)

    return [dbt_models]
