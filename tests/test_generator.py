"""The sample-data generator writes the landing zone of contract §2, deterministically.

The tests read the files back with the csv and json modules and judge every record by the
contract: its columns and allowed values come from `orchestration.ingest.contract`, which the
loaders use too, and the rejection rules are spelled out here again, not taken from the generator,
so a generator that drifted from what the loaders accept would fail.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from orchestration.ingest.contract import CONTRACT, CSV_SOURCES, ISO_4217, SOURCES, SURVEY_SCALES
from orchestration.sample import (
    DEFAULT_CUSTOMERS,
    DEFAULT_DAYS,
    DEFAULT_SEED,
    DEFAULT_START,
    GenerateSummary,
    generate,
)

EVENT_FIELDS = set(CONTRACT["events"].column_names)
KNOWN_EVENT_TYPES = {
    "page_view", "add_to_cart", "begin_checkout", "purchase", "search", "social_share", "ad_impression",
    "ad_click", "email_open", "email_click", "chatbot_message", "experiment_exposure", "signup", "login",
}  # fmt: skip
CSV_HEADERS = {source: list(CONTRACT[source].column_names) for source in CSV_SOURCES}
FILE_PATTERN = re.compile(
    r"(?P<source>events|orders|surveys|customers|marketing)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/"
    r"[^/]+?(?P<ext>\.jsonl|\.jsonl\.gz|\.csv|\.csv\.gz)"
)


# --- reading the landing zone back ----------------------------------------------------------------


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _text(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return data.decode("utf-8-sig")  # Excel-style exports start with a byte-order mark


def _partition(path: Path) -> date:
    return date.fromisoformat(path.parent.name.removeprefix("dt="))


def _event_lines(root: Path) -> list[tuple[date, str]]:
    lines = []
    for path in sorted((root / "events").rglob("*.jsonl*")):
        text = _text(path)
        assert text.endswith("\n"), f"{path} does not end with a newline"
        lines.extend((_partition(path), line) for line in text[:-1].split("\n"))
    return lines


def _csv_records(root: Path, source: str) -> list[tuple[date, list[str]]]:
    records = []
    for path in sorted((root / source).rglob("*.csv*")):
        rows = list(csv.reader(io.StringIO(_text(path), newline="")))
        assert rows[0] == CSV_HEADERS[source], f"{path} header"
        records.extend((_partition(path), row) for row in rows[1:])
    return records


def _timestamp(value: object) -> datetime | None:
    """The instant, or None where the contract calls the value unparsable (no offset included)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _integer(value: str) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number == int(number) else None


def _event_problem(line: str) -> str | None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return "invalid JSON"
    if not isinstance(event, dict):
        return "not an object"
    for name in ("event_id", "event_type", "anonymous_id"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            return f"missing {name}"
    if event.get("occurred_at") in (None, ""):
        return "missing occurred_at"
    if _timestamp(event["occurred_at"]) is None:
        return "unparsable occurred_at"
    return None


def _csv_problem(source: str, row: list[str]) -> str | None:
    if len(row) != len(CSV_HEADERS[source]):
        return "short row"
    r = dict(zip(CSV_HEADERS[source], row, strict=True))
    if source == "orders":
        if not r["order_id"] or _timestamp(r["ordered_at"]) is None or _timestamp(r["updated_at"]) is None:
            return "missing or unparsable key fields"
        if r["status"] not in ("pending", "completed", "cancelled", "refunded"):
            return "unknown status"
        if r["currency"] not in ISO_4217:
            return "unknown currency"
        quantity, line_number = _integer(r["quantity"]), _integer(r["line_number"])
        if quantity is None or quantity < 0 or line_number is None or line_number < 1:
            return "bad quantity or line number"
        for name in ("unit_price", "line_discount"):
            value = _number(r[name]) if r[name] else 0.0
            if value is None or value < 0:
                return f"unparsable {name}"
    elif source == "surveys":
        if not r["response_id"]:
            return "missing response_id"
        if _timestamp(r["submitted_at"]) is None:
            return "unparsable submitted_at"
        score = _integer(r["score"])
        low, high = SURVEY_SCALES[r["survey_type"]]
        if score is None or not low <= score <= high:
            return "score outside its scale"
    elif source == "customers":
        if not r["customer_id"]:
            return "missing customer_id"
        if _timestamp(r["updated_at"]) is None:
            return "unparsable updated_at"
        if r["signed_up_at"] and _timestamp(r["signed_up_at"]) is None:
            return "unparsable signed_up_at"
        if r["marketing_opt_in"] not in ("true", "false"):
            return "bad marketing_opt_in"
    elif source == "marketing":
        for name in ("impressions", "clicks", "reach", "likes", "comments", "shares", "followers"):
            if r[name] and (_integer(r[name]) is None or _integer(r[name]) < 0):
                return f"bad {name}"
        spend = _number(r["spend"])
        if spend is None or spend < 0:
            return "unparsable spend"
        if r["currency"] not in ISO_4217:
            return "unknown currency"
    return None


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    """The default sample, as `warehouse generate` and the demo write it."""
    root = tmp_path_factory.mktemp("landing")
    messages: list[str] = []
    summary = generate(root, progress=messages.append)
    assert any(m.startswith("events: ") and "rows in 28 partitions" in m for m in messages)
    return root, summary


@pytest.fixture(scope="module")
def events(sample: tuple[Path, GenerateSummary]) -> list[dict]:
    """The valid events of the default sample, each with its arrival day as `_dt`."""
    out = []
    for dt, line in _event_lines(sample[0]):
        if _event_problem(line) is None:
            out.append(json.loads(line) | {"_dt": dt, "_line": line})
    return out


@pytest.fixture(scope="module")
def valid_csv(sample: tuple[Path, GenerateSummary]) -> dict[str, list[dict[str, str]]]:
    out = {}
    for source in CSV_HEADERS:
        out[source] = [
            dict(zip(CSV_HEADERS[source], row, strict=True)) | {"_dt": dt}
            for dt, row in _csv_records(sample[0], source)
            if _csv_problem(source, row) is None
        ]
    return out


# --- determinism and layout -----------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in _files(root)}


def test_same_arguments_give_the_same_bytes_and_a_new_seed_does_not(tmp_path: Path) -> None:
    args = dict(customers=150, days=6, start=date(2026, 3, 28), seed=7)
    first = generate(tmp_path / "a", **args)
    second = generate(tmp_path / "b", **args)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert (first.rows, first.defects, first.files) == (second.rows, second.defects, second.files)

    generate(tmp_path / "c", **(args | {"seed": 8}))
    other = _tree(tmp_path / "c")
    same = _tree(tmp_path / "a")
    assert sorted(other) == sorted(same)  # same layout ...
    assert all(other[name] != same[name] for name in same if name.startswith("events/"))  # ... new data


def test_rerun_replaces_the_partitions_it_owns_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / "events" / "dt=2031-01-01" / "old.jsonl"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"event_id": "x"}\n')
    unrelated = tmp_path / "events" / "README.txt"
    unrelated.write_text("kept")
    other_source = tmp_path / "clickstream" / "dt=2031-01-01" / "keep.jsonl"
    other_source.parent.mkdir(parents=True)
    other_source.write_text("{}\n")

    generate(tmp_path, customers=60, days=3)
    assert not stale.parent.exists()
    assert unrelated.read_text() == "kept" and other_source.exists()
    before = _tree(tmp_path)
    generate(tmp_path, customers=60, days=3)
    assert _tree(tmp_path) == before


def test_files_sit_in_daily_arrival_folders_of_the_window(sample: tuple[Path, GenerateSummary]) -> None:
    root, summary = sample
    window = {(DEFAULT_START + timedelta(days=i)).isoformat() for i in range(DEFAULT_DAYS)}
    folders: dict[str, set[str]] = defaultdict(set)
    extensions: dict[str, Counter] = defaultdict(Counter)
    files_per_event_day: Counter = Counter()
    files = _files(root)
    for path in files:
        match = FILE_PATTERN.fullmatch(path.relative_to(root).as_posix())
        assert match, f"unexpected file {path}"
        source, ext = match["source"], match["ext"]
        assert ext.startswith(".jsonl") == (source == "events"), path
        folders[source].add(match["dt"])
        extensions[source][ext] += 1
        if source == "events":
            files_per_event_day[match["dt"]] += 1
    # Late data and later order updates are clamped into the window, so every source has exactly
    # one folder per window day (an empty day still gets a header-only CSV).
    assert {source: folders[source] for source in SOURCES} == {source: window for source in SOURCES}
    assert summary.files == len(files)
    assert extensions["events"][".jsonl.gz"] > extensions["events"][".jsonl"] > 0
    assert max(files_per_event_day.values()) == 2
    csv_extensions = Counter()
    for source in CSV_HEADERS:
        csv_extensions.update(extensions[source])
    assert csv_extensions[".csv"] > 0 and csv_extensions[".csv.gz"] > 0
    starts = [
        (gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes())[:3] for p in files
    ]
    assert b"\xef\xbb\xbf" in starts, "no Excel-style file with a byte-order mark"
    # gzip headers carry no timestamp (bytes 4-7), which keeps the output reproducible.
    assert all(p.read_bytes()[4:8] == b"\0\0\0\0" for p in files if p.name.endswith(".gz"))


# --- the contract's shapes, and the defects counted independently ---------------------------------


def test_event_lines_follow_the_contract_and_defects_are_counted(
    sample: tuple[Path, GenerateSummary],
) -> None:
    root, summary = sample
    lines = _event_lines(root)
    problems = Counter(_event_problem(line) for _, line in lines)
    assert summary.rows["events"] == len(lines)
    assert summary.defects["events"] == sum(n for problem, n in problems.items() if problem)
    assert all(line.strip() for _, line in lines), "blank line"
    # Rare on purpose, yet every kind of defect is there for the loader to find.
    assert 0.0003 < summary.defects["events"] / len(lines) < 0.002
    for kind in (
        "invalid JSON", "not an object", "missing event_id", "missing anonymous_id", "missing occurred_at",
        "unparsable occurred_at",
    ):  # fmt: skip
        assert problems[kind] >= 2, kind
    raw = [line for _, line in lines]
    assert any('"occurred_at":"yesterday"' in line for line in raw)
    assert any('"anonymous_id":""' in line for line in raw)


def test_valid_events_have_the_contract_fields_and_types(
    sample: tuple[Path, GenerateSummary], events: list[dict]
) -> None:
    start = datetime.combine(DEFAULT_START, datetime.min.time(), UTC)
    end = start + timedelta(days=DEFAULT_DAYS)
    types = Counter()
    for event in events:
        fields = set(event) - {"_dt", "_line"}
        assert fields <= EVENT_FIELDS, fields - EVENT_FIELDS
        assert {"event_id", "event_type", "occurred_at", "anonymous_id", "platform", "device_type"} <= fields
        for name in fields - {"properties"}:
            assert event[name] is None or isinstance(event[name], str), (name, event[name])
        assert event.get("properties") is None or isinstance(event["properties"], dict)
        occurred = _timestamp(event["occurred_at"])
        assert start <= occurred < end
        assert occurred.astimezone(UTC).date() <= event["_dt"], "arrived before it happened"
        assert event["platform"] in ("web", "ios", "android")
        assert event["device_type"] in ("desktop", "mobile", "tablet")
        assert re.fullmatch(r"a-[0-9a-f]{12}", event["anonymous_id"])
        types[event["event_type"]] += 1
    assert KNOWN_EVENT_TYPES <= set(types)
    # An unknown type is valid input (kept and flagged downstream), and it is rare.
    unknown = set(types) - KNOWN_EVENT_TYPES
    assert unknown == {"video_play"}
    assert 0 < types["video_play"] < 0.005 * len(events)
    assert 100_000 <= sample[1].rows["events"] <= 200_000
    # Funnel steps get rarer.
    assert types["page_view"] > types["add_to_cart"] > types["begin_checkout"] > types["purchase"] > 100
    offsets = Counter(e["occurred_at"][-6:] if e["occurred_at"][-1] != "Z" else "Z" for e in events)
    assert offsets["+09:00"] > 0 and offsets["Z"] > 0 and offsets["+00:00"] > 0


def test_csv_records_follow_the_contract_and_defects_are_counted(
    sample: tuple[Path, GenerateSummary],
) -> None:
    root, summary = sample
    expected_kinds = {
        "orders": {"short row", "unknown currency", "unparsable unit_price", "bad quantity or line number"},
        "surveys": {"missing response_id", "unparsable submitted_at", "score outside its scale"},
        "customers": {"missing customer_id", "unparsable updated_at"},
        "marketing": {"bad impressions", "unparsable spend", "unknown currency"},
    }
    for source, kinds in expected_kinds.items():
        records = _csv_records(root, source)
        problems = Counter(_csv_problem(source, row) for _, row in records)
        assert summary.rows[source] == len(records), source
        assert summary.defects[source] == sum(n for p, n in problems.items() if p), (source, problems)
        assert {p for p in problems if p} == kinds, source
        assert all(n >= 2 for p, n in problems.items() if p), (source, problems)
        assert summary.defects[source] < 0.05 * len(records), source


# --- does the data behave like a shop? ------------------------------------------------------------


def test_every_purchase_event_has_its_order(events: list[dict], valid_csv: dict) -> None:
    order_ids = {r["order_id"] for r in valid_csv["orders"]}
    purchases = [e for e in events if e["event_type"] == "purchase"]
    assert purchases
    assert sum(e["order_id"] in order_ids for e in purchases) / len(purchases) == 1.0
    web_orders = {e["order_id"] for e in purchases}
    store = {r["order_id"] for r in valid_csv["orders"] if r["sales_channel"] == "store"}
    assert store and not store & web_orders
    # An order arrives on the day it was placed; the purchase event carries it.
    first_arrival = {}
    for r in valid_csv["orders"]:
        first_arrival.setdefault(r["order_id"], (r["_dt"], r["ordered_at"]))
    for event in purchases:
        dt, ordered_at = first_arrival[event["order_id"]]
        # The shop writes whole seconds, the app SDKs milliseconds.
        lag = _timestamp(event["occurred_at"]) - _timestamp(ordered_at)
        assert timedelta(0) <= lag < timedelta(seconds=1)
        assert dt == _timestamp(ordered_at).astimezone(UTC).date()


def test_purchase_frequency_is_heterogeneous(valid_csv: dict) -> None:
    orders = {(r["customer_id"], r["order_id"]) for r in valid_csv["orders"]}
    orders_per_customer = Counter(customer for customer, _ in orders)
    histogram = Counter(orders_per_customer.values())
    assert histogram[1] > histogram[2] > 0
    assert sum(n for k, n in histogram.items() if k >= 3) >= 20
    assert max(histogram) >= 6


def test_orders_have_currencies_lines_and_later_updates(valid_csv: dict) -> None:
    rows = valid_csv["orders"]
    prices = defaultdict(list)
    for r in rows:
        prices[r["currency"]].append(r["unit_price"])
    assert set(prices) == {"KRW", "USD"}
    assert len(prices["KRW"]) > len(prices["USD"]) > 0
    assert all(re.fullmatch(r"\d+", p) for p in prices["KRW"])
    assert all(re.fullmatch(r"\d+\.\d\d", p) for p in prices["USD"])
    lines = Counter(r["order_id"] for r in rows if r["status"] in ("completed", "pending"))
    assert max(lines.values()) >= 3
    assert any(r["coupon_code"] for r in rows)

    versions = defaultdict(list)
    for r in rows:
        # orders placed in the window (the earlier ones come settled, see the next test)
        if _timestamp(r["ordered_at"]).date() >= DEFAULT_START - timedelta(days=1):
            versions[r["order_id"]].append(r)
    updated = 0
    for order_rows in versions.values():
        first = min(order_rows, key=lambda r: _timestamp(r["updated_at"]))
        for later in order_rows:
            if later["status"] in ("cancelled", "refunded") and later["_dt"] > first["_dt"]:
                assert _timestamp(later["updated_at"]) > _timestamp(first["updated_at"])
                assert 1 <= (later["_dt"] - first["_dt"]).days <= 10
                updated += 1
                break
    assert 0.01 < updated / len(versions) < 0.15
    # An update repeats every line of its order.
    by_version = Counter((r["order_id"], r["status"]) for r in rows)
    for order_id, order_rows in versions.items():
        line_count = len({r["line_number"] for r in order_rows})
        assert all(by_version[(order_id, r["status"])] == line_count for r in order_rows)


def test_first_orders_extract_carries_a_year_of_earlier_orders(events: list[dict], valid_csv: dict) -> None:
    start = datetime(DEFAULT_START.year, DEFAULT_START.month, DEFAULT_START.day, tzinfo=UTC)
    rows = valid_csv["orders"]
    earlier = [r for r in rows if _timestamp(r["ordered_at"]) < start]
    # all in the first day's partition, placed in the year before the window, each order once in
    # its state at the export (a cancellation or refund after the placement); only an order changed
    # after the export comes again, as a later update
    exported = [r for r in earlier if r["_dt"] == DEFAULT_START]
    assert {r["order_id"] for r in exported} == {r["order_id"] for r in earlier}
    later = [r for r in earlier if r["_dt"] != DEFAULT_START]
    assert all(r["status"] in ("cancelled", "refunded") for r in later)
    assert len({r["order_id"] for r in later}) < 0.01 * len({r["order_id"] for r in earlier})
    placed = [_timestamp(r["ordered_at"]) for r in earlier]
    assert start - timedelta(days=365) <= min(placed) < start - timedelta(days=350)
    states = {(r["order_id"], r["status"], r["updated_at"]) for r in exported}
    assert len({order_id for order_id, _, _ in states}) == len(states)
    for r in exported:
        if r["status"] == "completed":
            assert r["updated_at"] == r["ordered_at"]
        else:
            assert r["status"] in ("cancelled", "refunded")
            assert _timestamp(r["ordered_at"]) < _timestamp(r["updated_at"]) < start + timedelta(days=1)
    # no events, and no surveys, before the window: only the order system has history
    assert min(_timestamp(e["occurred_at"]) for e in events) >= start
    surveyed = {r["order_id"] for r in valid_csv["surveys"] if r["order_id"]}
    assert not surveyed & {r["order_id"] for r in earlier}

    # a shop's year: most of the earlier buyers come back, some stopped buying long ago
    orders = {r["order_id"]: (r["customer_id"], _timestamp(r["ordered_at"])) for r in rows}
    history = defaultdict(list)
    for customer, at in orders.values():
        history[customer].append(at)
    buyers = {customer for customer, at in orders.values() if at < start}
    repeat = {c for c in buyers if sum(at < start for at in history[c]) >= 2}
    gone = {c for c in buyers if max(history[c]) < start - timedelta(days=120)}
    assert len(buyers) > 400
    assert 0.5 < len(repeat) / len(buyers) < 0.95
    assert 0.05 < len(gone) / len(buyers) < 0.5
    # the earlier buyers are the shop's known customers: the CRM export carries nearly all
    crm = {r["customer_id"] for r in valid_csv["customers"]}
    assert len(buyers & crm) / len(buyers) > 0.85
    # the window goes on numbering the orders after the earlier ones
    web_earlier = sorted(r["order_id"] for r in earlier if r["order_id"].startswith("O"))
    purchases = sorted(e["order_id"] for e in events if e["event_type"] == "purchase")
    assert web_earlier[0] == "O00000001" and web_earlier[-1] < purchases[0]


def test_visitors_browse_anonymously_before_logging_in(events: list[dict]) -> None:
    timeline = defaultdict(list)
    for event in events:
        timeline[event["anonymous_id"]].append((_timestamp(event["occurred_at"]), event))
    converted = 0
    customers_per_device = Counter()
    for items in timeline.values():
        items.sort(key=lambda x: (x[0], x[1]["event_id"]))
        seen_anonymous = False
        for _, event in items:
            if event["customer_id"] is None:
                seen_anonymous = True
            elif seen_anonymous:
                converted += 1
                break
        customers_per_device[len({e["customer_id"] for _, e in items if e["customer_id"]})] += 1
    assert converted >= 50
    assert customers_per_device[2] >= 1  # a shared device
    assert customers_per_device[0] > customers_per_device[1]  # most visitors never log in
    logins = [e for e in events if e["event_type"] in ("login", "signup")]
    assert logins and all(e["customer_id"] for e in logins)


def test_sessions_are_unambiguous_at_a_30_minute_timeout(events: list[dict]) -> None:
    unique = {e["event_id"]: e for e in events}
    timeline = defaultdict(list)
    for event in unique.values():
        timeline[event["anonymous_id"]].append((_timestamp(event["occurred_at"]), event["event_id"], event))
    gaps = []
    sessions = bounces = crossing_midnight = 0
    for items in timeline.values():
        items.sort(key=lambda x: x[:2])
        session = [items[0][2]]
        for (before, _, _), (after, _, event) in zip(items, items[1:], strict=False):
            gap = (after - before).total_seconds()
            gaps.append(gap)
            if gap > 30 * 60:
                sessions += 1
                bounces += [e["event_type"] for e in session] == ["page_view"]
                session = []
            else:
                crossing_midnight += before.astimezone(UTC).date() != after.astimezone(UTC).date()
            session.append(event)
        sessions += 1
        bounces += [e["event_type"] for e in session] == ["page_view"]
    # Inside a session events are seconds to minutes apart, between sessions hours or days, and
    # nothing in between, so the 30-minute timeout cuts sessions where the generator meant them.
    assert sum(g > 30 * 60 for g in gaps) > 1000
    assert not [g for g in gaps if 20 * 60 < g <= 50 * 60]
    assert sorted(gaps)[len(gaps) // 2] < 120
    assert 3 < len(unique) / sessions < 10
    assert 0.1 < bounces / sessions < 0.4
    assert crossing_midnight > 0


def test_a_few_crawlers_fetch_many_pages_seconds_apart_and_never_log_in_or_buy(events: list[dict]) -> None:
    """Bot traffic (contract §4): sessions of 8+ page views under 3 s apart on average (the
    warehouse's rule, dbt vars bot_min_page_views and bot_max_seconds_per_page_view) exist, are a
    small share of sessions and come from anonymous visitors who never log in, buy or share."""
    unique = {e["event_id"]: e for e in events if e["event_type"] not in ("email_open", "email_click")}
    timeline = defaultdict(list)
    for event in unique.values():
        timeline[event["anonymous_id"]].append((_timestamp(event["occurred_at"]), event["event_id"], event))
    sessions, bots = 0, []
    for items in timeline.values():
        items.sort(key=lambda x: x[:2])
        starts = [0] + [
            i for i in range(1, len(items)) if (items[i][0] - items[i - 1][0]).total_seconds() > 1800
        ]
        for lo, hi in zip(starts, starts[1:] + [len(items)], strict=True):
            sessions += 1
            views = [at for at, _, e in items[lo:hi] if e["event_type"] == "page_view"]
            if len(views) >= 8 and (views[-1] - views[0]).total_seconds() < 3 * (len(views) - 1):
                bots.append([e for _, _, e in items[lo:hi]])
    assert 0.005 < len(bots) / sessions < 0.05, (len(bots), sessions)
    bot_events = [e for session in bots for e in session]
    assert not [e for e in bot_events if e.get("customer_id")]
    assert {e["platform"] for e in bot_events} == {"web"}
    assert not {e["event_type"] for e in bot_events} & {
        "login",
        "signup",
        "purchase",
        "add_to_cart",
        "social_share",
    }


def test_duplicates_and_late_events_are_valid_deliveries(events: list[dict]) -> None:
    deliveries = defaultdict(list)
    for event in events:
        deliveries[event["event_id"]].append(event)
    repeated = [d for d in deliveries.values() if len(d) > 1]
    assert 0.002 < len(repeated) / len(deliveries) < 0.01
    assert all(len({e["_line"] for e in d}) == 1 for d in repeated), "a duplicate differs from its original"
    assert any(len({e["_dt"] for e in d}) == 1 for d in repeated)  # in the same folder
    assert any(len({e["_dt"] for e in d}) > 1 for d in repeated)  # in a later folder
    late = sum(_timestamp(e["occurred_at"]).astimezone(UTC).date() < e["_dt"] for e in events)
    assert 0.01 < late / len(events) < 0.05


def test_experiments_assign_sticky_variants(sample: tuple[Path, GenerateSummary], events: list[dict]) -> None:
    effects = sample[1].experiment_effects
    assert effects["exp_checkout_button"] == {"control": 1.0, "treatment": 1.25}
    assert set(effects["exp_free_shipping_banner"].values()) == {1.0}
    variants = defaultdict(set)
    for event in events:
        if event["event_type"] == "experiment_exposure":
            variants[(event["anonymous_id"], event["experiment_id"])].add(event["variant"])
    assert all(len(v) == 1 for v in variants.values())
    for experiment, arms in effects.items():
        seen = Counter(next(iter(v)) for (_, exp), v in variants.items() if exp == experiment)
        assert set(seen) == set(arms)
        assert min(seen.values()) > 0.7 * max(seen.values())  # a fair split


def test_campaign_traffic_follows_the_marketing_extract(events: list[dict], valid_csv: dict) -> None:
    clicks = Counter()
    for r in valid_csv["marketing"]:
        assert int(r["impressions"]) > int(r["clicks"]) and int(r["reach"]) <= int(r["impressions"])
        clicks[(r["platform"], r["campaign"])] += int(r["clicks"])
    landings = Counter(
        (e["utm_source"], e["utm_campaign"])
        for e in events
        if e["event_type"] == "page_view" and e.get("utm_source")
    )
    assert set(landings) <= set(clicks)
    for key, n in clicks.items():
        if n >= 200:
            assert 0.5 < n / landings[key] < 2.5, key
    currencies = {(r["platform"], r["currency"]) for r in valid_csv["marketing"]}
    assert ("naver", "KRW") in currencies and ("instagram", "USD") in currencies
    followers = defaultdict(list)
    for r in sorted(valid_csv["marketing"], key=lambda r: r["date"]):
        if r["followers"]:
            followers[r["platform"]].append(int(r["followers"]))
    assert followers["instagram"][-1] > followers["instagram"][0]
    campaign_days = defaultdict(set)
    for r in valid_csv["marketing"]:
        campaign_days[r["campaign"]].add(r["date"])
    assert len(campaign_days["autumn_sale"]) < DEFAULT_DAYS  # runs only part of the window
    assert "newsletter_w41" in campaign_days


def test_surveys_and_crm_rows_are_realistic(events: list[dict], valid_csv: dict) -> None:
    surveys = valid_csv["surveys"]
    order_ids = {r["order_id"] for r in valid_csv["orders"]}
    assert {r["trigger"] for r in surveys} == {"post_purchase", "post_chat", "post_support", "periodic"}
    assert all(r["order_id"] in order_ids for r in surveys if r["trigger"] == "post_purchase")
    comments = [r["comment"] for r in surveys if r["comment"]]
    assert any("\n" in c for c in comments) and any('"' in c for c in comments)
    assert any("," in c for c in comments) and any(re.search("[가-힣]", c) for c in comments)
    assert sum(not r["comment"] for r in surveys) > len(surveys) / 2
    # Orders later cancelled or refunded leave unhappier customers.
    final_status = {}
    for r in sorted(valid_csv["orders"], key=lambda r: _timestamp(r["updated_at"])):
        final_status[r["order_id"]] = r["status"]
    csat = defaultdict(list)
    for r in surveys:
        if r["trigger"] == "post_purchase" and r["survey_type"] == "csat":
            csat[final_status[r["order_id"]] in ("cancelled", "refunded")].append(int(r["score"]))
    if csat[True]:
        assert sum(csat[True]) / len(csat[True]) < sum(csat[False]) / len(csat[False])

    crm = valid_csv["customers"]
    rows_per_customer = Counter(r["customer_id"] for r in crm)
    assert max(rows_per_customer.values()) >= 2  # a later change, as a newer row
    known = set(rows_per_customer)
    elsewhere = {r["customer_id"] for r in valid_csv["orders"]} | {e["customer_id"] for e in events}
    assert elsewhere - known - {None}, "every customer has a CRM row"
    assert {r["marketing_opt_in"] for r in crm} == {"true", "false"}
    assert any("eco_friendly" in r["interests"].split(";") for r in crm)
    # A new customer's CRM row arrives on the day of the sign-up event, at the same instant.
    signups = {e["customer_id"]: _timestamp(e["occurred_at"]) for e in events if e["event_type"] == "signup"}
    for r in crm:
        if r["customer_id"] in signups and _timestamp(r["updated_at"]) == signups[r["customer_id"]]:
            assert _timestamp(r["signed_up_at"]) == signups[r["customer_id"]]
    assert any(r["customer_id"] in signups for r in crm)


def test_summary_reads_well(sample: tuple[Path, GenerateSummary]) -> None:
    root, summary = sample
    assert (summary.out_dir, summary.start, summary.days) == (root, DEFAULT_START, DEFAULT_DAYS)
    assert (DEFAULT_CUSTOMERS, DEFAULT_SEED) == (1000, 42)
    text = str(summary)
    assert str(root) in text and "exp_checkout_button" in text
    assert all(source in text for source in SOURCES)
    assert len(text.splitlines()) >= 6
