"""Regenerate the peer package's numbers on the CDNOW calibration summary.

Writes lifetimes_cdnow_params.json (fitted parameters), lifetimes_cdnow_customers.csv (per-customer
probability alive, expected purchases in the next 52 weeks and expected spend per purchase) and
lifetimes_cdnow_holdout.json (the calibration / holdout check of the published split: 39 weeks to
1997-09-30, then 273 days to 1998-06-30).

Not run by the test suite. It needs the peer package `lifetimes` (0.11.3), which the project does not
depend on, so run it in a throwaway environment, e.g.::

    uv venv /tmp/clvpeer && uv pip install --python /tmp/clvpeer lifetimes==0.11.3 numpy pandas scipy

(numpy 2.4.6 and pandas 3.1.1 work for everything used here.)
    PYTHONPATH=. /tmp/clvpeer/bin/python tests/data/make_lifetimes_reference.py

The summary is built with this project's `summarise_occasions` so that both implementations see
exactly the same input; only the fitting and the per-customer quantities come from lifetimes. The
holdout check is lifetimes' own from end to end (its `calibration_and_holdout_data` summary, daily
periods turned into weeks), so it also checks this project's split and counting.
"""

from __future__ import annotations

import json
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data

from engagement_stats.clv import summarise_occasions

HERE = Path(__file__).parent
HORIZON_WEEKS = 52.0
CALIBRATION_END = "1997-09-30"
OBSERVATION_END = "1998-06-30"


def cdnow_transactions() -> pd.DataFrame:
    raw = pd.read_csv(
        HERE / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "quantity", "amount"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


def cdnow_calibration_summary() -> pd.DataFrame:
    raw = cdnow_transactions()
    calibration = raw[raw["date"] <= CALIBRATION_END]
    return summarise_occasions(
        calibration["customer_id"], calibration["date"], calibration["amount"], CALIBRATION_END
    )


def holdout_check() -> dict[str, object]:
    """lifetimes' calibration fit and its expected repeat purchases in the 273-day holdout."""
    split = calibration_and_holdout_data(
        cdnow_transactions(),
        "customer_id",
        "date",
        calibration_period_end=CALIBRATION_END,
        observation_period_end=OBSERVATION_END,
        freq="D",
        # (lifetimes 0.11.3 on pandas 3 fails without a monetary column; the spend is not used)
        monetary_value_col="amount",
    )
    holdout_weeks = float(split["duration_holdout"].iloc[0]) / 7.0
    x = split["frequency_cal"].to_numpy(dtype=float)
    t_x = split["recency_cal"].to_numpy(dtype=float) / 7.0
    t = split["T_cal"].to_numpy(dtype=float) / 7.0
    fitter = BetaGeoFitter().fit(x, t_x, t)
    expected = fitter.conditional_expected_number_of_purchases_up_to_time
    predicted = np.asarray(expected(holdout_weeks, x, t_x, t))
    actual = split["frequency_holdout"].to_numpy(dtype=float)
    return {
        "source": f"lifetimes {lifetimes.__version__}, numpy {np.__version__}, pandas {pd.__version__}",
        "calibration_end": CALIBRATION_END,
        "observation_end": OBSERVATION_END,
        "bgnbd": {k: float(fitter.params_[k]) for k in ("r", "alpha", "a", "b")},
        "holdout_days": float(split["duration_holdout"].iloc[0]),
        "holdout_customers": int(len(split)),
        "holdout_actual_repeat_transactions": float(actual.sum()),
        "holdout_predicted_repeat_transactions": float(predicted.sum()),
        "holdout_mean_absolute_error": float(np.mean(np.abs(actual - predicted))),
    }


def main() -> None:
    summary = cdnow_calibration_summary()
    x, t_x, t, m = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "monetary"))

    bgnbd = BetaGeoFitter().fit(x, t_x, t)
    repeat = x > 0
    gg = GammaGammaFitter().fit(x[repeat], m[repeat])

    params = {
        "source": f"lifetimes {lifetimes.__version__}, numpy {np.__version__}, pandas {pd.__version__}",
        "horizon_weeks": HORIZON_WEEKS,
        "bgnbd": {k: float(bgnbd.params_[k]) for k in ("r", "alpha", "a", "b")},
        "gamma_gamma": {
            "p": float(gg.params_["p"]),
            "q": float(gg.params_["q"]),
            "gamma": float(gg.params_["v"]),
        },
    }
    (HERE / "lifetimes_cdnow_params.json").write_text(json.dumps(params, indent=2) + "\n")
    customers = pd.DataFrame(
        {
            "customer_id": summary["customer_id"].astype(int),
            "probability_alive": np.asarray(bgnbd.conditional_probability_alive(x, t_x, t)),
            "expected_purchases": np.asarray(
                bgnbd.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, x, t_x, t)
            ),
            "expected_spend": np.asarray(gg.conditional_expected_average_profit(x, m)),
        }
    )
    # %.17g round-trips a float64 exactly
    customers.to_csv(HERE / "lifetimes_cdnow_customers.csv", index=False, float_format="%.17g")
    (HERE / "lifetimes_cdnow_holdout.json").write_text(json.dumps(holdout_check(), indent=2) + "\n")


if __name__ == "__main__":
    main()
