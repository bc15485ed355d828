"""Shared fixtures.

dbt runs against one absolute DuckDB path per test process (changing it forces dbt to re-parse the
whole project), so tests that run dbt share `warehouse_settings` and start from a clean file with
`fresh_warehouse`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from orchestration import generator
from orchestration.refresh import RefreshOutcome, run_refresh
from orchestration.settings import Settings

SAMPLE_START = date(2026, 10, 1)
# The generated sample the pipeline tests share: small enough to refresh day by day in CI.
DAYS = 3
START = SAMPLE_START
# How `built` refreshes it before the full refresh: a two-day window (a backfill range), then the
# last day incrementally on top. One run fewer than day by day keeps CI inside its 15 minutes.
LAST_DAY = START + timedelta(days=DAYS - 1)
INCREMENTAL_WINDOWS = [(START, LAST_DAY - timedelta(days=1)), (LAST_DAY, LAST_DAY)]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fault tests kill refreshes of the shared sample and recover it: they run last."""
    items.sort(key=lambda item: item.path.name == "test_faults.py")


@pytest.fixture(scope="session")
def warehouse_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    from orchestration.dbt_parse import prepare_dbt_manifest
    from orchestration.refresh import prepare_environment

    root = tmp_path_factory.mktemp("warehouse")
    env = {
        "WAREHOUSE_LANDING_DIR": str(root / "landing"),
        # in a folder of its own, so a fault test can mount a small disk over it
        "WAREHOUSE_DUCKDB_PATH": str(root / "work" / "warehouse.duckdb"),
        "WAREHOUSE_SERVING_PATH": str(root / "serving" / "serving.duckdb"),
        "WAREHOUSE_START_DATE": SAMPLE_START.isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("WAREHOUSE_REPORTING_TIMEZONE", raising=False)
        mp.delenv("WAREHOUSE_REPORTING_CURRENCY", raising=False)
        settings = Settings.from_env()
        prepare_environment(settings)
        prepare_dbt_manifest()
        yield settings


@pytest.fixture
def fresh_warehouse(warehouse_settings: Settings) -> Settings:
    """The shared settings with an empty landing zone, working file and serving file."""
    s = warehouse_settings
    shutil.rmtree(s.landing_dir, ignore_errors=True)
    s.landing_dir.mkdir(parents=True)
    for path in (s.duckdb_path, s.serving_path):
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
    return s


@dataclass
class Built:
    settings: Settings
    sample: generator.GenerateSummary
    daily_outcomes: list[RefreshOutcome]
    full_outcome: RefreshOutcome
    incremental_copy: Path
    incremental_serving_copy: Path


@pytest.fixture(scope="session")
def built(warehouse_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample refreshed window by window (INCREMENTAL_WINDOWS; kept as a copy), then fully
    refreshed."""
    s = warehouse_settings
    shutil.rmtree(s.landing_dir, ignore_errors=True)
    for path in (s.duckdb_path, s.serving_path):
        path.unlink(missing_ok=True)
    sample = generator.generate(s.landing_dir, days=DAYS, customers=150, seed=7, start=START)

    daily = []
    for first, last in INCREMENTAL_WINDOWS:
        daily.append(run_refresh(s, first, last, echo=lambda _: None))
    keep = tmp_path_factory.mktemp("incremental")
    incremental_copy = Path(shutil.copy(s.duckdb_path, keep / "incremental.duckdb"))
    serving_copy = Path(shutil.copy(s.serving_path, keep / "serving.duckdb"))

    full = run_refresh(s, full_refresh=True, echo=lambda _: None)
    return Built(s, sample, daily, full, incremental_copy, serving_copy)
