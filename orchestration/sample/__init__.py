"""Deterministic, realistic sample extracts for the landing zone (contract §2): `generate()`.

The model, by concern (each module's docstring describes its part):
- `world`: the window, the activity clock, products, customers, devices, campaigns;
- `sessions`: when devices visit and what each visit does (acquisition, experiments);
- `events` (with `properties`): sessions expanded into event lines and the orders they place;
- `orders`: order lines, store orders and the year of orders before the window;
- `extracts`: the CSV sources (orders, surveys, customers, marketing) and their defects;
- `files`: daily landing folders, late and duplicate delivery, injected defects;
- `vocabulary` and `text`: the shop's vocabularies and the column-wise string builders.
Only what this file exports is for use outside the package.
"""

from orchestration.sample.generate import (
    DEFAULT_CUSTOMERS,
    DEFAULT_DAYS,
    DEFAULT_SEED,
    DEFAULT_START,
    GenerateSummary,
    generate,
)
from orchestration.sample.vocabulary import EXPERIMENT_EFFECTS

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_DAYS",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "EXPERIMENT_EFFECTS",
    "GenerateSummary",
    "generate",
]
