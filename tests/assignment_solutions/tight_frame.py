"""Reference solution of the assignment "transform" (not shipped to students)."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["HaarFrame"]


def _as_finite(array, name: str, ndim: int) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _split(x: np.ndarray, axis: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """(h0 x, h1 x) along ``axis``: half sums and half differences with x[n - step]."""
    before = np.roll(x, step, axis=axis)  # x[n - step], periodic
    return 0.5 * (x + before), 0.5 * (x - before)


def _merge(low: np.ndarray, high: np.ndarray, axis: int, step: int) -> np.ndarray:
    """h0^T low + h1^T high along ``axis`` (the adjoint of :func:`_split`)."""
    return 0.5 * (low + high) + 0.5 * np.roll(low - high, -step, axis=axis)


class HaarFrame:
    """Undecimated 2-D Haar frame with periodic boundaries (see the starter's contract)."""

    required_multiple = 1

    def __init__(self, levels: int = 1):
        if isinstance(levels, bool) or not isinstance(levels, numbers.Integral) or levels < 1:
            raise ValueError(f"levels must be an integer >= 1, got {levels!r}")
        self.levels = int(levels)

    @property
    def n_bands(self) -> int:
        return 1 + 3 * self.levels

    def __repr__(self) -> str:
        return f"HaarFrame(levels={self.levels})"

    def analysis(self, u: np.ndarray) -> np.ndarray:
        low = _as_finite(u, "u", 2)
        coeffs = np.empty((self.n_bands, *low.shape))
        for level in range(1, self.levels + 1):
            step = 2 ** (level - 1)
            low0, high0 = _split(low, 0, step)
            low, detail01 = _split(low0, 1, step)  # h0 x h0 and h0 x h1
            detail10, detail11 = _split(high0, 1, step)  # h1 x h0 and h1 x h1
            start = 1 + 3 * (self.levels - level)
            coeffs[start : start + 3] = detail01, detail10, detail11
        coeffs[0] = low
        return coeffs

    def synthesis(self, coeffs: np.ndarray) -> np.ndarray:
        coeffs = _as_finite(coeffs, "coeffs", 3)
        if coeffs.shape[0] != self.n_bands:
            raise ValueError(
                f"coeffs must have {self.n_bands} bands for levels={self.levels}, "
                f"got shape {coeffs.shape}"
            )
        low = coeffs[0]
        for level in range(self.levels, 0, -1):
            step = 2 ** (level - 1)
            start = 1 + 3 * (self.levels - level)
            detail01, detail10, detail11 = coeffs[start : start + 3]
            low0 = _merge(low, detail01, 1, step)
            high0 = _merge(detail10, detail11, 1, step)
            low = _merge(low0, high0, 0, step)
        return low
