"""Publication by write-then-rename: readers see the old or the new build, never an error."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.serve import publish
from orchestration.serve.publish import publish_serving_file


def make_working_file(path: Path, version: int, rows: int = 50_000) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists staging")
    con.execute(
        f"create or replace table marts.kpi as select {version} as version, range as n from range({rows})"
    )
    con.execute("create or replace table staging.private as select 'secret' as email")
    con.close()


def read_serving(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select version, count(*) from marts.kpi group by 1").fetchall()
    finally:
        con.close()


def test_publishes_only_the_published_schemas(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "out" / "serving.duckdb"
    make_working_file(working, 1, rows=10)
    result = publish_serving_file(working, serving, run_id="r1")
    assert result.tables == {"marts.kpi": 10}
    assert read_serving(serving) == [(1, 10)]
    con = duckdb.connect(str(serving), read_only=True)
    schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
    (run_id,) = con.execute("select run_id from main._publication").fetchone()
    con.close()
    assert "staging" not in schemas
    assert run_id == "r1"
    # no temporary files left; the byte copy kept as the next delta's base
    assert sorted(p.name for p in serving.parent.iterdir()) == [".serving.duckdb.previous", "serving.duckdb"]


def test_failed_publication_keeps_the_last_good_file(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_working_file(working, 1, rows=10)
    publish_serving_file(working, serving)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        publish_serving_file(tmp_path / "missing.duckdb", serving)
    assert read_serving(serving) == [(1, 10)]
    # the serving file, the byte copy of it kept as the next delta's base, the working file
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".serving.duckdb.previous",
        "serving.duckdb",
        "w.duckdb",
    ]


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    path, stop_after = sys.argv[1], float(sys.argv[2])
    errors, reads, versions = 0, 0, set()
    deadline = time.time() + stop_after
    while time.time() < deadline:
        try:
            con = duckdb.connect(path, read_only=True)
            rows = con.execute("select version, count(*) from marts.kpi group by 1").fetchall()
            con.close()
            assert len(rows) == 1 and rows[0][1] == 50000, rows
            versions.add(rows[0][0])
            reads += 1
        except Exception as exc:
            errors += 1
            print("ERROR", repr(exc), file=sys.stderr)
    print(reads, errors, len(versions))
    """
)


def start_readers(serving: Path, count: int = 2) -> list[subprocess.Popen]:
    """Processes running READER on the serving file for 6 s, given half a second to start."""
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving), "6"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    time.sleep(0.5)
    return readers


def finish_readers(readers: list[subprocess.Popen]) -> list[tuple[int, int, int, str]]:
    """Each reader's (reads, errors, versions seen, stderr) once it has stopped."""
    tallies = []
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        reads, errors, versions = (int(x) for x in out.split())
        tallies.append((reads, errors, versions, err))
    return tallies


def test_concurrent_readers_never_see_an_error_or_half_a_build(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_working_file(working, 0)
    publish_serving_file(working, serving)
    readers = start_readers(serving)
    publications = 0
    deadline = time.time() + 4.5
    while time.time() < deadline:
        publications += 1
        make_working_file(working, publications)
        publish_serving_file(working, serving)
    for reads, errors, versions, err in finish_readers(readers):
        assert errors == 0, err
        assert reads > 10
        assert versions >= 2  # the readers really saw publications happen under them
    assert publications >= 3


# --- publishing the big marts by their changed rows ----------------------------------------------


def make_marts(path: Path) -> duckdb.DuckDBPyConnection:
    """A working file shaped like the warehouse's: a big incremental mart whose rows belong to
    visitors and carry _refreshed_at, and a small table rebuilt whole."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(
        """create or replace table marts.fct_sessions as
           select 'v' || (range % 100) as anonymous_id, 's' || range as session_id, range as revenue,
                  timestamp '2026-09-01 00:00:00' + to_minutes(range) as started_at,
                  timestamp '2026-10-01 00:00:00' as _refreshed_at
           from range(1000)"""
    )
    con.execute("create or replace table marts.dim_customers as select 1 as customers")
    return con


def published_marts(tmp_path: Path) -> tuple[Path, Path]:
    """A working file from make_marts, published once (a full copy): (working, serving)."""
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_marts(working).close()
    publish_serving_file(working, serving)
    return working, serving


def contents(path: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from {table} order by all").fetchall()
    finally:
        con.close()


def test_daily_publication_changes_only_the_changed_visitors_and_equals_a_full_copy(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_marts(working).close()
    assert publish_serving_file(working, serving).method == "full"

    con = duckdb.connect(str(working))
    # a refresh: visitor v1's sessions rewritten (one merged away), a new visitor, a rebuilt table
    con.execute("delete from marts.fct_sessions where session_id = 's101'")
    con.execute(
        """update marts.fct_sessions set revenue = revenue + 1, _refreshed_at = timestamp '2026-10-02'
           where anonymous_id = 'v1'"""
    )
    con.execute(
        """insert into marts.fct_sessions
           values ('new', 's-new', 5, timestamp '2026-09-30', timestamp '2026-10-02')"""
    )
    con.execute("create or replace table marts.dim_customers as select 2 as customers")
    con.close()

    result = publish_serving_file(working, serving, run_id="day 2")
    assert result.method == "delta"
    assert result.rows_replaced == 9 + 1  # v1's 9 rewritten sessions (a 10th merged away), the new one
    for table in ("marts.fct_sessions", "marts.dim_customers"):
        assert contents(serving, table) == contents(working, table)
    assert result.tables["marts.fct_sessions"] == 1000
    # no temporary file left: only the file this publication replaced, kept as the next base
    assert [p.name for p in serving.parent.iterdir() if p.name.startswith(".")] == [
        ".serving.duckdb.previous"
    ]


def test_rows_rewritten_in_place_are_replaced_by_key(tmp_path: Path):
    working, serving = published_marts(tmp_path)
    con = duckdb.connect(str(working))
    # no row goes away: the rewritten rows replace theirs and the counts agree at once
    con.execute(
        """update marts.fct_sessions set revenue = -revenue, _refreshed_at = timestamp '2026-10-02'
           where anonymous_id in ('v3', 'v4')"""
    )
    con.close()
    result = publish_serving_file(working, serving)
    assert (result.method, result.rows_replaced) == ("delta", 20)
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")


@pytest.mark.parametrize("exact_times", [publish.EXACT_TIMES, 2])
def test_old_rows_in_a_delta_are_replaced_by_their_exact_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_times: int
):
    """A day's delta: new sessions three weeks on, and a few old ones rewritten (a visitor who
    logged in). The old ones are deleted by their exact times, the new by a lower bound; with room
    for only 2 exact times, the rest of the old ones go by the bound. Either way the file equals
    the working file."""
    monkeypatch.setattr(publish, "EXACT_TIMES", exact_times)
    matched_exactly: list[int] = []
    delete_replaced = publish._delete_replaced
    monkeypatch.setattr(
        publish, "_delete_replaced", lambda *args: matched_exactly.append(delete_replaced(*args))
    )
    working, serving = published_marts(tmp_path)
    con = duckdb.connect(str(working))
    con.execute(
        """update marts.fct_sessions set revenue = revenue + 1, _refreshed_at = timestamp '2026-10-02'
           where anonymous_id = 'v3'"""
    )
    con.execute(
        """insert into marts.fct_sessions
           select 'v' || (range % 7), 'late' || range, range, timestamp '2026-09-21' + to_minutes(range),
                  timestamp '2026-10-02'
           from range(50)"""
    )
    con.close()
    result = publish_serving_file(working, serving)
    assert (result.method, result.rows_replaced) == ("delta", 10 + 50)
    assert matched_exactly == [min(10, exact_times)]  # v3's sessions, three weeks before the rest
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")


def test_a_visitor_gone_without_a_trace_falls_back_to_a_full_copy(tmp_path: Path):
    working, serving = published_marts(tmp_path)
    con = duckdb.connect(str(working))
    # every row of v7 disappears and no other row changes: the delta cannot see it, the row count can
    con.execute("delete from marts.fct_sessions where anonymous_id = 'v7'")
    con.execute(
        "update marts.fct_sessions set _refreshed_at = timestamp '2026-10-02' where session_id = 's0'"
    )
    con.close()

    result = publish_serving_file(working, serving)
    assert result.method == "full"
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")


def test_delta_publication_needs_a_serving_file_from_the_same_working_file(tmp_path: Path):
    first, second, serving = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "serving.duckdb"
    make_marts(first).close()
    make_marts(second).close()
    publish_serving_file(first, serving)
    assert publish_serving_file(second, serving).method == "full"
    assert publish_serving_file(second, serving).method == "delta"
    assert publish_serving_file(second, serving, allow_delta=False).method == "full"


def test_a_full_copy_follows_a_run_of_deltas_and_removed_tables_go(tmp_path: Path):
    from orchestration.serve.publish import MAX_DELTAS_IN_A_ROW

    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_marts(working).close()
    methods = [publish_serving_file(working, serving).method for _ in range(MAX_DELTAS_IN_A_ROW + 2)]
    assert methods == ["full", *["delta"] * MAX_DELTAS_IN_A_ROW, "full"]

    con = duckdb.connect(str(working))
    con.execute("drop table marts.dim_customers")
    con.close()
    result = publish_serving_file(working, serving)
    assert result.method == "delta"
    assert "marts.dim_customers" not in result.tables
    con = duckdb.connect(str(serving), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    con.close()
    assert "dim_customers" not in tables and "fct_sessions" in tables


# --- the next delta starts from the file the last publication replaced ---------------------------


def refresh_visitor(working: Path, visitor: str, day: int) -> None:
    """A daily refresh of the working file: one visitor's sessions rewritten."""
    con = duckdb.connect(str(working))
    con.execute(
        f"""update marts.fct_sessions set revenue = revenue + {day},
               _refreshed_at = timestamp '2026-10-01' + to_days({day})
           where anonymous_id = '{visitor}'"""
    )
    con.close()


def test_a_delta_starts_from_the_replaced_file_and_catches_up_two_refreshes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(publish, "PREVIOUS_MIN_AGE_SECONDS", 0)
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    previous = tmp_path / ".serving.duckdb.previous"
    make_marts(working).close()
    first = publish_serving_file(working, serving)
    assert first.base == ""  # a full copy, which leaves a byte copy of itself as the next base
    assert contents(previous, "marts.fct_sessions") == contents(serving, "marts.fct_sessions")
    refresh_visitor(working, "v1", 1)
    second = publish_serving_file(working, serving)
    assert (second.method, second.base, second.rows_replaced) == ("delta", "previous", 10)
    assert second.seconds["copy"] < 0.5
    # the first publication's file is kept now: it has neither refresh, and gets both in place
    assert publication_of(previous)["published_at"] == first.published_at
    refresh_visitor(working, "v2", 2)
    third = publish_serving_file(working, serving)
    assert (third.method, third.base, third.rows_replaced) == ("delta", "previous", 20)
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")
    assert publication_of(serving)["deltas_in_a_row"] == 1
    assert publication_of(previous)["published_at"] == second.published_at


def test_a_replaced_file_a_reader_still_has_open_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(publish, "PREVIOUS_MIN_AGE_SECONDS", 0)
    working, serving = published_marts(tmp_path)
    before = contents(serving, "marts.fct_sessions")
    # a reader in another process opens the serving file and keeps it open
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLDING_READER, str(serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        refresh_visitor(working, "v1", 1)
        # from the byte copy the full publication left; the reader's file is the kept one now
        assert publish_serving_file(working, serving).base == "previous"
        refresh_visitor(working, "v2", 2)
        # DuckDB's lock refuses the write while the reader is connected: a byte copy is made instead
        assert publish_serving_file(working, serving).base == "copy"
        assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")
        out, _ = reader.communicate("\n", timeout=60)
    finally:
        reader.kill()
    assert out.strip() == repr(len(before)) + " " + repr(sum(row[2] for row in before))

    # this process's own descriptor of the kept file counts as a reader too (no lock protects it)
    refresh_visitor(working, "v3", 3)
    with (tmp_path / ".serving.duckdb.previous").open("rb"):
        assert publish_serving_file(working, serving).base == "copy"


def test_a_kept_file_that_is_still_the_serving_file_is_discarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(publish, "PREVIOUS_MIN_AGE_SECONDS", 0)
    working, serving = published_marts(tmp_path)
    # a publication killed between the link and the rename: both names on the serving file
    (tmp_path / ".serving.duckdb.previous").unlink()
    os.link(serving, tmp_path / ".serving.duckdb.previous")
    refresh_visitor(working, "v1", 1)
    assert publish_serving_file(working, serving).base == "copy"
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")


def test_a_replaced_file_is_reused_only_once_it_is_old_enough(tmp_path: Path):
    working, serving = published_marts(tmp_path)
    refresh_visitor(working, "v1", 1)
    publish_serving_file(working, serving)
    refresh_visitor(working, "v2", 2)
    # right after the rename a reader may still be taking its lock on the replaced file
    assert publish_serving_file(working, serving).base == "copy"


def test_readers_see_no_error_while_replaced_files_are_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(publish, "PREVIOUS_MIN_AGE_SECONDS", 0.3)
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_marts(working).close()
    make_working_file(working, 0)
    publish_serving_file(working, serving)
    readers = start_readers(serving)
    bases = []
    deadline = time.time() + 4.5
    while time.time() < deadline:
        refresh_visitor(working, f"v{len(bases)}", len(bases) + 1)
        make_working_file(working, len(bases) + 1)
        bases.append(publish_serving_file(working, serving).base)
        time.sleep(0.4)
    for _, errors, versions, err in finish_readers(readers):
        assert errors == 0, err
        assert versions >= 2
    assert "previous" in bases, bases
    assert contents(serving, "marts.fct_sessions") == contents(working, "marts.fct_sessions")


HOLDING_READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("open", flush=True)
    sys.stdin.readline()  # hold the file while the test publishes twice
    rows, revenue = con.execute("select count(*), sum(revenue) from marts.fct_sessions").fetchone()
    print(rows, revenue, flush=True)
    """
)


def publication_of(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute("select * from main._publication")
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()
