from datetime import UTC, datetime

import dagster as dg
import pytest

from orchestration.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning")


@pytest.fixture(scope="module")
def defs(warehouse_settings: Settings) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions(warehouse_settings)


def test_definitions_load_and_validate(defs: dg.Definitions):
    dg.Definitions.validate_loadable(defs)


def test_lazy_entry_point_loads(warehouse_settings: Settings):
    from orchestration.definitions import defs as lazy_defs

    assert lazy_defs().resolve_job_def("daily_refresh") is not None


def test_assets_and_lineage(defs: dg.Definitions):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for source in ("events", "orders", "surveys", "customers", "marketing"):
        assert f"raw/{source}" in keys
    assert {"staging/stg_tracking__events", "reference/page_types", "serving/published_marts"} <= keys
    # dbt sources are the loader assets, not separate external assets
    parents = graph.get(dg.AssetKey(["staging", "stg_tracking__events"])).parent_keys
    assert parents == {dg.AssetKey(["raw", "events"])}
    # publication waits for every model
    publish_parents = graph.get(dg.AssetKey(["serving", "published_marts"])).parent_keys
    assert dg.AssetKey(["staging", "stg_shop__order_lines"]) in publish_parents
    assert dg.AssetKey(["staging", "stg_tracking__events"]) in publish_parents


def test_groups_follow_folders(defs: dg.Definitions):
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["staging", "stg_tracking__events"])).group_name == "staging_tracking"
    assert graph.get(dg.AssetKey(["raw", "events"])).group_name == "raw"
    assert graph.get(dg.AssetKey(["reference", "fx_rates"])).group_name == "reference"


def test_partitioning_and_backfill_policy(defs: dg.Definitions):
    graph = defs.resolve_asset_graph()
    loader = graph.get(dg.AssetKey(["raw", "events"]))
    assert loader.partitions_def is not None
    assert loader.partitions_def.get_first_partition_key() == "2026-10-01"
    assert loader.backfill_policy == dg.BackfillPolicy.single_run()
    # the dbt models are one unpartitioned step per run: the window models read the run's
    # partition tags (orchestration.dbt_args.window_from_run_tags), the rest their watermarks
    for key in (["staging", "stg_tracking__events"], ["marts", "fct_sessions"], ["metrics", "kpi_metrics"]):
        assert graph.get(dg.AssetKey(key)).partitions_def is None
    dbt_steps = {
        assets_def.node_def.name
        for assets_def in defs.assets
        if isinstance(assets_def, dg.AssetsDefinition)
        and dg.AssetKey(["marts", "fct_sessions"]) in assets_def.keys
    }
    assert dbt_steps == {"dbt_models"}


def test_dbt_tests_are_asset_checks(defs: dg.Definitions):
    check_keys = {str(k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_stg_tracking__events_event_id" in check_keys
    assert "reject_rate_below_1pct" in check_keys


@pytest.mark.parametrize(
    ("tick", "expected_partition"),
    [
        (datetime(2026, 10, 6, 2, 30, tzinfo=UTC), "2026-10-05"),
        (datetime(2026, 11, 1, 2, 30, tzinfo=UTC), "2026-10-31"),
    ],
)
def test_schedule_refreshes_the_previous_day(defs: dg.Definitions, tick: datetime, expected_partition: str):
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "30 2 * * *"
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        result = schedule.evaluate_tick(context)
    assert [r.partition_key for r in result.run_requests] == [expected_partition]


def test_dbt_start_up_hooks_we_override_still_exist():
    # WarehouseDbtCliResource skips `dbt --version` and the in-process adapter through these
    # private members of dagster-dbt; if an upgrade renames them, the override silently stops
    # working, so fail here instead.
    from dagster_dbt import DbtCliResource

    from orchestration.dbt_assets import WarehouseDbtCliResource

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert hasattr(DbtCliResource, name), name
    resource = WarehouseDbtCliResource(project_dir=str(PROJECT_ROOT))
    assert resource._cli_version.major == 1
    assert resource._initialize_dbt_core_adapter(["build"]) is None
