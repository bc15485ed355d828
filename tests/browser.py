"""Headless Chromium for the browser tests: Debian's package, driven by playwright.

Playwright's own browser builds come from a download host some machines cannot reach, so the
tests launch the system Chromium instead (`make browser` installs it). WAREHOUSE_SKIP_BROWSER_TESTS=1
skips the browser tests on a machine without it; otherwise a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("WAREHOUSE_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("no Chromium and WAREHOUSE_SKIP_BROWSER_TESTS=1")
    pytest.fail("Chromium is not installed (apt-get install chromium); `make test` installs it")


def artifacts_dir(default: Path) -> Path:
    """Where a test saves its screenshots: WAREHOUSE_TEST_ARTIFACTS (so CI can keep them), else
    `default`. Printed, so a failing test's output says where to look."""
    configured = os.environ.get("WAREHOUSE_TEST_ARTIFACTS")
    folder = Path(configured) if configured else default
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder
