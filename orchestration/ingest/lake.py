"""Spark's landing of the raw partitions (contract §7): Parquet files under WAREHOUSE_LAKE_DIR.

With WAREHOUSE_ENGINE=spark the loaders frame and check each partition exactly as they do for
DuckDB (the same rejects and counts), in an in-memory DuckDB, and then write it as hive-partitioned
Parquet instead of into the working file:

    <lake>/raw/<source>/_partition_date=YYYY-MM-DD/part-0.parquet           the loaded rows
    <lake>/raw/<source>_rejects/partition_date=YYYY-MM-DD/part-0.parquet    the rejects

dbt registers the folders as the tables `raw.<source>` and `raw.<source>_rejects` when it starts
(macro `register_lake_tables`, an on-run-start hook). Every loaded day has a file, an empty one
for a day without records, so Spark can always read the table's columns from the files.

Timestamps are written as UTC instants (DuckDB `timestamptz`): Spark reads a naive Parquet
timestamp as `timestamp_ntz`, which the models' contracts refuse.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.checks import quote_literal, sql_name
from orchestration.ingest.contract import CONTRACT

RAW_FOLDER = "raw"
PARQUET_FILE = "part-0.parquet"


def raw_partition_folder(lake_dir: Path, table: str, day: date) -> Path:
    """The folder of one arrival day of raw.<table> (a source or its rejects)."""
    column = "partition_date" if table.endswith("_rejects") else "_partition_date"
    return lake_dir / RAW_FOLDER / table / f"{column}={day.isoformat()}"


def connect_scratch(lake_dir: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for checking partitions; it spills under the lake, never to the
    working file (which Spark mode does not use)."""
    scratch = lake_dir / ".duckdb_tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit, "temp_directory": str(scratch)})
    con.execute("set TimeZone = 'UTC'")
    return con


def _as_instant(name: str, type_: str) -> str:
    return f"cast({name} as timestamptz) as {name}" if type_ == "timestamp" else name


def loaded_select(source: str) -> str:
    """The loaded rows of the checked partition (temp table `checked`), as the Parquet columns."""
    columns = [_as_instant(sql_name(c.name), c.type) for c in CONTRACT[source].columns]
    columns += ["_source_file", "_line_number", "cast($loaded_at as timestamptz) as _loaded_at"]
    return (
        f"select {', '.join(columns)} from checked where _reason is null order by _source_file, _line_number"
    )


REJECTS_SELECT = """
    select _source_file as source_file, _line_number as line_number, _raw_text as raw_text,
        _reason as reason, cast($loaded_at as timestamptz) as loaded_at
    from checked where _reason is not null order by _source_file, _line_number
"""


def write_parquet(con: duckdb.DuckDBPyConnection, select: str, params: dict, folder: Path) -> int:
    """Write a query's rows as `folder/part-0.parquet` (folder made fresh); returns the rows written."""
    folder.mkdir(parents=True)
    target = quote_literal(str(folder / PARQUET_FILE))
    con.execute(f"copy ({select}) to {target} (format parquet, compression zstd)", params).fetchall()
    # fetchall, not fetchone: DuckDB keeps a result open until it is read to the end, and then
    # refuses some later work on the connection (unregistering a frame, for one)
    ((rows,),) = con.execute(f"select count(*) from read_parquet({target})").fetchall()
    return rows


def staging_folder(parent: Path) -> Path:
    """A new folder name beside the final one; Spark and DuckDB skip names starting with a dot."""
    return parent / f".staging-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def swap_in(staged: Path, final: Path) -> None:
    """Put a fully written folder in place of `final` (a rename each; a reader lists either the old
    folder or the new one, never a part-written file)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    retired = final.parent / f".retired-{final.name}-{uuid.uuid4().hex[:12]}"
    if final.exists():
        os.rename(final, retired)
    os.rename(staged, final)
    shutil.rmtree(retired, ignore_errors=True)


def remove_stale_staging(folder: Path) -> None:
    """Staging folders left by a load that died before its swap (never read by anyone)."""
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.startswith((".staging-", ".retired-")):
                shutil.rmtree(entry, ignore_errors=True)
