"""Publish the marts to the serving file BI tools read (contract §5).

The new build is written to a temporary file next to the serving file and renamed over it, so a
reader opens either the old or the new build, never a half-written one. Nothing here is called
unless the refresh's blocking tests passed (the publish asset runs downstream of every model).

The temporary file is either a fresh copy of every published table, or, when the last serving
file was published from the same working file, a byte copy of it in which the big event-grain
marts get only their changed rows (a daily refresh rewrites a sliver of them) and every other
table is copied afresh. Both end with the same tables; the second costs what changed, not what
the history holds. A delta whose result does not count the same rows as the working file falls
back to the full copy, and so does a file that has had six deltas, so that space left by deleted
rows is never carried for long.

The byte copy itself grows with history (2.4 GB at 50M events: its copy, and the flush of those
pages to disk on the first commit, cost ~5 s). So the file each delta publication replaces is
kept under a hidden name (PREVIOUS_SUFFIX, a hard link made before the rename) and is the base
of the next delta instead, brought up to date in place by the rows written since it was
published (two refreshes' worth); a full copy leaves a byte copy of itself there, paid once in
the full refresh rather than in the next daily one. The kept file is used only when nobody can
be reading it: no reader opens it by its new name; DuckDB's file lock refuses the write while a
reader that opened it as the serving file is still connected (another process); and this
process must hold no descriptor of it (DuckDB's lock does not guard a process against itself).
Otherwise the byte copy is made as before.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.core.failpoints import pause_point

# Schemas BI tools read: the marts, and the reference seeds they are explained by.
PUBLISHED_SCHEMAS = ("marts", "reference")

# The big incremental marts published by their changed rows: (key, owner, time) per table. Every
# row a refresh writes carries a new _refreshed_at; a row can only vanish from the working file (a
# merged session, a withdrawn event) when its owner, the visitor, has rows rewritten too. A key
# keeps its time (an event's, a session's first event's), so the rows a delta replaces are no
# older than the oldest it writes: a bound that lets DuckDB skip the older row groups.
DELTA_TABLES: dict[str, tuple[str, str, str]] = {
    "marts.fct_sessions": ("session_id", "anonymous_id", "started_at"),
    "marts.fct_page_views": ("event_id", "anonymous_id", "viewed_at"),
}
DELTA_WATERMARK = "_refreshed_at"
# Deltas a file may have had since it was last written whole, before a full copy compacts it.
MAX_DELTAS_IN_A_ROW = 6
# The serving file a publication replaced is kept as ".<serving name><suffix>", the next base.
PREVIOUS_SUFFIX = ".previous"
# ... once it has not been the serving file for this long: a reader that opened the serving file
# just before the rename takes DuckDB's lock on it microseconds later, and must not find this
# publication's write lock there. Daily publications are a day apart.
PREVIOUS_MIN_AGE_SECONDS = 2.0
# A delta that would rewrite more than this share of a table's rows is no cheaper than a copy.
MAX_DELTA_SHARE = 0.5
# A delta's delete (see _delete_replaced) matches exactly the times of its rows older than this
# many days before its newest row, up to this many distinct times; newer rows by a lower bound.
RECENT_DAYS = 7
EXACT_TIMES = 1000


class _DeltaDoesNotFit(Exception):
    """The copy of the last serving file cannot be brought up to date by its changed rows."""


class _PreviousInUse(_DeltaDoesNotFit):
    """The previous serving file cannot be written: a reader still has it open."""


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: datetime
    # what a delta started from: "copy" (a byte copy of the serving file) or "previous" (the file
    # the last publication replaced, changed in place); "" for a full copy
    base: str = ""
    rows_replaced: int = 0
    # seconds per part: "copy" (the byte copy a delta starts from), "tables", "delta", "checkpoint"
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The kind of publication: "delta" when the big marts were brought up to date by their
        changed rows, else "full"."""
        return "delta" if self.base else "full"


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


def previous_serving_path(serving_path: Path) -> Path:
    """Where the serving file a publication replaced is kept, as the base of the next delta."""
    return serving_path.with_name(f".{serving_path.name}{PREVIOUS_SUFFIX}")


def publish_serving_file(
    working_path: Path,
    serving_path: Path,
    *,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    run_id: str | None = None,
    allow_delta: bool = True,
) -> PublishResult:
    """Copy the published schemas of the working file into a new serving file, atomically."""
    if not working_path.exists():
        raise FileNotFoundError(f"working database {working_path} does not exist; run a refresh first")
    check_writable_folder(serving_path.parent, "the serving file's folder", "WAREHOUSE_SERVING_PATH")
    remove_stale_temporaries(serving_path)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    bases: list[tuple[str, int]] = []  # (what a delta starts from, the deltas that file has had)
    if allow_delta:
        previous_deltas = _reusable_previous(serving_path, working_path)
        if previous_deltas is not None and previous_deltas < MAX_DELTAS_IN_A_ROW:
            bases.append(("previous", previous_deltas))
        serving_deltas = _deltas_recorded(serving_path, working_path)
        if serving_deltas is not None and serving_deltas < MAX_DELTAS_IN_A_ROW:
            bases.append(("copy", serving_deltas))
    for base, deltas_in_a_row in bases:
        try:
            return _publish(
                working_path,
                serving_path,
                schemas,
                run_id,
                published_at,
                base=base,
                deltas_in_a_row=deltas_in_a_row,
            )
        except _PreviousInUse:
            continue  # a reader still has the previous file open: start from a byte copy
        except _DeltaDoesNotFit:
            break  # the temporary file is gone; a full copy follows
    return _publish(working_path, serving_path, schemas, run_id, published_at, base="", deltas_in_a_row=0)


def _deltas_recorded(path: Path, working_path: Path) -> int | None:
    """How many deltas the published file at `path` has had since it was last written whole, when
    it can be the base of a delta: it was published from this working file, by this code. None
    otherwise."""
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select working_path, deltas_in_a_row from main._publication").fetchone()
    except duckdb.Error:  # published by an earlier version, without these columns
        return None
    finally:
        con.close()
    if row is None or row[0] != str(working_path.resolve()):
        return None
    return int(row[1])


def _reusable_previous(serving_path: Path, working_path: Path) -> int | None:
    """The deltas the previous serving file has had, when it can be changed in place: it exists,
    is not the serving file itself (a publication killed between the link and the rename leaves
    both names on one file), it was replaced long enough ago, and this process holds no
    descriptor of it. None otherwise; a previous file that can never be used again is deleted."""
    previous = previous_serving_path(serving_path)
    try:
        kept = previous.stat()
    except OSError:
        return None
    try:
        serving = serving_path.stat()
    except OSError:
        serving = None
    if serving is None or (kept.st_dev, kept.st_ino) == (serving.st_dev, serving.st_ino):
        previous.unlink(missing_ok=True)
        return None
    # the link that named it was made just before the rename that replaced it
    if time.time() - kept.st_ctime < PREVIOUS_MIN_AGE_SECONDS or _open_in_this_process(kept):
        return None
    return _deltas_recorded(previous, working_path)


def _open_in_this_process(file: os.stat_result) -> bool:
    """Whether this process holds a descriptor of `file` (True when it cannot tell)."""
    descriptors = Path("/proc/self/fd")
    try:
        entries = list(descriptors.iterdir())
    except OSError:
        return True  # no /proc (not Linux): assume the worst, the byte copy is made instead
    for entry in entries:
        try:
            held = entry.stat()
        except OSError:
            continue  # closed since the listing
        if (held.st_dev, held.st_ino) == (file.st_dev, file.st_ino):
            return True
    return False


def _keep_as_previous(serving_path: Path) -> None:
    """Give the serving file about to be replaced a second name, so the next publication can start
    from it. Best effort: without hard links the next delta starts from a byte copy."""
    previous = previous_serving_path(serving_path)
    previous.unlink(missing_ok=True)
    if serving_path.exists():
        try:
            os.link(serving_path, previous)
        except OSError:
            pass


def _copy_as_previous(tmp_path: Path, serving_path: Path) -> None:
    """After a full copy, a byte copy of the new file is the next delta's base (the file it
    replaces is of another lineage: a full refresh, another working file, or six deltas old).
    Never opened as the serving file, it has no readers. Best effort, like _keep_as_previous."""
    previous = previous_serving_path(serving_path)
    previous.unlink(missing_ok=True)
    copying = tmp_path.with_name(tmp_path.name + ".previous.tmp")
    try:
        shutil.copyfile(tmp_path, copying)
        os.replace(copying, previous)
    except OSError:
        copying.unlink(missing_ok=True)


def _publish(
    working_path: Path,
    serving_path: Path,
    schemas: tuple[str, ...],
    run_id: str | None,
    published_at: datetime,
    *,
    base: str,
    deltas_in_a_row: int,
) -> PublishResult:
    """Write the temporary file (from scratch when `base` is "", or as a delta on a byte copy of the
    serving file or on the previous serving file, which has had `deltas_in_a_row` deltas) and
    rename it over the serving file."""
    tmp_path = serving_path.with_name(f".{serving_path.name}.{uuid.uuid4().hex}.tmp")
    delta = base != ""
    tables: dict[str, int] = {}
    replaced = 0
    seconds = {"copy": 0.0, "tables": 0.0, "delta": 0.0, "checkpoint": 0.0}
    started = time.perf_counter()

    def lap(part: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[part] += now - started
        started = now

    try:
        if base == "copy":
            shutil.copyfile(serving_path, tmp_path)
        elif base == "previous":
            # from here on only this publication knows the file by a name
            try:
                os.replace(previous_serving_path(serving_path), tmp_path)
            except FileNotFoundError as exc:  # taken by a publication running beside this one
                raise _PreviousInUse(str(exc)) from exc
        lap("copy")
        try:
            con = duckdb.connect(str(tmp_path))
        except duckdb.Error as exc:
            if base == "previous":  # a reader that opened it as the serving file holds its lock
                raise _PreviousInUse(str(exc)) from exc
            raise
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
            if delta:
                _drop_unpublished(con, schemas, {f"{s}.{t}" for s, t in relations})
            for schema, table in relations:
                name = f"{schema}.{table}"
                if delta and name in DELTA_TABLES:
                    replaced += _apply_delta(con, schema, table, *DELTA_TABLES[name])
                    part = "delta"
                else:
                    con.execute(
                        f'create or replace table "{schema}"."{table}" as '
                        f'select * from working."{schema}"."{table}"'
                    )
                    part = "tables"
                (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
                tables[name] = rows
                lap(part)
            con.execute(
                """create or replace table main._publication as
                   select cast(? as timestamp) as published_at, cast(? as varchar) as run_id,
                          cast(? as integer) as tables, cast(? as varchar) as working_path,
                          cast(? as integer) as deltas_in_a_row""",
                [
                    published_at,
                    run_id,
                    len(tables),
                    str(working_path.resolve()),
                    deltas_in_a_row + 1 if delta else 0,
                ],
            )
            con.execute("detach working")
            lap("tables")
            con.execute("checkpoint")
            lap("checkpoint")
        finally:
            con.close()
        pause_point("publish:before-rename")
        if delta:
            _keep_as_previous(serving_path)
        else:
            _copy_as_previous(tmp_path, serving_path)
        os.replace(tmp_path, serving_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        Path(str(tmp_path) + ".wal").unlink(missing_ok=True)
        raise
    return PublishResult(
        path=serving_path,
        tables=tables,
        published_at=published_at,
        base=base,
        rows_replaced=replaced,
        seconds={part: round(value, 1) for part, value in seconds.items()},
    )


def _drop_unpublished(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...], current: set[str]) -> None:
    """Drop from the copy the tables the working file no longer publishes (a removed model)."""
    schema_list = ", ".join(f"'{s}'" for s in schemas)
    copied = con.execute(
        f"""select table_schema, table_name from information_schema.tables
            where table_catalog = current_database() and table_schema in ({schema_list})"""
    ).fetchall()
    for schema, table in copied:
        if f"{schema}.{table}" not in current:
            con.execute(f'drop table "{schema}"."{table}"')


def _apply_delta(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, key: str, owner: str, time_column: str
) -> int:
    """Bring the copy's table up to date: the rows written since the copy's newest `_refreshed_at`
    replace their namesakes by key; when the counts then disagree, the other rows of their owners
    are kept only where the working file still has them. Returns the rows written. Raises
    _DeltaDoesNotFit when the copy's columns differ, the delta is too big to be worth it, or the
    result counts other rows than the working file."""
    here, there = f'"{schema}"."{table}"', f'working."{schema}"."{table}"'
    columns_sql = """select column_name, data_type from information_schema.columns
                     where table_catalog = ? and table_schema = ? and table_name = ?
                     order by ordinal_position"""
    (catalog,) = con.execute("select current_database()").fetchone()
    mine = con.execute(columns_sql, [catalog, schema, table]).fetchall()
    theirs = con.execute(columns_sql, ["working", schema, table]).fetchall()
    if (
        not mine
        or mine != theirs
        or (DELTA_WATERMARK, "TIMESTAMP") not in theirs
        or time_column not in {column for column, _ in theirs}
    ):
        raise _DeltaDoesNotFit(f"{schema}.{table}: columns changed")
    (working_rows,) = con.execute(f"select count(*) from {there}").fetchone()
    (published_at,) = con.execute(f"select max({DELTA_WATERMARK}) from {here}").fetchone()
    if published_at is None:
        raise _DeltaDoesNotFit(f"{schema}.{table}: nothing published yet")
    con.execute(
        f"create temp table delta_rows as select * from {there} where {DELTA_WATERMARK} > $1", [published_at]
    )
    try:
        (rows,) = con.execute("select count(*) from delta_rows").fetchone()
        if rows > MAX_DELTA_SHARE * working_rows:
            raise _DeltaDoesNotFit(f"{schema}.{table}: {rows} of {working_rows} rows changed")
        # The copy held every row of the working file as of `published_at`, and every row written
        # since is in delta_rows: so after replacing rows by key the copy holds all the working
        # file's rows, and counts equal means nothing else is left.
        since = f"{time_column} >= (select min({time_column}) from delta_rows)"
        _delete_replaced(con, here, key, time_column)
        con.execute(f"insert into {here} select * from delta_rows")
        (published_rows,) = con.execute(f"select count(*) from {here}").fetchone()
        if published_rows != working_rows:
            # Rows the working file no longer has (a merged session, a withdrawn event): they can
            # only belong to owners with rows rewritten, so only those owners' rows are compared,
            # from the oldest rewritten time on (a session merged away started after the rewritten
            # part of its visitor's timeline began). Should one be older, the counts below still
            # disagree and a full copy follows.
            con.execute(f"create temp table delta_owners as select distinct {owner} from delta_rows")
            con.execute(
                f"""delete from {here}
                    where {since} and {owner} in (select {owner} from delta_owners)
                    and {key} not in (
                        select {key} from {there}
                        where {since} and {owner} in (select {owner} from delta_owners)
                    )"""
            )
    finally:
        con.execute("drop table if exists delta_rows")
        con.execute("drop table if exists delta_owners")
    (published_rows,) = con.execute(f"select count(*) from {here}").fetchone()
    if published_rows != working_rows:
        raise _DeltaDoesNotFit(f"{schema}.{table}: {published_rows} rows published, {working_rows} built")
    return rows


def _delete_replaced(con: duckdb.DuckDBPyConnection, here: str, key: str, time_column: str) -> int:
    """Delete from the copy's table `here` the rows whose keys are in delta_rows; returns how many
    distinct times it matched exactly.

    Nearly all of a day's delta is recent, but a few old rows (the sessions of a visitor who just
    logged in, an order exported again) would pull one lower time bound back to the start of
    history, and the delete would read every stored key (most of its time at 50M events). A key keeps
    its time, so the rows older than the recent days are matched by their exact times, a short
    list of constants that DuckDB checks on the time column before it decodes any key, and the
    recent ones by a lower bound. Were a key's time ever to move (or be null), its old row would
    stay; the row counts would then disagree and the caller falls back as for any other mismatch.
    """
    (cutoff, time_type) = con.execute(
        f"""select
                -- the recent days, unless more than EXACT_TIMES distinct times are older
                least(
                    max({time_column}) - interval {RECENT_DAYS} day,
                    (select {time_column} from (select distinct {time_column} from delta_rows
                                                where {time_column} is not null)
                     order by 1 limit 1 offset {EXACT_TIMES})
                ),
                any_value(typeof({time_column}))
            from delta_rows"""
    ).fetchone()
    if cutoff is None:  # an empty delta
        return 0
    # as DuckDB prints them, so that each constant casts back to the same value
    old_times = [
        text
        for (text,) in con.execute(
            f"""select distinct cast({time_column} as varchar) from delta_rows
                where {time_column} < $1""",
            [cutoff],
        ).fetchall()
    ]
    if old_times:
        literals = ", ".join(f"cast('{text}' as {time_type})" for text in old_times)
        con.execute(
            f"""delete from {here} where {time_column} in ({literals})
                and {key} in (select {key} from delta_rows where {time_column} < $1)""",
            [cutoff],
        )
    con.execute(
        f"""delete from {here} where {time_column} >= $1
            and {key} in (select {key} from delta_rows where {time_column} >= $1)""",
        [cutoff],
    )
    return len(old_times)
