"""One refresh at a time per working database, and one dbt parse at a time per project.

DuckDB lets one process write a file; a second refresh used to fail on DuckDB's own "Could not set
lock" at whichever step first met the other's connection, saying nothing of the other refresh.
Every run now takes an exclusive `flock` on `<working database>.lock` first: from the `warehouse`
command (around the parse and the run), and from the warehouse resource of any Dagster run (a UI
launch, a schedule, a backfill), so both paths pass through it. The file holds who has it (pid,
host, start time, command). A second refresh waits for the first, saying whom it waits for, up to
WAREHOUSE_REFRESH_LOCK_TIMEOUT seconds, then refuses naming the running one.

The kernel releases a `flock` when its holder dies, however it dies, so a killed refresh never
leaves a stale lock behind. Within one process the lock is re-entrant: `warehouse demo` holds it
around its refresh, which holds it around the Dagster run, whose resource takes it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

LOCK_TIMEOUT_SETTING = "WAREHOUSE_REFRESH_LOCK_TIMEOUT"
# Waiting is the default because the usual second refresh is a scheduled one meeting an operator's
# (or the reverse): it should run after it, not fail. An hour covers a daily refresh of a large
# shop; a full refresh that takes longer makes the waiting one refuse, naming it.
DEFAULT_LOCK_TIMEOUT_SECONDS = 3600.0
POLL_SECONDS = 0.5


class LockTimeout(Exception):
    """Another refresh held the lock for longer than we were willing to wait."""


def lock_timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for a running refresh (WAREHOUSE_REFRESH_LOCK_TIMEOUT); 0 refuses at once."""
    env = os.environ if env is None else env
    text = env.get(LOCK_TIMEOUT_SETTING, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(
            f"{LOCK_TIMEOUT_SETTING}={text!r} is not a number of seconds (0 or more): how long a "
            "refresh waits for another one to finish"
        )
    return value


def refresh_lock_path(duckdb_path: Path) -> Path:
    """The lock file beside the working database (a different database, a different lock)."""
    return duckdb_path.with_name(duckdb_path.name + ".lock")


def describe_holder(path: Path) -> str:
    """Who holds the lock, from what they wrote into it."""
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "another process (it has not said which yet)"
    where = f" on {info['host']}" if info.get("host") and info["host"] != socket.gethostname() else ""
    what, started, command = info.get("what", "refresh"), info.get("started_at", "?"), info.get("command")
    return f"{what} pid {info['pid']}{where} started at {started}" + (f" ({command})" if command else "")


# path -> (lock, depth) of the locks this process holds; makes nested takes of one lock free
_HELD: dict[str, list] = {}


class FileLock:
    """An exclusive flock on `path`, taken with `acquire` (waiting up to `timeout` seconds and
    saying so through `say`) and given back with `release`; also a context manager."""

    def __init__(
        self,
        path: Path,
        *,
        what: str = "refresh",
        command: str | None = None,
        timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        say: Callable[[str], None] = print,
        setting: str | None = LOCK_TIMEOUT_SETTING,
    ) -> None:
        self.path = path
        self.what = what
        self.command = command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]).strip()
        self.timeout = timeout
        self.say = say
        self.setting = setting
        self._fd: int | None = None
        self._key = str(path.resolve())  # one key per file, however the path was spelled

    def acquire(self) -> None:
        held = _HELD.get(self._key)
        if held is not None:
            held[1] += 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self._wait(fd)
            info = {
                "what": self.what,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": self.command,
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        _HELD[self._key] = [self, 1]

    def _wait(self, fd: int) -> None:
        deadline = time.monotonic() + self.timeout
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if announced:
                    self.say(f"the other {self.what} finished; going on")
                return
            except BlockingIOError:
                pass
            holder = describe_holder(self.path)
            if time.monotonic() >= deadline:
                waited = f" after waiting {self.timeout:g} s" if self.timeout else ""
                longer = f", or set {self.setting} (seconds) to wait longer" if self.setting else ""
                raise LockTimeout(
                    f"another {self.what} is running: {holder}; not starting{waited}. Wait for it to "
                    f"finish{longer} (lock file {self.path})"
                )
            if not announced and "has not said" not in holder:
                limit = f"{self.timeout:g} s" + (f", {self.setting}" if self.setting else "")
                self.say(f"waiting for {holder} to finish (up to {limit}; lock file {self.path})")
                announced = True
            time.sleep(max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))

    def release(self) -> None:
        held = _HELD.get(self._key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        owner: FileLock = held[0]
        del _HELD[self._key]
        if owner._fd is not None:
            # emptied first, so that nobody reads a finished refresh as the running one
            os.ftruncate(owner._fd, 0)
            fcntl.flock(owner._fd, fcntl.LOCK_UN)
            os.close(owner._fd)
            owner._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def refresh_lock(
    duckdb_path: Path,
    *,
    say: Callable[[str], None] = print,
    timeout: float | None = None,
    command: str | None = None,
) -> FileLock:
    """The project-wide refresh lock of the working database at `duckdb_path`."""
    return FileLock(
        refresh_lock_path(duckdb_path),
        what="refresh",
        command=command,
        timeout=lock_timeout() if timeout is None else timeout,
        say=say,
    )
