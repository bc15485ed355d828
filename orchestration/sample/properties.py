"""The `properties` object of each event type, built column-wise."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample.orders import OrderBatch, occurrence_rank
from orchestration.sample.text import integer_texts, json_object, money, plain, prefixed_ids, scatter, take
from orchestration.sample.vocabulary import (
    AD_PLACEMENTS,
    CHAT_INTENTS,
    COUPONS,
    CURRENCIES,
    LOGIN_METHODS,
    MAIL_CLIENTS,
    PAYMENT_METHODS,
    SEARCH_TERMS,
    S,
)
from orchestration.sample.world import World


def event_properties(
    rng: np.random.Generator,
    world: World,
    e: dict[str, np.ndarray],
    usd: np.ndarray,
    batch: OrderBatch,
    totals: np.ndarray,
    items: np.ndarray,
    order_pos: np.ndarray,
) -> pa.Array:
    slot = e["slot"]
    n = len(slot)
    currency = plain(CURRENCIES)
    parts: list[tuple[np.ndarray, pa.Array]] = []

    def rows_of(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(slot, [S[x] for x in names]))

    rows = rows_of("search")
    parts.append(
        (
            rows,
            json_object(
                [
                    ("query", plain(SEARCH_TERMS).take(pa.array(e["term"][rows])), True),
                    ("results", integer_texts(rng.integers(0, 240, len(rows))), False),
                ]
            ),
        )
    )
    rows = rows_of("add_to_cart")
    product = e["product"][rows]
    price = np.where(usd[rows], world.products.usd_cents[product], world.products.krw[product])
    parts.append(
        (
            rows,
            json_object(
                [
                    ("quantity", integer_texts(np.ones(len(rows))), False),
                    ("price", money(price, usd[rows]), False),
                    ("currency", currency.take(pa.array(usd[rows].astype(int))), True),
                ]
            ),
        )
    )
    rows = rows_of("begin_checkout")
    parts.append(
        (
            rows,
            json_object(
                [
                    (
                        "payment_method",
                        plain(PAYMENT_METHODS).take(pa.array(rng.integers(0, 5, len(rows)))),
                        True,
                    ),
                ]
            ),
        )
    )
    rows = rows_of("purchase")
    pos = order_pos[rows]
    parts.append(
        (
            rows,
            json_object(
                [
                    ("revenue", money(totals[pos], batch.usd[pos]), False),
                    ("currency", currency.take(pa.array(batch.usd[pos].astype(int))), True),
                    ("items", integer_texts(items[pos]), False),
                    ("coupon", take(plain([c[0] for c in COUPONS]), batch.coupon[pos]), True),
                ]
            ),
        )
    )
    rows = rows_of("chatbot_message")
    turn = occurrence_rank(e["ev_sess"][rows]) + 1
    parts.append(
        (
            rows,
            json_object(
                [
                    ("turn", integer_texts(turn), False),
                    ("sender", pc.if_else(pa.array(turn % 2 == 1), "user", "bot"), True),
                    (
                        "intent",
                        plain(CHAT_INTENTS).take(pa.array(e["ev_g"][rows] % len(CHAT_INTENTS))),
                        True,
                    ),
                ]
            ),
        )
    )
    rows = rows_of("ad_impression", "ad_click")
    parts.append(
        (
            rows,
            json_object(
                [
                    (
                        "placement",
                        plain(AD_PLACEMENTS).take(pa.array(e["ev_unit"][rows] % len(AD_PLACEMENTS))),
                        True,
                    ),
                    ("creative_id", prefixed_ids("cr_", e["ev_unit"][rows] % 37, 3), True),
                ]
            ),
        )
    )
    rows = rows_of("social_share")
    parts.append(
        (
            rows,
            json_object(
                [
                    (
                        "content_type",
                        pc.if_else(pa.array(e["product"][rows] >= 0), "product", "blog"),
                        True,
                    ),
                ]
            ),
        )
    )
    rows = rows_of("signup", "login")
    parts.append(
        (
            rows,
            json_object(
                [
                    (
                        "method",
                        plain(LOGIN_METHODS).take(
                            pa.array(rng.choice(4, len(rows), p=[0.4, 0.35, 0.15, 0.1]))
                        ),
                        True,
                    ),
                ]
            ),
        )
    )
    rows = rows_of("video_play")
    parts.append(
        (
            rows,
            json_object(
                [
                    ("video_id", prefixed_ids("v", rng.integers(1, 20, len(rows)), 2), True),
                    (
                        "autoplay",
                        pc.if_else(pa.array(rng.random(len(rows)) < 0.3), "true", "false"),
                        False,
                    ),
                ]
            ),
        )
    )
    rows = rows_of("email_open", "email_click")
    parts.append(
        (
            rows,
            json_object(
                [
                    (
                        "client",
                        plain(MAIL_CLIENTS).take(pa.array(e["ev_g"][rows] % len(MAIL_CLIENTS))),
                        True,
                    ),
                ]
            ),
        )
    )
    return scatter(n, parts)
