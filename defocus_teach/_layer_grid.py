"""A layer of the blind deconvolution on its periodic grid: the pieces every u-step uses.

:func:`~defocus_teach.blind.blind_deconvolve` solves each layer on its bounding box,
embedded in a periodic grid whose margin is masked out (so no pixel of the data sees the
grid's wrap-around).  ``_Layer`` holds the box, the mask alpha on it, the grid and alpha on
the grid; ``_layer`` builds it; ``_reblur`` is k * u on the grid; ``_channel_start`` gives a
colour channel its own start and outlier term c.  The outer loop (:mod:`defocus_teach.blind`)
and the tiled final u-step of large layers (``defocus_teach._large_layers``) share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import fft

from .framelet import TightFrame
from .operators import PeriodicGrid
from .u_step import _ADMM_DTYPE, _initial_state, _start_image, _State

_WORKERS = -1
_LOOP_TOL = 1e-5  # ADMM tolerance inside the outer loop (warm-started, few iterations)
_FINAL_TOL = 1e-4  # ... and of the final u-step

if TYPE_CHECKING:  # only for the annotations: blind imports this module
    from .blind import _Settings


@dataclass(frozen=True)
class _Layer:
    """The layer's bounding box ``box`` and its periodic grid with a masked margin.

    ``mask`` is alpha_i on the box, ``weight`` is alpha_i embedded in the grid (0 on the
    margin).
    """

    box: tuple[slice, slice]
    mask: np.ndarray
    grid: PeriodicGrid
    weight: np.ndarray

    def embed(self, values: np.ndarray) -> np.ndarray:
        """alpha .* f on the grid, for ``values`` f on the box."""
        return self.grid.embed(np.where(self.mask, values, 0.0))

    def start(self, values: np.ndarray, otf: np.ndarray, transform: TightFrame) -> _State:
        """ADMM variables for a start from the data ``values`` on the box (in float32)."""
        start = _start_image(values, self.mask, self.grid).astype(_ADMM_DTYPE)
        return _initial_state(start, otf, transform)


def _bounding_box(mask: np.ndarray, grow: int) -> tuple[slice, slice]:
    rows, cols = np.nonzero(mask)
    top, bottom = max(rows.min() - grow, 0), min(rows.max() + grow + 1, mask.shape[0])
    left, right = max(cols.min() - grow, 0), min(cols.max() + grow + 1, mask.shape[1])
    return slice(top, bottom), slice(left, right)


def _layer(
    mask: np.ndarray, kernel_size: int, transform: TightFrame, box: tuple | None = None
) -> _Layer:
    """The bounding box grown by the kernel radius (or ``box``), in a grid with a masked margin."""
    half = kernel_size // 2
    box = _bounding_box(mask, half + 1) if box is None else box
    mask_box = mask[box]
    multiple = getattr(transform, "required_multiple", 1)
    grid = PeriodicGrid.for_image(mask_box.shape, half + 1, multiple)
    return _Layer(box, mask_box, grid, grid.embed(mask_box.astype(np.float64)))


def _reblur(u: np.ndarray, otf: np.ndarray) -> np.ndarray:
    """k * u on the grid."""
    return fft.irfft2(fft.rfft2(u, workers=_WORKERS) * otf, s=u.shape)


def _channel_start(values, data, layer: _Layer, otf, settings: _Settings, weights):
    """A colour channel's own start: a short u-step, then its outlier term c.

    ``values`` is the channel on the box and ``data`` the same embedded in the grid.
    """
    state = layer.start(values, otf, settings.transform)
    if not settings.use_outliers or weights is None:
        return state, np.zeros(layer.grid.shape)
    state = settings.u_step(state, data, layer.weight, otf, settings.inner_iter, _LOOP_TOL)
    residual = layer.weight * _reblur(state.u, otf) - data
    return state, settings.outliers(residual, layer.weight, weights)  # c, same Lambda
