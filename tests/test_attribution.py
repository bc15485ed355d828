"""Attribution tie-outs (issue 22 item 1, contract §4 "Attribution") on the generated sample.

conftest's `built` sample is refreshed window by window (a copy is kept) and then fully; both builds
must tie out: per order and model the credits sum to 1 and the revenue credits to the order's net
revenue, fct_campaign_attribution equals the credits grouped, the spend equals the platforms', and
every completed order with a purchase event is credited under all six models (and no other order).
The hand-computed credits of each model are dbt unit tests (_attribution__unit_tests.yml).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import Built

from orchestration.core.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MODELS = {"first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay"}
# revenue_credit is decimal(28, 6): each touch's share is rounded to a millionth, so an order's sum
# may be off by half a millionth per touch (orders have at most a few hundred touches).
REVENUE_TOLERANCE = 1e-3


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module", params=["incremental", "full_refresh"])
def warehouse(request: pytest.FixtureRequest, built: Built) -> Path:
    assert built.full_outcome.success, built.full_outcome.report()
    return built.incremental_copy if request.param == "incremental" else built.settings.duckdb_path


def test_credits_sum_to_one_and_to_net_revenue(warehouse: Path):
    rows = _query(
        warehouse,
        """
        select credits.order_id, credits.model, sum(credits.credit), sum(credits.revenue_credit),
            any_value(orders.net_revenue)
        from marts.fct_attribution_credits as credits
        inner join marts.fct_orders as orders on credits.order_id = orders.order_id
        group by 1, 2
        """,
    )
    assert rows, "no order was credited"
    off = [r for r in rows if abs(r[2] - 1) > 1e-9 or abs(float(r[3]) - float(r[4])) > REVENUE_TOLERANCE]
    assert not off, off[:5]


def test_every_conversion_is_credited_under_all_six_models(warehouse: Path):
    conversions = _query(
        warehouse,
        """
        select orders.order_id from marts.fct_orders as orders
        inner join intermediate.int_order_touches as purchases on orders.order_id = purchases.order_id
        where orders.status = 'completed'
        """,
    )
    credited = _query(
        warehouse, "select order_id, list(distinct model) from marts.fct_attribution_credits group by 1"
    )
    assert conversions
    by_order = {order_id: set(models) for order_id, models in credited}
    assert set(by_order) == {order_id for (order_id,) in conversions}
    assert all(models == MODELS for models in by_order.values()), by_order


def test_touch_numbers_are_the_same_touch_under_every_model(warehouse: Path):
    # touch_number n of an order is one touch, whichever model credits it
    rows = _query(
        warehouse,
        """
        select order_id, touch_number from marts.fct_attribution_credits
        group by 1, 2 having count(distinct touch_id) > 1 or count(distinct touched_at) > 1
        """,
    )
    assert not rows, rows[:5]


def test_campaign_attribution_equals_the_credits(warehouse: Path):
    differences = _query(
        warehouse,
        """
        with credited as (
            select order_date as day, model, channel_group, utm_campaign,
                sum(credit) as conversions, sum(revenue_credit) as revenue
            from marts.fct_attribution_credits group by all
        )
        select * from credited
        full outer join (
            select * from marts.fct_campaign_attribution where conversions > 0 or revenue <> 0
        ) as mart
            on credited.day = mart.date and credited.model = mart.model
            and credited.channel_group = mart.channel_group
            and credited.utm_campaign is not distinct from mart.utm_campaign
        where credited.model is null or mart.model is null
            or abs(credited.conversions - mart.conversions) > 1e-9
            or abs(credited.revenue - mart.revenue) > 1e-6
        """,
    )
    assert not differences, differences[:5]
    totals = _query(
        warehouse,
        """
        select model, sum(conversions), sum(revenue), sum(spend)
        from marts.fct_campaign_attribution group by 1
        """,
    )
    orders, revenue = _query(
        warehouse,
        """
        select count(*), sum(net_revenue) from marts.fct_orders
        where order_id in (select order_id from marts.fct_attribution_credits)
        """,
    )[0]
    spend = _query(warehouse, "select coalesce(sum(spend), 0) from marts.fct_marketing_performance")[0][0]
    assert {model for model, *_ in totals} == MODELS
    for model, conversions, model_revenue, model_spend in totals:
        assert conversions == pytest.approx(orders, abs=1e-6), model
        assert float(model_revenue) == pytest.approx(float(revenue), abs=REVENUE_TOLERANCE * orders), model
        # spend is the platforms', once on each model's rows
        assert float(model_spend or 0) == pytest.approx(float(spend), abs=1e-6), model


def test_roas_is_revenue_over_spend(warehouse: Path):
    rows = _query(
        warehouse,
        """
        select * from marts.fct_campaign_attribution
        where (spend > 0) <> (roas is not null)
            or abs(roas - cast(revenue as double) / cast(spend as double)) > 1e-9
        """,
    )
    assert not rows, rows[:5]


def test_lookback_setting_default_override_and_bad_values(tmp_path: Path):
    assert Settings.from_env({}, root=tmp_path).attribution_lookback_days == 30
    s = Settings.from_env({"WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS": "7"}, root=tmp_path)
    assert s.dbt_env()["WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS"] == "7"
    assert Settings.from_env({"WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS": "0"}).attribution_lookback_days == 0
    for bad in ("-1", "30d", "1.5"):
        with pytest.raises(ValueError, match="WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS"):
            Settings.from_env({"WAREHOUSE_ATTRIBUTION_LOOKBACK_DAYS": bad})
