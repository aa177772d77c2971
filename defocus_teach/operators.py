"""Blur operators of the forward model f = alpha .* (k * u) + n (paper eqs. (1)-(2)).

Everything here goes through real FFTs (:mod:`scipy.fft`):

* :func:`psf2otf` embeds a centred kernel in a periodic grid (its centre at index (0, 0)) and
  returns its transfer function;
* :func:`blur` convolves an image with a kernel under an explicit boundary rule;
* :func:`blur_adjoint` is its exact adjoint (correlation, then the adjoint of the padding);
* :func:`kernel_gradient` is the gradient of 1/2 ||mask .* (k * u) - target||^2 with respect to
  the kernel on its small support, the data part of the k-step gradient (eq. (9));
* :class:`PeriodicGrid` is the working domain of the solver: the image in a periodic grid with a
  masked-out margin, so that every operator is an exact circular convolution and no data pixel
  is wrapped around.

Convention: :math:`(k * u)(x) = \\sum_s k(s)\\, u(x - s)` with s running over the kernel's
support centred at 0 (a true convolution, as :func:`scipy.signal.convolve`).

The chapter "The layer model" of the book uses these operators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft

from ._validation import as_float_image, as_kernel, as_mask, check_nonnegative

__all__ = ["BOUNDARIES", "psf2otf", "blur", "blur_adjoint", "kernel_gradient", "PeriodicGrid"]

#: Boundary rules of :func:`blur`. "periodic" wraps around, "valid" keeps only the pixels
#: whose whole neighbourhood lies inside the image, and the others extend the image like
#: :func:`numpy.pad` before a convolution whose output has the input's shape
#: ("constant" extends with zeros).
BOUNDARIES = ("periodic", "valid", "symmetric", "reflect", "edge", "constant")

_WORKERS = -1  # scipy.fft threads: all cores


def psf2otf(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Transfer function of a centred kernel on a periodic grid (MATLAB's ``psf2otf``).

    Parameters
    ----------
    kernel : ndarray, 2-D with odd sides
        Point-spread function k, centred at index ``(h // 2, w // 2)``.
    shape : tuple of int
        Grid shape (H, W), at least the kernel's shape.

    Returns
    -------
    otf : complex ndarray of shape (H, W // 2 + 1)
        ``scipy.fft.rfft2`` of the kernel zero-padded to ``shape`` with its centre rolled
        to (0, 0), so that ``irfft2(rfft2(u) * otf)`` is the circular convolution k * u.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.operators import psf2otf
    >>> otf = psf2otf(np.ones((3, 3)) / 9, (8, 8))
    >>> otf.shape, bool(np.isclose(otf[0, 0].real, 1.0))
    ((8, 5), True)
    """
    kernel = as_kernel(kernel)
    rows, cols = int(shape[0]), int(shape[1])
    if kernel.shape[0] > rows or kernel.shape[1] > cols:
        raise ValueError(f"kernel of shape {kernel.shape} does not fit in the grid {shape}")
    padded = np.zeros((rows, cols))
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    padded = np.roll(padded, (-(kernel.shape[0] // 2), -(kernel.shape[1] // 2)), axis=(0, 1))
    return fft.rfft2(padded, workers=_WORKERS)


def _check_boundary(boundary: str) -> None:
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")


def _pad_indices(length: int, pad: int, boundary: str) -> np.ndarray:
    """Source index of every padded sample along one axis (-1 marks a zero sample)."""
    mode = {"periodic": "wrap", "constant": "constant"}.get(boundary, boundary)
    if mode == "constant":
        return np.pad(np.arange(length), pad, mode="constant", constant_values=-1)
    return np.pad(np.arange(length), pad, mode=mode)


def _extend(image: np.ndarray, pads: tuple[int, int], boundary: str) -> np.ndarray:
    """The image extended by ``pads`` pixels per side (the linear map P)."""
    if boundary == "valid":
        return image
    rows = _pad_indices(image.shape[0], pads[0], boundary)
    cols = _pad_indices(image.shape[1], pads[1], boundary)
    padded = np.pad(image, ((0, 1), (0, 1)))  # a zero row and column for index -1
    return padded[np.ix_(rows, cols)]


def _extend_adjoint(padded: np.ndarray, shape: tuple, pads: tuple, boundary: str) -> np.ndarray:
    """Adjoint of :func:`_extend`: scatter-add every padded sample back to its source."""
    if boundary == "valid":
        return padded
    rows = _pad_indices(shape[0], pads[0], boundary)
    cols = _pad_indices(shape[1], pads[1], boundary)
    by_rows = np.zeros((shape[0] + 1, padded.shape[1]))
    np.add.at(by_rows, rows, padded)  # index -1 collects the zero samples; dropped below
    result = np.zeros((shape[0] + 1, shape[1] + 1))
    np.add.at(result.T, cols, by_rows.T)
    return result[:-1, :-1]


def _setup(shape: tuple, kernel_shape: tuple, boundary: str):
    """Pads, FFT grid and output window for a blur of an image of ``shape``."""
    if boundary == "periodic":
        return (0, 0), tuple(shape), (slice(0, shape[0]), slice(0, shape[1]))
    half = (kernel_shape[0] // 2, kernel_shape[1] // 2)
    pads = (0, 0) if boundary == "valid" else half
    extended = (shape[0] + 2 * pads[0], shape[1] + 2 * pads[1])
    grid = tuple(fft.next_fast_len(n, real=True) for n in extended)
    window = (slice(half[0], extended[0] - half[0]), slice(half[1], extended[1] - half[1]))
    return pads, grid, window


def _validate(image, kernel, boundary):
    image = as_float_image(image, "image", check_range=False)
    kernel = as_kernel(kernel, image_shape=image.shape)
    _check_boundary(boundary)
    return image, kernel


def blur(image: np.ndarray, kernel: np.ndarray, boundary: str = "symmetric") -> np.ndarray:
    """Convolve a greyscale image with a kernel: the operator A_k of the paper.

    Parameters
    ----------
    image : ndarray, 2-D
        Sharp image u.
    kernel : ndarray, 2-D with odd sides
        Point-spread function k, centred; not larger than the image.
    boundary : str, optional
        How the image continues outside its frame: "symmetric" (default, mirror with the
        edge pixel repeated), "reflect", "edge", "constant" (zeros), "periodic", or "valid"
        (return only the pixels unaffected by the boundary: shape shrinks by the kernel's
        size minus one).

    Returns
    -------
    blurred : ndarray
        :math:`k * u`, of the image's shape (smaller for "valid").

    Notes
    -----
    :math:`(k \\otimes u)(x) = \\sum_s k(s)\\, u(x - s)`, evaluated with ``scipy.fft`` on a
    grid large enough that nothing wraps (except for "periodic", which wraps by definition).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur
    >>> flat = np.full((32, 32), 0.5)
    >>> bool(np.allclose(blur(flat, disk(3)), 0.5))
    True
    """
    image, kernel = _validate(image, kernel, boundary)
    return _blur(image, kernel, boundary)


def _blur(image: np.ndarray, kernel: np.ndarray, boundary: str) -> np.ndarray:
    pads, grid, window = _setup(image.shape, kernel.shape, boundary)
    extended = _extend(image, pads, boundary)
    spectrum = fft.rfft2(extended, s=grid, workers=_WORKERS) * psf2otf(kernel, grid)
    return fft.irfft2(spectrum, s=grid, workers=_WORKERS)[window]


def blur_adjoint(image: np.ndarray, kernel: np.ndarray, boundary: str = "symmetric") -> np.ndarray:
    """Adjoint of :func:`blur` with the same kernel and boundary rule.

    Parameters
    ----------
    image : ndarray, 2-D
        An array of the shape that :func:`blur` returns.  For ``boundary="valid"`` that is
        the valid shape; the result then has the full shape.
    kernel : ndarray, 2-D with odd sides
        The kernel k.
    boundary : str, optional
        The boundary rule used by the forward blur.

    Returns
    -------
    adjoint : ndarray
        :math:`A_k^T y`: correlation with k followed by the adjoint of the boundary extension
        (padded samples are added back onto the pixels they were copied from), so that
        :math:`\\langle A_k x, y \\rangle = \\langle x, A_k^T y \\rangle` holds to round-off.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur, blur_adjoint
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.random((20, 20)), rng.random((20, 20))
    >>> lhs = np.vdot(blur(x, disk(2)), y)
    >>> bool(np.isclose(lhs, np.vdot(x, blur_adjoint(y, disk(2)))))
    True
    """
    if boundary == "valid":
        kernel = as_kernel(kernel)
        array = np.asarray(image, dtype=np.float64)
        shape = (array.shape[0] + kernel.shape[0] - 1, array.shape[1] + kernel.shape[1] - 1)
        _check_boundary(boundary)
    else:
        array, kernel = _validate(image, kernel, boundary)
        shape = array.shape
    if not np.all(np.isfinite(array)):
        raise ValueError("image contains NaN or infinite values")
    pads, grid, window = _setup(shape, kernel.shape, boundary)
    extended_shape = (shape[0] + 2 * pads[0], shape[1] + 2 * pads[1])
    embedded = np.zeros(grid)
    embedded[window] = array
    spectrum = fft.rfft2(embedded, workers=_WORKERS) * np.conj(psf2otf(kernel, grid))
    correlated = fft.irfft2(spectrum, s=grid, workers=_WORKERS)
    extended = correlated[: extended_shape[0], : extended_shape[1]]
    return _extend_adjoint(extended, shape, pads, boundary)


def kernel_gradient(
    u: np.ndarray,
    kernel: np.ndarray,
    target: np.ndarray,
    mask: np.ndarray | None = None,
    boundary: str = "symmetric",
) -> np.ndarray:
    """Gradient of the data term 1/2 ||mask .* (k * u) - target||^2 with respect to k.

    Parameters
    ----------
    u : ndarray, 2-D
        Sharp image u.
    kernel : ndarray, 2-D with odd sides
        Current kernel k; the gradient has its shape.
    target : ndarray
        The observation g, of the shape :func:`blur` returns for ``boundary``.
    mask : ndarray of bool, optional
        Region alpha where the data term is counted (default: everywhere).
    boundary : str, optional
        Boundary rule of the blur, as in :func:`blur`.

    Returns
    -------
    gradient : ndarray of the kernel's shape
        :math:`\\partial/\\partial k(s) = \\sum_x r(x)\\, \\tilde u(x - s)` with the residual
        :math:`r = \\alpha \\odot (\\alpha \\odot (k * u) - g)` and :math:`\\tilde u` the
        boundary-extended image: the correlation of the residual with u, read on the
        kernel's support.

    Notes
    -----
    This is the data part of the gradient g(k) of eq. (9); the k-step adds
    :math:`2\\lambda_2 k`.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur, kernel_gradient
    >>> u = np.random.default_rng(0).random((24, 24))
    >>> g = blur(u, disk(2))
    >>> bool(np.allclose(kernel_gradient(u, disk(2), g), 0))
    True
    """
    u, kernel = _validate(u, kernel, boundary)
    pads, grid, window = _setup(u.shape, kernel.shape, boundary)
    blurred = _blur(u, kernel, boundary)
    target = np.asarray(target, dtype=np.float64)
    if target.shape != blurred.shape:
        raise ValueError(f"target must have shape {blurred.shape}, got {target.shape}")
    weight = as_mask(mask, blurred.shape, allow_empty=True).astype(np.float64)
    residual = weight * (weight * blurred - target)
    embedded = np.zeros(grid)
    embedded[window] = residual
    spectrum = np.conj(fft.rfft2(_extend(u, pads, boundary), s=grid, workers=_WORKERS))
    correlation = fft.irfft2(spectrum * fft.rfft2(embedded, workers=_WORKERS), s=grid)
    half_r, half_c = kernel.shape[0] // 2, kernel.shape[1] // 2
    lags_r = np.arange(-half_r, half_r + 1) % grid[0]
    lags_c = np.arange(-half_c, half_c + 1) % grid[1]
    return correlation[np.ix_(lags_r, lags_c)]


@dataclass(frozen=True)
class PeriodicGrid:
    """An image of shape ``shape`` embedded in a periodic grid with a masked-out margin.

    The solver works on this grid so that blur, framelet and their adjoints are exact
    circular convolutions, diagonal under the FFT.  Observed pixels sit at least
    ``margin`` pixels from the grid's edge, so a kernel of radius <= ``margin`` never wraps
    data around; the unknown image on the margin is filled in by the regulariser alone
    (the "unknown boundary" formulation of Almeida & Figueiredo, 2013).  Unlike padding the
    data symmetrically and treating the padding as observed, this adds no bias near the
    border.

    Parameters
    ----------
    shape : tuple of int
        Shape (H, W) of the image.
    margin : int
        Minimum margin in pixels on every side (>= the kernel radius).
    multiple : int
        Each grid side is a multiple of this (e.g. 2**levels for a decimating wavelet).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.operators import PeriodicGrid
    >>> grid = PeriodicGrid.for_image((100, 120), margin=16)
    >>> grid.shape[0] >= 132 and grid.shape[1] >= 152
    True
    >>> bool(np.array_equal(grid.crop(grid.embed(np.ones((100, 120)))), np.ones((100, 120))))
    True
    """

    image_shape: tuple[int, int]
    shape: tuple[int, int]
    offset: tuple[int, int]

    @classmethod
    def for_image(cls, shape: tuple[int, int], margin: int, multiple: int = 1) -> PeriodicGrid:
        """Smallest fast FFT grid holding ``shape`` plus ``margin`` on every side."""
        check_nonnegative(margin, "margin", integer=True)

        def side(n: int) -> int:
            size = fft.next_fast_len(n + 2 * margin, real=True)
            while size % multiple:
                size = fft.next_fast_len(size + 1, real=True)
            return size

        grid = (side(shape[0]), side(shape[1]))
        offset = ((grid[0] - shape[0]) // 2, (grid[1] - shape[1]) // 2)
        return cls(tuple(shape), grid, offset)

    @property
    def window(self) -> tuple[slice, slice]:
        """Slices of the grid that hold the image."""
        (top, left), (rows, cols) = self.offset, self.image_shape
        return slice(top, top + rows), slice(left, left + cols)

    def embed(self, image: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Place ``image`` in the grid, ``fill`` on the margin."""
        out = np.full(self.shape + image.shape[2:], fill, dtype=np.result_type(image, fill))
        out[self.window] = image
        return out

    def crop(self, array: np.ndarray) -> np.ndarray:
        """The image part of a grid array."""
        return array[self.window]
