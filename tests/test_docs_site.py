"""`make docs` builds a dbt docs site that works in a real browser, offline: it loads, its lineage
graph opens, and a mart's page lists its columns with their types and descriptions.

The catalog is read from the `built` sample's warehouse (no test holds a connection to it while
dbt runs). Screenshots go to WAREHOUSE_TEST_ARTIFACTS, else a pytest tmp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS, artifacts_dir, chromium_path
from conftest import Built

from orchestration.core.settings import PROJECT_ROOT

MART = "model.engagement_warehouse.fct_sessions"
LINEAGE_OF = "model.engagement_warehouse.kpi_metrics"


def flat(text: str) -> str:
    """Text as the page shows it: descriptions are markdown, so `code` loses its backticks."""
    return " ".join(text.replace("`", "").split())


@pytest.fixture(scope="module")
def docs_site(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The target folder of `make docs`, run against the built sample. dbt writes to a folder of
    its own (DBT_TARGET_PATH), so target/'s saved parse, which every refresh starts from, is not
    rewritten; it starts from a copy of that parse, made for the same profile, instead of parsing
    the whole project again."""
    target = tmp_path_factory.mktemp("docs_target")
    saved_parse = PROJECT_ROOT / "target" / "partial_parse.msgpack"
    if saved_parse.exists():
        shutil.copy2(saved_parse, target / saved_parse.name)
    env = {**os.environ, "DBT_TARGET_PATH": str(target)}
    assert env["WAREHOUSE_DUCKDB_PATH"] == str(built.settings.duckdb_path)
    docs = subprocess.run(
        ["make", "--no-print-directory", "docs"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert docs.returncode == 0, f"make docs failed:\n{docs.stdout[-3000:]}\n{docs.stderr[-3000:]}"
    return target


def test_make_docs_writes_a_catalog_of_the_built_warehouse(docs_site: Path):
    catalog = json.loads((docs_site / "catalog.json").read_text(encoding="utf-8"))
    columns = catalog["nodes"][MART]["columns"]
    # types come from the database, so these prove the catalog read the built warehouse
    assert columns["session_id"]["type"] == "VARCHAR"
    assert columns["session_date"]["type"] == "DATE"
    assert catalog["nodes"][MART]["metadata"]["type"] == "BASE TABLE"
    assert (docs_site / "static_index.html").stat().st_size > (docs_site / "index.html").stat().st_size


def test_docs_site_opens_offline_with_lineage_and_documented_columns(
    docs_site: Path, tmp_path_factory: pytest.TempPathFactory
):
    sync_api = pytest.importorskip("playwright.sync_api")
    artifacts = artifacts_dir(tmp_path_factory.mktemp("docs_site_screenshots"))
    manifest = json.loads((docs_site / "manifest.json").read_text(encoding="utf-8"))
    documented = manifest["nodes"][MART]["columns"]
    parents = set(manifest["parent_map"][LINEAGE_OF])
    # the graph leaves out generic tests (not_null, unique, ...); singular tests are drawn
    children = {
        child
        for child in manifest["child_map"][LINEAGE_OF]
        if not manifest["nodes"].get(child, {}).get("test_metadata")
    }
    site = (docs_site / "static_index.html").as_uri()
    page_errors: list[str] = []
    outside_requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # dbt-docs' own templates log harmless console errors (icons requested before Angular
            # fills in their names); uncaught exceptions are what would break the site
            page.on("pageerror", lambda e: page_errors.append(str(e)))

            def refuse_network(route):
                if not route.request.url.startswith(("file:", "data:")):
                    outside_requests.append(route.request.url)
                    return route.abort()
                return route.continue_()

            page.route("**/*", refuse_network)

            page.goto(site)
            assert page.title() == "dbt Docs"
            page.get_by_text("Welcome to the auto-generated documentation").wait_for()
            # the sidebar's trees come from the embedded manifest
            for section in ("Sources", "Exposures", "Semantic Models"):
                page.get_by_text(section, exact=True).filter(visible=True).first.wait_for()
            page.screenshot(path=str(artifacts / "docs_01_home.png"))

            # a mart's page: every documented column, with its description and its catalog type
            page.goto(f"{site}#!/model/{MART}")
            page.get_by_role("heading", name="fct_sessions").wait_for()
            page.get_by_text("Columns", exact=True).first.wait_for()
            text = flat(page.locator("body").inner_text())
            assert len(documented) >= 24
            missing = [
                name
                for name, column in documented.items()
                if name not in text or not column["description"] or flat(column["description"]) not in text
            ]
            assert missing == [], f"columns without their description on the page: {missing}"
            session_date_row = page.locator("tr", has_text="Business date of started_at").first
            assert "DATE" in session_date_row.inner_text()
            page.screenshot(path=str(artifacts / "docs_02_fct_sessions.png"), full_page=True)

            # the lineage graph of kpi_metrics: its parents and children, drawn by cytoscape
            page.goto(f"{site}#!/model/{LINEAGE_OF}")
            page.get_by_role("heading", name="kpi_metrics").wait_for()
            page.get_by_title("View Lineage Graph").click()
            page.get_by_text("Lineage Graph", exact=True).wait_for()
            graph = page.locator("#cy canvas").first
            graph.wait_for()
            box = graph.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
            page.get_by_title("View Fullscreen").first.click()
            page.wait_for_function(
                "() => document.querySelector('#cy')?._cyreg?.cy?.nodes().length > 0", timeout=20_000
            )
            # cytoscape draws on a canvas; its node list is the only place the names are
            labels = set(
                page.evaluate("() => document.querySelector('#cy')._cyreg.cy.nodes().map(n => n.id())")
            )
            page.screenshot(path=str(artifacts / "docs_03_lineage.png"))
        finally:
            browser.close()
    assert page_errors == []
    assert outside_requests == []
    assert LINEAGE_OF in labels
    assert parents <= labels and children <= labels, (parents | children) - labels
    assert any(node.startswith("model.") and "kpi_scorecard" in node for node in labels)
