"""The CSV extracts: orders, surveys, customers (CRM) and marketing, and their defects.

Surveys. Post-purchase NPS/CSAT for 30% of orders (lower after a cancellation or refund),
post-chat CES (lower the longer the chat), post-support and periodic NPS. Scores come from a
latent satisfaction (customer mood + experience + noise) mapped onto each scale; some comments
in English or Korean, with commas, quotes and newlines.

Customers (CRM). The first arrival day holds the current CRM row of 92% of pre-window customers
(the rest exist only in orders/events); later days hold each sign-up (same instant as its
`signup` event) and region / opt-in changes of ~6% of customers (a newer row, later updated_at).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.ingest.contract import CONTRACT, ORDER_STATUSES
from orchestration.sample.files import CsvTable, texts
from orchestration.sample.orders import OrderBatch
from orchestration.sample.sessions import Sessions
from orchestration.sample.text import integer_texts, money, plain, prefixed_ids, take, timestamps
from orchestration.sample.vocabulary import (
    CATEGORIES,
    COMMENTS,
    COUPONS,
    CURRENCIES,
    DAY_MS,
    EDUCATIONS,
    GENDERS,
    HOUR_MS,
    INTERESTS,
    MINUTE_MS,
    PLATFORM_METRICS,
    REGION_NAMES,
    REGION_USD,
    SURVEY_CHANNELS,
    SURVEY_TYPES,
    TRIGGERS,
)
from orchestration.sample.world import World

CHANNELS = ("web", "app", "store")


def _positions(source: str) -> dict[str, int]:
    """Where each contract column stands in a CSV record of the source."""
    return {name: i for i, name in enumerate(CONTRACT[source].column_names)}


@dataclass
class _OrderHistory:
    orders: OrderBatch
    ids: pa.Array
    final_status: np.ndarray
    bad_experience: np.ndarray


def orders_table(
    rng: np.random.Generator, world: World, orders: OrderBatch
) -> tuple[CsvTable, _OrderHistory]:
    window, products = world.window, world.products
    n = len(orders.number)
    web_ids = prefixed_ids("O", orders.number[~orders.store], 8)
    store_ids = prefixed_ids("S", orders.number[orders.store], 7)
    ids = pa.concat_arrays([web_ids, store_ids])
    ids = ids.take(pa.array(np.argsort(np.r_[np.flatnonzero(~orders.store), np.flatnonzero(orders.store)])))
    status = np.where(orders.pending, 0, 1)
    # Later life of an order: pending ones settle within two days, some completed ones are
    # cancelled or refunded up to ten days on.
    delay = np.where(orders.pending, rng.uniform(1.0, 2.5, n), rng.uniform(1.0, 10.0, n)) * DAY_MS
    changes = orders.pending | (rng.random(n) < 0.035)
    new_status = np.where(
        orders.pending,
        np.where(rng.random(n) < 0.75, 1, 2),
        np.where(rng.random(n) < 0.6, 3, 2),
    )
    updated = orders.ordered_ms + delay.astype(np.int64)
    changes &= updated < window.end
    final_status = np.where(changes, new_status, status)

    table = CsvTable("orders")
    cur = plain(CURRENCIES)
    categories = plain([c[0] for c in CATEGORIES])
    coupons = plain([c[0] for c in COUPONS])
    for version in (0, 1):
        # An earlier order whose change reaches the first day's export is in it once, in its final
        # state; one changed later comes again as an update, like any order.
        settled = changes & (orders.ordered_ms < window.t0) & (window.day_index(updated) <= 0)
        line_rows = (
            np.flatnonzero(changes[orders.line_order])
            if version
            else np.flatnonzero(~settled[orders.line_order])
        )
        o = orders.line_order[line_rows]
        at = updated[o] if version else orders.ordered_ms[o]
        st = new_status[o] if version else status[o]
        usd = orders.usd[o]
        product = orders.product[line_rows]
        # Rows of one arrival day are exported in update order, lines of an order together.
        sort = np.lexsort((orders.line_number[line_rows], o, at))
        line_rows, o, at, st, usd, product = (x[sort] for x in (line_rows, o, at, st, usd, product))
        table.extend(
            window.day_index(at),
            [
                texts(ids.take(pa.array(o))),
                texts(timestamps(orders.ordered_ms[o], orders.ts_style[o])),
                texts(timestamps(at, orders.ts_style[o])),
                texts(world.customers.ids.take(pa.array(orders.customer[o]))),
                [ORDER_STATUSES[i] for i in st],
                [CHANNELS[i] for i in orders.channel[o]],
                texts(cur.take(pa.array(usd.astype(int)))),
                texts(integer_texts(orders.line_number[line_rows])),
                texts(products.ids.take(pa.array(product))),
                texts(categories.take(pa.array(products.category[product]))),
                texts(integer_texts(orders.quantity[line_rows])),
                texts(money(orders.unit_minor[line_rows], usd)),
                texts(money(orders.discount_minor[line_rows], usd)),
                texts(take(coupons, orders.coupon[o])),
            ],
        )
    # The earlier orders are dated before the window but arrive in its first day's extract.
    table.arrival = [max(0, a) for a in table.arrival]
    bad = np.isin(final_status, [2, 3])
    return table, _OrderHistory(orders, ids, final_status, bad)


def order_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    at = _positions("orders")

    def negative_quantity(r: list[str]) -> list[str]:
        r[at["quantity"]] = str(-int(rng.integers(1, 4)))
        return r

    def unknown_currency(r: list[str]) -> list[str]:
        r[at["currency"]] = ("XYZ", "WON", "KRWW")[int(rng.integers(0, 3))]
        return r

    def bad_price(r: list[str]) -> list[str]:
        r[at["unit_price"]] = ("12,99x", "39.000,00", "n/a")[int(rng.integers(0, 3))]
        return r

    def short_row(r: list[str]) -> list[str]:
        return r[: int(rng.integers(3, 10))]

    return [negative_quantity, unknown_currency, bad_price, short_row]


def _latent_scores(z: np.ndarray, survey_type: np.ndarray) -> np.ndarray:
    nps = np.clip(np.round(8.2 + 1.9 * z), 0, 10)
    ces = np.clip(np.round(5.4 + 1.3 * z), 1, 7)
    csat = np.clip(np.round(4.1 + 0.9 * z), 1, 5)
    return np.select([survey_type == 0, survey_type == 1], [nps, ces], csat).astype(np.int64)


def surveys_table(
    rng: np.random.Generator,
    world: World,
    history: _OrderHistory,
    chats: tuple[np.ndarray, np.ndarray, np.ndarray],
    signup_ms: np.ndarray,
) -> CsvTable:
    cust, window = world.customers, world.window
    orders = history.orders
    parts: list[dict[str, np.ndarray]] = []

    # the survey tool started with the window: earlier orders were never asked
    asked = (rng.random(len(orders.number)) < 0.3) & (orders.ordered_ms >= window.t0)
    rows = np.flatnonzero(asked)
    parts.append(
        dict(
            customer=orders.customer[rows],
            ms=orders.ordered_ms[rows]
            + (rng.lognormal(np.log(2.0), 0.5, len(rows)) * DAY_MS).astype(np.int64),
            type=np.where(rng.random(len(rows)) < 0.5, 0, 2),
            trigger=np.zeros(len(rows), np.int64),
            order=rows,
            experience=np.where(history.bad_experience[rows], -1.8, 0.2),
        )
    )
    chat_customer, chat_end, messages = chats
    rows = np.flatnonzero(rng.random(len(chat_customer)) < 0.4)
    parts.append(
        dict(
            customer=chat_customer[rows],
            ms=chat_end[rows] + rng.integers(1, 30, len(rows)) * MINUTE_MS,
            type=np.ones(len(rows), np.int64),
            trigger=np.ones(len(rows), np.int64),
            order=np.full(len(rows), -1),
            experience=0.6 - 0.18 * messages[rows],
        )
    )
    # Customers known at a given moment: pre-window ones, and new ones after their sign-up.
    known = np.flatnonzero(~cust.in_window | (signup_ms < window.end))
    n_support = rng.poisson(0.004 * cust.n * window.days)
    who = rng.choice(known, n_support) if len(known) else np.zeros(0, np.int64)
    when = window.t0 + rng.integers(0, window.days * DAY_MS, n_support)
    ok = ~cust.in_window[who] | (when > signup_ms[who])
    who, when = who[ok], when[ok]
    parts.append(
        dict(
            customer=who,
            ms=when,
            type=np.where(rng.random(len(who)) < 0.5, 1, 2),
            trigger=np.full(len(who), 2),
            order=np.full(len(who), -1),
            experience=rng.normal(-0.3, 0.6, len(who)),
        )
    )
    # A periodic NPS pulse goes out on Mondays; a few opted-in customers answer over two days.
    for d in range(window.days):
        if window.date(d).weekday() != 0:
            continue
        pool = known[cust.opt_in[known]]
        who = pool[rng.random(len(pool)) < 0.03]
        when = window.t0 + d * DAY_MS + rng.integers(0, 2 * DAY_MS, len(who))
        ok = ~cust.in_window[who] | (when > signup_ms[who])
        who, when = who[ok], when[ok]
        parts.append(
            dict(
                customer=who,
                ms=when,
                type=np.zeros(len(who), np.int64),
                trigger=np.full(len(who), 3),
                order=np.full(len(who), -1),
                experience=np.zeros(len(who)),
            )
        )

    r = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    inside = r["ms"] < window.end
    r = {k: v[inside] for k, v in r.items()}
    order = np.lexsort((r["customer"], r["ms"]))
    r = {k: v[order] for k, v in r.items()}
    n = len(r["ms"])
    z = cust.mood[r["customer"]] + r["experience"] + rng.normal(0, 0.8, n)
    score = _latent_scores(z, r["type"])
    kind = np.array(SURVEY_TYPES)[r["type"]]
    low, high = (
        np.select([kind == "nps", kind == "ces"], [6, 4], 3),
        np.select([kind == "nps", kind == "ces"], [9, 6], 5),
    )
    band = np.where(score <= low, "bad", np.where(score >= high, "good", "ok"))
    commented = rng.random(n) < np.where(band == "bad", 0.6, 0.3)
    pick = rng.integers(0, 1000, n)
    comments = [
        COMMENTS[b][p % len(COMMENTS[b])] if c else "" for b, p, c in zip(band, pick, commented, strict=True)
    ]
    channel = np.where(r["trigger"] == 1, 2, rng.choice(4, n, p=[0.45, 0.15, 0.15, 0.25]))
    korean = ~REGION_USD[cust.region[r["customer"]]]
    style = np.where(korean & (rng.random(n) < 0.5), 2, rng.integers(0, 2, n))
    table = CsvTable("surveys")
    table.extend(
        window.day_index(r["ms"]),
        [
            texts(prefixed_ids("R", np.arange(1, n + 1), 8)),
            list(kind),
            texts(cust.ids.take(pa.array(r["customer"]))),
            texts(timestamps(r["ms"], style)),
            texts(integer_texts(score)),
            [TRIGGERS[t] for t in r["trigger"]],
            texts(take(history.ids, r["order"])),
            [SURVEY_CHANNELS[c] for c in channel],
            comments,
        ],
    )
    return table


def survey_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    at = _positions("surveys")

    def out_of_scale(r: list[str]) -> list[str]:
        beyond = {"nps": "11", "ces": ("0", "8")[int(rng.integers(0, 2))], "csat": "6"}
        r[at["score"]] = beyond[r[at["survey_type"]]]
        return r

    def no_response_id(r: list[str]) -> list[str]:
        r[at["response_id"]] = ""
        return r

    def bad_submitted_at(r: list[str]) -> list[str]:
        r[at["submitted_at"]] = ("2026/10/05 25:00", "N/A", "2026-10-32T08:00:00Z")[int(rng.integers(0, 3))]
        return r

    return [out_of_scale, no_response_id, bad_submitted_at]


def customers_table(rng: np.random.Generator, world: World, signup_ms: np.ndarray) -> CsvTable:
    cust, window = world.customers, world.window
    n = cust.n
    initial = np.flatnonzero(~cust.in_window & cust.in_crm)
    signed = np.flatnonzero(cust.in_window & (signup_ms < window.end))
    # ~6% of the known customers change region or marketing consent later in the window.
    known = np.r_[initial, signed]
    changing = known[rng.random(len(known)) < 0.06]
    earliest = np.maximum(window.t0, np.where(cust.in_window[changing], signup_ms[changing] + HOUR_MS, 0))
    change_ms = earliest + (rng.random(len(changing)) * np.maximum(window.end - earliest, 0)).astype(np.int64)
    ok = change_ms < window.end
    changing, change_ms = changing[ok], change_ms[ok]

    region = cust.region.copy()
    opt_in = cust.opt_in.copy()
    base_updated = cust.anchor_ms + ((window.t0 - cust.anchor_ms) * rng.random(n)).astype(np.int64)
    versions = [
        (initial, base_updated[initial], region[initial], opt_in[initial]),
        (signed, signup_ms[signed], region[signed], opt_in[signed]),
    ]
    moves = rng.random(len(changing)) < 0.3
    new_region = np.where(moves, rng.choice(10, len(changing)), region[changing])
    new_opt_in = np.where(moves, opt_in[changing], ~opt_in[changing])
    versions.append((changing, change_ms, new_region, new_opt_in))

    table = CsvTable("customers")
    signed_up = np.where(cust.in_window, signup_ms, cust.anchor_ms)
    interests = [";".join(INTERESTS[i] for i in np.flatnonzero(row)) for row in cust.interests]
    education = np.array(EDUCATIONS + ("",))
    gender = np.array(GENDERS + ("",))
    for who, updated, reg, opt in versions:
        order = np.lexsort((who, updated))
        who, updated, reg, opt = who[order], updated[order], reg[order], opt[order]
        korean = ~REGION_USD[reg]
        table.extend(
            window.day_index(updated),
            [
                texts(cust.ids.take(pa.array(who))),
                texts(cust.email.take(pa.array(who))),
                texts(timestamps(signed_up[who], np.zeros(len(who), np.int64))),
                texts(timestamps(updated, np.where(korean, 2, 1))),
                [str(y) if y else "" for y in cust.birth_year[who]],
                list(gender[cust.gender[who]]),
                list(education[cust.education[who]]),
                [REGION_NAMES[r] for r in reg],
                [interests[i] for i in who],
                ["true" if o else "false" for o in opt],
            ],
        )
    # The initial export is dated before the window but arrives on its first day.
    table.arrival = [max(0, a) for a in table.arrival]
    return table


def customer_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    at = _positions("customers")

    def no_customer_id(r: list[str]) -> list[str]:
        r[at["customer_id"]] = ""
        return r

    def bad_updated_at(r: list[str]) -> list[str]:
        bad = ("2026-10-32T10:00:00+09:00", "last tuesday", "10/07/2026 9:00 PM")
        r[at["updated_at"]] = bad[int(rng.integers(0, 3))]
        return r

    return [no_customer_id, bad_updated_at]


def marketing_table(rng: np.random.Generator, world: World, sessions: Sessions) -> CsvTable:
    window, camps = world.window, world.campaigns
    n_c = len(camps.name)
    day = window.day_index(sessions.start_ms)
    tagged = sessions.campaign >= 0
    brought = np.zeros((window.days, n_c))
    np.add.at(brought, (day[tagged], sessions.campaign[tagged]), 1)
    scale = max(1.0, world.customers.n / 1000)
    followers = {p: (m[3] * scale if m[3] is not None else None) for p, m in PLATFORM_METRICS.items()}
    columns: list[list[str]] = [[] for _ in CONTRACT["marketing"].columns]
    arrival: list[int] = []
    for d in range(window.days):
        running = np.flatnonzero(camps.weight[d] > 0)
        impressions_by_platform: dict[str, int] = defaultdict(int)
        rows = []
        for c in running:
            platform = camps.platform[c]
            ctr, cpc, currency, _, _, social = PLATFORM_METRICS[platform]
            clicks = int(round(brought[d, c] * rng.uniform(1.1, 1.5) + rng.poisson(2)))
            impressions = int(round(max(clicks, 1) / (ctr * rng.lognormal(0, 0.15))))
            reach = impressions if platform in ("email", "sms") else int(impressions * rng.uniform(0.55, 0.9))
            spend = clicks * cpc * rng.lognormal(0, 0.1)
            usd = currency == "USD"
            spend_text = f"{spend:.2f}" if usd else str(int(round(spend)))
            likes = int(rng.poisson(impressions * 0.004)) if social else 0
            comments = int(rng.poisson(likes * 0.05)) if social else 0
            shares = int(rng.poisson(likes * 0.08)) if social else 0
            impressions_by_platform[platform] += impressions
            counts = (impressions, clicks)
            engagement = (reach, likes, comments, shares)
            rows.append(
                [window.date(d).isoformat(), platform, camps.name[c], *map(str, counts), spend_text, currency]
                + [str(x) for x in engagement]
            )
        # Followers are an account-level count at the end of the day, the same on each row.
        for platform, count in followers.items():
            if count is None:
                continue
            gained = rng.poisson(
                PLATFORM_METRICS[platform][4] * impressions_by_platform[platform] / 1000 + 3 * scale
            )
            lost = rng.poisson(1.5 * scale)
            followers[platform] = max(0, count + gained - lost)
        for row in rows:
            count = followers[row[1]]
            row.append("" if count is None else str(int(count)))
            for i, value in enumerate(row):
                columns[i].append(value)
            arrival.append(d)
    table = CsvTable("marketing")
    table.extend(np.array(arrival, dtype=np.int64), columns)
    return table


def marketing_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    at = _positions("marketing")

    def negative_impressions(r: list[str]) -> list[str]:
        r[at["impressions"]] = str(-int(r[at["impressions"]] or 1))
        return r

    def bad_spend(r: list[str]) -> list[str]:
        r[at["spend"]] = ("₩152,340", "12,99x", "n/a")[int(rng.integers(0, 3))]
        return r

    def unknown_currency(r: list[str]) -> list[str]:
        r[at["currency"]] = ("XYZ", "WON", "US$")[int(rng.integers(0, 3))]
        return r

    return [negative_impressions, bad_spend, unknown_currency]
