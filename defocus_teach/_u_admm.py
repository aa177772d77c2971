"""The ADMM iteration of the u-step, eq. (8), on stacks of images and in preallocated arrays.

:mod:`defocus_teach.u_step` documents the solver and the splitting z = k * u, d = W u
(scaled duals b1, b2).  This module runs it; the images may carry leading axes (for example
colour channels, shape (C, H, W)), solved together: one FFT call transforms the whole stack
and every channel keeps its own stopping test.

One iteration costs four FFTs on the grid plus element-wise work.  The element-wise work is
kept to few passes over memory:

* the split d is never stored.  With e = W u + b2 on a high-pass band, d = soft(e) and the
  new dual is b2 = e - d = clip(e, -t, t), so the next u-update's W^T (d - b2) needs only
  e - 2 clip(e, -t, t); the band 0 (low-pass, unpenalised) keeps d = e and b2 = 0.
  The state holds b2 and this synthesised image instead of d;
* for the spline framelet, analysis, the update of each band and synthesis run in one
  sweep (:func:`~defocus_teach._framelet_passes.sweep`), so the 9 bands of W u never exist
  at once;
* the constant factors of the u- and z-updates are folded once per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import partial

import numpy as np
from scipy import fft

from ._framelet_passes import SweepBuffers, sweep
from .framelet import SplineFramelet, TightFrame

_WORKERS = -1


@dataclass
class _State:
    """ADMM variables on the grid for images ``u`` of shape ``(..., H, W)``.

    Attributes
    ----------
    u : ndarray, shape (..., H, W)
        The sharp image (float32 or float64; the iteration runs at this precision).
    z, b1 : ndarray, shape (..., H, W)
        The split z = k * u and its scaled dual.
    b2 : ndarray, shape (..., n_bands, H, W)
        The scaled dual of the split d = W u; band 0 (the unpenalised low-pass band) is 0.
    synthesized : ndarray, shape (..., H, W)
        W^T (d - b2), all that the next u-update needs of d and b2 (d is not stored).
    """

    u: np.ndarray
    z: np.ndarray
    b1: np.ndarray
    b2: np.ndarray
    synthesized: np.ndarray

    def reshaped(self, leading: tuple) -> _State:
        """The same arrays (views when contiguous) with leading axes ``leading``."""
        image = leading + self.u.shape[-2:]
        coeffs = leading + self.b2.shape[-3:]
        return _State(
            self.u.reshape(image),
            self.z.reshape(image),
            self.b1.reshape(image),
            self.b2.reshape(coeffs),
            self.synthesized.reshape(image),
        )

    def select(self, index: np.ndarray) -> _State:
        """Copies of the images ``index`` of a stack (first axis)."""
        return _State(*(getattr(self, name)[index] for name in _FIELDS))

    def assign(self, index: np.ndarray, part: _State) -> None:
        """Write ``part`` back into the images ``index`` of a stack (first axis)."""
        for name in _FIELDS:
            getattr(self, name)[index] = getattr(part, name)


_FIELDS = [field.name for field in fields(_State)]


def _frame_of_each(function, images: np.ndarray, trailing: int) -> np.ndarray:
    """Apply ``function`` (analysis or synthesis) to every image of a stack."""
    stack = images.reshape((-1,) + images.shape[-trailing:])
    return np.stack([function(image) for image in stack])


def _initial_state(u0: np.ndarray, otf: np.ndarray, transform: TightFrame) -> _State:
    """ADMM variables for a start ``u0``: z = k * u0, d = W u0, zero duals.

    Parameters
    ----------
    u0 : ndarray, shape (..., H, W)
        Start image on the grid, or a stack of them (leading axes).  The ADMM runs at its
        precision when it is float32 or float64 (float64 for any other type).
    otf : ndarray, shape (H, W // 2 + 1)
        Transfer function of the kernel on the grid.
    transform : TightFrame
        The frame W.

    Returns
    -------
    state : _State
        With ``synthesized = W^T W u0`` (which is u0 up to rounding, as W^T W = I).
    """
    u0 = np.ascontiguousarray(u0)
    real = u0.dtype if u0.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    u0 = u0.astype(real, copy=False)
    shape = u0.shape[-2:]
    spectrum = fft.rfft2(u0, workers=_WORKERS) * otf.astype(np.result_type(real, np.complex64))
    blurred = fft.irfft2(spectrum, s=shape, workers=_WORKERS)
    coeffs = _frame_of_each(transform.analysis, u0, 2)
    synthesized = _frame_of_each(transform.synthesis, coeffs, 3).reshape(u0.shape)
    b2 = np.zeros(u0.shape[:-2] + coeffs.shape[1:], real)
    return _State(u0.copy(), blurred, np.zeros_like(u0), b2, synthesized.astype(real))


class _Iteration:
    """One ADMM iteration on a stack ``state`` (shape (n, H, W)), constants folded once.

    Parameters
    ----------
    state : _State
        Variables of a flat stack, updated (in place, or u replaced) by :meth:`step`.
    target, weight : ndarray
        alpha .* f + c on the grid, shape (n, H, W), and alpha, shape (H, W).
    otf : ndarray
        Transfer function of the kernel, shape (H, W // 2 + 1).
    transform : TightFrame
        The frame W.
    lam : float
        Weight lam1 of the prior.
    rho : tuple of float
        The penalties (rho1, rho2).
    """

    def __init__(self, state, target, weight, otf, transform, lam, rho):
        rho1, rho2 = rho
        real = state.u.dtype
        complex_ = np.result_type(real, np.complex64)
        self.state, self.transform, self.lam = state, transform, lam
        self.shape = state.u.shape[-2:]
        # u-update: (rho1 K^T K + rho2 W^T W) u = rho1 K^T (z - b1) + rho2 W^T (d - b2), with
        # W^T W = I it is diagonal under the FFT: u = A F(z - b1) + B F(W^T (d - b2)).
        denominator = rho1 * np.abs(otf) ** 2 + rho2
        self.data_gain = (rho1 * np.conj(otf) / denominator).astype(complex_)
        self.prior_gain = (rho2 / denominator).astype(real)
        self.otf = otf.astype(complex_)
        # z-update: z = (alpha .* target + rho1 v) / (alpha + rho1), v = k * u + b1
        self.z_gain = (rho1 / (weight + rho1)).astype(real)
        self.z_offset = (weight * target / (weight + rho1)).astype(real)
        self.weight, self.target = weight.astype(real), target.astype(real)
        self.threshold = lam / rho2  # the soft threshold of the d-update
        self.scratch = np.empty_like(state.u)
        framelet = isinstance(transform, SplineFramelet)
        self.buffers = SweepBuffers(state.u.shape, real, transform.levels) if framelet else None
        self.high_pass_l1, self.tracking = 0.0, False

    def _update_band(self, duals: np.ndarray, band: int, coeffs: np.ndarray) -> None:
        """Turn band ``band`` of W u into d - b2 in place, updating its dual ``duals[:, band]``."""
        if band == 0:  # the low-pass band is not penalised: d0 = W0 u, b2_0 = 0
            return
        if self.tracking:
            self.high_pass_l1 += float(np.abs(coeffs).sum())
        dual = duals[:, band]
        np.add(coeffs, dual, out=coeffs)  # e = W u + b2
        np.clip(coeffs, -self.threshold, self.threshold, out=dual)  # new b2 = e - soft(e)
        coeffs -= dual  # d = soft(e, lam1 / rho2)
        coeffs -= dual  # d - b2, synthesised for the next u-update

    def _shrink(self, u: np.ndarray) -> None:
        """d- and b2-updates from W u, then W^T (d - b2) into ``state.synthesized``."""
        state = self.state
        if self.buffers is not None:
            update = partial(self._update_band, state.b2)
            sweep(u, update, self.buffers, out=state.synthesized)
            return
        for n, image in enumerate(u):  # any other tight frame, one image at a time
            coeffs = self.transform.analysis(image)
            for band, values in enumerate(coeffs):
                self._update_band(state.b2[n : n + 1], band, values[np.newaxis])
            state.synthesized[n] = self.transform.synthesis(coeffs)

    def step(self, tracking: bool = False) -> tuple[np.ndarray, float]:
        """One iteration; returns each image's relative change of u and, when ``tracking``,
        the objective of eq. (8) at the new u (summed over the stack; else nan)."""
        state, shape, self.tracking = self.state, self.shape, tracking
        # Eq. (8), u-update: u = A F(z - b1) + B F(W^T (d - b2)) in the Fourier domain
        np.subtract(state.z, state.b1, out=self.scratch)
        spectrum = fft.rfft2(self.scratch, workers=_WORKERS)
        spectrum *= self.data_gain
        prior = fft.rfft2(state.synthesized, workers=_WORKERS)
        prior *= self.prior_gain
        spectrum += prior
        u = fft.irfft2(spectrum, s=shape, workers=_WORKERS)
        spectrum *= self.otf
        blurred = fft.irfft2(spectrum, s=shape, workers=_WORKERS, overwrite_x=True)  # k * u
        objective = np.nan
        if tracking:
            residual = self.weight * (blurred - self.target)
            objective = 0.5 * float(np.vdot(residual, residual))
        # Eq. (8), z-update of the data term, pixelwise, and the scaled dual b1 <- v - z
        blurred += state.b1  # v = k * u + b1
        np.multiply(blurred, self.z_gain, out=state.z)
        state.z += self.z_offset
        np.subtract(blurred, state.z, out=state.b1)
        # Eq. (8), d-update of the prior lam1 ||W_h u||_1 (soft threshold) and the dual b2
        self.high_pass_l1 = 0.0
        self._shrink(u)
        objective += self.lam * self.high_pass_l1
        # Sums by einsum (one pass, no BLAS: its threads would contend with the FFT's), at the
        # iteration's precision: float32 sums are accurate enough for the stopping test.
        np.subtract(u, state.u, out=self.scratch)
        change = np.einsum("nij,nij->n", self.scratch, self.scratch).astype(np.float64)
        norm = np.einsum("nij,nij->n", state.u, state.u).astype(np.float64)
        state.u = u
        return np.sqrt(change / np.maximum(norm, 1e-24)), objective


def _admm(
    state: _State,
    target: np.ndarray,
    weight: np.ndarray,
    otf: np.ndarray,
    transform: TightFrame,
    lam: float,
    rho: tuple[float, float],
    max_iter: int,
    tol: float,
    callback: Callable[[int, float], object] | None = None,
) -> _State:
    """Run ADMM iterations from ``state`` (updated and returned).

    ``target`` is alpha .* f + c on the grid, shape (..., H, W) like ``state.u`` (or (H, W),
    shared), and ``weight`` is alpha (0 on the margin), shape (H, W).  Each image of a stack
    stops on its own when its relative change falls below ``tol``, so a stack gives the
    results of its images solved one by one.  ``callback(iteration, objective)`` gets the
    objective summed over the stack.
    """
    leading = state.u.shape[:-2]
    flat = state.reshaped((-1,))
    n_images = flat.u.shape[0]
    targets = np.broadcast_to(target, state.u.shape).reshape(flat.u.shape)
    active = np.arange(n_images)
    first = 0
    while active.size and first < max_iter:
        part = flat if active.size == n_images else flat.select(active)
        iteration_of = _Iteration(part, targets[active], weight, otf, transform, lam, rho)
        done = np.zeros(active.size, bool)
        for iteration in range(first, max_iter):
            change, objective = iteration_of.step(tracking=callback is not None)
            if callback is not None:
                callback(iteration, objective)
            if iteration > 0:  # the first update reproduces the start
                done = change < tol
            if done.any():
                break
        first = iteration + 1
        if part is not flat:
            flat.assign(active, part)
        active = active[~done]
    result = flat.reshaped(leading)
    for name in _FIELDS:
        setattr(state, name, getattr(result, name))
    return state
