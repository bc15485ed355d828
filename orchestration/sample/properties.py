"""The `properties` object of each event type, built column-wise."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample.orders import (
    _occurrence_rank,
    _OrderBatch,
)
from orchestration.sample.text import (
    _json_object,
    _money,
    _numbers,
    _plain,
    _prefixed_ids,
    _scatter,
    _take,
)
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
from orchestration.sample.world import (
    _World,
)


def _event_properties(
    rng: np.random.Generator,
    world: _World,
    e: dict[str, np.ndarray],
    usd: np.ndarray,
    batch: _OrderBatch,
    totals: np.ndarray,
    items: np.ndarray,
    order_pos: np.ndarray,
) -> pa.Array:
    slot = e["slot"]
    n = len(slot)
    currency = _plain(CURRENCIES)
    parts: list[tuple[np.ndarray, pa.Array]] = []

    def rows_of(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(slot, [S[x] for x in names]))

    rows = rows_of("search")
    parts.append(
        (
            rows,
            _json_object(
                [
                    ("query", _plain(SEARCH_TERMS).take(pa.array(e["term"][rows])), True),
                    ("results", _numbers(rng.integers(0, 240, len(rows))), False),
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
            _json_object(
                [
                    ("quantity", _numbers(np.ones(len(rows))), False),
                    ("price", _money(price, usd[rows]), False),
                    ("currency", currency.take(pa.array(usd[rows].astype(int))), True),
                ]
            ),
        )
    )
    rows = rows_of("begin_checkout")
    parts.append(
        (
            rows,
            _json_object(
                [
                    (
                        "payment_method",
                        _plain(PAYMENT_METHODS).take(pa.array(rng.integers(0, 5, len(rows)))),
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
            _json_object(
                [
                    ("revenue", _money(totals[pos], batch.usd[pos]), False),
                    ("currency", currency.take(pa.array(batch.usd[pos].astype(int))), True),
                    ("items", _numbers(items[pos]), False),
                    ("coupon", _take(_plain([c[0] for c in COUPONS]), batch.coupon[pos]), True),
                ]
            ),
        )
    )
    rows = rows_of("chatbot_message")
    turn = _occurrence_rank(e["ev_sess"][rows]) + 1
    parts.append(
        (
            rows,
            _json_object(
                [
                    ("turn", _numbers(turn), False),
                    ("sender", pc.if_else(pa.array(turn % 2 == 1), "user", "bot"), True),
                    (
                        "intent",
                        _plain(CHAT_INTENTS).take(pa.array(e["ev_g"][rows] % len(CHAT_INTENTS))),
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
            _json_object(
                [
                    (
                        "placement",
                        _plain(AD_PLACEMENTS).take(pa.array(e["ev_unit"][rows] % len(AD_PLACEMENTS))),
                        True,
                    ),
                    ("creative_id", _prefixed_ids("cr_", e["ev_unit"][rows] % 37, 3), True),
                ]
            ),
        )
    )
    rows = rows_of("social_share")
    parts.append(
        (
            rows,
            _json_object(
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
            _json_object(
                [
                    (
                        "method",
                        _plain(LOGIN_METHODS).take(
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
            _json_object(
                [
                    ("video_id", _prefixed_ids("v", rng.integers(1, 20, len(rows)), 2), True),
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
            _json_object(
                [
                    (
                        "client",
                        _plain(MAIL_CLIENTS).take(pa.array(e["ev_g"][rows] % len(MAIL_CLIENTS))),
                        True,
                    ),
                ]
            ),
        )
    )
    return _scatter(n, parts)
