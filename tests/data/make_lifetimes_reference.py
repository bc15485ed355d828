"""Regenerate the peer package's numbers on the CDNOW calibration summary.

Writes lifetimes_cdnow_params.json (fitted parameters) and lifetimes_cdnow_customers.csv (per-customer
probability alive, expected purchases in the next 52 weeks and expected spend per purchase).

Not run by the test suite. It needs the peer package `lifetimes` (0.11.3), which the project does not
depend on, so run it in a throwaway environment, e.g.::

    uv venv /tmp/clvpeer && uv pip install --python /tmp/clvpeer lifetimes==0.11.3 numpy pandas scipy
    PYTHONPATH=. /tmp/clvpeer/bin/python tests/data/make_lifetimes_reference.py

The summary is built with this project's `summarise_occasions` so that both implementations see
exactly the same input; only the fitting and the per-customer quantities come from lifetimes.
"""

from __future__ import annotations

import json
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

from orchestration.clv import summarise_occasions

HERE = Path(__file__).parent
HORIZON_WEEKS = 52.0


def cdnow_calibration_summary() -> pd.DataFrame:
    raw = pd.read_csv(
        HERE / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "quantity", "amount"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    calibration = raw[raw["date"] <= "1997-09-30"]
    return summarise_occasions(
        calibration["customer_id"], calibration["date"], calibration["amount"], "1997-09-30"
    )


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


if __name__ == "__main__":
    main()
