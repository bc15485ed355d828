"""dbt's saved parse, kept current without importing Dagster or dbt (`make setup` calls it on
every `make demo` / `make test`, where importing them alone took ~8 s).

Every dbt run Dagster starts copies `target/partial_parse.msgpack` as its starting point, so a
saved parse made for the same profile and environment saves each of them a full re-parse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.core.settings import PROJECT_ROOT, Settings

# dbt's target folder: target/, or DBT_TARGET_PATH (as for dbt itself), e.g. to keep a second
# engine's parse beside the first (tests/test_spark_engine.py).
TARGET_DIR = Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_ROOT / "target").resolve()
MANIFEST = TARGET_DIR / "manifest.json"


def dbt_executable() -> str:
    """dbt from this environment's bin/ (so `python -m` and IDE runs work without PATH tweaks)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _newest_project_file() -> float:
    files = [PROJECT_ROOT / "dbt_project.yml", PROJECT_ROOT / "profiles.yml", PROJECT_ROOT / "selectors.yml"]
    for folder in ("dbt_project", "seeds"):
        files += [p for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files if p.exists())


def _profile_stamp() -> str:
    # dbt re-parses the whole project when its profile changes, and the profile holds the DuckDB
    # path: the stamp records which one the saved parse was made for.
    # The reporting currency and time zone are read while parsing: a parse made without them would
    # be partly redone by every dbt run of a refresh, which sets them.
    names = (
        "WAREHOUSE_DUCKDB_PATH",
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
        "WAREHOUSE_DBT_THREADS",
        "WAREHOUSE_SPARK_THREADS",
        "WAREHOUSE_REPORTING_CURRENCY",
        "WAREHOUSE_REPORTING_TIMEZONE",
        # the engine picks the profile's target (contract §7); the lake holds Spark's metastore
        "WAREHOUSE_ENGINE",
        "WAREHOUSE_LAKE_DIR",
    )
    return json.dumps({name: os.environ.get(name, "") for name in names}, sort_keys=True)


def manifest_is_readable(path: Path = MANIFEST) -> bool:
    """Whether `path` holds one whole JSON document (a parse killed or raced used to leave it with
    "unexpected content after document", and every later refresh failed on it)."""
    try:
        with open(path, "rb") as fh:
            json.load(fh)
    except (OSError, ValueError):
        return False
    return True


def prepare_dbt_manifest(force: bool = False) -> bool:
    """Run `dbt parse` unless the saved parse is whole, newer than every file of the dbt project
    and made with the same profile and parse-time settings (see `_profile_stamp`). Returns whether
    dbt ran.

    One parse at a time per project (a lock file in target/), and atomically: dbt writes into a
    folder of its own, whose files are then renamed over target/'s, the manifest last and the
    stamp after it. A reader sees the old parse or the new one, and a parse killed midway leaves
    the old one (and a stale stamp at worst, which only makes the next call parse again).
    """
    from orchestration.core.locking import FileLock

    # parse with the values every dbt run of a refresh is given (resources / prepare_environment)
    os.environ.update(Settings.from_env().dbt_env())
    target = MANIFEST.parent
    with FileLock(target / PARSE_LOCK, what="dbt parse", timeout=PARSE_LOCK_TIMEOUT_SECONDS, setting=None):
        stamp_file = MANIFEST.with_name(".parsed_for_profile.json")
        stamp = _profile_stamp()
        up_to_date = (
            MANIFEST.exists()
            and MANIFEST.stat().st_mtime > _newest_project_file()
            and stamp_file.exists()
            and stamp_file.read_text() == stamp
            and manifest_is_readable()
        )
        if up_to_date and not force:
            return False
        _parse_into(target)
        _write_atomically(stamp_file, stamp)
    return True


PARSE_LOCK = ".parse.lock"
# A parse takes well under a minute; waiting ten covers a slow machine without hanging forever.
PARSE_LOCK_TIMEOUT_SECONDS = 600.0
# What `dbt parse` writes that later runs read; the manifest goes last, as the up-to-date check
# reads its time.
PARSE_OUTPUTS = ("partial_parse.msgpack", "semantic_manifest.json", "perf_info.json", "manifest.json")


def _parse_into(target: Path) -> None:
    for leftover in target.glob(".parse-*"):  # of parses killed midway (we hold the lock)
        shutil.rmtree(leftover, ignore_errors=True)
    scratch = target / f".parse-{os.getpid()}"
    scratch.mkdir(parents=True)
    try:
        saved = target / "partial_parse.msgpack"
        if saved.exists():  # dbt's starting point, so an unchanged project parses in seconds
            shutil.copy2(saved, scratch / saved.name)
        # Our own `dbt parse` rather than dagster-dbt's preparer: its full parse saves seeds with
        # empty checksums, so every later run re-parsed the seeds and the models reading them.
        parse = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--profiles-dir",
                str(PROJECT_ROOT),
                "--target-path",
                str(scratch),
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        if parse.returncode != 0:
            raise RuntimeError(f"dbt parse failed (exit {parse.returncode}):\n{parse.stdout}{parse.stderr}")
        if not manifest_is_readable(scratch / "manifest.json"):
            raise RuntimeError(f"dbt parse wrote no readable manifest in {scratch}")
        for name in PARSE_OUTPUTS:
            if (scratch / name).exists():
                os.replace(scratch / name, target / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    scratch.write_text(text)
    os.replace(scratch, path)
