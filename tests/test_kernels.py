"""Kernels of the paper's Fig. 4 and the feasible-set projection P_Omega (eqs. (4), (10))."""

import numpy as np
import pytest

from defocus_teach import kernels
from defocus_teach.kernels import (
    disk,
    effective_rank,
    gaussian,
    gaussian_pupil,
    kernel_error,
    low_rank,
    pad_kernel,
    project_feasible,
    project_simplex,
    symmetrize,
)


def _is_d4_symmetric(kernel):
    return (
        np.array_equal(kernel, kernel.T)
        and np.array_equal(kernel, kernel[::-1, :])
        and np.array_equal(kernel, kernel[:, ::-1])
    )


def _noisy_kernels(count=60, seed=0):
    """Disks and pupils plus noise of several levels, and some pure-noise matrices."""
    rng = np.random.default_rng(seed)
    for index in range(count):
        size = int(rng.choice([5, 15, 31]))
        if index % 4 == 0:
            yield rng.standard_normal((size, size))
            continue
        radius = rng.uniform(1, (size - 1) / 2)
        base = disk(radius, size) if index % 2 else gaussian_pupil(radius, 2 * radius, size)
        noise = rng.choice([1e-3, 1e-2, 1e-1]) / size
        yield base + noise * rng.standard_normal((size, size))


# --- Fig. 4 of the paper: its ranks 8 and 7 need binary disks, R = 11 and R = 11.5 ------


def test_fig4a_gaussian_has_rank_one():
    assert effective_rank(gaussian(9, 27)) == 1


def test_fig4b_binary_pillbox_radius_11_has_rank_8():
    assert effective_rank(disk(11, 23, antialias=False)) == 8


def test_fig4c_gaussian_pupil_has_rank_7():
    assert effective_rank(gaussian_pupil(11.5, 9, 23, antialias=False)) == 7


def test_binary_disk_ranks_for_radii_1_to_15():
    ranks = [effective_rank(disk(r, 31, antialias=False)) for r in range(1, 16)]
    assert ranks == [2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9, 10, 10]


@pytest.mark.parametrize("radius", [1, 2.5, 4, 6.3, 9, 12, 15])
def test_antialiased_disk_has_small_effective_but_higher_exact_rank(radius):
    kernel = disk(radius, 31)
    assert effective_rank(kernel) <= 10
    assert np.linalg.matrix_rank(kernel) >= effective_rank(kernel)


def test_antialiased_disk_pixel_values_are_areas():
    # A radius-1 circle has area pi; the centre pixel lies wholly inside it.
    kernel = disk(1.0, antialias=True)
    unnormalised = kernel / kernel.max()
    assert unnormalised.sum() == pytest.approx(np.pi, rel=3e-3)
    assert unnormalised[1, 1] == 1.0


@pytest.mark.parametrize(
    "kernel",
    [gaussian(2.0, 15), disk(4.5), disk(3, 11, antialias=False), gaussian_pupil(5, 3)],
    ids=["gaussian", "disk", "binary-disk", "pupil"],
)
def test_parametric_kernels_are_normalised_centred_and_symmetric(kernel):
    assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
    assert kernel.min() >= 0
    assert kernel.shape[0] % 2 == 1
    assert np.allclose(kernel, symmetrize(kernel), atol=1e-15)
    centre = kernel.shape[0] // 2
    assert kernel[centre, centre] == kernel.max()


def test_disk_default_size_is_tight_and_radius_zero_is_identity():
    assert disk(4.2).shape == (11, 11)
    assert np.array_equal(disk(0), [[1.0]])


# --- Symmetrisation and the feasible set ----------------------------------------------


def test_symmetrize_is_exactly_idempotent_and_invariant():
    kernel = np.random.default_rng(3).random((31, 31))
    once = symmetrize(kernel)
    assert _is_d4_symmetric(once)
    assert np.array_equal(symmetrize(once), once)


def test_symmetrize_is_the_orthogonal_projection():
    rng = np.random.default_rng(4)
    x, y = rng.random((9, 9)), rng.random((9, 9))
    # Self-adjoint: <P x, y> = <x, P y>, and the residual is orthogonal to the range.
    assert np.vdot(symmetrize(x), y) == pytest.approx(np.vdot(x, symmetrize(y)), rel=1e-12)
    assert np.vdot(x - symmetrize(x), symmetrize(y)) == pytest.approx(0, abs=1e-12)


def test_symmetric_range_has_dimension_136_for_31x31():
    rng = np.random.default_rng(5)
    samples = np.stack([symmetrize(rng.random((31, 31))).ravel() for _ in range(160)])
    assert np.linalg.matrix_rank(samples) == 136


@pytest.mark.parametrize("seed", range(3))
def test_project_feasible_output_is_feasible(seed):
    for kernel in _noisy_kernels(seed=seed):
        projected = project_feasible(kernel)
        assert projected.sum() == pytest.approx(1.0, abs=1e-9)
        assert projected.min() >= 0
        assert _is_d4_symmetric(projected)
        assert effective_rank(projected) <= effective_rank(symmetrize(kernel))


def test_project_feasible_keeps_a_feasible_kernel():
    kernel = gaussian(3, 31)
    assert np.abs(project_feasible(kernel) - kernel).max() <= 1e-12


def test_project_feasible_with_fixed_rank():
    noisy = disk(6, 21) + 1e-3 * np.random.default_rng(6).standard_normal((21, 21))
    assert effective_rank(project_feasible(noisy, rank=2)) <= 2


def test_project_feasible_switches_drop_their_constraint():
    noisy = disk(6, 21) + 1e-3 * np.random.default_rng(7).standard_normal((21, 21))
    no_symmetry = project_feasible(noisy, symmetric=False)
    assert not np.allclose(no_symmetry, no_symmetry.T)
    assert no_symmetry.sum() == pytest.approx(1.0) and no_symmetry.min() >= 0
    full_rank = project_feasible(noisy, low_rank=False)
    assert np.allclose(full_rank, project_simplex(symmetrize(noisy)))
    # On a strictly positive kernel clipping is inactive, so only the switch decides the rank.
    positive = gaussian(3.0, 15) + 1e-5 * np.random.default_rng(8).standard_normal((15, 15))
    assert np.linalg.matrix_rank(project_feasible(positive, low_rank=False), tol=1e-12) > 5
    assert np.linalg.matrix_rank(project_feasible(positive), tol=1e-12) <= 2
    assert np.allclose(full_rank, project_simplex(symmetrize(noisy)))


def test_project_simplex_matches_known_answer():
    assert np.allclose(project_simplex(np.array([0.5, 1.0, -0.2])), [0.25, 0.75, 0.0])
    assert np.allclose(project_simplex(np.array([0.2, 0.3])), [0.45, 0.55])


def test_low_rank_is_the_eckart_young_truncation():
    kernel = disk(7)
    singular = np.linalg.svd(kernel, compute_uv=False)
    for rank in (1, 2, 3):
        error = np.linalg.norm(kernel - low_rank(kernel, rank))
        assert error == pytest.approx(np.sqrt(np.sum(singular[rank:] ** 2)), rel=1e-9)
        assert np.linalg.matrix_rank(low_rank(kernel, rank), tol=1e-12) == rank


def test_kernel_error_ignores_sizes_and_integer_shifts():
    reference = disk(3)
    shifted = np.roll(pad_kernel(reference, 15), (1, -2), axis=(0, 1))
    assert kernel_error(shifted, reference) == pytest.approx(0, abs=1e-12)
    assert kernel_error(shifted, reference, centre=False) > 0.5
    assert kernel_error(disk(4), disk(3)) > 0.2


# --- Input validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: gaussian(0, 5), ValueError, "sigma"),
        (lambda: gaussian(1, 4), ValueError, "size"),
        (lambda: gaussian(1, 5.0), TypeError, "size"),
        (lambda: disk(-1), ValueError, "radius"),
        (lambda: symmetrize(np.ones((3, 5))), ValueError, "square"),
        (lambda: effective_rank(np.ones((4, 4))), ValueError, "odd"),
        (lambda: effective_rank(np.full((3, 3), np.nan)), ValueError, "NaN"),
        (lambda: project_feasible(np.ones((3, 3)), rank=0), ValueError, "rank"),
        (lambda: pad_kernel(disk(3), 5), ValueError, "size"),
        (lambda: low_rank("kernel", 1), TypeError, "kernel"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_module_exports_its_public_names():
    for name in kernels.__all__:
        assert callable(getattr(kernels, name))
