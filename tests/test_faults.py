"""Faults, for real: `warehouse refresh` processes killed with SIGKILL during a load, during dbt and
during publication; publications under concurrent readers; an unreadable landing zone, an
unwritable serving folder and a full disk under the working file.

Each refresh here is a separate `warehouse refresh` process (killed with its dbt child as a
process group), against the session's working and serving paths, so dbt keeps its parse.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import DAYS, LAST_DAY, START, Built

from orchestration.core.failpoints import PAUSE_AT, PAUSE_MARKER
from orchestration.core.settings import PROJECT_ROOT, Settings
from orchestration.ingest.contract import ORDERS, SOURCES
from orchestration.ingest.loaders import load_partitions
from orchestration.serve.publish import previous_serving_path, publish_serving_file

DAYS_LOADED = [START + timedelta(days=i) for i in range(DAYS)]
IS_ROOT = os.geteuid() == 0
# Root ignores permission bits; without these two capabilities it obeys them like anyone else.
UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if IS_ROOT else []


@pytest.fixture(scope="module")
def faults(built: Built) -> Settings:
    """The session's refreshed and published sample (conftest's `built`). These tests run after
    the others but the Spark test (see conftest), because they kill refreshes of it and check
    that the next one recovers."""
    return built.settings


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (PAUSE_AT, PAUSE_MARKER)}
    env.update(
        WAREHOUSE_LANDING_DIR=str(settings.landing_dir),
        WAREHOUSE_DUCKDB_PATH=str(settings.duckdb_path),
        WAREHOUSE_SERVING_PATH=str(settings.serving_path),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_refresh(
    settings: Settings, day: date, log: Path, *, prefix=(), args=(), **extra: str
) -> subprocess.Popen:
    cmd = [
        *prefix,
        sys.executable,
        "-m",
        "orchestration.cli",
        "refresh",
        "--start",
        str(day),
        "--end",
        str(day),
        *args,
    ]
    return subprocess.Popen(
        cmd,
        cwd=PROJECT_ROOT,
        env=child_env(settings, **extra),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes dbt with it
    )


def refresh(settings: Settings, day: date, log: Path, *, prefix=(), args=(), **extra: str) -> tuple[int, str]:
    process = start_refresh(settings, day, log, prefix=prefix, args=args, **extra)
    code = process.wait(timeout=600)
    return code, log.read_text()


PUBLISH = [
    "-c",
    "import os; from pathlib import Path; from orchestration.serve.publish import publish_serving_file; "
    "publish_serving_file(Path(os.environ['WAREHOUSE_DUCKDB_PATH']), "
    "Path(os.environ['WAREHOUSE_SERVING_PATH']))",
]


def kill_at(settings: Settings, day: date, point: str, tmp: Path, command: list[str] | None = None) -> str:
    """Start a refresh (or `command`) that pauses at `point`, then SIGKILL its process group."""
    marker = tmp / f"{point.replace(':', '_')}.marker"
    log = tmp / f"{point.replace(':', '_')}.log"
    pause = {PAUSE_AT: point, PAUSE_MARKER: str(marker)}
    if command is None:
        process = start_refresh(settings, day, log, **pause)
    else:
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=PROJECT_ROOT,
            env=child_env(settings, **pause),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 600
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(
                f"the refresh ended (code {process.returncode}) before pausing at {point}:\n{log.read_text()}"
            )
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"no pause at {point} within 10 minutes:\n{log.read_text()}")
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    time.sleep(0.5)  # let the killed dbt child (same group) be reaped by init
    return log.read_text()


def raw_counts(db: Path) -> dict[tuple[str, date], int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {}
        for source in SOURCES:
            for table in (source, f"{source}_rejects"):
                column = "_partition_date" if table == source else "partition_date"
                for day, rows in con.execute(
                    f"select {column}, count(*) from raw.{table} group by 1"
                ).fetchall():
                    counts[(table, day)] = rows
        return counts
    finally:
        con.close()


def clean_counts(landing: Path, days: list[date], scratch: Path) -> dict[tuple[str, date], int]:
    """What loading `days` once into an empty file gives: the reference for 'nothing half-loaded
    or duplicated'."""
    for source in SOURCES:
        load_partitions(scratch, landing, source, days, log_fn=lambda _: None)
    return raw_counts(scratch)


def unfinished_runs() -> list[str]:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(
            filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
        )
        return [run.run_id for run in runs]


def publication(serving: Path) -> str:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute("select run_id from main._publication").fetchone()[0]
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(serving: Path) -> list[str]:
    """Half-written serving files (not the replaced one, kept on purpose as the next delta's base)."""
    kept = previous_serving_path(serving).name
    return sorted(
        p.name for p in serving.parent.iterdir() if p.name.startswith(f".{serving.name}.") and p.name != kept
    )


READER = textwrap.dedent(
    """
    import os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    reads, errors, runs = 0, 0, set()
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                (sessions,) = con.execute("select count(*) from marts.fct_sessions").fetchone()
                (run_id,) = con.execute("select run_id from main._publication").fetchone()
                assert sessions > 0
            finally:
                con.close()
            reads += 1
            runs.add(run_id)
        except Exception as exc:
            errors += 1
            print("ERROR", repr(exc), file=sys.stderr, flush=True)
        time.sleep(0.05)  # often enough to see every publication, rarely enough to leave CPU to the refresh
    print(reads, errors, len(runs))
    """
)


@dataclass
class ReaderTally:
    reads: int
    errors: int
    publications_seen: int
    stderr: str


@contextmanager
def readers(serving: Path, tmp: Path, count: int = 2) -> Iterator[list[ReaderTally]]:
    """Processes that open the serving file read-only, query it and close it, in a loop."""
    stop = tmp / "stop-readers"
    stop.unlink(missing_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    tallies: list[ReaderTally] = []
    try:
        yield tallies
    finally:
        stop.write_text("stop")
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            reads, errors, seen = (int(x) for x in out.split())
            tallies.append(ReaderTally(reads, errors, seen, err))


def test_killed_refreshes_recover(faults: Settings, tmp_path: Path):
    s = faults
    first_publication = publication(s.serving_path)
    expected = clean_counts(s.landing_dir, DAYS_LOADED, tmp_path / "clean.duckdb")
    assert raw_counts(s.duckdb_path) == expected

    with readers(s.serving_path, tmp_path) as tallies:
        # 1. killed inside a partition's load transaction: the partition keeps its old rows, once
        kill_at(s, LAST_DAY, "load:before-commit", tmp_path)
        assert raw_counts(s.duckdb_path) == expected
        assert publication(s.serving_path) == first_publication

        # 2. killed in the middle of the dbt build: the reload committed whole, once
        kill_at(s, LAST_DAY, "dbt:clv-fit", tmp_path)
        assert raw_counts(s.duckdb_path) == expected
        assert publication(s.serving_path) == first_publication

        # 3. a publication killed after writing the new serving file, before renaming it over
        #    the old one (a publishing process of its own: the refresh that follows recovers)
        kill_at(s, LAST_DAY, "publish:before-rename", tmp_path, command=PUBLISH)
        assert leftovers(s.serving_path), "the half-published file should be there to clean up"
        assert publication(s.serving_path) == first_publication

        # the next refresh recovers: same rows, published, no leftovers, the dead runs closed
        code, out = refresh(s, LAST_DAY, tmp_path / "recover.log")
        assert code == 0, out
    # each refresh closed the run its killed predecessor left open; none is left "running"
    assert "marked as failed" in out, out
    assert not unfinished_runs()
    assert raw_counts(s.duckdb_path) == expected
    assert publication(s.serving_path) != first_publication
    assert leftovers(s.serving_path) == []
    con = duckdb.connect(str(s.duckdb_path), read_only=True)
    try:
        (duplicates,) = con.execute(
            "select count(*) - count(distinct (_source_file, _line_number)) from raw.events"
        ).fetchone()
        (working_sessions,) = con.execute("select count(*) from marts.fct_sessions").fetchone()
    finally:
        con.close()
    assert duplicates == 0
    con = duckdb.connect(str(s.serving_path), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_sessions").fetchone()[0] == working_sessions
    finally:
        con.close()
    for tally in tallies:
        assert tally.errors == 0, tally.stderr
        assert tally.reads > 0 and tally.publications_seen == 2


def test_twenty_publications_under_concurrent_readers(faults: Settings, tmp_path: Path):
    """Twenty publications in a row while readers query the serving file: every read succeeds and
    sees one whole publication. (The refreshes of the test above run under readers too; twenty
    whole refreshes would take most of CI's time.)"""
    s = faults
    run_ids = {f"publication-{i}" for i in range(20)}
    with readers(s.serving_path, tmp_path, count=3) as tallies:
        for run_id in sorted(run_ids):
            publish_serving_file(s.duckdb_path, s.serving_path, run_id=run_id)
            time.sleep(0.2)  # give the readers time to open each one
    assert publication(s.serving_path) == max(run_ids)
    assert leftovers(s.serving_path) == []
    for tally in tallies:
        assert tally.errors == 0, tally.stderr
        assert tally.reads > 0 and tally.publications_seen > 1


@contextmanager
def mode(path: Path, bits: int) -> Iterator[None]:
    path.chmod(bits)
    try:
        yield
    finally:
        path.chmod(0o755)


def test_unreadable_landing_zone_is_named(faults: Settings, tmp_path: Path):
    s = faults
    before = digest(s.serving_path)
    partition = s.landing_dir / "orders"
    with mode(partition, 0o000):
        code, out = refresh(s, LAST_DAY, tmp_path / "unreadable.log", prefix=UNPRIVILEGED)
    assert code == 2, out
    assert f"landing zone {s.landing_dir} cannot be read" in out
    assert str(partition) in out and "Permission denied" in out
    assert digest(s.serving_path) == before


def test_unwritable_serving_folder_is_named(faults: Settings, tmp_path: Path):
    s = faults
    before = digest(s.serving_path)
    folder = s.serving_path.parent
    with mode(folder, 0o555):
        code, out = refresh(s, LAST_DAY, tmp_path / "unwritable.log", prefix=UNPRIVILEGED)
    assert code == 2, out
    assert f"cannot write in the serving file's folder {folder}" in out
    assert "WAREHOUSE_SERVING_PATH" in out
    assert digest(s.serving_path) == before


@pytest.mark.skipif(not IS_ROOT or shutil.which("mount") is None, reason="mounting a small disk needs root")
def test_full_disk_under_the_working_file(faults: Settings, tmp_path: Path):
    """The working file's folder becomes a tmpfs with little room beyond the file itself: the
    refresh fails saying the disk is full, and the serving file is the last good one."""
    s = faults
    before = digest(s.serving_path)
    folder = s.duckdb_path.parent
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(s.duckdb_path, copy)
    size = copy.stat().st_size + 256 * 1024  # room for the probe, not for a partition's reload
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        shutil.copy(copy, s.duckdb_path)
        code, out = refresh(s, LAST_DAY, tmp_path / "full.log")
    finally:
        subprocess.run(["umount", str(folder)], check=True)
    assert code == 1, out
    assert "No space left on device" in out, out
    assert "what to do: a disk is full" in out
    assert digest(s.serving_path) == before
    assert raw_counts(s.duckdb_path), "the real working file under the mount is untouched"


ORDER_HEADER = ",".join(ORDERS.column_names)


def test_failed_refresh_names_each_failed_step_once_with_its_first_error(faults: Settings, tmp_path: Path):
    """A real failing refresh: an order in CHF, which loads (a valid ISO code) but has no FX rate, so
    error-level dbt tests fail. Dagster says which steps it did not run with one list entry per
    input (the dbt step 56 times on one line); the output names each step once."""
    s = faults
    before = digest(s.serving_path)
    extra = s.landing_dir / "orders" / f"dt={LAST_DAY}" / "zz-swiss-order.csv"
    stamp = f"{LAST_DAY}T10:00:00Z"
    extra.write_text(f"{ORDER_HEADER}\nCH-1,{stamp},{stamp},C00001,completed,web,CHF,1,P0001,x,1,10,0,\n")
    try:
        code, out = refresh(s, LAST_DAY, tmp_path / "failed.log")
    finally:
        extra.unlink()
    assert code == 1, out
    summary = out[out.index("FAILED: nothing was published") :]
    failed_steps = [line for line in summary.splitlines() if line.startswith("  failed step: ")]
    assert [line.split(": ")[1] for line in failed_steps] == ["dbt_models"], summary
    # with its first error: dbt's own message, read from its log, not only "dbt exited with 1"
    first_error = "  failed step: dbt_models: dbt said: test not_null_int_orders_converted_"
    assert failed_steps[0].startswith(first_error), failed_steps[0]
    assert ": Got 1 result, configured to fail if" in failed_steps[0]
    failed_tests = [line for line in summary.splitlines() if line.startswith("  failed test: ")]
    assert len(failed_tests) == len(set(failed_tests)) >= 1, summary
    assert any("not_null_int_orders_converted_fx_factor" in line for line in failed_tests), summary
    # no line of the output about a failure names a step twice; the steps left out say why, once
    steps = ("dbt_models", "serving__published_marts", "serving__kpi_report")
    about_failure = [line for line in out.splitlines() if re.search("fail|not run|not executing", line, re.I)]
    assert len(about_failure) >= 4, out  # the step's FAILED line, two left out, the summary
    for line in about_failure:  # (a path such as target/dbt_models-<run>/dbt.log is no mention)
        assert all(len(re.findall(rf"(?<![\w/-]){step}(?![\w-])", line)) <= 1 for step in steps), line
    assert "Dependencies for step" not in out
    assert "serving__published_marts: not run, because dbt_models failed" in out, out
    assert digest(s.serving_path) == before


def wait_for(predicate, what: str, process: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"the refresh ended (code {process.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s:\n{log.read_text()}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def test_refreshes_take_turns_and_a_corrupt_manifest_is_rebuilt(
    faults: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Refresh A holds the project-wide lock (paused inside its first load). Meanwhile a refresh
    told not to wait, `warehouse demo` and a Dagster run (the UI's path) each refuse naming A; a
    refresh with the default setting waits, saying for whom, and runs once A is gone (killed: the
    kernel releases its lock). Before it parses, dbt's manifest is corrupted as a parse racing a
    refresh once left it: the waiting refresh rebuilds it and succeeds."""
    import dagster as dg

    from orchestration.core.locking import LOCK_TIMEOUT_SETTING
    from orchestration.definitions import DAILY_JOB, build_definitions
    from orchestration.transform.dbt_parse import MANIFEST, manifest_is_readable

    s = faults
    marker = tmp_path / "a.marker"
    a_log, c_log = tmp_path / "a.log", tmp_path / "c.log"
    a = start_refresh(s, LAST_DAY, a_log, **{PAUSE_AT: "load:before-commit", PAUSE_MARKER: str(marker)})
    c = None
    try:
        wait_for(marker.exists, "the pause in its first load", a, a_log)
        holder = f"refresh pid {a.pid}"

        code, out = refresh(s, LAST_DAY, tmp_path / "b.log", args=("--wait", "0"))
        assert code == 2, out
        assert f"another refresh is running: {holder}" in out, out
        assert "refresh --start" in out  # the running one's command
        assert "Could not set lock" not in out

        demo = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "demo"],
            cwd=PROJECT_ROOT,
            env=child_env(s, **{LOCK_TIMEOUT_SETTING: "0"}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert demo.returncode == 2, demo.stdout + demo.stderr
        assert f"another refresh is running: {holder}" in demo.stderr

        monkeypatch.setenv(LOCK_TIMEOUT_SETTING, "1")
        job = build_definitions(s).resolve_job_def(DAILY_JOB)
        result = job.execute_in_process(
            raise_on_error=False,
            tags={
                "dagster/asset_partition_range_start": LAST_DAY.isoformat(),
                "dagster/asset_partition_range_end": LAST_DAY.isoformat(),
            },
        )
        assert not result.success
        errors = [
            e.event_specific_data.error.message
            for e in result.all_events
            if e.event_type == dg.DagsterEventType.RESOURCE_INIT_FAILURE
        ]
        assert any(f"another refresh is running: {holder}" in m for m in errors), errors
        assert not any(e.is_step_start for e in result.all_events)  # nothing touched the files
        monkeypatch.delenv(LOCK_TIMEOUT_SETTING)

        c = start_refresh(s, LAST_DAY, c_log)
        wait_for(lambda: f"waiting for {holder}" in c_log.read_text(), "a waiting message", c, c_log, 300)
        with MANIFEST.open("a") as manifest:  # "unexpected content after document"
            manifest.write('\n{"half": "of another parse"}\n')
        assert not manifest_is_readable()
        os.killpg(a.pid, signal.SIGKILL)
        a.wait(timeout=60)

        code = c.wait(timeout=900)
        out = c_log.read_text()
        assert code == 0, out
    finally:
        stop(a)
        if c is not None:
            stop(c)
    assert "the other refresh finished; going on" in out
    assert manifest_is_readable()
    assert raw_counts(s.duckdb_path) == clean_counts(s.landing_dir, DAYS_LOADED, tmp_path / "clean.duckdb")


def test_a_killed_parse_leaves_the_previous_manifest(faults: Settings, tmp_path: Path):
    """`dbt parse` killed while it writes: target/ keeps the previous parse, whole, and the next
    parse clears the killed one's scratch folder."""
    from orchestration.transform.dbt_parse import MANIFEST, manifest_is_readable, prepare_dbt_manifest

    prepare_dbt_manifest()
    before = digest(MANIFEST)
    log = tmp_path / "parse.log"
    parse = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from orchestration.transform.dbt_parse import prepare_dbt_manifest as p; p(force=True)",
        ],
        cwd=PROJECT_ROOT,
        env=child_env(faults),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    scratch = MANIFEST.parent / f".parse-{parse.pid}"
    try:
        # killed as dbt writes its manifest: where a parse writing target/ in place left half a file
        deadline = time.monotonic() + 300
        while not (scratch / "manifest.json").exists():
            assert parse.poll() is None, f"the parse ended before writing its manifest:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no manifest written within 300 s:\n{log.read_text()}"
            time.sleep(0.005)
    finally:
        stop(parse)
    assert digest(MANIFEST) == before and manifest_is_readable()
    assert prepare_dbt_manifest() is False  # the previous parse is whole and current: nothing to redo
    assert scratch.exists()
    assert prepare_dbt_manifest(force=True) is True
    assert not scratch.exists() and manifest_is_readable()
