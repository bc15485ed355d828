"""Sessions: when each device visits, and the shape of every visit.

Sessions. Per device, N ~ Poisson(rate x active days) sessions placed uniformly on the activity
clock with a minimum spacing of 6 activity-hours (>= 2.7 real hours at the busiest hour) and
session durations capped at 100 minutes, so a gap between sessions always exceeds 30 minutes
and a gap inside a session never does (inside gaps are log-normal, capped at 20 min). A session is
a sequence of page "units": an optional email open/click, the landing page, a login or sign-up
step, browse pages (product, category, search, blog, home, account), then the funnel steps cart
-> checkout -> purchase with probabilities cart ~ customer propensity (x1.6 for retargeting
traffic), checkout 0.6, purchase 0.6 (only for a logged-in visitor), and an optional chatbot
conversation. 30% of web (20% of app) sessions bounce. Extra events are sprinkled on pages: ad
impressions and clicks, social shares, and rarely an unknown `video_play`.

Acquisition. 28% of sessions come from a paid campaign, 20% of a logged-in opted-in customer's
sessions from an email/SMS campaign on the days one runs; campaigns are picked in proportion to
their daily budget weight. The rest are direct, organic search, organic social or referral. The
marketing extract is then derived from the sessions each campaign really brought: clicks =
sessions x U(1.1, 1.5) + noise, impressions from a platform CTR, spend from a platform CPC
(KRW for naver, kakao and sms, USD otherwise), followers a cumulative daily count.

Experiments. Every device gets a sticky random variant per experiment. `exp_checkout_button` is
exposed on the cart page of the first session reaching the cart; from that session on, the
treatment multiplies P(purchase | checkout) by 1.25, so P(purchase | exposed cart session) is
multiplied by exactly that factor. On the contract's A/B metric (a purchase within 7 days of
the first exposure) the lift is smaller, about 1.15, because later sessions add purchases in both
arms. `exp_free_shipping_banner` (three variants) is exposed on the landing page of the first
non-bounce session after it starts (15% into the window) and has no effect.

Bots. A share of anonymous web devices (`BOT_DEVICE_SHARE`) are crawlers: every session of theirs
fetches 10-30 pages 0.4-2.5 s apart, direct, never bouncing, logging in, buying, chatting, seeing
an experiment, an ad or sharing. The warehouse flags them by its rule (`fct_sessions.is_bot`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.sample.vocabulary import (
    DAY_MS,
    EXPERIMENT_EFFECTS,
    LANDING_KINDS,
    ORGANIC_SEARCH_REFERRERS,
    OTHER_REFERRERS,
    PLATFORM_REFERRER,
    REFERRERS,
    SESSION_SPACING_HOURS,
    SOCIAL_REFERRERS,
    TIME_ZONES,
)
from orchestration.sample.world import Campaigns, World

BOT_DEVICE_SHARE = 0.1  # of anonymous web devices: about 2% of sessions, as a small shop sees
BOT_PAGES = (10, 30)  # pages after the landing page, inclusive
BOT_GAP_MS = (400, 2_500)  # between a crawler's requests


@dataclass
class Sessions:
    """One row per session, sorted by start time. Everything about a session's shape is decided
    here; the events themselves are expanded day by day."""

    device: np.ndarray
    start_ms: np.ndarray
    state: np.ndarray  # 0 anonymous, 1 logged in throughout, 2 logs in, 3 signs up
    customer: np.ndarray  # customer the session logs in as (-1 when anonymous)
    bounce: np.ndarray
    browse: np.ndarray  # browse pages after the landing page
    landing_kind: np.ndarray
    campaign: np.ndarray  # -1 = organic
    referrer: np.ndarray  # index into REFERRERS, -1 = none
    cart: np.ndarray
    checkout: np.ndarray
    purchase: np.ndarray
    chat: np.ndarray  # chatbot messages
    bot: np.ndarray  # a crawler's session
    exposed: dict[str, np.ndarray]
    late_days: np.ndarray
    eco: np.ndarray


def _place_sessions(rng: np.random.Generator, world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(device, start, rank within device) of every session, grouped by device in time order."""
    cust, dev, window, clock = world.customers, world.devices, world.window, world.clock
    owner = np.maximum(dev.owner, 0)
    is_customer = dev.owner >= 0
    start = np.where(is_customer & cust.in_window[owner], cust.anchor_ms[owner], window.t0)
    stop = np.where(is_customer, cust.active_until_ms[owner], 0)
    anon = np.flatnonzero(~is_customer)
    lo_act = np.zeros(dev.n)
    hi_act = np.zeros(dev.n)
    for tz in TIME_ZONES:
        rows = np.flatnonzero(dev.tz == tz)
        lo_act[rows] = clock.to_activity(tz, start[rows])
        hi_act[rows] = clock.to_activity(tz, np.maximum(stop[rows], start[rows]))
        anon_rows = np.intersect1d(rows, anon)
        # Anonymous visitors turn up at a random moment and return within a week, if at all.
        lo_act[anon_rows] = rng.uniform(0, clock.total(tz), len(anon_rows))
        week_later = clock.to_time(tz, lo_act[anon_rows]) + 7 * DAY_MS
        hi_act[anon_rows] = clock.to_activity(tz, np.minimum(week_later, window.end))
    active_days = np.maximum(stop - start, 0) / DAY_MS
    expected = np.where(is_customer, cust.session_rate[owner] * dev.rate_share * active_days, 0.0)
    count = np.where(is_customer, rng.poisson(expected), 1 + rng.poisson(0.45, dev.n))
    count = np.where(dev.signup_device, np.maximum(count, 1), count)
    length = np.maximum(hi_act - lo_act, 0)
    count = np.minimum(count, np.floor(length / SESSION_SPACING_HOURS).astype(np.int64) + 1)
    count = np.where(hi_act > lo_act, count, 0)

    device = np.repeat(np.arange(dev.n), count)
    first = np.cumsum(count) - count
    rank = np.arange(len(device)) - first[device]
    slack = length[device] - (count[device] - 1) * SESSION_SPACING_HOURS
    u = rng.random(len(device)) * slack
    # Sorting the offsets inside each device and adding rank x spacing keeps sessions apart.
    order = np.lexsort((u, device))
    activity = lo_act[device] + u[order] + rank * SESSION_SPACING_HOURS
    start_ms = np.empty(len(device), dtype=np.int64)
    for tz in TIME_ZONES:
        rows = np.flatnonzero(dev.tz[device] == tz)
        start_ms[rows] = clock.to_time(tz, activity[rows])
    start_ms = np.minimum(start_ms, window.end - 1)
    return device, start_ms, rank


def _first_per_device(n_devices: int, device: np.ndarray, start: np.ndarray, mask: np.ndarray) -> np.ndarray:
    first = np.full(n_devices, np.iinfo(np.int64).max)
    np.minimum.at(first, device[mask], start[mask])
    return first


def plan_sessions(rng: np.random.Generator, world: World) -> Sessions:
    cust, dev, window, camps = world.customers, world.devices, world.window, world.campaigns
    device, start, rank = _place_sessions(rng, world)
    n = len(device)
    owner = dev.owner[device]
    app = dev.platform[device] > 0

    # Login state follows the device's history: anonymous until its first login, then mostly
    # remembered; shared devices log in every time.
    k = dev.first_login[device]
    # A new customer must sign up in one of the sessions they have.
    sessions_of_device = np.bincount(device, minlength=dev.n)[device]
    k = np.where(dev.signup_device[device], np.minimum(k, sessions_of_device - 1), k)
    remembered = np.where(rng.random(n) < 0.9, 1, 2)
    state = np.where(rank < k, 0, np.where(rank == k, np.where(k > 0, 2, remembered), remembered))
    state = np.where(dev.signup_device[device] & (rank == k), 3, state)
    shared = dev.second_owner[device] >= 0
    state = np.where(shared, 2, state)
    state = np.where(owner < 0, 0, state)
    customer = np.where(shared & (rng.random(n) < 0.5), dev.second_owner[device], owner)
    customer = np.where(state > 0, customer, -1)

    # Crawlers are anonymous web devices (apps are not crawled) that never log in.
    bot = (rng.random(dev.n) < BOT_DEVICE_SHARE)[device] & (owner < 0) & ~app
    bounce = (rng.random(n) < np.where(app, 0.2, 0.3)) & (state != 3) & ~bot
    # A visitor who bounces never got to log in.
    state = np.where(bounce & (state == 2), 0, state)
    customer = np.where(state > 0, customer, -1)
    browse = np.where(bounce, 0, np.minimum(rng.geometric(0.26, n), 24))
    browse = np.where(bot, rng.integers(BOT_PAGES[0], BOT_PAGES[1] + 1, n), browse)

    day = window.day_index(start)
    paid = rng.random(n) < 0.28
    campaign = np.where(paid, _pick_campaigns(rng, camps.weight[:, ~camps.owned], day), -1)
    paid_ids = np.flatnonzero(~camps.owned)
    campaign = np.where(campaign >= 0, paid_ids[np.maximum(campaign, 0)], -1)
    eligible = (campaign < 0) & (state == 1) & cust.opt_in[np.maximum(customer, 0)]
    owned = eligible & (rng.random(n) < 0.2)
    owned_pick = _pick_campaigns(rng, camps.weight[:, camps.owned], day)
    owned_ids = np.flatnonzero(camps.owned)
    campaign = np.where(owned & (owned_pick >= 0), owned_ids[np.maximum(owned_pick, 0)], campaign)

    campaign = np.where(bot, -1, campaign)
    referrer = np.where(bot, -1, _pick_referrers(rng, campaign, camps, app))
    landing_kind = np.where(
        (campaign < 0) & (referrer < 0),
        rng.choice(LANDING_KINDS, n, p=[0.7, 0.15, 0.1, 0.05]),
        rng.choice(LANDING_KINDS, n, p=[0.25, 0.45, 0.2, 0.1]),
    )
    camp_names = np.array(camps.name + [""])
    retargeting = camp_names[campaign] == "retargeting"
    eco = dev.eco[device] | (camp_names[campaign] == "eco_launch")

    propensity = np.where(owner >= 0, cust.cart_propensity[np.maximum(owner, 0)], 0.06)
    cart = ~bounce & ~bot & (rng.random(n) < np.minimum(propensity * np.where(retargeting, 1.6, 1.0), 0.9))
    checkout = cart & (rng.random(n) < np.where(state > 0, 0.6, 0.3))

    exposed: dict[str, np.ndarray] = {}
    first_cart = _first_per_device(dev.n, device, start, cart)
    exposed["exp_checkout_button"] = cart & (start == first_cart[device])
    banner_from = window.t0 + int(0.15 * window.days) * DAY_MS
    banner_seen = ~bounce & ~bot & (start >= banner_from)
    first_banner = _first_per_device(dev.n, device, start, banner_seen)
    exposed["exp_free_shipping_banner"] = banner_seen & (start == first_banner[device])
    # The effect applies from the exposed session on (a visitor who saw the variant keeps it).
    tested_from = {"exp_checkout_button": first_cart, "exp_free_shipping_banner": first_banner}
    multiplier = np.ones(n)
    for exp, effects in EXPERIMENT_EFFECTS.items():
        factors = np.array(list(effects.values()))[dev.variants[exp][device]]
        multiplier *= np.where(start >= tested_from[exp][device], factors, 1.0)
    purchase = checkout & (state > 0) & (rng.random(n) < 0.6 * multiplier)

    chat_p = np.where(state > 0, 0.05, 0.02)
    chat = np.where(~bounce & ~bot & (rng.random(n) < chat_p), np.minimum(1 + rng.geometric(0.22, n), 20), 0)
    late = rng.random(n) < np.where(app, 0.035, 0.005)
    late_days = np.where(late, rng.integers(1, 4, n), 0)

    order = np.lexsort((device, start))
    return Sessions(
        device=device[order],
        start_ms=start[order],
        state=state[order],
        customer=customer[order],
        bounce=bounce[order],
        browse=browse[order],
        landing_kind=landing_kind[order],
        campaign=campaign[order],
        referrer=referrer[order],
        cart=cart[order],
        checkout=checkout[order],
        purchase=purchase[order],
        chat=chat[order],
        bot=bot[order],
        exposed={k: v[order] for k, v in exposed.items()},
        late_days=late_days[order],
        eco=eco[order],
    )


def _pick_campaigns(rng: np.random.Generator, weight: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A campaign per session in proportion to that day's weights; -1 if none is running."""
    if weight.shape[1] == 0:
        return np.full(len(day), -1)
    rows = weight[np.clip(day, 0, weight.shape[0] - 1)]
    total = rows.sum(1)
    cum = np.cumsum(rows, axis=1)
    u = rng.random(len(day)) * total
    pick = (cum <= u[:, None]).sum(1)
    return np.where(total > 0, np.minimum(pick, weight.shape[1] - 1), -1)


def _pick_referrers(
    rng: np.random.Generator, campaign: np.ndarray, camps: Campaigns, app: np.ndarray
) -> np.ndarray:
    n = len(campaign)
    offsets = np.cumsum([0, len(ORGANIC_SEARCH_REFERRERS), len(SOCIAL_REFERRERS), len(OTHER_REFERRERS)])
    sizes = np.diff(offsets)
    channel = rng.choice(4, n, p=[0.36, 0.36, 0.14, 0.14])  # direct, search, social, referral
    within = (rng.random(n) * sizes[np.maximum(channel - 1, 0)]).astype(np.int64)
    referrer = np.where(channel == 0, -1, offsets[np.maximum(channel - 1, 0)] + within)
    platform_ref = np.array(
        [REFERRERS.index(PLATFORM_REFERRER[p]) if p in PLATFORM_REFERRER else -1 for p in camps.platform]
        + [-1]
    )
    referrer = np.where(campaign >= 0, platform_ref[campaign], referrer)
    return np.where(app, -1, referrer)  # apps send no referrer
