"""A self-contained HTML KPI report built from the serving file.

Everything is in one file: styles, inline SVG charts drawn here, and a few lines of script for
sorting the scorecard. It opens from disk with no network, which is how it gets mailed around.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

STATUS_COLOURS = {
    "on track": "#1a7f37",
    "at risk": "#b7791f",
    "off track": "#c53030",
    "no target": "#6b7280",
    "no data": "#6b7280",
}
PALETTE = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#4b5563"]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    sections: int
    generated_at: datetime


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _format(value: float | None, unit: str | None) -> str:
    if value is None:
        return "–"
    if unit == "fraction":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return f"{value:,.0f} s"
    if unit == "currency":
        return f"{value:,.0f}"
    if unit in ("ratio", "score", "points"):
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _empty(title: str) -> str:
    caption = f"<figcaption>{_esc(title)}</figcaption>"
    return f'<figure class="chart">{caption}<p class="empty">No data</p></figure>'


def line_chart(title: str, points: list[tuple[date, float]], unit: str | None, width: int = 460) -> str:
    """An SVG line chart of one daily series, with a tooltip on every point."""
    height, pad_l, pad_b, pad_t = 200, 56, 28, 28
    if not points:
        return _empty(title)
    values = [v for _, v in points]
    low, high = min(values + [0.0]), max(values)
    span = (high - low) or 1.0
    n = len(points)

    def x(i: int) -> float:
        return pad_l + (width - pad_l - 10) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - (v - low) / span)

    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5">'
        f"<title>{d.isoformat()}: {_esc(_format(v, unit))}</title></circle>"
        for i, (d, v) in enumerate(points)
    )
    axis = (
        f'<text x="{pad_l - 6}" y="{y(high) + 4:.1f}" text-anchor="end">{_esc(_format(high, unit))}</text>'
        f'<text x="{pad_l - 6}" y="{y(low) + 4:.1f}" text-anchor="end">{_esc(_format(low, unit))}</text>'
        f'<text x="{pad_l}" y="{height - 8}">{points[0][0].isoformat()}</text>'
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end">{points[-1][0].isoformat()}</text>'
    )
    return (
        f'<figure class="chart"><figcaption>{_esc(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">'
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - 10}" y2="{height - pad_b}" class="axis"/>'
        f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        f"{dots}{axis}</svg></figure>"
    )


def bar_chart(title: str, bars: list[tuple[str, float]], unit: str | None, width: int = 460) -> str:
    """A horizontal SVG bar chart (segment comparison, funnel)."""
    if not bars:
        return _empty(title)
    row, label_w = 24, 150
    height = row * len(bars) + 12
    top = max(v for _, v in bars) or 1.0
    parts = []
    for i, (label, value) in enumerate(bars):
        w = (width - label_w - 80) * (value / top)
        y0 = 6 + i * row
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + 15}" text-anchor="end">{_esc(label)}</text>'
            f'<rect x="{label_w}" y="{y0 + 3}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'fill="{PALETTE[i % len(PALETTE)]}">'
            f"<title>{_esc(label)}: {_esc(_format(value, unit))}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y0 + 15}">{_esc(_format(value, unit))}</text>'
        )
    return (
        f'<figure class="chart"><figcaption>{_esc(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">'
        f"{''.join(parts)}</svg></figure>"
    )


def heatmap(title: str, cells: list[tuple[date, int, float, int]]) -> str:
    """Cohort retention as a table whose cells are shaded by retention rate."""
    if not cells:
        return _empty(title)
    months = sorted({m for _, m, _, _ in cells})
    cohorts = sorted({c for c, _, _, _ in cells})
    lookup = {(c, m): (rate, size) for c, m, rate, size in cells}
    head = "".join(f"<th>+{m}</th>" for m in months)
    body = []
    for cohort in cohorts:
        size = next(s for c, _, _, s in cells if c == cohort)
        tds = []
        for m in months:
            if (cohort, m) in lookup:
                rate = lookup[(cohort, m)][0]
                shade = int(255 - 180 * rate)
                tds.append(f'<td style="background:rgb({shade},{shade},255)">{rate * 100:.0f}%</td>')
            else:
                tds.append("<td></td>")
        body.append(f"<tr><th>{cohort.strftime('%Y-%m')}</th><td>{size:,}</td>{''.join(tds)}</tr>")
    return (
        f'<figure class="chart wide"><figcaption>{_esc(title)}</figcaption>'
        f'<table class="heatmap"><tr><th>cohort</th><th>customers</th>{head}</tr>'
        f"{''.join(body)}</table></figure>"
    )


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111827}
body{background:#f9fafb}
h1{margin:0 0 4px}
h2{margin:28px 0 8px;font-size:1.15rem}
.meta{color:#6b7280;margin:0 0 16px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px;margin:0;width:480px}
.chart.wide{width:auto}
figcaption{font-weight:600;margin-bottom:6px}
svg{width:100%;height:auto;font-size:11px;fill:#374151}
svg .axis{stroke:#9ca3af}
circle{fill:#2563eb}
table{border-collapse:collapse;background:#fff}
td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:right}
th{background:#f3f4f6;cursor:default}
table.scorecard th{cursor:pointer}
td.kpi{text-align:left}
.status{color:#fff;border-radius:10px;padding:1px 8px;font-size:.85em}
.empty{color:#6b7280}
"""

SCRIPT = """
// Click a scorecard header to sort by that column (numbers as numbers).
document.querySelectorAll('table.scorecard th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.dataset.order !== 'asc';
    th.dataset.order = ascending ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.sort || a.cells[column].textContent;
      var y = b.cells[column].dataset.sort || b.cells[column].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return ascending ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.body.dataset.rendered = document.querySelectorAll('svg').length;
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def scorecard_period(grain: str | None, start: date | None) -> str:
    """The scorecard's period in words: the latest complete day, week or month (contract §4)."""
    grain = grain or "week"
    if start is None:
        return f"no complete {grain} loaded yet"
    if grain == "month":
        return f"month of {start:%Y-%m}"
    if grain == "week":
        return f"week of {start.isoformat()} to {start + timedelta(days=6)}"
    return f"{grain} {start.isoformat()}"


def _scorecard_heading(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(con, "select max(period_grain), max(period_start) from marts.kpi_scorecard")
    grain, start = rows[0] if rows else (None, None)
    return f"Scorecard: latest complete period, {scorecard_period(grain, start)}"


def _scorecard(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(
        con,
        """select kpi, period_start, value, target, benchmark, previous_value, change, status, unit
           from marts.kpi_scorecard order by kpi""",
    )
    body = []
    for kpi, start, value, target, benchmark, previous, change, status, unit in rows:
        colour = STATUS_COLOURS.get(status, "#6b7280")
        body.append(
            f'<tr><td class="kpi">{_esc(kpi)}</td><td>{_esc(start)}</td>'
            f'<td data-sort="{value if value is not None else ""}">{_esc(_format(value, unit))}</td>'
            f"<td>{_esc(_format(target, unit))}</td><td>{_esc(_format(benchmark, unit))}</td>"
            f"<td>{_esc(_format(previous, unit))}</td><td>{_esc(_format(change, unit))}</td>"
            f'<td><span class="status" style="background:{colour}">{_esc(status)}</span></td></tr>'
        )
    header = "".join(
        f"<th>{h}</th>"
        for h in ("KPI", "period", "value", "target", "benchmark", "previous", "change", "status")
    )
    return f'<table class="scorecard"><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _daily(con: duckdb.DuckDBPyConnection, kpi: str) -> list[tuple[date, float]]:
    return [
        (d, float(v))
        for d, v in _rows(
            con,
            f"""select period_start, value from marts.kpi_metrics
                where period_grain = 'day' and segment_type = 'all' and kpi = '{kpi}' and value is not null
                order by period_start""",
        )
    ]


def _segment_bars(con: duckdb.DuckDBPyConnection, kpi: str, segment_type: str) -> list[tuple[str, float]]:
    rows = _rows(
        con,
        f"""select segment_value, sum(numerator) / nullif(sum(coalesce(denominator, 1)), 0)
            from marts.kpi_metrics
            where period_grain = 'month' and kpi = '{kpi}' and segment_type = '{segment_type}'
            group by 1 order by 2 desc nulls last limit 10""",
    )
    return [(str(s), float(v)) for s, v in rows if v is not None]


# The funnel covers the sessions of the latest days only: what the shop converts now.
FUNNEL_DAYS = 28


def _funnel(con: duckdb.DuckDBPyConnection) -> list[tuple[str, float]]:
    """The closed funnel of fct_funnel_daily (contract §4), summed over the sessions of the
    latest FUNNEL_DAYS session days: one bar per step, in step order."""
    try:
        rows = _rows(
            con,
            f"""select step_name, sum(sessions)
                from marts.fct_funnel_daily
                where "date" > (select max("date") from marts.fct_funnel_daily) - {FUNNEL_DAYS}
                group by step_number, step_name
                order by step_number""",
        )
    except duckdb.CatalogException:
        return []  # a serving file of an older build, without the mart: the chart says "no data"
    return [(str(step).replace("_", " "), float(sessions)) for step, sessions in rows]


def bot_sessions(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(bot sessions, all sessions) of fct_sessions: bots are counted here and in no KPI."""
    bots, sessions = _rows(con, "select count(*) filter (where is_bot), count(*) from marts.fct_sessions")[0]
    return int(bots or 0), int(sessions or 0)


def bot_note(bots: int, sessions: int) -> str:
    """One line on automated traffic, for the report and the demo summary."""
    share = f" ({bots / sessions * 100:.1f}% of {sessions:,} sessions)" if sessions else ""
    return f"Bot sessions: {bots:,}{share}, flagged as automated and left out of every KPI"


def build_report(serving_path: Path, out_path: Path) -> ReportResult:
    """Write the report for the build in the serving file, atomically (write, then rename)."""
    if not serving_path.exists():
        raise FileNotFoundError(f"serving file {serving_path} does not exist; run a refresh first")
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        (published_at,) = con.execute("select max(published_at) from main._publication").fetchone()
        currency = _rows(con, "select max(currency) from marts.fct_orders")[0][0] or ""
        trends = [
            line_chart("Sessions per day", _daily(con, "sessions"), "count"),
            line_chart("Conversion rate per day", _daily(con, "conversion_rate"), "fraction"),
            line_chart(f"Revenue per day ({currency})", _daily(con, "revenue"), "currency"),
            line_chart("Bounce rate per day", _daily(con, "bounce_rate"), "fraction"),
        ]
        segments = [
            bar_chart(
                "Conversion rate by channel",
                _segment_bars(con, "conversion_rate", "channel_group"),
                "fraction",
            ),
            bar_chart("Revenue by RFM segment", _segment_bars(con, "revenue", "rfm_segment"), "currency"),
            bar_chart("Bounce rate by device", _segment_bars(con, "bounce_rate", "device_type"), "fraction"),
            bar_chart("NPS by survey trigger", _segment_bars(con, "nps", "survey_trigger"), "points"),
        ]
        funnel = bar_chart(
            f"Conversion funnel (sessions of the last {FUNNEL_DAYS} days)", _funnel(con), "count", width=620
        )
        cohorts = heatmap(
            "Cohort retention (share of each first-order cohort ordering again, by months since)",
            [
                (c, int(m), float(r), int(n))
                for c, m, r, n in _rows(
                    con,
                    """select cohort_month, months_since_first_order, retention_rate, cohort_customers
                       from marts.fct_cohort_retention order by 1, 2""",
                )
            ],
        )
        scorecard = _scorecard(con)
        bots = bot_note(*bot_sessions(con))
        scorecard_heading = _scorecard_heading(con)
    finally:
        con.close()

    generated_at = datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Customer engagement KPI report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body>
<h1>Customer engagement KPI report</h1>
<p class="meta">Build published {_esc(published_at)} UTC ·
report generated {generated_at:%Y-%m-%d %H:%M} UTC · amounts in {_esc(currency)}</p>
<h2>{_esc(scorecard_heading)}</h2>
{scorecard}
<p class="meta">{_esc(bots)}.</p>
<h2>Trends</h2>
<div class="grid">{"".join(trends)}</div>
<h2>Segments</h2>
<div class="grid">{"".join(segments)}</div>
<h2>Funnel</h2>
<div class="grid">{funnel}</div>
<h2>Cohorts</h2>
<div class="grid">{cohorts}</div>
<script>{SCRIPT}</script>
</body></html>
"""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_path)
    return ReportResult(path=out_path, sections=5, generated_at=generated_at)
