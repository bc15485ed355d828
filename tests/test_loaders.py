"""Landing-zone loader tests, written from CONTRACT.md §2 ("Landing zone", "Bad input").

Every extract below is written by hand into `tmp_path` and every expectation is computed by hand
from the contract: a row that cannot be parsed or breaks a rule is never dropped and never stops
the load, it goes to `raw.<source>_rejects` with file, line number, raw text and reason; for every
partition rows read = rows loaded + rows rejected; re-loading replaces the partition; a load that
fails midway leaves the previous state.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.contract import CONTRACT, SOURCES
from orchestration.ingest.loaders import (
    LoadError,
    LoadResult,
    landing_partitions,
    load_partition,
)

DAY = date(2026, 10, 1)
DAY2 = date(2026, 10, 2)
MISSING = object()  # sentinel: drop the key from a JSON event

GOOD_EVENT = {
    "event_id": "e1",
    "event_type": "page_view",
    "occurred_at": "2026-10-01T09:00:00Z",
    "anonymous_id": "anon-1",
    "customer_id": None,
    "platform": "web",
    "page_path": "/products/p1",
    "device_type": "desktop",
    "region": "Seoul",
    "properties": {"k": "v"},
}

GOOD_CSV = {
    "orders": {
        "order_id": "O1", "ordered_at": "2026-10-01T08:00:00Z", "updated_at": "2026-10-01T08:05:00Z",
        "customer_id": "C1", "status": "completed", "sales_channel": "web", "currency": "USD",
        "line_number": "1", "product_id": "P1", "product_category": "shoes", "quantity": "2",
        "unit_price": "12.99", "line_discount": "0", "coupon_code": "",
    },
    "surveys": {
        "response_id": "R1", "survey_type": "nps", "customer_id": "C1",
        "submitted_at": "2026-10-01T10:00:00Z", "score": "9", "trigger": "post_purchase",
        "order_id": "O1", "channel": "email", "comment": "fine",
    },
    "customers": {
        "customer_id": "C1", "email": "c1@example.com", "signed_up_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-10-01T00:00:00Z", "birth_year": "1990", "gender": "female",
        "education": "bachelor", "region": "Seoul", "interests": "eco_friendly;fitness",
        "marketing_opt_in": "true",
    },
    "marketing": {
        "date": "2026-10-01", "platform": "instagram", "campaign": "fall_sale", "impressions": "1000",
        "clicks": "50", "spend": "123.45", "currency": "USD", "reach": "800", "likes": "10",
        "comments": "2", "shares": "1", "followers": "5000",
    },
}  # fmt: skip


# --- extract builders -----------------------------------------------------------------------------


def event(**overrides: object) -> str:
    """One JSON Lines record: a valid event with `overrides` applied (MISSING drops the key)."""
    record = dict(GOOD_EVENT)
    for key, value in overrides.items():
        if value is MISSING:
            record.pop(key, None)
        else:
            record[key] = value
    return json.dumps(record, ensure_ascii=False)


def csv_row(source: str, **overrides: str) -> str:
    """One CSV record (no line terminator): a valid row of `source` with `overrides` applied."""
    values = {**GOOD_CSV[source], **overrides}
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([values[c] for c in CONTRACT[source].column_names])
    return buffer.getvalue()[:-1]


def csv_text(source: str, *rows: str) -> str:
    return "\n".join([",".join(CONTRACT[source].column_names), *rows]) + "\n"


def lines(*records: str) -> str:
    return "\n".join(records) + "\n"


def rel(source: str, name: str, day: date = DAY) -> str:
    return f"{source}/dt={day.isoformat()}/{name}"


# --- the warehouse under test ---------------------------------------------------------------------


class Warehouse:
    def __init__(self, root: Path) -> None:
        self.landing = root / "landing"
        self.db = root / "warehouse.duckdb"
        self.landing.mkdir()

    def write(self, source: str, name: str, content: str | bytes, day: date = DAY) -> Path:
        """Write a landing file; a `.gz` name is gzip-compressed here."""
        folder = self.landing / source / f"dt={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if name.endswith(".gz"):
            data = gzip.compress(data)
        path = folder / name
        path.write_bytes(data)
        return path

    def load(self, source: str, day: date = DAY) -> LoadResult:
        result = load_partition(self.db, self.landing, source, day)
        self.assert_accounted(result)
        return result

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        con = duckdb.connect(str(self.db))
        try:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()

    def rows(self, source: str, day: date = DAY) -> list[dict]:
        return self.query(
            f"select * from raw.{source} where _partition_date = ? order by _source_file, _line_number",
            [day],
        )

    def rejects(self, source: str, day: date = DAY) -> list[dict]:
        return self.query(
            f"select * from raw.{source}_rejects where partition_date = ? order by source_file, line_number",
            [day],
        )

    def snapshot(self, source: str) -> tuple[list[tuple], list[tuple]]:
        """Whole-table contents of raw.<source> and its rejects, without the load timestamp."""
        raw = self.query(
            f"select * exclude (_loaded_at) from raw.{source} order by all",
        )
        rej = self.query(f"select * exclude (loaded_at) from raw.{source}_rejects order by all")
        return [tuple(r.values()) for r in raw], [tuple(r.values()) for r in rej]

    def assert_accounted(self, result: LoadResult) -> None:
        """rows read = rows loaded + rows rejected, in the result and in the tables."""
        assert result.rows_read == result.rows_loaded + result.rows_rejected, result
        loaded = self.query(
            f"select count(*) as n from raw.{result.source} where _partition_date = ?", [result.partition]
        )[0]["n"]
        rejected = self.query(
            f"select count(*) as n from raw.{result.source}_rejects where partition_date = ?",
            [result.partition],
        )[0]["n"]
        assert (loaded, rejected) == (result.rows_loaded, result.rows_rejected), result
        assert sum(result.reject_reasons.values()) >= result.rows_rejected, result
        if result.rows_rejected == 0:
            assert not any(result.reject_reasons.values()), result


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


def expect(result: LoadResult, *, read: int, loaded: int, rejected: int, files: int = 1) -> None:
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.files) == (
        read,
        loaded,
        rejected,
        files,
    ), result


def assert_reject(reject: dict, *, file: str, line: int, raw: str, mentions: tuple[str, ...]) -> None:
    """The reject points at the right file and physical line, keeps its text, and says why."""
    assert reject["source_file"] == file
    assert reject["line_number"] == line
    assert reject["raw_text"].rstrip("\r\n") == raw
    reason = (reject["reason"] or "").lower()
    assert any(word.lower() in reason for word in mentions), f"reason {reject['reason']!r} lacks {mentions}"


# --- events (JSON Lines) --------------------------------------------------------------------------


def test_truncated_json_line_is_rejected(wh: Warehouse) -> None:
    bad = '{"event_id": "e2", "event_type": "page_v'
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), bad, event(event_id="e3")))

    expect(wh.load("events"), read=3, loaded=2, rejected=1)
    assert [r["event_id"] for r in wh.rows("events")] == ["e1", "e3"]
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl"), line=2, raw=bad, mentions=("json", "pars"))


@pytest.mark.parametrize("not_an_object", ['["e2", "page_view"]', "42", '"e2"', "null"])
def test_json_line_that_is_not_an_object_is_rejected(wh: Warehouse, not_an_object: str) -> None:
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), event(event_id="e3"), not_an_object))

    expect(wh.load("events"), read=3, loaded=2, rejected=1)
    [reject] = wh.rejects("events")
    assert_reject(
        reject, file=rel("events", "a.jsonl"), line=3, raw=not_an_object, mentions=("object", "json")
    )


@pytest.mark.parametrize("how", ["absent", "null"])
@pytest.mark.parametrize("field", CONTRACT["events"].required)
def test_event_missing_required_field_is_rejected(wh: Warehouse, field: str, how: str) -> None:
    bad = event(**{"event_id": "e2", field: MISSING if how == "absent" else None})
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), bad))

    expect(wh.load("events"), read=2, loaded=1, rejected=1)
    assert [r["event_id"] for r in wh.rows("events")] == ["e1"]
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl"), line=2, raw=bad, mentions=(field,))


@pytest.mark.parametrize("field", CONTRACT["events"].required)
def test_event_empty_string_required_field_is_rejected(wh: Warehouse, field: str) -> None:
    bad = event(**{"event_id": "e2", field: ""})
    wh.write("events", "a.jsonl", lines(bad, event(event_id="e1")))

    expect(wh.load("events"), read=2, loaded=1, rejected=1)
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl"), line=1, raw=bad, mentions=(field,))


@pytest.mark.parametrize("value", ["2026-13-45T99:00:00Z", "yesterday", "2026-10-01T25:00:00+09:00"])
def test_event_unparsable_timestamp_is_rejected(wh: Warehouse, value: str) -> None:
    bad = event(event_id="e2", occurred_at=value)
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), bad, event(event_id="e3")))

    expect(wh.load("events"), read=3, loaded=2, rejected=1)
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl"), line=2, raw=bad, mentions=("occurred_at",))


def test_event_timestamps_with_offsets_are_stored_as_naive_utc(wh: Warehouse) -> None:
    wh.write(
        "events",
        "a.jsonl",
        lines(
            event(event_id="kst", occurred_at="2026-10-01T09:30:00+09:00"),
            event(event_id="zulu", occurred_at="2026-10-01T09:30:00Z"),
            event(event_id="est", occurred_at="2026-09-30T21:15:00-05:00"),
            event(event_id="frac", occurred_at="2026-10-01T09:30:00.250+00:00"),
        ),
    )

    expect(wh.load("events"), read=4, loaded=4, rejected=0)
    stored = {r["event_id"]: r["occurred_at"] for r in wh.rows("events")}
    assert stored == {
        "kst": datetime(2026, 10, 1, 0, 30),
        "zulu": datetime(2026, 10, 1, 9, 30),
        "est": datetime(2026, 10, 1, 2, 15),
        "frac": datetime(2026, 10, 1, 9, 30, 0, 250000),
    }
    assert all(ts.tzinfo is None for ts in stored.values())


def test_unknown_event_type_is_loaded_not_rejected(wh: Warehouse) -> None:
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), event(event_id="e2", event_type="video_play")))

    expect(wh.load("events"), read=2, loaded=2, rejected=0)
    types = {r["event_id"]: r["event_type"] for r in wh.rows("events")}
    assert types == {"e1": "page_view", "e2": "video_play"}
    assert wh.rejects("events") == []


def test_duplicate_event_lines_are_both_loaded(wh: Warehouse) -> None:
    same = event(event_id="dup")
    wh.write("events", "a.jsonl", lines(same, same, event(event_id="other")))

    expect(wh.load("events"), read=3, loaded=3, rejected=0)
    assert [(r["event_id"], r["_line_number"]) for r in wh.rows("events")] == [
        ("dup", 1),
        ("dup", 2),
        ("other", 3),
    ]


def test_event_lineage_and_fields_are_kept(wh: Warehouse) -> None:
    wh.write(
        "events",
        "a.jsonl",
        lines(event(event_id="e1", customer_id="C9", utm_source="naver", region="Gyeonggi-do")),
    )

    expect(wh.load("events"), read=1, loaded=1, rejected=0)
    [row] = wh.rows("events")
    assert set(CONTRACT["events"].column_names) <= set(row)
    assert (row["customer_id"], row["utm_source"], row["region"], row["platform"]) == (
        "C9",
        "naver",
        "Gyeonggi-do",
        "web",
    )
    assert row["order_id"] is None
    assert (row["_source_file"], row["_line_number"], row["_partition_date"]) == (
        rel("events", "a.jsonl"),
        1,
        DAY,
    )
    assert row["_loaded_at"] is not None


def test_blank_lines_are_not_records_and_line_numbers_stay_physical(wh: Warehouse) -> None:
    bad = event(event_id="e3", occurred_at="yesterday")
    # line 1 e1, line 2 blank, line 3 e2, line 4 blank, line 5 blank, line 6 bad
    text = "\n".join([event(event_id="e1"), "", event(event_id="e2"), "", "", bad]) + "\n"
    wh.write("events", "a.jsonl", text)

    result = wh.load("events")
    expect(result, read=3, loaded=2, rejected=1)
    assert result.blank_lines == 3
    assert [(r["event_id"], r["_line_number"]) for r in wh.rows("events")] == [("e1", 1), ("e2", 3)]
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl"), line=6, raw=bad, mentions=("occurred_at",))


def test_jsonl_gz_is_read_with_rejects_pointing_into_it(wh: Warehouse) -> None:
    bad = '{"event_id": "e2", '
    wh.write("events", "a.jsonl.gz", lines(event(event_id="e1"), bad, event(event_id="e3")))

    expect(wh.load("events"), read=3, loaded=2, rejected=1)
    assert [(r["event_id"], r["_line_number"]) for r in wh.rows("events")] == [("e1", 1), ("e3", 3)]
    assert {r["_source_file"] for r in wh.rows("events")} == {rel("events", "a.jsonl.gz")}
    [reject] = wh.rejects("events")
    assert_reject(reject, file=rel("events", "a.jsonl.gz"), line=2, raw=bad, mentions=("json", "pars"))


def test_several_files_in_one_partition(wh: Warehouse) -> None:
    bad_a = event(event_id="a2", anonymous_id=MISSING)
    bad_b = "not json at all"
    wh.write("events", "a.jsonl", lines(event(event_id="a1"), bad_a))
    wh.write("events", "b.jsonl.gz", lines(bad_b, event(event_id="b2"), event(event_id="b3")))

    expect(wh.load("events"), read=5, loaded=3, rejected=2, files=2)
    assert [(r["_source_file"], r["_line_number"], r["event_id"]) for r in wh.rows("events")] == [
        (rel("events", "a.jsonl"), 1, "a1"),
        (rel("events", "b.jsonl.gz"), 2, "b2"),
        (rel("events", "b.jsonl.gz"), 3, "b3"),
    ]
    reject_a, reject_b = wh.rejects("events")
    assert_reject(reject_a, file=rel("events", "a.jsonl"), line=2, raw=bad_a, mentions=("anonymous_id",))
    assert_reject(reject_b, file=rel("events", "b.jsonl.gz"), line=1, raw=bad_b, mentions=("json", "pars"))


def test_invalid_utf8_line_is_rejected_not_fatal(wh: Warehouse) -> None:
    good1, good3 = event(event_id="e1").encode(), event(event_id="e3").encode()
    bad = b'{"event_id": "e2", "page_title": "\xff\xfe"}'
    wh.write("events", "a.jsonl", b"\n".join([good1, bad, good3]) + b"\n")

    expect(wh.load("events"), read=3, loaded=2, rejected=1)
    [reject] = wh.rejects("events")
    assert (reject["source_file"], reject["line_number"]) == (rel("events", "a.jsonl"), 2)
    assert reject["raw_text"].startswith('{"event_id": "e2"')


# --- orders ---------------------------------------------------------------------------------------


def test_orders_missing_order_id_is_rejected(wh: Warehouse) -> None:
    bad = csv_row("orders", order_id="")
    wh.write("orders", "o.csv", csv_text("orders", csv_row("orders"), bad, csv_row("orders", order_id="O3")))

    expect(wh.load("orders"), read=3, loaded=2, rejected=1)
    assert [(r["order_id"], r["_line_number"]) for r in wh.rows("orders")] == [("O1", 2), ("O3", 4)]
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "o.csv"), line=3, raw=bad, mentions=("order_id",))


def test_required_event_fields_are_the_four_of_the_contract() -> None:
    assert set(CONTRACT["events"].required) == {"event_id", "event_type", "occurred_at", "anonymous_id"}


@pytest.mark.parametrize(
    "source,column",
    [(source, column) for source in SOURCES if source != "events" for column in CONTRACT[source].required],
)
def test_csv_record_without_a_required_column_is_rejected(wh: Warehouse, source: str, column: str) -> None:
    # every column the contract marks required, blank in an otherwise valid record
    bad = csv_row(source, **{column: ""})
    wh.write(source, "x.csv", csv_text(source, csv_row(source), bad))

    expect(wh.load(source), read=2, loaded=1, rejected=1)
    [reject] = wh.rejects(source)
    assert_reject(reject, file=rel(source, "x.csv"), line=3, raw=bad, mentions=(column,))
    assert f"missing required field {column}" in reject["reason"]


@pytest.mark.parametrize(
    "column,value",
    [("ordered_at", "yesterday"), ("updated_at", "2026-13-45T99:00:00Z"), ("ordered_at", "")],
)
def test_orders_bad_timestamp_is_rejected(wh: Warehouse, column: str, value: str) -> None:
    bad = csv_row("orders", order_id="O2", **{column: value})
    wh.write("orders", "o.csv", csv_text("orders", csv_row("orders"), bad))

    expect(wh.load("orders"), read=2, loaded=1, rejected=1)
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "o.csv"), line=3, raw=bad, mentions=(column,))


def test_orders_unparsable_unit_price_is_rejected(wh: Warehouse) -> None:
    bad = csv_row("orders", order_id="O2", unit_price="12,99x")
    assert bad.count('"12,99x"') == 1  # the comma forces quoting: still one field
    wh.write("orders", "o.csv", csv_text("orders", bad, csv_row("orders", unit_price="7.50")))

    expect(wh.load("orders"), read=2, loaded=1, rejected=1)
    [row] = wh.rows("orders")
    assert float(row["unit_price"]) == 7.5
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "o.csv"), line=2, raw=bad, mentions=("unit_price",))


def test_orders_negative_quantity_is_rejected(wh: Warehouse) -> None:
    bad = csv_row("orders", order_id="O2", quantity="-1")
    wh.write("orders", "o.csv", csv_text("orders", csv_row("orders", quantity="3"), bad))

    expect(wh.load("orders"), read=2, loaded=1, rejected=1)
    assert [r["quantity"] for r in wh.rows("orders")] == [3]
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "o.csv"), line=3, raw=bad, mentions=("quantity",))


@pytest.mark.parametrize("source", ["orders", "marketing"])
def test_unknown_currency_is_rejected(wh: Warehouse, source: str) -> None:
    bad = csv_row(source, currency="XYZ")
    wh.write(source, "x.csv", csv_text(source, csv_row(source, currency="KRW"), bad, csv_row(source)))

    expect(wh.load(source), read=3, loaded=2, rejected=1)
    assert sorted(r["currency"] for r in wh.rows(source)) == ["KRW", "USD"]
    [reject] = wh.rejects(source)
    assert_reject(reject, file=rel(source, "x.csv"), line=3, raw=bad, mentions=("currency",))


def test_orders_offset_timestamp_is_stored_as_utc(wh: Warehouse) -> None:
    row = csv_row("orders", ordered_at="2026-10-01T09:30:00+09:00", updated_at="2026-10-01T00:45:00Z")
    wh.write("orders", "o.csv", csv_text("orders", row))

    expect(wh.load("orders"), read=1, loaded=1, rejected=0)
    [stored] = wh.rows("orders")
    assert (stored["ordered_at"], stored["updated_at"]) == (
        datetime(2026, 10, 1, 0, 30),
        datetime(2026, 10, 1, 0, 45),
    )


# --- generic CSV framing --------------------------------------------------------------------------


def test_short_csv_row_is_rejected(wh: Warehouse) -> None:
    short = "O2,2026-10-01T08:00:00Z,2026-10-01T08:00:00Z,C1,completed"
    wh.write(
        "orders", "o.csv", csv_text("orders", csv_row("orders"), short, csv_row("orders", order_id="O3"))
    )

    expect(wh.load("orders"), read=3, loaded=2, rejected=1)
    assert [r["order_id"] for r in wh.rows("orders")] == ["O1", "O3"]
    [reject] = wh.rejects("orders")
    assert_reject(
        reject, file=rel("orders", "o.csv"), line=3, raw=short, mentions=("field", "column", "short")
    )


def test_long_csv_row_is_rejected(wh: Warehouse) -> None:
    long = csv_row("orders", order_id="O2") + ",surplus"
    wh.write("orders", "o.csv", csv_text("orders", long, csv_row("orders")))

    expect(wh.load("orders"), read=2, loaded=1, rejected=1)
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "o.csv"), line=2, raw=long, mentions=("field", "column", "long"))


def test_csv_with_byte_order_mark_still_recognises_first_column(wh: Warehouse) -> None:
    text = csv_text("orders", csv_row("orders", order_id="O1"), csv_row("orders", order_id="O2"))
    wh.write("orders", "bom.csv", "\ufeff" + text)

    expect(wh.load("orders"), read=2, loaded=2, rejected=0)
    assert [(r["order_id"], r["_line_number"]) for r in wh.rows("orders")] == [("O1", 2), ("O2", 3)]


def test_csv_gz_is_read_with_rejects_pointing_into_it(wh: Warehouse) -> None:
    bad = csv_row("customers", customer_id="C2", updated_at="yesterday")
    wh.write("customers", "c.csv.gz", csv_text("customers", csv_row("customers"), bad))

    expect(wh.load("customers"), read=2, loaded=1, rejected=1)
    [row] = wh.rows("customers")
    assert (row["customer_id"], row["_source_file"], row["_line_number"]) == (
        "C1",
        rel("customers", "c.csv.gz"),
        2,
    )
    [reject] = wh.rejects("customers")
    assert_reject(reject, file=rel("customers", "c.csv.gz"), line=3, raw=bad, mentions=("updated_at",))


def test_csv_with_crlf_line_endings(wh: Warehouse) -> None:
    bad = csv_row("orders", order_id="O2", quantity="-3")
    text = csv_text("orders", csv_row("orders"), bad, csv_row("orders", order_id="O3")).replace("\n", "\r\n")
    wh.write("orders", "win.csv", text)

    expect(wh.load("orders"), read=3, loaded=2, rejected=1)
    assert [(r["order_id"], r["_line_number"]) for r in wh.rows("orders")] == [("O1", 2), ("O3", 4)]
    assert wh.rows("orders")[-1]["coupon_code"] in (None, "")
    [reject] = wh.rejects("orders")
    assert_reject(reject, file=rel("orders", "win.csv"), line=3, raw=bad, mentions=("quantity",))


def test_unclosed_quote_does_not_swallow_the_following_records(wh: Warehouse) -> None:
    bad = 'R2,nps,C1,2026-10-01T10:00:00Z,9,periodic,,email,"never closed'
    r3 = csv_row("surveys", response_id="R3")
    r4 = csv_row("surveys", response_id="R4")
    wh.write("surveys", "s.csv", csv_text("surveys", csv_row("surveys"), bad, r3, r4))

    wh.load("surveys")
    loaded = {r["response_id"]: r for r in wh.rows("surveys")}
    rejects = wh.rejects("surveys")
    # the malformed record is rejected at its first line ...
    assert "R2" not in loaded
    assert [r["line_number"] for r in rejects][:1] == [3]
    # ... and the records it would have swallowed load on their own
    assert {"R3", "R4"} <= loaded.keys()
    assert [r["raw_text"] for r in rejects] == [bad]
    assert not any(rid in (row["comment"] or "") for row in loaded.values() for rid in ("R3", "R4"))


def test_header_only_csv_is_an_empty_load(wh: Warehouse) -> None:
    wh.write("marketing", "m.csv", csv_text("marketing"))

    expect(wh.load("marketing"), read=0, loaded=0, rejected=0)


# --- surveys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "survey_type,score,valid",
    [
        ("nps", "0", True), ("nps", "10", True), ("nps", "11", False), ("nps", "-1", False),
        ("ces", "1", True), ("ces", "7", True), ("ces", "0", False), ("ces", "8", False),
        ("csat", "1", True), ("csat", "5", True), ("csat", "6", False), ("csat", "0", False),
    ],
)  # fmt: skip
def test_survey_score_must_be_on_its_scale(wh: Warehouse, survey_type: str, score: str, valid: bool) -> None:
    row = csv_row("surveys", response_id="R2", survey_type=survey_type, score=score)
    wh.write("surveys", "s.csv", csv_text("surveys", csv_row("surveys"), row))

    if valid:
        expect(wh.load("surveys"), read=2, loaded=2, rejected=0)
        stored = {r["response_id"]: (r["survey_type"], r["score"]) for r in wh.rows("surveys")}
        assert stored["R2"] == (survey_type, int(score))
    else:
        expect(wh.load("surveys"), read=2, loaded=1, rejected=1)
        [reject] = wh.rejects("surveys")
        assert_reject(reject, file=rel("surveys", "s.csv"), line=3, raw=row, mentions=("score",))


def test_survey_unicode_comment_with_commas_quotes_and_newlines_is_intact(wh: Warehouse) -> None:
    comment = '배송이 빨라요, 정말 "최고"!\n다음에도 살게요 😊\n— Ünïcödé, too'
    multi = csv_row("surveys", response_id="R1", comment=comment)
    assert multi.count("\n") == 2  # record spans lines 2-4
    bad = csv_row("surveys", response_id="R2", score="11", comment='쉼표, 그리고 "따옴표"')
    after = csv_row("surveys", response_id="R3", survey_type="csat", score="5", comment="")
    wh.write("surveys", "s.csv", csv_text("surveys", multi, bad, after))

    expect(wh.load("surveys"), read=3, loaded=2, rejected=1)
    stored = {r["response_id"]: r for r in wh.rows("surveys")}
    assert stored["R1"]["comment"] == comment
    assert stored["R1"]["_line_number"] == 2
    assert stored["R3"]["_line_number"] == 6
    assert stored["R3"]["comment"] in (None, "")
    [reject] = wh.rejects("surveys")
    assert_reject(reject, file=rel("surveys", "s.csv"), line=5, raw=bad, mentions=("score",))


# --- marketing and customers ----------------------------------------------------------------------


def test_marketing_negative_impressions_is_rejected(wh: Warehouse) -> None:
    bad = csv_row("marketing", campaign="c2", impressions="-5")
    wh.write("marketing", "m.csv", csv_text("marketing", csv_row("marketing"), bad))

    expect(wh.load("marketing"), read=2, loaded=1, rejected=1)
    [row] = wh.rows("marketing")
    assert (row["campaign"], row["impressions"], row["date"]) == ("fall_sale", 1000, DAY)
    [reject] = wh.rejects("marketing")
    assert_reject(reject, file=rel("marketing", "m.csv"), line=3, raw=bad, mentions=("impressions",))


@pytest.mark.parametrize("spend", ["12.3.4", "abc", "1,234.5"])
def test_marketing_unparsable_spend_is_rejected(wh: Warehouse, spend: str) -> None:
    bad = csv_row("marketing", campaign="c2", spend=spend)
    wh.write("marketing", "m.csv", csv_text("marketing", bad, csv_row("marketing")))

    expect(wh.load("marketing"), read=2, loaded=1, rejected=1)
    [row] = wh.rows("marketing")
    assert float(row["spend"]) == pytest.approx(123.45)
    [reject] = wh.rejects("marketing")
    assert_reject(reject, file=rel("marketing", "m.csv"), line=2, raw=bad, mentions=("spend",))


def test_customers_missing_customer_id_is_rejected(wh: Warehouse) -> None:
    bad = csv_row("customers", customer_id="", email="nobody@example.com")
    wh.write("customers", "c.csv", csv_text("customers", bad, csv_row("customers")))

    expect(wh.load("customers"), read=2, loaded=1, rejected=1)
    [row] = wh.rows("customers")
    assert (row["customer_id"], row["interests"] is not None) == ("C1", True)
    [reject] = wh.rejects("customers")
    assert_reject(reject, file=rel("customers", "c.csv"), line=2, raw=bad, mentions=("customer_id",))


# --- partition semantics --------------------------------------------------------------------------


def test_reload_is_idempotent(wh: Warehouse) -> None:
    wh.write("events", "a.jsonl", lines(event(event_id="e1"), "{broken", event(event_id="e2")))

    first = wh.load("events")
    before = wh.snapshot("events")
    second = wh.load("events")

    expect(first, read=3, loaded=2, rejected=1)
    assert (second.rows_read, second.rows_loaded, second.rows_rejected) == (3, 2, 1)
    assert wh.snapshot("events") == before
    assert len(before[0]) == 2 and len(before[1]) == 1


def test_reload_reflects_only_the_new_file_and_leaves_other_partitions(wh: Warehouse) -> None:
    wh.write("orders", "o.csv", csv_text("orders", csv_row("orders", order_id="D2")), day=DAY2)
    wh.load("orders", DAY2)
    other_before = wh.rows("orders", DAY2)

    wh.write("orders", "o.csv", csv_text("orders", csv_row("orders", order_id="OLD1"), "short,row"))
    expect(wh.load("orders"), read=2, loaded=1, rejected=1)

    path = wh.write("orders", "o.csv", csv_text("orders", csv_row("orders", order_id="NEW1")))
    wh.write("orders", "extra.csv", csv_text("orders", csv_row("orders", order_id="NEW2")))
    expect(wh.load("orders"), read=2, loaded=2, rejected=0, files=2)

    assert sorted(r["order_id"] for r in wh.rows("orders")) == ["NEW1", "NEW2"]
    assert wh.rejects("orders") == []
    assert wh.rows("orders", DAY2) == other_before
    assert path.exists()


def test_missing_source_folder_loads_an_empty_partition(wh: Warehouse) -> None:
    result = wh.load("surveys")

    assert result.folder_missing is True
    expect(result, read=0, loaded=0, rejected=0, files=0)
    assert wh.rows("surveys") == [] and wh.rejects("surveys") == []


def test_partition_is_emptied_when_its_folder_disappears(wh: Warehouse) -> None:
    folder = wh.write("events", "a.jsonl", lines(event(), "[1]")).parent
    wh.write("events", "a.jsonl", lines(event(event_id="keep")), day=DAY2)
    wh.load("events")
    wh.load("events", DAY2)

    shutil.rmtree(folder)
    result = wh.load("events")

    assert result.folder_missing is True
    expect(result, read=0, loaded=0, rejected=0, files=0)
    assert wh.rows("events") == [] and wh.rejects("events") == []
    assert [r["event_id"] for r in wh.rows("events", DAY2)] == ["keep"]


def test_missing_landing_root_raises_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        load_partition(tmp_path / "warehouse.duckdb", tmp_path / "no-such-landing", "events", DAY)


def test_failed_load_keeps_previous_state_of_the_partition(
    wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestration.ingest.loaders as loaders

    wh.write("events", "a.jsonl", lines(event(event_id="e1"), "nope", event(event_id="e2")))
    wh.write("events", "a.jsonl", lines(event(event_id="other")), day=DAY2)
    wh.load("events")
    wh.load("events", DAY2)
    before = wh.snapshot("events")

    # the second load fails after inserting the new rows, before its commit (where the crash
    # tests pause it): the partition must keep its previous rows and rejects
    wh.write("events", "a.jsonl", lines(event(event_id="new1")))

    def fail(name: str) -> None:
        raise OSError(f"failure injected at {name}")

    monkeypatch.setattr(loaders, "pause_point", fail)
    with pytest.raises(OSError, match="load:before-commit"):
        load_partition(wh.db, wh.landing, "events", DAY)

    assert wh.snapshot("events") == before
    assert [r["event_id"] for r in wh.rows("events")] == ["e1", "e2"]
    assert [r["line_number"] for r in wh.rejects("events")] == [2]


# --- files that cannot be read: one file-level reject each, the other files still load ----------

GOOD_GZ = gzip.compress(lines(*(event(event_id=f"g{i}") for i in range(200))).encode())
UNREADABLE = {
    # "EOFError: Compressed file ended before the end-of-stream marker was reached"
    "truncated": (GOOD_GZ[: len(GOOD_GZ) // 2], "truncated compressed file"),
    "trailer_cut": (GOOD_GZ[:-12], "truncated compressed file"),
    "not_gzip": (b"this is not gzip data\n", "corrupt compressed file"),
}


def assert_file_reject(reject: dict, *, file: str, reason: str) -> None:
    assert reject["source_file"] == file
    assert reject["line_number"] == 0  # the file as a whole, not one of its lines
    assert reject["raw_text"] is None
    assert reject["reason"].startswith(f"unreadable file: {reason}"), reject["reason"]
    assert "none of its lines were loaded" in reject["reason"]


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
@pytest.mark.parametrize("framing", ["duckdb_then_python", "python_only"])
def test_unreadable_jsonl_gz_is_one_file_reject_beside_a_good_file(
    wh: Warehouse, monkeypatch: pytest.MonkeyPatch, kind: str, framing: str
) -> None:
    import orchestration.ingest.loaders as loaders

    if framing == "python_only":

        def refuse(*args: object) -> int:
            raise duckdb.InvalidInputException("framing in DuckDB switched off by the test")

        monkeypatch.setattr(loaders, "_stage_lines_in_duckdb", refuse)
    data, reason = UNREADABLE[kind]
    wh.write("events", "a.jsonl.gz", lines(event(event_id="a1"), "nope", event(event_id="a2")))
    (wh.landing / rel("events", "b.jsonl.gz")).write_bytes(data)
    wh.write("events", "c.jsonl", lines(event(event_id="c1")))
    messages: list[str] = []

    result = load_partition(wh.db, wh.landing, "events", DAY, log_fn=messages.append)
    wh.assert_accounted(result)
    # by hand: a.jsonl.gz 3 records (1 rejected), b.jsonl.gz 1 file-level record (rejected),
    # c.jsonl 1 record
    expect(result, read=5, loaded=3, rejected=2, files=3)
    assert result.unreadable_files == (rel("events", "b.jsonl.gz"),)
    assert result.reject_reasons["unreadable file"] == 1
    assert [r["event_id"] for r in wh.rows("events")] == ["a1", "a2", "c1"]
    line_reject, file_reject = wh.rejects("events")
    assert_file_reject(file_reject, file=rel("events", "b.jsonl.gz"), reason=reason)
    assert (line_reject["source_file"], line_reject["line_number"]) == (rel("events", "a.jsonl.gz"), 2)
    assert any("cannot be read" in m and rel("events", "b.jsonl.gz") in m for m in messages), messages

    # the next load of the day does not fail on it either; a re-delivered file replaces the reject
    wh.load("events")
    wh.write("events", "b.jsonl.gz", lines(event(event_id="b1")))
    result = wh.load("events")
    expect(result, read=5, loaded=4, rejected=1, files=3)
    assert [r["line_number"] for r in wh.rejects("events")] == [2]


def test_checksum_failure_in_csv_gz_is_a_file_reject(wh: Warehouse) -> None:
    good = gzip.compress(csv_text("orders", csv_row("orders"), csv_row("orders", order_id="O2")).encode())
    flipped = bytearray(good)
    flipped[-8] ^= 0xFF  # the gzip trailer's CRC: the data inflates but fails its check
    wh.write("orders", "a.csv", csv_text("orders", csv_row("orders", order_id="A1")))
    (wh.landing / rel("orders", "b.csv.gz")).write_bytes(bytes(flipped))

    result = wh.load("orders")
    expect(result, read=2, loaded=1, rejected=1, files=2)
    [reject] = wh.rejects("orders")
    assert_file_reject(reject, file=rel("orders", "b.csv.gz"), reason="corrupt compressed file")
    assert "CRC check failed" in reject["reason"]


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_unreadable_csv_gz_is_one_file_reject_beside_a_good_file(wh: Warehouse, kind: str) -> None:
    data, reason = UNREADABLE[kind]
    if kind != "not_gzip":  # a CSV of its own, cut the same way
        records = (csv_row("orders", order_id=f"T{i}") for i in range(300))
        whole = gzip.compress(csv_text("orders", *records).encode())
        data = whole[: len(whole) // 2] if kind == "truncated" else whole[:-12]
    wh.write("orders", "a.csv.gz", csv_text("orders", csv_row("orders", order_id="A1"), "x,y"))
    (wh.landing / rel("orders", "b.csv.gz")).write_bytes(data)
    wh.write("orders", "c.csv", csv_text("orders", csv_row("orders", order_id="C1")))

    result = wh.load("orders")
    expect(result, read=4, loaded=2, rejected=2, files=3)
    assert result.unreadable_files == (rel("orders", "b.csv.gz"),)
    assert [r["order_id"] for r in wh.rows("orders")] == ["A1", "C1"]
    line_reject, file_reject = wh.rejects("orders")
    assert_file_reject(file_reject, file=rel("orders", "b.csv.gz"), reason=reason)
    assert (line_reject["source_file"], line_reject["line_number"]) == (rel("orders", "a.csv.gz"), 3)


def test_csv_whose_header_cannot_be_parsed_is_one_file_reject(wh: Warehouse) -> None:
    wh.write("surveys", "a.csv", '"response_id,survey_type\n')  # a quote never closed
    wh.write("surveys", "b.csv", csv_text("surveys", csv_row("surveys")))

    result = wh.load("surveys")
    expect(result, read=2, loaded=1, rejected=1, files=2)
    [reject] = wh.rejects("surveys")
    assert_file_reject(reject, file=rel("surveys", "a.csv"), reason="cannot read the header")


def test_landing_partitions_lists_days_across_sources_sorted(wh: Warehouse) -> None:
    wh.write("events", "a.jsonl", lines(event()), day=date(2026, 10, 3))
    wh.write("orders", "o.csv", csv_text("orders"), day=date(2026, 9, 30))
    wh.write("surveys", "s.csv", csv_text("surveys"), day=date(2026, 10, 3))
    (wh.landing / "marketing" / "dt=2026-10-02").mkdir(parents=True)
    (wh.landing / "customers" / "not-a-partition").mkdir(parents=True)

    assert landing_partitions(wh.landing) == [date(2026, 9, 30), date(2026, 10, 2), date(2026, 10, 3)]
    assert landing_partitions(wh.landing, ("orders",)) == [date(2026, 9, 30)]
    assert set(SOURCES) == {"events", "orders", "surveys", "customers", "marketing"}


# --- the two ways a JSON Lines file is framed -----------------------------------------------------

# Files DuckDB frames itself (plain UTF-8, "\n" endings) and files it cannot, which are framed in
# Python: each must give the same rows, rejects and counts whichever way it is read.
PARITY_FILES = {
    "plain.jsonl": lines(
        event(event_id="p1"),
        "",
        "   ",
        event(event_id="p2", properties=[1]),
        '{"event_id": "p3", ',
        "[1, 2]",
        event(event_id="p4", occurred_at="2026-10-01 09:00:00"),
        "\u00a0",
        event(event_id="p1"),
    ),
    "no_final_newline.jsonl.gz": event(event_id="g1") + "\n\t\n" + event(event_id="g2"),
    "crlf.jsonl": "\r\n".join([event(event_id="c1"), "", event(event_id="c2", anonymous_id="")]) + "\r\n",
    "control_char.jsonl": lines(event(event_id="x1"), '{"event_id": "x2\x01"}', event(event_id="x3")),
}
PARITY_BAD_BYTES = b"\n".join([event(event_id="u1").encode(), b'{"event_id": "u2", "t": "\xff"}', b""])


def _write_parity_files(wh: Warehouse) -> None:
    for name, text in PARITY_FILES.items():
        wh.write("events", name, text)
    wh.write("events", "bad_bytes.jsonl", PARITY_BAD_BYTES)


def test_duckdb_and_python_framing_of_jsonl_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import orchestration.ingest.loaders as loaders

    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast = Warehouse(tmp_path / "fast")
    _write_parity_files(fast)
    messages: list[str] = []
    fast_result = load_partition(fast.db, fast.landing, "events", DAY, log_fn=messages.append)
    fast.assert_accounted(fast_result)

    def refuse(*args: object) -> int:
        raise duckdb.InvalidInputException("framing in DuckDB switched off by the test")

    monkeypatch.setattr(loaders, "_stage_lines_in_duckdb", refuse)
    slow = Warehouse(tmp_path / "slow")
    _write_parity_files(slow)
    slow_result = load_partition(slow.db, slow.landing, "events", DAY)
    slow.assert_accounted(slow_result)

    assert fast.snapshot("events") == slow.snapshot("events")
    assert (fast_result.rows_read, fast_result.rows_loaded, fast_result.rows_rejected) == (
        slow_result.rows_read,
        slow_result.rows_loaded,
        slow_result.rows_rejected,
    )
    assert fast_result.blank_lines == slow_result.blank_lines == 4  # "", "   ", "\t", crlf's ""
    assert fast_result.reject_reasons == slow_result.reject_reasons
    # by hand: 7 + 2 + 2 + 3 + 2 records (9 + 3 + 3 + 3 + 2 lines less 4 blank); rejected: p2
    # (properties), p3 (truncated), [1, 2], p4 (no offset), the no-break space line, c2 (empty
    # anonymous_id), x2 (control character), u2 (bytes)
    assert (fast_result.rows_read, fast_result.rows_rejected) == (16, 8)
    # only the files DuckDB cannot read as plain lines went through Python, and the log says so
    [note] = [m for m in messages if "framed line by line in Python" in m]
    for name in ("crlf.jsonl", "control_char.jsonl", "bad_bytes.jsonl"):
        assert rel("events", name) in note
    for name in ("plain.jsonl", "no_final_newline.jsonl.gz"):
        assert rel("events", name) not in note


def test_line_numbers_hold_in_a_file_read_in_parallel(wh: Warehouse) -> None:
    # DuckDB reads a big file in parallel chunks; a line's number is its row position, which must
    # still be its physical line. 300k lines span several row groups of either reader.
    n = 300_000
    bad_at = {7, 150_001, 299_999}
    lines_out = [
        "not json"
        if number in bad_at
        else f'{{"event_id": "e{number}", "event_type": "page_view", '
        f'"occurred_at": "2026-10-01T09:00:00Z", "anonymous_id": "a{number % 97}"}}'
        for number in range(1, n + 1)
    ]
    wh.write("events", "big.jsonl", "\n".join(lines_out) + "\n")

    result = wh.load("events")
    expect(result, read=n, loaded=n - len(bad_at), rejected=len(bad_at))
    assert [r["line_number"] for r in wh.rejects("events")] == sorted(bad_at)
    misplaced = wh.query(
        "select count(*) as n from raw.events where event_id <> 'e' || cast(_line_number as varchar)"
    )[0]["n"]
    assert misplaced == 0


# --- Spark's landing (contract §7) ----------------------------------------------------------------


def lake_rows(lake_dir: Path, table: str, order: str) -> list[dict]:
    """raw.<table> as Spark reads it: the hive-partitioned Parquet files, timestamps as UTC."""
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        cursor = con.execute(
            f"select * from read_parquet('{lake_dir}/raw/{table}/*/*.parquet', hive_partitioning = true) "
            f"order by {order}"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_spark_landing_has_duckdbs_rows_and_rejects_as_parquet(wh: Warehouse, tmp_path: Path) -> None:
    """With a lake (WAREHOUSE_ENGINE=spark) a partition is written as Parquet under
    raw/<source>/_partition_date=<day>/, its rejects beside it: the same rows, rejects and counts as
    the DuckDB load, timestamps as UTC instants; re-loading replaces the day; a day without
    records is an empty file (Spark reads the columns from it); the working file is never opened."""
    wh.write(
        "events",
        "a.jsonl",
        lines(
            event(event_id="e1"), "{not json", event(event_id="e2", occurred_at="2026-10-01T11:00:00+02:00")
        ),
    )
    duck = wh.load("events")
    lake_dir = tmp_path / "lake"
    unused = tmp_path / "never-opened.duckdb"
    spark = load_partition(unused, wh.landing, "events", DAY, lake_dir=lake_dir)
    assert not unused.exists()
    assert (spark.rows_read, spark.rows_loaded, spark.rows_rejected, spark.reject_reasons) == (
        duck.rows_read,
        duck.rows_loaded,
        duck.rows_rejected,
        duck.reject_reasons,
    )
    loaded = lake_rows(lake_dir, "events", "_line_number")
    assert [(r["event_id"], r["_line_number"], r["_partition_date"]) for r in loaded] == [
        ("e1", 1, DAY),
        ("e2", 3, DAY),
    ]
    # 11:00 at +02:00 is 09:00 UTC, stored as an instant
    assert [r["occurred_at"].isoformat() for r in loaded] == ["2026-10-01T09:00:00+00:00"] * 2
    assert [r["occurred_at"].replace(tzinfo=None) for r in loaded] == [
        r["occurred_at"] for r in wh.rows("events")
    ]
    rejects = lake_rows(lake_dir, "events_rejects", "line_number")
    assert [(r["line_number"], r["raw_text"], r["reason"], r["partition_date"]) for r in rejects] == [
        (r["line_number"], r["raw_text"], r["reason"], DAY) for r in wh.rejects("events")
    ]

    wh.write("events", "a.jsonl", lines(event(event_id="e9")))
    again = load_partition(unused, wh.landing, "events", DAY, lake_dir=lake_dir)
    assert (again.rows_loaded, again.rows_rejected) == (1, 0)
    assert [r["event_id"] for r in lake_rows(lake_dir, "events", "_line_number")] == ["e9"]
    assert lake_rows(lake_dir, "events_rejects", "line_number") == []
    assert [p.name for p in (lake_dir / "raw" / "events").iterdir()] == ["_partition_date=2026-10-01"]

    empty = load_partition(unused, wh.landing, "events", DAY2, lake_dir=lake_dir)
    assert empty.folder_missing and empty.rows_read == 0
    assert (lake_dir / "raw" / "events" / "_partition_date=2026-10-02" / "part-0.parquet").exists()
    assert len(lake_rows(lake_dir, "events", "_line_number")) == 1
