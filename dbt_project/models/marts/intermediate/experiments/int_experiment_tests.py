"""Two-proportion z-tests of every variant against its experiment's control, and a
sample-ratio-mismatch check of the allocation (contract §4, A/B results).

A dbt Python model because the distributions come from scipy; the counting happens in SQL
upstream, the statistics (and their formulas) in engagement_stats/experiments.py. The
significance level and the sample-ratio alpha are config keys (_experiments__models.yml).
"""

from engagement_stats.experiments import experiment_tests


def model(dbt, session):
    return experiment_tests(
        dbt.ref("int_experiment_variants_counted").df(),
        alpha=float(dbt.config.get("significance_level") or 0.05),
        srm_alpha=float(dbt.config.get("srm_alpha") or 0.001),
    )
