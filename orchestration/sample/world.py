"""The world the sample plays in: the window, the activity clock, products, customers, devices
and campaigns.

Time. Everything is in integer milliseconds since the epoch (UTC). Visitors follow a diurnal
curve in their local time (peaks at lunch and 20-22h, weekends 15% busier). Session starts are
drawn on an "activity clock" (the cumulative intensity of that curve) and mapped back to real
time, so a uniform draw on the activity clock lands at realistic hours.

People and devices.
- Customers: signed up before the window (about three years of history) or inside it
  (~1% of the customer base per window day, at most half). Ids `C00001...` follow sign-up order.
  Demographics, a Korean-heavy region mix (12% abroad, who pay in USD), interests (which weight
  the categories and, for `eco_friendly`, the eco products they browse and buy) and the
  marketing opt-in are independent draws.
- Purchase behaviour is heterogeneous, Pareto/NBD style: each customer has a session rate
  lambda ~ Gamma(0.8, mean 0.5/day), a cart propensity ~ Beta(2.5, 8), a lifetime ~ Exponential
  with a Gamma-distributed mean (30% of the pre-window base is already dormant), and a spend
  level ~ Gamma(5, mean 1) that drives basket size independently of frequency (the Gamma-Gamma
  assumption). Orders therefore range from none to many per customer, most buyers buying once.
- Devices (`anonymous_id`): customers have 0 (store-only), 1 or 2 devices, each with a fixed
  platform, device type, region and timestamp style. Anonymous-only visitors (0.3 per customer
  per window day) come 1-3 times within a week and never log in. A device of a pre-window customer is either
  already logged in or starts anonymous and logs in at its 2nd-4th session; a customer who signs
  up in the window browses anonymously for 0-2 sessions first. Two devices are shared by two
  customers, who log in on every visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample.text import from_matrix, hex_matrix, integer_texts, plain, prefixed_ids
from orchestration.sample.vocabulary import (
    ADJECTIVES,
    CATEGORIES,
    DAY_MS,
    ECO_ADJECTIVES,
    ECO_CATEGORY,
    EXPERIMENT_EFFECTS,
    FIRST_NAMES,
    HOUR_MS,
    HOURLY,
    INTEREST_CATEGORIES,
    INTEREST_SHARE,
    INTERESTS,
    LAST_NAMES,
    MAIL_DOMAINS,
    OWNED_CAMPAIGNS,
    PAID_CAMPAIGNS,
    REGION_TZ,
    REGION_USD,
    REGIONS,
    SHOP,
    TIME_ZONES,
    WEEKEND_LIFT,
)


@dataclass(frozen=True)
class Window:
    start: date
    days: int

    @property
    def t0(self) -> int:
        return int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp()) * 1000

    @property
    def end(self) -> int:
        return self.t0 + self.days * DAY_MS

    def day_index(self, ms: np.ndarray) -> np.ndarray:
        return np.floor_divide(np.asarray(ms, dtype=np.int64) - self.t0, DAY_MS)

    def date(self, index: int) -> date:
        return self.start + timedelta(days=int(index))


class ActivityClock:
    """Cumulative visit intensity per time zone, hour by hour over the window (see docstring)."""

    def __init__(self, window: Window) -> None:
        hours = window.days * 24
        self.grid = window.t0 + np.arange(hours + 1, dtype=np.int64) * HOUR_MS
        first_weekday = window.start.weekday()
        self.cum: dict[int, np.ndarray] = {}
        for tz in TIME_ZONES:
            local = np.arange(hours) + tz
            weekday = (first_weekday + np.floor_divide(local, 24)) % 7
            intensity = HOURLY[local % 24] * np.where(weekday >= 5, WEEKEND_LIFT, 1.0)
            self.cum[tz] = np.concatenate([[0.0], np.cumsum(intensity)])

    def to_activity(self, tz: int, ms: np.ndarray) -> np.ndarray:
        return np.interp(ms, self.grid, self.cum[tz])

    def to_time(self, tz: int, activity: np.ndarray) -> np.ndarray:
        return np.round(np.interp(activity, self.cum[tz], self.grid)).astype(np.int64)

    def total(self, tz: int) -> float:
        return float(self.cum[tz][-1])


@dataclass
class _Products:
    ids: pa.Array
    titles: pa.Array
    paths: pa.Array
    category: np.ndarray
    eco: np.ndarray
    krw: np.ndarray
    usd_cents: np.ndarray
    # cumulative popularity per (eco preference, product), products grouped by category
    cum: np.ndarray
    cat_lo: np.ndarray
    cat_hi: np.ndarray

    def sample(self, rng: np.random.Generator, category: np.ndarray, eco_pref: np.ndarray) -> np.ndarray:
        n = len(category)
        out = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        for pref in (0, 1):
            rows = np.flatnonzero(eco_pref == pref)
            if not len(rows):
                continue
            cum = self.cum[pref]
            lo = np.where(self.cat_lo[category[rows]] > 0, cum[self.cat_lo[category[rows]] - 1], 0.0)
            hi = cum[self.cat_hi[category[rows]] - 1]
            target = lo + u[rows] * (hi - lo)
            out[rows] = np.searchsorted(cum, target, side="right")
        return np.minimum(out, self.cat_hi[category] - 1)


def make_products(rng: np.random.Generator) -> _Products:
    category, eco, krw, names = [], [], [], []
    for c, (_slug, _title, count, low, high, _pop, nouns) in enumerate(CATEGORIES):
        is_eco = np.ones(count, bool) if c == ECO_CATEGORY else rng.random(count) < 0.25
        # Log-uniform list prices ending in 900 or 000, as Korean shops price.
        price = np.exp(rng.uniform(np.log(low), np.log(high), count))
        price = np.maximum(np.round(price / 1000) * 1000 - np.where(rng.random(count) < 0.6, 100, 0), 900)
        noun = rng.integers(0, len(nouns), count)
        adjective = np.where(
            is_eco, rng.integers(0, len(ECO_ADJECTIVES), count), rng.integers(0, len(ADJECTIVES), count)
        )
        for k in range(count):
            adj = ECO_ADJECTIVES[adjective[k]] if is_eco[k] else ADJECTIVES[adjective[k]]
            names.append(f"{adj} {nouns[noun[k]]}")
        category.append(np.full(count, c))
        eco.append(is_eco)
        krw.append(price.astype(np.int64))
    category_arr = np.concatenate(category)
    eco_arr = np.concatenate(eco)
    krw_arr = np.concatenate(krw)
    n = len(category_arr)
    # USD list prices at roughly 1,350 KRW/USD, ending in .99 like a global storefront.
    usd_cents = np.maximum(np.floor(krw_arr / 1350), 1).astype(np.int64) * 100 - 1
    numbers = np.arange(1, n + 1)
    ids = prefixed_ids("P", numbers, 4)
    popularity = 1.0 / (1 + rng.permutation(np.arange(n)) % 40) ** 0.9  # Zipf-like within category
    cum = np.stack([np.cumsum(popularity), np.cumsum(popularity * np.where(eco_arr, 4.0, 1.0))])
    bounds = np.cumsum([c[2] for c in CATEGORIES])
    return _Products(
        ids=ids,
        titles=plain([f"{name} | {SHOP}" for name in names]),
        paths=pc.binary_join_element_wise("/products/", ids, ""),
        category=category_arr,
        eco=eco_arr,
        krw=krw_arr,
        usd_cents=usd_cents,
        cum=cum,
        cat_lo=bounds - np.array([c[2] for c in CATEGORIES]),
        cat_hi=bounds,
    )


@dataclass
class _Customers:
    n: int
    ids: pa.Array
    in_window: np.ndarray  # signed up inside the window
    anchor_ms: np.ndarray  # sign-up (pre-window) or first activity (in-window)
    region: np.ndarray
    interests: np.ndarray  # (n, len(INTERESTS)) bool
    birth_year: np.ndarray  # 0 = unknown
    gender: np.ndarray  # -1 = unknown
    education: np.ndarray  # -1 = unknown
    opt_in: np.ndarray
    email: pa.Array
    in_crm: np.ndarray
    session_rate: np.ndarray  # sessions per day over all devices
    cart_propensity: np.ndarray
    active_until_ms: np.ndarray
    spend_level: np.ndarray
    mood: np.ndarray  # persistent satisfaction offset for surveys
    store_rate: np.ndarray  # store orders per day


def make_customers(rng: np.random.Generator, n: int, window: Window, clock: ActivityClock) -> _Customers:
    new_share = min(0.5, 0.01 * window.days)
    in_window = rng.random(n) < new_share
    region = rng.choice(len(REGIONS), n, p=[r[1] for r in REGIONS])
    anchor = np.empty(n, dtype=np.int64)
    # Pre-window sign-ups spread over three years, denser recently.
    pre = ~in_window
    anchor[pre] = window.t0 - (rng.beta(1.0, 1.6, pre.sum()) * 1095 * DAY_MS).astype(np.int64) - 1
    for tz in TIME_ZONES:
        rows = np.flatnonzero(in_window & (REGION_TZ[region] == tz))
        # Leave the last ~5% of the window so that a new customer has time to sign up.
        activity = rng.uniform(0, clock.total(tz) * 0.95, len(rows))
        anchor[rows] = clock.to_time(tz, activity)
    # Customer ids follow sign-up order, as a CRM sequence would.
    order = np.argsort(anchor, kind="stable")
    in_window, region, anchor = in_window[order], region[order], anchor[order]

    interests = rng.random((n, len(INTERESTS))) < INTEREST_SHARE
    age = np.clip(rng.normal(36, 11, n), 16, 80).astype(np.int64)
    birth_year = np.where(rng.random(n) < 0.03, 0, window.start.year - age)
    gender = rng.choice([0, 1, 2, -1], n, p=[0.50, 0.40, 0.03, 0.07])
    education = rng.choice([0, 1, 2, 3, -1], n, p=[0.25, 0.45, 0.15, 0.04, 0.11])
    opt_in = rng.random(n) < np.where(interests[:, 0], 0.7, 0.55)
    first = plain(FIRST_NAMES).take(pa.array(rng.integers(0, len(FIRST_NAMES), n)))
    last = plain(LAST_NAMES).take(pa.array(rng.integers(0, len(LAST_NAMES), n)))
    domain = plain(MAIL_DOMAINS).take(pa.array(rng.integers(0, len(MAIL_DOMAINS), n)))
    email = pc.binary_join_element_wise(first, ".", last, integer_texts(np.arange(1, n + 1)), "@", domain, "")
    width = max(5, len(str(n)))

    session_rate = rng.gamma(0.8, 0.5 / 0.8, n)
    mean_life_days = 200 * rng.gamma(2.0, 0.5, n)
    life_start = np.where(in_window, anchor, window.t0)
    active_until = life_start + (rng.exponential(1.0, n) * mean_life_days * DAY_MS).astype(np.int64)
    dormant = ~in_window & (rng.random(n) < 0.30)
    active_until[dormant] = window.t0
    return _Customers(
        n=n,
        ids=prefixed_ids("C", np.arange(1, n + 1), width),
        in_window=in_window,
        anchor_ms=anchor,
        region=region,
        interests=interests,
        birth_year=birth_year,
        gender=gender,
        education=education,
        opt_in=opt_in,
        email=email,
        in_crm=in_window | (rng.random(n) < 0.92),
        session_rate=session_rate,
        cart_propensity=rng.beta(2.5, 8, n),
        active_until_ms=np.minimum(active_until, window.end),
        spend_level=rng.gamma(5.0, 0.2, n),
        mood=rng.normal(0, 0.6, n),
        store_rate=np.zeros(n),
    )


@dataclass
class _Devices:
    n: int
    anonymous_ids: pa.Array
    owner: np.ndarray  # customer index, -1 for anonymous-only visitors
    second_owner: np.ndarray  # the other customer of a shared device, else -1
    rate_share: np.ndarray  # share of the owner's session rate
    platform: np.ndarray
    device_type: np.ndarray
    region: np.ndarray  # -1 = unknown (no geo-IP match)
    tz: np.ndarray
    ts_style: np.ndarray
    usd: np.ndarray
    eco: np.ndarray
    category_cum: np.ndarray  # (n, categories) cumulative category preference
    first_login: np.ndarray  # session index at which a customer device first logs in
    signup_device: np.ndarray
    variants: dict[str, np.ndarray]


def make_devices(rng: np.random.Generator, customers: _Customers, window: Window) -> _Devices:
    n_c = customers.n
    per_customer = np.where(customers.in_window, 1, rng.choice([0, 1, 2], n_c, p=[0.07, 0.65, 0.28]))
    # Customers without a device buy in the store; a few device users do too.
    customers.store_rate[:] = np.where(per_customer == 0, 0.015, 0.0006) * rng.gamma(2.0, 0.5, n_c)
    owner_c = np.repeat(np.arange(n_c), per_customer)
    nth = np.arange(len(owner_c)) - np.repeat(np.cumsum(per_customer) - per_customer, per_customer)
    share = np.where(per_customer[owner_c] == 2, np.where(nth == 0, 0.7, 0.3), 1.0)
    n_anon = int(round(0.3 * n_c * window.days))
    n = len(owner_c) + n_anon
    owner = np.concatenate([owner_c, np.full(n_anon, -1)])

    anon_region = np.where(
        rng.random(n_anon) < 0.06, -1, rng.choice(len(REGIONS), n_anon, p=[r[1] for r in REGIONS])
    )
    region = np.concatenate([customers.region[owner_c], anon_region])
    platform = rng.choice(3, n, p=[0.38, 0.25, 0.37])
    device_type = np.where(
        platform == 0,
        rng.choice(3, n, p=[0.55, 0.38, 0.07]),
        np.where(rng.random(n) < np.where(platform == 1, 0.85, 0.92), 1, 2),
    )
    tz = np.where(region >= 0, REGION_TZ[np.maximum(region, 0)], 9)
    usd = (region >= 0) & REGION_USD[np.maximum(region, 0)]
    korean = (region < 0) | ~REGION_USD[np.maximum(region, 0)]
    # Korean devices mostly send local time; servers and foreign devices send UTC.
    ts_style = np.where(korean, rng.choice(3, n, p=[0.15, 0.10, 0.75]), rng.choice(3, n, p=[0.6, 0.4, 0.0]))
    interests = np.concatenate(
        [customers.interests[owner_c], rng.random((n_anon, len(INTERESTS))) < INTEREST_SHARE]
    )
    weights = np.array([c[5] for c in CATEGORIES]) * (1 + 3 * (interests @ INTEREST_CATEGORIES))
    category_cum = np.cumsum(weights / weights.sum(1, keepdims=True), axis=1)
    first_login = np.where(rng.random(n) < 0.75, 0, rng.integers(1, 4, n))
    signup_device = np.zeros(n, bool)
    signup_device[: len(owner_c)] = customers.in_window[owner_c]
    # A new customer signs up in the 1st, 2nd or 3rd session of the window.
    first_login = np.where(signup_device, rng.choice(3, n, p=[0.55, 0.3, 0.15]), first_login)

    second_owner = np.full(n, -1)
    candidates = np.flatnonzero(
        (owner >= 0) & ~signup_device & (customers.active_until_ms[np.maximum(owner, 0)] > window.t0)
    )
    if len(candidates) >= 4:
        shared = rng.choice(candidates, 2, replace=False)
        others = np.setdiff1d(np.flatnonzero(~customers.in_window), owner[shared])
        second_owner[shared] = rng.choice(others, 2, replace=False)

    anon_numbers = rng.integers(0, 2**48, n, dtype=np.uint64)
    while True:  # ids must be unique; a clash is astronomically rare but cheap to rule out
        _, first_seen, counts = np.unique(anon_numbers, return_index=True, return_counts=True)
        if np.all(counts == 1):
            break
        clash = np.setdiff1d(np.arange(n), first_seen)
        anon_numbers[clash] = rng.integers(0, 2**48, len(clash), dtype=np.uint64)
    mat = np.empty((n, 14), dtype=np.uint8)
    mat[:, :2] = np.frombuffer(b"a-", dtype=np.uint8)
    mat[:, 2:] = hex_matrix(anon_numbers, 12)
    variants = {exp: rng.integers(0, len(effects), n) for exp, effects in EXPERIMENT_EFFECTS.items()}
    return _Devices(
        n=n,
        anonymous_ids=from_matrix(mat),
        owner=owner,
        second_owner=second_owner,
        rate_share=np.concatenate([share, np.zeros(n_anon)]),
        platform=platform,
        device_type=device_type,
        region=region,
        tz=tz,
        ts_style=ts_style,
        usd=usd,
        eco=interests[:, 0],
        category_cum=category_cum,
        first_login=first_login,
        signup_device=signup_device,
        variants=variants,
    )


@dataclass
class Campaigns:
    platform: list[str]
    name: list[str]
    medium: list[str]
    owned: np.ndarray
    weight: np.ndarray  # (days, campaigns) daily budget weight, 0 when not running


def make_campaigns(window: Window) -> Campaigns:
    rows: list[tuple[str, str, str, bool, np.ndarray]] = []

    def span(weight: float, frm: float, to: float) -> np.ndarray:
        first = int(np.floor(frm * window.days))
        last = max(first + 1, int(np.ceil(to * window.days)))
        w = np.zeros(window.days)
        w[first:last] = weight
        return w

    for platform, name, medium, weight, frm, to in PAID_CAMPAIGNS:
        rows.append((platform, name, medium, False, span(weight, frm, to)))
    for platform, name, medium, weight, frm, to in OWNED_CAMPAIGNS:
        rows.append((platform, name, medium, True, span(weight, frm, to)))
    # A newsletter goes out every Tuesday and keeps bringing readers for two more days.
    for d in range(window.days):
        day = window.date(d)
        if day.weekday() == 1:
            w = np.zeros(window.days)
            w[d : d + 3] = [1.0, 0.4, 0.15][: window.days - d]
            rows.append(("email", f"newsletter_w{day.isocalendar().week:02d}", "email", True, w))
    return Campaigns(
        platform=[r[0] for r in rows],
        name=[r[1] for r in rows],
        medium=[r[2] for r in rows],
        owned=np.array([r[3] for r in rows]),
        weight=np.stack([r[4] for r in rows], axis=1),
    )


@dataclass
class World:
    window: Window
    clock: ActivityClock
    products: _Products
    customers: _Customers
    devices: _Devices
    campaigns: Campaigns
