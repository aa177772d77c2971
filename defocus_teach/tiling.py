"""Large layers in bounded memory: the kernel from a textured window, the u-step in tiles.

Alg. 2 of the paper runs on the whole layer.  On a photograph of many megapixels that is
neither needed nor affordable: the kernel has at most 31 x 31 unknowns (136 under the
symmetry constraint), and a few hundred thousand well-textured pixels determine it, while
every ADMM variable of the u-step is a full-size array (nine framelet bands each).  So, for
a layer larger than a limit,

1. the outer loop runs on the window of at most :data:`ESTIMATION_PIXELS` pixels that holds
   the most gradient energy of the layer (:func:`estimation_window`);
2. the final u-step, eq. (8) with the estimated kernel, runs on overlapping tiles of the
   layer (:func:`tile_windows`), and the tiles are blended with linear ramps over their
   overlaps (:func:`blend_ramps`).

The u-step's data term couples a pixel to its neighbours within the kernel radius, and its
solution depends on far-away data only weakly, so a tile that extends :func:`tile_margin`
pixels beyond the part it contributes gives nearly the same values there as the whole
layer would.  Each tile sits in its own periodic grid with a masked margin (the "unknown
boundary" of :mod:`defocus_teach.u_step`), so its cut edges carry no wrap-around either.
Peak memory then follows the tile, not the photograph.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._validation import as_float_image, as_mask, check_positive
from .tile_spectra import _gradient_energy, _summed_area

__all__ = [
    "ESTIMATION_PIXELS",
    "TILE_SIZE",
    "estimation_window",
    "tile_margin",
    "tile_windows",
    "blend_ramps",
]

#: Largest number of pixels (of the layer's bounding box) the outer loop of Alg. 2 runs on;
#: a larger layer is estimated on its most textured window of this many pixels.
ESTIMATION_PIXELS = 512 * 512
#: Side of the part of the layer each tile of the final u-step contributes; a layer whose
#: bounding box fits in one such tile (plus its margin) is solved in one piece.
TILE_SIZE = 512


def estimation_window(
    f: np.ndarray, mask: np.ndarray, max_pixels: int = ESTIMATION_PIXELS
) -> tuple[slice, slice]:
    """The window of at most ``max_pixels`` pixels holding the most texture of the layer.

    Parameters
    ----------
    f : ndarray, 2-D
        Image (the luminance) in [0, 1].
    mask : ndarray of bool
        The layer alpha, not empty.
    max_pixels : int, optional
        Largest area of the window (default :data:`ESTIMATION_PIXELS`).

    Returns
    -------
    window : tuple of slice
        Rows and columns of the window, inside the bounding box of ``mask``.  When the box
        holds at most ``max_pixels`` pixels, the window is the box itself.

    Notes
    -----
    The score of a window is the sum over its pixels of :math:`\\alpha |\\nabla f|^2`:
    texture inside the layer, where the blur shows.  Windows of the largest square shape
    that fits (a narrow box gives a wider window) are tried on a grid of quarter-window
    steps, with summed-area tables.

    Examples
    --------
    >>> import numpy as np
    >>> f = np.zeros((600, 600)); f[400:500, 420:520] = np.eye(100)  # texture, bottom right
    >>> rows, cols = estimation_window(f, np.ones((600, 600), bool), max_pixels=200 * 200)
    >>> rows.start <= 400 and rows.stop >= 500, cols.start <= 420 and cols.stop >= 520
    (True, True)
    """
    f = as_float_image(f, "f")
    mask = as_mask(mask, f.shape)
    max_pixels = check_positive(max_pixels, "max_pixels", integer=True)
    rows, cols = np.nonzero(mask)
    top, left = int(rows.min()), int(cols.min())
    height, width = int(rows.max()) + 1 - top, int(cols.max()) + 1 - left
    if height * width <= max_pixels:
        return slice(top, top + height), slice(left, left + width)
    side = int(np.sqrt(max_pixels))
    rows_w = min(height, side if width >= side else max_pixels // width)
    cols_w = min(width, max_pixels // rows_w)
    box = (slice(top, top + height), slice(left, left + width))
    table = _summed_area(np.where(mask[box], _gradient_energy(f[box]), 0.0))
    starts_r = sorted({*range(0, height - rows_w + 1, max(rows_w // 4, 1)), height - rows_w})
    starts_c = sorted({*range(0, width - cols_w + 1, max(cols_w // 4, 1)), width - cols_w})
    r, c = np.meshgrid(np.array(starts_r), np.array(starts_c), indexing="ij")
    score = table[r + rows_w, c + cols_w] - table[r, c + cols_w] - table[r + rows_w, c]
    score += table[r, c]
    best = np.unravel_index(int(np.argmax(score)), score.shape)
    r0, c0 = top + int(r[best]), left + int(c[best])
    return slice(r0, r0 + rows_w), slice(c0, c0 + cols_w)


def tile_margin(kernel_size: int) -> int:
    """How far each tile of the final u-step extends beyond the part it contributes.

    Twice the kernel's side: measured on a 384 x 384 crop of the camera image blurred by a
    disk of radius 7 (31 x 31 kernel), 128-pixel tiles with this margin gave the same
    result as one piece within 0.01 dB.  Half of it is the blending ramp
    (:func:`blend_ramps`), the rest keeps the ramp away from the tile's cut edge.
    """
    return 2 * int(kernel_size)


def tile_windows(
    mask: np.ndarray, tile_size: int, margin: int
) -> Iterator[tuple[tuple[slice, slice], tuple[slice, slice]]]:
    """Overlapping tiles that cover a layer: ``(window, core)`` pairs, row by row.

    Parameters
    ----------
    mask : ndarray of bool
        The layer alpha.
    tile_size : int
        Side of the cores: the cores partition the bounding box of ``mask``.
    margin : int
        Each window is its core grown by ``margin`` on every side (within the image).

    Yields
    ------
    window, core : tuple of slice
        The pixels a tile is solved on and the pixels it contributes (before blending).
        Tiles whose window holds no pixel of the mask are skipped.

    Examples
    --------
    >>> import numpy as np
    >>> tiles = list(tile_windows(np.ones((300, 200), bool), tile_size=128, margin=20))
    >>> len(tiles), tiles[0]
    (6, ((slice(0, 148, None), slice(0, 148, None)), (slice(0, 128, None), slice(0, 128, None))))
    """
    mask = np.asarray(mask, dtype=bool)
    tile_size = check_positive(tile_size, "tile_size", integer=True)
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    for r0 in range(int(top), int(bottom), tile_size):
        for c0 in range(int(left), int(right), tile_size):
            core = slice(r0, min(r0 + tile_size, bottom)), slice(c0, min(c0 + tile_size, right))
            window = (
                slice(max(core[0].start - margin, 0), min(core[0].stop + margin, mask.shape[0])),
                slice(max(core[1].start - margin, 0), min(core[1].stop + margin, mask.shape[1])),
            )
            if mask[window].any():
                yield window, core


def _ramp(length: int, start: int, stop: int, width: int, low: bool, high: bool) -> np.ndarray:
    """1 on [start, stop), falling linearly to 0 over ``width`` pixels on either side."""
    x = np.arange(length) + 0.5
    weight = np.ones(length)
    if width > 0:
        if low:
            weight = np.minimum(weight, np.clip((x - start + width) / (2 * width), 0, 1))
        if high:
            weight = np.minimum(weight, np.clip((stop + width - x) / (2 * width), 0, 1))
    return weight


def blend_ramps(
    window: tuple[slice, slice], core: tuple[slice, slice], box: tuple[slice, slice], width: int
) -> np.ndarray:
    """Blending weight of a tile over its window: separable linear ramps across the core's edges.

    Parameters
    ----------
    window, core : tuple of slice
        From :func:`tile_windows`.
    box : tuple of slice
        The bounding box the cores partition: no ramp at its edges.
    width : int
        Half-width of each ramp (at most the margin of the tiles).

    Returns
    -------
    weight : ndarray, shape of the window
        1 inside the core away from its edges; across an edge shared with a neighbouring
        core, the two tiles' weights sum to 1 (0.5 each on the edge).

    Examples
    --------
    >>> box = (slice(0, 20), slice(0, 10))
    >>> left = blend_ramps((slice(0, 20), slice(0, 8)), (slice(0, 20), slice(0, 5)), box, 2)
    >>> right = blend_ramps((slice(0, 20), slice(2, 10)), (slice(0, 20), slice(5, 10)), box, 2)
    >>> [float(a + b) for a, b in zip(left[0, 2:8], right[0, :6])]
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    weights = []
    for axis in range(2):
        w, c, b = window[axis], core[axis], box[axis]
        weights.append(
            _ramp(w.stop - w.start, c.start - w.start, c.stop - w.start, int(width),
                  low=c.start > b.start, high=c.stop < b.stop)
        )  # fmt: skip
    return np.outer(*weights)
