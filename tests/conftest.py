"""Shared fixtures.

dbt runs against one absolute DuckDB path per test process (changing it forces dbt to re-parse the
whole project), so tests that run dbt share `warehouse_settings` and start from a clean file with
`fresh_warehouse`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from orchestration.settings import Settings

SAMPLE_START = date(2026, 10, 1)


@pytest.fixture(scope="session")
def warehouse_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    from orchestration.dbt_assets import prepare_dbt_manifest
    from orchestration.refresh import prepare_environment

    root = tmp_path_factory.mktemp("warehouse")
    env = {
        "WAREHOUSE_LANDING_DIR": str(root / "landing"),
        "WAREHOUSE_DUCKDB_PATH": str(root / "warehouse.duckdb"),
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
