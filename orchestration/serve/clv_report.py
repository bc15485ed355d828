"""One line on the CLV fits for the refresh report and the demo summary (contract §4: when the full
fit is not ok the predictions are null, and the reader is told why)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def clv_fit_note(serving_path: Path) -> str | None:
    """The full fit's status with its reason, and the calibration fit's holdout check; None when
    the serving file has no CLV marts (an older build)."""
    try:
        con = duckdb.connect(str(serving_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        fits = dict(
            con.execute(
                """select fit, any_value(fit_status || ': ' || coalesce(fit_status_reason, ''))
                   from marts.clv_model_parameters group by fit"""
            ).fetchall()
        )
        metrics = dict(
            con.execute(
                """select metric, value from marts.clv_model_diagnostics where fit = 'calibration'"""
            ).fetchall()
        )
    except duckdb.Error:
        return None
    finally:
        con.close()
    full = fits.get("full", "missing")
    if full.startswith("ok:"):
        note = "CLV: full fit ok, predictions published"
    else:
        note = f"CLV: no predictions (predicted_clv_12m and probability_alive are null): full fit {full}"
    predicted = metrics.get("holdout_predicted_repeat_transactions")
    if predicted is not None:
        note += (
            f"; calibration fit {fits.get('calibration', 'missing').split(':')[0]}, over the last "
            f"{metrics.get('holdout_days', 0):.0f} days it predicts {predicted:,.0f} repeat purchase "
            f"occasions against {metrics.get('holdout_actual_repeat_transactions', 0):,.0f} actual"
        )
    return note
