"""The u-step's fused ADMM against a plain reference iteration, stacks and float32."""

import numpy as np
import pytest
from scipy import fft
from skimage import data

from defocus_teach import deconvolve, u_step
from defocus_teach.framelet import SplineFramelet, StationaryWavelet
from defocus_teach.kernels import disk
from defocus_teach.operators import PeriodicGrid, blur, psf2otf
from defocus_teach.u_step import _admm, _default_rho, _initial_state, _start_image


def reference_admm(u0, target, weight, otf, transform, lam, rho, max_iter, tol):
    """Eq. (8) by ADMM written plainly: every variable a fresh array, d stored.

    The splits z = k * u and d = W u with scaled duals b1, b2; the iteration the package's
    fused solver must reproduce.
    """
    rho1, rho2 = rho
    shape = target.shape
    z = fft.irfft2(fft.rfft2(u0) * otf, s=shape)
    b1 = np.zeros_like(u0)
    d = transform.analysis(u0)
    b2 = np.zeros_like(d)
    u_old = u0
    denominator = rho1 * np.abs(otf) ** 2 + rho2
    for iteration in range(max_iter):
        rhs = rho1 * np.conj(otf) * fft.rfft2(z - b1)
        rhs += rho2 * fft.rfft2(transform.synthesis(d - b2))
        spectrum = rhs / denominator
        u = fft.irfft2(spectrum, s=shape)
        v = fft.irfft2(spectrum * otf, s=shape) + b1
        z = (weight * target + rho1 * v) / (weight + rho1)
        e = transform.analysis(u) + b2
        d = e.copy()
        d[1:] = e[1:] - np.clip(e[1:], -lam / rho2, lam / rho2)  # soft threshold
        b1 = v - z
        b2 = e - d
        change = np.sqrt(np.sum((u - u_old) ** 2) / max(np.sum(u_old**2), 1e-24))
        u_old = u
        if iteration > 0 and change < tol:
            break
    return u_old


def reference_deconvolve(f, kernel, mask, lam, transform, max_iter, tol, outliers=None):
    """:func:`deconvolve`'s set-up (grid, start, data) with :func:`reference_admm`."""
    grid = PeriodicGrid.for_image(f.shape, max(kernel.shape) // 2 + 1)
    weight = grid.embed(mask.astype(float))
    data = np.where(mask, f + (0.0 if outliers is None else outliers), 0.0)
    otf = psf2otf(kernel, grid.shape)
    u0 = _start_image(data, mask, grid)
    u = reference_admm(
        u0, grid.embed(data), weight, otf, transform, lam, _default_rho(lam), max_iter, tol
    )
    return grid.crop(u)


@pytest.fixture(scope="module")
def blurred():
    sharp = data.camera()[100:180, 200:290] / 255.0
    noise = 0.005 * np.random.default_rng(0).standard_normal(sharp.shape)
    return blur(sharp, disk(3)) + noise


def relative_error(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.fixture
def in_float64(monkeypatch):
    """Run :func:`deconvolve`'s ADMM in float64, where it must equal the reference."""
    monkeypatch.setattr(u_step, "_ADMM_DTYPE", np.float64)


@pytest.mark.parametrize("levels", [1, 2])
@pytest.mark.parametrize("masked", [False, True])
def test_deconvolve_reproduces_the_reference_iteration(blurred, levels, masked, in_float64):
    mask = np.ones(blurred.shape, bool)
    if masked:
        mask[20:45, 30:70] = False
    outliers = 0.02 * np.random.default_rng(1).standard_normal(blurred.shape)
    kwargs = {"lam": 3e-4, "max_iter": 80, "tol": 1e-5}
    result = deconvolve(blurred, disk(3), mask, outliers, levels=levels, **kwargs)
    expected = reference_deconvolve(
        blurred, disk(3), mask, 3e-4, SplineFramelet(levels), 80, 1e-5, outliers
    )
    assert result.dtype == np.float64
    assert relative_error(result, expected) < 1e-8


def test_another_frame_runs_the_same_iteration(blurred, in_float64):
    f = blurred[:64, :64]  # the wavelet needs even sides: the grid of 64 + 2 * 4 is 72
    wavelet = StationaryWavelet("db2", 1)
    result = deconvolve(f, disk(3), lam=3e-4, transform=wavelet, max_iter=40)
    expected = reference_deconvolve(f, disk(3), np.ones(f.shape, bool), 3e-4, wavelet, 40, 1e-4)
    assert relative_error(result, expected) < 1e-8


def test_the_fused_solver_stops_where_the_reference_stops(blurred, in_float64):
    counts = []
    mask = np.ones(blurred.shape, bool)
    result = deconvolve(
        blurred, disk(3), lam=3e-4, tol=1e-3, callback=lambda i, o: counts.append(i)
    )
    assert 2 < len(counts) < 300  # stopped by the tolerance, not by max_iter
    expected = reference_deconvolve(blurred, disk(3), mask, 3e-4, SplineFramelet(1), 300, 1e-3)
    assert relative_error(result, expected) < 1e-8
    shorter = reference_deconvolve(
        blurred, disk(3), mask, 3e-4, SplineFramelet(1), len(counts) - 1, 1e-3
    )
    assert relative_error(result, shorter) > 1e-6  # one iteration less is seen


def _problem(images, kernel):
    grid = PeriodicGrid.for_image(images.shape[-2:], max(kernel.shape) // 2 + 1)
    mask = np.ones(images.shape[-2:], bool)
    target = np.stack([grid.embed(image) for image in images])
    start = np.stack([_start_image(image, mask, grid) for image in images])
    return start, target, grid.embed(mask.astype(float)), psf2otf(kernel, grid.shape)


def test_a_stack_equals_its_images_solved_one_by_one(blurred):
    # Three channels that converge at different iterations: each stops on its own.
    images = np.stack([blurred, 0.5 * blurred[::-1] + 0.2, blurred[:, ::-1] ** 2])
    start, target, weight, otf = _problem(images, disk(3))
    transform, lam, tol = SplineFramelet(1), 3e-4, 2e-3
    rho = _default_rho(lam)
    stacked = _admm(
        _initial_state(start, otf, transform), target, weight, otf, transform, lam, rho, 200, tol
    )
    counts = []
    for channel in range(3):
        iterations = []
        alone = _admm(
            _initial_state(start[channel], otf, transform),
            target[channel],
            weight,
            otf,
            transform,
            lam,
            rho,
            200,
            tol,
            lambda i, o, seen=iterations: seen.append(i),
        )
        counts.append(len(iterations))
        np.testing.assert_allclose(stacked.u[channel], alone.u, rtol=0, atol=1e-10)
        np.testing.assert_allclose(stacked.b2[channel], alone.b2, rtol=0, atol=1e-10)
    assert len(set(counts)) > 1  # the channels did stop at different iterations


def test_float32_stays_close_to_float64(blurred):
    start, target, weight, otf = _problem(blurred[np.newaxis], disk(3))
    transform, lam = SplineFramelet(1), 3e-4
    runs = {}
    for dtype in (np.float32, np.float64):
        state = _initial_state(start[0].astype(dtype), otf, transform)
        runs[dtype] = _admm(
            state, target[0], weight, otf, transform, lam, _default_rho(lam), 100, 0.0
        ).u
    assert runs[np.float32].dtype == np.float32
    # float32 rounding (6e-8 relative) accumulated over 100 iterations stays far below the
    # 1/255 of an 8-bit grey level.
    assert np.abs(runs[np.float32] - runs[np.float64]).max() < 1e-4


def test_deconvolve_in_float32_stays_close_to_the_float64_reference(blurred):
    assert u_step._ADMM_DTYPE == np.float32  # the precision deconvolve runs the ADMM in
    mask = np.ones(blurred.shape, bool)
    result = deconvolve(blurred, disk(3), lam=3e-4, max_iter=150, tol=1e-9)
    expected = reference_deconvolve(blurred, disk(3), mask, 3e-4, SplineFramelet(1), 150, 1e-9)
    assert result.dtype == np.float64
    assert relative_error(result, expected) < 1e-5


def test_colour_is_float64_whatever_the_solver_precision(blurred):
    colour = np.stack([blurred, blurred[::-1], blurred], -1)
    result = deconvolve(colour, disk(3), lam=3e-4, max_iter=10, channel_axis=-1)
    assert result.dtype == np.float64 and result.shape == colour.shape
