"""The short summary `warehouse demo` prints after a refresh."""

from __future__ import annotations

import duckdb

from orchestration.core.settings import Settings
from orchestration.ingest.contract import SOURCES
from orchestration.serve.clv_report import clv_fit_note
from orchestration.serve.report import bot_note, bot_sessions, scorecard_period


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


def _load_counts(settings: Settings) -> list[tuple[str, int, int]]:
    """Rows loaded and rejected per source: from the working file, or on Spark from the lake's
    Parquet partitions (contract §7), which are what Spark's raw tables read."""
    from orchestration.ingest.lake import RAW_FOLDER

    con = duckdb.connect(
        ":memory:" if settings.on_spark else str(settings.duckdb_path), read_only=not settings.on_spark
    )
    try:
        counts = []
        for source in SOURCES:
            tables = [f"raw.{source}", f"raw.{source}_rejects"]
            if settings.on_spark:
                tables = [
                    f"read_parquet('{settings.lake_dir / RAW_FOLDER / name}/*/*.parquet')"
                    for name in (source, f"{source}_rejects")
                ]
            ((loaded,),) = con.execute(f"select count(*) from {tables[0]}").fetchall()
            ((rejected,),) = con.execute(f"select count(*) from {tables[1]}").fetchall()
            counts.append((source, loaded, rejected))
    finally:
        con.close()
    return counts


def demo_summary(settings: Settings) -> str:
    """Rows loaded and rejected per source, the KPI scorecard from the serving file, the report."""
    load_rows = _load_counts(settings)
    serving = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        scorecard = serving.execute(
            """select kpi, value, target, previous_value, status, unit, period_start, period_grain
               from marts.kpi_scorecard order by kpi"""
        ).fetchall()
        bots = bot_note(*bot_sessions(serving))
    finally:
        serving.close()
    period = next((r[6] for r in scorecard if r[6] is not None), None)
    grain = next((r[7] for r in scorecard if r[7] is not None), "week")
    rows = [
        (kpi, _kpi(value, unit), _kpi(target, unit), _kpi(prev, unit), status)
        for kpi, value, target, prev, status, unit, _, _ in scorecard
    ]
    return "\n".join(
        [
            "Landing zone, all partitions:",
            _table(load_rows, ("source", "rows loaded", "rows rejected")),
            "",
            f"KPI scorecard, {scorecard_period(grain, period)}:",
            _table(rows, ("kpi", "value", "target", f"previous {grain}", "status")),
            "",
            bots,
            "",
            clv_fit_note(settings.serving_path) or "CLV: no fit published",
            "",
            f"Serving file for BI tools: {settings.serving_path}",
            f"KPI report: {settings.kpi_report_path}",
        ]
    )


def _kpi(value: float | None, unit: str | None) -> str:
    if value is None:
        return "-"
    if unit == "fraction":
        return f"{value * 100:.1f}%"
    if unit in ("ratio", "score", "points"):
        return f"{value:,.2f}"
    return f"{value:,.0f}"
