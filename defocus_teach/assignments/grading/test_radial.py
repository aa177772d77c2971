"""Autograder of the assignment "radial" (book chapter ``assignment_radial``).

Grades ``ring_labels`` and ``radial_projection`` of the module given by
:func:`defocus_teach.assignments.grading.load_target` (default: the starter
:mod:`defocus_teach.assignments.radial_kernel`).  Run with
``python -m defocus_teach.assignments grade radial``, or in a folder made by
:mod:`defocus_teach.assignments.make_student` with ``python -m pytest tests/test_radial.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data

from defocus_teach import blind_deconvolve, kernels, operators
from defocus_teach.assignments.grading import load_target

SIZES = (3, 9, 15)
WIDTHS = (0.5, 0.75, 1.0)
#: Kernel error of the blind test (with the paper's penalty, so that the projection is what
#: holds the kernel); the reference solution reaches about 0.21 and the paper's projection
#: onto Omega about 0.21 on the same problem.
BLIND_MAX_ERROR = 0.25


@pytest.fixture(scope="module")
def target():
    return load_target("radial")


def _rings(size: int, width: float) -> np.ndarray:
    """The ring labels of the contract (the grader's own copy)."""
    centre = size // 2
    rows, cols = np.indices((size, size))
    return np.rint(np.hypot(rows - centre, cols - centre) / width).astype(int)


def _noisy_kernels(size: int) -> list[np.ndarray]:
    """Kernels of any sign and sum: a noisy disk, a shifted Gaussian, pure noise."""
    rng = np.random.default_rng(size)
    noisy_disk = kernels.disk(size / 4, size) + 0.02 * rng.standard_normal((size, size))
    shifted = 3.0 * np.roll(kernels.gaussian(size / 6, size), (1, -2), axis=(0, 1))
    return [noisy_disk, shifted, rng.standard_normal((size, size))]


def _vertices(size: int, width: float) -> np.ndarray:
    """The extreme points of R_w cap Delta: one normalised ring indicator per ring."""
    rings = _rings(size, width)
    return np.stack([(rings == r) / np.sum(rings == r) for r in np.unique(rings)])


def test_ring_labels_are_rounded_distances(target):
    """ring_labels(m, w) is rint(distance to the centre / w) for m = 3, 9, 15, w = 0.5-1."""
    for size in SIZES:
        for width in WIDTHS:
            labels = np.asarray(target.ring_labels(size, width))
            assert labels.shape == (size, size)
            assert np.issubdtype(labels.dtype, np.integer), f"dtype {labels.dtype}"
            np.testing.assert_array_equal(labels, _rings(size, width))
    np.testing.assert_array_equal(target.ring_labels(15), _rings(15, 0.5))  # default w


def test_ring_labels_reject_bad_arguments(target):
    """ring_labels raises ValueError for an even or non-positive size or a width <= 0."""
    for size, width in [(4, 0.5), (0, 0.5), (-3, 0.5), (5, 0.0), (5, -1.0)]:
        with pytest.raises(ValueError):
            target.ring_labels(size, width)


def test_projection_is_nonnegative_with_unit_sum(target):
    """Output: same shape, nonnegative, sum 1 (to 1e-10); the input is not modified."""
    for size in SIZES:
        for kernel in _noisy_kernels(size):
            before = kernel.copy()
            projected = np.asarray(target.radial_projection(kernel), dtype=float)
            np.testing.assert_array_equal(kernel, before, err_msg="the input was modified")
            assert projected.shape == kernel.shape
            assert projected.min() >= 0.0
            assert abs(projected.sum() - 1.0) < 1e-10


def test_projection_is_constant_on_rings(target):
    """Pixels at the same rounded distance get the same value (1e-12), for w = 0.5-1."""
    for width in WIDTHS:
        for kernel in _noisy_kernels(15):
            projected = target.radial_projection(kernel, width)
            rings = _rings(15, width)
            for ring in np.unique(rings):
                values = projected[rings == ring]
                assert np.ptp(values) < 1e-12, f"ring {ring} of width {width} is not constant"


def test_projection_ignores_the_orientation_of_the_input(target):
    """Rotations by 90 degrees and flips change nothing; by 30-60 degrees < 10 %."""
    kernel = _noisy_kernels(15)[0]
    projected = target.radial_projection(kernel)
    for image in (np.rot90(kernel), kernel.T, kernel[::-1], kernel[:, ::-1]):
        np.testing.assert_allclose(target.radial_projection(image), projected, atol=1e-12)
    # An elongated kernel rotated by other angles: equal up to the ring discretisation
    # (the reference changes by 5-7 %; the 8 symmetries of the square alone, 14-19 %).
    rows, cols = np.indices((31, 31)) - 15
    elongated = np.exp(-(rows**2) / 50.0 - cols**2 / 12.5)
    elongated /= elongated.sum()
    reference = target.radial_projection(elongated)
    for angle in (30.0, 45.0, 60.0):
        rotated = ndi.rotate(elongated, angle, reshape=False, order=3)
        change = np.linalg.norm(target.radial_projection(rotated) - reference)
        relative = change / np.linalg.norm(reference)
        assert relative < 0.1, f"rotating by {angle} degrees changed it by {relative:.1%}"


def test_projection_is_idempotent(target):
    """Projecting twice gives the same kernel as projecting once (to 1e-12)."""
    for width in WIDTHS:
        for kernel in _noisy_kernels(15):
            once = target.radial_projection(kernel, width)
            np.testing.assert_allclose(target.radial_projection(once, width), once, atol=1e-12)


def test_projection_is_the_closest_radial_kernel(target):
    """Optimality: <k - P(k), v - P(k)> <= 1e-10 at every vertex v of the convex set."""
    # For a convex set C, p = P_C(k) iff p is in C and <k - p, x - p> <= 0 for all x in C;
    # the inner product is linear in x, so checking the vertices of C is enough.
    for width in WIDTHS:
        vertices = _vertices(15, width)
        for kernel in _noisy_kernels(15):
            projected = target.radial_projection(kernel, width)
            inner = np.einsum("vij,ij->v", vertices - projected, kernel - projected)
            assert inner.max() <= 1e-10, f"a kernel of the set is closer (by {inner.max():.3g})"


def test_projection_rejects_bad_kernels(target):
    """ValueError for non-square, even-sized, 1-D or non-finite kernels and width <= 0."""
    bad = [np.ones((5, 7)), np.ones((4, 4)), np.ones(5), np.full((3, 3), np.nan)]
    for kernel in bad:
        with pytest.raises(ValueError):
            target.radial_projection(kernel)
    with pytest.raises(ValueError):
        target.radial_projection(np.ones((5, 5)), 0.0)


def test_blind_deconvolve_recovers_a_disk_with_the_projection(target):
    """blind_deconvolve with it recovers a disk of radius 4: kernel error < 0.25."""
    sharp = data.camera()[40:136, 180:276] / 255.0
    truth = kernels.disk(4)
    noise = 0.01 * np.random.default_rng(0).standard_normal(sharp.shape)
    blurred = np.clip(operators.blur(sharp, truth) + noise, 0.0, 1.0)
    result = blind_deconvolve(
        blurred,
        kernel_size=15,
        n_iter=4,
        final_iter=10,
        kernel_projection=target.radial_projection,
        kernel_prior="energy",
    )
    rings = _rings(15, 0.5)
    assert all(np.ptp(result.kernel[rings == r]) < 1e-12 for r in np.unique(rings))
    error = kernels.kernel_error(result.kernel, truth)
    assert error < BLIND_MAX_ERROR, f"kernel error {error:.3f}"
