"""BG/NBD and Gamma-Gamma fitted by maximum likelihood on the customers' purchase summary.

A dbt Python model, so the fit is part of the DAG: it reruns whenever its input is rebuilt and
shows in the lineage. The likelihoods and the optimiser live in orchestration/clv.py (tested
there); this model only moves data in and out.
"""

import pandas as pd

from orchestration import clv
from orchestration.failpoints import pause_point


def model(dbt, session):
    dbt.config(materialized="table")
    pause_point("dbt:clv-fit")  # a no-op unless a crash test asks for it
    summary = dbt.ref("int_customer_purchase_summary").df()
    observation_end = summary["observation_end"].max() if len(summary) else None
    rows = []
    if len(summary) >= 10:
        bgnbd = clv.fit_bgnbd(summary["frequency"], summary["recency_weeks"], summary["t_weeks"])
        for name in ("r", "alpha", "a", "b"):
            rows.append(("bg_nbd", name, getattr(bgnbd, name), bgnbd.log_likelihood, bgnbd.customers))
        repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(repeaters) >= 10:
            gg = clv.fit_gamma_gamma(repeaters["frequency"], repeaters["monetary_value"])
            for name in ("p", "q", "gamma"):
                rows.append(("gamma_gamma", name, getattr(gg, name), gg.log_likelihood, gg.customers))
    frame = pd.DataFrame(rows, columns=["model", "parameter", "value", "log_likelihood", "customers"])
    frame["customers"] = frame["customers"].astype("int64")
    frame["observation_end"] = pd.to_datetime(observation_end) if observation_end is not None else pd.NaT
    return frame
