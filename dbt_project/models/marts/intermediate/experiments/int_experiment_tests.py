"""Two-proportion z-tests of every variant against its experiment's control, and a
sample-ratio-mismatch check of the allocation (contract §4, A/B results).

A dbt Python model because the normal and chi-square distributions come from scipy (its `special`
functions: importing `scipy.stats` would add ~2 s to every dbt run); the counting happens in SQL
upstream. Formulas:
- pooled z-test: p = (x_t + x_c) / (n_t + n_c), z = (x_t/n_t - x_c/n_c) / sqrt(p (1 - p) (1/n_t + 1/n_c)),
  two-sided p-value 2 (1 - Phi(|z|));
- 95% confidence interval of the difference (Wald, unpooled):
  d +- z_0.975 sqrt(p_t (1 - p_t) / n_t + p_c (1 - p_c) / n_c);
- sample ratio mismatch: chi-square goodness of fit of the visitors per variant against an equal
  split, flagged below the var experiment_srm_alpha (0.001 by default, as is customary).
"""

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtr, ndtri


def model(dbt, session):
    dbt.config(materialized="table")
    alpha = float(dbt.config.get("significance_level") or 0.05)
    srm_alpha = float(dbt.config.get("srm_alpha") or 0.001)
    counts = dbt.ref("int_experiment_variants_counted").df()
    z_crit = ndtri(1 - alpha / 2)  # the normal quantile
    rows = []
    for experiment_id, group in counts.groupby("experiment_id", sort=True):
        visitors = group["visitors"].to_numpy(dtype=float)
        expected = np.full(len(visitors), visitors.sum() / len(visitors))
        # chi-square goodness of fit, k - 1 degrees of freedom (chdtrc: the upper tail)
        chi_square = float(((visitors - expected) ** 2 / expected).sum())
        srm_p = float(chdtrc(len(visitors) - 1, chi_square)) if len(visitors) > 1 else 1.0
        control = group[group["is_control"]]
        has_control = len(control) == 1
        if has_control:
            n_c = float(control["visitors"].iloc[0])
            x_c = float(control["conversions"].iloc[0])
            p_c = x_c / n_c
        for row in group.sort_values("variant").itertuples(index=False):
            n_t, x_t = float(row.visitors), float(row.conversions)
            p_t = x_t / n_t
            out = {
                "experiment_id": experiment_id,
                "variant": row.variant,
                "is_control": bool(row.is_control),
                "visitors": int(n_t),
                "conversions": int(x_t),
                "conversion_rate": p_t,
                "revenue": float(row.revenue),
                "revenue_per_visitor": float(row.revenue) / n_t,
                "absolute_lift": None,
                "relative_lift": None,
                "z_score": None,
                "p_value": None,
                "ci_low": None,
                "ci_high": None,
                "is_significant": None,
                "srm_p_value": srm_p,
                "has_sample_ratio_mismatch": srm_p < srm_alpha,
            }
            if has_control and not row.is_control:
                diff = p_t - p_c
                pooled = (x_t + x_c) / (n_t + n_c)
                se_pooled = np.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
                se_diff = np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
                z = diff / se_pooled if se_pooled > 0 else 0.0
                p_value = float(2 * ndtr(-abs(z)))  # two-sided
                out.update(
                    absolute_lift=diff,
                    relative_lift=diff / p_c if p_c > 0 else None,
                    z_score=float(z),
                    p_value=p_value,
                    ci_low=diff - z_crit * se_diff,
                    ci_high=diff + z_crit * se_diff,
                    is_significant=p_value < alpha,
                )
            rows.append(out)
    columns = [
        "experiment_id", "variant", "is_control", "visitors", "conversions", "conversion_rate", "revenue",
        "revenue_per_visitor", "absolute_lift", "relative_lift", "z_score", "p_value", "ci_low", "ci_high",
        "is_significant", "srm_p_value", "has_sample_ratio_mismatch",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("absolute_lift", "relative_lift", "z_score", "p_value", "ci_low", "ci_high"):
        frame[column] = frame[column].astype("float64")
    frame["is_significant"] = frame["is_significant"].astype("boolean")
    return frame
