"""Warehouse settings: the environment variables of the contract (§1), resolved once.

Nothing here runs at import time. Callers build a `Settings` when they need one, so a test or a
CLI flag can point the warehouse somewhere else without touching the process environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

# The project root holds dbt_project.yml; relative paths in settings resolve against it, not the
# caller's working directory, so `warehouse` behaves the same from any folder.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# First day of the embedded sample data (kept in step with orchestration.sample.DEFAULT_START): the default
# first daily partition, so the demo's partitions line up with the data it generates.
SAMPLE_START = date(2026, 10, 1)
# Contract §1 defaults of the CLV validation holdout and the shortest history CLV is predicted on.
DEFAULT_CLV_HOLDOUT_DAYS = 90
DEFAULT_CLV_MIN_HISTORY_DAYS = 90
# Contract §4 "Attribution": how far before a purchase a touch may start and still be credited.
DEFAULT_ATTRIBUTION_LOOKBACK_DAYS = 30
# WAREHOUSE_DUCKDB_MEMORY_LIMIT when unset; profiles.yml gives dbt the same default.
DEFAULT_MEMORY_LIMIT = "4GB"
# Contract §7: the engines the same dbt project and Dagster job run on.
ENGINES = ("duckdb", "spark")


def _days(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(f"{name}={raw!r} is not a whole number of days of at least {minimum}")
    return value


def _path(value: str, root: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (root / path)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    duckdb_path: Path
    serving_path: Path
    start_date: date = SAMPLE_START
    report_path: Path | None = None
    reporting_currency: str = "USD"
    reporting_timezone: str = "UTC"
    clv_holdout_days: int = DEFAULT_CLV_HOLDOUT_DAYS
    clv_min_history_days: int = DEFAULT_CLV_MIN_HISTORY_DAYS
    attribution_lookback_days: int = DEFAULT_ATTRIBUTION_LOOKBACK_DAYS
    # WAREHOUSE_ENGINE: where dbt builds (contract §7); on Spark the raw partitions, the tables and
    # the serving Parquet live under lake_dir (WAREHOUSE_LAKE_DIR).
    engine: str = "duckdb"
    lake_dir: Path = field(default=PROJECT_ROOT / "data" / "lake")
    project_root: Path = field(default=PROJECT_ROOT)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> Settings:
        env = os.environ if env is None else env
        start = env.get("WAREHOUSE_START_DATE")
        try:
            start_date = date.fromisoformat(start) if start else SAMPLE_START
        except ValueError as exc:
            raise ValueError(
                f"WAREHOUSE_START_DATE={start!r} is not a date; use the form YYYY-MM-DD"
            ) from exc
        currency = env.get("WAREHOUSE_REPORTING_CURRENCY", "USD").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise ValueError(
                f"WAREHOUSE_REPORTING_CURRENCY={currency!r} is not an ISO 4217 code such as USD or KRW"
            )
        engine = env.get("WAREHOUSE_ENGINE", "duckdb").strip().lower() or "duckdb"
        if engine not in ENGINES:
            raise ValueError(f"WAREHOUSE_ENGINE={engine!r} is not one of {', '.join(ENGINES)}")
        return cls(
            landing_dir=_path(env.get("WAREHOUSE_LANDING_DIR", "data/landing"), root),
            duckdb_path=_path(env.get("WAREHOUSE_DUCKDB_PATH", "data/warehouse.duckdb"), root),
            serving_path=_path(env.get("WAREHOUSE_SERVING_PATH", "data/serving.duckdb"), root),
            report_path=_path(env["WAREHOUSE_REPORT_PATH"], root)
            if env.get("WAREHOUSE_REPORT_PATH")
            else None,
            start_date=start_date,
            reporting_currency=currency,
            reporting_timezone=env.get("WAREHOUSE_REPORTING_TIMEZONE", "UTC").strip() or "UTC",
            # a holdout of 0 days would leave the calibration fit nothing to be checked against
            clv_holdout_days=_days(env, "WAREHOUSE_CLV_HOLDOUT_DAYS", DEFAULT_CLV_HOLDOUT_DAYS, 1),
            clv_min_history_days=_days(
                env, "WAREHOUSE_CLV_MIN_HISTORY_DAYS", DEFAULT_CLV_MIN_HISTORY_DAYS, 0
            ),
            # 0 is allowed: then only the converting session (and touches at the purchase) count
            attribution_lookback_days=_days(
                env, "WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS", DEFAULT_ATTRIBUTION_LOOKBACK_DAYS, 0
            ),
            engine=engine,
            lake_dir=_path(env.get("WAREHOUSE_LAKE_DIR", "data/lake"), root),
            project_root=root,
        )

    @property
    def kpi_report_path(self) -> Path:
        """Where the HTML KPI report goes: WAREHOUSE_REPORT_PATH, else next to the serving file."""
        return self.report_path or self.serving_path.with_name("kpi_report.html")

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt's profile and vars read, always absolute, so a dbt run started from
        any folder writes the same file (and partial parsing is not invalidated by a changing path)."""
        return {
            "WAREHOUSE_DUCKDB_PATH": str(self.duckdb_path),
            "WAREHOUSE_REPORTING_CURRENCY": self.reporting_currency,
            "WAREHOUSE_REPORTING_TIMEZONE": self.reporting_timezone,
            "WAREHOUSE_CLV_HOLDOUT_DAYS": str(self.clv_holdout_days),
            "WAREHOUSE_CLV_MIN_HISTORY_DAYS": str(self.clv_min_history_days),
            "WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS": str(self.attribution_lookback_days),
            "WAREHOUSE_ENGINE": self.engine,
            "WAREHOUSE_LAKE_DIR": str(self.lake_dir),
        }

    @property
    def on_spark(self) -> bool:
        return self.engine == "spark"
