"""Product, page and site-feature performance (issue 22, items 3 and 4) on the pipeline's sample.

The same sample as tests/test_pipeline.py (conftest's `built`: loaded window by window, kept, then
fully refreshed). The marts must tie out to the facts they summarise, in both builds, and the
daily loads must give the same rows as the full refresh.
"""

from pathlib import Path

import pytest
from conftest import Built
from test_pipeline import query, scalar

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Incremental equals full refresh for these marts: tests/test_pipeline.py compares every model.


@pytest.fixture(params=["full_refresh", "daily_loads"])
def db(built: Built, request: pytest.FixtureRequest) -> Path:
    return built.settings.duckdb_path if request.param == "full_refresh" else built.incremental_copy


def test_order_lines_sum_to_each_order_net_revenue(db: Path):
    mismatches = query(
        db,
        """select orders.order_id, orders.net_revenue, lines.net_revenue
           from marts.fct_orders as orders
           full join (
               select order_id, sum(net_revenue) as net_revenue, sum(quantity) as units
               from intermediate.int_order_lines_converted group by order_id
           ) as lines on orders.order_id = lines.order_id
           where orders.net_revenue is distinct from lines.net_revenue
              or orders.item_count is distinct from lines.units""",
    )
    assert mismatches == []


def test_products_equal_completed_orders_per_day(db: Path):
    """Units and net revenue over products equal fct_orders' completed orders, day by day, to the
    cent (exactly: the lines carry their order's rounding remainder)."""
    days = query(
        db,
        """with products as (
               select "date", sum(units) as units, sum(net_revenue) as net_revenue,
                      sum(orders) as order_lines, max(orders) as most_orders
               from marts.fct_product_performance_daily group by 1
           ),
           orders as (
               select order_date as "date", sum(item_count) as units, sum(net_revenue) as net_revenue,
                      count(*) as orders
               from marts.fct_orders where status = 'completed' group by 1
           )
           select coalesce(products."date", orders."date"),
                  coalesce(products.units, 0), coalesce(orders.units, 0),
                  coalesce(products.net_revenue, 0), coalesce(orders.net_revenue, 0),
                  coalesce(products.order_lines, 0), coalesce(products.most_orders, 0),
                  coalesce(orders.orders, 0)
           from products full join orders on products."date" = orders."date"
           order by 1""",
    )
    assert sum(row[2] for row in days) > 0, "the sample should have completed orders"
    for day, units, order_units, revenue, order_revenue, order_lines, most_orders, orders in days:
        assert (units, revenue) == (order_units, order_revenue), day
        # an order counts once under each of its products
        assert most_orders <= orders <= order_lines, day


def test_product_views_and_carts_are_the_product_events(db: Path):
    marts = query(
        db,
        "select sum(views), sum(add_to_carts) from marts.fct_product_performance_daily",
    )[0]
    events = query(
        db,
        """select count(*) filter (where event_type = 'page_view' and page_type = 'product'),
                  count(*) filter (where event_type = 'add_to_cart')
           from intermediate.int_events_sessionized
           where product_id is not null
               and session_id not in (select session_id from marts.fct_sessions where is_bot)""",
    )[0]
    assert marts == events
    assert marts[0] > marts[1] > 0
    # an ordered product has a latest known category (the sample's lines all carry one)
    uncategorised = """select count(*) from marts.fct_product_performance_daily
                       where orders > 0 and product_id <> '(not set)' and product_category is null"""
    assert scalar(db, uncategorised) == 0


def test_pages_equal_page_views_per_day(db: Path):
    days = query(
        db,
        """with pages as (
               select "date", sum(page_views), sum(entrances), sum(exits), sum(time_on_page_count),
                      round(sum(time_on_page_seconds_sum), 3)
               from marts.fct_page_performance_daily group by 1
           ),
           views as (
               select viewed_date, count(*), count(*) filter (where is_entrance),
                      count(*) filter (where is_exit), count(time_on_page_seconds),
                      round(coalesce(sum(time_on_page_seconds), 0), 3)
               from marts.fct_page_views
               where session_id not in (select session_id from marts.fct_sessions where is_bot)
               group by 1
           )
           (select * from pages except select * from views)
           union all
           (select * from views except select * from pages)""",
    )
    assert days == []
    # pages equal page views without bots (contract §4, "Bots"), and bots viewed some
    human_views = """select count(*) from marts.fct_page_views as views
                     join marts.fct_sessions as sessions using (session_id) where not sessions.is_bot"""
    published = scalar(db, "select sum(page_views) from marts.fct_page_performance_daily")
    assert published == scalar(db, human_views)
    assert scalar(db, human_views) < scalar(db, "select count(*) from marts.fct_page_views")


def test_bounces_are_the_entrances_of_bounced_sessions(db: Path):
    bounces = scalar(db, "select sum(bounces) from marts.fct_page_performance_daily")
    assert bounces == scalar(
        db, "select count(*) from marts.fct_sessions where is_bounce and page_views > 0 and not is_bot"
    )
    entrances = scalar(db, "select sum(entrances) from marts.fct_page_performance_daily")
    assert 0 < bounces < entrances


def test_features_count_their_events_and_sessions(db: Path):
    mismatches = query(
        db,
        """with expected as (
               select events.occurred_date as "date", features.feature, count(*) as events,
                      count(distinct events.session_id) as sessions
               from intermediate.int_events_sessionized as events
               join reference.site_features as features on events.event_type = features.event_type
               where events.session_id not in (select session_id from marts.fct_sessions where is_bot)
               group by 1, 2
           ),
           published as (select "date", feature, events, sessions from marts.fct_site_feature_usage_daily)
           (select * from expected except select * from published)
           union all
           (select * from published except select * from expected)""",
    )
    assert mismatches == []
    totals = dict(query(db, "select feature, sum(events) from marts.fct_site_feature_usage_daily group by 1"))
    assert totals.get("search", 0) > 0 and totals.get("chatbot", 0) > 0, totals
    converting, sessions = query(
        db, "select sum(converting_sessions), sum(sessions) from marts.fct_site_feature_usage_daily"
    )[0]
    assert 0 < converting < sessions
