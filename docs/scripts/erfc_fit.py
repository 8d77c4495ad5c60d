#!/usr/bin/env python3
"""The erfc polynomial of Engine/Cpu/VMath.Erf.cs (ErfcTail), made again.

erfc(a) = t * P(t) * exp(-a^2),  t = 1 / (1 + p*a),  p = 3/8,  P of degree 8,

fitted for the smallest relative error over a in [0, 10.5] (above it erfc(a) < 2^-149 underflows in float):
Lawson's iteration (least squares, weights raised where the error is large) on Chebyshev nodes in t. Prints the
coefficients (highest power first, as Horner's loop takes them), the fit's relative error in exact arithmetic,
and the error of t*P(t) evaluated in float32 as the kernel does (FMA Horner; numpy's float32 rounds each step).

    python3 docs/scripts/erfc_fit.py            # needs numpy (Debian: python3-numpy)
"""
import math
import numpy as np

P, DEGREE, A_MAX, NODES = 0.375, 8, 10.5, 6000


def target(t):
    a = (1 / t - 1) / P
    return np.array([math.erfc(x) * math.exp(x * x) for x in a]) / t


def fit():
    t_min = 1 / (1 + P * A_MAX)
    k = np.arange(NODES)
    t = (1 + t_min) / 2 + (1 - t_min) / 2 * np.cos(np.pi * (k + 0.5) / NODES)
    y = target(t)
    v = np.vander(t, DEGREE + 1)
    w = np.ones_like(t)
    for _ in range(200):
        c, *_ = np.linalg.lstsq(v * (w / y)[:, None], w, rcond=None)
        e = (v @ c - y) / y
        w = w * np.abs(e) ** 0.5 + 1e-300
        w /= w.max()
    return c, np.max(np.abs((v @ c - y) / y))


def float32_error(c):
    c32 = [np.float32(x) for x in c]
    a = np.linspace(0, 10.2, 200001).astype(np.float32)
    t = np.float32(1) / (np.float32(1) + np.float32(P) * a)
    q = np.full_like(t, c32[0])
    for x in c32[1:]:
        q = (q * t + x).astype(np.float32)
    exact = np.array([math.erfc(float(x)) * math.exp(float(x) ** 2) for x in a])
    return np.max(np.abs(t.astype(np.float64) * q.astype(np.float64) / exact - 1))


if __name__ == "__main__":
    coefficients, error = fit()
    print("P, highest power first:", ", ".join(f"{x:.9e}" for x in coefficients))
    print(f"P(1) = {sum(coefficients):.9f} (erfc(0) = 1)")
    print(f"relative error of the fit: {error:.2e}")
    print(f"relative error of t*P(t) in float32: {float32_error(coefficients):.2e}")
