"""Real transactions with published model estimates, through the whole warehouse.

The CDNOW sample (tests/data/README.md) is written into the landing zone as the shop's order
extract: its purchases of the 39-week calibration period of Fader, Hardie & Lee (2005),
1997-01-01..1997-09-30, delivered as a history export that arrives on 1997-09-30 (the way a
warehouse is first filled). It is refreshed by the real Dagster job and dbt, and the published
CLV estimates are read back from marts.clv_model_parameters. Customer counts, repeat customers
and historical CLV must be exact.
"""

import csv
import shutil
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.refresh import run_refresh
from orchestration.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATA = Path(__file__).parent / "data" / "CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)
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
HEADER = [
    "order_id", "ordered_at", "updated_at", "customer_id", "status", "sales_channel", "currency",
    "line_number", "product_id", "product_category", "quantity", "unit_price", "line_discount",
    "coupon_code",
]  # fmt: skip


def read_cdnow() -> list[tuple[str, date, int, Decimal]]:
    rows = []
    for line in DATA.read_text().splitlines():
        if not line.strip():
            continue
        _, customer, day, quantity, amount = line.split()
        rows.append(
            (f"CD{customer}", datetime.strptime(day, "%Y%m%d").date(), int(quantity), Decimal(amount))
        )
    return [r for r in rows if r[1] <= CALIBRATION_END]


def write_orders_extract(landing: Path, rows: list[tuple[str, date, int, Decimal]]) -> None:
    # One order line per CDNOW row; the amount is kept exact as one unit at the row's amount (the
    # models use money, not the number of CDs).
    folder = landing / "orders" / f"dt={CALIBRATION_END.isoformat()}"
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
    settings = warehouse_settings.with_overrides(landing_dir=landing, start_date=CALIBRATION_END)
    for path in (settings.duckdb_path, settings.serving_path):
        path.unlink(missing_ok=True)
    outcome = run_refresh(settings, end=CALIBRATION_END, echo=lambda _: None)
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


def test_published_estimates_reproduce_within_one_percent(cdnow):
    settings, _, _ = cdnow
    fitted = {
        (m, p): (v, customers, end)
        for m, p, v, customers, end in query(
            settings,
            "select model, parameter, value, customers, observation_end from marts.clv_model_parameters",
        )
    }
    assert set(fitted) == set(PUBLISHED)
    for key, published in PUBLISHED.items():
        value, _, observation_end = fitted[key]
        assert abs(value - published) / published < 0.01, (key, value, published)
        assert observation_end == CALIBRATION_END
    assert fitted[("bg_nbd", "r")][1] == 2357
    assert fitted[("gamma_gamma", "p")][1] == 946


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
