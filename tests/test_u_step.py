"""The u-step, eq. (8): ADMM non-blind deconvolution."""

import numpy as np
import pytest
from skimage import data
from skimage.color import rgb2gray
from skimage.metrics import peak_signal_noise_ratio
from skimage.restoration import estimate_sigma

from defocus_teach import deconvolve
from defocus_teach.framelet import StationaryWavelet
from defocus_teach.kernels import disk
from defocus_teach.operators import blur
from defocus_teach.u_step import default_lam1


@pytest.fixture(scope="module")
def problem():
    sharp = data.camera()[96:224, 160:288] / 255.0
    noise = 0.005 * np.random.default_rng(0).standard_normal(sharp.shape)
    return sharp, blur(sharp, disk(4)) + noise


def psnr(reference, image):
    return peak_signal_noise_ratio(reference, image, data_range=1.0)


def test_admm_objective_is_non_increasing(problem):
    _, blurred = problem
    objectives = []
    deconvolve(
        blurred,
        disk(4),
        lam=2e-4,
        max_iter=150,
        tol=1e-9,
        callback=lambda i, o: objectives.append(o),
    )
    objectives = np.array(objectives)
    rises = np.diff(objectives) / objectives[1:]
    assert rises.max() <= 1e-3
    assert objectives[-1] < 0.5 * objectives[0]


def test_deconvolution_recovers_detail(problem):
    sharp, blurred = problem
    restored = deconvolve(blurred, disk(4), max_iter=150)
    assert psnr(sharp, restored) >= psnr(sharp, blurred) + 4.0


def test_a_delta_kernel_and_tiny_weight_return_the_data():
    image = np.random.default_rng(1).random((40, 40))
    delta = np.ones((1, 1))
    restored = deconvolve(image, delta, lam=1e-8, max_iter=200, tol=1e-10)
    np.testing.assert_allclose(restored, image, atol=1e-3)


def test_pixels_outside_the_mask_are_ignored(problem):
    _, blurred = problem
    mask = np.ones(blurred.shape, bool)
    mask[40:60, 40:60] = False
    results = []
    for garbage in (0.0, 1.0):  # whatever the masked-out pixels hold
        corrupted = blurred.copy()
        corrupted[~mask] = garbage
        # lam given: the default's noise estimate looks at the mask's whole bounding box
        results.append(deconvolve(corrupted, disk(4), mask=mask, lam=2e-4, max_iter=60))
    np.testing.assert_allclose(results[0], results[1], atol=1e-12)
    unmasked = deconvolve(np.where(mask, blurred, 1.0), disk(4), lam=2e-4, max_iter=60)
    assert np.abs(unmasked - results[0]).max() > 0.1  # without the mask the garbage matters


def test_outliers_are_subtracted_from_the_data(problem):
    _, blurred = problem
    shift = np.full(blurred.shape, 0.1)
    # Data f + c with c = -0.1 gives the same result as data f - 0.1.
    a = deconvolve(blurred, disk(4), outliers=-shift, max_iter=50)
    b = deconvolve(blurred - 0.1, disk(4), max_iter=50)
    np.testing.assert_allclose(a, b, atol=1e-10)


def test_colour_equals_per_channel_grey(problem):
    _, blurred = problem
    colour = np.stack([blurred, blurred[::-1], blurred.T], axis=-1)
    result = deconvolve(colour, disk(4), max_iter=30, channel_axis=-1)
    lam = default_lam1(rgb2gray(colour))  # the documented default: from the luminance
    for channel in range(3):
        expected = deconvolve(colour[..., channel], disk(4), lam=lam, max_iter=30)
        np.testing.assert_allclose(result[..., channel], expected, atol=1e-12)


def test_a_wavelet_transform_can_replace_the_framelet(problem):
    sharp, blurred = problem
    restored = deconvolve(blurred, disk(4), transform=StationaryWavelet("db2", 1), max_iter=150)
    assert psnr(sharp, restored) >= psnr(sharp, blurred) + 3.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"f": np.full((32, 32), np.nan)}, ValueError, "NaN"),
        ({"mask": np.ones((10, 10), bool)}, ValueError, "mask must have shape"),
        ({"mask": np.zeros((32, 32), bool)}, ValueError, "empty"),
        ({"kernel": disk(20)}, ValueError, "larger than the image"),
        ({"lam": -1.0}, ValueError, "lam"),
        ({"transform": "curvelet"}, ValueError, "transform"),
        ({"f": np.zeros((32, 32, 4)), "channel_axis": -1}, ValueError, "alpha"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, match):
    arguments = {"f": np.zeros((32, 32)), "kernel": disk(2), **kwargs}
    with pytest.raises(error, match=match):
        deconvolve(**arguments)


def test_default_lam1_is_the_noise_scaled_rule(problem):
    _, blurred = problem
    # 0.03 x skimage's estimate on the whole image, and the default of deconvolve
    assert default_lam1(blurred) == pytest.approx(0.03 * estimate_sigma(blurred), rel=1e-12)
    a = deconvolve(blurred, disk(4), max_iter=20)
    b = deconvolve(blurred, disk(4), lam=default_lam1(blurred), max_iter=20)
    np.testing.assert_array_equal(a, b)
    full = np.ones(blurred.shape, bool)
    assert default_lam1(blurred, full) == default_lam1(blurred)


def test_default_lam1_estimates_the_noise_on_the_masks_bounding_box():
    rng = np.random.default_rng(5)
    image = 0.5 + 0.01 * rng.standard_normal((96, 96))
    mask = np.zeros(image.shape, bool)
    mask[10:50, 20:70] = True
    elsewhere = np.where(mask, image, 0.5 + 0.05 * rng.standard_normal(image.shape))
    expected = 0.03 * estimate_sigma(image[10:50, 20:70])
    assert default_lam1(elsewhere, mask) == pytest.approx(expected, rel=1e-12)
    assert default_lam1(elsewhere, mask) == pytest.approx(0.03 * 0.01, rel=0.1)
    assert default_lam1(elsewhere) > 3 * default_lam1(elsewhere, mask)  # the box matters


def test_default_lam1_of_a_noiseless_image_is_the_floor():
    assert default_lam1(np.full((32, 32), 0.25)) == 2e-5  # estimate_sigma gives nan here
    u = deconvolve(np.full((32, 32), 0.25), disk(2), max_iter=20)
    np.testing.assert_allclose(u, 0.25, atol=1e-6)


def test_default_lam1_of_a_flat_image_is_the_floor_without_a_warning():
    """A flat image has no nonzero wavelet coefficient: estimate_sigma returns nan (and
    numpy warns of an empty mean); the rule falls back to its floor, silently."""
    import warnings

    from defocus_teach.u_step import _LAM1_FLOOR, default_lam1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert default_lam1(np.zeros((32, 32))) == _LAM1_FLOOR
        assert default_lam1(np.full((32, 32), 0.5)) == _LAM1_FLOOR
