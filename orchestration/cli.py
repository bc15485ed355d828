"""The `warehouse` command (contract §6): generate sample extracts, refresh, demo."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path

from orchestration.core.settings import PROJECT_ROOT, Settings

GENERATED_MARKER = ".generated-sample.json"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from exc


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive whole number")
    return value


def build_parser() -> argparse.ArgumentParser:
    from orchestration import sample

    parser = argparse.ArgumentParser(
        prog="warehouse",
        description="Customer-engagement warehouse: landing extracts -> DuckDB -> dbt marts -> serving file.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write realistic sample extracts into the landing zone")
    gen.add_argument(
        "--days", type=_positive, default=sample.DEFAULT_DAYS, help="arrival days (default %(default)s)"
    )
    gen.add_argument(
        "--customers",
        type=_positive,
        default=sample.DEFAULT_CUSTOMERS,
        help="customers (default %(default)s)",
    )
    gen.add_argument(
        "--seed", type=int, default=sample.DEFAULT_SEED, help="random seed (default %(default)s)"
    )
    gen.add_argument(
        "--start",
        type=_date,
        default=sample.DEFAULT_START,
        help="first day, YYYY-MM-DD (default %(default)s)",
    )
    gen.add_argument("--out", type=Path, default=None, help="landing root (default: WAREHOUSE_LANDING_DIR)")

    ref = commands.add_parser(
        "refresh", help="load landing partitions, build and test the dbt models, publish the serving file"
    )
    ref.add_argument(
        "--start", type=_date, default=None, help="first arrival day (default: earliest in the landing zone)"
    )
    ref.add_argument(
        "--end", type=_date, default=None, help="last arrival day (default: latest in the landing zone)"
    )
    ref.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from all history"
    )
    ref.add_argument(
        "--wait",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=(
            "how long to wait for a refresh already running on the same working database before "
            "giving up (0: refuse at once; default WAREHOUSE_REFRESH_LOCK_TIMEOUT, else 3600)"
        ),
    )

    commands.add_parser("demo", help="sample data, a full refresh and a short KPI summary")

    sem = commands.add_parser(
        "semantic", help="write the semantic layer's metrics from the KPI catalogue (seeds/kpi_catalogue.csv)"
    )
    sem.add_argument("--check", action="store_true", help="only check that the metrics file is up to date")
    return parser


def cmd_generate(settings: Settings, args: argparse.Namespace) -> int:
    from orchestration import sample

    out = args.out.resolve() if args.out else settings.landing_dir
    summary = sample.generate(
        out, days=args.days, customers=args.customers, seed=args.seed, start=args.start, progress=print
    )
    (out / GENERATED_MARKER).write_text(json.dumps(sample_fingerprint(out, args), indent=2))
    print(summary)
    return 0


def sample_fingerprint(landing: Path, args: argparse.Namespace) -> dict[str, object]:
    """What a generated sample depends on (its settings and the generator's code) and what it
    is now (every file's path, size and modification time): equal fingerprints mean regenerating
    would write the same files again."""

    files = hashlib.sha256()
    for path in sorted(p for p in landing.rglob("*") if p.is_file() and p.name != GENERATED_MARKER):
        stat = path.stat()
        files.update(f"{path.relative_to(landing)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return {
        "days": args.days,
        "customers": args.customers,
        "seed": args.seed,
        "start": args.start.isoformat(),
        "generator": _generator_digest(),
        "files": files.hexdigest(),
    }


def _generator_digest() -> str:
    """The sample package's code and the contract it writes by: a change to either regenerates."""
    from orchestration import sample
    from orchestration.ingest import contract

    digest = hashlib.sha256()
    for path in [*sorted(Path(sample.__file__).parent.glob("*.py")), Path(contract.__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cmd_refresh(
    settings: Settings,
    start: date | None,
    end: date | None,
    full_refresh: bool,
    wait: float | None = None,
) -> int:
    from orchestration.refresh import RefreshError, run_refresh

    try:
        outcome = run_refresh(settings, start, end, full_refresh=full_refresh, lock_timeout=wait)
    except RefreshError as exc:
        print(f"warehouse refresh: {exc}", file=sys.stderr)
        return 2
    print(outcome.report())
    return 0 if outcome.success else 1


def cmd_demo(settings: Settings) -> int:
    """Holds the refresh lock from generating the sample to the summary: a refresh started
    meanwhile would otherwise load a half-written landing zone, or change what the summary shows."""
    from orchestration.core.locking import LockTimeout, refresh_lock

    try:
        lock = refresh_lock(settings.duckdb_path)
        lock.acquire()
    except (LockTimeout, ValueError) as exc:
        print(f"warehouse demo: {exc}", file=sys.stderr)
        return 2
    try:
        return _demo(settings)
    finally:
        lock.release()


def _demo(settings: Settings) -> int:
    from orchestration import sample
    from orchestration.serve.summary import demo_summary

    landing = settings.landing_dir
    has_foreign_data = (
        landing.is_dir() and any(landing.iterdir()) and not (landing / GENERATED_MARKER).exists()
    )
    if has_foreign_data:
        print(
            f"warehouse demo: {landing} holds extracts that the demo did not generate; "
            "set WAREHOUSE_LANDING_DIR to an empty folder for the demo",
            file=sys.stderr,
        )
        return 2
    args = argparse.Namespace(
        days=sample.DEFAULT_DAYS,
        customers=sample.DEFAULT_CUSTOMERS,
        seed=sample.DEFAULT_SEED,
        start=sample.DEFAULT_START,
        out=None,
    )
    marker = landing / GENERATED_MARKER
    # The generator is deterministic: a sample it wrote earlier with the same settings and code,
    # untouched since, is what it would write again, so later demos skip writing it.
    if marker.exists() and json.loads(marker.read_text()) == sample_fingerprint(landing, args):
        print(f"reusing the sample extracts in {landing} (generated earlier with the same settings)")
    else:
        print(f"generating the sample extracts into {landing} ...")
        cmd_generate(settings, args)
    status = cmd_refresh(settings, None, None, full_refresh=True)
    if status != 0:
        return status
    print()
    print(demo_summary(settings))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(root=PROJECT_ROOT)
    except ValueError as exc:
        print(f"warehouse: {exc}", file=sys.stderr)
        return 2
    if args.command == "generate":
        return cmd_generate(settings, args)
    if args.command == "refresh":
        return cmd_refresh(settings, args.start, args.end, args.full_refresh, args.wait)
    if args.command == "semantic":
        from orchestration.transform import semantic_layer

        return semantic_layer.write(check=args.check)
    return cmd_demo(settings)


if __name__ == "__main__":
    sys.exit(main())
