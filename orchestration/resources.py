"""Dagster resources: where the warehouse lives, read when a run needs it (never at import)."""

import os

import dagster as dg
from pydantic import PrivateAttr

from orchestration.core.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse's files and reporting settings (contract §1).

    Every field left empty falls back to its environment variable, then to the contract default.
    dbt reads the same values from the environment, so `export_for_dbt()` is called before dbt runs
    to hand it the resolved, absolute paths.
    """

    landing_dir: str | None = None
    duckdb_path: str | None = None
    serving_path: str | None = None
    # Rebuild incremental models from all history (dbt --full-refresh) instead of the run's window.
    # A resource setting rather than op config, so it reaches every dbt step of a run whatever
    # steps Dagster splits the dbt project into.
    dbt_full_refresh: bool = False

    def settings(self) -> Settings:
        env = dict(os.environ)
        for name, value in (
            ("WAREHOUSE_LANDING_DIR", self.landing_dir),
            ("WAREHOUSE_DUCKDB_PATH", self.duckdb_path),
            ("WAREHOUSE_SERVING_PATH", self.serving_path),
        ):
            if value:
                env[name] = value
        return Settings.from_env(env)

    # The refresh lock (orchestration/core/locking.py), held from the start of a run to its end. Taken
    # here because every step of every run needs this resource, so runs launched from the UI, by
    # the schedule or by the `warehouse` command all wait for each other the same way.
    _lock: object | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from orchestration.core.locking import refresh_lock

        run_id = context.run.run_id if context.run is not None else "?"
        say = context.log.info if context.log is not None else print
        lock = refresh_lock(self.settings().duckdb_path, say=say, command=f"Dagster run {run_id}")
        lock.acquire()  # raises LockTimeout naming the running refresh; the run then fails
        self._lock = lock

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()  # type: ignore[attr-defined]
            self._lock = None

    def export_for_dbt(self) -> Settings:
        settings = self.settings()
        os.environ.update(settings.dbt_env())
        return settings
