"""Publish the marts to the serving file BI tools read (contract §5).

The new build is written to a temporary file next to the serving file and renamed over it, so a
reader opens either the old or the new build, never a half-written one. Nothing here is called
unless the refresh's blocking tests passed (the publish asset runs downstream of every model).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.failpoints import pause_point

# Schemas BI tools read: the marts, and the reference seeds they are explained by.
PUBLISHED_SCHEMAS = ("marts", "reference")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: datetime


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def check_writable_folder(folder: Path, what: str, setting: str) -> None:
    """Create `folder` if needed and prove a file can be written in it (a real write: permission
    bits say nothing to root, and a read-only mount or a full disk only shows on writing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"probe")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(
            f"cannot write in {what} {folder}: {exc.strerror or exc}; "
            f"fix its permissions or free space, or set {setting} to a writable place"
        ) from exc


def remove_stale_temporaries(serving_path: Path) -> None:
    """Delete half-written serving files left by a publication that was killed before its rename
    (one refresh runs at a time: DuckDB allows one writer of the working file)."""
    for leftover in serving_path.parent.glob(f".{serving_path.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def publish_serving_file(
    working_path: Path,
    serving_path: Path,
    *,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    run_id: str | None = None,
) -> PublishResult:
    """Copy the published schemas of the working file into a fresh serving file, atomically."""
    if not working_path.exists():
        raise FileNotFoundError(f"working database {working_path} does not exist; run a refresh first")
    check_writable_folder(serving_path.parent, "the serving file's folder", "WAREHOUSE_SERVING_PATH")
    remove_stale_temporaries(serving_path)
    tmp_path = serving_path.with_name(f".{serving_path.name}.{uuid.uuid4().hex}.tmp")
    published_at = datetime.now(UTC).replace(tzinfo=None)
    tables: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp_path))
        try:
            con.execute(f"attach {_quote_path(working_path)} as working (read_only)")
            schema_list = ", ".join(f"'{s}'" for s in schemas)
            relations = con.execute(
                f"""select table_schema, table_name from information_schema.tables
                    where table_catalog = 'working' and table_schema in ({schema_list})
                    order by 1, 2"""
            ).fetchall()
            for schema in schemas:
                con.execute(f'create schema if not exists "{schema}"')
            for schema, table in relations:
                con.execute(
                    f'create table "{schema}"."{table}" as select * from working."{schema}"."{table}"'
                )
                (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
                tables[f"{schema}.{table}"] = rows
            con.execute(
                """create table main._publication as
                   select cast(? as timestamp) as published_at, cast(? as varchar) as run_id,
                          cast(? as integer) as tables""",
                [published_at, run_id, len(tables)],
            )
            con.execute("detach working")
            con.execute("checkpoint")
        finally:
            con.close()
        pause_point("publish:before-rename")
        os.replace(tmp_path, serving_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        Path(str(tmp_path) + ".wal").unlink(missing_ok=True)
        raise
    return PublishResult(path=serving_path, tables=tables, published_at=published_at)
