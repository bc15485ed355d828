"""Plausibility of the published numbers on a generated shop (issue 20, item 11).

The pipeline tests check that the warehouse computes what its code says; these check that what it
publishes is believable to an analyst reading the marts. They generate the demo's sample (28 days,
1,000 customers, seed 42) with the real generator, refresh it fully with the real Dagster job and
dbt, and read the published serving file. The assertions come from the data contract's
definitions (shared/CONTRACT.md, version 2) and from bounds an analyst would hold the numbers to,
never from a previous run's output: no exact counts, because the generator may change.

A second, fresh warehouse holds a new shop's first three days (`warehouse generate --days 3
--customers 200 --seed 5`): too little data for some models is a state to report, never a failed
refresh.

dbt needs one absolute DuckDB working path per process (conftest.py), so both samples are built in
the session's working file; it is copied aside first and put back afterwards, so that the modules
that use conftest's `built` sample after this one find it as they left it. The serving files and
the report go to folders of this module.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from engagement_stats.clv import BgNbdFit, bgnbd_expected_purchases
from orchestration.core.settings import Settings
from orchestration.refresh import RefreshOutcome, prepare_environment, run_refresh
from orchestration.sample import DEFAULT_START, generate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# The demo's sample (`warehouse demo`, `warehouse generate` defaults): the numbers issue 20 measured.
SAMPLE = {"days": 28, "customers": 1000, "seed": 42}
NEW_SHOP = {"days": 3, "customers": 200, "seed": 5}
START = DEFAULT_START  # conftest's warehouse_settings use the same WAREHOUSE_START_DATE

# A segment value needs this many sessions before a rate of exactly 0 or 1 is implausible: at the
# sample's rates (bounce about 1 in 4, engaged about 3 in 4) chance gives it with odds below 1e-5.
ENOUGH_SESSIONS = 50
# Expected events (at the period's overall rate) above which a rate of exactly 0 is not chance:
# P(0 | Poisson(10)) < 5e-5.
ENOUGH_EXPECTED_EVENTS = 10
# A BG/NBD fit with a below this or b above that has collapsed to "nobody ever drops out".
COLLAPSED_A = 1e-3
COLLAPSED_B = 1e4
FIT_STATUSES = {"ok", "insufficient_history", "not_converged", "at_bound"}
CLV_HOLDOUT_DAYS = 90  # WAREHOUSE_CLV_HOLDOUT_DAYS default
# Lifecycle stages of customers who have ordered (dim_customers' lifecycle_stage).
BUYER_STAGES = {"new", "active", "at risk", "churned"}
# Session-level segment types: they describe the session itself, so its purchase is not part of
# their definition and a conversion rate of exactly 0 over many sessions is not a matter of course.
SESSION_SEGMENT_TYPES = {"all", "channel_group", "device_type", "platform", "region"}
CONTRACT_KPIS = {
    "sessions", "visitors", "page_views", "pages_per_session", "avg_session_duration_seconds",
    "bounce_rate", "engaged_session_rate", "conversion_rate", "orders", "revenue",
    "average_order_value", "new_customers", "repeat_purchase_rate", "ctr", "social_shares", "roas",
    "nps", "ces", "csat", "engagement_score", "email_click_to_open_rate", "churn_rate",
}  # fmt: skip
# Contract section 4: ratios are fractions (0..1).
FRACTION_KPIS = {
    "bounce_rate", "engaged_session_rate", "conversion_rate", "repeat_purchase_rate", "ctr", "csat",
    "email_click_to_open_rate", "cart_abandonment_rate", "churn_rate",
}  # fmt: skip


# --- building the samples -------------------------------------------------------------------------


@dataclass
class Sample:
    settings: Settings
    landing: Path
    outcome: RefreshOutcome | None
    error: BaseException | None

    @property
    def serving_path(self) -> Path:
        return self.settings.serving_path

    def require_published(self) -> None:
        if self.error is not None:
            pytest.fail(f"the refresh raised {type(self.error).__name__}: {self.error}")
        assert self.outcome is not None
        assert self.outcome.success, self.outcome.report()
        assert self.serving_path.exists(), f"no serving file at {self.serving_path}"


def _drop_working_file(settings: Settings) -> None:
    for path in (settings.duckdb_path, Path(str(settings.duckdb_path) + ".wal")):
        path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def session_working_file_kept(
    warehouse_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Keep the session's working file (conftest's `built` sample may be in it) and the process
    environment as they are, around this module's refreshes."""
    keep = tmp_path_factory.mktemp("kept-working-file")
    kept = []
    for path in (warehouse_settings.duckdb_path, Path(str(warehouse_settings.duckdb_path) + ".wal")):
        if path.exists():
            kept.append((path, Path(shutil.copy2(path, keep / path.name))))
    yield warehouse_settings
    _drop_working_file(warehouse_settings)
    for original, copy in kept:
        shutil.copy2(copy, original)
    prepare_environment(warehouse_settings)


def _build(base: Settings, root: Path, days: int, customers: int, seed: int) -> Sample:
    landing = root / "landing"
    settings = base.with_overrides(
        landing_dir=landing,
        serving_path=root / "serving" / "serving.duckdb",
        report_path=root / "serving" / "kpi_report.html",
    )
    _drop_working_file(settings)
    generate(landing, days=days, customers=customers, seed=seed, start=START)
    try:
        outcome = run_refresh(settings, full_refresh=True, echo=lambda _: None)
    except Exception as exc:  # reported by the tests, so each says what it could not check
        return Sample(settings, landing, None, exc)
    return Sample(settings, landing, outcome, None)


@pytest.fixture(scope="module")
def sample(session_working_file_kept: Settings, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return _build(session_working_file_kept, tmp_path_factory.mktemp("plausibility-sample"), **SAMPLE)


@pytest.fixture(scope="module")
def db(sample: Sample) -> Iterator[duckdb.DuckDBPyConnection]:
    sample.require_published()
    con = duckdb.connect(str(sample.serving_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def new_shop(session_working_file_kept: Settings, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return _build(session_working_file_kept, tmp_path_factory.mktemp("plausibility-new-shop"), **NEW_SHOP)


# --- reading helpers ------------------------------------------------------------------------------


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def show(rows: pd.DataFrame, limit: int = 25) -> str:
    text = rows.head(limit).to_string(index=False)
    more = f"\n... {len(rows) - limit} more" if len(rows) > limit else ""
    return f"\n{text}{more}\n({len(rows)} rows)"


def require(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...] = ()) -> None:
    """Fail with a plain message when a mart or a column the contract requires is not published."""
    schema, name = table.split(".")
    present = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    if not present:
        pytest.fail(f"{table} is not published (contract version 2 requires it)")
    missing = [c for c in columns if c not in present]
    if missing:
        pytest.fail(f"{table} lacks the contract's column(s) {missing}; it has {sorted(present)}")


def last_loaded_day(landing: Path) -> date:
    days = [date.fromisoformat(p.name[3:]) for p in landing.glob("*/dt=*") if p.is_dir()]
    return max(days)


def open_text(path: Path):
    return (
        gzip.open(path, "rt", encoding="utf-8-sig", newline="")
        if path.suffix == ".gz"
        else open(path, encoding="utf-8-sig", newline="")
    )


def kpi_units(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    units = dict(con.execute("select kpi, unit from reference.kpi_catalogue").fetchall())
    for kpi in FRACTION_KPIS:
        units.setdefault(kpi, "fraction")
    return units


def ratio_kpis(con: duckdb.DuckDBPyConnection) -> set[str]:
    """KPIs whose catalogue formula divides (revenue is a currency but a sum, not a ratio)."""
    divided = {row[0] for row in con.execute("select kpi, formula from reference.kpi_catalogue").fetchall()
               if "/" in row[1]}  # fmt: skip
    return divided | FRACTION_KPIS


# --- KPIs -----------------------------------------------------------------------------------------


def test_sample_refreshes_and_publishes(sample: Sample):
    sample.require_published()


def test_every_contract_kpi_is_published_at_every_grain(db):
    require(db, "marts.kpi_metrics", ("period_grain", "segment_type", "segment_value", "kpi"))
    present = set(
        db.execute(
            "select distinct kpi, period_grain from marts.kpi_metrics "
            "where segment_type = 'all' and segment_value = 'all'"
        ).fetchall()
    )
    missing = sorted((k, g) for k in CONTRACT_KPIS for g in ("day", "week", "month") if (k, g) not in present)
    assert not missing, f"KPIs without a segment 'all' row at a grain (kpi, grain): {missing}"


def test_ratio_kpis_equal_numerator_over_denominator(db):
    ratios = sorted(ratio_kpis(db))
    listed = ", ".join(f"'{k}'" for k in ratios)
    rows = frame(
        db,
        f"""
        select period_grain, period_start, segment_type, segment_value, kpi, value, numerator, denominator
        from marts.kpi_metrics
        where kpi in ({listed})
          and (
              numerator is null or denominator is null
              or (denominator <> 0 and abs(value - numerator / denominator) > 1e-9 * greatest(1, abs(value)))
              or (denominator = 0 and value is not null)
          )
        order by kpi, period_grain, period_start
        """,
    )
    assert rows.empty, f"ratio KPIs whose value is not numerator / denominator (or lack either):{show(rows)}"


def test_kpi_values_stay_within_their_scales(db):
    units = kpi_units(db)
    bounds = {"fraction": (0, 1), "points": (-100, 100), "score": (0, 100)}
    checks = [f"(kpi = '{k}' and value not between {bounds[u][0]} and {bounds[u][1]})"
              for k, u in units.items() if u in bounds]  # fmt: skip
    checks.append("(kpi = 'ces' and value not between 1 and 7)")
    checks.append("value < 0 and kpi not in ('nps')")
    rows = frame(
        db,
        f"""
        select period_grain, period_start, segment_type, segment_value, kpi, value, numerator, denominator
        from marts.kpi_metrics
        where {" or ".join(checks)}
        order by kpi, period_grain, period_start
        """,
    )
    assert rows.empty, f"KPI values outside their scale (fractions 0..1, NPS -100..100):{show(rows)}"


def test_no_bounce_or_engagement_rate_of_exactly_0_or_1_over_enough_sessions(db):
    # A session-duration band is defined by the very times that make a session engaged (10 s) or a
    # bounce (a single page view lasts 0 s), so its exact 0s and 1s are by definition.
    rows = frame(
        db,
        f"""
        select period_grain, period_start, segment_type, segment_value, kpi, value, numerator, denominator
        from marts.kpi_metrics
        where kpi in ('bounce_rate', 'engaged_session_rate')
          and denominator >= {ENOUGH_SESSIONS}
          and value in (0, 1)
          and segment_type <> 'session_duration_band'
        order by segment_type, segment_value, kpi, period_grain, period_start
        """,
    )
    assert rows.empty, (
        f"segment values with {ENOUGH_SESSIONS}+ sessions of which none or all bounced / were engaged "
        f"(e.g. email sessions that never bounce because off-site email events count as interactions):"
        f"{show(rows)}"
    )


def test_no_conversion_rate_of_exactly_0_or_1_that_chance_cannot_explain(db):
    types = ", ".join(f"'{t}'" for t in sorted(SESSION_SEGMENT_TYPES))
    rows = frame(
        db,
        f"""
        with

        overall as (
            select period_grain, period_start, value as overall_rate
            from marts.kpi_metrics
            where kpi = 'conversion_rate' and segment_type = 'all'
        )

        select
            k.period_grain, k.period_start, k.segment_type, k.segment_value, k.value, k.numerator,
            k.denominator, overall.overall_rate
        from marts.kpi_metrics as k
        inner join overall using (period_grain, period_start)
        where k.kpi = 'conversion_rate'
          and k.segment_type in ({types})
          -- a bucket of what is not known (e.g. visitors without a region) can be another population
          and k.segment_value not in ('unknown', 'anonymous')
          and (
              (k.value = 0 and k.denominator * overall.overall_rate >= {ENOUGH_EXPECTED_EVENTS})
              or (k.value = 1 and k.denominator >= {ENOUGH_SESSIONS})
          )
        order by k.segment_type, k.segment_value, k.period_grain, k.period_start
        """,
    )
    assert rows.empty, f"conversion rates of exactly 0 or 1 that the overall rate cannot explain:{show(rows)}"


def test_headline_kpis_of_the_month_are_within_sane_ranges(db):
    sane = {
        "pages_per_session": (1.2, 20),
        "avg_session_duration_seconds": (10, 1800),
        "bounce_rate": (0.02, 0.9),
        "engaged_session_rate": (0.1, 0.98),
        "conversion_rate": (0.001, 0.25),
        "average_order_value": (5, 2000),  # reporting currency USD
        "ctr": (0.001, 0.2),
        "csat": (0.2, 1),
        "ces": (1, 7),
        "nps": (-100, 100),
        "repeat_purchase_rate": (0.01, 0.99),
        # email_click_to_open_rate has no sane range here: the generator sends an email_click with
        # every email_open, so 1 is what this sample must show
        "email_click_to_open_rate": (0, 1),
        # the sample's shop has a year of orders before the events start: most one-time buyers of
        # that year have lapsed, and the regulars have not
        "churn_rate": (0.05, 0.95),
    }
    values = dict(
        db.execute(
            f"""
            select kpi, value from marts.kpi_metrics
            where period_grain = 'month' and period_start = date '{START}' and segment_type = 'all'
            """
        ).fetchall()
    )
    off = {k: (values.get(k), bounds) for k, bounds in sane.items()
           if values.get(k) is None or not bounds[0] <= values[k] <= bounds[1]}  # fmt: skip
    assert not off, f"headline KPIs of {START:%Y-%m} missing or outside sane ranges (value, range): {off}"


def test_churn_rate_is_the_share_of_lapsed_buyers_at_each_period_end(db):
    # recomputed customer by customer for every month and the latest weeks: of the customers with
    # a completed order by the period's end (or the last loaded day), those whose last one was more
    # than 90 days (churn_after_days) before it
    rows = db.execute(
        """
        with observation as (
            -- the last loaded day: the churn rate's last daily row
            select max(period_start) as observation_end from marts.kpi_metrics
            where kpi = 'churn_rate' and period_grain = 'day'
        ),
        ends as (
            select period_grain, period_start, numerator, denominator,
                least(
                    case period_grain when 'week' then period_start + 6 else
                        cast(period_start + interval 1 month - interval 1 day as date) end,
                    (select observation_end from observation)) as judged_on
            from marts.kpi_metrics
            where kpi = 'churn_rate' and segment_type = 'all' and period_grain in ('week', 'month')
        ),
        last_orders as (
            select ends.period_grain, ends.period_start, orders.customer_id,
                max(orders.order_date) as last_order
            from ends join marts.fct_orders as orders
                on orders.order_date <= ends.judged_on and orders.status = 'completed'
                and orders.customer_id is not null
            group by all
        )
        select ends.period_grain, ends.period_start, ends.numerator, ends.denominator,
            count(last_orders.customer_id) as buyers,
            count(case when last_orders.last_order < ends.judged_on - 90 then 1 end) as churned
        from ends left join last_orders using (period_grain, period_start)
        group by all
        """
    ).fetchall()
    assert len(rows) >= 10
    off = [row for row in rows if (row[2], row[3]) != (row[5], row[4])]
    assert not off, f"churn_rate (grain, start, numerator, denominator, buyers, churned) off: {off[:5]}"
    # nobody has churned in the first 90 days of orders; later, the lapsed one-time buyers show
    rates = [row[2] / row[3] for row in rows]
    assert all(0 <= rate < 1 for rate in rates) and max(rates) > 0.05


def test_churn_rate_by_customer_segment_counts_each_buyer_in_the_segment_of_the_period_end(db):
    # every month, recounted by rfm_segment as customer_segment_history had it on the day the month
    # is judged (before a buyer's first known segment: 'unknown'); every segment type adds up to `all`
    totals = db.execute(
        """
        select period_grain, period_start, segment_type, sum(numerator), sum(denominator)
        from marts.kpi_metrics where kpi = 'churn_rate'
        group by all
        """
    ).fetchall()
    by_type: dict[tuple, set] = {}
    for grain, start, _, numerator, denominator in totals:
        by_type.setdefault((grain, start), set()).add((numerator, denominator))
    assert len({t[2] for t in totals}) == 7, "all and the six customer segment types"
    assert all(len(sums) == 1 for sums in by_type.values()), "a segment type does not add up to all"
    rows = db.execute(
        """
        with ends as (
            select period_start, segment_value, numerator, denominator,
                least(cast(period_start + interval 1 month - interval 1 day as date),
                    (select max(period_start) from marts.kpi_metrics
                     where kpi = 'churn_rate' and period_grain = 'day')) as judged_on
            from marts.kpi_metrics
            where kpi = 'churn_rate' and period_grain = 'month' and segment_type = 'rfm_segment'
        ),
        buyers as (
            select judged.period_start, judged.judged_on, orders.customer_id,
                max(orders.order_date) as last_order
            from (select distinct period_start, judged_on from ends) as judged
            join marts.fct_orders as orders
                on orders.order_date <= judged.judged_on and orders.status = 'completed'
                and orders.customer_id is not null
            group by all
        ),
        recounted as (
            select buyers.period_start, coalesce(history.segment_value, 'unknown') as segment_value,
                count(*) as buyers,
                count(case when buyers.last_order < buyers.judged_on - 90 then 1 end) as churned
            from buyers left join marts.customer_segment_history as history
                on history.customer_id = buyers.customer_id and history.segment_type = 'rfm_segment'
                and history.valid_from <= buyers.judged_on
                and (history.valid_to is null or buyers.judged_on < history.valid_to)
            group by all
        )
        select coalesce(ends.period_start, recounted.period_start),
            coalesce(ends.segment_value, recounted.segment_value),
            ends.numerator, ends.denominator, recounted.churned, recounted.buyers
        from ends full join recounted using (period_start, segment_value)
        """
    ).fetchall()
    assert len(rows) >= 10
    off = [row for row in rows if (row[2], row[3]) != (row[4], row[5])]
    assert not off, f"churn_rate by rfm_segment (start, segment, num., denom., churned, buyers): {off[:5]}"


def test_customer_figures_add_up(db):
    rows = frame(
        db,
        """
        with completed as (
            select customer_id, count(*) as orders, sum(net_revenue) as revenue
            from marts.fct_orders
            where status = 'completed' and customer_id is not null
            group by customer_id
        )

        select d.customer_id, d.orders, c.orders as completed_orders, d.revenue,
               c.revenue as completed_revenue, d.historical_clv, d.average_order_value, d.bounce_rate,
               d.days_since_last_order
        from marts.dim_customers as d
        left join completed as c using (customer_id)
        where d.orders <> coalesce(c.orders, 0)
           or abs(d.revenue - coalesce(c.revenue, 0)) > 0.01
           or abs(d.historical_clv - d.revenue) > 0.01
           or (d.orders > 0 and abs(d.average_order_value - d.revenue / d.orders) > 0.01)
           or d.bounce_rate not between 0 and 1
           or d.days_since_last_order < 0
        """,
    )
    assert rows.empty, f"customers whose figures do not add up against fct_orders:{show(rows)}"


def test_experiment_and_cohort_figures_are_proportions(db):
    experiments = frame(
        db,
        """
        select * from marts.fct_experiment_results
        where visitors <= 0 or conversions > visitors
           or abs(conversion_rate - cast(conversions as double) / visitors) > 1e-9
           or p_value not between 0 and 1
           or not (ci_low <= absolute_lift and absolute_lift <= ci_high)
        """,
    )
    assert experiments.empty, f"experiment results that are not proportions and intervals:{show(experiments)}"
    cohorts = frame(
        db,
        """
        select * from marts.fct_cohort_retention
        where active_customers > cohort_customers
           or retention_rate not between 0 and 1
           or (months_since_first_order = 0 and retention_rate <> 1)
        """,
    )
    assert cohorts.empty, f"cohort rows beyond their cohort (month 0 retains everyone):{show(cohorts)}"


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_start_at_their_landing_page(db):
    """Time before a session's first page view is time spent somewhere else (e.g. reading an email
    in the mail client): off-site events never start a session (contract section 2)."""
    rows = frame(
        db,
        f"""
        with

        first_views as (
            select session_id, min(viewed_at) as first_viewed_at
            from marts.fct_page_views
            group by session_id
        )

        select
            s.channel_group,
            count(*) as sessions,
            avg(case when epoch(f.first_viewed_at - s.started_at) > 60 then 1.0 else 0 end)
                as share_starting_over_a_minute_before_the_landing_page,
            max(epoch(f.first_viewed_at - s.started_at)) as longest_seconds
        from marts.fct_sessions as s
        inner join first_views as f using (session_id)
        group by s.channel_group
        having count(*) >= {ENOUGH_SESSIONS}
           and avg(case when epoch(f.first_viewed_at - s.started_at) > 60 then 1.0 else 0 end) > 0.05
        order by s.channel_group
        """,
    )
    assert rows.empty, f"channels whose sessions often start well before their landing page view:{show(rows)}"


def test_a_bounce_is_one_page_view_and_never_engaged(db):
    rows = frame(
        db,
        """
        select session_id, channel_group, page_views, events, duration_seconds, is_bounce, is_engaged
        from marts.fct_sessions
        where is_bounce and (page_views <> 1 or is_engaged or has_purchase)
        """,
    )
    assert rows.empty, f"bounced sessions with more than one page view, engaged or buying:{show(rows)}"


# --- conversion paths -----------------------------------------------------------------------------


def outcome_page_types(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Page types the page-type seed flags as outcomes; order_confirmation is the contract's example."""
    columns = [
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'reference' and table_name = 'page_types' and column_name like '%outcome%'"
        ).fetchall()
    ]
    outcomes = {"order_confirmation"}
    for column in columns:
        outcomes |= {
            row[0]
            for row in con.execute(
                f"select page_type from reference.page_types where cast({column} as varchar) in ('true', '1')"
            ).fetchall()
        }
    return outcomes


def test_conversion_paths_leave_out_outcome_pages(db):
    require(db, "marts.fct_conversion_paths", ("path", "sessions", "conversions", "conversion_rate"))
    outcomes = outcome_page_types(db)
    paths = frame(db, "select path, sessions, conversions, conversion_rate from marts.fct_conversion_paths")
    bad = paths[paths["path"].map(lambda p: bool(set(str(p).split(" > ")) & outcomes))]
    assert bad.empty, (
        f"paths that contain an outcome page ({sorted(outcomes)}), i.e. what happens because of the "
        f"conversion:{show(bad.sort_values('sessions', ascending=False))}"
    )


def test_path_conversion_rates_are_not_only_0_and_1(db):
    paths = frame(
        db,
        "select path, sessions, conversions, conversion_rate from marts.fct_conversion_paths "
        "where sessions >= 20 order by sessions desc",
    )
    between = paths[(paths["conversion_rate"] > 0) & (paths["conversion_rate"] < 1)]
    certain = paths[(paths["conversion_rate"] == 1) & (paths["sessions"] >= ENOUGH_SESSIONS)]
    assert not paths.empty, "no conversion path has 20+ sessions"
    assert not between.empty and certain.empty, (
        f"paths with 20+ sessions convert either never or always ({len(between)} in between; "
        f"{len(certain)} with {ENOUGH_SESSIONS}+ sessions always convert):{show(paths)}"
    )


def test_paths_of_sessions_without_a_purchase_follow_the_definition(db):
    """Recomputed from fct_page_views for the sessions that did not buy (their path is all their page
    views): page types in order, outcome pages left out, repeats in a row collapsed, the first 5."""
    outcomes = outcome_page_types(db)
    known_types = {row[0] for row in db.execute("select page_type from reference.page_types").fetchall()}
    views = frame(
        db,
        """
        select v.session_id, v.page_type
        from marts.fct_page_views as v
        inner join marts.fct_sessions as s using (session_id)
        where not s.has_purchase
        order by v.session_id, v.page_view_number
        """,
    )
    expected: Counter[str] = Counter()
    for _, group in views.groupby("session_id", sort=False):
        steps: list[str] = []
        for page_type in group["page_type"]:
            if page_type not in outcomes and (not steps or steps[-1] != page_type):
                steps.append(page_type)
        if steps:
            expected[" > ".join(steps[:5])] += 1
    published = {
        path: sessions - conversions
        for path, sessions, conversions in db.execute(
            "select path, sessions, conversions from marts.fct_conversion_paths"
        ).fetchall()
        if path and set(path.split(" > ")) <= known_types
    }
    differ = sorted(
        ((path, expected.get(path, 0), published.get(path, 0)) for path in set(expected) | set(published)
         if expected.get(path, 0) != published.get(path, 0)),
        key=lambda d: -max(d[1], d[2]),
    )  # fmt: skip
    assert not differ, (
        f"{len(differ)} paths whose sessions without a purchase differ from the definition "
        f"(path, expected, published), largest first: {differ[:15]}"
    )


# --- repeat purchase rate -------------------------------------------------------------------------


def test_repeat_purchase_rate_looks_back_from_each_period(db):
    """customers with a completed order in the period who have 2+ completed orders by its end /
    customers with a completed order in the period, recomputed from fct_orders."""
    rows = frame(
        db,
        """
        with

        periods as (
            select period_grain, period_start, period_end_exclusive, value, numerator, denominator
            from marts.kpi_metrics
            where kpi = 'repeat_purchase_rate' and segment_type = 'all' and period_grain in ('week', 'month')
        ),

        completed as (
            select customer_id, order_date from marts.fct_orders
            where status = 'completed' and customer_id is not null
        ),

        buyers as (
            select distinct p.period_grain, p.period_start, c.customer_id
            from periods as p
            inner join completed as c
                on c.order_date >= p.period_start and c.order_date < p.period_end_exclusive
        ),

        orders_by_end as (
            select b.period_grain, b.period_start, b.customer_id, count(*) as orders
            from buyers as b
            inner join periods as p using (period_grain, period_start)
            inner join completed as c
                on c.customer_id = b.customer_id and c.order_date < p.period_end_exclusive
            group by 1, 2, 3
        ),

        expected as (
            select
                period_grain, period_start,
                count(*) filter (where orders >= 2) as repeaters,
                count(*) as customers
            from orders_by_end
            group by 1, 2
        )

        select p.period_grain, p.period_start, p.numerator, p.denominator, p.value,
               e.repeaters as expected_numerator, e.customers as expected_denominator
        from periods as p
        full outer join expected as e using (period_grain, period_start)
        where p.numerator is distinct from e.repeaters or p.denominator is distinct from e.customers
        order by 1, 2
        """,
    )
    assert rows.empty, f"repeat_purchase_rate differs from the look-back definition:{show(rows)}"


def test_repeat_purchase_rate_does_not_fall_week_after_week_by_construction(db, sample: Sample):
    last = last_loaded_day(sample.landing)
    weeks = frame(
        db,
        f"""
        select period_start, value, numerator, denominator
        from marts.kpi_metrics
        where kpi = 'repeat_purchase_rate' and segment_type = 'all' and period_grain = 'week'
          and period_start >= date '{START}' and period_end_exclusive <= date '{last + timedelta(days=1)}'
        order by period_start
        """,
    )
    assert len(weeks) >= 3, f"the sample should hold 3+ complete weeks:{show(weeks)}"
    values = list(weeks["value"])
    falling = all(later < earlier for earlier, later in zip(values, values[1:], strict=False))
    assert values[-1] >= values[0] / 2 and not (falling and values[0] - values[-1] > 0.15), (
        f"on a steady shop the complete weeks' repeat purchase rate falls by construction:{show(weeks)}"
    )


# --- complete periods -----------------------------------------------------------------------------


def test_complete_periods_are_exactly_those_within_the_loaded_days(db, sample: Sample):
    require(db, "marts.kpi_metrics", ("period_end_exclusive", "is_complete_period"))
    last = last_loaded_day(sample.landing)
    rows = frame(
        db,
        f"""
        select period_grain, period_start, period_end_exclusive, is_complete_period, count(*) as kpi_rows
        from marts.kpi_metrics
        where is_complete_period is distinct from (
            period_start >= date '{sample.settings.start_date}'
            and period_end_exclusive <= date '{last + timedelta(days=1)}'
        )
        group by all
        order by 1, 2
        """,
    )
    assert rows.empty, (
        f"periods flagged wrongly (complete means every day between WAREHOUSE_START_DATE "
        f"{sample.settings.start_date} and the last loaded day {last}):{show(rows)}"
    )


def test_scorecard_reports_the_latest_complete_period(db):
    rows = frame(
        db,
        """
        with latest as (
            select period_grain, max(period_start) as latest_complete
            from marts.kpi_metrics
            where is_complete_period
            group by period_grain
        )

        select distinct s.period_grain, s.period_start, l.latest_complete
        from marts.kpi_scorecard as s
        left join latest as l using (period_grain)
        where l.latest_complete is null or s.period_start <> l.latest_complete
        """,
    )
    assert rows.empty, f"scorecard periods that are not their grain's latest complete period:{show(rows)}"


def test_scorecard_values_are_the_kpi_metrics_of_their_period(db):
    rows = frame(
        db,
        """
        select s.kpi, s.period_grain, s.period_start, s.value, k.value as kpi_metrics_value
        from marts.kpi_scorecard as s
        left join marts.kpi_metrics as k
            on k.kpi = s.kpi and k.period_grain = s.period_grain and k.period_start = s.period_start
            and k.segment_type = 'all' and k.segment_value = 'all'
        where s.value is distinct from k.value
        """,
    )
    assert rows.empty, f"scorecard values that differ from kpi_metrics (segment all):{show(rows)}"


# --- CLV ------------------------------------------------------------------------------------------


PARAMETER_COLUMNS = ("model", "parameter", "value", "log_likelihood", "customers", "observation_end")
Fits = dict[str, tuple[str, dict[tuple[str, str], float], date]]


def clv_fits(con: duckdb.DuckDBPyConnection, strict: bool = True) -> Fits:
    """fit -> (fit_status, {(model, parameter): value}, observation_end).

    Not strict: parameters published without `fit` and `fit_status` (contract version 1) are read as
    the full fit, 'ok' when predictions are published, so the checks of an ok fit still judge them.
    """
    require(
        con, "marts.clv_model_parameters", PARAMETER_COLUMNS + (() if not strict else ("fit", "fit_status"))
    )
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'clv_model_parameters'"
        ).fetchall()
    }
    if {"fit", "fit_status"} <= columns:
        selected = "fit, fit_status"
    else:
        predicted = con.execute(
            "select count(*) from marts.dim_customers where predicted_clv_12m is not null"
        ).fetchone()[0]
        selected = "'full' as fit, " + ("'ok'" if predicted else "'unknown'") + " as fit_status"
    fits: Fits = {}
    rows = con.execute(
        f"select {selected}, model, parameter, value, observation_end from marts.clv_model_parameters"
    ).fetchall()
    statuses = defaultdict(set)
    for fit, status, model, parameter, value, end in rows:
        statuses[fit].add(status)
        _, params, _ = fits.setdefault(fit, (status, {}, end))
        if parameter is not None:
            params[(model, parameter)] = value
    several = {fit: s for fit, s in statuses.items() if len(s) > 1}
    assert not several, f"a fit with more than one fit_status: {several}"
    return fits


def test_clv_publishes_a_full_and_a_calibration_fit_with_their_status(db):
    fits = clv_fits(db)
    assert set(fits) == {"full", "calibration"}, f"fits published: {sorted(fits)}"
    statuses = {fit: status for fit, (status, _, _) in fits.items()}
    assert set(statuses.values()) <= FIT_STATUSES, f"unknown fit_status: {statuses}"
    for fit, (status, params, _) in fits.items():
        if status == "ok":
            names = {p for _, p in params}
            assert names >= {"r", "alpha", "a", "b", "p", "q", "gamma"}, f"{fit} fit is ok but has {params}"


def test_an_ok_fit_has_not_collapsed(db):
    fits = clv_fits(db, strict=False)
    for fit, (status, params, _) in fits.items():
        if status != "ok":
            continue
        a, b, q = params[("bg_nbd", "a")], params[("bg_nbd", "b")], params[("gamma_gamma", "q")]
        assert all(math.isfinite(v) and v > 0 for v in params.values()), f"{fit}: {params}"
        assert a >= COLLAPSED_A and b <= COLLAPSED_B, (
            f"the {fit} fit is 'ok' with a = {a:.3g}, b = {b:.3g}: a BG/NBD fit that says nobody "
            f"ever drops out has collapsed (status at_bound or insufficient_history); {params}"
        )
        assert q > 1, f"the {fit} fit is 'ok' with Gamma-Gamma q = {q} <= 1: mean spend undefined"


def test_clv_predictions_follow_the_full_fit_status(db):
    status, _, _ = clv_fits(db, strict=False)["full"]
    customers = frame(
        db,
        "select customer_id, orders, probability_alive, predicted_clv_12m from marts.dim_customers",
    )
    predicted = customers.dropna(subset=["probability_alive", "predicted_clv_12m"], how="all")
    if status != "ok":
        assert predicted.empty, f"the full fit is '{status}' but predictions are published:{show(predicted)}"
        return
    repeaters = customers[(customers["orders"] >= 2) & customers["probability_alive"].notna()]
    alive = repeaters["probability_alive"]
    assert len(repeaters) >= 20, f"only {len(repeaters)} repeat customers have a probability_alive"
    assert alive.min() < 0.9 and alive.std() > 0.02, (
        f"P(alive) of repeat customers does not vary (min {alive.min():.4f}, std {alive.std():.4f}): "
        f"a fit that says everyone is alive:{show(repeaters.sort_values('probability_alive'))}"
    )
    assert (customers["predicted_clv_12m"].dropna() >= 0).all()


def test_one_order_customers_are_not_predicted_above_what_the_fitted_model_allows(db):
    status, params, observation_end = clv_fits(db, strict=False)["full"]
    one_occasion = frame(
        db,
        """
        with occasions as (
            select customer_id, count(distinct order_date) as occasions, min(order_date) as first_date
            from marts.fct_orders
            where status = 'completed' and customer_id is not null
            group by customer_id
        )

        select d.customer_id, o.first_date, d.revenue, d.predicted_clv_12m
        from marts.dim_customers as d
        inner join occasions as o using (customer_id)
        where o.occasions = 1
        """,
    )
    assert not one_occasion.empty, "the sample has no one-order customers"
    if status != "ok":
        shown = one_occasion.dropna(subset=["predicted_clv_12m"])
        assert shown.empty, f"the full fit is '{status}' but one-order customers are predicted:{show(shown)}"
        return
    r, alpha, a, b = (params[("bg_nbd", name)] for name in ("r", "alpha", "a", "b"))
    bgnbd = BgNbdFit(r, alpha, a, b, log_likelihood=0.0, customers=0)
    p, q, gamma = (params[("gamma_gamma", name)] for name in ("p", "q", "gamma"))
    mean_spend = p * gamma / (q - 1)  # what Gamma-Gamma expects of a customer without repeat spend
    # a day less than the definition's T: E[purchases] falls with T, so this keeps the bound an upper
    # one whichever way a build rounds the first occasion's date
    days = (pd.Timestamp(observation_end) - pd.to_datetime(one_occasion["first_date"])).dt.days
    weeks = (days - 1).clip(lower=0) / 7
    zeros = [0.0] * len(weeks)
    # 53 weeks: above any reading of "12 months", so the bound is an upper one
    allowed = bgnbd_expected_purchases(bgnbd, 53.0, zeros, zeros, weeks.to_numpy()) * mean_spend
    one_occasion["allowed"] = allowed
    above = one_occasion[one_occasion["predicted_clv_12m"] > one_occasion["allowed"] * 1.01 + 0.01]
    assert above.empty, f"one-order customers predicted above the fitted model's expectation:{show(above)}"

    repeat = frame(
        db,
        "select predicted_clv_12m from marts.dim_customers "
        "where orders >= 2 and predicted_clv_12m is not null",
    )["predicted_clv_12m"]
    if len(repeat) >= 20:
        ceiling = repeat.quantile(0.95)
        high = one_occasion[one_occasion["predicted_clv_12m"] > ceiling]
        assert high.empty, (
            f"one-order customers predicted above the 95th percentile of repeat customers "
            f"({ceiling:.2f}):{show(high.sort_values('predicted_clv_12m', ascending=False))}"
        )


def test_clv_diagnostics_check_the_calibration_fit_against_the_holdout(db):
    require(db, "marts.clv_model_diagnostics", ("fit", "metric", "value"))
    metrics = {
        (f, m): v
        for f, m, v in db.execute("select fit, metric, value from marts.clv_model_diagnostics").fetchall()
    }
    needed = [
        "holdout_days", "holdout_customers", "holdout_actual_repeat_transactions",
        "holdout_predicted_repeat_transactions", "holdout_mean_absolute_error",
    ]  # fmt: skip
    missing = [m for m in needed if ("calibration", m) not in metrics]
    assert not missing, f"clv_model_diagnostics lacks calibration metrics {missing}; it has {sorted(metrics)}"
    assert metrics[("calibration", "holdout_days")] == CLV_HOLDOUT_DAYS, metrics
    status, _, _ = clv_fits(db)["calibration"]
    if status == "ok":
        actual = metrics[("calibration", "holdout_actual_repeat_transactions")]
        predicted = metrics[("calibration", "holdout_predicted_repeat_transactions")]
        assert actual > 0 and 0.5 <= predicted / actual <= 2, (
            f"the calibration fit predicts {predicted:.1f} repeat transactions in the holdout against "
            f"{actual:.0f} that happened: {metrics}"
        )
        assert metrics[("calibration", "holdout_mean_absolute_error")] >= 0


# --- segments -------------------------------------------------------------------------------------


def test_new_customers_are_not_in_a_lapsed_rfm_segment(db):
    lapsed = {
        row[0]
        for row in db.execute(
            "select rfm_segment from reference.rfm_segments where recency_max <= 2"
        ).fetchall()
    }
    assert lapsed, "the rfm_segments seed has no segment of low recency"
    names = ", ".join(f"'{s}'" for s in sorted(lapsed))
    rows = frame(
        db,
        f"""
        select rfm_segment, count(*) as customers, min(days_since_last_order) as min_days_since,
               max(days_since_last_order) as max_days_since
        from marts.dim_customers
        where lifecycle_stage = 'new' and rfm_segment in ({names})
        group by rfm_segment
        order by customers desc
        """,
    )
    assert rows.empty, (
        f"customers lifecycle calls 'new' whom RFM calls lapsed ({sorted(lapsed)}):{show(rows)}"
    )


def test_segment_history_is_scd2_and_its_open_rows_are_dim_customers(db):
    columns = ("customer_id", "segment_type", "segment_value", "valid_from", "valid_to")
    require(db, "marts.customer_segment_history", columns)
    overlaps = frame(
        db,
        """
        select a.customer_id, a.segment_type, a.segment_value, a.valid_from, a.valid_to,
               b.segment_value as other_value, b.valid_from as other_from, b.valid_to as other_to
        from marts.customer_segment_history as a
        inner join marts.customer_segment_history as b
            on a.customer_id = b.customer_id and a.segment_type = b.segment_type
            and a.valid_from < b.valid_from
            and (a.valid_to is null or a.valid_to > b.valid_from)
        """,
    )
    assert overlaps.empty, f"overlapping validity intervals:{show(overlaps)}"
    backwards = frame(
        db,
        "select * from marts.customer_segment_history where valid_to is not null and valid_to <= valid_from",
    )
    assert backwards.empty, f"intervals that end before they start:{show(backwards)}"
    types = [
        row[0]
        for row in db.execute("select distinct segment_type from marts.customer_segment_history").fetchall()
    ]
    dim_columns = {
        row[0]
        for row in db.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'dim_customers'"
        ).fetchall()
    }
    compared = [t for t in types if t in dim_columns]
    assert {"rfm_segment", "lifecycle_stage"} <= set(compared), f"segment types in the history: {types}"
    for segment_type in compared:
        rows = frame(
            db,
            f"""
            with open_rows as (
                select customer_id, segment_value, count(*) over (partition by customer_id) as open_rows
                from marts.customer_segment_history
                where segment_type = '{segment_type}' and valid_to is null
            )

            select d.customer_id, d.{segment_type} as dim_value, o.segment_value as open_value, o.open_rows
            from marts.dim_customers as d
            full outer join open_rows as o using (customer_id)
            where o.open_rows is distinct from 1 or d.{segment_type} is distinct from o.segment_value
            """,
        )
        assert rows.empty, f"{segment_type}: open history rows differ from dim_customers:{show(rows)}"


def test_customer_segment_kpis_count_each_day_under_the_segment_of_that_day(db):
    """On each day, only customers who had ordered by then can be in a buyer's segment: a customer
    whose first order comes later was a prospect on that day, whatever they are now."""
    rfm = {row[0] for row in db.execute("select rfm_segment from reference.rfm_segments").fetchall()}
    buyer_values = {"lifecycle_stage": BUYER_STAGES, "rfm_segment": rfm}
    rows = []
    for segment_type, values in buyer_values.items():
        published = db.execute(
            "select count(*) from marts.kpi_metrics "
            "where kpi = 'sessions' and period_grain = 'day' and segment_type = ?",
            [segment_type],
        ).fetchone()[0]
        assert published, f"no daily sessions KPI by {segment_type}: nothing to check"
        names = ", ".join(f"'{v}'" for v in sorted(values))
        rows.append(
            frame(
                db,
                f"""
                with

                first_orders as (
                    -- any status: a later cancellation does not undo what was known on the day
                    select customer_id, min(order_date) as first_order_date
                    from marts.fct_orders
                    where customer_id is not null
                    group by customer_id
                ),

                possible as (
                    select s.session_date, count(*) as sessions_of_customers_who_had_ordered
                    from marts.fct_sessions as s
                    inner join first_orders as f
                        on s.customer_id = f.customer_id and f.first_order_date <= s.session_date
                    group by s.session_date
                ),

                published as (
                    select period_start, sum(value) as sessions_in_buyer_segments
                    from marts.kpi_metrics
                    where kpi = 'sessions' and period_grain = 'day'
                      and segment_type = '{segment_type}' and segment_value in ({names})
                    group by period_start
                )

                select '{segment_type}' as segment_type, p.period_start, p.sessions_in_buyer_segments,
                       coalesce(o.sessions_of_customers_who_had_ordered, 0)
                           as sessions_of_customers_who_had_ordered
                from published as p
                left join possible as o on o.session_date = p.period_start
                where p.sessions_in_buyer_segments > coalesce(o.sessions_of_customers_who_had_ordered, 0)
                order by p.period_start
                """,
            )
        )
    bad = pd.concat(rows)
    assert bad.empty, (
        f"days on which more sessions sit in buyers' segments than customers who had ordered by then "
        f"had (today's segments applied to the past):{show(bad)}"
    )


# --- marketing ------------------------------------------------------------------------------------


def extract_followers(landing: Path) -> dict[tuple[date, str], set[int]]:
    """(date, platform) -> the follower counts the marketing extract states for that account-day."""
    followers: dict[tuple[date, str], set[int]] = defaultdict(set)
    for path in sorted((landing / "marketing").glob("dt=*/*.csv*")):
        with open_text(path) as fh:
            for row in csv.DictReader(fh):
                try:
                    key = (
                        date.fromisoformat((row.get("date") or "").strip()),
                        (row.get("platform") or "").strip(),
                    )
                    followers[key].add(int((row.get("followers") or "").strip()))
                except ValueError:
                    continue  # a defective row (the loader rejects it) or a platform without followers
    return followers


def test_social_audience_is_the_account_figure_once_per_platform_and_day(db, sample: Sample):
    columns = ("date", "platform", "followers", "follower_change", "follower_growth_rate")
    require(db, "marts.fct_social_audience_daily", columns)
    audience = frame(db, "select * from marts.fct_social_audience_daily order by platform, date")
    duplicated = audience[audience.duplicated(["date", "platform"], keep=False)]
    assert duplicated.empty, f"more than one row per date and platform:{show(duplicated)}"

    stated = extract_followers(sample.landing)
    audience["stated"] = [
        sorted(stated.get((pd.Timestamp(d).date(), p), set()))
        for d, p in zip(audience["date"], audience["platform"], strict=True)
    ]
    not_stated = pd.Series(
        [int(f) not in s for f, s in zip(audience["followers"].fillna(-1), audience["stated"], strict=True)],
        index=audience.index,
    )
    differs = audience[audience["followers"].notna() & not_stated]
    assert differs.empty, f"followers that are not the extract's account figure of that day:{show(differs)}"
    assert audience["followers"].notna().any(), "no follower counts published"

    with_previous = audience.dropna(subset=["followers"]).copy()
    with_previous["previous"] = with_previous.groupby("platform")["followers"].shift()
    with_previous["previous_date"] = with_previous.groupby("platform")["date"].shift()
    consecutive = with_previous[
        (pd.to_datetime(with_previous["date"]) - pd.to_datetime(with_previous["previous_date"]))
        == pd.Timedelta(days=1)
    ]
    wrong = consecutive[
        (consecutive["follower_change"] != consecutive["followers"] - consecutive["previous"])
        | consecutive["follower_growth_rate"].isna()
        | (
            (
                consecutive["follower_growth_rate"] - (consecutive["followers"] / consecutive["previous"] - 1)
            ).abs()
            > 1e-9
        )
    ]
    assert wrong.empty, f"follower_change / follower_growth_rate against the previous day:{show(wrong)}"


def test_marketing_performance_growth_rate_is_the_audience_marts(db):
    require(db, "marts.fct_social_audience_daily", ("date", "platform", "follower_growth_rate"))
    rows = frame(
        db,
        """
        select m.date, m.platform, m.campaign, m.followers, m.follower_growth_rate,
               a.followers as audience_followers, a.follower_growth_rate as audience_growth_rate
        from marts.fct_marketing_performance as m
        left join marts.fct_social_audience_daily as a using (date, platform)
        where m.follower_growth_rate is distinct from a.follower_growth_rate
           or m.followers is distinct from a.followers
        order by m.date, m.platform, m.campaign
        """,
    )
    assert rows.empty, f"account-level figures differ from fct_social_audience_daily:{show(rows)}"


# --- email ----------------------------------------------------------------------------------------


def extract_email_events(landing: Path) -> Counter[str]:
    """Distinct email_open / email_click events of the events extract, by type."""
    seen: dict[str, set[str]] = defaultdict(set)
    for path in sorted((landing / "events").glob("dt=*/*.jsonl*")):
        with open_text(path) as lines:
            for line in lines:
                try:
                    event = json.loads(line)
                    datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue
                if event.get("event_type") in ("email_open", "email_click") and event.get("event_id"):
                    seen[event["event_type"]].add(event["event_id"])
    return Counter({event_type: len(ids) for event_type, ids in seen.items()})


def test_email_engagement_counts_opens_and_clicks_and_their_ratio(db, sample: Sample):
    columns = (
        "date",
        "campaign",
        "opens",
        "unique_openers",
        "clicks",
        "unique_clickers",
        "click_to_open_rate",
    )
    require(db, "marts.fct_email_engagement", columns)
    rows = frame(
        db,
        """
        select * from marts.fct_email_engagement
        where unique_openers > opens or unique_clickers > clicks
           or click_to_open_rate not between 0 and 1
           or (unique_openers > 0
               and abs(click_to_open_rate - cast(unique_clickers as double) / unique_openers) > 1e-9)
           or (unique_openers = 0 and click_to_open_rate is not null)
        """,
    )
    assert rows.empty, (
        f"email engagement rows that break click_to_open_rate = unique clickers / openers:{show(rows)}"
    )
    opens, clicks = db.execute("select sum(opens), sum(clicks) from marts.fct_email_engagement").fetchone()
    events = extract_email_events(sample.landing)
    for name, published in (("email_open", opens), ("email_click", clicks)):
        assert events[name] > 0, f"the sample has no {name} events"
        assert abs((published or 0) - events[name]) <= 0.02 * events[name], (
            f"{published} {name} events published against {events[name]} distinct in the extract"
        )


# --- a new shop's first days ----------------------------------------------------------------------


def test_a_new_shops_first_three_days_refresh_and_publish(new_shop: Sample):
    new_shop.require_published()
    con = duckdb.connect(str(new_shop.serving_path), read_only=True)
    try:
        for table in ("dim_customers", "fct_sessions", "fct_orders", "kpi_metrics"):
            count = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            assert count > 0, f"marts.{table} is empty after the new shop's refresh"
    finally:
        con.close()


def test_a_new_shops_clv_reports_its_state(new_shop: Sample):
    new_shop.require_published()
    con = duckdb.connect(str(new_shop.serving_path), read_only=True)
    try:
        fits = clv_fits(con)
        assert "full" in fits, f"fits published: {sorted(fits)}"
        status = fits["full"][0]
        assert status in FIT_STATUSES, status
        predicted = frame(
            con,
            "select customer_id, probability_alive, predicted_clv_12m from marts.dim_customers "
            "where probability_alive is not null or predicted_clv_12m is not null",
        )
        if status != "ok":
            assert predicted.empty, (
                f"the full fit is '{status}' but predictions are published:{show(predicted)}"
            )
    finally:
        con.close()


# --- funnel ---------------------------------------------------------------------------------------

# fct_funnel_daily's purchase step counts a session only when a product view, an add_to_cart and a
# begin_checkout came before its purchase, in that order (a closed funnel); a purchase session that
# skipped one (a cart filled in an earlier session, a direct checkout, events out of order) counts
# in fct_sessions.has_purchase alone. Most purchases still come through the whole funnel.
FUNNEL_SHARE_OF_PURCHASE_SESSIONS = 0.8


def test_funnel_never_grows_and_starts_within_the_days_sessions(db):
    columns = ("date", "step_number", "step_name", "sessions", "conversion_from_previous", "abandonment_rate")
    require(db, "marts.fct_funnel_daily", columns)
    rows = frame(
        db,
        """
        with funnel as (
            select *, lag(sessions) over (partition by "date" order by step_number) as previous_sessions
            from marts.fct_funnel_daily
        ),
        days as (
            select session_date as "date", count(*) as day_sessions from marts.fct_sessions group by 1
        ),
        steps as (select count(*) as steps from reference.funnel_steps),
        day_steps as (select "date", count(*) as day_rows from marts.fct_funnel_daily group by 1)

        select f.*, d.day_sessions, s.day_rows
        from funnel as f
        left join days as d on f."date" = d."date"
        left join day_steps as s on f."date" = s."date"
        where f.sessions > f.previous_sessions
           or (f.step_number = 1 and f.sessions > d.day_sessions)
           or d.day_sessions is null
           or s.day_rows <> (select steps from steps)
           or (f.previous_sessions > 0
               and abs(f.conversion_from_previous - f.sessions / f.previous_sessions) > 1e-9)
           or abs(f.conversion_from_previous + f.abandonment_rate - 1) > 1e-9
        """,
    )
    assert rows.empty, f"funnel rows that grow, exceed the day's sessions or miss steps:{show(rows)}"
    missing = frame(
        db,
        """select distinct session_date from marts.fct_sessions
           where session_date not in (select "date" from marts.fct_funnel_daily)""",
    )
    assert missing.empty, f"session days without funnel rows:{show(missing)}"


def test_funnel_purchases_are_the_sessions_with_a_purchase_that_went_through_it(db):
    rows = frame(
        db,
        """
        with funnel as (
            select "date", sessions as funnel_purchases from marts.fct_funnel_daily
            where step_number = (select max(step_number) from reference.funnel_steps)
        ),
        purchases as (
            select session_date as "date", count(*) filter (where has_purchase) as purchase_sessions
            from marts.fct_sessions group by 1
        )
        select * from funnel inner join purchases using ("date") order by "date"
        """,
    )
    assert not rows.empty
    over = rows[rows.funnel_purchases > rows.purchase_sessions]
    assert over.empty, f"days whose funnel purchases exceed the sessions with a purchase:{show(over)}"
    share = rows.funnel_purchases.sum() / rows.purchase_sessions.sum()
    assert share >= FUNNEL_SHARE_OF_PURCHASE_SESSIONS, (
        f"only {share:.1%} of the sessions with a purchase went through the whole funnel:{show(rows)}"
    )


def test_cart_abandonment_rate_is_cart_sessions_without_a_purchase(db):
    (numerator, denominator, value) = db.execute(
        f"""select numerator, denominator, value from marts.kpi_metrics
            where kpi = 'cart_abandonment_rate' and period_grain = 'month'
              and period_start = date '{START}' and segment_type = 'all'"""
    ).fetchone()
    (abandoned, carts) = db.execute(
        f"""select count(*) filter (where not has_purchase), count(*) from marts.fct_sessions
            where add_to_carts > 0 and date_trunc('month', session_date) = date '{START}'"""
    ).fetchone()
    assert (numerator, denominator) == (abandoned, carts)
    # industry figures run from about 55% to 85% (Baymard Institute's studies average about 70%)
    assert 0.3 <= value <= 0.95, f"cart_abandonment_rate of {START:%Y-%m} is {value:.1%}"


# --- bots (issue 22, item 5) ----------------------------------------------------------------------


def test_bots_are_a_small_nonzero_share_of_sessions_and_look_automated(db):
    """The generator's crawlers are flagged by the rule, and only they: a small share of the
    sessions, anonymous, fast and many-paged, never buying, logging in or sharing."""
    require(db, "marts.fct_sessions", ("is_bot",))
    bots, sessions = db.execute(
        "select count(*) filter (where is_bot), count(*) from marts.fct_sessions"
    ).fetchone()
    assert 0.005 < bots / sessions < 0.05, (bots, sessions)
    odd = frame(
        db,
        """select session_id, customer_id, page_views, duration_seconds, orders, social_shares, add_to_carts
           from marts.fct_sessions
           where is_bot and (customer_id is not null or platform <> 'web' or page_views < 8
                             or duration_seconds >= 3 * page_views or has_purchase or social_shares > 0
                             or add_to_carts > 0)""",
    )
    assert odd.empty, "bot sessions a crawler would not have:\n" + show(odd)


def test_no_kpi_counts_bot_sessions(db):
    """Every day's sessions, page views and converting sessions KPIs (all segments) are those of
    the day's non-bot sessions; a month's visitors are its distinct non-bot visitors."""
    off = frame(
        db,
        """with facts as (
               select session_date, count(*) as sessions, sum(page_views) as page_views,
                      count(*) filter (where has_purchase) as converted
               from marts.fct_sessions where not is_bot group by 1
           ),
           kpis as (
               select period_start as session_date,
                      max(value) filter (where kpi = 'sessions') as sessions,
                      max(value) filter (where kpi = 'page_views') as page_views,
                      max(numerator) filter (where kpi = 'conversion_rate') as converted
               from marts.kpi_metrics
               where period_grain = 'day' and segment_type = 'all'
               group by 1
           )
           select * from facts full join kpis using (session_date)
           where facts.sessions is distinct from kpis.sessions
              or facts.page_views is distinct from kpis.page_views
              or facts.converted is distinct from kpis.converted""",
    )
    assert off.empty, "daily session KPIs that are not the non-bot sessions:\n" + show(off)
    visitors = frame(
        db,
        """with facts as (
               select cast(date_trunc('month', session_date) as date) as period_start,
                      count(distinct anonymous_id) as visitors
               from marts.fct_sessions where not is_bot group by 1
           )
           select facts.period_start, facts.visitors, kpi.value
           from facts left join marts.kpi_metrics as kpi
               on kpi.period_start = facts.period_start and kpi.period_grain = 'month'
               and kpi.kpi = 'visitors' and kpi.segment_type = 'all'
           where kpi.value is distinct from facts.visitors""",
    )
    assert visitors.empty, "monthly visitors that are not the distinct non-bot visitors:\n" + show(visitors)
