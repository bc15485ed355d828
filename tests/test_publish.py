"""Publication by write-then-rename: readers see the old or the new build, never an error."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import publish_serving_file


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
    assert [p.name for p in serving.parent.iterdir()] == ["serving.duckdb"]  # no temporary files left


def test_failed_publication_keeps_the_last_good_file(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_working_file(working, 1, rows=10)
    publish_serving_file(working, serving)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        publish_serving_file(tmp_path / "missing.duckdb", serving)
    assert read_serving(serving) == [(1, 10)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["serving.duckdb", "w.duckdb"]


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


def test_concurrent_readers_never_see_an_error_or_half_a_build(tmp_path: Path):
    working, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_working_file(working, 0)
    publish_serving_file(working, serving)
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving), "6"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)
    publications = 0
    deadline = time.time() + 4.5
    while time.time() < deadline:
        publications += 1
        make_working_file(working, publications)
        publish_serving_file(working, serving)
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        reads, errors, versions = (int(x) for x in out.split())
        assert errors == 0, err
        assert reads > 10
        assert versions >= 2  # the readers really saw publications happen under them
    assert publications >= 3
