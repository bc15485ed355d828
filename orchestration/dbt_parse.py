"""dbt's saved parse, kept current without importing Dagster or dbt (`make setup` calls it on
every `make demo` / `make test`, where importing them alone took ~8 s).

Every dbt run Dagster starts copies `target/partial_parse.msgpack` as its starting point, so a
saved parse made for the same profile and environment saves each of them a full re-parse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import PROJECT_ROOT, Settings

MANIFEST = PROJECT_ROOT / "target" / "manifest.json"


def dbt_executable() -> str:
    """dbt from this environment's bin/ (so `python -m` and IDE runs work without PATH tweaks)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _newest_project_file() -> float:
    files = [PROJECT_ROOT / "dbt_project.yml", PROJECT_ROOT / "profiles.yml"]
    for folder in ("dbt_project", "seeds"):
        files += [p for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files if p.exists())


def _profile_stamp() -> str:
    # dbt re-parses the whole project when its profile changes, and the profile holds the DuckDB
    # path: the stamp records which one the saved parse was made for.
    # The reporting currency and time zone are read while parsing: a parse made without them would
    # be partly redone (17 files, ~4 s) by every dbt run of a refresh, which sets them.
    names = (
        "WAREHOUSE_DUCKDB_PATH",
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
        "WAREHOUSE_DBT_THREADS",
        "WAREHOUSE_REPORTING_CURRENCY",
        "WAREHOUSE_REPORTING_TIMEZONE",
    )
    return json.dumps({name: os.environ.get(name, "") for name in names}, sort_keys=True)


def prepare_dbt_manifest(force: bool = False) -> bool:
    """Run `dbt parse` unless the saved parse is newer than every file of the dbt project and was
    made with the same profile and parse-time settings (see `_profile_stamp`). Returns whether
    dbt ran."""
    # parse with the values every dbt run of a refresh is given (resources / prepare_environment)
    os.environ.update(Settings.from_env().dbt_env())
    stamp_file = MANIFEST.with_name(".parsed_for_profile.json")
    stamp = _profile_stamp()
    up_to_date = (
        MANIFEST.exists()
        and MANIFEST.stat().st_mtime > _newest_project_file()
        and stamp_file.exists()
        and stamp_file.read_text() == stamp
    )
    if up_to_date and not force:
        return False
    # Our own `dbt parse` rather than dagster-dbt's preparer: its full parse saves seeds with empty
    # checksums, so every later run re-parsed the seeds and the models reading them (~4 s each).
    parse = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(PROJECT_ROOT)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if parse.returncode != 0:
        raise RuntimeError(f"dbt parse failed (exit {parse.returncode}):\n{parse.stdout}{parse.stderr}")
    stamp_file.write_text(stamp)
    return True
