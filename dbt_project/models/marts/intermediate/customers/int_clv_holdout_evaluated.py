"""How each CLV fit did (contract §4, clv_model_diagnostics): per fit, the customers and history it
saw, and for the calibration fit its check on the holdout, the days after its cut-off.

The holdout metrics compare the calibration customers' actual repeat purchase occasions in the
holdout with the BG/NBD conditional expectation E[X(t) | x, t_x, T] under the calibration
parameters (t = the holdout in weeks); see engagement_stats/clv.py, `holdout_diagnostics`. The
predictions use the parameters whenever the optimiser produced them, whatever the fit's status,
so a fit flagged `at_bound` shows how far off it is; they are null only without parameters.
"""

import pandas as pd

from engagement_stats import clv


def model(dbt, session):
    occasions = dbt.ref("int_customer_purchase_occasions").df()
    windows = dbt.ref("int_clv_fit_windows").df()
    params = dbt.ref("int_clv_parameters_fitted").df()
    rows = []
    for window in windows.itertuples(index=False):
        fitted = params[params["fit"] == window.fit]
        first = fitted.iloc[0] if len(fitted) else None
        values = {p: v for m, p, v in fitted[["model", "parameter", "value"]].itertuples(index=False)}
        metrics = {
            "customers": float(first["customers"]) if first is not None else 0.0,
            "repeat_customers": float(first["repeat_customers"]) if first is not None else 0.0,
            "history_days": float(first["history_days"])
            if first is not None and pd.notna(first["history_days"])
            else None,
        }
        if window.fit == "calibration" and pd.notna(window.fit_end):
            bgnbd = None
            if all(pd.notna(values.get(p)) for p in ("r", "alpha", "a", "b")):
                bgnbd = clv.BgNbdFit(values["r"], values["alpha"], values["a"], values["b"], float("nan"), 0)
            try:
                metrics.update(
                    clv.holdout_diagnostics(
                        occasions["customer_id"],
                        occasions["occasion_date"],
                        occasions["daily_spend"].astype(float),
                        window.fit_end,
                        window.observation_end,
                        bgnbd,
                    )
                )
            except ValueError:
                # the calibration fit already says why (its fit_status_reason); no metric is better
                # than a failed refresh
                pass
        if window.fit == "full":
            fit = clv.ClvFit(
                status=str(first["fit_status"]) if first is not None else "insufficient_history",
                reason="",
                customers=0,
                repeat_customers=0,
                history_days=None,
                bgnbd=clv.BgNbdFit(values["r"], values["alpha"], values["a"], values["b"], float("nan"), 0)
                if all(pd.notna(values.get(p)) for p in ("r", "alpha", "a", "b"))
                else None,
                gamma_gamma=clv.GammaGammaFit(values["p"], values["q"], values["gamma"], float("nan"), 0)
                if all(pd.notna(values.get(p)) for p in ("p", "q", "gamma"))
                else None,
            )
            # the most the model predicts for a customer with a single purchase occasion
            metrics["one_occasion_max_predicted_clv_12m"] = clv.new_customer_clv(fit)
        for metric, value in metrics.items():
            rows.append({"fit": window.fit, "metric": metric, "value": value})
    frame = pd.DataFrame(rows, columns=["fit", "metric", "value"])
    frame["value"] = frame["value"].astype("float64")
    return frame
