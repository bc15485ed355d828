"""Orders: the web orders of purchase events, store orders, and the year of orders before the
window.

Orders. A purchase event and its order are the same draw: 1-4 lines (more for high spend),
quantities 1-5, KRW or USD list prices, coupons from campaigns and first orders. 6% are
`pending`. Later, pending orders become `completed` or `cancelled` and 3.5% of completed ones
are `cancelled` or `refunded` 1-10 days on: all lines are exported again with the new status in
the later arrival folder (updates that would arrive after the window are not written). About
4% of orders are store orders with no web events. Order ids are `O00000001...` (web and app)
and `S0000001...` (store); the shop writes whole seconds, the app SDKs milliseconds.

Earlier orders. The first day's orders extract also carries the shop's orders of the 365 days
before the window, as a store's first export does: each pre-window customer buys at their own
rate (0.3 x session rate x cart propensity, what the window's funnel gives, plus their store rate)
from sign-up or the year's start until they drop out (customers still active in the window buy to
its start; the dormant ones stopped at a uniform moment since sign-up, some before the year), so
the history has one-time buyers, repeat buyers and lapsed ones. Each is exported once in its state
at the export (3.5% cancelled or refunded later; one changed after the window opens comes again
as an update); order numbers continue into the window. They are drawn from a random stream of
their own, so the window's events and orders are the same draw as without them; there are no
events or surveys before the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample.vocabulary import CATEGORIES, COUPONS, DAY_MS, HOUR_MS
from orchestration.sample.world import World


@dataclass
class OrderBatch:
    """Orders (one row per order) and their lines from one chunk of sessions or the store."""

    number: np.ndarray
    store: np.ndarray
    customer: np.ndarray
    ordered_ms: np.ndarray
    usd: np.ndarray
    channel: np.ndarray  # 0 web, 1 app, 2 store
    pending: np.ndarray
    coupon: np.ndarray  # -1 = none
    ts_style: np.ndarray
    line_order: np.ndarray  # index into the orders above
    line_number: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    unit_minor: np.ndarray
    discount_minor: np.ndarray

    @staticmethod
    def concat(batches: list[OrderBatch]) -> OrderBatch:
        names = list(OrderBatch.__dataclass_fields__)
        merged = {}
        base = np.cumsum([0] + [len(b.number) for b in batches])
        for name in names:
            parts = [getattr(b, name) for b in batches]
            if name == "line_order":
                parts = [p + base[i] for i, p in enumerate(parts)]
            merged[name] = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return OrderBatch(**merged)


def order_lines(
    rng: np.random.Generator,
    world: World,
    customer: np.ndarray,
    first_product: np.ndarray,
    device: np.ndarray | None,
    eco: np.ndarray,
    usd: np.ndarray,
    coupon: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Lines of a batch of orders: (order index, line number, product, qty, unit, discount)."""
    cust, products = world.customers, world.products
    spend = cust.spend_level[customer]
    n_lines = 1 + rng.binomial(3, np.clip(0.15 * spend, 0.02, 0.8))
    order_of = np.repeat(np.arange(len(customer)), n_lines)
    line_number = np.arange(len(order_of)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    if device is not None:
        category_cum = world.devices.category_cum[device[order_of]]
    else:
        category_cum = np.tile(np.cumsum([c[5] for c in CATEGORIES]), (len(order_of), 1))
    category = (category_cum < rng.random(len(order_of))[:, None] * category_cum[:, -1:]).sum(1)
    product = products.sample(rng, np.minimum(category, len(CATEGORIES) - 1), eco[order_of].astype(int))
    first = first_product[order_of]
    product = np.where((line_number == 1) & (first >= 0), first, product)
    # A product appears on one line of an order; a repeat moves to its neighbour in the category.
    start_of_order = np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    for earlier in range(1, 4):
        clash = (line_number > earlier) & (
            product == product[np.minimum(start_of_order + earlier - 1, len(product) - 1)]
        )
        lo, hi = products.cat_lo[products.category[product]], products.cat_hi[products.category[product]]
        product = np.where(clash, lo + (product - lo + 1) % (hi - lo), product)
    cheap = np.isin(products.category[product], [2, 6, 8])  # beauty, food, eco basics come in multiples
    quantity = np.minimum(1 + rng.poisson(np.where(cheap, 0.5, 0.15) * spend[order_of]), 5)
    line_usd = usd[order_of]
    unit = np.where(line_usd, products.usd_cents[product], products.krw[product])
    code = coupon[order_of]
    pct = np.array([c[1] for c in COUPONS] + [0])[code]
    fixed = np.where(
        line_usd, np.array([c[3] for c in COUPONS] + [0])[code], np.array([c[2] for c in COUPONS] + [0])[code]
    )
    gross = unit * quantity
    rounding = np.where(line_usd, 1, 10)
    discount = np.round(gross * pct / 100 / rounding).astype(np.int64) * rounding
    discount = np.minimum(discount + np.where(line_number == 1, fixed, 0), gross)
    return order_of, line_number, product, quantity, unit, discount


def occurrence_rank(keys: np.ndarray) -> np.ndarray:
    """0 for the first occurrence of each key in array order, 1 for the second, ..."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    ranks = np.arange(len(keys)) - np.repeat(group_start, np.diff(np.r_[group_start, len(keys)]))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = ranks
    return out


def store_orders(rng: np.random.Generator, world: World, first_number: int) -> OrderBatch:
    cust, window = world.customers, world.window
    alive = np.clip((cust.active_until_ms - window.t0) / DAY_MS, 0, window.days)
    base = np.where(cust.in_window, 0.0, cust.store_rate * np.where(alive > 0, alive, window.days * 0.3))
    count = rng.poisson(base)
    customer = np.repeat(np.arange(cust.n), count)
    n = len(customer)
    # Stores open 10:00-21:00 Korean time.
    day = rng.integers(0, window.days, n)
    ms = window.t0 + day * DAY_MS + (rng.uniform(10, 21, n) - 9) * HOUR_MS
    ms = ms.astype(np.int64)
    order = np.argsort(ms, kind="stable")
    customer, ms = customer[order], ms[order]
    coupon = np.where(rng.random(n) < 0.05, 3, -1)
    no_product = np.full(n, -1)
    order_of, line_number, product, quantity, unit, discount = order_lines(
        rng, world, customer, no_product, None, cust.interests[customer, 0], np.zeros(n, bool), coupon
    )
    return OrderBatch(
        number=first_number + np.arange(n),
        store=np.ones(n, bool),
        customer=customer,
        ordered_ms=ms,
        usd=np.zeros(n, bool),
        channel=np.full(n, 2),
        pending=np.zeros(n, bool),
        coupon=coupon,
        ts_style=np.full(n, 2),
        line_order=order_of,
        line_number=line_number,
        product=product,
        quantity=quantity,
        unit_minor=unit,
        discount_minor=discount,
    )


# The first orders extract carries the shop's earlier orders, as a store's initial export does.
HISTORY_DAYS = 365
# Orders per session-and-cart-propensity unit: the in-window funnel (checkout 0.6 x purchase 0.6,
# logged-in sessions only) gives about this, so a customer buys as often before the window as in it.
HISTORY_ORDERS_PER_CART_SESSION = 0.3


def history_orders(rng: np.random.Generator, world: World, first_web: int, first_store: int) -> OrderBatch:
    """The pre-window customers' orders of the year before the window (store orders for those
    without a device). Each buys at a steady rate from sign-up (or the year's start) until they drop
    out: customers still active when the window opens buy to its start, dormant ones stopped at a
    uniform moment between sign-up and then (some before the year began), so the history has
    repeat buyers, one-time buyers and churned customers, as a BG/NBD model assumes."""
    cust, window, dev = world.customers, world.window, world.devices
    n = cust.n
    pre = ~cust.in_window
    start = np.maximum(cust.anchor_ms, window.t0 - HISTORY_DAYS * DAY_MS)
    dormant = pre & (cust.active_until_ms <= window.t0)
    dropout = window.t0 - (rng.random(n) * (window.t0 - cust.anchor_ms)).astype(np.int64)
    end = np.where(dormant, np.maximum(dropout, start), window.t0)
    owned = np.bincount(dev.owner[dev.owner >= 0], minlength=n)
    first_device = np.full(n, -1)
    first_device[dev.owner[dev.owner >= 0][::-1]] = np.flatnonzero(dev.owner >= 0)[::-1]
    web_rate = np.where(
        owned > 0, HISTORY_ORDERS_PER_CART_SESSION * cust.session_rate * cust.cart_propensity, 0.0
    )
    days = np.where(pre, (end - start) / DAY_MS, 0.0)
    count = rng.poisson((web_rate + cust.store_rate) * days)
    customer = np.repeat(np.arange(n), count)
    k = len(customer)
    ms = start[customer] + (rng.random(k) * (end - start)[customer]).astype(np.int64)
    order = np.argsort(ms, kind="stable")
    customer, ms = customer[order], ms[order]
    # a customer with a device buys online unless the draw falls on their store rate
    in_store = (owned[customer] == 0) | (
        rng.random(k) * (web_rate + cust.store_rate)[customer] < cust.store_rate[customer]
    )
    device = first_device[customer]
    usd = ~in_store & dev.usd[np.maximum(device, 0)]
    coupon = np.where(rng.random(k) < 0.05, 3, -1)
    order_of, line_number, product, quantity, unit, discount = order_lines(
        rng, world, customer, np.full(k, -1), None, cust.interests[customer, 0], usd, coupon
    )
    number = np.empty(k, dtype=np.int64)
    number[~in_store] = first_web + np.arange(int((~in_store).sum()))
    number[in_store] = first_store + np.arange(int(in_store.sum()))
    return OrderBatch(
        number=number,
        store=in_store,
        customer=customer,
        ordered_ms=ms,
        usd=usd,
        channel=np.where(in_store, 2, np.where(dev.platform[np.maximum(device, 0)] == 0, 0, 1)),
        pending=np.zeros(k, bool),
        coupon=coupon,
        ts_style=np.where(in_store, 2, np.where(usd, rng.integers(0, 2, k), 2)),
        line_order=order_of,
        line_number=line_number,
        product=product,
        quantity=quantity,
        unit_minor=unit,
        discount_minor=discount,
    )
