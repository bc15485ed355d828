"""An operator backfills three days from the Dagster UI, in a real headless browser.

`dagster dev` runs on 127.0.0.1 with a small generated landing zone and a warehouse, serving file
and DAGSTER_HOME of its own (never the shared `warehouse_settings` paths). Chromium opens the
daily job's Partitions tab, selects three partitions, launches the backfill and follows it until it
ends; the test then checks it ran as one successful run, the asset checks the run page shows,
and the serving file the run published. Screenshots of every step go to WAREHOUSE_TEST_ARTIFACTS,
else a pytest tmp folder (the path is printed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS, artifacts_dir, chromium_path

from orchestration.core.settings import PROJECT_ROOT
from orchestration.definitions import DAILY_JOB
from orchestration.sample import generate
from orchestration.transform.dbt_parse import MANIFEST, PARSE_OUTPUTS

FIRST_DAY = date(2026, 10, 1)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(3)]
# Small, so the run is quick; the days the backfill selects are all there is.
CUSTOMERS = 100
SERVER_START_SECONDS = 300.0  # a cold start parses the dbt project for this warehouse's profile
BACKFILL_SECONDS = 600.0
# The sample injects defective rows on purpose; in a sample this small they exceed 1% of some
# sources, so their loaders' reject-rate check warns (severity WARN, non-blocking). Any other
# check failing is a defect.
MAY_WARN = "reject_rate_below_1pct"
# The backfill page's status while it runs; any other ends the wait ("?": not drawn yet).
UNFINISHED = {"?", "Requested", "In progress", "Canceling", "Failing"}


@dataclass
class DagsterDev:
    url: str
    home: Path
    serving_path: Path
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def wait_until_loaded(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until the webserver answers and the code location has loaded (or failed to)."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
    query += "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            entries = graphql(url, query)["workspaceOrError"]["locationEntries"]
        except OSError:
            entries = []
        if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
            errors = [e["locationOrLoadError"] for e in entries if "message" in e["locationOrLoadError"]]
            assert errors == [], errors
            return
        time.sleep(1)
    pytest.fail(f"dagster dev did not load in {SERVER_START_SECONDS:.0f} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterDev]:
    root = tmp_path_factory.mktemp("dagster_ui")
    generate(root / "landing", days=len(DAYS), customers=CUSTOMERS, seed=7, start=FIRST_DAY)
    home = root / "dagster_home"
    (home / ".nux").mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # The UI greets a new instance with a newsletter dialog over the page; this file is how it
    # remembers it was dismissed.
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n")
    serving_path = root / "serving" / "serving.duckdb"
    # Only this warehouse's settings: none a test before set in this process's environment.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WAREHOUSE_", "DAGSTER_"))}
    env.update(
        WAREHOUSE_LANDING_DIR=str(root / "landing"),
        WAREHOUSE_DUCKDB_PATH=str(root / "work" / "warehouse.duckdb"),
        WAREHOUSE_SERVING_PATH=str(serving_path),
        WAREHOUSE_START_DATE=FIRST_DAY.isoformat(),
        DAGSTER_HOME=str(home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # dbt
    )
    # dagster dev parses the dbt project into target/ for its own warehouse path; the saved parse
    # of the shared warehouse goes back afterwards, or every later refresh would parse again.
    saved = root / "saved_parse"
    saved.mkdir()
    target = MANIFEST.parent
    kept = [name for name in (*PARSE_OUTPUTS, ".parsed_for_profile.json") if (target / name).exists()]
    for name in kept:
        shutil.copy2(target / name, saved / name)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "dagster_dev.log"
    with open(log, "w") as out:
        # its own process group: dagster dev ignores SIGTERM from a script without job control,
        # and its webserver, daemon, code server and run workers are all killed with the group
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)]
            + ["-m", "orchestration.definitions"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_loaded(url, process, log)
        yield DagsterDev(url, home, serving_path, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:  # it shuts its services down in turn; no state here is worth a slow shutdown
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever of the group is still there
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
        for name in kept:  # each by rename, so no reader ever sees half a file
            os.replace(shutil.copy2(saved / name, target / f".{name}.restore"), target / name)


def backfill_status(page) -> str:
    match = re.search(r"\bStatus\s*\n\s*([A-Z][a-z]+(?: [a-z]+)*)", page.locator("body").inner_text())
    return match.group(1) if match else "?"


def test_backfill_three_days_from_the_ui_runs_once_and_publishes(
    dagster_dev: DagsterDev, tmp_path_factory: pytest.TempPathFactory
):
    sync_api = pytest.importorskip("playwright.sync_api")
    import duckdb
    from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
    from dagster._core.instance.ref import InstanceRef

    artifacts = artifacts_dir(tmp_path_factory.mktemp("dagster_ui_screenshots"))
    page_errors: list[str] = []
    selection = f"[{DAYS[0]}...{DAYS[-1]}]"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: page_errors.append(str(e)))

            def shot(name: str) -> None:
                page.screenshot(path=str(artifacts / f"dagster_ui_{name}.png"))

            # Jobs -> the daily job -> Partitions
            page.goto(f"{dagster_dev.url}/jobs")
            page.get_by_role("link", name=DAILY_JOB).first.click()
            shot("01_job")
            page.get_by_role("tab", name="Partitions").click()
            page.get_by_text("Total partitions").wait_for()
            shot("02_partitions")

            # Materialize… -> a range of three partitions -> Launch backfill
            page.get_by_role("button", name="Materialize…").click()
            dialog = page.get_by_role("dialog")
            partitions = dialog.get_by_role("textbox").first
            partitions.fill(selection)
            partitions.press("Enter")
            dialog.get_by_text(f"{len(DAYS)} partitions", exact=True).wait_for()
            shot("03_launch_dialog")
            dialog.get_by_role("button", name="Launch backfill").click()

            created = page.get_by_text(re.compile(r"Created backfill"))
            created.wait_for()
            backfill_id = created.inner_text().split()[-1]
            # where the toast's View button leads; the toast is gone within seconds, so the
            # test goes by the id it showed
            page.goto(f"{dagster_dev.url}/runs/b/{backfill_id}")
            page.get_by_text("Partition selection").wait_for()
            shot("04_backfill")

            # follow it, as the operator would, until it ends
            deadline = time.monotonic() + BACKFILL_SECONDS
            status = backfill_status(page)
            while status in UNFINISHED and time.monotonic() < deadline:
                page.wait_for_timeout(3000)
                page.reload()
                page.get_by_text("Partition selection").wait_for()
                status = backfill_status(page)
            page.get_by_role("tab", name="Runs").click()
            # each run of the backfill is a row led by its short id, a link to the run
            runs = page.get_by_role("link", name=re.compile(r"\b[0-9a-f]{8}$"))
            runs.first.wait_for()
            shot("05_backfill_runs")
            assert status == "Succeeded", f"backfill {backfill_id}: {status}; log {dagster_dev.log}"
            assert runs.count() == 1, runs.all_inner_texts()
            page.get_by_text("Success", exact=True).wait_for()

            # the run's page: every check of the run, and the ones that did not pass
            runs.first.click()
            page.get_by_text("Success", exact=True).first.wait_for()
            checks_shown = int(page.get_by_text(re.compile(r"^\d+ checks$")).inner_text().split()[0])
            run_id = page.url.rstrip("/").split("/")[-1].split("?")[0]
            shot("06_run")
            page.get_by_placeholder("Filter…").fill("did not pass")
            failed_rows = page.get_by_text(re.compile(r"^Check \S+ failed for materialization of "))
            page.wait_for_timeout(1500)  # the filter applies as one types
            failed_shown = {row.inner_text() for row in failed_rows.all()}
            shot("07_checks_not_passed")
            if failed_shown:  # a warned check's own page says it does not block
                failed_rows.first.get_by_role("link").first.click()
                page.get_by_text("This is a non-blocking asset check.").wait_for()
                shot("08_warned_check")
        except Exception:
            shot("failed")  # where it stopped
            raise
        finally:
            browser.close()
    assert page_errors == []

    # what the UI showed, against the instance's own records
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_dev.home))) as instance:
        backfill_runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert [run.run_id for run in backfill_runs] == [run_id]  # ONE run for the three days
        run = backfill_runs[0]
        assert run.status == DagsterRunStatus.SUCCESS
        assert run.tags["dagster/asset_partition_range_start"] == DAYS[0].isoformat()
        assert run.tags["dagster/asset_partition_range_end"] == DAYS[-1].isoformat()
        planned = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
        evaluations = [
            record.dagster_event.asset_check_evaluation_data
            for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    assert len(evaluations) == len(planned) == checks_shown > 100  # every check ran: dbt tests and loaders
    failed = [e for e in evaluations if not e.passed]
    assert {
        f"Check {e.check_name} failed for materialization of {' / '.join(e.asset_key.path)}." for e in failed
    } == failed_shown
    assert all(e.check_name == MAY_WARN and e.severity == AssetCheckSeverity.WARN for e in failed), failed

    # the serving file (read-only, after the run): published by that run, the days' data in the marts
    con = duckdb.connect(str(dagster_dev.serving_path), read_only=True)
    try:
        assert con.execute("select run_id from main._publication").fetchall() == [(run_id,)]
        sessions = dict(
            con.execute(
                "select session_date, count(*) filter (where not is_bot) from marts.fct_sessions group by 1"
            ).fetchall()
        )
        kpi_sessions = dict(
            con.execute(
                """select period_start, value from marts.kpi_metrics
                   where period_grain = 'day' and segment_type = 'all' and kpi = 'sessions'"""
            ).fetchall()
        )
        order_days = {
            day
            for (day,) in con.execute(
                "select distinct order_date from marts.fct_orders where order_date >= ?", [DAYS[0]]
            ).fetchall()
        }
    finally:
        con.close()
    assert sorted(sessions) == DAYS and all(count > 0 for count in sessions.values())
    assert {day: kpi_sessions.get(day) for day in DAYS} == {day: float(sessions[day]) for day in DAYS}
    assert order_days == set(DAYS)
