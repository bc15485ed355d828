"""Shared fixtures.

dbt runs against one absolute DuckDB path per test process (changing it forces dbt to re-parse the
whole project), so tests that run dbt share `warehouse_settings` and start from a clean file with
`fresh_warehouse`.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import gzip
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from orchestration.core.settings import PROJECT_ROOT, Settings
from orchestration.refresh import RefreshOutcome, run_refresh
from orchestration.sample import GenerateSummary, generate

SAMPLE_START = date(2026, 10, 1)
# The generated sample the pipeline tests share: small enough to refresh day by day in CI.
DAYS = 3
START = SAMPLE_START
# How `built` refreshes it before the full refresh: a two-day window (a backfill range), then the
# last day incrementally on top. One run fewer than day by day keeps CI inside its 15 minutes.
LAST_DAY = START + timedelta(days=DAYS - 1)
INCREMENTAL_WINDOWS = [(START, LAST_DAY - timedelta(days=1)), (LAST_DAY, LAST_DAY)]


SPARK_WANTED = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reads the `built` sample runs first, together, in file order: tests using
    `fresh_warehouse` empty the shared working file `built` refreshed fully. The fault tests kill
    refreshes of the shared sample and recover it: they run after the others. The Spark test runs
    last, to give the Spark refreshes `built` starts in the background the whole suite's time (it
    reads a copy of the sample's serving file, which the fault tests leave alone)."""
    global SPARK_WANTED
    SPARK_WANTED = any(item.get_closest_marker("spark") for item in items)
    items.sort(
        key=lambda item: (
            item.get_closest_marker("spark") is not None,
            item.path.name == "test_faults.py",
            "built" not in getattr(item, "fixturenames", ()),
        )
    )


@pytest.fixture(scope="session")
def warehouse_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    from orchestration.refresh import prepare_environment
    from orchestration.transform.dbt_parse import prepare_dbt_manifest

    root = tmp_path_factory.mktemp("warehouse")
    env = {
        "WAREHOUSE_LANDING_DIR": str(root / "landing"),
        # in a folder of its own, so a fault test can mount a small disk over it
        "WAREHOUSE_DUCKDB_PATH": str(root / "work" / "warehouse.duckdb"),
        "WAREHOUSE_SERVING_PATH": str(root / "serving" / "serving.duckdb"),
        "WAREHOUSE_START_DATE": SAMPLE_START.isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("WAREHOUSE_REPORTING_TIMEZONE", raising=False)
        mp.delenv("WAREHOUSE_REPORTING_CURRENCY", raising=False)
        settings = Settings.from_env()
        prepare_environment(settings)
        prepare_dbt_manifest()
        yield settings


@pytest.fixture
def fresh_warehouse(warehouse_settings: Settings) -> Settings:
    """The shared settings with an empty landing zone, working file and serving file."""
    s = warehouse_settings
    shutil.rmtree(s.landing_dir, ignore_errors=True)
    s.landing_dir.mkdir(parents=True)
    for path in (s.duckdb_path, s.serving_path):
        path.unlink(missing_ok=True)
        Path(str(path) + ".wal").unlink(missing_ok=True)
    return s


@dataclass
class Built:
    settings: Settings
    sample: GenerateSummary
    daily_outcomes: list[RefreshOutcome]
    full_outcome: RefreshOutcome
    incremental_copy: Path
    incremental_serving_copy: Path
    late_events_added: int  # page views add_late_events delivered
    restitched: dict[str, str]  # visitor -> customer, from the logins add_late_events delivered
    reexported_order: str  # an order of the first window exported again on the last day, cancelled
    reexported_lines: int  # its order lines, in that export
    spark_side: SparkSide | None = None  # the same refreshes on Spark, started in the background


@pytest.fixture(scope="session")
def built(warehouse_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample refreshed window by window (INCREMENTAL_WINDOWS; kept as a copy), then fully
    refreshed."""
    s = warehouse_settings
    shutil.rmtree(s.landing_dir, ignore_errors=True)
    for path in (s.duckdb_path, s.serving_path):
        path.unlink(missing_ok=True)
    sample = generate(s.landing_dir, days=DAYS, customers=150, seed=7, start=START)
    late_events_added, restitched = add_late_events(s.landing_dir)
    reexported_order, reexported_lines = reexport_an_order(s.landing_dir)
    spark_side = start_spark_side(s, tmp_path_factory.mktemp("spark")) if SPARK_WANTED else None

    daily = []
    for first, last in INCREMENTAL_WINDOWS:
        daily.append(run_refresh(s, first, last, echo=lambda _: None))
    keep = tmp_path_factory.mktemp("incremental")
    incremental_copy = Path(shutil.copy(s.duckdb_path, keep / "incremental.duckdb"))
    serving_copy = Path(shutil.copy(s.serving_path, keep / "serving.duckdb"))

    full = run_refresh(s, full_refresh=True, echo=lambda _: None)
    return Built(
        s, sample, daily, full, incremental_copy, serving_copy, late_events_added, restitched,
        reexported_order, reexported_lines, spark_side,
    )  # fmt: skip


@dataclass
class SparkSide:
    """`built`'s refreshes (INCREMENTAL_WINDOWS, the first as a full refresh) on Spark, running in
    a background process with settings of its own (contract §7)."""

    process: subprocess.Popen
    lake_dir: Path
    log: Path
    unit_tests_log: Path  # `dbt test --select test_type:unit` on Spark after the refreshes; exit code last

    def wait(self, timeout: float = 45 * 60) -> subprocess.Popen:
        """The finished process; a Spark side still running after `timeout` seconds (a hang) is
        stopped, and its return code says so."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop_process_group(self.process)
            self.process.wait()
        return self.process

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    if os.environ.get("WAREHOUSE_SKIP_SPARK_TESTS") == "1":
        return "WAREHOUSE_SKIP_SPARK_TESTS=1"
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return "dbt-spark / pyspark are not installed (make setup WITH_SPARK=1, or make test)"
    if shutil.which("java") is None:
        return "Java is not installed (make test installs Debian's default-jre-headless)"
    return None


def start_spark_side(settings: Settings, root: Path) -> SparkSide | None:
    if spark_missing():
        return None
    landing = Path(shutil.copytree(settings.landing_dir, root / "landing"))
    env = {
        **os.environ,
        "WAREHOUSE_ENGINE": "spark",
        "WAREHOUSE_LANDING_DIR": str(landing),
        "WAREHOUSE_LAKE_DIR": str(root / "lake"),
        "WAREHOUSE_DUCKDB_PATH": str(root / "work" / "warehouse.duckdb"),  # its refresh lock only
        "WAREHOUSE_SERVING_PATH": str(root / "serving" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DBT_TARGET_PATH": str(root / "target"),  # Spark's parse beside DuckDB's, not over it
        "WAREHOUSE_SPARK_SHUFFLE_PARTITIONS": "2",
    }
    bin_dir = Path(sys.executable).parent
    (first, first_end), (last, _) = INCREMENTAL_WINDOWS
    # The full refresh builds without data tests (Spark pays seconds per test; the suite's time
    # budget is 25 minutes); the daily run builds and tests everything, on the state compared.
    # Then dbt's unit tests run on Spark (they need the built relations for column types), in a
    # log of their own; the script's exit code is the refreshes'.
    units_log = root / "spark_unit_tests.log"
    script = (
        f"WAREHOUSE_SKIP_DATA_TESTS=1 {bin_dir / 'warehouse'} refresh --start {first} --end {first_end}"
        f" --full-refresh && {bin_dir / 'warehouse'} refresh --start {last} --end {last}; refreshed=$?;"
        f" cd {PROJECT_ROOT} && {bin_dir / 'dbt'} test --select test_type:unit > {units_log} 2>&1;"
        f" echo $? >> {units_log}; exit $refreshed"
    )
    log = root / "spark_refreshes.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["sh", "-c", script], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    # a suite stopped early (-x, Ctrl-C) must not leave Spark running
    atexit.register(_stop_process_group, process)
    return SparkSide(process, root / "lake", log, units_log)


def _stop_process_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def spark_side(built: Built) -> SparkSide:
    reason = spark_missing()
    if reason:
        pytest.skip(f"Spark cannot run here: {reason}")
    assert built.spark_side is not None, "the Spark refreshes were not started with the sample"
    return built.spark_side


Timelines = dict[str, list[tuple[datetime, bool, dict]]]  # visitor -> (occurred_at, arrives last, event)


def read_event_timelines(landing: Path) -> Timelines:
    """Every parseable event of the landing zone by visitor, in time order, marked by whether it
    arrives on the last day."""
    timelines: Timelines = {}
    for path in sorted((landing / "events").glob("dt=*/*.jsonl*")):
        arrives_last = path.parent.name == f"dt={LAST_DAY}"
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                try:  # the sample carries defective lines on purpose: the loader rejects them
                    event = json.loads(line)
                    occurred_at = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue
                timelines.setdefault(event["anonymous_id"], []).append((occurred_at, arrives_last, event))
    for timeline in timelines.values():
        timeline.sort(key=lambda item: item[0])
    return timelines


def late_page_view(like: dict, occurred_at: datetime, name: str, **fields) -> dict:
    """A page view of `like`'s visitor, device and page at `occurred_at`."""
    kept = ("anonymous_id", "customer_id", "platform", "page_path", "page_title", "device_type", "region")
    return {
        **{field: like.get(field) for field in kept},
        "event_id": f"late-{name}-{like['event_id']}",
        "event_type": "page_view",
        "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
        **fields,
    }


def session_changing_late_events(timelines: Timelines) -> tuple[list[dict], set[str]]:
    """Late page views, delivered on the last day, that change sessions the first window built
    on its second day: some fill a visitor's gap between two sessions and merge them into
    one, another comes just before a visitor's first event and so changes their first session's
    id. The session each replaces must vanish from an incremental build as from a full one.
    Returns the events and the visitors they change."""
    second_day = START + timedelta(days=1)
    added: list[dict] = []
    roles: dict[str, str] = {}
    session_gap = timedelta(minutes=30)
    # The visitor with the shortest gap between two sessions the first window built: page views
    # evenly spaced across it, no step longer than the session gap, merge the two.
    gaps = []
    for anonymous_id, timeline in sorted(timelines.items()):
        built_before = [(at, event) for at, arrives_last, event in timeline if not arrives_last]
        for (before_at, before), (after_at, _) in zip(built_before, built_before[1:], strict=False):
            if after_at - before_at > session_gap and before_at.date() == after_at.date() == second_day:
                gaps.append((after_at - before_at, anonymous_id, before_at, before))
    if gaps:
        gap, anonymous_id, before_at, before = min(gaps, key=lambda g: (g[0], g[1]))
        steps = -(-gap // session_gap)
        for step in range(1, steps):
            added.append(late_page_view(before, before_at + gap * step / steps, f"merge{step}"))
        roles["merge"] = anonymous_id
    # Another visitor whose first event the first window built: a page view just before it.
    for anonymous_id, timeline in sorted(timelines.items()):
        if anonymous_id != roles.get("merge") and not timeline[0][1] and timeline[0][0].date() == second_day:
            first_at, _, first = timeline[0]
            added.append(late_page_view(first, first_at - timedelta(minutes=5), "first"))
            roles["new_first_event"] = anonymous_id
            break
    assert set(roles) == {"merge", "new_first_event"}, f"the sample offers no such visitors: {roles}"
    return added, set(roles.values())


def restitching_events(timelines: Timelines, taken: set[str]) -> tuple[list[dict], dict[str, str]]:
    """Identified page views on the last day, at noon, from two visitors whose events all
    occurred on the first day (START), so every session they had must change customer: one
    never identified logs in, and a shared device passes from its customer to another customer
    who has a device of their own active that day. Returns the events and each visitor's
    customer from then on. No late event of session_changing_late_events falls on that day, so
    the last daily run restates that day's week and month but not the day: it must move these
    visitors in the day's rows."""
    first_window = {
        anonymous_id: timeline
        for anonymous_id, timeline in sorted(timelines.items())
        if anonymous_id not in taken and {at.date() for at, _, _ in timeline} == {START}
    }

    def customer(timeline: list[tuple[datetime, bool, dict]]) -> str | None:
        identified = [event["customer_id"] for _, _, event in timeline if event.get("customer_id")]
        return identified[-1] if identified else None

    customers = {anonymous_id: customer(timeline) for anonymous_id, timeline in first_window.items()}
    noon = datetime.combine(LAST_DAY, datetime.min.time()).replace(hour=12, tzinfo=UTC)
    moves: dict[str, str] = {}
    added: list[dict] = []
    known = sorted({c for c in customers.values() if c})
    anonymous = next(anonymous_id for anonymous_id, c in customers.items() if c is None)
    moves[anonymous] = known[0]
    shared = next(
        (device, other_customer)
        for device, device_customer in customers.items()
        if device_customer
        for other_customer in customers.values()
        if other_customer not in (None, device_customer)  # every one of them was active on START
    )
    moves[shared[0]] = shared[1]
    for anonymous_id, new_customer in moves.items():
        like = first_window[anonymous_id][-1][2]
        added.append(late_page_view(like, noon, "login", customer_id=new_customer))
    return added, moves


def add_late_events(landing: Path) -> tuple[int, dict[str, str]]:
    """Deliver on the last day the late events of session_changing_late_events and
    restitching_events. Returns how many and the restitched visitors' new customers."""
    timelines = read_event_timelines(landing)
    session_changes, taken = session_changing_late_events(timelines)
    logins, moves = restitching_events(timelines, taken)
    folder = landing / "events" / f"dt={LAST_DAY}"
    for name, events in (("late-session-changes", session_changes), ("late-logins", logins)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return len(session_changes) + len(logins), moves


def reexport_an_order(landing: Path) -> tuple[str, int]:
    """Export again on the last day, cancelled, the first completed order of the first window
    whose buyer has no event arriving on the last day: the session of its purchase is not
    sessionized again, so only the order's new state can change its orders and revenue in the
    last daily run. Returns the order and how many lines the export has."""
    timelines = read_event_timelines(landing)
    quiet = {
        event["order_id"]
        for timeline in timelines.values()
        if not any(arrives_last for _, arrives_last, _ in timeline)
        for _, _, event in timeline
        if event.get("event_type") == "purchase" and event.get("order_id")
    }
    rows = []
    for path in sorted((landing / "orders").glob("dt=*/*.csv*")):
        if path.parent.name == f"dt={LAST_DAY}":
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    order = min(row["order_id"] for row in rows if row["status"] == "completed" and row["order_id"] in quiet)
    stamp = f"{LAST_DAY.isoformat()}T12:00:00+00:00"
    lines = [{**row, "status": "cancelled", "updated_at": stamp} for row in rows if row["order_id"] == order]
    with open(landing / "orders" / f"dt={LAST_DAY}" / "re-exported-order.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(lines)
    return order, len(lines)
