"""Blind deconvolution of one defocus layer: the paper's Alg. 2 for problem (7).

For a layer with mask alpha_i, the paper alternates three updates of

    min_{u, k, c} 1/2 ||alpha .* (k * u) - alpha .* f - c||^2 + lam1 ||W u||_1
                  + lam2 ||k||_F^2 + lam3 sum_r Lambda[r] [c[r] != 0],   k in Omega,

the u-step (:mod:`defocus_teach.u_step`), the k-step (:mod:`defocus_teach.k_step`) and the
c-step (:mod:`defocus_teach.c_step`), starting from the disk of
:mod:`defocus_teach.kernel_init`.  :func:`blind_deconvolve` runs that loop in three steps,
one function each:

1. ``_settings``: the parameters, with their defaults filled in;
2. ``_alternate``: the outer loop of Alg. 2 on the luminance of the layer's bounding box,
   embedded in a periodic grid whose margin is masked out (so no pixel of the data ever sees
   the grid's wrap-around);
3. ``_final_u_step``: one long u-step per channel with the estimated kernel.

The layer's box and grid live in ``defocus_teach._layer_grid``; large layers (the outer
loop on a window, the final u-step in tiles) in ``defocus_teach._large_layers``.

The chapter "The whole method" of the book runs it on simulated and real photographs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from skimage.color import rgb2gray

from ._large_layers import _estimation_layer, _in_one_piece, _tiled_u_step
from ._layer_grid import (
    _FINAL_TOL,
    _LOOP_TOL,
    _channel_start,
    _Layer,
    _layer,
    _reblur,
)
from ._threads import single_threaded_blas
from ._validation import (
    as_float_image,
    as_kernel,
    as_mask,
    check_nonnegative,
    check_odd_size,
    check_positive,
)
from .c_step import outlier_weights_from_residual, threshold_outliers
from .errors import LayerTooSmallError, NoTextureError
from .framelet import TightFrame, get_transform
from .k_step import default_lam2, kernel_step, make_projection, paper_lam2
from .kernel_init import initial_kernel
from .kernels import kernel_error, pad_kernel
from .operators import psf2otf
from .tiling import ESTIMATION_PIXELS, TILE_SIZE
from .u_step import (
    PAPER_LAM1,
    _admm,
    _default_rho,
    _State,
    default_lam1,
)

# default_lam1 is documented in u_step and importable from here for older code
__all__ = ["blind_deconvolve", "BlindResult", "IterationRecord", "PRESETS"]

#: Named parameter sets.  "default" is tuned on synthetic scenes, "paper" uses the paper's
#: literal lam1 = 0.005, lam2 rule and threshold lam3 * Lambda (section 4.1 of the paper).
PRESETS = ("default", "paper")
#: Energy priors of the k-step: "anchored" lam2 ||k - k(0)||^2, "energy" the paper's lam2 ||k||^2.
KERNEL_PRIORS = ("anchored", "energy")
# lam2 of the anchored prior, relative to default_lam2.  Started from the true kernel (3 images x
# {disk 4, disk 7, pupil 6/4.5}, noise 0.005, 20 iterations) the kernel error stayed <= 0.15
# on 0/9 cases at x1, 5/9 at x3, 9/9 at x10 (median 0.06) and x30 (0.03); mean PSNR 26.49,
# 26.80, 26.96, 27.01 dB against 27.28 with the true kernel.  x10 still lets the kernel move.
_ANCHOR_SCALE = 10.0
# A caller's kernel_init is kept as start and anchor when the sweep's likeliest kernel near it
# is within this kernel error of it.  On 3 images x {disk 4, disk 7, pupil 6 / 4.5} (noise
# 0.005), the sweep's kernel near a disk 1.5 px too large or too small was 0.43 to 0.81 from
# it (the start is replaced), and the one near the true kernel 0.04 to 0.24 (it is kept).
_TRUST = 0.3
_KERNEL_TOL = 1e-6  # relative change that stops the k-step


@dataclass(frozen=True)
class IterationRecord:
    """One outer iteration of Alg. 2: the objective (7), the kernel's change, seconds."""

    iteration: int
    objective: float
    kernel_change: float
    seconds: float


@dataclass(frozen=True)
class BlindResult:
    """Result of :func:`blind_deconvolve` (and of every method in :mod:`.baselines`).

    Attributes
    ----------
    image : ndarray
        Sharp estimate u_i, full size: deconvolved on the layer's bounding box (grown by
        the kernel radius), the input elsewhere.
    kernel : ndarray
        Estimated kernel k_i (odd square, sum 1).
    outliers : ndarray
        Outlier term c_i, full size (0 outside the mask).
    history : tuple of IterationRecord
        One record per outer iteration.
    initial_radius : float
        Radius of the initial kernel k(0) (nan when the caller's kernel was kept).
    lam : tuple of float
        The (lam1, lam2, lam3) used.
    initial_kernel : ndarray or None
        The kernel k(0) the loop started from (None for the baselines).
    """

    image: np.ndarray
    kernel: np.ndarray
    outliers: np.ndarray
    history: tuple[IterationRecord, ...] = ()
    initial_radius: float = float("nan")
    lam: tuple[float, float, float] = (float("nan"),) * 3
    initial_kernel: np.ndarray | None = None


@dataclass(frozen=True)
class _Settings:
    """The parameters of problem (7) and of its three solvers, defaults filled in."""

    lam1: float
    lam2: float
    lam3: float
    rho: tuple[float, float]  # ADMM penalties of the u-step
    transform: TightFrame  # W
    projection: Callable[[np.ndarray], np.ndarray]  # P_Omega
    symmetric: bool  # the k-step may work in the basis of D4 orbits
    use_outliers: bool
    rule: str  # threshold rule of the c-step
    anchor: np.ndarray | None  # k_ref of the energy prior lam2 ||k - k_ref||^2 (None: 0)
    n_iter: int
    inner_iter: int
    kernel_iter: int
    final_iter: int

    def u_step(self, state, target, weight, otf, max_iter, tol) -> _State:
        """Eq. (8) by ADMM from ``state``."""
        return _admm(
            state, target, weight, otf, self.transform, self.lam1, self.rho, max_iter, tol
        )

    def outliers(self, residual, weight, weights) -> np.ndarray:
        """The c-step: hard-threshold the residual with the fixed weights Lambda."""
        return weight * threshold_outliers(residual, self.lam3, weights, self.rule)


@dataclass
class _Loop:
    """What the outer loop leaves: the kernel and its OTF, the u-step's variables, c, Lambda."""

    kernel: np.ndarray
    otf: np.ndarray
    state: _State
    outliers: np.ndarray
    weights: np.ndarray | None
    history: list


def _objective(weight, blurred, target, coeffs, kernel, outliers, weights, lam):
    """Objective (7) at the current (u, k, c)."""
    lam1, lam2, lam3 = lam
    residual = weight * blurred - target
    data = 0.5 * float(np.vdot(residual, residual))
    penalty = lam3 * float(np.sum(weights * (outliers != 0))) if weights is not None else 0.0
    return (
        data + lam1 * float(np.abs(coeffs[1:]).sum()) + lam2 * float(np.sum(kernel**2)) + penalty
    )


def _check_iterations(**counts: int) -> None:
    for name, value in counts.items():
        check_positive(value, name, integer=True)


def _initial_kernel(luminance, mask, kernel_size, kernel_init) -> tuple[float, np.ndarray]:
    """k(0): the apodised-disk sweep, or the caller's kernel padded to ``kernel_size``."""
    if kernel_init is None:
        found = initial_kernel(luminance, mask, size=kernel_size)
        return found.radius, found.kernel
    return float("nan"), pad_kernel(as_kernel(kernel_init, "kernel_init", psf=True), kernel_size)


def _anchor_near(luminance, mask, kernel, settings: _Settings):
    """For a caller's kernel: keep it if the data agree, else the likeliest kernel near it.

    The sweep's likeliest kernel within 3 px of the caller's radius is computed; when it is
    within :data:`_TRUST` (kernel error) of the caller's kernel, that kernel stays the start
    and the anchor, otherwise the sweep's kernel replaces it.  Returns the settings, the
    radius (nan if the caller's kernel is kept) and k(0).  A layer without tiles or texture
    keeps the caller's kernel.
    """
    try:
        found = initial_kernel(luminance, mask, size=kernel.shape[0], start=kernel)
    except (LayerTooSmallError, NoTextureError):
        return settings, float("nan"), kernel
    if kernel_error(found.kernel, kernel) <= _TRUST:
        return settings, float("nan"), kernel
    anchor = settings.projection(found.kernel)
    return replace(settings, anchor=anchor), found.radius, anchor


def _settings(
    luminance,
    mask,
    kernel,
    preset,
    lam,
    constraints,
    transform,
    iterations,
    projection,
    kernel_prior,
) -> _Settings:
    """Fill in the defaults of lam1, lam2, rho, P_Omega and the c-step's rule."""
    lam1, lam2, lam3 = lam
    use_symmetry, use_low_rank, use_outliers = constraints
    paper = preset == "paper"
    if lam1 is None:
        lam1 = PAPER_LAM1 if paper else default_lam1(luminance, mask)
    check_positive(lam1, "lam1")
    if kernel_prior is None:
        kernel_prior = "energy" if paper else "anchored"
    if kernel_prior not in KERNEL_PRIORS:
        raise ValueError(f"kernel_prior must be one of {KERNEL_PRIORS}, got {kernel_prior!r}")
    anchored = kernel_prior == "anchored"
    if lam2 is None:
        lam2 = paper_lam2(kernel) if paper else default_lam2(luminance, mask, kernel)
        lam2 *= _ANCHOR_SCALE if anchored else 1.0
    check_nonnegative(lam2, "lam2")
    project = projection or make_projection(use_symmetry, use_low_rank)
    return _Settings(
        lam1=float(lam1),
        lam2=float(lam2),
        lam3=float(lam3),
        rho=_default_rho(lam1),
        transform=transform,
        projection=project,
        symmetric=use_symmetry and projection is None,
        use_outliers=use_outliers,
        rule="hard_paper" if paper else "hard_sqrt",
        anchor=project(kernel) if anchored else None,
        **iterations,
    )


def _alternate(luminance, layer: _Layer, kernel, settings: _Settings, callback) -> _Loop:
    """The outer loop of Alg. 2 on the luminance ``luminance`` of the bounding box."""
    grid, weight = layer.grid, layer.weight
    data = layer.embed(luminance)  # alpha .* f
    kernel = settings.projection(kernel)
    otf = psf2otf(kernel, grid.shape)
    state = layer.start(luminance, otf, settings.transform)
    loop = _Loop(kernel, otf, state, outliers=np.zeros(grid.shape), weights=None, history=[])
    for iteration in range(settings.n_iter):
        start = time.perf_counter()
        target = data + loop.outliers
        # Eq. (8): the u-step, warm-started
        loop.state = settings.u_step(
            loop.state, target, weight, loop.otf, settings.inner_iter, _LOOP_TOL
        )
        # Eq. (9): the k-step
        previous = loop.kernel
        loop.kernel = kernel_step(
            loop.state.u, weight, target, previous, settings.lam2, settings.projection,
            settings.symmetric, settings.kernel_iter, _KERNEL_TOL, settings.anchor,
        )  # fmt: skip
        loop.otf = psf2otf(loop.kernel, grid.shape)
        blurred = _reblur(loop.state.u, loop.otf)
        residual = weight * blurred - data  # alpha .* (k * u - f)
        if settings.use_outliers:
            if loop.weights is None:  # Lambda from the first pass (k1, u1), then fixed
                loop.weights = outlier_weights_from_residual(residual)
            else:
                loop.outliers = settings.outliers(residual, weight, loop.weights)  # Eq. (6)
        # Eq. (7): the objective at (u, k, c)
        objective = _objective(
            weight, blurred, data + loop.outliers, settings.transform.analysis(loop.state.u),
            loop.kernel, loop.outliers, loop.weights,
            (settings.lam1, settings.lam2, settings.lam3),
        )  # fmt: skip
        change = float(np.linalg.norm(loop.kernel - previous) / np.linalg.norm(previous))
        seconds = time.perf_counter() - start
        loop.history.append(IterationRecord(iteration, objective, change, seconds))
        if callback is not None:
            callback(iteration, loop.kernel.copy(), grid.crop(loop.state.u).copy())
    return loop


def _final_u_step(channels, layer: _Layer, loop: _Loop, settings: _Settings):
    """Eq. (8) with the final kernel for every channel of ``channels`` (H, W, C).

    One channel is the luminance the loop ran on: it continues from the loop's state and c.
    """
    otf = loop.otf  # of the final kernel
    image, outliers = channels.copy(), np.zeros_like(channels)
    for channel in range(channels.shape[-1]):
        values = channels[layer.box + (channel,)]
        data = layer.embed(values)  # alpha .* f
        if channels.shape[-1] == 1:
            state, c = loop.state, loop.outliers
        else:
            state, c = _channel_start(values, data, layer, otf, settings, loop.weights)
        target = data + c  # Eq. (8) with the final kernel
        state = settings.u_step(state, target, layer.weight, otf, settings.final_iter, _FINAL_TOL)
        image[layer.box + (channel,)] = layer.grid.crop(state.u)
        outliers[layer.box + (channel,)] = layer.grid.crop(c)
    return image, outliers


@single_threaded_blas
def blind_deconvolve(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    kernel_size: int = 31,
    n_iter: int = 20,
    lam1: float | None = None,
    lam2: float | None = None,
    lam3: float = 0.01,
    use_symmetry: bool = True,
    use_low_rank: bool = True,
    use_outliers: bool = True,
    kernel_init: np.ndarray | None = None,
    callback: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
    *,
    preset: str = "default",
    channel_axis: int | None = None,
    transform: str | TightFrame = "framelet",
    levels: int = 1,
    inner_iter: int = 30,
    kernel_iter: int = 300,
    final_iter: int = 150,
    kernel_projection: Callable[[np.ndarray], np.ndarray] | None = None,
    kernel_prior: str | None = None,
    estimation_pixels: int | None = ESTIMATION_PIXELS,
    tile_size: int | None = TILE_SIZE,
    progress: Callable[[str], object] | None = None,
    sweep_mask: np.ndarray | None = None,
) -> BlindResult:
    """Blind deconvolution of one defocus layer: Alg. 2 of the paper.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1] (up to 0.1 outside, for noise; uint8 and uint16 are
        converted), greyscale (H, W) or colour with ``channel_axis``.
    mask : ndarray of bool, optional
        The layer's region alpha_i (default: the whole image).
    kernel_size : int, optional
        Odd side of the kernel support (default 31, the paper's).
    n_iter : int, optional
        Outer iterations N of Alg. 2 (default 20, the paper's).
    lam1 : float, optional
        Weight of the framelet prior.  Default :func:`~defocus_teach.u_step.default_lam1` of
        the layer's luminance: 0.03 times its estimated noise level (the same rule as
        :func:`~defocus_teach.u_step.deconvolve`).
    lam2 : float, optional
        Weight of ||k||^2.  Default :func:`~defocus_teach.k_step.default_lam2`, a rule
        scaled by the size of the data term.
    lam3 : float, optional
        Weight of the l0 outlier penalty (default 0.01, the paper's).
    use_symmetry, use_low_rank : bool, optional
        Constraints of Omega (switch off for the ablations).
    use_outliers : bool, optional
        Use the c term (default True).
    kernel_init : ndarray, optional
        Initial kernel k(0), nonnegative and summing to 1.  Default: the sweep
        :func:`~defocus_teach.kernel_init.initial_kernel` over apodised disks.  With the
        anchored prior it is checked against the data: when the likeliest kernel of the sweep
        within 3 px of its radius differs from it by a kernel error above 0.3, the loop
        starts from (and is anchored at) that kernel instead.  With
        ``kernel_prior="energy"`` the loop always starts from ``kernel_init``.
    callback : callable, optional
        Called after every outer iteration as ``callback(iteration, kernel, image)`` with the
        current kernel and the current sharp estimate on the bounding box (greyscale).
    preset : {"default", "paper"}, optional
        "paper" uses the paper's literal lam1 = 0.005, lam2 = (15 - 50 ||k0||) 1e5 and the
        threshold lam3 Lambda.
    channel_axis : int, optional
        Colour axis: the kernel and Lambda are estimated on the luminance, then every
        channel is deconvolved with that kernel.
    transform : str or TightFrame, optional
        The tight frame W of the prior (default: spline framelet); see
        :func:`defocus_teach.framelet.get_transform`.
    levels : int, optional
        Levels of a named transform (default 1).
    inner_iter, kernel_iter, final_iter : int, optional
        ADMM iterations per outer iteration (30), k-step iterations per outer iteration
        (300, cheap: see Notes), and ADMM iterations of the final u-step (150; at 100 the
        result was within 0.1 dB of 1000 iterations in our tests).
    kernel_projection : callable, optional
        Replaces P_Omega in the k-step: ``kernel_projection(kernel) -> kernel`` of the same
        shape.  It must return a nonnegative kernel of sum 1: a function that does not
        project (``lambda k: k``) lets the k-step diverge.  See the example below.
    kernel_prior : {"anchored", "energy"}, optional
        Energy prior of the k-step: ``"anchored"`` (default) is
        :math:`\\lambda_2 \\|k - k^{(0)}\\|_F^2` with 10 times the default lam2;
        ``"energy"`` is the paper's :math:`\\lambda_2 \\|k\\|_F^2` (the default of
        ``preset="paper"``), whose loop drifts away from the true kernel.
    estimation_pixels : int or None, optional
        A layer whose bounding box holds more pixels runs the outer loop on its most
        textured window of this many pixels
        (:func:`~defocus_teach.tiling.estimation_window`; default
        :data:`~defocus_teach.tiling.ESTIMATION_PIXELS`, 512 x 512).  None: always the
        whole layer.
    tile_size : int or None, optional
        A layer whose bounding box is wider or taller than this gets its final u-step in
        overlapping tiles of this side (:func:`~defocus_teach.tiling.tile_windows`;
        default :data:`~defocus_teach.tiling.TILE_SIZE`, 512), so that memory follows the
        tile.  None: one piece.
    progress : callable, optional
        Receives a message before each part of the final u-step (every tile and channel).
    sweep_mask : ndarray of bool, optional
        The pixels of the layer that the sweep of k(0) reads (and the check of a
        ``kernel_init`` against the data); default the whole layer.
        :func:`~defocus_teach.pipeline.all_in_focus` passes the core of an automatic layer
        here when the core reads less blur (:func:`~defocus_teach.layer_split.core_sweep`).

    Returns
    -------
    result : BlindResult
        ``.image``, ``.kernel``, ``.outliers``, ``.history`` and the parameters used.

    Notes
    -----
    Alg. 2 of the paper, with u initialised to f and c = 0; per outer iteration:

    1. u-step, eq. (8): ADMM, warm-started (:func:`~defocus_teach.u_step.deconvolve`);
    2. k-step, eq. (9): projected gradient with FISTA on the normal equations, built once
       per iteration in the 136-dimensional basis of D4 orbits
       (:func:`~defocus_teach.k_step.estimate_kernel`).  Its many cheap iterations reach the
       minimiser; with a few FFT-based iterations the kernel only crept towards it;
    3. c-step: after the first iteration the weights
       :math:`\\Lambda = \\exp(-500 |r|)`, :math:`r = \\alpha \\odot (k \\otimes u - f)`, are
       fixed; from the second on, :math:`c = \\mathrm{Th}(r; \\sqrt{2\\lambda_3\\Lambda})`.

    The k-step's prior [DEVIATION]: joint MAP estimation of u and k drifts towards sparse or
    no-blur kernels (Levin et al. 2009).  Started from the true kernel (3 images x {disk 4,
    disk 7, pupil 6 / 4.5}, noise 0.005), 20 outer iterations with the paper's prior
    :math:`\\lambda_2\\|k\\|^2` ended at a median kernel error of 0.26 (0 of 9 within 0.15);
    anchored at k(0), :math:`\\lambda_2\\|k - k^{(0)}\\|^2` with 10 times the data-scaled
    lam2, at 0.06 (9 of 9), and the PSNR rose from 26.57 to 26.96 dB (27.28 with the true
    kernel).  The anchor comes from a marginal-likelihood sweep of the data, which does not
    depend on u, so the bias of the joint estimate cannot move it.

    Defaults [DEVIATION, measured on synthetic scenes]: lam1 is 0.03 times the noise level (the
    paper's 0.005 over-smooths); lam2 = 0.01 s(k0) N_alpha Var_alpha(f), which scales with the
    data term (the paper's formula is 100 to 1000 times too large on [0, 1] images and flattens
    the kernel).  ``preset="paper"`` restores the paper's values.  For these and the package's
    other departures, each with its measurement, see the book's chapter *Where we depart from
    the paper*.

    The loop runs on the luminance of the layer's bounding box.  A final u-step of
    ``final_iter`` iterations then deconvolves every channel with the estimated kernel:
    a greyscale image is one channel (the luminance itself, warm-started from the loop);
    a colour channel first gets ``inner_iter`` iterations and its own outlier term c, with
    the weights Lambda of the luminance.

    Large layers [DEVIATION] (:mod:`defocus_teach.tiling`): the outer loop runs on the
    layer's most textured window of ``estimation_pixels``, and the final u-step on tiles.
    A tile starts afresh: its weights Lambda come from a first pass of ``inner_iter``
    iterations with k(0) on the luminance, as in the outer loop; then each channel gets
    ``inner_iter`` iterations with the final kernel, its c, and ``final_iter`` iterations.
    (Lambda from the tile's own final-kernel residual cost 1.6 dB on the benchmark scene
    astronaut-disk5-rgb with 64-pixel tiles; from the first pass, +0.06 dB.)  On a 384 x 384
    camera crop (disk of radius 7, 6 outer iterations), a 200 x 200 window gave a kernel
    error of 0.012 (0.030 on the whole crop), and 128-pixel tiles the same PSNR as one tile
    within 0.01 dB.  The benchmark's scenes (192 x 192) are below both limits.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (7), Alg. 2.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import blind_deconvolve, kernels, operators
    >>> sharp = data.camera()[64:192, 64:192] / 255.0
    >>> blurred = operators.blur(sharp, kernels.disk(3))
    >>> result = blind_deconvolve(blurred, kernel_size=15, n_iter=5, final_iter=100)
    >>> bool(kernels.kernel_error(result.kernel, kernels.disk(3)) < 0.3)
    True

    Any projection can replace P_Omega, e.g. symmetry and the simplex without low rank:

    >>> def symmetric_simplex(k):
    ...     return kernels.project_simplex(kernels.symmetrize(k))
    >>> result = blind_deconvolve(blurred, kernel_size=15, n_iter=3, final_iter=50,
    ...                           kernel_projection=symmetric_simplex)
    >>> bool(np.array_equal(result.kernel, result.kernel.T))
    True
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
    f = as_float_image(f, "f", channel_axis=channel_axis)
    channels = f[..., None] if channel_axis is None else np.moveaxis(f, channel_axis, -1)
    luminance = channels[..., 0] if channel_axis is None else rgb2gray(channels)
    mask = as_mask(mask, luminance.shape)
    kernel_size = check_odd_size(kernel_size, "kernel_size")
    if kernel_size > min(luminance.shape):
        raise ValueError(f"kernel_size {kernel_size} is larger than the image {luminance.shape}")
    iterations = dict(
        n_iter=n_iter, inner_iter=inner_iter, kernel_iter=kernel_iter, final_iter=final_iter
    )
    _check_iterations(**iterations)
    check_nonnegative(lam3, "lam3")
    if kernel_projection is not None and not callable(kernel_projection):
        raise TypeError(f"kernel_projection must be callable, got {kernel_projection!r}")
    transform = get_transform(transform, levels)

    report = progress if progress is not None else (lambda message: None)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable, got {progress!r}")
    pixels = (
        None
        if estimation_pixels is None
        else check_positive(estimation_pixels, "estimation_pixels", integer=True)
    )
    if tile_size is not None:
        check_positive(tile_size, "tile_size", integer=True)
    layer = _layer(mask, kernel_size, transform)
    luminance_box = luminance[layer.box]
    sweep = layer.mask
    if sweep_mask is not None:
        sweep = as_mask(sweep_mask, mask.shape, "sweep_mask")[layer.box] & layer.mask
        if not sweep.any():
            raise ValueError("sweep_mask must hold pixels of the layer (mask), it holds none")
    radius, kernel = _initial_kernel(luminance_box, sweep, kernel_size, kernel_init)
    settings = _settings(
        luminance_box, layer.mask, kernel, preset, (lam1, lam2, lam3),
        (use_symmetry, use_low_rank, use_outliers), transform, iterations, kernel_projection,
        kernel_prior,
    )  # fmt: skip
    if kernel_init is not None and settings.anchor is not None:
        settings, radius, kernel = _anchor_near(luminance_box, sweep, kernel, settings)
    estimation, window = _estimation_layer(luminance, mask, layer, kernel_size, transform, pixels)
    if window is not None:
        rows, cols = window
        report(f"kernel estimated on the most textured {rows.stop - rows.start} x "
               f"{cols.stop - cols.start} window of the layer")  # fmt: skip
    loop = _alternate(luminance[estimation.box], estimation, kernel, settings, callback)
    if _in_one_piece(layer, estimation, tile_size):
        report("final u-step")
        image, outliers = _final_u_step(channels, layer, loop, settings)
    else:
        side = tile_size or max(mask.shape)
        image, outliers = _tiled_u_step(
            channels, luminance, mask, (kernel, loop.kernel), settings, side, report
        )
    if channel_axis is None:
        image, outliers = image[..., 0], outliers[..., 0]
    else:
        image = np.moveaxis(image, -1, channel_axis)
        outliers = np.moveaxis(outliers, -1, channel_axis)
    lam = (settings.lam1, settings.lam2, settings.lam3)
    return BlindResult(image, loop.kernel, outliers, tuple(loop.history), radius, lam, kernel)
