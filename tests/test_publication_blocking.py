"""A refresh whose blocking test fails publishes nothing, keeps the last good serving file and
names the failing test; the next good refresh publishes again (contract §5)."""

import csv

import duckdb
import pytest
from conftest import LAST_DAY, Built

from orchestration.cli import main
from orchestration.ingest.contract import ORDERS
from orchestration.refresh import run_refresh

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HEADER = ORDERS.column_names


def published_at(path) -> object:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select max(published_at) from main._publication").fetchone()[0]
    finally:
        con.close()


def test_failing_test_blocks_publication_and_is_named(built: Built, capsys: pytest.CaptureFixture[str]):
    settings = built.settings
    before = published_at(settings.serving_path)
    # CHF is a valid ISO currency, so the row loads, but the FX seed has no CHF rate: the order's
    # revenue cannot be converted, which the error-level not_null test on fx_factor catches.
    extra = settings.landing_dir / "orders" / f"dt={LAST_DAY.isoformat()}" / "zz-swiss-order.csv"
    with open(extra, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        stamp = f"{LAST_DAY.isoformat()}T10:00:00Z"
        writer.writerow(
            ["CH-1", stamp, stamp, "C00001", "completed", "web", "CHF", 1, "P0001", "x", 1, 10, 0, ""]
        )
    try:
        status = main(["refresh", "--start", LAST_DAY.isoformat(), "--end", LAST_DAY.isoformat()])
        out = capsys.readouterr().out
        assert status == 1
        assert "FAILED: nothing was published" in out
        assert "int_orders_converted:not_null_int_orders_converted_fx_factor" in out
        assert published_at(settings.serving_path) == before  # the last good file is untouched
    finally:
        extra.unlink()
    outcome = run_refresh(settings, LAST_DAY, LAST_DAY, echo=lambda _: None)
    assert outcome.success, outcome.report()
    assert published_at(settings.serving_path) > before
