"""Deterministic, realistic sample extracts for the landing zone (contract §2).

`generate()` writes the five sources (events, orders, surveys, customers, marketing) as a shop's
upstream systems would drop them: one `dt=YYYY-MM-DD` folder per arrival day, gzip or plain, a few
days split into two files, and the defects real extracts carry. The same arguments always give
byte-identical files: one `numpy.random.default_rng(seed)` drives everything, nothing reads the
clock, and gzip headers carry mtime 0.

Scale. With the defaults (1,000 customers, 28 days) about 115k events; events grow with
customers x days (10,000 x 30 gives ~1.2M). Sessions are planned for the whole window at once
(a few arrays per session); events are built one day at a time, in slices of sessions, and
written by background threads, so memory follows the size of one day's output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from orchestration.ingest.contract import SOURCES
from orchestration.sample.events import EventBuilder
from orchestration.sample.extracts import (
    customer_defects,
    customers_table,
    marketing_defects,
    marketing_table,
    order_defects,
    orders_table,
    survey_defects,
    surveys_table,
)
from orchestration.sample.files import CSV_DEFECT_RATES, CSV_FILES, EventSink, Writer, clear_partitions
from orchestration.sample.orders import HISTORY_DAYS, OrderBatch, history_orders, store_orders
from orchestration.sample.sessions import plan_sessions
from orchestration.sample.vocabulary import EXPERIMENT_EFFECTS, NEVER, SESSIONS_PER_CHUNK
from orchestration.sample.world import (
    ActivityClock,
    Window,
    World,
    make_campaigns,
    make_customers,
    make_devices,
    make_products,
)

DEFAULT_START: date = date(2026, 10, 1)
DEFAULT_DAYS = 28
DEFAULT_CUSTOMERS = 1000
DEFAULT_SEED = 42


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate()` wrote: counts per source and the true experiment effects."""

    out_dir: Path
    start: date
    days: int
    files: int
    rows: dict[str, int]
    defects: dict[str, int]
    experiment_effects: dict[str, dict[str, float]]

    def __str__(self) -> str:
        last = self.start + timedelta(days=self.days - 1)
        lines = [
            f"Sample extracts in {self.out_dir}: {self.start}..{last} ({self.days} days), {self.files} files"
        ]
        for source in SOURCES:
            lines.append(
                f"  {source:<10} {self.rows.get(source, 0):>12,} rows  "
                f"{self.defects.get(source, 0):>6,} defective (to be rejected)"
            )
        for experiment, effects in self.experiment_effects.items():
            parts = ", ".join(f"{variant} x{factor:g}" for variant, factor in effects.items())
            lines.append(f"  {experiment}: true purchase-probability multipliers {parts}")
        return "\n".join(lines)


def generate(
    out_dir: Path,
    *,
    days: int = DEFAULT_DAYS,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write sample extracts of all five sources into the landing zone `out_dir`.

    Existing `dt=` folders of the five sources are removed first, so the tree afterwards depends
    on the arguments only. Same arguments, same bytes.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if customers < 10:
        raise ValueError(f"customers must be at least 10, got {customers}")
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    window = Window(start, days)
    clock = ActivityClock(window)
    products = make_products(rng)
    people = make_customers(rng, customers, window, clock)
    devices = make_devices(rng, people, window)
    world = World(window, clock, products, people, devices, make_campaigns(window))
    sessions = plan_sessions(rng, world)
    # A stream of its own, so the window's data is the same draw with or without the history.
    earlier = history_orders(np.random.default_rng([seed, HISTORY_DAYS]), world, 1, 1)
    say(
        f"planned {len(sessions.start_ms):,} sessions ({int(sessions.bot.sum()):,} of crawlers) "
        f"of {devices.n:,} devices and {customers:,} customers"
    )

    clear_partitions(out_dir)
    writer = Writer(out_dir)
    rows: dict[str, int] = {}
    defects: dict[str, int] = {}
    try:
        sink = EventSink(window, writer)
        builder = EventBuilder(world, sessions)
        builder.next_order = 1 + int((~earlier.store).sum())
        bounds = np.searchsorted(window.day_index(sessions.start_ms), np.arange(days + 1))
        batches, signup_customer, signup_at = [], [], []
        chats: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for d in range(days):
            # Big days are built in slices of sessions, so that memory follows the slice size
            # and not the size of the day.
            for lo in range(int(bounds[d]), int(bounds[d + 1]), SESSIONS_PER_CHUNK):
                chunk = builder.build(rng, lo, min(lo + SESSIONS_PER_CHUNK, int(bounds[d + 1])))
                sink.add(rng, chunk)
                batches.append(chunk.orders)
                signup_customer.append(chunk.signups[0])
                signup_at.append(chunk.signups[1])
                chats.append(chunk.chats)
            sink.flush(rng, d)  # no session starting later can still add to arrival day d
        rows["events"], defects["events"] = sink.rows, sink.defects
        say(f"events: {sink.rows:,} rows in {days} partitions ({sink.defects:,} defective)")

        signup_ms = np.full(customers, NEVER, dtype=np.int64)
        signup_ms[np.concatenate(signup_customer)] = np.concatenate(signup_at)
        web_orders = OrderBatch.concat(batches)
        store = store_orders(rng, world, 1 + int(earlier.store.sum()))
        orders_csv, history = orders_table(rng, world, OrderBatch.concat([earlier, web_orders, store]))
        chat_facts = tuple(np.concatenate([c[i] for c in chats]) for i in range(3))
        tables = [
            (orders_csv, order_defects(rng)),
            (surveys_table(rng, world, history, chat_facts, signup_ms), survey_defects(rng)),
            (customers_table(rng, world, signup_ms), customer_defects(rng)),
            (marketing_table(rng, world, sessions), marketing_defects(rng)),
        ]
        for table, kinds in tables:
            table.add_defects(rng, kinds, CSV_DEFECT_RATES[table.source])
            name, compress_day, excel = CSV_FILES[table.source]
            rows[table.source] = table.write(writer, window, name, compress_day, excel)
            defects[table.source] = table.defects
            count = rows[table.source]
            say(f"{table.source}: {count:,} rows in {days} partitions ({table.defects:,} defective)")
    finally:
        writer.close()
    return GenerateSummary(
        out_dir=out_dir,
        start=start,
        days=days,
        files=writer.files,
        rows={s: rows[s] for s in SOURCES},
        defects={s: defects[s] for s in SOURCES},
        experiment_effects={k: dict(v) for k, v in EXPERIMENT_EFFECTS.items()},
    )
