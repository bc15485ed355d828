"""The refresh lock on its own, between real processes (tests/test_faults.py has it between real
refreshes, the demo and a Dagster run), and the failure output's pure helpers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from orchestration.core.locking import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    LOCK_TIMEOUT_SETTING,
    FileLock,
    LockTimeout,
    lock_timeout,
    refresh_lock,
    refresh_lock_path,
)
from orchestration.core.progress import describe_not_executed
from orchestration.core.settings import PROJECT_ROOT

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.core.locking import refresh_lock
    lock = refresh_lock(Path(sys.argv[1]), command="holder for the test", timeout=0)
    lock.acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    lock.release()
    print("released", flush=True)
    time.sleep(60)
    """
)


def hold(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that takes the lock of `db`, keeps it `seconds`, gives it back, and lives on."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def test_timeout_setting_is_validated_naming_it():
    assert lock_timeout({}) == DEFAULT_LOCK_TIMEOUT_SECONDS
    assert lock_timeout({LOCK_TIMEOUT_SETTING: "0"}) == 0
    assert lock_timeout({LOCK_TIMEOUT_SETTING: " 2.5 "}) == 2.5
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match=LOCK_TIMEOUT_SETTING):
            lock_timeout({LOCK_TIMEOUT_SETTING: bad})


def test_a_held_lock_is_refused_naming_its_holder_then_waited_for(tmp_path: Path):
    db = tmp_path / "work" / "warehouse.duckdb"
    holder = hold(db, 3)
    try:
        with pytest.raises(LockTimeout) as refused:
            refresh_lock(db, timeout=0).acquire()
        message = str(refused.value)
        assert f"another refresh is running: refresh pid {holder.pid} started at " in message
        assert "(holder for the test)" in message and LOCK_TIMEOUT_SETTING in message
        assert str(refresh_lock_path(db)) in message

        said: list[str] = []
        started = time.monotonic()
        with refresh_lock(db, timeout=60, say=said.append):
            waited = time.monotonic() - started
            assert refresh_lock_path(db).read_text().startswith('{"what": "refresh"')
        assert 1 < waited < 30, waited
        assert said[0].startswith(f"waiting for refresh pid {holder.pid} started at "), said
        assert said[-1] == "the other refresh finished; going on"
        assert refresh_lock_path(db).read_text() == ""  # nobody holds it: nobody is named
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_goes_with_a_killed_holder(tmp_path: Path):
    db = tmp_path / "warehouse.duckdb"
    holder = hold(db, 600)
    holder.kill()
    holder.wait()
    with refresh_lock(db, timeout=0):  # no stale lock: the kernel released it
        pass


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path):
    db = tmp_path / "warehouse.duckdb"
    outer = refresh_lock(db, timeout=0)
    with outer:
        with refresh_lock(db, timeout=0), FileLock(refresh_lock_path(db), timeout=0):
            pass
        # still held after the inner ones ended: another process is refused
        probe = subprocess.run(
            [sys.executable, "-c", HOLDER, str(db), "0"], cwd=PROJECT_ROOT, capture_output=True, text=True
        )
        assert probe.returncode != 0 and "another refresh is running" in probe.stderr
    holder = hold(db, 0)  # and free once the outer one ended
    holder.kill()
    holder.wait()


def test_dagsters_list_of_failed_inputs_names_each_step_once():
    inputs = ["dbt_models"] * 56 + ["raw_events"]
    message = f"Dependencies for step serving__published_marts failed: {inputs}. Not executing."
    assert describe_not_executed(message) == "not run, because dbt_models, raw_events failed"
    message = (
        "Dependencies for step serving__kpi_report were not executed: ['serving__published_marts']. "
        "Not executing."
    )
    assert describe_not_executed(message) == "not run, because serving__published_marts did not run"
    assert describe_not_executed("something else") == "something else"
