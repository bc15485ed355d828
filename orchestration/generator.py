"""Deterministic, realistic sample extracts for the landing zone (contract §2).

`generate()` writes the five sources (events, orders, surveys, customers, marketing) as a shop's
upstream systems would drop them: one `dt=YYYY-MM-DD` folder per arrival day, gzip or plain, a few
days split into two files, and the defects real extracts carry. The same arguments always give
byte-identical files: one `numpy.random.default_rng(seed)` drives everything, nothing reads the
clock, and gzip headers carry mtime 0.

Statistical model
-----------------
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

Surveys. Post-purchase NPS/CSAT for 30% of orders (lower after a cancellation or refund),
post-chat CES (lower the longer the chat), post-support and periodic NPS. Scores come from a
latent satisfaction (customer mood + experience + noise) mapped onto each scale; some comments
in English or Korean, with commas, quotes and newlines.

Customers (CRM). The first arrival day holds the current CRM row of 92% of pre-window customers
(the rest exist only in orders/events); later days hold each sign-up (same instant as its
`signup` event) and region / opt-in changes of ~6% of customers (a newer row, later updated_at).

Delivery. Events arrive on the UTC day they occurred, except late sessions (3.5% of app, 0.5%
of web sessions, ~2.5% of events) that arrive 1-3 days later; 0.5% of events are delivered twice
(same line, in the same file or 1-2 days later). Events after the window's end are not written
(and neither are their orders); later arrivals are clamped to the last day, so every file lies in
one of the `days` folders, and every source has a file for every day (a header-only CSV on a
quiet day). Event files are gzip except every 6th day; every 4th day is split in two files. CSVs
are plain or gzip by source and day; the marketing report is an Excel-style export (byte-order
mark, CRLF). Defects that the contract says must be rejected are injected among the normal
records (events ~0.08%, CSVs at least two per kind) and counted in `GenerateSummary.defects`;
duplicates, late data and unknown event types are valid and are not counted.

Scale. With the defaults (1,000 customers, 28 days) about 115k events; events grow with
customers x days (10,000 x 30 gives ~1.2M). Sessions are planned for the whole window at once
(a few arrays per session); events are built one day at a time, in slices of sessions, and
written by background threads, so memory follows the size of one day's output.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_START: date = date(2026, 10, 1)
DEFAULT_DAYS = 28
DEFAULT_CUSTOMERS = 1000
DEFAULT_SEED = 42

SOURCES: tuple[str, ...] = ("events", "orders", "surveys", "customers", "marketing")

# Column lists of contract §2, in contract order.
CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "orders": (
        "order_id", "ordered_at", "updated_at", "customer_id", "status", "sales_channel", "currency",
        "line_number", "product_id", "product_category", "quantity", "unit_price", "line_discount",
        "coupon_code",
    ),
    "surveys": (
        "response_id", "survey_type", "customer_id", "submitted_at", "score", "trigger", "order_id",
        "channel", "comment",
    ),
    "customers": (
        "customer_id", "email", "signed_up_at", "updated_at", "birth_year", "gender", "education",
        "region", "interests", "marketing_opt_in",
    ),
    "marketing": (
        "date", "platform", "campaign", "impressions", "clicks", "spend", "currency", "reach", "likes",
        "comments", "shares", "followers",
    ),
}  # fmt: skip

EVENT_FIELDS: tuple[str, ...] = (
    "event_id", "event_type", "occurred_at", "anonymous_id", "customer_id", "platform", "page_path",
    "page_title", "referrer", "utm_source", "utm_medium", "utm_campaign", "device_type", "region",
    "product_id", "order_id", "experiment_id", "variant", "share_network", "properties",
)  # fmt: skip

EXPERIMENT_EFFECTS: dict[str, dict[str, float]] = {
    "exp_checkout_button": {"control": 1.0, "treatment": 1.25},
    "exp_free_shipping_banner": {"control": 1.0, "treatment": 1.0, "treatment_b": 1.0},
}

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

# --- vocabularies ---------------------------------------------------------------------------------

SHOP = "Haneul Market"

# name, share of people, UTC offset in October (drives the diurnal curve), pays in USD
REGIONS: tuple[tuple[str, float, int, bool], ...] = (
    ("Seoul", 0.33, 9, False), ("Gyeonggi-do", 0.24, 9, False), ("Busan", 0.08, 9, False),
    ("Incheon", 0.06, 9, False), ("Daegu", 0.05, 9, False), ("Daejeon", 0.03, 9, False),
    ("Gwangju", 0.03, 9, False), ("Ulsan", 0.02, 9, False), ("Gangwon-do", 0.02, 9, False),
    ("Jeju-do", 0.02, 9, False), ("California", 0.05, -7, True), ("New York", 0.03, -4, True),
    ("Tokyo", 0.04, 9, True),
)  # fmt: skip
REGION_NAMES = tuple(r[0] for r in REGIONS)
REGION_TZ = np.array([r[2] for r in REGIONS])
REGION_USD = np.array([r[3] for r in REGIONS])
TIME_ZONES = tuple(sorted({r[2] for r in REGIONS}))

INTERESTS = ("eco_friendly", "fitness", "fashion", "tech", "beauty", "home", "travel", "food")
INTEREST_SHARE = np.array([0.30, 0.25, 0.35, 0.25, 0.30, 0.25, 0.20, 0.30])

# slug, display name, products, KRW price range, popularity, product nouns
CATEGORIES: tuple[tuple[str, str, int, int, int, float, tuple[str, ...]], ...] = (
    ("apparel", "Apparel", 40, 19_000, 129_000, 0.20,
     ("T-Shirt", "Hoodie", "Linen Shirt", "Cardigan", "Denim Jacket", "Knit Sweater", "Chino Pants")),
    ("shoes", "Shoes", 20, 49_000, 189_000, 0.09,
     ("Sneakers", "Running Shoes", "Loafers", "Slip-ons", "Hiking Boots")),
    ("beauty", "Beauty", 35, 9_000, 79_000, 0.15,
     ("Sun Cream", "Cleansing Foam", "Toner", "Lip Balm", "Hand Cream", "Sheet Mask Set", "Serum")),
    ("home", "Home & Living", 35, 12_000, 249_000, 0.13,
     ("Linen Bedding", "Ceramic Mug", "Storage Box", "Humidifier", "Cushion Cover", "Candle")),
    ("electronics", "Electronics", 25, 29_000, 690_000, 0.10,
     ("Wireless Earbuds", "Bluetooth Speaker", "Power Bank", "Smart Watch", "Desk Lamp")),
    ("fitness", "Fitness", 25, 15_000, 299_000, 0.08,
     ("Yoga Mat", "Dumbbell Set", "Resistance Bands", "Foam Roller", "Gym Bag")),
    ("food", "Food", 20, 4_900, 39_000, 0.08,
     ("Granola", "Green Tea", "Kimchi Set", "Protein Bar Box", "Cold Brew Coffee")),
    ("travel", "Travel", 15, 25_000, 399_000, 0.05,
     ("Carry-on Suitcase", "Travel Pouch", "Neck Pillow", "Packing Cubes", "Daypack")),
    ("eco_living", "Eco Living", 25, 5_900, 59_000, 0.12,
     ("Tumbler", "Eco Bag", "Bamboo Toothbrush Set", "Beeswax Wrap", "Refill Shampoo", "Straw Set")),
)  # fmt: skip
ECO_CATEGORY = 8
# Which categories an interest pulls towards (rows: INTERESTS, columns: CATEGORIES).
INTEREST_CATEGORIES = np.zeros((len(INTERESTS), len(CATEGORIES)))
for _i, _cats in enumerate(((8,), (5, 1), (0, 1), (4,), (2,), (3,), (7,), (6,))):
    INTEREST_CATEGORIES[_i, list(_cats)] = 1.0
ECO_ADJECTIVES = ("Organic", "Recycled", "Bamboo", "Upcycled", "Plant-based", "Zero-waste")
ADJECTIVES = ("Classic", "Everyday", "Premium", "Lightweight", "Urban", "Soft", "Compact", "Signature")

SEARCH_TERMS = (
    "tumbler", "에코백", "running shoes", "비건 화장품", "linen shirt", "텀블러", "yoga mat",
    "bluetooth speaker", "캠핑 의자", "organic snacks", "가습기", "gift set", "sun cream", "후드티",
)  # fmt: skip
BLOG_POSTS = (
    ("zero-waste-kitchen-guide", "A zero-waste kitchen in 7 steps"),
    ("how-to-care-for-linen", "How to care for linen"),
    ("autumn-hiking-checklist", "Autumn hiking checklist"),
    ("eco-friendly-gift-ideas", "Eco-friendly gift ideas"),
    ("home-workout-basics", "Home workout basics"),
    ("skin-care-for-dry-weather", "Skin care for dry weather"),
    ("seoul-weekend-markets", "Seoul weekend markets we love"),
    ("packing-light-for-jeju", "Packing light for Jeju"),
)

# Page kinds of a unit; the order is the index used in the unit arrays.
PAGE_HOME, PAGE_ACCOUNT, PAGE_LOGIN, PAGE_SIGNUP, PAGE_CART, PAGE_CHECKOUT, PAGE_THANKS, PAGE_HELP = range(8)
FIXED_PAGES = (
    ("/", f"{SHOP} | Everyday goods, greener"),
    ("/account", f"My account | {SHOP}"),
    ("/login", f"Log in | {SHOP}"),
    ("/signup", f"Create your account | {SHOP}"),
    ("/cart", f"Your cart | {SHOP}"),
    ("/checkout", f"Checkout | {SHOP}"),
    ("/checkout/thank-you", f"Thank you for your order | {SHOP}"),
    ("/help", f"Help center | {SHOP}"),
)
KIND_NONE, KIND_HOME, KIND_PRODUCT, KIND_CATEGORY, KIND_SEARCH, KIND_BLOG, KIND_ACCOUNT = range(7)
BROWSE_KINDS = np.array([KIND_PRODUCT, KIND_CATEGORY, KIND_SEARCH, KIND_HOME, KIND_BLOG, KIND_ACCOUNT])
BROWSE_P = np.array([0.52, 0.17, 0.13, 0.06, 0.08, 0.04])
LANDING_KINDS = np.array([KIND_HOME, KIND_PRODUCT, KIND_CATEGORY, KIND_BLOG])

# Event types in the order they occur inside one page unit (the slot order of a unit).
SLOTS = (
    "email_open", "email_click", "search", "page_view", "signup", "login", "experiment_exposure",
    "ad_impression", "ad_click", "video_play", "social_share", "add_to_cart", "begin_checkout",
    "purchase", "chatbot_message",
)  # fmt: skip
S = {name: i for i, name in enumerate(SLOTS)}

SHARE_NETWORKS = ("kakao", "instagram", "facebook", "x", "pinterest", "band")
SHARE_P = np.array([0.32, 0.28, 0.15, 0.12, 0.08, 0.05])
PLATFORMS = ("web", "ios", "android")
DEVICE_TYPES = ("desktop", "mobile", "tablet")
CURRENCIES = ("KRW", "USD")
TS_SUFFIXES = ("Z", "+00:00", "+09:00")  # the third is written in Korean local time
ORGANIC_SEARCH_REFERRERS = (
    "https://www.google.com/", "https://search.naver.com/", "https://m.naver.com/",
    "https://m.search.daum.net/", "https://www.bing.com/",
)  # fmt: skip
SOCIAL_REFERRERS = (
    "https://www.instagram.com/", "https://l.instagram.com/", "https://m.facebook.com/",
    "https://www.tiktok.com/", "https://t.co/",
)  # fmt: skip
OTHER_REFERRERS = (
    "https://blog.naver.com/greenmom_diary", "https://www.ppomppu.co.kr/",
    "https://cafe.naver.com/zerowastekorea", "https://www.theqoo.net/",
)  # fmt: skip
PLATFORM_REFERRER = {
    "instagram": "https://l.instagram.com/", "facebook": "https://m.facebook.com/",
    "tiktok": "https://www.tiktok.com/", "google_ads": "https://www.google.com/",
    "naver": "https://search.naver.com/", "kakao": "https://talk.kakao.com/",
}  # fmt: skip
REFERRERS = ORGANIC_SEARCH_REFERRERS + SOCIAL_REFERRERS + OTHER_REFERRERS + ("https://talk.kakao.com/",)

# platform, campaign, utm_medium, budget weight, active from / to as fractions of the window
PAID_CAMPAIGNS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("instagram", "autumn_sale", "paid_social", 0.16, 0.0, 0.6),
    ("facebook", "autumn_sale", "paid_social", 0.08, 0.0, 0.6),
    ("google_ads", "autumn_sale", "cpc", 0.12, 0.0, 0.6),
    ("naver", "autumn_sale", "cpc", 0.14, 0.0, 0.6),
    ("kakao", "autumn_sale", "social", 0.06, 0.0, 0.6),
    ("instagram", "eco_launch", "paid_social", 0.12, 0.3, 1.0),
    ("tiktok", "eco_launch", "paid_social", 0.08, 0.3, 1.0),
    ("naver", "eco_launch", "cpc", 0.06, 0.3, 1.0),
    ("kakao", "eco_launch", "social", 0.04, 0.3, 1.0),
    ("facebook", "retargeting", "paid_social", 0.07, 0.0, 1.0),
    ("google_ads", "retargeting", "cpc", 0.07, 0.0, 1.0),
)
OWNED_CAMPAIGNS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("sms", "autumn_sale", "sms", 0.5, 0.05, 0.5),
    ("email", "eco_launch", "email", 0.8, 0.3, 0.45),
)
# Account-level numbers per platform: CTR, cost per click, currency, followers at the start per
# 1,000 customers, new followers per 1,000 impressions, social engagement on/off.
PLATFORM_METRICS: dict[str, tuple[float, float, str, int | None, float, bool]] = {
    "instagram": (0.009, 0.62, "USD", 48_200, 0.9, True),
    "facebook": (0.011, 0.48, "USD", 21_700, 0.4, True),
    "tiktok": (0.007, 0.41, "USD", 9_800, 1.4, True),
    "google_ads": (0.035, 0.88, "USD", None, 0.0, False),
    "naver": (0.025, 450.0, "KRW", 12_600, 0.2, False),
    "kakao": (0.015, 350.0, "KRW", 35_400, 0.7, True),
    "email": (0.030, 0.04, "USD", 600, 0.05, False),  # ~0.0012 USD per send
    "sms": (0.050, 400.0, "KRW", 450, 0.02, False),  # ~20 KRW per message
}

COUPONS = (
    # code, percent off (or 0), fixed KRW off, fixed USD cents off
    ("WELCOME10", 10, 0, 0),
    ("AUTUMN15", 15, 0, 0),
    ("ECO5000", 0, 5000, 400),
    ("THANKYOU5", 5, 0, 0),
)
PAYMENT_METHODS = ("card", "kakao_pay", "naver_pay", "toss", "apple_pay")
LOGIN_METHODS = ("email", "kakao", "naver", "apple")
CHAT_INTENTS = ("order_status", "return_request", "size_advice", "shipping_delay", "coupon_question")
AD_PLACEMENTS = ("home_hero", "search_top", "product_carousel", "category_banner")
MAIL_CLIENTS = ("gmail", "naver_mail", "apple_mail", "outlook")

FIRST_NAMES = (
    "minji", "jiwoo", "seoyeon", "hyunwoo", "jisoo", "minho", "yuna", "dongha", "soyeon", "jaehyun",
    "hana", "taeyang", "eunji", "sungmin", "chaeyoung", "junho", "emma", "liam", "sora", "kenji",
)  # fmt: skip
LAST_NAMES = ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "oh")
MAIL_DOMAINS = ("gmail.com", "naver.com", "daum.net", "kakao.com", "hanmail.net", "outlook.com")
GENDERS = ("female", "male", "non_binary")
EDUCATIONS = ("high_school", "bachelor", "master", "doctorate")

SURVEY_TYPES = ("nps", "ces", "csat")
SURVEY_SCALES = {"nps": (0, 10), "ces": (1, 7), "csat": (1, 5)}
TRIGGERS = ("post_purchase", "post_chat", "post_support", "periodic")
SURVEY_CHANNELS = ("email", "sms", "in_app", "kakao")
COMMENTS = {
    "good": (
        "Fast delivery, great packaging.",
        "배송이 빨라서 좋았어요!",
        'Love the "zero-waste" packaging, will order again',
        "포장이 깔끔하고, 제품도 설명과 똑같아요.",
        "Checkout was quick and easy",
        "Great quality for the price,\nrecommended it to my friends.",
        "친환경 포장 최고예요 👍",
    ),
    "ok": (
        "OK overall.",
        "괜찮았어요. 다만 배송이 조금 늦었어요.",
        "Product is fine, but the size runs small",
        'The app is a bit slow when I "search"',
        "보통이에요,\n다음에도 할인하면 살게요.",
    ),
    "bad": (
        "Item arrived damaged, and support took 3 days to reply.",
        "환불 처리가 너무 오래 걸려요.\n두 번 문의했습니다.",
        'The chatbot kept saying "I don\'t understand"',
        "결제 오류가 났는데, 돈은 빠져나갔어요",
        "Wrong colour delivered. Very disappointed",
        "상담원 연결이 안 돼요...",
    ),
}

# Local-hour intensity of visits, normalised to a mean of 1 below.
HOURLY = np.array(
    [0.45, 0.25, 0.15, 0.1, 0.1, 0.15, 0.35, 0.65, 0.9, 1.0, 1.05, 1.15,
     1.35, 1.25, 1.05, 1.0, 1.0, 1.1, 1.3, 1.5, 1.75, 1.85, 1.6, 0.95]
)  # fmt: skip
HOURLY = HOURLY / HOURLY.mean()
WEEKEND_LIFT = 1.15
SESSION_SPACING_HOURS = 6.0  # on the activity clock; see the module docstring
MAX_SESSION_MS = 100 * MINUTE_MS
SESSIONS_PER_CHUNK = 25_000  # ~140k events: bounds the working memory of one build step
NEVER = 2**62  # sign-up time of a customer who has not signed up in the window


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate()` wrote: counts per source and the true experiment effects."""

    out_dir: Path
    start: date
    days: int
    files: int
    rows: dict[str, int]
    defects: dict[str, int]
    experiment_effects: dict[str, dict[str, float]]

    def __str__(self) -> str:
        last = self.start + timedelta(days=self.days - 1)
        lines = [
            f"Sample extracts in {self.out_dir}: {self.start}..{last} ({self.days} days), {self.files} files"
        ]
        for source in SOURCES:
            lines.append(
                f"  {source:<10} {self.rows.get(source, 0):>12,} rows  "
                f"{self.defects.get(source, 0):>6,} defective (to be rejected)"
            )
        for experiment, effects in self.experiment_effects.items():
            parts = ", ".join(f"{variant} x{factor:g}" for variant, factor in effects.items())
            lines.append(f"  {experiment}: true purchase-probability multipliers {parts}")
        return "\n".join(lines)


# --- string building blocks -----------------------------------------------------------------------
# Strings are built column-wise in numpy/Arrow, never one Python object per event: fixed-width
# text goes through uint8 matrices, the rest through Arrow's element-wise string kernels.


def _plain(values: Sequence[str]) -> pa.Array:
    # Vocabulary strings are spliced into JSON without escaping, so they must not need it.
    for value in values:
        if any(c in value for c in '"\\') or any(ord(c) < 0x20 for c in value):
            raise ValueError(f"vocabulary value needs JSON escaping: {value!r}")
    return pa.array(values, pa.string())


def _from_matrix(mat: np.ndarray) -> pa.Array:
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10 + 48).astype(np.uint8)


HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(values: np.ndarray, width: int) -> np.ndarray:
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return HEX_DIGITS[(np.asarray(values, dtype=np.uint64)[:, None] >> shifts) & np.uint64(15)]


def _prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    mat = np.empty((len(numbers), len(prefix) + width), dtype=np.uint8)
    mat[:, : len(prefix)] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat[:, len(prefix) :] = _digits(numbers, width)
    return _from_matrix(mat)


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 15
    nibbles[:, 12] = 4  # a version-4 UUID, as tracking SDKs generate
    nibbles[:, 16] = (nibbles[:, 16] & 3) | 8
    text = HEX_DIGITS[nibbles]
    mat = np.full((n, 36), ord("-"), dtype=np.uint8)
    for src, dst in ((0, 0), (8, 9), (12, 14), (16, 19), (20, 24)):
        span = {0: 8, 8: 4, 12: 4, 16: 4, 20: 12}[src]
        mat[:, dst : dst + span] = text[:, src : src + span]
    return _from_matrix(mat)


def _timestamps(ms: np.ndarray, style: np.ndarray, millis: np.ndarray | bool = False) -> pa.Array:
    """ISO-8601 strings with an offset; style indexes TS_SUFFIXES. The same instant is written
    in local time for +09:00, so every string parses back to the same UTC instant."""
    ms = np.asarray(ms, dtype=np.int64)
    style = np.asarray(style, dtype=np.int64)
    local = ms + np.where(style == 2, 9 * HOUR_MS, 0)
    secs = np.floor_divide(local, 1000)
    days = np.floor_divide(secs, 86_400)
    sod = secs - days * 86_400
    day = days.astype("datetime64[D]")
    month_start = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    dom = (day - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    n = len(ms)
    mat = np.empty((n, 23), dtype=np.uint8)
    mat[:, 0:4] = _digits(year, 4)
    mat[:, 5:7] = _digits(month, 2)
    mat[:, 8:10] = _digits(dom, 2)
    mat[:, 11:13] = _digits(sod // 3600, 2)
    mat[:, 14:16] = _digits(sod // 60 % 60, 2)
    mat[:, 17:19] = _digits(sod % 60, 2)
    mat[:, 20:23] = _digits(local % 1000, 3)
    mat[:, [4, 7]] = ord("-")
    mat[:, 10] = ord("T")
    mat[:, [13, 16]] = ord(":")
    mat[:, 19] = ord(".")
    base = _from_matrix(mat[:, :19])
    suffix = _plain(TS_SUFFIXES).take(pa.array(style))
    if np.any(millis):
        fraction = _from_matrix(mat[:, 19:23])
        keep = np.broadcast_to(np.asarray(millis, dtype=bool), (n,))
        fraction = pc.if_else(pa.array(keep), fraction, "")
        return pc.binary_join_element_wise(base, fraction, suffix, "")
    return pc.binary_join_element_wise(base, suffix, "")


def _take(vocab: pa.Array, index: np.ndarray) -> pa.Array:
    """vocab[index], null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    return vocab.take(pa.array(index, mask=index < 0))


def _money(minor: np.ndarray, usd: np.ndarray) -> pa.Array:
    """Amounts in minor units as text: KRW has none (39000), USD has cents (29.99)."""
    minor = np.asarray(minor, dtype=np.int64)
    whole = pc.cast(pa.array(minor // np.where(usd, 100, 1)), pa.string())
    cents = pc.utf8_lpad(pc.cast(pa.array(np.abs(minor) % 100), pa.string()), width=2, padding="0")
    return pc.if_else(
        pa.array(np.asarray(usd, dtype=bool)), pc.binary_join_element_wise(whole, cents, "."), whole
    )


def _numbers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _scatter(n: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """A length-n string column from (positions, values) parts; null where no part writes."""
    chunks: list[pa.Array] = []
    where = np.full(n, -1, dtype=np.int64)
    offset = 0
    for positions, values in parts:
        if len(positions):
            where[positions] = offset + np.arange(len(positions))
            offset += len(positions)
            chunks.append(values.cast(pa.string()))
    if not chunks:
        return pa.nulls(n, pa.string())
    return _take(pa.concat_arrays(chunks), where)


def _json_object(members: list[tuple[str, pa.Array, bool]]) -> pa.Array:
    """JSON objects from (name, text, quoted) members; a null member is left out."""
    fragments = []
    for name, values, quoted in members:
        if quoted:
            fragments.append(pc.binary_join_element_wise(f'"{name}":"', values, '"', ""))
        else:
            fragments.append(pc.binary_join_element_wise(f'"{name}":', values, ""))
    body = pc.binary_join_element_wise(*fragments, ",", null_handling="skip")
    return pc.binary_join_element_wise("{", body, "}", "")


# --- the world: products, customers, devices, campaigns -------------------------------------------


@dataclass(frozen=True)
class _Window:
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


class _ActivityClock:
    """Cumulative visit intensity per time zone, hour by hour over the window (see docstring)."""

    def __init__(self, window: _Window) -> None:
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


def _make_products(rng: np.random.Generator) -> _Products:
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
    ids = _prefixed_ids("P", numbers, 4)
    popularity = 1.0 / (1 + rng.permutation(np.arange(n)) % 40) ** 0.9  # Zipf-like within category
    cum = np.stack([np.cumsum(popularity), np.cumsum(popularity * np.where(eco_arr, 4.0, 1.0))])
    bounds = np.cumsum([c[2] for c in CATEGORIES])
    return _Products(
        ids=ids,
        titles=_plain([f"{name} | {SHOP}" for name in names]),
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


def _make_customers(rng: np.random.Generator, n: int, window: _Window, clock: _ActivityClock) -> _Customers:
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
    first = _plain(FIRST_NAMES).take(pa.array(rng.integers(0, len(FIRST_NAMES), n)))
    last = _plain(LAST_NAMES).take(pa.array(rng.integers(0, len(LAST_NAMES), n)))
    domain = _plain(MAIL_DOMAINS).take(pa.array(rng.integers(0, len(MAIL_DOMAINS), n)))
    email = pc.binary_join_element_wise(first, ".", last, _numbers(np.arange(1, n + 1)), "@", domain, "")
    width = max(5, len(str(n)))

    session_rate = rng.gamma(0.8, 0.5 / 0.8, n)
    mean_life_days = 200 * rng.gamma(2.0, 0.5, n)
    life_start = np.where(in_window, anchor, window.t0)
    active_until = life_start + (rng.exponential(1.0, n) * mean_life_days * DAY_MS).astype(np.int64)
    dormant = ~in_window & (rng.random(n) < 0.30)
    active_until[dormant] = window.t0
    return _Customers(
        n=n,
        ids=_prefixed_ids("C", np.arange(1, n + 1), width),
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


def _make_devices(rng: np.random.Generator, customers: _Customers, window: _Window) -> _Devices:
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
    mat[:, 2:] = _hex(anon_numbers, 12)
    variants = {exp: rng.integers(0, len(effects), n) for exp, effects in EXPERIMENT_EFFECTS.items()}
    return _Devices(
        n=n,
        anonymous_ids=_from_matrix(mat),
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
class _Campaigns:
    platform: list[str]
    name: list[str]
    medium: list[str]
    owned: np.ndarray
    weight: np.ndarray  # (days, campaigns) daily budget weight, 0 when not running


def _make_campaigns(window: _Window) -> _Campaigns:
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
    return _Campaigns(
        platform=[r[0] for r in rows],
        name=[r[1] for r in rows],
        medium=[r[2] for r in rows],
        owned=np.array([r[3] for r in rows]),
        weight=np.stack([r[4] for r in rows], axis=1),
    )


@dataclass
class _World:
    window: _Window
    clock: _ActivityClock
    products: _Products
    customers: _Customers
    devices: _Devices
    campaigns: _Campaigns


# --- sessions -------------------------------------------------------------------------------------


@dataclass
class _Sessions:
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
    exposed: dict[str, np.ndarray]
    late_days: np.ndarray
    eco: np.ndarray


def _place_sessions(rng: np.random.Generator, world: _World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _plan_sessions(rng: np.random.Generator, world: _World) -> _Sessions:
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

    bounce = (rng.random(n) < np.where(app, 0.2, 0.3)) & (state != 3)
    # A visitor who bounces never got to log in.
    state = np.where(bounce & (state == 2), 0, state)
    customer = np.where(state > 0, customer, -1)
    browse = np.where(bounce, 0, np.minimum(rng.geometric(0.26, n), 24))

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

    referrer = _pick_referrers(rng, campaign, camps, app)
    landing_kind = np.where(
        (campaign < 0) & (referrer < 0),
        rng.choice(LANDING_KINDS, n, p=[0.7, 0.15, 0.1, 0.05]),
        rng.choice(LANDING_KINDS, n, p=[0.25, 0.45, 0.2, 0.1]),
    )
    camp_names = np.array(camps.name + [""])
    retargeting = camp_names[campaign] == "retargeting"
    eco = dev.eco[device] | (camp_names[campaign] == "eco_launch")

    propensity = np.where(owner >= 0, cust.cart_propensity[np.maximum(owner, 0)], 0.06)
    cart = ~bounce & (rng.random(n) < np.minimum(propensity * np.where(retargeting, 1.6, 1.0), 0.9))
    checkout = cart & (rng.random(n) < np.where(state > 0, 0.6, 0.3))

    exposed: dict[str, np.ndarray] = {}
    first_cart = _first_per_device(dev.n, device, start, cart)
    exposed["exp_checkout_button"] = cart & (start == first_cart[device])
    banner_from = window.t0 + int(0.15 * window.days) * DAY_MS
    banner_seen = ~bounce & (start >= banner_from)
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
    chat = np.where(~bounce & (rng.random(n) < chat_p), np.minimum(1 + rng.geometric(0.22, n), 20), 0)
    late = rng.random(n) < np.where(app, 0.035, 0.005)
    late_days = np.where(late, rng.integers(1, 4, n), 0)

    order = np.lexsort((device, start))
    return _Sessions(
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
    rng: np.random.Generator, campaign: np.ndarray, camps: _Campaigns, app: np.ndarray
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


# --- events, one start day at a time --------------------------------------------------------------


@dataclass
class _OrderBatch:
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
    def concat(batches: list[_OrderBatch]) -> _OrderBatch:
        names = list(_OrderBatch.__dataclass_fields__)
        merged = {}
        base = np.cumsum([0] + [len(b.number) for b in batches])
        for name in names:
            parts = [getattr(b, name) for b in batches]
            if name == "line_order":
                parts = [p + base[i] for i, p in enumerate(parts)]
            merged[name] = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return _OrderBatch(**merged)


def _order_lines(
    rng: np.random.Generator,
    world: _World,
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


def _occurrence_rank(keys: np.ndarray) -> np.ndarray:
    """0 for the first occurrence of each key in array order, 1 for the second, ..."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    ranks = np.arange(len(keys)) - np.repeat(group_start, np.diff(np.r_[group_start, len(keys)]))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = ranks
    return out


@dataclass
class _ChunkEvents:
    lines: pa.Array
    occurred_ms: np.ndarray
    arrival: np.ndarray
    orders: _OrderBatch
    signups: tuple[np.ndarray, np.ndarray]  # customer, ms
    chats: tuple[np.ndarray, np.ndarray, np.ndarray]  # customer, end ms, messages


class _EventBuilder:
    """Expands a slice of sessions (all starting on one day) into events, orders and side facts."""

    def __init__(self, world: _World, sessions: _Sessions) -> None:
        self.world = world
        self.s = sessions
        self.orders_so_far = np.zeros(world.customers.n, dtype=np.int64)
        self.next_order = 1
        camps = world.campaigns
        self.utm_source = _plain(camps.platform)
        self.utm_medium = _plain(camps.medium)
        self.utm_campaign = _plain(camps.name)
        self.event_types = _plain(SLOTS)
        self.referrers = _plain(REFERRERS)
        self.regions = _plain(REGION_NAMES)
        self.platforms = _plain(PLATFORMS)
        self.device_types = _plain(DEVICE_TYPES)
        self.share_networks = _plain(SHARE_NETWORKS)
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
        self.page_paths = _plain(paths)
        self.page_titles = _plain(titles)
        self.experiment_ids = _plain(list(EXPERIMENT_EFFECTS))
        self.variant_names = {exp: _plain(list(eff)) for exp, eff in EXPERIMENT_EFFECTS.items()}

    def build(self, rng: np.random.Generator, lo: int, hi: int) -> _ChunkEvents:
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
        content = np.isin(unit_phase, [1, 3]) & ~s.bounce[g]
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
        return _ChunkEvents(
            lines=lines,
            occurred_ms=e["occurred"],
            arrival=arrival,
            orders=batch,
            signups=(e["customer"][signup], e["occurred"][signup]),
            chats=(s.customer[sess][chatted], chat_end[chatted], s.chat[sess][chatted]),
        )

    def _orders(
        self, rng: np.random.Generator, g: np.ndarray, ms: np.ndarray, cart_product: np.ndarray
    ) -> _OrderBatch:
        s, world = self.s, self.world
        dev = world.devices
        n = len(g)
        customer = s.customer[g]
        device = s.device[g]
        usd = dev.usd[device]
        number = self.next_order + np.arange(n)
        self.next_order += n
        prior = self.orders_so_far[customer] + _occurrence_rank(customer)
        np.add.at(self.orders_so_far, customer, 1)
        camp_names = np.array(world.campaigns.name + [""])[s.campaign[g]]
        coupon = np.full(n, -1)
        coupon = np.where(rng.random(n) < 0.05, 3, coupon)
        coupon = np.where((camp_names == "eco_launch") & (rng.random(n) < 0.5), 2, coupon)
        coupon = np.where((camp_names == "autumn_sale") & (rng.random(n) < 0.6), 1, coupon)
        first_order = (prior == 0) & world.customers.in_window[customer]
        coupon = np.where(first_order & (rng.random(n) < 0.7), 0, coupon)
        order_of, line_number, product, quantity, unit, discount = _order_lines(
            rng, world, customer, cart_product, device, s.eco[g], usd, coupon
        )
        return _OrderBatch(
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
        batch: _OrderBatch,
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
            variant_parts.append((rows, _take(self.variant_names[exp], dev.variants[exp][device[rows]])))
        share = slot == S["social_share"]
        network = np.where(share, rng.choice(len(SHARE_NETWORKS), n, p=SHARE_P), -1)
        order_ids = _prefixed_ids("O", np.maximum(e["order_no"], 0), 8)
        usd = dev.usd[device]
        properties = self._properties(rng, e, usd, batch, totals, items, order_pos)
        members = [
            ("event_id", _uuids(rng, n), True),
            ("event_type", self.event_types.take(pa.array(slot)), True),
            ("occurred_at", _timestamps(e["occurred"], dev.ts_style[device], dev.platform[device] > 0), True),
            ("anonymous_id", dev.anonymous_ids.take(pa.array(device)), True),
            (
                "customer_id",
                pc.coalesce(
                    pc.binary_join_element_wise('"', _take(world.customers.ids, e["customer"]), '"', ""),
                    "null",
                ),
                False,
            ),
            ("platform", self.platforms.take(pa.array(dev.platform[device])), True),
            ("page_path", _take(self.page_paths, e["page"]), True),
            ("page_title", _take(self.page_titles, e["page"]), True),
            ("referrer", _take(self.referrers, referrer), True),
            ("utm_source", _take(self.utm_source, campaign), True),
            ("utm_medium", _take(self.utm_medium, campaign), True),
            ("utm_campaign", _take(self.utm_campaign, campaign), True),
            ("device_type", self.device_types.take(pa.array(dev.device_type[device])), True),
            ("region", _take(self.regions, dev.region[device]), True),
            ("product_id", _take(world.products.ids, np.where(is_product_event, e["product"], -1)), True),
            ("order_id", _take(order_ids, np.where(e["order_no"] >= 0, np.arange(n), -1)), True),
            ("experiment_id", _take(self.experiment_ids, experiment), True),
            ("variant", _scatter(n, variant_parts), True),
            ("share_network", _take(self.share_networks, network), True),
            ("properties", pc.coalesce(properties, "null"), False),
        ]
        return _json_object(members)

    def _properties(
        self,
        rng: np.random.Generator,
        e: dict[str, np.ndarray],
        usd: np.ndarray,
        batch: _OrderBatch,
        totals: np.ndarray,
        items: np.ndarray,
        order_pos: np.ndarray,
    ) -> pa.Array:
        slot = e["slot"]
        n = len(slot)
        world = self.world
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


# --- files ----------------------------------------------------------------------------------------


class _Writer:
    """Writes files on two background threads (zlib and file I/O release the GIL), so the next
    day is generated while the previous one is compressed; at most a few files are in flight."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files = 0
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending: list[Future[None]] = []

    def write(self, source: str, day: date, name: str, data: bytes | memoryview, compress: bool) -> None:
        folder = self.out_dir / source / f"dt={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (name + (".gz" if compress else ""))
        self.files += 1
        while len(self.pending) >= 3:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(_write_file, path, data, compress))

    def close(self) -> None:
        try:
            for future in self.pending:
                future.result()
        finally:
            self.pool.shutdown(wait=True)


def _write_file(path: Path, data: bytes | memoryview, compress: bool) -> None:
    if compress:
        # mtime=0 and no file name in the header keep the bytes identical from run to run.
        data = gzip.compress(data, compresslevel=5, mtime=0)
    path.write_bytes(data)


def _clear_partitions(out_dir: Path) -> None:
    pattern = re.compile(r"dt=\d{4}-\d{2}-\d{2}")
    for source in SOURCES:
        root = out_dir / source
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if not pattern.fullmatch(child.name):
                continue
            if child.is_symlink() or not child.is_dir():
                child.unlink()
            else:
                shutil.rmtree(child)


def _text_offsets(lines: pa.Array) -> np.ndarray:
    """Byte offsets of the values of an unsliced large_string array (n + 1 of them)."""
    return np.frombuffer(lines.buffers()[1], dtype=np.int64)[: len(lines) + 1]


def _buffer_bytes(lines: pa.Array) -> memoryview:
    """The value buffer of an unsliced large_string array: its texts back to back, no copy."""
    data = lines.buffers()[2]
    if data is None or not len(lines):
        return memoryview(b"")
    return memoryview(data)[: int(_text_offsets(lines)[-1])]


EVENT_DEFECTS = (
    "truncated",
    "no_event_id",
    "no_anonymous_id",
    "no_occurred_at",
    "bad_occurred_at",
    "not_object",
)
BAD_TIMESTAMPS = ("2026-13-45T99:00:00Z", "yesterday", "31/10/2026 25:61", "2026-02-30T10:00:00+09:00")


def _corrupt_event(line: str, kind: str, rng: np.random.Generator) -> str:
    empty = rng.random() < 0.4  # an empty string is as missing as an absent member
    if kind == "truncated":
        return line[: int(rng.integers(10, len(line) - 20))]
    if kind in ("no_event_id", "no_anonymous_id", "no_occurred_at"):
        name = kind[3:]
        if empty:
            return re.sub(f'"{name}":"[^"]*"', f'"{name}":""', line, count=1)
        return re.sub(f'"{name}":"[^"]*",', "", line, count=1)
    if kind == "bad_occurred_at":
        bad = BAD_TIMESTAMPS[int(rng.integers(0, len(BAD_TIMESTAMPS)))]
        return re.sub('"occurred_at":"[^"]*"', f'"occurred_at":"{bad}"', line, count=1)
    return ("[1,2]", '"heartbeat"', "42")[int(rng.integers(0, 3))]


class _EventSink:
    """Collects event lines per arrival day and writes a day once no later chunk can add to it."""

    DUPLICATE_RATE = 0.005
    DEFECT_RATE = 0.0008

    def __init__(self, window: _Window, writer: _Writer) -> None:
        self.window = window
        self.writer = writer
        self.pending: dict[int, list[tuple[np.ndarray, pa.Array]]] = defaultdict(list)
        self.rows = 0
        self.defects = 0
        self.defect_kind = 0

    def add(self, rng: np.random.Generator, day: _ChunkEvents) -> None:
        w = self.window
        lines = pc.binary_join_element_wise(day.lines, "\n", "").cast(pa.large_string())
        on_time = w.day_index(day.occurred_ms) == day.arrival
        # Late events show up whenever their batch was uploaded on the arrival day.
        key = np.where(
            on_time, day.occurred_ms, w.t0 + day.arrival * DAY_MS + rng.integers(0, DAY_MS, len(lines))
        )
        dup = np.flatnonzero(rng.random(len(lines)) < self.DUPLICATE_RATE)
        later = rng.choice([0, 0, 0, 1, 2], len(dup))
        dup_arrival = np.minimum(day.arrival[dup] + later, w.days - 1)
        dup_key = np.where(
            dup_arrival == day.arrival[dup],
            key[dup] + rng.integers(1, 10 * MINUTE_MS, len(dup)),
            w.t0 + dup_arrival * DAY_MS + rng.integers(0, DAY_MS, len(dup)),
        )
        arrival = np.concatenate([day.arrival, dup_arrival])
        keys = np.concatenate([key, dup_key])
        everything = pa.concat_arrays([lines, lines.take(pa.array(dup))]) if len(dup) else lines
        for a in np.unique(arrival):
            rows = np.flatnonzero(arrival == a)
            self.pending[int(a)].append((keys[rows], everything.take(pa.array(rows))))

    def flush(self, rng: np.random.Generator, day: int) -> None:
        parts = self.pending.pop(day, [])
        keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.int64)
        lines = pa.concat_arrays([x for _, x in parts]) if parts else pa.array([], pa.large_string())
        n_bad = max(1, int(rng.binomial(len(lines), self.DEFECT_RATE))) if len(lines) else 0
        bad_lines, bad_keys = [], []
        for source in rng.integers(0, len(lines), n_bad):
            kind = EVENT_DEFECTS[self.defect_kind % len(EVENT_DEFECTS)]
            self.defect_kind += 1
            bad_lines.append(_corrupt_event(lines[int(source)].as_py().rstrip("\n"), kind, rng) + "\n")
            bad_keys.append(self.window.t0 + day * DAY_MS + int(rng.integers(0, DAY_MS)))
        if bad_lines:
            lines = pa.concat_arrays([lines, pa.array(bad_lines, pa.large_string())])
            keys = np.concatenate([keys, np.array(bad_keys, dtype=np.int64)])
        lines = lines.take(pa.array(np.argsort(keys, kind="stable")))
        self.rows += len(lines)
        self.defects += len(bad_lines)
        # Most days are gzip; every 6th is plain text and every 4th is split in two, as a
        # collector that rotates files by size would leave them.
        compress = day % 6 != 4
        pieces = 2 if day % 4 == 1 and len(lines) > 1 else 1
        bounds = np.linspace(0, len(lines), pieces + 1).astype(int)
        stamp = self.window.date(day).strftime("%Y%m%d")
        text, offsets = _buffer_bytes(lines), _text_offsets(lines)
        for p in range(pieces):
            part = text[int(offsets[bounds[p]]) : int(offsets[bounds[p + 1]])]
            name = f"events-{stamp}-{p + 1:02d}.jsonl"
            self.writer.write("events", self.window.date(day), name, part, compress)


@dataclass
class _CsvTable:
    """The records of one CSV source, with the arrival day of each; defects are added later."""

    source: str
    arrival: list[int] = field(default_factory=list)
    records: list[list[str]] = field(default_factory=list)
    defects: int = 0

    def extend(self, arrival: np.ndarray, columns: list[list[str]]) -> None:
        self.arrival.extend(int(a) for a in arrival)
        self.records.extend([list(r) for r in zip(*columns, strict=True)])

    def add_defects(
        self, rng: np.random.Generator, kinds: Sequence[Callable[[list[str]], list[str]]], rate: float
    ) -> None:
        """Corrupted copies of real records, next to their originals, round-robin over kinds."""
        if not self.records:
            return
        # At least two of each kind so that a loader test finds them all, unless the sample is
        # so small that they would crowd out the real records.
        n = max(min(2 * len(kinds), len(self.records) // 5), int(round(rate * len(self.records))))
        sources = rng.integers(0, len(self.records), n)
        for i, src in enumerate(sources):
            self.records.append(kinds[i % len(kinds)](list(self.records[int(src)])))
            self.arrival.append(self.arrival[int(src)])
        self.defects += n

    def write(
        self,
        writer: _Writer,
        window: _Window,
        name: str,
        compress_day: Callable[[int], bool],
        excel: bool = False,
    ) -> int:
        by_day: dict[int, list[list[str]]] = defaultdict(list)
        for a, record in zip(self.arrival, self.records, strict=True):
            by_day[a].append(record)
        for d in range(window.days):
            buffer = io.StringIO()
            # Excel-style exports carry a byte-order mark and CRLF line ends.
            if excel:
                buffer.write("\ufeff")
            out = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
            out.writerow(CSV_HEADERS[self.source])
            out.writerows(by_day.get(d, []))
            stamp = window.date(d).strftime("%Y%m%d")
            data = buffer.getvalue().encode("utf-8")
            writer.write(self.source, window.date(d), f"{name}_{stamp}.csv", data, compress_day(d))
        return len(self.records)


# File name, which arrival days are gzip, and whether the file is an Excel-style export.
CSV_FILES: dict[str, tuple[str, Callable[[int], bool], bool]] = {
    "orders": ("orders", lambda d: d % 2 == 1, False),
    "surveys": ("survey_responses", lambda d: d % 5 == 3, False),
    "customers": ("crm_customers", lambda d: d % 3 == 0, False),
    "marketing": ("ad_report", lambda d: False, True),
}
CSV_DEFECT_RATES = {"orders": 0.004, "surveys": 0.01, "customers": 0.004, "marketing": 0.01}


def _texts(values: pa.Array) -> list[str]:
    return [v if v is not None else "" for v in values.to_pylist()]


# --- orders, surveys, customers, marketing --------------------------------------------------------


def _store_orders(rng: np.random.Generator, world: _World, first_number: int) -> _OrderBatch:
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
    order_of, line_number, product, quantity, unit, discount = _order_lines(
        rng, world, customer, no_product, None, cust.interests[customer, 0], np.zeros(n, bool), coupon
    )
    return _OrderBatch(
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


def _history_orders(rng: np.random.Generator, world: _World, first_web: int, first_store: int) -> _OrderBatch:
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
    order_of, line_number, product, quantity, unit, discount = _order_lines(
        rng, world, customer, np.full(k, -1), None, cust.interests[customer, 0], usd, coupon
    )
    number = np.empty(k, dtype=np.int64)
    number[~in_store] = first_web + np.arange(int((~in_store).sum()))
    number[in_store] = first_store + np.arange(int(in_store.sum()))
    return _OrderBatch(
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


STATUSES = ("pending", "completed", "cancelled", "refunded")
CHANNELS = ("web", "app", "store")


@dataclass
class _OrderHistory:
    orders: _OrderBatch
    ids: pa.Array
    final_status: np.ndarray
    bad_experience: np.ndarray


def _orders_table(
    rng: np.random.Generator, world: _World, orders: _OrderBatch
) -> tuple[_CsvTable, _OrderHistory]:
    window, products = world.window, world.products
    n = len(orders.number)
    web_ids = _prefixed_ids("O", orders.number[~orders.store], 8)
    store_ids = _prefixed_ids("S", orders.number[orders.store], 7)
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

    table = _CsvTable("orders")
    cur = _plain(CURRENCIES)
    categories = _plain([c[0] for c in CATEGORIES])
    coupons = _plain([c[0] for c in COUPONS])
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
                _texts(ids.take(pa.array(o))),
                _texts(_timestamps(orders.ordered_ms[o], orders.ts_style[o])),
                _texts(_timestamps(at, orders.ts_style[o])),
                _texts(world.customers.ids.take(pa.array(orders.customer[o]))),
                [STATUSES[i] for i in st],
                [CHANNELS[i] for i in orders.channel[o]],
                _texts(cur.take(pa.array(usd.astype(int)))),
                _texts(_numbers(orders.line_number[line_rows])),
                _texts(products.ids.take(pa.array(product))),
                _texts(categories.take(pa.array(products.category[product]))),
                _texts(_numbers(orders.quantity[line_rows])),
                _texts(_money(orders.unit_minor[line_rows], usd)),
                _texts(_money(orders.discount_minor[line_rows], usd)),
                _texts(_take(coupons, orders.coupon[o])),
            ],
        )
    # The earlier orders are dated before the window but arrive in its first day's extract.
    table.arrival = [max(0, a) for a in table.arrival]
    bad = np.isin(final_status, [2, 3])
    return table, _OrderHistory(orders, ids, final_status, bad)


def _order_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    def negative_quantity(r: list[str]) -> list[str]:
        r[10] = str(-int(rng.integers(1, 4)))
        return r

    def unknown_currency(r: list[str]) -> list[str]:
        r[6] = ("XYZ", "WON", "KRWW")[int(rng.integers(0, 3))]
        return r

    def bad_price(r: list[str]) -> list[str]:
        r[11] = ("12,99x", "39.000,00", "n/a")[int(rng.integers(0, 3))]
        return r

    def short_row(r: list[str]) -> list[str]:
        return r[: int(rng.integers(3, 10))]

    return [negative_quantity, unknown_currency, bad_price, short_row]


def _latent_scores(z: np.ndarray, survey_type: np.ndarray) -> np.ndarray:
    nps = np.clip(np.round(8.2 + 1.9 * z), 0, 10)
    ces = np.clip(np.round(5.4 + 1.3 * z), 1, 7)
    csat = np.clip(np.round(4.1 + 0.9 * z), 1, 5)
    return np.select([survey_type == 0, survey_type == 1], [nps, ces], csat).astype(np.int64)


def _surveys_table(
    rng: np.random.Generator,
    world: _World,
    history: _OrderHistory,
    chats: tuple[np.ndarray, np.ndarray, np.ndarray],
    signup_ms: np.ndarray,
) -> _CsvTable:
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
    table = _CsvTable("surveys")
    table.extend(
        window.day_index(r["ms"]),
        [
            _texts(_prefixed_ids("R", np.arange(1, n + 1), 8)),
            list(kind),
            _texts(cust.ids.take(pa.array(r["customer"]))),
            _texts(_timestamps(r["ms"], style)),
            _texts(_numbers(score)),
            [TRIGGERS[t] for t in r["trigger"]],
            _texts(_take(history.ids, r["order"])),
            [SURVEY_CHANNELS[c] for c in channel],
            comments,
        ],
    )
    return table


def _survey_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    def out_of_scale(r: list[str]) -> list[str]:
        r[4] = {"nps": "11", "ces": ("0", "8")[int(rng.integers(0, 2))], "csat": "6"}[r[1]]
        return r

    def no_response_id(r: list[str]) -> list[str]:
        r[0] = ""
        return r

    def bad_submitted_at(r: list[str]) -> list[str]:
        r[3] = ("2026/10/05 25:00", "N/A", "2026-10-32T08:00:00Z")[int(rng.integers(0, 3))]
        return r

    return [out_of_scale, no_response_id, bad_submitted_at]


def _customers_table(rng: np.random.Generator, world: _World, signup_ms: np.ndarray) -> _CsvTable:
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

    table = _CsvTable("customers")
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
                _texts(cust.ids.take(pa.array(who))),
                _texts(cust.email.take(pa.array(who))),
                _texts(_timestamps(signed_up[who], np.zeros(len(who), np.int64))),
                _texts(_timestamps(updated, np.where(korean, 2, 1))),
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


def _customer_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    def no_customer_id(r: list[str]) -> list[str]:
        r[0] = ""
        return r

    def bad_updated_at(r: list[str]) -> list[str]:
        r[3] = ("2026-10-32T10:00:00+09:00", "last tuesday", "10/07/2026 9:00 PM")[int(rng.integers(0, 3))]
        return r

    return [no_customer_id, bad_updated_at]


def _marketing_table(rng: np.random.Generator, world: _World, sessions: _Sessions) -> _CsvTable:
    window, camps = world.window, world.campaigns
    n_c = len(camps.name)
    day = window.day_index(sessions.start_ms)
    tagged = sessions.campaign >= 0
    brought = np.zeros((window.days, n_c))
    np.add.at(brought, (day[tagged], sessions.campaign[tagged]), 1)
    scale = max(1.0, world.customers.n / 1000)
    followers = {p: (m[3] * scale if m[3] is not None else None) for p, m in PLATFORM_METRICS.items()}
    columns: list[list[str]] = [[] for _ in CSV_HEADERS["marketing"]]
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
    table = _CsvTable("marketing")
    table.extend(np.array(arrival, dtype=np.int64), columns)
    return table


def _marketing_defects(rng: np.random.Generator) -> list[Callable[[list[str]], list[str]]]:
    def negative_impressions(r: list[str]) -> list[str]:
        r[3] = str(-int(r[3] or 1))
        return r

    def bad_spend(r: list[str]) -> list[str]:
        r[5] = ("₩152,340", "12,99x", "n/a")[int(rng.integers(0, 3))]
        return r

    def unknown_currency(r: list[str]) -> list[str]:
        r[6] = ("XYZ", "WON", "US$")[int(rng.integers(0, 3))]
        return r

    return [negative_impressions, bad_spend, unknown_currency]


# --- entry point ----------------------------------------------------------------------------------


def generate(
    out_dir: Path,
    *,
    days: int = DEFAULT_DAYS,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write sample extracts of all five sources into the landing zone `out_dir`.

    Existing `dt=` folders of the five sources are removed first, so the tree afterwards depends
    on the arguments only. Same arguments, same bytes.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if customers < 10:
        raise ValueError(f"customers must be at least 10, got {customers}")
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    window = _Window(start, days)
    clock = _ActivityClock(window)
    products = _make_products(rng)
    people = _make_customers(rng, customers, window, clock)
    devices = _make_devices(rng, people, window)
    world = _World(window, clock, products, people, devices, _make_campaigns(window))
    sessions = _plan_sessions(rng, world)
    # A stream of its own, so the window's data is the same draw with or without the history.
    earlier = _history_orders(np.random.default_rng([seed, HISTORY_DAYS]), world, 1, 1)
    say(f"planned {len(sessions.start_ms):,} sessions of {devices.n:,} devices and {customers:,} customers")

    _clear_partitions(out_dir)
    writer = _Writer(out_dir)
    rows: dict[str, int] = {}
    defects: dict[str, int] = {}
    try:
        sink = _EventSink(window, writer)
        builder = _EventBuilder(world, sessions)
        builder.next_order = 1 + int((~earlier.store).sum())
        bounds = np.searchsorted(window.day_index(sessions.start_ms), np.arange(days + 1))
        batches, signup_customer, signup_at = [], [], []
        chats: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for d in range(days):
            # Big days are built in slices of sessions, so that memory follows the slice size
            # and not the size of the day.
            for lo in range(int(bounds[d]), int(bounds[d + 1]), SESSIONS_PER_CHUNK):
                chunk = builder.build(rng, lo, min(lo + SESSIONS_PER_CHUNK, int(bounds[d + 1])))
                sink.add(rng, chunk)
                batches.append(chunk.orders)
                signup_customer.append(chunk.signups[0])
                signup_at.append(chunk.signups[1])
                chats.append(chunk.chats)
            sink.flush(rng, d)  # no session starting later can still add to arrival day d
        rows["events"], defects["events"] = sink.rows, sink.defects
        say(f"events: {sink.rows:,} rows in {days} partitions ({sink.defects:,} defective)")

        signup_ms = np.full(customers, NEVER, dtype=np.int64)
        signup_ms[np.concatenate(signup_customer)] = np.concatenate(signup_at)
        web_orders = _OrderBatch.concat(batches)
        store = _store_orders(rng, world, 1 + int(earlier.store.sum()))
        orders_csv, history = _orders_table(rng, world, _OrderBatch.concat([earlier, web_orders, store]))
        chat_facts = tuple(np.concatenate([c[i] for c in chats]) for i in range(3))
        tables = [
            (orders_csv, _order_defects(rng)),
            (_surveys_table(rng, world, history, chat_facts, signup_ms), _survey_defects(rng)),
            (_customers_table(rng, world, signup_ms), _customer_defects(rng)),
            (_marketing_table(rng, world, sessions), _marketing_defects(rng)),
        ]
        for table, kinds in tables:
            table.add_defects(rng, kinds, CSV_DEFECT_RATES[table.source])
            name, compress_day, excel = CSV_FILES[table.source]
            rows[table.source] = table.write(writer, window, name, compress_day, excel)
            defects[table.source] = table.defects
            count = rows[table.source]
            say(f"{table.source}: {count:,} rows in {days} partitions ({table.defects:,} defective)")
    finally:
        writer.close()
    return GenerateSummary(
        out_dir=out_dir,
        start=start,
        days=days,
        files=writer.files,
        rows={s: rows[s] for s in SOURCES},
        defects={s: defects[s] for s in SOURCES},
        experiment_effects={k: dict(v) for k, v in EXPERIMENT_EFFECTS.items()},
    )
