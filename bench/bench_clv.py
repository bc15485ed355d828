"""Benchmark of the CLV models (issue: orders, customer 360, CLV).

Simulates purchase histories from a BG/NBD process with CDNOW-like parameters and Gamma-Gamma
spend, then times the maximum-likelihood fits and the per-customer predictions at 100k and 1M
customers, printing the figures and how well the parameters came back.

    uv run python bench/bench_clv.py --customers 100000 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement_stats import clv  # noqa: E402

TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate(n: int, weeks: float = 39.0, seed: int = 1) -> tuple[np.ndarray, ...]:
    """Frequency, recency, T and mean repeat spend of n customers, in whole days / 7."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE_BGNBD["r"], 1 / TRUE_BGNBD["alpha"], n)
    p = rng.beta(TRUE_BGNBD["a"], TRUE_BGNBD["b"], n)
    t_cal = np.floor(rng.uniform(weeks - 12, weeks, n) * 7) / 7
    frequency = np.zeros(n, dtype=np.int64)
    recency = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1 / lam[idx])
        in_window = now[idx] < t_cal[idx]
        bought = idx[in_window & alive[idx]]
        frequency[bought] += 1
        recency[bought] = now[bought]
        alive[bought] &= rng.random(bought.size) > p[bought]
        active[idx[~in_window | ~alive[idx]]] = False
    recency = np.floor(recency * 7) / 7
    nu = rng.gamma(TRUE_GG["q"], 1 / TRUE_GG["gamma"], n)
    repeats = np.maximum(frequency, 1)
    # the mean of x Gamma(p, rate nu) spends is Gamma(p x, rate x nu)
    spend = np.where(frequency > 0, rng.gamma(TRUE_GG["p"] * repeats, 1 / nu) / repeats, 0.0)
    return frequency, recency, t_cal, spend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", nargs="+", type=int, default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(
        f"{'customers':>10} {'BG/NBD fit':>11} {'GG fit':>8} {'predict':>8} {'status':>7}  "
        "recovered (fitted / true)"
    )
    for n in args.customers:
        frequency, recency, t, spend = simulate(n)
        start = time.perf_counter()
        bgnbd = clv.fit_bgnbd(frequency, recency, t)
        t_bg = time.perf_counter() - start
        repeat = frequency > 0
        start = time.perf_counter()
        gg = clv.fit_gamma_gamma(frequency[repeat], spend[repeat])
        t_gg = time.perf_counter() - start
        start = time.perf_counter()
        clv.bgnbd_probability_alive(bgnbd, frequency, recency, t)
        clv.predicted_clv(bgnbd, gg, frequency, recency, t, spend)
        t_pred = time.perf_counter() - start
        ratios = (
            " ".join(f"{k}={getattr(bgnbd, k) / v:.3f}" for k, v in TRUE_BGNBD.items())
            + " "
            + " ".join(f"{k}={getattr(gg, k) / v:.3f}" for k, v in TRUE_GG.items())
        )
        # the status the warehouse would publish (contract §4): ok unless an estimate is on an edge
        # of its search range or an optimiser did not converge
        flags = (bgnbd.converged and gg.converged, bgnbd.at_bound or gg.at_bound)
        status = "ok" if flags == (True, False) else "at_bound" if flags[1] else "not_conv"
        print(f"{n:>10,} {t_bg:>10.2f}s {t_gg:>7.2f}s {t_pred:>7.2f}s {status:>7}  {ratios}", flush=True)


if __name__ == "__main__":
    main()
