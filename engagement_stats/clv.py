"""Predicted customer lifetime value: BG/NBD purchase model and Gamma-Gamma spend model.

Both models are fitted by maximum likelihood on the per-customer summary the data contract defines
(see `summarise_occasions`):

* ``frequency`` (x): purchase occasions - 1, i.e. repeat occasions. An occasion is a customer-day with
  a completed order.
* ``recency`` (t_x): weeks from the first to the last occasion (whole days / 7); 0 when x = 0.
* ``T``: weeks from the first occasion to the observation end (whole days / 7).
* ``monetary`` (m_x): mean daily spend over the x repeat occasions (the first occasion is excluded, as
  in the literature, because the acquisition purchase is often atypical); 0 when x = 0.

References
----------
* P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "'Counting Your Customers' the Easy Way: An
  Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284. (BG/NBD)
* P. S. Fader, B. G. S. Hardie, K. L. Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
  Base Analysis", Journal of Marketing Research 42(4), 415-430. (Gamma-Gamma)
* P. S. Fader, B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value", note. (Gamma-Gamma)

The log-likelihoods are evaluated in log space (gammaln/betaln, logaddexp) so that customers with many
purchases or long histories do not overflow. Fitting optimises the log of the parameters, which keeps
them positive, with analytic gradients, and works on the distinct (x, t_x, T) rows weighted by how many
customers share them: with whole-day recency and T a large base collapses to far fewer rows, and the
result is identical to summing over customers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

__all__ = [
    "FIT_STATUSES",
    "MIN_REPEAT_CUSTOMERS",
    "BgNbdFit",
    "ClvFit",
    "fit_clv",
    "holdout_diagnostics",
    "GammaGammaFit",
    "bgnbd_log_likelihood",
    "bgnbd_probability_alive",
    "bgnbd_expected_purchases",
    "fit_bgnbd",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_expected_spend",
    "fit_gamma_gamma",
    "predicted_clv",
    "summarise_occasions",
]

DAYS_PER_WEEK = 7.0

# The search range: every parameter within a factor of _SEARCH_FACTOR of its natural scale (1 for the
# shape parameters, the data's own time or money scale for alpha and gamma). Wide enough for any fit
# the literature reports, narrow enough that a flat likelihood (b -> infinity when nobody seems to
# drop out, q -> infinity when everyone spends alike) ends on an edge, which `fit_clv` reports as
# `at_bound` instead of publishing a degenerate model.
_SEARCH_FACTOR = 1e4
_LOG_BOUND = float(np.log(_SEARCH_FACTOR))
# An estimate this close to an edge, in log terms (0.1%), counts as on it.
_AT_BOUND_TOLERANCE = 1e-3
# Largest gradient of the mean log-likelihood, w.r.t. a log-parameter not on an edge, accepted as an
# optimum: L-BFGS-B sometimes stops on a line-search failure at machine precision, which is fine.
_CONVERGED_GRADIENT = 1e-4

FIT_STATUSES = ("ok", "insufficient_history", "not_converged", "at_bound")
# Contract §4: fewer customers with a repeat occasion than this is too little to fit either model.
MIN_REPEAT_CUSTOMERS = 20


@dataclass(frozen=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters (time unit: weeks) and the fit's total log-likelihood."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    converged: bool = True
    at_bound: bool = False


@dataclass(frozen=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters and the fit's total log-likelihood."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool = True
    at_bound: bool = False


# --------------------------------------------------------------------------------------------------
# input handling


def _as_float(values: ArrayLike, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def _rfm_arrays(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _as_float(frequency, "frequency")
    t_x = _as_float(recency, "recency")
    t = _as_float(T, "T")
    if not (x.shape == t_x.shape == t.shape):
        raise ValueError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a non-negative whole number")
    if np.any(t_x < 0) or np.any(t_x > t + 1e-9):
        raise ValueError("recency must lie between 0 and T")
    return x, t_x, t


def _check_params(params: Sequence[float], names: tuple[str, ...]) -> tuple[float, ...]:
    values = tuple(float(v) for v in params)
    if len(values) != len(names):
        raise ValueError(f"expected {len(names)} parameters ({', '.join(names)}), got {len(values)}")
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"parameters {', '.join(names)} must be positive and finite")
    return values


# --------------------------------------------------------------------------------------------------
# BG/NBD


def bgnbd_log_likelihood(
    params: Sequence[float], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood, Fader, Hardie & Lee (2005), equation (6).

    For parameters (r, alpha, a, b) and a customer with x repeat purchases, the last at t_x, observed
    for T::

        L = Gamma(r + x) alpha^r / Gamma(r) * (
                B(a, b + x) / B(a, b) / (alpha + T)^(r + x)
              + [x > 0] * B(a + 1, b + x - 1) / B(a, b) / (alpha + t_x)^(r + x)
            )

    The first term is "still alive at T", the second "dropped out right after the x-th purchase",
    which is impossible without a purchase, hence the indicator.
    """
    r, alpha, a, b = _check_params(params, ("r", "alpha", "a", "b"))
    x, t_x, t = _rfm_arrays(frequency, recency, T)
    return _bgnbd_ll_and_gradient(r, alpha, a, b, x, t_x, t, gradient=False)[0]


def _bgnbd_ll_and_gradient(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: np.ndarray,
    t_x: np.ndarray,
    t: np.ndarray,
    gradient: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The BG/NBD log-likelihood (`bgnbd_log_likelihood`) as ``common + log(e^alive + e^dropped)``.

    With ``gradient`` also returns the per-customer derivatives with respect to (r, alpha, a, b),
    shape (4, n). An analytic gradient makes the fit several times faster than finite differences
    (one evaluation per step instead of five) and lets it converge to full precision. Each log term
    is differentiated directly (psi = digamma); d log(e^u + e^v) = w_u du + w_v dv with
    w_u = e^u / (e^u + e^v).
    """
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    alive = betaln(a, b + x) - (r + x) * np.log(alpha + t)
    repeat = x > 0
    # betaln(a + 1, b - 1) is undefined for b < 1; those rows are masked to -inf anyway, so feed them
    # a harmless x = 1 instead of computing (and warning about) a meaningless value.
    x_safe = np.where(repeat, x, 1.0)
    dropped = np.where(
        repeat,
        betaln(a + 1.0, b + x_safe - 1.0) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    total = np.logaddexp(alive, dropped)
    ll = common + total
    if not gradient:
        return ll, None

    w_alive = np.exp(alive - total)
    w_dropped = np.exp(dropped - total)  # exactly 0 where x = 0
    psi_abx = digamma(a + b + x)
    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w_alive * np.log(alpha + t)
        - w_dropped * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + t) + w_dropped / (alpha + t_x))
    d_a = (
        digamma(a + b)
        - digamma(a)
        + w_alive * (digamma(a) - psi_abx)
        + w_dropped * (digamma(a + 1.0) - psi_abx)
    )
    d_b = (
        digamma(a + b)
        - digamma(b)
        + w_alive * (digamma(b + x) - psi_abx)
        + w_dropped * (digamma(b + x_safe - 1.0) - psi_abx)
    )
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def _bgnbd_log_odds_dead(fit: BgNbdFit, x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log( P(dropped out | data) / P(alive | data) ); -inf for customers without repeat purchases."""
    repeat = x > 0
    x_safe = np.where(repeat, x, 1.0)
    log_odds = (
        np.log(fit.a)
        - np.log(fit.b + x_safe - 1.0)
        + (fit.r + x) * (np.log(fit.alpha + t) - np.log(fit.alpha + t_x))
    )
    return np.where(repeat, log_odds, -np.inf)


def bgnbd_probability_alive(
    fit: BgNbdFit, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """P(customer still active at T | x, t_x, T), Fader, Hardie & Lee (2005), equation (12)::

        P(alive) = 1 / (1 + [x > 0] * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))

    A customer without repeat purchases is alive with probability 1: under the model a customer can
    only drop out right after a purchase, and the first purchase is not modelled.
    """
    x, t_x, t = _rfm_arrays(frequency, recency, T)
    # expit(-z) = 1 / (1 + e^z) without overflow for customers who are almost surely gone
    return expit(-_bgnbd_log_odds_dead(fit, x, t_x, t))


def bgnbd_expected_purchases(
    fit: BgNbdFit, t: float | ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Expected purchases in (T, T + t] given x, t_x, T; Fader, Hardie & Lee (2005), equation (10)::

        E[Y(t) | x, t_x, T] =
            (a + b + x - 1) / (a - 1)
            * (1 - ((alpha + T) / (alpha + T + t))^(r + x) * 2F1(r + x, b + x; a + b + x - 1; z))
            / (1 + [x > 0] * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)),
        z = t / (alpha + T + t)

    The denominator is 1 / P(alive), so this is P(alive) times the expected purchases of a customer
    known to be alive at T.

    As written, 2F1 overflows for heavy buyers (its first two parameters grow with x) while the
    power in front of it underflows, giving inf * 0. Euler's transformation
    2F1(A, B; C; z) = (1 - z)^(C - A - B) 2F1(C - A, C - B; C; z) turns the product into the
    equivalent ``(1 - z)^(a - 1) * 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``, whose parameters do
    not grow with x, and that is what is evaluated. The expression is valid for a != 1 (for a < 1
    both factors of the first line are negative); at exactly a = 1 it is 0/0, so a is nudged by
    1e-9, which changes the result far below any meaningful precision.
    """
    x, t_x, big_t = _rfm_arrays(frequency, recency, T)
    horizon = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    if np.any(horizon < 0) or not np.all(np.isfinite(horizon)):
        raise ValueError("t must be a non-negative finite number of weeks")
    r, alpha, b = fit.r, fit.alpha, fit.b
    a = fit.a if abs(fit.a - 1.0) > 1e-9 else 1.0 + 1e-9

    z = horizon / (alpha + big_t + horizon)
    # = ((alpha + T) / (alpha + T + t))^(r + x) * 2F1(r + x, b + x; a + b + x - 1; z)
    tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    alive_mean = (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail)
    return alive_mean * expit(-_bgnbd_log_odds_dead(fit, x, t_x, big_t))


def _compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the given columns (in sorted order, so deterministic) and their counts."""
    counts = pd.DataFrame({i: c for i, c in enumerate(columns)}).value_counts(sort=False).sort_index()
    distinct = counts.index.to_frame(index=False)
    return [distinct[i].to_numpy(dtype=float) for i in range(len(columns))], counts.to_numpy(dtype=float)


LogLikelihoodAndGradient = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Optimum:
    params: np.ndarray
    converged: bool
    at_bound: bool


def _maximise(
    ll_and_gradient: LogLikelihoodAndGradient,
    weights: np.ndarray,
    starts: list[np.ndarray],
    centre: np.ndarray,
    what: str,
) -> _Optimum:
    """Maximise a weighted log-likelihood over log-parameters.

    `ll_and_gradient(params)` gives per-row log-likelihoods and their gradient w.r.t. the parameters.
    Optimising log(params) keeps them positive (the chain rule multiplies the gradient by the
    parameter); each log-parameter is searched within log(centre) +- _LOG_BOUND, the search range
    whose edges `at_bound` reports. The objective is the *mean* negative log-likelihood so that the
    tolerances mean the same for 100 or 100,000 customers. Screening a handful of fixed starting
    points (one evaluation each) and optimising from the best keeps the fit deterministic while
    avoiding flat regions that a single arbitrary start can land in.
    """
    n = float(weights.sum())

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ll, grad = ll_and_gradient(params)
            value = -float(np.dot(weights, ll)) / n
            jac = -(grad @ weights) * params / n
        if not (np.isfinite(value) and np.all(np.isfinite(jac))):
            # L-BFGS-B backtracks from an infinite value; a NaN would derail it
            return np.inf, np.zeros_like(log_params)
        return value, jac

    low, high = np.log(centre) - _LOG_BOUND, np.log(centre) + _LOG_BOUND
    starts = [np.clip(s, low, high) for s in starts]
    values = [objective(s)[0] for s in starts]
    best = int(np.argmin(values))
    if not np.isfinite(values[best]):
        raise ValueError(f"{what}: the log-likelihood is not finite at any starting point")
    result = minimize(
        objective,
        starts[best],
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(low, high, strict=True)),
        options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10, "maxls": 50},
    )
    if not (np.isfinite(result.fun) and np.all(np.isfinite(result.x))):
        raise ValueError(f"{what}: the optimiser did not reach a finite optimum ({result.message})")
    on_edge = (result.x - low < _AT_BOUND_TOLERANCE) | (high - result.x < _AT_BOUND_TOLERANCE)
    gradient = objective(result.x)[1]
    converged = bool(result.success or np.all(np.abs(gradient[~on_edge]) < _CONVERGED_GRADIENT))
    return _Optimum(np.exp(result.x), converged, bool(on_edge.any()))


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit over all customers (frequency-0 customers included: they
    inform the purchase rate and, through the "alive" term, the dropout process)."""
    x, t_x, t = _rfm_arrays(frequency, recency, T)
    customers = int(x.size)
    if customers == 0:
        raise ValueError("cannot fit the BG/NBD model without customers")
    if np.all(x == 0):
        raise ValueError("cannot fit the BG/NBD model: no customer has a repeat purchase")
    (ux, ut_x, ut), weights = _compress(x, t_x, t)

    def ll_and_gradient(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ll, grad = _bgnbd_ll_and_gradient(*params, ux, ut_x, ut, gradient=True)
        assert grad is not None
        return ll, grad

    # r / alpha is the mean purchase rate of a customer who never drops out; match it roughly to the
    # observed repeat rate, then let r (heterogeneity) and a, b (dropout) vary over a small grid.
    # (sums over the sorted distinct rows: a sum over the input in its given order differs in the
    # last bits when the rows come in another order, which a flat likelihood turns into a
    # different optimum; the fit must not depend on row order)
    rate = max(float(np.dot(ux, weights) / max(np.dot(ut, weights), 1e-12)), 1e-6)
    starts = [
        np.log([r0, r0 / rate, a0, b0])
        for r0 in (0.25, 1.0, 4.0)
        for a0, b0 in ((1.0, 1.0), (0.5, 2.0), (1.0, 5.0))
    ]
    centre = np.array([1.0, 1.0 / rate, 1.0, 1.0])
    optimum = _maximise(ll_and_gradient, weights, starts, centre, "BG/NBD fit")
    r, alpha, a, b = optimum.params
    ll = float(np.dot(weights, _bgnbd_ll_and_gradient(r, alpha, a, b, ux, ut_x, ut, gradient=False)[0]))
    return BgNbdFit(
        float(r), float(alpha), float(a), float(b), ll, customers, optimum.converged, optimum.at_bound
    )


# --------------------------------------------------------------------------------------------------
# Gamma-Gamma


def _spend_arrays(frequency: ArrayLike, monetary: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = _as_float(frequency, "frequency")
    m = _as_float(monetary, "monetary")
    if x.shape != m.shape:
        raise ValueError("frequency and monetary must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a non-negative whole number")
    return x, m


def gamma_gamma_log_likelihood(
    params: Sequence[float], frequency: ArrayLike, monetary: ArrayLike
) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m_x over x > 0 transactions.

    Each transaction value is Gamma(p, nu) (shape p, rate nu) and nu ~ Gamma(q, gamma) across
    customers, so x * m_x | nu ~ Gamma(p x, nu); integrating nu out gives the density of m_x (Fader,
    Hardie & Lee 2005, "RFM and CLV", and Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
    Value")::

        f(m_x | p, q, gamma, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
                                  * gamma^q * m_x^(p x - 1) * x^(p x) / (gamma + x m_x)^(p x + q)

    Defined only for customers with x > 0 and m_x > 0; other rows raise ValueError.
    """
    p, q, gamma = _check_params(params, ("p", "q", "gamma"))
    x, m = _spend_arrays(frequency, monetary)
    if np.any(x <= 0) or np.any(m <= 0):
        raise ValueError("the Gamma-Gamma likelihood needs frequency > 0 and monetary > 0 for every row")
    return _gamma_gamma_ll_and_gradient(p, q, gamma, x, m, gradient=False)[0]


def _gamma_gamma_ll_and_gradient(
    p: float, q: float, gamma: float, x: np.ndarray, m: np.ndarray, gradient: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """`gamma_gamma_log_likelihood` without input checks, optionally with its (3, n) gradient
    w.r.t. (p, q, gamma), differentiated term by term (psi = digamma)."""
    px = p * x
    log_scale = np.log(gamma + x * m)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_scale
    )
    if not gradient:
        return ll, None
    psi_pxq = digamma(px + q)
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_scale)
    d_q = psi_pxq - digamma(q) + np.log(gamma) - log_scale
    d_gamma = q / gamma - (px + q) / (gamma + x * m)
    return ll, np.vstack([d_p, d_q, d_gamma])


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit over the customers with frequency > 0 and monetary > 0.

    Customers without a repeat occasion carry no information on repeat spend (monetary is 0 for
    them by definition), and a non-positive mean spend (e.g. only free orders) is outside the
    model's support, so both are left out; `customers` counts the rows actually used.
    """
    x, m = _spend_arrays(frequency, monetary)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    customers = int(x.size)
    if customers < 2:
        raise ValueError("cannot fit the Gamma-Gamma model with fewer than 2 customers with repeat spend")
    (ux, um), weights = _compress(x, m)

    def ll_and_gradient(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ll, grad = _gamma_gamma_ll_and_gradient(*params, ux, um, gradient=True)
        assert grad is not None
        return ll, grad

    # The population mean spend is p * gamma / (q - 1); anchor gamma on the observed mean so every
    # start has the right scale, and vary the shapes.
    mean_spend = float(np.dot(um * ux, weights) / np.dot(ux, weights))  # sorted rows, as above
    starts = [np.log([p0, q0, mean_spend * (q0 - 1.0) / p0]) for p0 in (1.0, 5.0) for q0 in (2.0, 4.0, 10.0)]
    centre = np.array([1.0, 1.0, mean_spend])
    optimum = _maximise(ll_and_gradient, weights, starts, centre, "Gamma-Gamma fit")
    p, q, gamma = optimum.params
    ll = float(np.dot(weights, _gamma_gamma_ll_and_gradient(p, q, gamma, ux, um, gradient=False)[0]))
    return GammaGammaFit(float(p), float(q), float(gamma), ll, customers, optimum.converged, optimum.at_bound)


def gamma_gamma_expected_spend(fit: GammaGammaFit, frequency: ArrayLike, monetary: ArrayLike) -> np.ndarray:
    """Conditional expected spend per transaction, Fader, Hardie & Lee (2005) / Fader & Hardie (2013)::

        E[M | p, q, gamma, x, m_x] = p (gamma + x m_x) / (p x + q - 1)
                                   = (q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * m_x

    a weighted mean of the population mean p gamma / (q - 1) and the customer's own mean; with x = 0
    it is the population mean. The population mean is infinite for q <= 1, so that is an error.
    """
    if fit.q <= 1.0:
        raise ValueError("the Gamma-Gamma mean spend is undefined for q <= 1")
    x, m = _spend_arrays(frequency, monetary)
    # monetary is 0 by definition when x = 0; force it so a stray value cannot leak into the mean
    m = np.where(x > 0, m, 0.0)
    return fit.p * (fit.gamma + x * m) / (fit.p * x + fit.q - 1.0)


# --------------------------------------------------------------------------------------------------
# CLV


def predicted_clv(
    bgnbd: BgNbdFit,
    gg: GammaGammaFit,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary: ArrayLike,
    horizon_weeks: float = 52.0,
) -> np.ndarray:
    """Expected spend in the next `horizon_weeks`: E[purchases in (T, T + horizon]] * E[spend per purchase].

    Undiscounted: over a 12-month horizon a discount rate moves the figure by a few percent at most,
    and an undiscounted value is what "predicted spend over the next 12 months" reads as. Multiplying
    the two expectations relies on the Gamma-Gamma assumption that spend is independent of the
    purchase process.
    """
    purchases = bgnbd_expected_purchases(bgnbd, horizon_weeks, frequency, recency, T)
    spend = gamma_gamma_expected_spend(gg, frequency, monetary)
    return purchases * spend


# --------------------------------------------------------------------------------------------------
# summary from occasions


def _as_days(values: ArrayLike) -> np.ndarray:
    """Dates (strings, date/datetime objects, datetime64, timestamps) as days since the epoch.

    Time of day is dropped: the contract counts whole days between business dates. Zone-aware
    timestamps keep their local wall date, which is the business date when they are already in the
    reporting time zone.
    """
    # ISO8601 accepts dates with and without a time of day in the same column; non-strings ignore it
    stamps = pd.to_datetime(pd.Series(values), format="ISO8601")
    if stamps.isna().any():
        raise ValueError("occasion dates must not be missing")
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.to_numpy().astype("datetime64[D]").astype(np.int64)


def summarise_occasions(
    customer_ids: ArrayLike,
    occasion_dates: ArrayLike,
    daily_spend: ArrayLike,
    observation_end: date | str | pd.Timestamp,
) -> pd.DataFrame:
    """Per-customer frequency, recency, T and monetary value from customer-day purchase occasions.

    Each row is a customer-day with completed orders and that day's spend. Several rows for the
    same customer and day are merged into one occasion with their spend summed, so passing one row
    per order gives the same result as passing pre-aggregated customer-days.

    * frequency = occasions - 1
    * recency = (last occasion - first occasion) in whole days / 7
    * T = (observation_end - first occasion) in whole days / 7
    * monetary = mean daily spend over the repeat occasions (all but the first); 0 when frequency = 0

    Occasions after `observation_end` are an error rather than silently dropped: they mean the
    summary is being built for the wrong cut-off, and a calibration period is the caller's choice.
    Returns one row per customer, sorted by customer_id.
    """
    days = _as_days(occasion_dates)
    spend = _as_float(daily_spend, "daily_spend")
    ids = pd.Series(customer_ids)
    if not (len(ids) == days.size == spend.size):
        raise ValueError("customer_ids, occasion_dates and daily_spend must have the same length")
    if ids.isna().any():
        raise ValueError("customer_ids must not be missing")
    end = int(_as_days([observation_end])[0])
    if days.size and days.max() > end:
        raise ValueError("an occasion falls after observation_end")

    columns = ["customer_id", "frequency", "recency", "T", "monetary"]
    if days.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns}).astype({"frequency": "int64"})

    occasions = (
        pd.DataFrame({"customer_id": ids.to_numpy(), "day": days, "spend": spend})
        .groupby(["customer_id", "day"], sort=True, as_index=False)["spend"]
        .sum()
    )
    # rows are sorted by day within each customer, so the first row per customer is the first occasion
    first = occasions.groupby("customer_id", sort=False)["day"].transform("min")
    occasions["repeat_spend"] = occasions["spend"].where(occasions["day"] != first)
    per_customer = occasions.groupby("customer_id", sort=True).agg(
        occasions=("day", "size"),
        first_day=("day", "min"),
        last_day=("day", "max"),
        repeat_spend=("repeat_spend", "sum"),
    )
    frequency = per_customer["occasions"].to_numpy() - 1
    repeat_total = per_customer["repeat_spend"].to_numpy(dtype=float)
    monetary = np.divide(repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0)
    return pd.DataFrame(
        {
            "customer_id": per_customer.index.to_numpy(),
            "frequency": frequency.astype(np.int64),
            "recency": (per_customer["last_day"].to_numpy() - per_customer["first_day"].to_numpy())
            / DAYS_PER_WEEK,
            "T": (end - per_customer["first_day"].to_numpy()) / DAYS_PER_WEEK,
            "monetary": monetary,
        }
    )


# --------------------------------------------------------------------------------------------------
# fits with a status, and their check on a holdout


@dataclass(frozen=True)
class ClvFit:
    """One fit of both models (contract §4): the parameters when the optimiser produced them, and a
    status saying whether they may be used.

    `status` is one of FIT_STATUSES; `reason` says why in words. The parameters are kept for
    `at_bound` and `not_converged` fits (so they can be inspected) but only an `ok` fit makes
    predictions.
    """

    status: str
    reason: str
    customers: int
    repeat_customers: int
    history_days: int | None
    bgnbd: BgNbdFit | None = None
    gamma_gamma: GammaGammaFit | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _history_days(summary: pd.DataFrame) -> int | None:
    # T is whole days / 7, so rounding recovers the days exactly
    return int(round(float(summary["T"].max()) * DAYS_PER_WEEK)) if len(summary) else None


def fit_clv(summary: pd.DataFrame, min_history_days: int) -> ClvFit:
    """Fit BG/NBD and Gamma-Gamma on a `summarise_occasions` summary and say whether to trust them.

    Never raises for lack of data: too little data is a status. `insufficient_history` when the
    history (first purchase occasion to the observation end) is shorter than `min_history_days` or
    fewer than MIN_REPEAT_CUSTOMERS customers have a repeat occasion (with a positive spend, for the
    Gamma-Gamma model); `not_converged` when an optimiser fails; `at_bound` when an estimate sits
    on the edge of its search range (the likelihood kept improving towards a degenerate model, as
    when nobody has had time to drop out). The BG/NBD problem is reported before the Gamma-Gamma one.
    """
    customers = int(len(summary))
    repeat_customers = int((summary["frequency"] > 0).sum()) if customers else 0
    history = _history_days(summary)
    base = {"customers": customers, "repeat_customers": repeat_customers, "history_days": history}
    if history is None:
        return ClvFit("insufficient_history", "no completed orders before the observation end", **base)
    if history < min_history_days:
        reason = (
            f"the order history spans {history} days from the first purchase occasion to the observation "
            f"end, fewer than the {min_history_days} of WAREHOUSE_CLV_MIN_HISTORY_DAYS"
        )
        return ClvFit("insufficient_history", reason, **base)
    spenders = summary[(summary["frequency"] > 0) & (summary["monetary"] > 0)]
    if repeat_customers < MIN_REPEAT_CUSTOMERS or len(spenders) < MIN_REPEAT_CUSTOMERS:
        reason = (
            f"{min(repeat_customers, len(spenders))} customers with a repeat purchase occasion, "
            f"fewer than {MIN_REPEAT_CUSTOMERS}"
        )
        return ClvFit("insufficient_history", reason, **base)

    try:
        bgnbd = fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    except ValueError as exc:
        return ClvFit("not_converged", str(exc), **base)
    try:
        gg = fit_gamma_gamma(spenders["frequency"], spenders["monetary"])
    except ValueError as exc:
        return ClvFit("not_converged", str(exc), bgnbd=bgnbd, **base)
    fitted = {"bgnbd": bgnbd, "gamma_gamma": gg}
    for model, name, params in (
        (bgnbd, "BG/NBD", ("r", "alpha", "a", "b")),
        (gg, "Gamma-Gamma", ("p", "q", "gamma")),
    ):
        values = ", ".join(f"{p} = {getattr(model, p):.4g}" for p in params)
        if not model.converged:
            return ClvFit(
                "not_converged", f"the {name} optimiser did not converge ({values})", **fitted, **base
            )
        if model.at_bound:
            reason = f"a {name} parameter is at the edge of its search range ({values})"
            return ClvFit("at_bound", reason, **fitted, **base)
    if gg.q <= 1.0:
        # the population mean spend p * gamma / (q - 1) does not exist: no spend prediction
        reason = f"the Gamma-Gamma q = {gg.q:.4g} is not above 1, so the mean spend is undefined"
        return ClvFit("at_bound", reason, **fitted, **base)
    return ClvFit("ok", "fitted", **fitted, **base)


def new_customer_clv(fit: ClvFit, horizon_weeks: float = 52.0) -> float | None:
    """The predicted value of a customer whose one purchase occasion is today (x = 0, T = 0).

    It is the most the model predicts for any one-occasion customer: with x = 0 the spend is the
    population mean and the expected purchases fall as T grows (the longer without a repeat, the
    lower the purchase rate is likely to be). None unless the fit is ok.
    """
    if not fit.ok or fit.bgnbd is None or fit.gamma_gamma is None:
        return None
    zero = np.zeros(1)
    return float(predicted_clv(fit.bgnbd, fit.gamma_gamma, zero, zero, zero, zero, horizon_weeks)[0])


def holdout_diagnostics(
    customer_ids: ArrayLike,
    occasion_dates: ArrayLike,
    daily_spend: ArrayLike,
    calibration_end: date | str | pd.Timestamp,
    observation_end: date | str | pd.Timestamp,
    bgnbd: BgNbdFit | None,
) -> dict[str, float | None]:
    """How a calibration fit's BG/NBD model predicts the holdout (calibration_end, observation_end].

    The holdout customers are those with a purchase occasion on or before `calibration_end` (the
    ones the calibration fit saw); their actual repeat transactions are their occasions in the
    holdout; the predicted ones are E[X(t) | x, t_x, T] of their calibration summary with t the
    holdout length in weeks (Fader, Hardie & Lee 2005, equation 10). The mean absolute error is per
    holdout customer, in transactions. Predictions are None without BG/NBD parameters.
    """
    days = _as_days(occasion_dates)
    ids = pd.Series(customer_ids).to_numpy()
    cut = int(_as_days([calibration_end])[0])
    end = int(_as_days([observation_end])[0])
    holdout_days = end - cut
    before = days <= cut
    calibration = summarise_occasions(
        ids[before],
        days[before].astype("datetime64[D]"),
        _as_float(daily_spend, "daily_spend")[before],
        pd.Timestamp(cut, unit="D"),
    )
    in_holdout = (days > cut) & (days <= end)
    actual = (
        pd.DataFrame({"customer_id": ids[in_holdout], "day": days[in_holdout]})
        .drop_duplicates()
        .groupby("customer_id")
        .size()
    )
    actual = actual.reindex(calibration["customer_id"], fill_value=0).to_numpy(dtype=float)
    out: dict[str, float | None] = {
        "holdout_days": float(holdout_days),
        "holdout_customers": float(len(calibration)),
        "holdout_actual_repeat_transactions": float(actual.sum()),
        "holdout_predicted_repeat_transactions": None,
        "holdout_mean_absolute_error": None,
    }
    if bgnbd is not None and len(calibration):
        predicted = bgnbd_expected_purchases(
            bgnbd,
            holdout_days / DAYS_PER_WEEK,
            calibration["frequency"],
            calibration["recency"],
            calibration["T"],
        )
        out["holdout_predicted_repeat_transactions"] = float(predicted.sum())
        out["holdout_mean_absolute_error"] = float(np.mean(np.abs(actual - predicted)))
    return out
