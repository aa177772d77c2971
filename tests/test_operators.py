"""Blur operators: agreement with scipy, adjoint identity, kernel gradient."""

import numpy as np
import pytest
from scipy import ndimage, signal

from defocus_teach.kernels import disk
from defocus_teach.operators import (
    BOUNDARIES,
    PeriodicGrid,
    blur,
    blur_adjoint,
    kernel_gradient,
    psf2otf,
)

NDIMAGE_MODES = {
    "symmetric": "reflect",
    "reflect": "mirror",
    "edge": "nearest",
    "constant": "constant",
    "periodic": "wrap",
}


@pytest.fixture
def image_and_kernel():
    rng = np.random.default_rng(0)
    kernel = rng.random((7, 5))  # not symmetric: catches flipped conventions
    return rng.random((23, 30)), kernel / kernel.sum()


@pytest.mark.parametrize("boundary", list(NDIMAGE_MODES))
def test_blur_equals_scipy_ndimage_convolve(image_and_kernel, boundary):
    image, kernel = image_and_kernel
    expected = ndimage.convolve(image, kernel, mode=NDIMAGE_MODES[boundary])
    np.testing.assert_allclose(blur(image, kernel, boundary), expected, atol=1e-13)


def test_valid_blur_equals_scipy_signal_convolve(image_and_kernel):
    image, kernel = image_and_kernel
    expected = signal.convolve2d(image, kernel, mode="valid")
    np.testing.assert_allclose(blur(image, kernel, "valid"), expected, atol=1e-13)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_adjoint_identity(image_and_kernel, boundary):
    image, kernel = image_and_kernel
    rng = np.random.default_rng(1)
    other = rng.standard_normal(blur(image, kernel, boundary).shape)
    lhs = np.vdot(blur(image, kernel, boundary), other)
    rhs = np.vdot(image, blur_adjoint(other, kernel, boundary))
    assert abs(lhs - rhs) <= 1e-10 * abs(lhs)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_kernel_gradient_equals_central_differences(image_and_kernel, boundary):
    image, kernel = image_and_kernel
    rng = np.random.default_rng(2)
    target = rng.random(blur(image, kernel, boundary).shape)
    mask = rng.random(target.shape) > 0.3

    def data_term(k):
        return 0.5 * np.sum((mask * blur(image, k, boundary) - target) ** 2)

    step = 1e-6
    numeric = np.zeros_like(kernel)
    for index in np.ndindex(kernel.shape):
        bump = np.zeros_like(kernel)
        bump[index] = step
        numeric[index] = (data_term(kernel + bump) - data_term(kernel - bump)) / (2 * step)
    analytic = kernel_gradient(image, kernel, target, mask, boundary)
    assert np.abs(analytic - numeric).max() <= 1e-6 * np.abs(numeric).max()


def test_psf2otf_of_a_delta_is_one_and_dc_is_the_sum():
    delta = np.zeros((5, 5))
    delta[2, 2] = 1.0
    np.testing.assert_allclose(psf2otf(delta, (16, 12)), 1.0, atol=1e-15)
    assert psf2otf(disk(3), (32, 32))[0, 0].real == pytest.approx(1.0)


def test_blur_preserves_the_mean_on_a_periodic_grid():
    image = np.random.default_rng(3).random((40, 40))
    assert blur(image, disk(4), "periodic").mean() == pytest.approx(image.mean(), rel=1e-12)


def test_periodic_grid_has_the_margin_and_a_fast_size():
    grid = PeriodicGrid.for_image((101, 77), margin=16, multiple=4)
    assert all(side % 4 == 0 for side in grid.shape)
    top, left = grid.offset
    assert top >= 16 and left >= 16
    assert grid.shape[0] - top - 101 >= 16 and grid.shape[1] - left - 77 >= 16
    image = np.random.default_rng(4).random((101, 77))
    embedded = grid.embed(image)
    assert np.array_equal(grid.crop(embedded), image)
    assert embedded.sum() == pytest.approx(image.sum())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: blur(np.ones((4, 4)), disk(3)), ValueError, "larger than the image"),
        (lambda: blur(np.ones((9, 9)), disk(1), "wrap"), ValueError, "boundary"),
        (lambda: blur(np.ones((9, 9, 3)), disk(1)), ValueError, "channel_axis"),
        (lambda: blur(np.full((9, 9), np.inf), disk(1)), ValueError, "NaN"),
        (lambda: blur(np.ones((9, 9)), np.ones((2, 2))), ValueError, "odd"),
        (lambda: kernel_gradient(np.ones((9, 9)), disk(1), np.ones((8, 8))), ValueError, "target"),
        (lambda: psf2otf(disk(5), (8, 8)), ValueError, "grid"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_integer_images_are_converted_like_skimage():
    image = np.full((12, 12), 255, dtype=np.uint8)
    np.testing.assert_allclose(blur(image, disk(1)), 1.0)
