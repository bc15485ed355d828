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

# Schemas BI tools read: the marts, and the reference seeds they are explained by.
PUBLISHED_SCHEMAS = ("marts", "reference")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: datetime


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


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
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(serving_path.parent, os.W_OK):
        raise PermissionError(
            f"cannot write next to {serving_path}: the folder is not writable; "
            "fix its permissions or set WAREHOUSE_SERVING_PATH"
        )
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
        os.replace(tmp_path, serving_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        Path(str(tmp_path) + ".wal").unlink(missing_ok=True)
        raise
    return PublishResult(path=serving_path, tables=tables, published_at=published_at)
