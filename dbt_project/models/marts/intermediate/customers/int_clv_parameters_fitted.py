"""BG/NBD and Gamma-Gamma fitted by maximum likelihood, twice (contract §4): `full` over all the
order history and `calibration` over the history before the holdout (int_clv_fit_windows).

A dbt Python model, so the fits are part of the DAG: they rerun whenever their input is rebuilt and
show in the lineage. The likelihoods, the optimiser and the statuses live in engagement_stats/clv.py
(tested there); this model only moves data in and out. Every fit publishes all seven parameter
rows, whatever happens: a fit that cannot run has null values and a status saying why, so a new
shop's refresh succeeds and tells the reader what is missing.
"""

import pandas as pd

from engagement_stats import clv
from orchestration.core.failpoints import pause_point

PARAMETERS = (
    ("bg_nbd", "r"),
    ("bg_nbd", "alpha"),
    ("bg_nbd", "a"),
    ("bg_nbd", "b"),
    ("gamma_gamma", "p"),
    ("gamma_gamma", "q"),
    ("gamma_gamma", "gamma"),
)


def model(dbt, session):
    pause_point("dbt:clv-fit")  # a no-op unless a crash test asks for it
    occasions = dbt.ref("int_customer_purchase_occasions").df()
    windows = dbt.ref("int_clv_fit_windows").df()
    rows = []
    for window in windows.itertuples(index=False):
        end = pd.Timestamp(window.fit_end) if pd.notna(window.fit_end) else None
        if end is None:
            seen = occasions.iloc[0:0]
        else:
            seen = occasions[pd.to_datetime(occasions["occasion_date"]) <= end]
        try:
            summary = clv.summarise_occasions(
                seen["customer_id"],
                seen["occasion_date"],
                seen["daily_spend"].astype(float),
                end if end is not None else pd.Timestamp("1970-01-01"),
            )
            result = clv.fit_clv(summary, int(window.min_history_days))
        except ValueError as exc:
            # e.g. a spend that is not a number: the fit cannot run, the rest of the refresh can
            result = clv.ClvFit("not_converged", f"the fit could not run: {exc}", 0, 0, None)
        models = {"bg_nbd": result.bgnbd, "gamma_gamma": result.gamma_gamma}
        for model_name, parameter in PARAMETERS:
            fitted = models[model_name]
            rows.append(
                {
                    "fit": window.fit,
                    "model": model_name,
                    "parameter": parameter,
                    "value": getattr(fitted, parameter) if fitted is not None else None,
                    "log_likelihood": fitted.log_likelihood if fitted is not None else None,
                    # customers the model was (or would have been) fitted on
                    "customers": fitted.customers
                    if fitted is not None
                    else (result.customers if model_name == "bg_nbd" else result.repeat_customers),
                    "observation_end": end,
                    "fit_status": result.status,
                    "fit_status_reason": result.reason,
                    "history_days": result.history_days,
                    "repeat_customers": result.repeat_customers,
                }
            )
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    frame["log_likelihood"] = frame["log_likelihood"].astype("float64")
    frame["customers"] = frame["customers"].astype("int64")
    frame["history_days"] = frame["history_days"].astype("Int64")
    frame["repeat_customers"] = frame["repeat_customers"].astype("int64")
    frame["observation_end"] = pd.to_datetime(frame["observation_end"])
    return frame
