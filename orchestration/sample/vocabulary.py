"""The shop's vocabularies (regions, products, pages, campaigns, ...) and the fixed parameters of
the sample model."""

from __future__ import annotations

import numpy as np

from orchestration.ingest.contract import SURVEY_SCALES

EXPERIMENT_EFFECTS: dict[str, dict[str, float]] = {
    "exp_checkout_button": {"control": 1.0, "treatment": 1.25},
    "exp_free_shipping_banner": {"control": 1.0, "treatment": 1.0, "treatment_b": 1.0},
}

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000

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

SURVEY_TYPES = tuple(SURVEY_SCALES)  # the contract's order (nps, ces, csat): an index is a type
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
