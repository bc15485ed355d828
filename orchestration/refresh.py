"""Run the daily_refresh job for a range of arrival days, as the `warehouse` command does.

The run goes through the same Dagster definitions the UI shows, against the persistent Dagster
instance, so it appears in the UI's run history.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.core.settings import Settings
from orchestration.ingest.loaders import landing_partitions

DAGSTER_YAML = """# Written by the warehouse command. Runs started from the command line and from the UI share
# this instance, so both show up in the same run history.
telemetry:
  enabled: false
"""


class RefreshError(Exception):
    """A refresh could not start; the message says what to fix."""


class RefreshBusy(RefreshError):
    """Another refresh of the same working database is running (and did not end in time)."""


@dataclass
class RefreshOutcome:
    success: bool
    run_id: str
    partitions: tuple[date, date]
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    warned_checks: list[str] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def report(self) -> str:
        first, last = self.partitions
        lines = [f"run {self.run_id}: arrival days {first} .. {last}"]
        if self.success:
            lines.append(f"OK: {len(self.materialized)} assets materialized; serving file published")
        else:
            lines.append("FAILED: nothing was published; the last good serving file is unchanged")
            lines += [f"  failed step: {s}" for s in self.failed_steps]
            lines += [f"  failed test: {c}" for c in self.failed_checks]
            hints = {h for h in (_hint(step) for step in self.failed_steps) if h}
            lines += [f"  what to do: {h}" for h in sorted(hints)]
        lines += [f"  warning: {c}" for c in self.warned_checks]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _hint(message: str) -> str | None:
    """What to fix, for the failures an operator can fix (the message names the path)."""
    lowered = message.lower()
    if "no space left on device" in lowered:
        return (
            "a disk is full: free space on the disk of the file named above (or point "
            "WAREHOUSE_DUCKDB_PATH / WAREHOUSE_SERVING_PATH at a bigger one) and rerun the refresh; "
            "partitions load whole and models rebuild, so the rerun picks up where this one stopped"
        )
    if "permission denied" in lowered or "read-only file system" in lowered:
        return "give this user read/write access to the path named above, then rerun the refresh"
    return None


def _describe_error(error) -> str:
    """The innermost cause of a step failure, which is where the useful message is (Dagster wraps
    user errors in 'Error occurred while executing op ...')."""
    if error is None:
        return "unknown error"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    text = " ".join(lines[:3])[:600] if lines else error.cls_name or "unknown error"
    dbt_errors = _dbt_log_errors(error.message)
    if dbt_errors:
        # dbt's own first error leads; dagster-dbt's wrapper only says that dbt exited with 1
        log = _DBT_LOG.search(error.message)
        where = log.group(1) if log else "?"
        more = f"{len(dbt_errors) - 1} more error(s) and " if len(dbt_errors) > 1 else ""
        return f"dbt said: {dbt_errors[0]} ({more}the whole story in dbt's log {where})"
    return text


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_LOG = re.compile(r"dbt debug log: (\S+?dbt\.log)")
_DBT_PROGRESS = re.compile(r"^\d+ of \d+ ")


def _dbt_log_errors(message: str) -> list[str]:
    """The errors of a failed dbt command, in order, from the debug log dagster-dbt names in its
    exception (which itself only says that dbt exited with code 1). A failing test's detail
    ("Got 1 result, ...") is joined to its "Failure in test ..." line, which names the test."""
    match = _DBT_LOG.search(message)
    if not match:
        return []
    found: list[str] = []
    failure_in = ""
    try:
        with open(match.group(1), encoding="utf-8") as log:
            for line in log:
                try:
                    info = json.loads(line)["info"]
                except (ValueError, KeyError):
                    continue
                text = " ".join(_ANSI.sub("", info.get("msg", "")).split())
                if info.get("level") != "error" or not text or _DBT_PROGRESS.match(text):
                    continue
                if text.startswith("Failure in "):
                    failure_in = text.split(" (", 1)[0].removeprefix("Failure in ")
                    continue
                text = f"{failure_in}: {text}" if failure_in else text
                failure_in = ""
                if text[:400] not in found:
                    found.append(text[:400])
    except OSError:
        return []
    return found


def prepare_environment(settings: Settings) -> None:
    """Make dbt, Dagster and child processes see this run's settings, with absolute paths.

    One absolute DuckDB path per process keeps dbt's partial parsing valid between steps.
    """
    os.environ.update(settings.dbt_env())
    os.environ["WAREHOUSE_LANDING_DIR"] = str(settings.landing_dir)
    os.environ["WAREHOUSE_SERVING_PATH"] = str(settings.serving_path)
    os.environ["WAREHOUSE_START_DATE"] = settings.start_date.isoformat()
    os.environ.setdefault("DBT_PROFILES_DIR", str(settings.project_root))
    # dagster-dbt looks dbt up on PATH; put this environment's bin/ first so it is the same dbt.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    home = os.environ.get("DAGSTER_HOME")
    home_path = Path(home) if home else settings.project_root / "data" / "dagster_home"
    home_path.mkdir(parents=True, exist_ok=True)
    if not (home_path / "dagster.yaml").exists():
        (home_path / "dagster.yaml").write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home_path.resolve())


def preflight(settings: Settings) -> None:
    """Fail before anything runs when a path the refresh needs cannot be used, saying which and how
    to fix it; the last good serving file is then untouched by construction."""
    from orchestration.serve.publish import check_writable_folder

    landing = settings.landing_dir
    if landing.is_dir():
        try:
            for entry in os.scandir(landing):
                if entry.is_dir():
                    os.listdir(entry.path)
        except OSError as exc:
            raise RefreshError(
                f"landing zone {landing} cannot be read ({exc.strerror or exc}: {exc.filename}); "
                "give this user read access to it or set WAREHOUSE_LANDING_DIR"
            ) from exc
    folders = [
        (settings.duckdb_path.parent, "the working database's folder", "WAREHOUSE_DUCKDB_PATH"),
        (settings.serving_path.parent, "the serving file's folder", "WAREHOUSE_SERVING_PATH"),
        (settings.kpi_report_path.parent, "the KPI report's folder", "WAREHOUSE_REPORT_PATH"),
    ]
    for folder, what, setting in folders:
        try:
            check_writable_folder(folder, what, setting)
        except PermissionError as exc:
            raise RefreshError(str(exc)) from exc
    if settings.duckdb_path.exists():
        try:
            with open(settings.duckdb_path, "r+b"):
                pass
        except OSError as exc:
            raise RefreshError(
                f"cannot open the working database {settings.duckdb_path} for writing "
                f"({exc.strerror or exc}); fix its permissions or set WAREHOUSE_DUCKDB_PATH"
            ) from exc


def close_dead_runs(instance, echo: Callable[[str], None]) -> None:
    """Mark as failed the refresh runs whose process died without finishing (killed, out of
    memory, machine restarted), so the UI's run history does not show them running forever."""
    import dagster as dg

    host = socket.gethostname()
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={"warehouse/host": host},
        )
    )
    for run in runs:
        pid = run.tags.get("warehouse/pid", "")
        if pid.isdigit() and not _process_alive(int(pid)):
            instance.report_run_failed(
                run, message=f"process {pid} ended without finishing the run (killed or crashed)"
            )
            echo(f"run {run.run_id} was left unfinished by process {pid}; marked as failed")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


def choose_partitions(
    settings: Settings, start: date | None, end: date | None, last_complete_day: date
) -> tuple[date, date]:
    """The arrival-day range to refresh: the landing zone's days, clipped to the request and to the
    partitions Dagster knows (WAREHOUSE_START_DATE .. the last complete day)."""
    if not settings.landing_dir.is_dir():
        raise RefreshError(
            f"landing zone {settings.landing_dir} does not exist; run `warehouse generate` "
            "or set WAREHOUSE_LANDING_DIR"
        )
    days = landing_partitions(settings.landing_dir)
    if start is None or end is None:
        if not days:
            raise RefreshError(
                f"no dt=YYYY-MM-DD folders under {settings.landing_dir}; run `warehouse generate` first"
            )
        start = start or days[0]
        end = end or days[-1]
    if end < start:
        raise RefreshError(f"--end {end} is before --start {start}")
    if start < settings.start_date:
        raise RefreshError(
            f"{start} is before the first partition {settings.start_date}; "
            "set WAREHOUSE_START_DATE to the first day of your data"
        )
    if end > last_complete_day:
        raise RefreshError(
            f"{end} is not a complete day yet (the newest partition is {last_complete_day}); "
            "refresh it tomorrow or pass --end"
        )
    return start, end


def run_refresh(
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
    *,
    full_refresh: bool = False,
    echo: Callable[[str], None] = print,
    lock_timeout: float | None = None,
) -> RefreshOutcome:
    """Parse, load, build, test and publish, holding the refresh lock (orchestration/core/locking.py)
    throughout: a second refresh waits for this one (up to `lock_timeout` seconds, default
    WAREHOUSE_REFRESH_LOCK_TIMEOUT) or stops with RefreshBusy naming it."""
    from orchestration.core.locking import LockTimeout, refresh_lock

    prepare_environment(settings)
    preflight(settings)
    try:
        lock = refresh_lock(settings.duckdb_path, say=echo, timeout=lock_timeout)
        lock.acquire()
    except LockTimeout as exc:
        raise RefreshBusy(str(exc)) from exc
    except ValueError as exc:  # the timeout setting
        raise RefreshError(str(exc)) from exc
    try:
        return _run_refresh_locked(settings, start, end, full_refresh=full_refresh, echo=echo)
    finally:
        lock.release()


def _run_refresh_locked(
    settings: Settings,
    start: date | None,
    end: date | None,
    *,
    full_refresh: bool,
    echo: Callable[[str], None],
) -> RefreshOutcome:
    # Imported here: Dagster and dbt are heavy, and `warehouse generate` needs neither.
    import dagster as dg

    from orchestration.definitions import DAILY_JOB, build_definitions
    from orchestration.resources import WarehouseResource
    from orchestration.transform.dbt_parse import prepare_dbt_manifest

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    echo("parsing the dbt project ...")
    prepare_dbt_manifest()
    defs = build_definitions(settings)
    job = defs.resolve_job_def(DAILY_JOB)
    partitions_def = job.partitions_def
    assert partitions_def is not None
    last_key = partitions_def.get_last_partition_key()
    if last_key is None:
        raise RefreshError(
            f"WAREHOUSE_START_DATE {settings.start_date} is in the future; no partition exists yet"
        )
    first, last = choose_partitions(settings, start, end, date.fromisoformat(last_key))
    echo(f"refreshing arrival days {first} .. {last}{' (full refresh)' if full_refresh else ''}")

    instance = dg.DagsterInstance.get()
    close_dead_runs(instance, echo)
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"progress": {"config": {"log_level": "INFO"}}}},
        resources={"warehouse": WarehouseResource(dbt_full_refresh=full_refresh)},
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
            "warehouse/command": "refresh",
            "warehouse/host": socket.gethostname(),
            "warehouse/pid": str(os.getpid()),
        },
    )
    outcome = RefreshOutcome(success=result.success, run_id=result.run_id, partitions=(first, last))
    failed: dict[str, str] = {}
    for event in result.all_events:
        if event.is_step_failure:
            # each failed step once, with its first error (a retried step fails more than once)
            failed.setdefault(event.step_key, _describe_error(event.step_failure_data.error))
        elif event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key:
            outcome.materialized.append(event.asset_key.to_user_string())
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.asset_check_evaluation_data
            if not data.passed:
                name = f"{data.asset_key.to_user_string()}:{data.check_name}"
                if data.severity == dg.AssetCheckSeverity.ERROR:
                    outcome.failed_checks.append(name)
                else:
                    outcome.warned_checks.append(name)
    outcome.failed_steps = [f"{step}: {error}" for step, error in failed.items()]
    skipped = [event.step_key for event in result.all_events if event.event_type_value == "STEP_SKIPPED"]
    if outcome.success and skipped:
        # Dagster calls a run whose steps were skipped a success: here it is not, since nothing
        # after the skipped step (publication) ran. A step is skipped when one of its inputs was
        # never reported, e.g. a dbt model whose log line dagster-dbt could not read.
        outcome.success = False
        outcome.failed_steps = [
            f"{step}: skipped, as an output it needs was not reported" for step in skipped
        ]
    if outcome.success:
        from orchestration.serve.clv_report import clv_fit_note

        note = clv_fit_note(settings.serving_path)
        if note:
            outcome.notes.append(note)
    return outcome
