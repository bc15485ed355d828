"""Real transactions with published model estimates, through the whole warehouse.

The CDNOW sample (tests/data/README.md) is written into the landing zone as the shop's order
extract: all its purchases, 1997-01-01..1998-06-30, delivered as a history export that arrives on
1998-06-30 (the way a warehouse is first filled). It is refreshed by the real Dagster job and dbt
with WAREHOUSE_CLV_HOLDOUT_DAYS=273, which splits it as Fader, Hardie & Lee (2005) did: a
39-week calibration period to 1997-09-30 and a 39-week holdout. The published estimates must come
out of the calibration fit in marts.clv_model_parameters, and its holdout check in
marts.clv_model_diagnostics must match the peer package lifetimes on the same split. Customer
counts, repeat customers and historical CLV must be exact.
"""

import csv
import json
import shutil
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.core.settings import Settings
from orchestration.ingest.contract import ORDERS
from orchestration.refresh import run_refresh

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATA = Path(__file__).parent / "data" / "CDNOW_sample.txt"
LIFETIMES_HOLDOUT = Path(__file__).parent / "data" / "lifetimes_cdnow_holdout.json"
CALIBRATION_END = date(1997, 9, 30)
OBSERVATION_END = date(1998, 6, 30)
HOLDOUT_DAYS = 273  # 39 weeks
# Fader, Hardie & Lee (2005): BG/NBD on CDNOW; Gamma-Gamma on the same customers' repeat spend.
PUBLISHED = {
    ("bg_nbd", "r"): 0.243,
    ("bg_nbd", "alpha"): 4.414,
    ("bg_nbd", "a"): 0.793,
    ("bg_nbd", "b"): 2.426,
    ("gamma_gamma", "p"): 6.25,
    ("gamma_gamma", "q"): 3.74,
    ("gamma_gamma", "gamma"): 15.44,
}
HEADER = ORDERS.column_names


def read_cdnow() -> list[tuple[str, date, int, Decimal]]:
    rows = []
    for line in DATA.read_text().splitlines():
        if not line.strip():
            continue
        _, customer, day, quantity, amount = line.split()
        rows.append(
            (f"CD{customer}", datetime.strptime(day, "%Y%m%d").date(), int(quantity), Decimal(amount))
        )
    return rows


def write_orders_extract(landing: Path, rows: list[tuple[str, date, int, Decimal]]) -> None:
    # One order line per CDNOW row; the amount is kept exact as one unit at the row's amount (the
    # models use money, not the number of CDs).
    folder = landing / "orders" / f"dt={OBSERVATION_END.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "orders_history.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, (customer, day, _quantity, amount) in enumerate(rows):
            stamp = f"{day.isoformat()}T12:00:00Z"
            line = [f"CDN{i:05d}", stamp, stamp, customer, "completed", "web", "USD", 1, "CD", "music", 1]
            writer.writerow([*line, amount, 0, ""])


@pytest.fixture(scope="module")
def cdnow(warehouse_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    landing = tmp_path_factory.mktemp("cdnow") / "landing"
    rows = read_cdnow()
    write_orders_extract(landing, rows)
    settings = warehouse_settings.with_overrides(
        landing_dir=landing, start_date=OBSERVATION_END, clv_holdout_days=HOLDOUT_DAYS
    )
    for path in (settings.duckdb_path, settings.serving_path):
        path.unlink(missing_ok=True)
    outcome = run_refresh(settings, end=OBSERVATION_END, echo=lambda _: None)
    yield settings, rows, outcome
    shutil.rmtree(landing, ignore_errors=True)


def query(settings: Settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_refresh_succeeds(cdnow):
    _, _, outcome = cdnow
    assert outcome.success, outcome.report()


def test_published_estimates_come_from_the_calibration_fit(cdnow):
    settings, _, outcome = cdnow
    fitted = {
        (fit, m, p): (v, customers, end, status)
        for fit, m, p, v, customers, end, status in query(
            settings,
            """select fit, model, parameter, value, customers, observation_end, fit_status
               from marts.clv_model_parameters""",
        )
    }
    assert set(fitted) == {(fit, m, p) for fit in ("full", "calibration") for m, p in PUBLISHED}
    for key, published in PUBLISHED.items():
        value, _, observation_end, status = fitted[("calibration", *key)]
        assert abs(value - published) / published < 0.01, (key, value, published)
        assert (observation_end, status) == (CALIBRATION_END, "ok")
    assert fitted[("calibration", "bg_nbd", "r")][1] == 2357
    assert fitted[("calibration", "gamma_gamma", "p")][1] == 946
    # the full fit sees all 78 weeks: other estimates, its own observation end, and it predicts
    full = {key[1:]: row for key, row in fitted.items() if key[0] == "full"}
    assert {row[2:] for row in full.values()} == {(OBSERVATION_END, "ok")}
    assert abs(full[("bg_nbd", "a")][0] - PUBLISHED[("bg_nbd", "a")]) > 0.05
    assert "CLV: full fit ok" in outcome.report()


def test_holdout_check_matches_lifetimes_on_the_same_split(cdnow):
    settings, _, _ = cdnow
    reference = json.loads(LIFETIMES_HOLDOUT.read_text())
    metrics = dict(
        query(settings, "select metric, value from marts.clv_model_diagnostics where fit = 'calibration'")
    )
    assert metrics["holdout_days"] == reference["holdout_days"] == HOLDOUT_DAYS
    assert metrics["holdout_customers"] == reference["holdout_customers"]
    assert metrics["holdout_actual_repeat_transactions"] == reference["holdout_actual_repeat_transactions"]
    for metric in ("holdout_predicted_repeat_transactions", "holdout_mean_absolute_error"):
        assert metrics[metric] == pytest.approx(reference[metric], rel=1e-5), metric
    assert metrics["history_days"] == 272  # 1997-01-01 .. 1997-09-30


def test_predictions_are_published_from_the_full_fit(cdnow):
    settings, _, _ = cdnow
    statuses, predicted, customers, lowest_alive, highest_alive = query(
        settings,
        """select list(distinct clv_status), count(predicted_clv_12m), count(*),
                  min(probability_alive), max(probability_alive)
           from marts.dim_customers""",
    )[0]
    assert statuses == ["ok"] and predicted == customers == 2357
    assert 0 < lowest_alive < 0.5 < highest_alive <= 1
    (ceiling,) = query(
        settings,
        """select value from marts.clv_model_diagnostics
           where fit = 'full' and metric = 'one_occasion_max_predicted_clv_12m'""",
    )[0]
    (highest_one_order,) = query(
        settings, "select max(predicted_clv_12m) from marts.dim_customers where orders = 1"
    )[0]
    assert 0 < highest_one_order <= ceiling


def test_customer_counts_repeat_customers_and_historical_clv_are_exact(cdnow):
    settings, rows, _ = cdnow
    orders: dict[str, int] = defaultdict(int)
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for customer, _, _, amount in rows:
        orders[customer] += 1
        spend[customer] += amount
    customers, repeaters, total = query(
        settings,
        """select count(*), count(*) filter (where is_repeat_customer), sum(historical_clv)
           from marts.dim_customers""",
    )[0]
    assert customers == len(orders) == 2357
    assert repeaters == sum(1 for n in orders.values() if n >= 2)
    assert total == sum(spend.values())
    mismatched = [
        c
        for c, clv in query(settings, "select customer_id, historical_clv from marts.dim_customers")
        if clv != spend[c]
    ]
    assert mismatched == []
