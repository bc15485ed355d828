"""Per-customer probability of being alive and 12-month predicted CLV from the fitted models.

Customers with too little data to fit a model (fewer than 10 buyers in all) get nulls rather
than a guess.
"""

import numpy as np
import pandas as pd

from orchestration import clv

HORIZON_WEEKS = 52.0


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customer_purchase_summary").df()
    params = dbt.ref("int_clv_parameters_fitted").df()
    values = {(m, p): v for m, p, v in params[["model", "parameter", "value"]].itertuples(index=False)}
    out = pd.DataFrame({"customer_id": summary["customer_id"]})
    out["probability_alive"] = np.nan
    out["expected_purchases_12m"] = np.nan
    out["expected_average_spend"] = np.nan
    out["predicted_clv_12m"] = np.nan
    if ("bg_nbd", "r") in values:
        bgnbd = clv.BgNbdFit(
            r=values[("bg_nbd", "r")],
            alpha=values[("bg_nbd", "alpha")],
            a=values[("bg_nbd", "a")],
            b=values[("bg_nbd", "b")],
            log_likelihood=float("nan"),
            customers=len(summary),
        )
        f, x, t = summary["frequency"], summary["recency_weeks"], summary["t_weeks"]
        out["probability_alive"] = clv.bgnbd_probability_alive(bgnbd, f, x, t)
        out["expected_purchases_12m"] = clv.bgnbd_expected_purchases(bgnbd, HORIZON_WEEKS, f, x, t)
        if ("gamma_gamma", "p") in values:
            gg = clv.GammaGammaFit(
                p=values[("gamma_gamma", "p")],
                q=values[("gamma_gamma", "q")],
                gamma=values[("gamma_gamma", "gamma")],
                log_likelihood=float("nan"),
                customers=0,
            )
            out["expected_average_spend"] = clv.gamma_gamma_expected_spend(gg, f, summary["monetary_value"])
            out["predicted_clv_12m"] = clv.predicted_clv(
                bgnbd, gg, f, x, t, summary["monetary_value"], horizon_weeks=HORIZON_WEEKS
            )
    return out
