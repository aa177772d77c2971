"""Separable 3-tap passes of the spline framelet, written into preallocated buffers.

The piecewise-linear spline framelet of the paper's prior (section 3.1 of Xu, Liu & Ji) is
a tensor product of three 1-D filters with taps at offsets -step, 0, +step:

    h0 x = x / 2 + (x[n - s] + x[n + s]) / 4,   h1 x = sqrt(2)/4 (x[n + s] - x[n - s]),
    h2 x = x / 2 - (x[n - s] + x[n + s]) / 4,

with periodic boundaries.  This module holds those 1-D passes, computed by slicing (every
shifted neighbour is two slices of the array, so no ``np.roll`` copies), for arrays of any
number of leading axes, and :func:`sweep`, which runs analysis, a band-by-band update and
synthesis in one go for the u-step's ADMM.  :mod:`defocus_teach.framelet` builds its
analysis and synthesis from the same passes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_R = np.sqrt(2.0) / 4.0


def _along(array: np.ndarray, axis: int, start: int, stop: int) -> np.ndarray:
    """The view ``array[..., start:stop, ...]`` on ``axis``."""
    index = [slice(None)] * array.ndim
    index[axis] = slice(start, stop)
    return array[tuple(index)]


def shifted(x: np.ndarray, shift: int, axis: int, out: np.ndarray, combine=None) -> None:
    """Write x[n + shift] (periodic along ``axis``) into ``out``, or ``combine(out, it)``.

    ``combine`` is a ufunc such as ``np.add``; without it the shifted array is copied.
    ``out`` must not share memory with ``x``.
    """
    size = x.shape[axis]
    last = axis in (-1, x.ndim - 1)
    if last and x.flags.c_contiguous and out.flags.c_contiguous and x.shape == out.shape:
        _shifted_along_last(x, shift, out, combine)
        return
    offset = shift % size
    pieces = (
        (_along(out, axis, 0, size - offset), _along(x, axis, offset, size)),
        (_along(out, axis, size - offset, size), _along(x, axis, 0, offset)),
    )
    for target, source in pieces:
        if combine is None:
            np.copyto(target, source)
        else:
            combine(target, source, out=target)


def _shifted_along_last(x: np.ndarray, shift: int, out: np.ndarray, combine) -> None:
    """:func:`shifted` along the last axis of C-contiguous arrays, by one flat operation.

    Shifting the flattened array moves every row in one contiguous pass (strided 2-D slices
    measured about 5 times slower); it is wrong only in the ``|shift|`` columns that wrap
    around, which are then redone from their saved values.
    """
    width = x.shape[-1]
    shift = shift % width
    if shift > width // 2:
        shift -= width  # the narrower band of wrapped columns
    if shift == 0:
        if combine is None:
            np.copyto(out, x)
        else:
            combine(out, x, out=out)
        return
    rows, flat_x, flat_out = x.reshape(-1, width), x.reshape(-1), out.reshape(-1)
    rows_out = out.reshape(-1, width)
    if shift > 0:  # out[n] <- x[n + shift]; the last `shift` columns wrap to the row's start
        wrapped, source = np.s_[:, width - shift :], rows[:, :shift]
        flat_target, flat_source = flat_out[: flat_out.size - shift], flat_x[shift:]
    else:  # out[n] <- x[n - |shift|]; the first |shift| columns wrap to the row's end
        wrapped, source = np.s_[:, :-shift], rows[:, width + shift :]
        flat_target, flat_source = flat_out[-shift:], flat_x[: flat_x.size + shift]
    saved = None if combine is None else rows_out[wrapped].copy()
    if combine is None:
        np.copyto(flat_target, flat_source)
        np.copyto(rows_out[wrapped], source)
    else:
        combine(flat_target, flat_source, out=flat_target)
        combine(saved, source, out=rows_out[wrapped])


def neighbours(x: np.ndarray, axis: int, step: int, out: np.ndarray, combine) -> None:
    """Write ``combine(x[n + step], x[n - step])`` (periodic along ``axis``) into ``out``.

    One pass over the array for the interior (flat along a contiguous last axis, as in
    :func:`shifted`), then the ``step`` entries at each end that wrap around.  ``out`` must
    not share memory with ``x``.
    """
    size = x.shape[axis]
    if 2 * (step % size) > size or step % size == 0:  # tiny sides: two shifts
        shifted(x, step, axis, out)
        shifted(x, -step, axis, out, combine)
        return
    step %= size
    last = axis in (-1, x.ndim - 1)
    if last and x.flags.c_contiguous and out.flags.c_contiguous and x.shape == out.shape:
        flat_x, flat_out = x.reshape(-1), out.reshape(-1)
        combine(
            flat_x[2 * step :],
            flat_x[: flat_x.size - 2 * step],
            out=flat_out[step : flat_out.size - step],
        )
    else:
        combine(
            _along(x, axis, 2 * step, size),
            _along(x, axis, 0, size - 2 * step),
            out=_along(out, axis, step, size - step),
        )
    ends = (  # (target, x[n + step], x[n - step]) for n < step and n >= size - step
        (0, step, (step, 2 * step), (size - step, size)),
        (size - step, size, (0, step), (size - 2 * step, size - step)),
    )
    for start, stop, after, before in ends:
        combine(
            _along(x, axis, *after), _along(x, axis, *before), out=_along(out, axis, start, stop)
        )


def analysis_1d(x, axis: int, step: int, low, first, second) -> None:
    """Write h0 x, h1 x, h2 x (taps dilated by ``step``) along ``axis`` into three buffers.

    The buffers must not share memory with ``x``.
    """
    neighbours(x, axis, step, low, np.add)  # x[n + s] + x[n - s]
    neighbours(x, axis, step, first, np.subtract)  # x[n + s] - x[n - s]
    first *= _R  # h1 x
    low *= 0.25
    np.multiply(x, 0.5, out=second)
    low += second  # h0 x = x / 2 + (x[n - s] + x[n + s]) / 4
    np.subtract(x, low, out=second)  # h2 x = x - h0 x


def synthesis_1d(low, first, second, axis: int, step: int, out, scratch) -> None:
    """Write h0^T low + h1^T first + h2^T second along ``axis`` into ``out``.

    The adjoint of :func:`analysis_1d`: the transposed filters are correlations, so with
    m = low - second it is (low + second) / 2 + (m[n - s] + m[n + s]) / 4
    + sqrt(2)/4 (first[n - s] - first[n + s]).  The inputs are left unchanged; ``out`` and
    ``scratch`` must not share memory with them or with each other.
    """
    np.add(low, second, out=out)
    out *= 0.5  # the centre taps
    np.subtract(low, second, out=scratch)
    scratch *= 0.25
    shifted(scratch, step, axis, out, np.add)
    shifted(scratch, -step, axis, out, np.add)
    np.multiply(first, _R, out=scratch)
    shifted(scratch, -step, axis, out, np.add)
    shifted(scratch, step, axis, out, np.subtract)


class SweepBuffers:
    """Work arrays of :func:`sweep` for one stack shape and dtype, allocated once.

    Parameters
    ----------
    shape : tuple of int
        Shape ``(..., H, W)`` of the images swept.
    dtype : numpy dtype
        Their floating-point type.
    levels : int
        Number of framelet levels.
    """

    def __init__(self, shape: tuple, dtype, levels: int):
        self.levels = levels
        # per level: 3 row-filtered images, 3 bands, a scratch image and the level's output
        self.by_level = [[np.empty(shape, dtype) for _ in range(8)] for _ in range(levels)]


def sweep(
    u: np.ndarray,
    update: Callable[[int, np.ndarray], object],
    buffers: SweepBuffers,
    out: np.ndarray | None = None,
    level: int = 1,
) -> np.ndarray:
    """Return W^T phi(W u), with phi applied band by band by ``update``, never storing W u.

    Parameters
    ----------
    u : ndarray, shape (..., H, W)
        Images (the leading axes are a stack, e.g. colour channels).
    update : callable
        ``update(band, coeffs)`` receives band ``band`` of W u (numbered as in
        :class:`~defocus_teach.framelet.SplineFramelet`, shape ``(..., H, W)``) and must
        overwrite ``coeffs`` in place with the coefficients to synthesise.  It is called
        once per band, the coarsest low-pass band (0) included.
    buffers : SweepBuffers
        Work arrays for ``u``'s shape and dtype.
    out : ndarray, optional
        Where to write the result (by default one of ``buffers``' arrays, overwritten by the
        next sweep).  It must not share memory with ``u``.
    level : int, optional
        The level this call computes (1, the finest, for the caller).

    Returns
    -------
    image : ndarray, shape (..., H, W)
        W^T of the updated coefficients.
    """
    levels = buffers.levels
    step = 2 ** (level - 1)  # a trous: the taps are dilated by 2^(l-1)
    start = 8 * (levels - level)  # this level's bands are start .. start + 8
    *rows, band0, band1, band2, scratch, level_out = buffers.by_level[level - 1]
    out = level_out if out is None else out
    analysis_1d(u, -2, step, *rows)  # rows[i] = h_i along the rows' axis
    for i, row in enumerate(rows):
        analysis_1d(row, -1, step, band0, band1, band2)  # band j = h_i (x) h_j
        bands = [band0, band1, band2]
        for j, coeffs in enumerate(bands):
            if i == j == 0 and level < levels:
                # The low-pass band of a finer level is the input of the next level.
                bands[0] = sweep(band0, update, buffers, level=level + 1)
            else:
                update(start + 3 * i + j, coeffs)
        synthesis_1d(*bands, -1, step, out=row, scratch=scratch)
    synthesis_1d(*rows, -2, step, out=out, scratch=scratch)
    return out
