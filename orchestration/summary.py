"""The short summary `warehouse demo` prints after a refresh."""

from __future__ import annotations

import duckdb

from orchestration.loaders import SOURCES
from orchestration.settings import Settings


def _table(rows: list[tuple[object, ...]], header: tuple[str, ...]) -> str:
    cells = [tuple(str(c) for c in header)] + [tuple(_fmt(c) for c in row) for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        # first column left-aligned (labels), the rest right-aligned (numbers)
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    lines = [line(r) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def demo_summary(settings: Settings) -> str:
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    try:
        load_rows = []
        for source in SOURCES:
            (loaded,) = con.execute(f"select count(*) from raw.{source}").fetchone()
            (rejected,) = con.execute(f"select count(*) from raw.{source}_rejects").fetchone()
            load_rows.append((source, loaded, rejected))
        kpis = con.execute(
            """
            select 'events (deduplicated)', count(*)::double from staging.stg_tracking__events
            union all select 'visitors', count(distinct anonymous_id)::double
                from staging.stg_tracking__events
            union all select 'orders (completed)', count(distinct order_id)::double
                from staging.stg_shop__order_lines where status = 'completed'
            union all select 'survey responses', count(*)::double from staging.stg_feedback__survey_responses
            union all select 'customers in the CRM', count(*)::double from staging.stg_crm__customers
            """
        ).fetchall()
    finally:
        con.close()
    return "\n".join(
        [
            "Landing zone, all partitions:",
            _table(load_rows, ("source", "rows loaded", "rows rejected")),
            "",
            "Warehouse:",
            _table([(name, int(value)) for name, value in kpis], ("measure", "value")),
            "",
            f"Serving file for BI tools: {settings.serving_path}",
        ]
    )
