"""Events: a slice of sessions (all starting on one day) expanded into event lines, orders and
the facts later extracts need (sign-ups, chats)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample.orders import OrderBatch, occurrence_rank, order_lines
from orchestration.sample.properties import event_properties
from orchestration.sample.sessions import BOT_GAP_MS, Sessions
from orchestration.sample.text import json_object, plain, prefixed_ids, scatter, take, timestamps, uuids
from orchestration.sample.vocabulary import (
    BLOG_POSTS,
    BROWSE_KINDS,
    BROWSE_P,
    CATEGORIES,
    DEVICE_TYPES,
    ECO_CATEGORY,
    EXPERIMENT_EFFECTS,
    FIXED_PAGES,
    KIND_ACCOUNT,
    KIND_BLOG,
    KIND_CATEGORY,
    KIND_HOME,
    KIND_NONE,
    KIND_PRODUCT,
    KIND_SEARCH,
    MAX_SESSION_MS,
    MINUTE_MS,
    PAGE_ACCOUNT,
    PAGE_CART,
    PAGE_CHECKOUT,
    PAGE_HELP,
    PAGE_HOME,
    PAGE_LOGIN,
    PAGE_SIGNUP,
    PAGE_THANKS,
    PLATFORMS,
    REFERRERS,
    REGION_NAMES,
    SEARCH_TERMS,
    SHARE_NETWORKS,
    SHARE_P,
    SHOP,
    SLOTS,
    S,
)
from orchestration.sample.world import World


@dataclass
class ChunkEvents:
    lines: pa.Array
    occurred_ms: np.ndarray
    arrival: np.ndarray
    orders: OrderBatch
    signups: tuple[np.ndarray, np.ndarray]  # customer, ms
    chats: tuple[np.ndarray, np.ndarray, np.ndarray]  # customer, end ms, messages


class EventBuilder:
    """Expands a slice of sessions (all starting on one day) into events, orders and side facts."""

    def __init__(self, world: World, sessions: Sessions) -> None:
        self.world = world
        self.s = sessions
        self.orders_so_far = np.zeros(world.customers.n, dtype=np.int64)
        self.next_order = 1
        camps = world.campaigns
        self.utm_source = plain(camps.platform)
        self.utm_medium = plain(camps.medium)
        self.utm_campaign = plain(camps.name)
        self.event_types = plain(SLOTS)
        self.referrers = plain(REFERRERS)
        self.regions = plain(REGION_NAMES)
        self.platforms = plain(PLATFORMS)
        self.device_types = plain(DEVICE_TYPES)
        self.share_networks = plain(SHARE_NETWORKS)
        products = world.products
        # One page vocabulary: fixed pages, products, categories, searches, blog posts.
        self.page_base = {"product": len(FIXED_PAGES)}
        self.page_base["category"] = self.page_base["product"] + len(products.category)
        self.page_base["search"] = self.page_base["category"] + len(CATEGORIES)
        self.page_base["blog"] = self.page_base["search"] + len(SEARCH_TERMS)
        paths = [p for p, _ in FIXED_PAGES] + products.paths.to_pylist()
        paths += [f"/category/{c[0]}" for c in CATEGORIES]
        paths += [f"/search?q={urllib.parse.quote_plus(t)}" for t in SEARCH_TERMS]
        paths += [f"/blog/{slug}" for slug, _ in BLOG_POSTS]
        titles = [t for _, t in FIXED_PAGES] + products.titles.to_pylist()
        titles += [f"{c[1]} | {SHOP}" for c in CATEGORIES]
        titles += [f"Search: {t} | {SHOP}" for t in SEARCH_TERMS]
        titles += [f"{title} | {SHOP} Journal" for _, title in BLOG_POSTS]
        self.page_paths = plain(paths)
        self.page_titles = plain(titles)
        self.experiment_ids = plain(list(EXPERIMENT_EFFECTS))
        self.variant_names = {exp: plain(list(eff)) for exp, eff in EXPERIMENT_EFFECTS.items()}

    def build(self, rng: np.random.Generator, lo: int, hi: int) -> ChunkEvents:
        s, world = self.s, self.world
        dev, window = world.devices, world.window
        sess = np.arange(lo, hi)
        n_s = len(sess)
        camp_platform = np.array(world.campaigns.platform + [""])
        email = camp_platform[s.campaign[sess]] == "email"
        # Units: one page (or email / chat message) each, in phase order inside the session.
        counts = np.stack(
            [
                email,
                np.ones(n_s, bool),
                s.state[sess] >= 2,
                s.browse[sess],
                s.cart[sess],
                s.checkout[sess],
                s.purchase[sess],
                s.chat[sess] > 0,
                s.chat[sess],
            ],
            axis=1,
        ).astype(np.int64)
        flat = counts.ravel()
        unit_sess = np.repeat(np.repeat(np.arange(n_s), counts.shape[1]), flat)
        unit_phase = np.repeat(np.tile(np.arange(counts.shape[1]), n_s), flat)
        unit_k = np.arange(len(unit_phase)) - np.repeat(np.cumsum(flat) - flat, flat)
        n_u = len(unit_phase)
        g = sess[unit_sess]  # global session index per unit

        kind = np.full(n_u, KIND_NONE)
        kind[unit_phase == 1] = s.landing_kind[g[unit_phase == 1]]
        browse = unit_phase == 3
        kind[browse] = rng.choice(BROWSE_KINDS, browse.sum(), p=BROWSE_P)
        last_browse = browse & (unit_k == s.browse[g] - 1)
        add_to_cart = last_browse & s.cart[g]
        kind[add_to_cart] = KIND_PRODUCT
        page = np.full(n_u, -1)
        fixed_for_phase = np.array(
            [-1, -1, -1, -1, PAGE_CART, PAGE_CHECKOUT, PAGE_THANKS, PAGE_HELP, PAGE_HELP]
        )
        page = np.where(unit_phase >= 4, fixed_for_phase[unit_phase], page)
        page = np.where(unit_phase == 2, np.where(s.state[g] == 3, PAGE_SIGNUP, PAGE_LOGIN), page)
        page = np.where(kind == KIND_HOME, PAGE_HOME, page)
        page = np.where(kind == KIND_ACCOUNT, PAGE_ACCOUNT, page)
        category = (dev.category_cum[s.device[g]] < rng.random(n_u)[:, None]).sum(1)
        category = np.minimum(category, len(CATEGORIES) - 1)
        category = np.where(s.eco[g] & (rng.random(n_u) < 0.3), ECO_CATEGORY, category)
        product = np.where(
            kind == KIND_PRODUCT, world.products.sample(rng, category, s.eco[g].astype(int)), -1
        )
        page = np.where(kind == KIND_PRODUCT, self.page_base["product"] + product, page)
        page = np.where(kind == KIND_CATEGORY, self.page_base["category"] + category, page)
        term = np.minimum(rng.zipf(1.6, n_u) - 1, len(SEARCH_TERMS) - 1)
        page = np.where(kind == KIND_SEARCH, self.page_base["search"] + term, page)
        page = np.where(
            kind == KIND_BLOG, self.page_base["blog"] + rng.integers(0, len(BLOG_POSTS), n_u), page
        )

        # Which events each unit holds, in SLOTS order.
        content = np.isin(unit_phase, [1, 3]) & ~s.bounce[g] & ~s.bot[g]
        mask = np.zeros((n_u, len(SLOTS)), bool)
        mask[:, S["email_open"]] = unit_phase == 0
        mask[:, S["email_click"]] = unit_phase == 0
        mask[:, S["search"]] = kind == KIND_SEARCH
        mask[:, S["page_view"]] = (unit_phase != 0) & (unit_phase != 8)
        mask[:, S["signup"]] = (unit_phase == 2) & (s.state[g] == 3)
        mask[:, S["login"]] = (unit_phase == 2) & (s.state[g] == 2)
        banner = (unit_phase == 1) & s.exposed["exp_free_shipping_banner"][g]
        checkout_test = (unit_phase == 4) & s.exposed["exp_checkout_button"][g]
        mask[:, S["experiment_exposure"]] = banner | checkout_test
        ad_page = content & np.isin(kind, [KIND_HOME, KIND_CATEGORY, KIND_SEARCH, KIND_PRODUCT])
        mask[:, S["ad_impression"]] = ad_page & (rng.random(n_u) < 0.05)
        mask[:, S["ad_click"]] = mask[:, S["ad_impression"]] & (rng.random(n_u) < 0.18)
        story_page = content & np.isin(kind, [KIND_PRODUCT, KIND_BLOG])
        mask[:, S["video_play"]] = story_page & (rng.random(n_u) < 0.004)
        mask[:, S["social_share"]] = story_page & (rng.random(n_u) < 0.03)
        mask[:, S["add_to_cart"]] = add_to_cart
        mask[:, S["begin_checkout"]] = unit_phase == 5
        mask[:, S["purchase"]] = unit_phase == 6
        mask[:, S["chatbot_message"]] = unit_phase == 8

        ev_unit, slot = np.nonzero(mask)
        n_e = len(ev_unit)
        ev_sess = unit_sess[ev_unit]
        ev_g = sess[ev_sess]
        first_in_session = np.r_[True, ev_sess[1:] != ev_sess[:-1]]
        first_in_unit = np.r_[True, ev_unit[1:] != ev_unit[:-1]]
        gap = np.where(
            first_in_unit,
            np.where(
                slot == S["chatbot_message"],
                rng.lognormal(np.log(18_000), 0.7, n_e),
                rng.lognormal(np.log(32_000), 1.0, n_e),
            ),
            np.where(
                slot == S["experiment_exposure"],
                rng.uniform(50, 800, n_e),
                rng.lognormal(np.log(9_000), 0.9, n_e),
            ),
        )
        gap = np.where(s.bot[ev_g], rng.uniform(BOT_GAP_MS[0], BOT_GAP_MS[1], n_e), gap)
        gap = np.clip(gap, 20, 20 * MINUTE_MS)
        gap[first_in_session] = 0
        elapsed = np.cumsum(gap)
        elapsed -= np.repeat(
            elapsed[first_in_session], np.bincount(ev_sess, minlength=n_s)[np.unique(ev_sess)]
        )
        duration = np.zeros(n_s)
        np.maximum.at(duration, ev_sess, elapsed)
        squeeze = np.minimum(1.0, MAX_SESSION_MS / np.maximum(duration, 1))
        occurred = s.start_ms[ev_g] + np.round(elapsed * squeeze[ev_sess]).astype(np.int64)

        # Orders of the purchase events in this chunk (and their add-to-cart product).
        cart_product = np.full(n_s, -1)
        is_cart = slot == S["add_to_cart"]
        cart_product[ev_sess[is_cart]] = product[ev_unit[is_cart]]
        is_purchase = (slot == S["purchase"]) & (occurred < window.end)
        order_no = np.full(n_e, -1)
        batch = self._orders(
            rng, ev_g[is_purchase], occurred[is_purchase], cart_product[ev_sess[is_purchase]]
        )
        order_no[is_purchase] = batch.number
        totals = np.zeros(len(batch.number), dtype=np.int64)
        np.add.at(totals, batch.line_order, batch.unit_minor * batch.quantity - batch.discount_minor)
        items = np.bincount(batch.line_order, minlength=len(batch.number))

        keep = occurred < window.end
        # Customer id from the login/sign-up event on (state 2/3), on every event for state 1.
        ev_index = np.arange(n_e)
        login_at = np.full(n_s, n_e)
        is_login = (slot == S["login"]) | (slot == S["signup"])
        login_at[ev_sess[is_login]] = ev_index[is_login]
        state = s.state[ev_g]
        known = (state == 1) | ((state >= 2) & (ev_index >= login_at[ev_sess]))
        customer = np.where(known, s.customer[ev_g], -1)

        e = dict(
            ev_unit=ev_unit,
            slot=slot,
            ev_g=ev_g,
            ev_sess=ev_sess,
            occurred=occurred,
            customer=customer,
            order_no=order_no,
        )
        e = {k: v[keep] for k, v in e.items()}
        e["unit_phase"] = unit_phase[e["ev_unit"]]
        e["page"] = page[e["ev_unit"]]
        e["product"] = product[e["ev_unit"]]
        e["term"] = term[e["ev_unit"]]
        order_pos = np.searchsorted(batch.number, e["order_no"])
        order_pos = np.where(e["order_no"] >= 0, order_pos, -1)
        lines = self._lines(rng, e, batch, totals, items, order_pos)

        late = s.late_days[e["ev_g"]]
        arrival = np.minimum(window.day_index(e["occurred"]) + late, window.days - 1)
        signup = e["slot"] == S["signup"]
        chat_end = np.zeros(n_s, dtype=np.int64)
        np.maximum.at(chat_end, e["ev_sess"], np.where(e["slot"] == S["chatbot_message"], e["occurred"], 0))
        chatted = (chat_end > 0) & (s.customer[sess] >= 0)
        return ChunkEvents(
            lines=lines,
            occurred_ms=e["occurred"],
            arrival=arrival,
            orders=batch,
            signups=(e["customer"][signup], e["occurred"][signup]),
            chats=(s.customer[sess][chatted], chat_end[chatted], s.chat[sess][chatted]),
        )

    def _orders(
        self, rng: np.random.Generator, g: np.ndarray, ms: np.ndarray, cart_product: np.ndarray
    ) -> OrderBatch:
        s, world = self.s, self.world
        dev = world.devices
        n = len(g)
        customer = s.customer[g]
        device = s.device[g]
        usd = dev.usd[device]
        number = self.next_order + np.arange(n)
        self.next_order += n
        prior = self.orders_so_far[customer] + occurrence_rank(customer)
        np.add.at(self.orders_so_far, customer, 1)
        camp_names = np.array(world.campaigns.name + [""])[s.campaign[g]]
        coupon = np.full(n, -1)
        coupon = np.where(rng.random(n) < 0.05, 3, coupon)
        coupon = np.where((camp_names == "eco_launch") & (rng.random(n) < 0.5), 2, coupon)
        coupon = np.where((camp_names == "autumn_sale") & (rng.random(n) < 0.6), 1, coupon)
        first_order = (prior == 0) & world.customers.in_window[customer]
        coupon = np.where(first_order & (rng.random(n) < 0.7), 0, coupon)
        order_of, line_number, product, quantity, unit, discount = order_lines(
            rng, world, customer, cart_product, device, s.eco[g], usd, coupon
        )
        return OrderBatch(
            number=number,
            store=np.zeros(n, bool),
            customer=customer,
            ordered_ms=ms,
            usd=usd,
            channel=np.where(dev.platform[device] == 0, 0, 1),
            pending=rng.random(n) < 0.06,
            coupon=coupon,
            ts_style=np.where(usd, rng.integers(0, 2, n), 2),
            line_order=order_of,
            line_number=line_number,
            product=product,
            quantity=quantity,
            unit_minor=unit,
            discount_minor=discount,
        )

    def _lines(
        self,
        rng: np.random.Generator,
        e: dict[str, np.ndarray],
        batch: OrderBatch,
        totals: np.ndarray,
        items: np.ndarray,
        order_pos: np.ndarray,
    ) -> pa.Array:
        """The JSON text of every event, built column-wise."""
        s, world = self.s, self.world
        dev = world.devices
        n = len(e["slot"])
        slot, g = e["slot"], e["ev_g"]
        device = s.device[g]
        with_utm = (e["unit_phase"] <= 1) & (s.campaign[g] >= 0)
        campaign = np.where(with_utm, s.campaign[g], -1)
        referrer = np.where(e["unit_phase"] == 1, s.referrer[g], -1)
        is_product_event = (e["product"] >= 0) & (e["unit_phase"] != 0)
        exposure = slot == S["experiment_exposure"]
        experiment = np.where(exposure, np.where(e["unit_phase"] == 4, 0, 1), -1)
        exp_names = list(EXPERIMENT_EFFECTS)
        variant_parts = []
        for x, exp in enumerate(exp_names):
            rows = np.flatnonzero(experiment == x)
            variant_parts.append((rows, take(self.variant_names[exp], dev.variants[exp][device[rows]])))
        share = slot == S["social_share"]
        network = np.where(share, rng.choice(len(SHARE_NETWORKS), n, p=SHARE_P), -1)
        order_ids = prefixed_ids("O", np.maximum(e["order_no"], 0), 8)
        usd = dev.usd[device]
        properties = event_properties(rng, world, e, usd, batch, totals, items, order_pos)
        members = [
            ("event_id", uuids(rng, n), True),
            ("event_type", self.event_types.take(pa.array(slot)), True),
            ("occurred_at", timestamps(e["occurred"], dev.ts_style[device], dev.platform[device] > 0), True),
            ("anonymous_id", dev.anonymous_ids.take(pa.array(device)), True),
            (
                "customer_id",
                pc.coalesce(
                    pc.binary_join_element_wise('"', take(world.customers.ids, e["customer"]), '"', ""),
                    "null",
                ),
                False,
            ),
            ("platform", self.platforms.take(pa.array(dev.platform[device])), True),
            ("page_path", take(self.page_paths, e["page"]), True),
            ("page_title", take(self.page_titles, e["page"]), True),
            ("referrer", take(self.referrers, referrer), True),
            ("utm_source", take(self.utm_source, campaign), True),
            ("utm_medium", take(self.utm_medium, campaign), True),
            ("utm_campaign", take(self.utm_campaign, campaign), True),
            ("device_type", self.device_types.take(pa.array(dev.device_type[device])), True),
            ("region", take(self.regions, dev.region[device]), True),
            ("product_id", take(world.products.ids, np.where(is_product_event, e["product"], -1)), True),
            ("order_id", take(order_ids, np.where(e["order_no"] >= 0, np.arange(n), -1)), True),
            ("experiment_id", take(self.experiment_ids, experiment), True),
            ("variant", scatter(n, variant_parts), True),
            ("share_network", take(self.share_networks, network), True),
            ("properties", pc.coalesce(properties, "null"), False),
        ]
        return json_object(members)
