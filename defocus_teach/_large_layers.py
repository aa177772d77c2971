"""Large layers: the outer loop on a window, the final u-step in tiles.

:func:`~defocus_teach.blind.blind_deconvolve` runs the outer loop of Alg. 2 on a layer's
most textured window when its bounding box holds more than ``estimation_pixels``
(``_estimation_layer``), and its final u-step tile by tile when the box is wider than
``tile_size`` (``_tiled_u_step``), so that memory follows the tile, not the photograph.
The geometry (windows, tiles, blend ramps) is :mod:`defocus_teach.tiling`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._layer_grid import (
    _FINAL_TOL,
    _LOOP_TOL,
    _bounding_box,
    _channel_start,
    _Layer,
    _layer,
    _reblur,
)
from .c_step import outlier_weights_from_residual
from .operators import psf2otf
from .tiling import blend_ramps, estimation_window, tile_margin, tile_windows

if TYPE_CHECKING:  # only for the annotations: blind imports this module
    from .blind import _Settings


def _estimation_layer(luminance, mask, layer: _Layer, kernel_size, transform, pixels):
    """The layer the outer loop runs on: ``layer``, or its most textured window."""
    if pixels is None:
        return layer, None
    rows, cols = layer.box
    if (rows.stop - rows.start) * (cols.stop - cols.start) <= pixels:
        return layer, None
    window = estimation_window(luminance, mask, pixels)
    inside = np.zeros_like(mask)
    inside[window] = mask[window]
    return _layer(inside, kernel_size, transform), window


def _in_one_piece(layer: _Layer, estimation: _Layer, tile_size) -> bool:
    """Whether the final u-step runs on the whole layer, continuing from the outer loop."""
    rows, cols = layer.box
    fits = tile_size is None or max(rows.stop - rows.start, cols.stop - cols.start) <= tile_size
    return estimation is layer and fits


def _tile_weights(luminance, layer: _Layer, start_otf, settings: _Settings):
    """A tile's weights Lambda, as the outer loop makes them: from a first pass with k(0)."""
    if not settings.use_outliers:
        return None
    data = layer.embed(luminance)
    state = layer.start(luminance, start_otf, settings.transform)
    state = settings.u_step(state, data, layer.weight, start_otf, settings.inner_iter, _LOOP_TOL)
    return outlier_weights_from_residual(layer.weight * _reblur(state.u, start_otf) - data)


def _tiled_u_step(channels, luminance, mask, kernels, settings: _Settings, tile_size, report):
    """Eq. (8) with the final kernel, tile by tile: memory follows the tile, not the image.

    ``kernels`` is (k(0), final k).  Every tile starts afresh: its weights Lambda from a
    first pass with k(0) on the luminance (:func:`_tile_weights`), then every channel as
    in :func:`_channel_start` and the final u-step.  The tiles are blended with the ramps
    of :func:`~defocus_teach.tiling.blend_ramps` on their overlaps.
    """
    start_kernel, kernel = kernels
    size = kernel.shape[0]
    margin = tile_margin(size)
    tiles = list(tile_windows(mask, tile_size, margin))
    box = _bounding_box(mask, 0)
    image, outliers = np.zeros_like(channels), np.zeros_like(channels)
    total = np.zeros(channels.shape[:2])
    otfs = {}  # grid shape -> OTFs of (final k, k(0)): most tiles share one grid
    for number, (window, core) in enumerate(tiles, start=1):
        layer = _layer(mask[window], size, settings.transform, box=(slice(None), slice(None)))
        shape = layer.grid.shape
        if shape not in otfs:
            otfs[shape] = psf2otf(kernel, shape), psf2otf(start_kernel, shape)
        otf, start_otf = otfs[shape]
        weights = _tile_weights(luminance[window], layer, start_otf, settings)
        ramp = blend_ramps(window, core, box, margin // 2)
        total[window] += ramp
        for channel in range(channels.shape[-1]):
            report(f"final u-step: tile {number} of {len(tiles)}, channel {channel + 1} "
                   f"of {channels.shape[-1]}")  # fmt: skip
            values = channels[window + (channel,)]
            data = layer.embed(values)
            state, c = _channel_start(values, data, layer, otf, settings, weights)
            state = settings.u_step(
                state, data + c, layer.weight, otf, settings.final_iter, _FINAL_TOL
            )
            image[window + (channel,)] += ramp * layer.grid.crop(state.u)
            inside = (ramp >= 0.5) & layer.mask  # c of the tile that owns the pixel
            outliers[window + (channel,)][inside] = layer.grid.crop(c)[inside]
    covered = total > 0
    image[covered] /= total[covered][:, None]
    image[~covered] = channels[~covered]  # the input where no tile was solved
    return image, outliers
