"""Files: event lines and CSV records into daily landing folders, with the defects the contract
says must be rejected.

Delivery. Events arrive on the UTC day they occurred, except late sessions (3.5% of app, 0.5%
of web sessions, ~2.5% of events) that arrive 1-3 days later; 0.5% of events are delivered twice
(same line, in the same file or 1-2 days later). Events after the window's end are not written
(and neither are their orders); later arrivals are clamped to the last day, so every file lies in
one of the `days` folders, and every source has a file for every day (a header-only CSV on a
quiet day). Event files are gzip except every 6th day; every 4th day is split in two files. CSVs
are plain or gzip by source and day; the marketing report is an Excel-style export (byte-order
mark, CRLF). Defects that the contract says must be rejected are injected among the normal
records (events ~0.08%, CSVs at least two per kind) and counted in `GenerateSummary.defects`;
duplicates, late data and unknown event types are valid and are not counted.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.ingest.contract import CONTRACT, PARTITION_PREFIX, SOURCES, partition_folder
from orchestration.sample.events import ChunkEvents
from orchestration.sample.vocabulary import DAY_MS, MINUTE_MS
from orchestration.sample.world import Window


class Writer:
    """Writes files on two background threads (zlib and file I/O release the GIL), so the next
    day is generated while the previous one is compressed; at most a few files are in flight."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files = 0
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending: list[Future[None]] = []

    def write(self, source: str, day: date, name: str, data: bytes | memoryview, compress: bool) -> None:
        folder = partition_folder(self.out_dir, source, day)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (name + (".gz" if compress else ""))
        self.files += 1
        while len(self.pending) >= 3:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(_write_file, path, data, compress))

    def close(self) -> None:
        try:
            for future in self.pending:
                future.result()
        finally:
            self.pool.shutdown(wait=True)


def _write_file(path: Path, data: bytes | memoryview, compress: bool) -> None:
    if compress:
        # mtime=0 and no file name in the header keep the bytes identical from run to run.
        data = gzip.compress(data, compresslevel=5, mtime=0)
    path.write_bytes(data)


def clear_partitions(out_dir: Path) -> None:
    pattern = re.compile(PARTITION_PREFIX + r"\d{4}-\d{2}-\d{2}")
    for source in SOURCES:
        root = out_dir / source
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if not pattern.fullmatch(child.name):
                continue
            if child.is_symlink() or not child.is_dir():
                child.unlink()
            else:
                shutil.rmtree(child)


def _text_offsets(lines: pa.Array) -> np.ndarray:
    """Byte offsets of the values of an unsliced large_string array (n + 1 of them)."""
    return np.frombuffer(lines.buffers()[1], dtype=np.int64)[: len(lines) + 1]


def _buffer_bytes(lines: pa.Array) -> memoryview:
    """The value buffer of an unsliced large_string array: its texts back to back, no copy."""
    data = lines.buffers()[2]
    if data is None or not len(lines):
        return memoryview(b"")
    return memoryview(data)[: int(_text_offsets(lines)[-1])]


EVENT_DEFECTS = (
    "truncated",
    "no_event_id",
    "no_anonymous_id",
    "no_occurred_at",
    "bad_occurred_at",
    "not_object",
)
BAD_TIMESTAMPS = ("2026-13-45T99:00:00Z", "yesterday", "31/10/2026 25:61", "2026-02-30T10:00:00+09:00")


def _corrupt_event(line: str, kind: str, rng: np.random.Generator) -> str:
    empty = rng.random() < 0.4  # an empty string is as missing as an absent member
    if kind == "truncated":
        return line[: int(rng.integers(10, len(line) - 20))]
    if kind in ("no_event_id", "no_anonymous_id", "no_occurred_at"):
        name = kind[3:]
        if empty:
            return re.sub(f'"{name}":"[^"]*"', f'"{name}":""', line, count=1)
        return re.sub(f'"{name}":"[^"]*",', "", line, count=1)
    if kind == "bad_occurred_at":
        bad = BAD_TIMESTAMPS[int(rng.integers(0, len(BAD_TIMESTAMPS)))]
        return re.sub('"occurred_at":"[^"]*"', f'"occurred_at":"{bad}"', line, count=1)
    return ("[1,2]", '"heartbeat"', "42")[int(rng.integers(0, 3))]


class EventSink:
    """Collects event lines per arrival day and writes a day once no later chunk can add to it."""

    DUPLICATE_RATE = 0.005
    DEFECT_RATE = 0.0008

    def __init__(self, window: Window, writer: Writer) -> None:
        self.window = window
        self.writer = writer
        self.pending: dict[int, list[tuple[np.ndarray, pa.Array]]] = defaultdict(list)
        self.rows = 0
        self.defects = 0
        self.defect_kind = 0

    def add(self, rng: np.random.Generator, day: ChunkEvents) -> None:
        w = self.window
        lines = pc.binary_join_element_wise(day.lines, "\n", "").cast(pa.large_string())
        on_time = w.day_index(day.occurred_ms) == day.arrival
        # Late events show up whenever their batch was uploaded on the arrival day.
        key = np.where(
            on_time, day.occurred_ms, w.t0 + day.arrival * DAY_MS + rng.integers(0, DAY_MS, len(lines))
        )
        dup = np.flatnonzero(rng.random(len(lines)) < self.DUPLICATE_RATE)
        later = rng.choice([0, 0, 0, 1, 2], len(dup))
        dup_arrival = np.minimum(day.arrival[dup] + later, w.days - 1)
        dup_key = np.where(
            dup_arrival == day.arrival[dup],
            key[dup] + rng.integers(1, 10 * MINUTE_MS, len(dup)),
            w.t0 + dup_arrival * DAY_MS + rng.integers(0, DAY_MS, len(dup)),
        )
        arrival = np.concatenate([day.arrival, dup_arrival])
        keys = np.concatenate([key, dup_key])
        everything = pa.concat_arrays([lines, lines.take(pa.array(dup))]) if len(dup) else lines
        for a in np.unique(arrival):
            rows = np.flatnonzero(arrival == a)
            self.pending[int(a)].append((keys[rows], everything.take(pa.array(rows))))

    def flush(self, rng: np.random.Generator, day: int) -> None:
        parts = self.pending.pop(day, [])
        keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.int64)
        lines = pa.concat_arrays([x for _, x in parts]) if parts else pa.array([], pa.large_string())
        n_bad = max(1, int(rng.binomial(len(lines), self.DEFECT_RATE))) if len(lines) else 0
        bad_lines, bad_keys = [], []
        for source in rng.integers(0, len(lines), n_bad):
            kind = EVENT_DEFECTS[self.defect_kind % len(EVENT_DEFECTS)]
            self.defect_kind += 1
            bad_lines.append(_corrupt_event(lines[int(source)].as_py().rstrip("\n"), kind, rng) + "\n")
            bad_keys.append(self.window.t0 + day * DAY_MS + int(rng.integers(0, DAY_MS)))
        if bad_lines:
            lines = pa.concat_arrays([lines, pa.array(bad_lines, pa.large_string())])
            keys = np.concatenate([keys, np.array(bad_keys, dtype=np.int64)])
        lines = lines.take(pa.array(np.argsort(keys, kind="stable")))
        self.rows += len(lines)
        self.defects += len(bad_lines)
        # Most days are gzip; every 6th is plain text and every 4th is split in two, as a
        # collector that rotates files by size would leave them.
        compress = day % 6 != 4
        pieces = 2 if day % 4 == 1 and len(lines) > 1 else 1
        bounds = np.linspace(0, len(lines), pieces + 1).astype(int)
        stamp = self.window.date(day).strftime("%Y%m%d")
        text, offsets = _buffer_bytes(lines), _text_offsets(lines)
        for p in range(pieces):
            part = text[int(offsets[bounds[p]]) : int(offsets[bounds[p + 1]])]
            name = f"events-{stamp}-{p + 1:02d}.jsonl"
            self.writer.write("events", self.window.date(day), name, part, compress)


@dataclass
class CsvTable:
    """The records of one CSV source, with the arrival day of each; defects are added later."""

    source: str
    arrival: list[int] = field(default_factory=list)
    records: list[list[str]] = field(default_factory=list)
    defects: int = 0

    def extend(self, arrival: np.ndarray, columns: list[list[str]]) -> None:
        self.arrival.extend(int(a) for a in arrival)
        self.records.extend([list(r) for r in zip(*columns, strict=True)])

    def add_defects(
        self, rng: np.random.Generator, kinds: Sequence[Callable[[list[str]], list[str]]], rate: float
    ) -> None:
        """Corrupted copies of real records, next to their originals, round-robin over kinds."""
        if not self.records:
            return
        # At least two of each kind so that a loader test finds them all, unless the sample is
        # so small that they would crowd out the real records.
        n = max(min(2 * len(kinds), len(self.records) // 5), int(round(rate * len(self.records))))
        sources = rng.integers(0, len(self.records), n)
        for i, src in enumerate(sources):
            self.records.append(kinds[i % len(kinds)](list(self.records[int(src)])))
            self.arrival.append(self.arrival[int(src)])
        self.defects += n

    def write(
        self,
        writer: Writer,
        window: Window,
        name: str,
        compress_day: Callable[[int], bool],
        excel: bool = False,
    ) -> int:
        by_day: dict[int, list[list[str]]] = defaultdict(list)
        for a, record in zip(self.arrival, self.records, strict=True):
            by_day[a].append(record)
        for d in range(window.days):
            buffer = io.StringIO()
            # Excel-style exports carry a byte-order mark and CRLF line ends.
            if excel:
                buffer.write("\ufeff")
            out = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
            out.writerow(CONTRACT[self.source].column_names)
            out.writerows(by_day.get(d, []))
            stamp = window.date(d).strftime("%Y%m%d")
            data = buffer.getvalue().encode("utf-8")
            writer.write(self.source, window.date(d), f"{name}_{stamp}.csv", data, compress_day(d))
        return len(self.records)


# File name, which arrival days are gzip, and whether the file is an Excel-style export.
CSV_FILES: dict[str, tuple[str, Callable[[int], bool], bool]] = {
    "orders": ("orders", lambda d: d % 2 == 1, False),
    "surveys": ("survey_responses", lambda d: d % 5 == 3, False),
    "customers": ("crm_customers", lambda d: d % 3 == 0, False),
    "marketing": ("ad_report", lambda d: False, True),
}
CSV_DEFECT_RATES = {"orders": 0.004, "surveys": 0.01, "customers": 0.004, "marketing": 0.01}


def texts(values: pa.Array) -> list[str]:
    return [v if v is not None else "" for v in values.to_pylist()]


# --- orders, surveys, customers, marketing --------------------------------------------------------
