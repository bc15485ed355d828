"""Load one landing partition of one source into `raw.<source>`, with rejects beside it.

Contract §2: every record read is either loaded into `raw.<source>` or written to
`raw.<source>_rejects` with its file, line number, raw text and reason; re-loading a partition
replaces it in one transaction, so a failed load leaves the previous state of that partition.

Python frames the files (see `framing.py`); DuckDB parses and checks every field in one set-based
query per partition (`checks.py`), which is where the work is on large extracts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.core.failpoints import pause_point
from orchestration.core.settings import DEFAULT_MEMORY_LIMIT
from orchestration.ingest import lake
from orchestration.ingest.checks import checking_sql, quote_literal, sql_name
from orchestration.ingest.contract import (
    CONTRACT,
    PARTITION_PREFIX,
    SOURCES,
    partition_folder,
)
from orchestration.ingest.framing import FramedRecords, LoadError, frame_csv, frame_jsonl, list_files

__all__ = ["LoadError", "LoadResult", "SOURCES", "load_partition", "load_partitions", "landing_partitions"]

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = """
    _source_file varchar not null,
    _line_number bigint not null,
    _partition_date date not null,
    _loaded_at timestamp not null
"""


@dataclass(frozen=True)
class LoadResult:
    source: str
    partition: date
    files: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    blank_lines: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)
    folder_missing: bool = False
    # files rejected whole, one reject row each (framing.FramedRecords.reject_file)
    unreadable_files: tuple[str, ...] = ()

    @property
    def reject_rate(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


# --- schema ---------------------------------------------------------------------------------------


def raw_columns(source: str) -> list[str]:
    return [sql_name(c.name) for c in CONTRACT[source].columns]


def raw_table_columns(source: str) -> str:
    """The column definitions of raw.<source>: the contract's columns, types and required ones."""
    return "".join(
        f"{sql_name(c.name)} {c.type}{' not null' if c.required else ''}, " for c in CONTRACT[source].columns
    )


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and rejects tables if they are missing (idempotent)."""
    con.execute("create schema if not exists raw")
    for source in SOURCES:
        con.execute(f"create table if not exists raw.{source} ({raw_table_columns(source)}{LINEAGE_COLUMNS})")
        con.execute(
            f"""create table if not exists raw.{source}_rejects (
                partition_date date not null,
                source_file varchar not null,
                line_number bigint not null,
                raw_text varchar,
                reason varchar not null,
                loaded_at timestamp not null
            )"""
        )


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # the same ceiling dbt's profile sets: past it DuckDB spills to <file>.tmp instead of failing
    limit = os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    con = duckdb.connect(str(db_path), config={"memory_limit": limit})
    con.execute("set TimeZone = 'UTC'")
    return con


# --- loading --------------------------------------------------------------------------------------


FRAMED_COLUMNS = """
    _source_file varchar not null,
    _line_number bigint not null,
    _raw_text varchar,
    _frame_error varchar
"""

# DuckDB reads a JSON Lines file as one text column per line when nothing in it can end a field:
# the delimiter is a control character that valid JSON never holds raw, quoting is off, and only
# "\n" ends a line. In strict mode the reader fails on anything else (a carriage return, that
# control character, bytes that are not UTF-8, a line over the size limit): such a file is framed
# in Python instead. Lines keep the file's order (insertion order is preserved), so a row's
# position in the table is its physical line number, blank lines included.
LINE_READER = (
    "read_csv({path}, columns = {{'line': 'varchar'}}, header = false, auto_detect = false, "
    "delim = '\x01', quote = '', escape = '', new_line = '\\n', strict_mode = true, "
    "compression = 'auto', max_line_size = 16777216)"
)


@dataclass(frozen=True)
class StagedPartition:
    """What one partition's files gave: records in the temp table `framed`, and how they were read."""

    files: int
    rows: int
    blank_lines: int
    folder_missing: bool
    framed_in_python: tuple[str, ...] = ()
    unreadable_files: tuple[str, ...] = ()


def stage_partition(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, source: str, day: date
) -> StagedPartition:
    """Frame the partition's files into the connection's temp table `framed`: one row per record
    with its file, physical line number and raw text (CSV values as extra columns)."""
    folder = partition_folder(landing_dir, source, day)
    files = list_files(folder, CONTRACT[source].format)
    names = {p: p.relative_to(landing_dir).as_posix() for p in files}
    if source != "events":
        framed = frame_csv(files, names, CONTRACT[source].column_names)
        _create_framed(con, framed)
        return StagedPartition(
            len(files),
            len(framed),
            framed.blank_lines,
            not folder.is_dir(),
            unreadable_files=tuple(framed.unreadable_files),
        )
    con.execute(f"create or replace temp table framed ({FRAMED_COLUMNS})")
    blank_lines = 0
    in_python: list[str] = []
    unreadable: list[str] = []
    for path in files:
        try:
            blank_lines += _stage_lines_in_duckdb(con, path, names[path])
        except (duckdb.InvalidInputException, duckdb.ConversionException, duckdb.IOException):
            # Python frames it instead; a file it cannot read either (truncated or corrupt gzip,
            # an I/O error) becomes one file-level reject there, and the other files still load.
            framed = frame_jsonl([path], names)
            unreadable += framed.unreadable_files
            con.register("framed_in_python", framed.to_arrow())
            try:
                con.execute("insert into framed select * from framed_in_python")
            finally:
                con.unregister("framed_in_python")
            blank_lines += framed.blank_lines
            in_python.append(names[path])
    (rows,) = con.execute("select count(*) from framed").fetchone()
    in_python = [name for name in in_python if name not in unreadable]
    return StagedPartition(
        len(files), rows, blank_lines, not folder.is_dir(), tuple(in_python), tuple(unreadable)
    )


def _stage_lines_in_duckdb(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> int:
    """Append one JSON Lines file's non-blank lines to `framed`; returns its blank lines."""
    reader = LINE_READER.format(path=quote_literal(str(path)))
    con.execute(f"create or replace temp table file_lines as select line from {reader}")
    try:
        # a regular expression, not trim(): it stops at the first other character
        blank = r"line is null or regexp_full_match(line, '[ \t\r\f\v]*')"
        (records,) = con.execute(
            f"insert into framed select $name, rowid + 1, line, null from file_lines where not ({blank})",
            {"name": name},
        ).fetchone()
        (lines,) = con.execute("select count(*) from file_lines").fetchone()
    finally:
        con.execute("drop table file_lines")
    blank_lines = lines - records
    return blank_lines


def _create_framed(con: duckdb.DuckDBPyConnection, framed: FramedRecords) -> None:
    values = "".join(f', "{column}" varchar' for column in framed.columns)
    con.execute(f"create or replace temp table framed ({FRAMED_COLUMNS}{values})")
    if len(framed):
        con.register("framed_in_python", framed.to_arrow())
        try:
            con.execute("insert into framed select * from framed_in_python")
        finally:
            con.unregister("framed_in_python")


def load_partition(
    db_path: Path,
    landing_dir: Path,
    source: str,
    day: date,
    *,
    loaded_at: datetime | None = None,
    log_fn: Callable[[str], None] | None = None,
    lake_dir: Path | None = None,
) -> LoadResult:
    """Replace partition `day` of `raw.<source>` (and its rejects) with what the landing zone holds."""
    return load_partitions(
        db_path, landing_dir, source, [day], loaded_at=loaded_at, log_fn=log_fn, lake_dir=lake_dir
    )[0]


def load_partitions(
    db_path: Path,
    landing_dir: Path,
    source: str,
    days: Sequence[date],
    *,
    loaded_at: datetime | None = None,
    log_fn: Callable[[str], None] | None = None,
    lake_dir: Path | None = None,
) -> list[LoadResult]:
    """Replace each partition in `days` of `raw.<source>` (and its rejects) with the landing zone's.

    Each partition is all or nothing: it is replaced in its own transaction, so a failure keeps
    that partition's previous rows (and those of the days not reached yet). One connection serves
    all the days and is closed before returning, so dbt can open the file next.

    With `lake_dir` (WAREHOUSE_ENGINE=spark) the checked partitions go to Parquet under it instead
    (orchestration/ingest/lake.py) and `db_path` is not opened: the same checks, rejects and counts.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if not landing_dir.is_dir():
        raise LoadError(
            f"landing zone {landing_dir} does not exist or is not a folder; "
            "set WAREHOUSE_LANDING_DIR or run `warehouse generate`"
        )
    say = log_fn or log.info
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    results = []
    if lake_dir is None:
        con = connect(db_path)
        ensure_raw_schema(con)
    else:
        con = lake.connect_scratch(
            lake_dir, os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        )
        for table in (source, f"{source}_rejects"):
            lake.remove_stale_staging(lake_dir / lake.RAW_FOLDER / table)
    try:
        for day in days:
            staged = stage_partition(con, landing_dir, source, day)
            try:
                if lake_dir is None:
                    rows_loaded, rows_rejected, reasons = _replace_partition(
                        con, source, day, staged.rows, loaded_at
                    )
                else:
                    rows_loaded, rows_rejected, reasons = _write_partition_to_lake(
                        con, lake_dir, source, day, staged.rows, loaded_at
                    )
            finally:
                con.execute("drop table if exists framed")
            results.append(
                LoadResult(
                    source=source,
                    partition=day,
                    files=staged.files,
                    rows_read=staged.rows,
                    rows_loaded=rows_loaded,
                    rows_rejected=rows_rejected,
                    blank_lines=staged.blank_lines,
                    reject_reasons=reasons,
                    folder_missing=staged.folder_missing,
                    unreadable_files=staged.unreadable_files,
                )
            )
            if not staged.folder_missing:
                say(
                    f"{source} {day}: {staged.files} file(s), {staged.rows:,} read, {rows_loaded:,} loaded, "
                    f"{rows_rejected:,} rejected"
                )
            if staged.unreadable_files:
                say(
                    f"{source} {day}: WARNING: rejected whole, as one reject row each (line_number 0), "
                    f"file(s) that cannot be read: {', '.join(staged.unreadable_files)}; see "
                    f"raw.{source}_rejects for the reason, and re-deliver them to load their rows"
                )
            if staged.framed_in_python:
                # Correct either way, but slower: worth knowing when a big source keeps doing it.
                say(
                    f"{source} {day}: framed line by line in Python (not plain UTF-8 lines with \\n "
                    f"endings): {', '.join(staged.framed_in_python)}"
                )
    finally:
        con.close()
    missing_days = [r.partition for r in results if r.folder_missing]
    if missing_days:
        # One line, not one per day: a backfill over a sparse source would otherwise log hundreds.
        say(
            f"{source}: no folder {partition_folder(landing_dir, source, missing_days[0])}"
            + (
                f" (nor for {len(missing_days) - 1} more day(s) up to {missing_days[-1]})"
                if len(missing_days) > 1
                else ""
            )
            + "; loaded as empty partition(s)"
        )
    return results


def _check_staged(con: duckdb.DuckDBPyConnection, source: str) -> tuple[int, dict[str, int]]:
    """Check the records staged in `framed` into the temp table `checked` (`_reason` null when
    the record is good); returns the count of rejected records and their reasons."""
    con.execute(f"create or replace temp table checked as {checking_sql(source)}")
    (rows_rejected,) = con.execute("select count(*) from checked where _reason is not null").fetchone()
    reasons = dict(
        con.execute(
            """select regexp_replace(reason, ':.*', '') as kind, count(*) from (
                   select unnest(string_split(_reason, '; ')) as reason from checked
                   where _reason is not null
               ) group by all order by 2 desc, 1"""
        ).fetchall()
    )
    return rows_rejected, reasons


def _replace_partition(
    con: duckdb.DuckDBPyConnection, source: str, day: date, rows_read: int, loaded_at: datetime
) -> tuple[int, int, dict[str, int]]:
    """Check the records staged in `framed` and swap them in for the partition, in one transaction."""
    if rows_read == 0:
        # Most days of a sparse source hold nothing: clear the partition without the checks.
        con.execute("begin transaction")
        con.execute(f"delete from raw.{source} where _partition_date = $day", {"day": day})
        con.execute(f"delete from raw.{source}_rejects where partition_date = $day", {"day": day})
        con.execute("commit")
        return 0, 0, {}
    rows_rejected, reasons = _check_staged(con, source)
    column_list = ", ".join(raw_columns(source))
    params = {"day": day, "loaded_at": loaded_at}
    con.execute("begin transaction")
    try:
        con.execute(f"delete from raw.{source} where _partition_date = $day", {"day": day})
        con.execute(
            f"""insert into raw.{source}
                    ({column_list}, _source_file, _line_number, _partition_date, _loaded_at)
                select {column_list}, _source_file, _line_number, $day, $loaded_at
                from checked where _reason is null
                order by _source_file, _line_number""",
            params,
        )
        con.execute(f"delete from raw.{source}_rejects where partition_date = $day", {"day": day})
        con.execute(
            f"""insert into raw.{source}_rejects
                select $day, _source_file, _line_number, _raw_text, _reason, $loaded_at
                from checked where _reason is not null
                order by _source_file, _line_number""",
            params,
        )
        (rows_loaded,) = con.execute(
            f"select count(*) from raw.{source} where _partition_date = $day", {"day": day}
        ).fetchone()
        (stored_rejects,) = con.execute(
            f"select count(*) from raw.{source}_rejects where partition_date = $day", {"day": day}
        ).fetchone()
        if rows_loaded + stored_rejects != rows_read or stored_rejects != rows_rejected:
            raise LoadError(
                f"{source} {day}: read {rows_read} rows but stored {rows_loaded} loaded + "
                f"{stored_rejects} rejected; nothing was changed"
            )
        pause_point("load:before-commit")
        con.execute("commit")
    except BaseException:
        # A commit that failed (a full disk, say) has rolled back already; its error is the one to
        # report, not the rollback's "no transaction is active".
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    finally:
        with contextlib.suppress(duckdb.Error):  # a temp table: it goes with the connection anyway
            con.execute("drop table if exists checked")
    return rows_loaded, rows_rejected, reasons


def _write_partition_to_lake(
    con: duckdb.DuckDBPyConnection,
    lake_dir: Path,
    source: str,
    day: date,
    rows_read: int,
    loaded_at: datetime,
) -> tuple[int, int, dict[str, int]]:
    """Check the records staged in `framed` and write the partition's Parquet files (rows and
    rejects, each a file even when empty), then swap both folders in; nothing is swapped unless
    every record read was written to one of them."""
    rows_rejected, reasons = _check_staged(con, source)
    params = {"loaded_at": loaded_at}
    folders = [lake.raw_partition_folder(lake_dir, table, day) for table in (source, f"{source}_rejects")]
    staged = [lake.staging_folder(folder.parent) for folder in folders]
    try:
        rows_loaded = lake.write_parquet(con, lake.loaded_select(source), params, staged[0])
        stored_rejects = lake.write_parquet(con, lake.REJECTS_SELECT, params, staged[1])
        if rows_loaded + stored_rejects != rows_read or stored_rejects != rows_rejected:
            raise LoadError(
                f"{source} {day}: read {rows_read} rows but wrote {rows_loaded} loaded + "
                f"{stored_rejects} rejected; nothing was changed"
            )
        pause_point("load:before-commit")
        for new, final in zip(staged, folders, strict=True):
            lake.swap_in(new, final)
    finally:
        for folder in staged:
            shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(duckdb.Error):
            con.execute("drop table if exists checked")
    return rows_loaded, rows_rejected, reasons


def landing_partitions(landing_dir: Path, sources: tuple[str, ...] = SOURCES) -> list[date]:
    """Every arrival day that has a `dt=` folder for any source, sorted."""
    days: set[date] = set()
    for source in sources:
        root = landing_dir / source
        if not root.is_dir():
            continue
        for folder in root.iterdir():
            if folder.is_dir() and folder.name.startswith(PARTITION_PREFIX):
                try:
                    days.add(date.fromisoformat(folder.name.removeprefix(PARTITION_PREFIX)))
                except ValueError:
                    log.warning("ignoring %s: not a dt=YYYY-MM-DD folder", folder)
    return sorted(days)
