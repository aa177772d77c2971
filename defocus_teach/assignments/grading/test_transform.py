"""Autograder of the assignment "transform" (book chapter ``assignment_transform``).

Grades ``HaarFrame`` of the module given by
:func:`defocus_teach.assignments.grading.load_target` (default: the starter
:mod:`defocus_teach.assignments.tight_frame`).  Run with
``python -m defocus_teach.assignments grade transform``, or in a folder made by
:mod:`defocus_teach.assignments.make_student` with ``python -m pytest tests/test_transform.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

from defocus_teach import deconvolve, framelet, kernels, operators
from defocus_teach.assignments.grading import load_target

#: (levels, image shape): odd and even sides, since required_multiple is 1.
CASES = [(1, (16, 16)), (1, (31, 45)), (2, (24, 37)), (3, (33, 20))]
#: PSNR gain of the deconvolution test; the reference gains 4.5 dB (the framelet 3.7 dB).
MIN_GAIN_DB = 2.0


@pytest.fixture(scope="module")
def target():
    return load_target("transform")


def _psnr(image, reference):
    return peak_signal_noise_ratio(reference, image, data_range=1.0)


def _image(shape, seed=0):
    return np.random.default_rng(seed).random(shape)


def test_analysis_has_one_band_per_filter(target):
    """analysis(u) has shape (1 + 3 L, H, W) for L = 1-3 and odd or even sides."""
    for levels, shape in CASES:
        frame = target.HaarFrame(levels)
        assert frame.n_bands == 1 + 3 * levels
        coeffs = frame.analysis(_image(shape))
        assert coeffs.shape == (1 + 3 * levels, *shape)


def test_synthesis_inverts_analysis(target):
    """synthesis(analysis(u)) == u to 1e-12 (W^T W = I); u is not modified."""
    for levels, shape in CASES:
        frame = target.HaarFrame(levels)
        image = _image(shape, 1)
        before = image.copy()
        coeffs = frame.analysis(image)
        np.testing.assert_array_equal(image, before, err_msg="analysis modified u")
        np.testing.assert_allclose(frame.synthesis(coeffs), image, atol=1e-12)


def test_analysis_preserves_the_norm(target):
    """||W u|| == ||u|| (relative 1e-12): a Parseval frame."""
    for levels, shape in CASES:
        image = _image(shape, 2) - 0.5
        coeffs = target.HaarFrame(levels).analysis(image)
        assert np.isclose(np.linalg.norm(coeffs), np.linalg.norm(image), rtol=1e-12, atol=0)


def test_synthesis_is_the_adjoint_of_analysis(target):
    """<W u, c> == <u, W^T c> (relative 1e-12) for random u and random coefficients c."""
    rng = np.random.default_rng(3)
    for levels, shape in CASES:
        frame = target.HaarFrame(levels)
        image = rng.standard_normal(shape)
        coeffs = rng.standard_normal((frame.n_bands, *shape))
        before = coeffs.copy()
        left = np.vdot(frame.analysis(image), coeffs)
        right = np.vdot(image, frame.synthesis(coeffs))
        np.testing.assert_array_equal(coeffs, before, err_msg="synthesis modified coeffs")
        assert np.isclose(left, right, rtol=1e-12, atol=0), f"{left} != {right}"


def test_constant_image_lives_in_band_zero(target):
    """A constant image: band 0 equals the constant, every high-pass band is 0 (1e-12)."""
    for levels, shape in CASES:
        coeffs = target.HaarFrame(levels).analysis(np.full(shape, 0.3))
        np.testing.assert_allclose(coeffs[0], 0.3, atol=1e-12)
        np.testing.assert_allclose(coeffs[1:], 0.0, atol=1e-12)


def test_stripes_and_checkerboard_land_in_the_finest_bands(target):
    """(-1)^j, (-1)^i and (-1)^(i+j) fill only the 1st, 2nd, 3rd detail of level 1."""
    rows, cols = np.indices((12, 16))
    patterns = [(-1.0) ** cols, (-1.0) ** rows, (-1.0) ** (rows + cols)]
    for levels in (1, 2):
        frame = target.HaarFrame(levels)
        finest = frame.n_bands - 3  # level 1 is stored last: coarse to fine
        for offset, pattern in enumerate(patterns):
            coeffs = frame.analysis(pattern)
            energy = np.sum(coeffs**2, axis=(1, 2))
            expected = np.zeros(frame.n_bands)
            expected[finest + offset] = pattern.size
            np.testing.assert_allclose(energy, expected, atol=1e-9)


def test_wrong_shapes_raise_value_error(target):
    """analysis of a 1-D or 3-D array, synthesis with the wrong band count: ValueError."""
    frame = target.HaarFrame(2)
    with pytest.raises(ValueError):
        frame.analysis(np.ones(8))
    with pytest.raises(ValueError):
        frame.analysis(np.ones((2, 8, 8)))
    with pytest.raises(ValueError):
        frame.synthesis(np.ones((4, 8, 8)))  # 7 bands expected


def test_deconvolve_with_the_frame_improves_psnr(target):
    """deconvolve(..., transform=HaarFrame(1)) gains > 2 dB PSNR on a blurred crop."""
    frame = target.HaarFrame(1)
    assert isinstance(frame, framelet.TightFrame)
    sharp = data.camera()[100:164, 200:263] / 255.0  # 64 x 63: an odd side
    kernel = kernels.disk(3)
    noise = 0.002 * np.random.default_rng(0).standard_normal(sharp.shape)
    blurred = operators.blur(sharp, kernel) + noise
    restored = deconvolve(blurred, kernel, transform=frame, max_iter=100)
    assert restored.shape == sharp.shape
    gain = _psnr(restored, sharp) - _psnr(blurred, sharp)
    assert gain > MIN_GAIN_DB, f"PSNR gain {gain:.2f} dB"
