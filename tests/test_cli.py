"""The demo reuses a sample it generated earlier only while regenerating would write the same files."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

from orchestration.cli import GENERATED_MARKER, cmd_generate, sample_fingerprint
from orchestration.core.settings import Settings


def small(out: Path, **changes: object) -> argparse.Namespace:
    values = {"days": 1, "customers": 10, "seed": 3, "start": date(2026, 10, 1), "out": out}
    return argparse.Namespace(**{**values, **changes})


def test_fingerprint_matches_until_a_setting_or_a_file_changes(tmp_path: Path):
    landing = tmp_path / "landing"
    settings = Settings.from_env({"WAREHOUSE_LANDING_DIR": str(landing)}, root=tmp_path)
    assert cmd_generate(settings, small(landing)) == 0
    marker = json.loads((landing / GENERATED_MARKER).read_text())
    assert marker == sample_fingerprint(landing, small(landing))  # what `warehouse demo` checks

    assert marker != sample_fingerprint(landing, small(landing, seed=4))
    assert marker != sample_fingerprint(landing, small(landing, days=2))

    extract = next(p for p in sorted(landing.rglob("*.csv")))
    os.utime(extract, ns=(extract.stat().st_atime_ns, extract.stat().st_mtime_ns + 1_000_000))
    assert marker != sample_fingerprint(landing, small(landing))  # an edited extract

    assert cmd_generate(settings, small(landing)) == 0
    (landing / "events" / "extra.jsonl").write_text("{}\n")
    assert json.loads((landing / GENERATED_MARKER).read_text()) != sample_fingerprint(landing, small(landing))
