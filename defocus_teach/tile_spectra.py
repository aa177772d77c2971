"""Power spectra of a layer's tiles: the data of the initial-kernel sweep.

A defocus kernel is radially symmetric, and so is, on average, the power spectrum of a natural
image.  The sweep of :mod:`defocus_teach.kernel_init` therefore compares the *radially
averaged* periodogram of square tiles of the layer with the spectrum a candidate kernel
predicts.  This module cuts the tiles and bins their periodograms:

* :func:`periodic_component` removes a tile's border discontinuity (Moisan 2011);
* :func:`layer_tiles` picks square tiles (nearly) inside the layer's mask;
* :func:`radial_spectra` bins each tile's periodogram by the radius of the frequency and
  :meth:`RadialSpectra.transfer` bins a kernel's :math:`|K(w)|^2` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft, ndimage
from scipy.signal import windows
from skimage.restoration import estimate_sigma

from ._validation import as_float_image
from .errors import LayerTooSmallError

__all__ = ["periodic_component", "layer_tiles", "radial_spectra", "RadialSpectra"]

# Large tiles matter: a tile is not a circular convolution, and the blur leaks across its
# border into the zeros of the disk's spectrum (measured: 96 px tiles misjudged 28% of a
# test suite of 144 scenes by more than 25%, 192 px tiles 3%, 192 px with a window 0.7%).
TILE_SIZES = (256, 192, 128, 96, 64, 48, 32)
MAX_TILES = 8
# A single tile is fragile: on the benchmark scene camera-pupil7 the one 96 px tile of the
# background held a strip of the in-focus tripod (its mask is 6 px too large) and read R = 1
# for R = 7.  Two or more tiles of the next size are preferred to one large tile.
MIN_TILES = 2
# Irregular layers may hold no large square at all: a tile may then overlap other layers by up
# to 10%, and those pixels are replaced by a smooth normalised-convolution fill (sigma 4 px)
# so that sharp content from another layer does not pull the sweep to the smallest disk.
# Measured on the motorcycle scene: exact squares only misjudged the background (R = 6 read
# as 3) at scale 0.4; 10% overlap fixes it; 20% overlap reads R = 1 or 2 (the fill's edge).
MIN_COVERAGE = 0.9
FILL_SIGMA = 4.0
# Tukey window fraction applied after the periodic decomposition.  Median / mean kernel error
# of k(0) on the 16 defocused layers of the benchmark, sweeping apodisations down to 0.55:
# 0.72 / 0.55 with no taper, 0.88 / 0.95 with 0.25, 0.17 / 0.67 with 0.5, 0.17 / 0.21 with
# 0.75 and with 1.0.  At 0.5 the background of camera-pupil7, whose mask reaches 6 px into
# the in-focus tripod, read R = 1 for 7 (kernel error 7.3).  With the final apodisations
# (down to 0.7) and 0.75: 0.14 / 0.17.
TAPER = 0.75
# Frequencies below 0.03 cycles per pixel are left out of the fit: there a tile's content is
# not stationary (shading, one large object), and a smooth tile then read as a very large
# disk (R 12-15 for R 5 on two benchmark layers).  The first zero of a disk of radius 15 px
# is at 0.04 cycles per pixel, so the largest kernels of the sweep are still seen.
MIN_FREQUENCY = 0.03


def periodic_component(image: np.ndarray) -> np.ndarray:
    """Moisan's periodic component: the image without its border discontinuity.

    Parameters
    ----------
    image : ndarray, 2-D

    Returns
    -------
    periodic : ndarray
        :math:`p = u - s`, where the smooth part s solves :math:`\\Delta s = v`, v being the
        jumps across the borders of the periodised image.  Its spectrum has no cross of
        border artefacts.

    References
    ----------
    .. [1] Moisan, L. "Periodic plus smooth image decomposition." J. Math. Imaging Vis.
           39 (2011).

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.add.outer(np.arange(8.0), np.zeros(8))
    >>> bool(np.ptp(periodic_component(ramp)[:, 0]) < np.ptp(ramp[:, 0]))
    True
    """
    image = as_float_image(image, "image", check_range=False)
    jumps = np.zeros_like(image)
    jumps[0, :] += image[-1, :] - image[0, :]
    jumps[-1, :] += image[0, :] - image[-1, :]
    jumps[:, 0] += image[:, -1] - image[:, 0]
    jumps[:, -1] += image[:, 0] - image[:, -1]
    rows = 2.0 * np.cos(2.0 * np.pi * fft.fftfreq(image.shape[0]))[:, None]
    cols = 2.0 * np.cos(2.0 * np.pi * fft.fftfreq(image.shape[1]))[None, :]
    laplacian = rows + cols - 4.0
    laplacian[0, 0] = 1.0
    smooth_spectrum = fft.fft2(jumps) / laplacian
    smooth_spectrum[0, 0] = 0.0
    return image - fft.ifft2(smooth_spectrum).real


def _filled(f: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """f inside the mask, a smooth normalised-convolution fill outside."""
    weight = ndimage.gaussian_filter(mask.astype(float), FILL_SIGMA)
    smooth = ndimage.gaussian_filter(np.where(mask, f, 0.0), FILL_SIGMA)
    return np.where(mask, f, smooth / np.maximum(weight, 1e-6))


def _gradient_energy(image: np.ndarray) -> np.ndarray:
    """|grad f|^2 by forward differences (0 on the first row and column)."""
    energy = np.zeros_like(image)
    energy[1:, 1:] = np.diff(image, axis=0)[:, 1:] ** 2 + np.diff(image, axis=1)[1:, :] ** 2
    return energy


def _summed_area(values: np.ndarray) -> np.ndarray:
    return np.pad(np.cumsum(np.cumsum(values, 0), 1), ((1, 0), (1, 0)))


def _box_sum(table: np.ndarray, top: int, left: int, size: int) -> float:
    return (
        table[top + size, left + size]
        - table[top, left + size]
        - table[top + size, left]
        + table[top, left]
    )


def layer_tiles(f: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
    """Square tiles (nearly) inside the mask, the most textured first, all of one size.

    Parameters
    ----------
    f : ndarray, 2-D
        Image.
    mask : ndarray of bool
        The layer.

    Returns
    -------
    tiles : list of ndarray
        Up to 8 tiles of the largest size in (256, 192, ..., 32) that gives at least two
        tiles (or one, if no size gives two).  A tile may overlap other layers by up to 10%;
        those pixels are filled smoothly.

    Raises
    ------
    LayerTooSmallError
        If the mask holds no 32 x 32 square of pixels.

    Examples
    --------
    >>> import numpy as np
    >>> tiles = layer_tiles(np.random.default_rng(0).random((300, 300)), np.ones((300, 300), bool))
    >>> len(tiles), tiles[0].shape
    (4, (192, 192))
    """
    filled = _filled(f, mask)
    outside, energy = _summed_area(~mask), _summed_area(_gradient_energy(filled))
    single = None
    for size in TILE_SIZES:
        if size > min(f.shape):
            continue
        candidates = [
            (_box_sum(energy, top, left, size), top, left)
            for top in range(0, f.shape[0] - size + 1, size // 2)
            for left in range(0, f.shape[1] - size + 1, size // 2)
            if _box_sum(outside, top, left, size) <= (1.0 - MIN_COVERAGE) * size * size
        ]
        candidates.sort(reverse=True)
        tiles = [filled[t : t + size, c : c + size] for _, t, c in candidates[:MAX_TILES]]
        if len(tiles) >= MIN_TILES:
            return tiles
        if tiles and single is None:
            single = tiles
    if single is not None:
        return single
    raise LayerTooSmallError(
        f"mask holds no {TILE_SIZES[-1]}x{TILE_SIZES[-1]} square of pixels: the layer is "
        "too small or too thin to estimate its blur"
    )


def _tapered(tile: np.ndarray) -> np.ndarray:
    """Periodic component, mean removed, times a Tukey window of unit mean square."""
    taper = windows.tukey(tile.shape[0], TAPER)
    window = np.outer(taper, taper)
    periodic = periodic_component(tile)
    periodic -= (periodic * window).sum() / window.sum()
    return periodic * window / np.sqrt(np.mean(window**2))


def _embed(kernel: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((size, size))
    top = (size - kernel.shape[0]) // 2
    out[top : top + kernel.shape[0], top : top + kernel.shape[1]] = kernel
    return out


@dataclass(frozen=True)
class RadialSpectra:
    """Radially binned periodograms of tiles of one size.

    Attributes
    ----------
    power : ndarray (n_tiles, n_bins)
        Mean periodogram :math:`P_t(b) = |F_t(w)|^2 / N` over the frequencies w of bin b
        (or their median over :math:`\\log 2`, see :func:`radial_spectra`).
    counts : ndarray (n_bins,)
        Frequencies per bin, n_b.
    frequency : ndarray (n_bins,)
        Mean radius :math:`|w|` of each bin, in cycles per pixel.
    noise : float
        Noise level sigma (median of :func:`skimage.restoration.estimate_sigma` over tiles).
    size : int
        Side of the tiles.
    """

    power: np.ndarray
    counts: np.ndarray
    frequency: np.ndarray
    noise: float
    size: int
    bins: np.ndarray  # bin of every frequency of the size x size grid (-1: left out)

    def transfer(self, kernel: np.ndarray) -> np.ndarray:
        """:math:`|K(w)|^2` of ``kernel``, averaged over each bin."""
        spectrum = np.abs(fft.fft2(np.fft.ifftshift(_embed(kernel, self.size)))) ** 2
        keep = self.bins >= 0
        return np.bincount(self.bins[keep], spectrum[keep]) / self.counts


def radial_spectra(
    tiles: list[np.ndarray], noise: float | None = None, statistic: str = "mean"
) -> RadialSpectra:
    """Bin the periodogram of every tile by frequency radius (one bin per 1/size).

    Parameters
    ----------
    tiles : list of ndarray
        Square tiles of one size (from :func:`layer_tiles`).
    noise : float, optional
        Noise level sigma of the image, when it is known; default: the median of
        :func:`skimage.restoration.estimate_sigma` over the tiles.
    statistic : {"mean", "median"}, optional
        How a bin's frequencies are summarised.  ``"median"`` takes their median divided by
        :math:`\\log 2` (the median of an exponential variable over its mean), so that a
        few strong peaks (a tile of stripes) do not set a ring's power; an isotropic
        texture gets about the same value either way.

    Returns
    -------
    spectra : RadialSpectra
        Bins from 0.03 cycles per pixel up to the corner of the frequency square; the mean
        and the lowest frequencies are left out.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(0, 0.1, (64, 64))
    >>> spectra = radial_spectra([noise])
    >>> bool(abs(spectra.power.mean() / 0.1**2 - 1) < 0.1)
    True
    """
    if statistic not in ("mean", "median"):
        raise ValueError(f"statistic must be 'mean' or 'median', got {statistic!r}")
    size = tiles[0].shape[0]
    frequency = fft.fftfreq(size)
    radius = np.hypot(frequency[:, None], frequency[None, :])
    index = np.rint(radius * size).astype(int)
    lowest = max(1, int(np.ceil(MIN_FREQUENCY * size - 0.5)))
    bins = np.where(index >= lowest, index - lowest, -1)
    keep = bins >= 0
    ring = bins[keep]  # the bin of every kept frequency
    counts = np.bincount(ring).astype(np.float64)
    mean_radius = np.bincount(ring, radius[keep]) / counts
    periodograms = np.array([np.abs(fft.fft2(_tapered(t)))[keep] ** 2 / t.size for t in tiles])
    if statistic == "mean":
        power = np.array([np.bincount(ring, p) for p in periodograms]) / counts
    else:
        grouped = periodograms[:, np.argsort(ring, kind="stable")]
        ends = np.cumsum(counts).astype(int)  # each bin's frequencies, side by side
        rings = np.split(grouped, ends[:-1], axis=1)
        power = np.stack([np.median(r, axis=1) for r in rings], axis=1) / np.log(2)
    if noise is None:
        noise = float(np.median([estimate_sigma(t) for t in tiles]))
    noise = max(float(noise), 1e-4)
    return RadialSpectra(power, counts, mean_radius, noise, size, bins)
