"""The A/B statistics of the dbt Python model int_experiment_tests.py (contract §4, "A/B results"),
checked against statsmodels and scipy on generated counts.

dbt cannot unit-test a Python model, so the model file is imported directly and `model(dbt, session)`
is called with a tiny stand-in for the `dbt` object: `config(...)`, `config.get(name)` and
`ref(name).df()` returning the per-variant counts (experiment_id, variant, is_control, visitors,
conversions, revenue), as int_experiment_variants_counted has them.

References:
- pooled two-sided two-proportion z-test: statsmodels.stats.proportion.proportions_ztest;
- 95% Wald interval of the difference p_t - p_c: statsmodels confint_proportions_2indep(method="wald");
- sample-ratio mismatch: scipy.stats.chisquare of the visitors against an equal split.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

sm_proportion = pytest.importorskip("statsmodels.stats.proportion")

MODEL_PATH = (
    Path(__file__).resolve().parents[1]
    / "dbt_project"
    / "models"
    / "marts"
    / "intermediate"
    / "experiments"
    / "int_experiment_tests.py"
)
RTOL = 1e-9
ATOL = 1e-12


def load_model_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int_experiment_tests", MODEL_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODEL = load_model_module()


class FakeConfig:
    """`dbt.config(...)` records settings; `dbt.config.get(name)` returns them or the YAML config."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = dict(values)

    def __call__(self, **kwargs: Any) -> None:
        self.values.update(kwargs)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


class FakeRelation:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def df(self) -> pd.DataFrame:
        return self.frame.copy()


class FakeDbt:
    def __init__(self, counts: pd.DataFrame, config: dict[str, Any] | None = None) -> None:
        self.config = FakeConfig(config or {})
        self.counts = counts
        self.refs: list[str] = []

    def ref(self, name: str) -> FakeRelation:
        self.refs.append(name)
        assert name == "int_experiment_variants_counted"
        return FakeRelation(self.counts)


# The model's YAML config (_experiments__models.yml).
DEFAULT_CONFIG = {"significance_level": 0.05, "srm_alpha": 0.001}


def run_model(counts: pd.DataFrame, config: dict[str, Any] | None = None) -> pd.DataFrame:
    fake = FakeDbt(counts, DEFAULT_CONFIG if config is None else config)
    result = MODEL.model(fake, None)
    assert fake.refs == ["int_experiment_variants_counted"]
    # its materialization is in its properties (table, or lake_table on Spark), not in the file
    assert fake.config.get("materialized") is None
    return result


def counts_frame(
    experiment_id: str, arms: list[tuple[str, int, int]], rng: np.random.Generator
) -> pd.DataFrame:
    """arms: (variant, visitors, conversions); the control is the variant named 'control'."""
    return pd.DataFrame(
        {
            "experiment_id": experiment_id,
            "variant": [variant for variant, _, _ in arms],
            "is_control": [variant == "control" for variant, _, _ in arms],
            "visitors": np.array([n for _, n, _ in arms], dtype="int64"),
            "conversions": np.array([x for _, _, x in arms], dtype="int64"),
            "revenue": [round(float(rng.gamma(2.0, 30.0)) * x, 2) for _, _, x in arms],
        }
    )


def generated_arms(
    rng: np.random.Generator, variants: list[str], n_low: int, n_high: int, rates: list[float]
) -> list[tuple[str, int, int]]:
    """Visitors split at random (evenly in expectation) over the variants, conversions binomial."""
    total = int(rng.integers(n_low, n_high)) * len(variants)
    visitors = rng.multinomial(total, [1 / len(variants)] * len(variants))
    return [
        (variant, int(n), int(rng.binomial(n, rate)))
        for variant, n, rate in zip(variants, visitors, rates, strict=True)
    ]


def generated_count_sets() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(20261001)
    sets = {
        # large sample, small true lift: tiny standard errors
        "large": generated_arms(rng, ["control", "treatment"], 150_000, 250_000, [0.030, 0.032]),
        # small sample: wide intervals, far from significance
        "small": generated_arms(rng, ["control", "treatment"], 30, 80, [0.10, 0.15]),
        # three variants, each tested against the same control
        "three_variants": generated_arms(
            rng, ["b_variant", "control", "c_variant"], 4_000, 6_000, [0.06, 0.05, 0.05]
        ),
        # a clearly significant lift
        "significant": generated_arms(rng, ["control", "treatment"], 20_000, 21_000, [0.05, 0.065]),
        # zero conversions in the treatment arm / in the control arm
        "zero_treatment": [("control", 312, 9), ("treatment", 297, 0)],
        "zero_control": [("control", 288, 0), ("treatment", 301, 7)],
    }
    for seed in range(5):
        seeded = np.random.default_rng(seed)
        base = float(seeded.uniform(0.01, 0.3))
        rates = [base, base * float(seeded.uniform(0.9, 1.15))]
        sets[f"random_{seed}"] = generated_arms(seeded, ["control", "treatment"], 500, 50_000, rates)
    return {name: counts_frame(name, arms, rng) for name, arms in sets.items()}


COUNT_SETS = generated_count_sets()


def assert_close(actual: float, expected: float, what: str) -> None:
    assert math.isclose(actual, expected, rel_tol=RTOL, abs_tol=ATOL), f"{what}: {actual!r} != {expected!r}"


def check_against_references(
    counts: pd.DataFrame, result: pd.DataFrame, alpha: float, srm_alpha: float
) -> None:
    assert len(result) == len(counts)
    for experiment_id, group in counts.groupby("experiment_id"):
        out = result[result["experiment_id"] == experiment_id].set_index("variant")
        assert sorted(out.index) == list(out.index), "variants are sorted within an experiment"
        srm_p = stats.chisquare(group["visitors"].to_numpy(dtype=float)).pvalue
        control = group[group["is_control"]].iloc[0]
        n_c, x_c = int(control["visitors"]), int(control["conversions"])
        for arm in group.itertuples(index=False):
            row = out.loc[arm.variant]
            n_t, x_t = int(arm.visitors), int(arm.conversions)
            label = f"{experiment_id}/{arm.variant}"
            assert row["visitors"] == n_t and row["conversions"] == x_t
            assert bool(row["is_control"]) is bool(arm.is_control)
            assert_close(row["conversion_rate"], x_t / n_t, f"{label} conversion_rate")
            assert_close(row["revenue_per_visitor"], arm.revenue / n_t, f"{label} revenue_per_visitor")
            assert_close(row["srm_p_value"], srm_p, f"{label} srm_p_value")
            assert bool(row["has_sample_ratio_mismatch"]) is bool(srm_p < srm_alpha)
            if arm.is_control:
                for column in ("absolute_lift", "relative_lift", "z_score", "p_value", "ci_low", "ci_high"):
                    assert pd.isna(row[column]), f"{label} {column} must be null on the control row"
                assert pd.isna(row["is_significant"])
                continue
            z, p = sm_proportion.proportions_ztest(count=[x_t, x_c], nobs=[n_t, n_c])
            low, high = sm_proportion.confint_proportions_2indep(
                x_t, n_t, x_c, n_c, method="wald", compare="diff", alpha=alpha
            )
            assert_close(row["z_score"], z, f"{label} z_score")
            assert_close(row["p_value"], p, f"{label} p_value")
            assert_close(row["ci_low"], low, f"{label} ci_low")
            assert_close(row["ci_high"], high, f"{label} ci_high")
            assert_close(row["absolute_lift"], x_t / n_t - x_c / n_c, f"{label} absolute_lift")
            if x_c == 0:
                assert pd.isna(row["relative_lift"]), f"{label}: relative lift undefined when p_c = 0"
            else:
                relative = (x_t / n_t - x_c / n_c) / (x_c / n_c)
                assert_close(row["relative_lift"], relative, f"{label} relative_lift")
            assert bool(row["is_significant"]) is bool(p < alpha)
            assert row["ci_low"] <= row["absolute_lift"] <= row["ci_high"]


@pytest.mark.parametrize("name", sorted(COUNT_SETS))
def test_each_generated_experiment_matches_statsmodels_and_scipy(name: str) -> None:
    counts = COUNT_SETS[name]
    result = run_model(counts)
    check_against_references(counts, result, alpha=0.05, srm_alpha=0.001)


def test_all_experiments_in_one_run_match_statsmodels_and_scipy() -> None:
    # one frame with every experiment, shuffled: each experiment is tested against its own control
    counts = pd.concat(COUNT_SETS.values(), ignore_index=True).sample(frac=1.0, random_state=7)
    result = run_model(counts.reset_index(drop=True))
    assert list(result["experiment_id"]) == sorted(result["experiment_id"])
    check_against_references(counts, result, alpha=0.05, srm_alpha=0.001)


def test_generated_sets_cover_significant_and_non_significant_results() -> None:
    # guards the generator: the comparisons above must see both outcomes
    result = run_model(pd.concat(COUNT_SETS.values(), ignore_index=True))
    flags = result.loc[~result["is_control"], "is_significant"].astype(bool)
    assert flags.any() and not flags.all()
    assert result.loc[result["experiment_id"] == "significant", "is_significant"].dropna().astype(bool).all()
    assert not result.loc[result["experiment_id"] == "small", "is_significant"].dropna().astype(bool).any()


def test_significance_level_from_the_config_sets_the_interval_and_the_decision() -> None:
    counts = COUNT_SETS["three_variants"]
    result = run_model(counts, {"significance_level": 0.10, "srm_alpha": 0.001})
    check_against_references(counts, result, alpha=0.10, srm_alpha=0.001)


def test_no_conversions_in_either_arm_is_not_significant() -> None:
    rng = np.random.default_rng(3)
    counts = counts_frame("no_conversions", [("control", 500, 0), ("treatment", 480, 0)], rng)
    row = run_model(counts).set_index("variant").loc["treatment"]
    assert row["absolute_lift"] == 0.0
    assert not bool(row["is_significant"])
    low, high = sm_proportion.confint_proportions_2indep(0, 480, 0, 500, method="wald", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == (low, high) == (0.0, 0.0)


def test_lopsided_split_is_flagged_as_sample_ratio_mismatch_and_balanced_is_not() -> None:
    rng = np.random.default_rng(11)
    counts = pd.concat(
        [
            # 5000 vs 4400: chi-square = 2 × 300² / 4700 = 38.3, p ≈ 6e-10 < 0.001
            counts_frame("lopsided", [("control", 5000, 250), ("treatment", 4400, 231)], rng),
            # 5000 vs 4950: chi-square = 2 × 25² / 4975 = 0.25, p ≈ 0.62
            counts_frame("balanced", [("control", 5000, 250), ("treatment", 4950, 260)], rng),
            # three arms, one starved: 3000 / 3000 / 2700
            counts_frame("lopsided_3", [("a", 3000, 30), ("control", 3000, 30), ("b", 2700, 27)], rng),
        ],
        ignore_index=True,
    )
    result = run_model(counts)
    flagged = result.groupby("experiment_id")["has_sample_ratio_mismatch"].agg(lambda s: set(s.astype(bool)))
    assert flagged["lopsided"] == {True}
    assert flagged["balanced"] == {False}
    assert flagged["lopsided_3"] == {True}
    srm = result.groupby("experiment_id")["srm_p_value"].first()
    assert_close(srm["lopsided"], stats.chisquare([5000, 4400]).pvalue, "lopsided srm_p_value")
    assert srm["lopsided"] < 1e-8
    assert srm["balanced"] > 0.5
    check_against_references(counts, result, alpha=0.05, srm_alpha=0.001)


def test_srm_alpha_from_the_config_is_the_flagging_threshold() -> None:
    rng = np.random.default_rng(5)
    # 1000 vs 900: chi-square = 2 × 50² / 950 = 5.26, p ≈ 0.022: flagged at 0.05, not at 0.001
    counts = counts_frame("mild", [("control", 1000, 50), ("treatment", 900, 45)], rng)
    strict = run_model(counts, {"significance_level": 0.05, "srm_alpha": 0.001})
    lenient = run_model(counts, {"significance_level": 0.05, "srm_alpha": 0.05})
    assert not strict["has_sample_ratio_mismatch"].any()
    assert lenient["has_sample_ratio_mismatch"].all()


def test_defaults_apply_without_config() -> None:
    counts = COUNT_SETS["significant"]
    result = run_model(counts, {})
    check_against_references(counts, result, alpha=0.05, srm_alpha=0.001)
