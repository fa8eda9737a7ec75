"""The Poisson upper tail in log space, exact far into the tail, vectorised with numpy.

Spike scores need ``P(X ≥ k | λ)`` for p-values far below what floating point holds
(1e-21221 for a large burst), so the tail is computed as ``log10`` of the regularised lower
incomplete gamma function ``P(k, λ)`` (series for ``λ < k + 1``, Lentz's continued fraction
otherwise; Numerical Recipes §6.2), with no SciPy in the core. ``anscombe_z`` is the robust
z-score of a count under Poisson noise (Anscombe 1948).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["anscombe_z", "lgamma", "poisson_log10_sf"]

Floats = npt.NDArray[np.float64]

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 1_000_000


def lgamma(x: Floats) -> Floats:
    """``log Γ(x)`` elementwise (``math.lgamma``; numpy has none and scipy is not a dependency)."""
    return np.array([math.lgamma(v) for v in np.asarray(x, dtype=np.float64).tolist()])


def _series(a: Floats, x: Floats) -> Floats:
    """Σ_n x^n / (a (a+1) ... (a+n)) for x < a + 1 (terms fall monotonically)."""
    total = 1.0 / a
    term = total.copy()
    ap = a.copy()
    idx = np.arange(len(a))
    for _ in range(_MAX_ITER):
        if idx.size == 0:
            break
        ap[idx] += 1
        term[idx] *= x[idx] / ap[idx]
        total[idx] += term[idx]
        idx = idx[term[idx] > total[idx] * _EPS]
    return total


def _continued_fraction(a: Floats, x: Floats) -> Floats:
    """Γ(a, x) e^x x^-a by the modified Lentz method, for x >= a + 1."""
    b = x + 1 - a
    c = np.full(len(a), 1 / _TINY)
    d = 1 / b
    h = d.copy()
    idx = np.arange(len(a))
    for i in range(1, _MAX_ITER):
        if idx.size == 0:
            break
        an = -i * (i - a[idx])
        b[idx] += 2
        dd = an * d[idx] + b[idx]
        dd = np.where(np.abs(dd) < _TINY, _TINY, dd)
        cc = b[idx] + an / c[idx]
        cc = np.where(np.abs(cc) < _TINY, _TINY, cc)
        d[idx] = 1 / dd
        c[idx] = cc
        delta = d[idx] * cc
        h[idx] *= delta
        idx = idx[np.abs(delta - 1) > _EPS]
    return h


def poisson_log10_sf(k: Floats, lam: Floats) -> Floats:
    """``log10 P(X >= k)`` for X ~ Poisson(``lam``), exact to about 1e-12 relative.

    P(X >= k) is the regularized lower incomplete gamma function P(k, lam) (Press et al.,
    *Numerical Recipes*, 3rd ed., section 6.2): its series when lam < k + 1, one minus the
    continued fraction of the upper function otherwise. Kept in log space, so a tail of
    1e-400 is still a number.
    """
    k = np.asarray(k, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    out = np.zeros(k.shape)
    pos = k > 0
    a, x = k[pos], lam[pos]
    prefix = a * np.log(x) - x - lgamma(a)  # log(x^a e^-x / Γ(a))
    res = np.empty(len(a))
    ser = x < a + 1
    res[ser] = prefix[ser] + np.log(_series(a[ser], x[ser]))
    cf = ~ser
    upper = np.exp(prefix[cf]) * _continued_fraction(a[cf], x[cf])
    res[cf] = np.log1p(-np.minimum(upper, 1.0))
    out[pos] = res / math.log(10)
    return out


def anscombe_z(k: Floats, lam: Floats) -> Floats:
    """Anscombe residual ``1.5 (k^(2/3) - lam^(2/3)) / lam^(1/6)``: near N(0, 1) for Poisson."""
    k = np.asarray(k, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    z: Floats = 1.5 * (np.cbrt(k) ** 2 - np.cbrt(lam) ** 2) / lam ** (1 / 6)
    return z
