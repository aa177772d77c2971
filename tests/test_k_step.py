"""The k-step, eq. (9) and Alg. 1: projected gradient onto the feasible set."""

import numpy as np
import pytest
from skimage import data

from defocus_teach import estimate_kernel
from defocus_teach.k_step import _fold, _normal_equations, _orbits, paper_lam2
from defocus_teach.kernels import disk, effective_rank, gaussian_pupil, kernel_error
from defocus_teach.operators import blur


@pytest.fixture(scope="module")
def sharp():
    return data.camera()[64:256, 128:320] / 255.0


@pytest.mark.parametrize("kernel", [disk(3), disk(6.5), gaussian_pupil(5, 4)], ids=str)
def test_kernel_is_recovered_from_the_true_sharp_image(sharp, kernel):
    noise = 0.002 * np.random.default_rng(0).standard_normal(sharp.shape)
    blurred = blur(sharp, kernel) + noise
    estimate = estimate_kernel(blurred, sharp, size=21, init=disk(2), lam=0.0)
    assert kernel_error(estimate, kernel) < 0.15


def test_estimate_is_in_the_feasible_set(sharp):
    blurred = blur(sharp, disk(4)) + 0.01 * np.random.default_rng(1).standard_normal(sharp.shape)
    estimate = estimate_kernel(blurred, sharp, size=21)
    assert estimate.sum() == pytest.approx(1.0, abs=1e-9)
    assert estimate.min() >= 0
    assert np.array_equal(estimate, estimate.T) and np.array_equal(estimate, estimate[::-1])
    assert effective_rank(estimate) <= 11  # at most (21 + 1) / 2 for a symmetric 21 x 21


def test_a_custom_projection_replaces_p_omega(sharp):
    blurred = blur(sharp, disk(3))
    calls = []

    def only_simplex(kernel):
        calls.append(kernel.shape)
        clipped = np.maximum(kernel, 0)
        return clipped / clipped.sum()

    estimate = estimate_kernel(blurred, sharp, size=11, projection=only_simplex, max_iter=20)
    assert calls and set(calls) == {(11, 11)}
    assert estimate.min() >= 0 and estimate.sum() == pytest.approx(1.0)


def test_orbit_folding_equals_the_pixel_basis():
    rng = np.random.default_rng(2)
    u, target = rng.random((60, 60)), rng.random((60, 60))
    weight = np.zeros((60, 60))
    weight[15:45, 12:48] = 1.0
    orbit = _normal_equations(u, weight, target * weight, 11, True, 10**6)
    pixel = _normal_equations(u, weight, target * weight, 11, False, 10**6)
    index, counts = _orbits(11)
    folding = np.zeros((121, counts.size))
    folding[np.arange(121), index.ravel()] = 1.0
    np.testing.assert_allclose(orbit.gram, folding.T @ pixel.gram @ folding, rtol=1e-12)
    np.testing.assert_allclose(orbit.rhs, folding.T @ pixel.rhs, rtol=1e-12)
    assert counts.size == 21 and counts.sum() == 121  # 6 * 7 / 2 orbits for 11 x 11


def test_fold_sums_each_orbit_once():
    patches = np.ones((1, 7, 7))
    folded = _fold(patches, 3)
    # orbit sizes: centre 1, axis points 4, diagonal points 4, others 8
    assert folded[0, 0, 0] == 1 and folded[0, 0, 2] == 4 and folded[0, 1, 1] == 4
    assert folded[0, 1, 2] == 8


def test_paper_lam2_is_negative_for_small_kernels():
    assert paper_lam2(disk(1)) < 0 < paper_lam2(disk(5))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"u": np.zeros((20, 20))}, ValueError, "shape"),
        ({"size": 8}, ValueError, "odd"),
        ({"size": 101}, ValueError, "larger"),
        ({"projection": "symmetric"}, TypeError, "projection"),
        ({"lam": -1.0}, ValueError, "lam"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, match):
    arguments = {"f": np.zeros((40, 40)), "u": np.zeros((40, 40)), "size": 9, **kwargs}
    with pytest.raises(error, match=match):
        estimate_kernel(**arguments)
