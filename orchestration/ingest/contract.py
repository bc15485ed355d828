"""The landing contract (CONTRACT.md §2), written once: where each source lands, its columns and
their types in `raw.<source>`, which are required, and which values are allowed.

The loaders build their tables and checks from it, the sample generator writes its files by it,
and the tests read both against it. Pure data: importing it imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Landing layout: <landing>/<source>/dt=YYYY-MM-DD/<any name><extension>
PARTITION_PREFIX = "dt="

# Extracts are produced by many tools; a text format may also arrive gzip-compressed.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "jsonl": (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".ndjson", ".ndjson.gz"),
    "csv": (".csv", ".csv.gz"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # its type in raw.<source> (DuckDB)
    required: bool = False  # a record without it (missing or empty) is rejected


@dataclass(frozen=True)
class Source:
    name: str
    format: str  # a key of EXTENSIONS
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """In contract order: the CSV header, or the members of an event object."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _columns(*specs: str) -> tuple[Column, ...]:
    """Columns from "name type [required]" strings, which keep the table below readable."""
    out = []
    for spec in specs:
        name, type_ = spec.split(maxsplit=1)
        required = type_.endswith(" required")
        out.append(Column(name, type_.removesuffix(" required"), required))
    return tuple(out)


# Timestamps are naive UTC in raw.<source> (contract §1), which every engine reads the same way.
EVENTS = Source(
    "events",
    "jsonl",
    _columns(
        "event_id varchar required", "event_type varchar required", "occurred_at timestamp required",
        "anonymous_id varchar required", "customer_id varchar", "platform varchar", "page_path varchar",
        "page_title varchar", "referrer varchar", "utm_source varchar", "utm_medium varchar",
        "utm_campaign varchar", "device_type varchar", "region varchar", "product_id varchar",
        "order_id varchar", "experiment_id varchar", "variant varchar", "share_network varchar",
        "properties json",
    ),
)  # fmt: skip
ORDERS = Source(
    "orders",
    "csv",
    _columns(
        "order_id varchar required", "ordered_at timestamp required", "updated_at timestamp required",
        "customer_id varchar", "status varchar required", "sales_channel varchar",
        "currency varchar required", "line_number integer required", "product_id varchar",
        "product_category varchar", "quantity integer required", "unit_price decimal(18, 4) required",
        "line_discount decimal(18, 4)", "coupon_code varchar",
    ),
)  # fmt: skip
SURVEYS = Source(
    "surveys",
    "csv",
    _columns(
        "response_id varchar required", "survey_type varchar required", "customer_id varchar",
        "submitted_at timestamp required", "score integer required", "trigger varchar",
        "order_id varchar", "channel varchar", "comment varchar",
    ),
)  # fmt: skip
CUSTOMERS = Source(
    "customers",
    "csv",
    _columns(
        "customer_id varchar required", "email varchar", "signed_up_at timestamp",
        "updated_at timestamp required", "birth_year integer", "gender varchar", "education varchar",
        "region varchar", "interests varchar", "marketing_opt_in boolean",
    ),
)  # fmt: skip
MARKETING = Source(
    "marketing",
    "csv",
    _columns(
        "date date required", "platform varchar required", "campaign varchar required",
        "impressions bigint", "clicks bigint", "spend decimal(18, 4)", "currency varchar", "reach bigint",
        "likes bigint", "comments bigint", "shares bigint", "followers bigint",
    ),
)  # fmt: skip

CONTRACT: dict[str, Source] = {s.name: s for s in (EVENTS, ORDERS, SURVEYS, CUSTOMERS, MARKETING)}
SOURCES: tuple[str, ...] = tuple(CONTRACT)
CSV_SOURCES: tuple[str, ...] = tuple(s.name for s in CONTRACT.values() if s.format == "csv")

# --- allowed values -------------------------------------------------------------------------------

ORDER_STATUSES = ("pending", "completed", "cancelled", "refunded")
# survey type -> (lowest, highest) score
SURVEY_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "ces": (1, 7), "csat": (1, 5)}
# Active ISO 4217 codes (plus a few widely used historical ones). A code outside this list is an
# "unknown currency" in the contract's sense; a valid code without an FX rate is caught later by a
# dbt test, because the fix there is a seed row, not a reload.
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
    SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()
)


def partition_folder(landing_dir: Path, source: str, day: date) -> Path:
    return landing_dir / source / f"{PARTITION_PREFIX}{day.isoformat()}"
