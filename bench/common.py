"""What the benchmark scripts share: a timer that prints as it goes, and a quiet dbt call."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, fn: Callable[[], object], width: int = 40) -> float:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<{width}} {elapsed:8.1f} s", flush=True)
    return elapsed


def dbt(args: list[str], env: dict[str, str]) -> None:
    """Run dbt from this environment's bin/ in the project root; on failure show its tail and stop."""
    cmd = [str(Path(sys.executable).parent / "dbt"), *args, "--quiet"]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:])
        raise SystemExit(f"dbt {' '.join(args)} failed")


def cached_sample(landing: Path, label: str, *, customers: int, days: int, start: date) -> dict[str, int]:
    """Generate the sample once (seed 1) and reuse it: rows per source, from a marker file."""
    from orchestration.sample import generate

    marker = landing / ".bench.json"
    if not marker.exists():
        print(f"[{label}] generating {customers:,} customers x {days} days ...", flush=True)
        summary = generate(landing, days=days, customers=customers, seed=1, start=start)
        marker.write_text(json.dumps(summary.rows))
    return json.loads(marker.read_text())
