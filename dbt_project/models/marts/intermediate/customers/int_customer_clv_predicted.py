"""Per-customer probability of being alive and 12-month predicted CLV from the full fit.

Only an `ok` full fit predicts (contract §4); otherwise the predictions are null and `clv_status`
carries the fit's status, so a reader sees why rather than a number the model cannot support.
"""

import numpy as np
import pandas as pd

from engagement_stats import clv

HORIZON_WEEKS = 52.0


def model(dbt, session):
    summary = dbt.ref("int_customer_purchase_summary").df()
    params = dbt.ref("int_clv_parameters_fitted").df()
    full = params[params["fit"] == "full"]
    values = {(m, p): v for m, p, v in full[["model", "parameter", "value"]].itertuples(index=False)}
    status = str(full["fit_status"].iloc[0]) if len(full) else "insufficient_history"
    out = pd.DataFrame({"customer_id": summary["customer_id"]})
    out["probability_alive"] = np.nan
    out["expected_purchases_12m"] = np.nan
    out["expected_average_spend"] = np.nan
    out["predicted_clv_12m"] = np.nan
    out["clv_status"] = status
    if status == "ok" and len(summary):
        bgnbd = clv.BgNbdFit(
            r=values[("bg_nbd", "r")],
            alpha=values[("bg_nbd", "alpha")],
            a=values[("bg_nbd", "a")],
            b=values[("bg_nbd", "b")],
            log_likelihood=float("nan"),
            customers=len(summary),
        )
        gg = clv.GammaGammaFit(
            p=values[("gamma_gamma", "p")],
            q=values[("gamma_gamma", "q")],
            gamma=values[("gamma_gamma", "gamma")],
            log_likelihood=float("nan"),
            customers=0,
        )
        f, x, m = summary["frequency"], summary["recency_weeks"], summary["monetary_value"]
        # an order dated after the last loaded day (a time zone ahead of UTC) must not stop the run
        t = np.maximum(summary["t_weeks"], x)
        out["probability_alive"] = clv.bgnbd_probability_alive(bgnbd, f, x, t)
        out["expected_purchases_12m"] = clv.bgnbd_expected_purchases(bgnbd, HORIZON_WEEKS, f, x, t)
        out["expected_average_spend"] = clv.gamma_gamma_expected_spend(gg, f, m)
        out["predicted_clv_12m"] = clv.predicted_clv(bgnbd, gg, f, x, t, m, horizon_weeks=HORIZON_WEEKS)
    return out
