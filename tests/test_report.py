"""The HTML KPI report renders in a real headless browser, offline, without console errors.

Needs Chromium (Debian's `chromium`, which `make test` installs; see tests/browser.py). The screenshot
goes to test-artifacts/ unless WAREHOUSE_TEST_ARTIFACTS names another folder.
"""

from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS, artifacts_dir, chromium_path
from conftest import Built

from orchestration.core.settings import PROJECT_ROOT


def test_report_renders_offline_without_console_errors(built: Built):
    sync_api = pytest.importorskip("playwright.sync_api")
    report = built.settings.kpi_report_path
    assert report.exists(), "the refresh should have written the KPI report"
    artifacts = artifacts_dir(PROJECT_ROOT / "test-artifacts")
    problems: list[str] = []
    outside_requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            def refuse_network(route):
                if not route.request.url.startswith("file:"):
                    outside_requests.append(route.request.url)
                    return route.abort()
                return route.continue_()

            page.route("**/*", refuse_network)
            page.goto(report.as_uri())
            page.wait_for_load_state("load")

            assert page.title() == "Customer engagement KPI report"
            # 4 trends, 4 segment comparisons, the funnel and the cohort table; every chart drew an
            # SVG unless its data is empty, which it says in place of the chart
            figures = page.locator("figure.chart")
            assert figures.count() == 10
            empty = page.locator("figure.chart p.empty").count()
            assert page.locator("figure.chart svg").count() + empty + 1 == 10
            assert empty <= 2
            assert page.locator("svg circle").count() > 0
            assert page.locator("svg rect").count() > 0
            assert page.get_attribute("body", "data-rendered") == str(page.locator("svg").count())
            # the scorecard has every KPI of the catalogue and sorts when a header is clicked
            rows = page.locator("table.scorecard tbody tr")
            catalogue = PROJECT_ROOT / "seeds" / "kpi_catalogue.csv"
            assert rows.count() == len(catalogue.read_text(encoding="utf-8").splitlines()) - 1
            first_before = rows.nth(0).locator("td").nth(0).inner_text()
            page.locator("table.scorecard th").nth(0).click()
            page.locator("table.scorecard th").nth(0).click()
            assert rows.nth(0).locator("td").nth(0).inner_text() != first_before
            assert page.locator("table.heatmap").count() == 1
            page.screenshot(path=str(artifacts / "kpi_report.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert outside_requests == []
    assert (artifacts / "kpi_report.png").stat().st_size > 10_000


def test_report_is_self_contained(built: Built):
    text = Path(built.settings.kpi_report_path).read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text and "http://" not in text
    assert "https://" not in text


def test_report_counts_bot_sessions(built: Built):
    """Bots are counted in the report (and left out of its KPIs): the note's numbers are the mart's."""
    import duckdb

    con = duckdb.connect(str(built.settings.serving_path), read_only=True)
    try:
        bots, sessions = con.execute(
            "select count(*) filter (where is_bot), count(*) from marts.fct_sessions"
        ).fetchone()
    finally:
        con.close()
    text = Path(built.settings.kpi_report_path).read_text(encoding="utf-8")
    assert f"Bot sessions: {bots:,} ({bots / sessions * 100:.1f}% of {sessions:,} sessions)" in text


def test_bot_note_counts_and_shares():
    from orchestration.serve.report import bot_note

    assert bot_note(37, 1_850) == (
        "Bot sessions: 37 (2.0% of 1,850 sessions), flagged as automated and left out of every KPI"
    )
    assert bot_note(0, 0) == "Bot sessions: 0, flagged as automated and left out of every KPI"


def test_funnel_reads_the_last_28_session_days_of_fct_funnel_daily(tmp_path: Path):
    """Hand-built mart: the newest session day is 2026-10-31, so the window holds 2026-10-04 to
    2026-10-31. 10-03 (one day early) is out; 10-04 (3, 2, 1, 1) and 10-31 (1, 0, 0, 0) add up
    per step -> product view 4, add to cart 2, begin checkout 1, purchase 1, in step order. A
    serving file without the mart (an older build) gives no bars."""
    import duckdb

    from orchestration.serve.report import FUNNEL_DAYS, _funnel

    assert FUNNEL_DAYS == 28
    con = duckdb.connect(str(tmp_path / "serving.duckdb"))
    con.execute("create schema marts")
    assert _funnel(con) == []
    con.execute(
        """create table marts.fct_funnel_daily as select * from (values
               (date '2026-10-31', 4, 'purchase', 0),
               (date '2026-10-03', 1, 'product_view', 5),
               (date '2026-10-04', 1, 'product_view', 3),
               (date '2026-10-04', 2, 'add_to_cart', 2),
               (date '2026-10-04', 3, 'begin_checkout', 1),
               (date '2026-10-04', 4, 'purchase', 1),
               (date '2026-10-31', 1, 'product_view', 1),
               (date '2026-10-31', 2, 'add_to_cart', 0),
               (date '2026-10-31', 3, 'begin_checkout', 0)
           ) as t("date", step_number, step_name, sessions)"""
    )
    assert _funnel(con) == [
        ("product view", 4),
        ("add to cart", 2),
        ("begin checkout", 1),
        ("purchase", 1),
    ]
    con.close()
