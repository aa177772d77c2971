"""Alg. 2 on one layer: recovery of a known kernel and image, the c term, feasibility."""

import numpy as np
import pytest
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

import defocus_teach.blind as blind_module
from defocus_teach import blind_deconvolve, deconvolve, layered_defocus
from defocus_teach.k_step import default_lam2
from defocus_teach.kernels import disk, effective_rank, kernel_error, pad_kernel
from defocus_teach.operators import blur
from defocus_teach.simulate import boundary_band, perturb_mask
from defocus_teach.u_step import default_lam1


def psnr(reference, image, where=None):
    if where is not None:
        reference, image = reference[where], image[where]
    return peak_signal_noise_ratio(reference, image, data_range=1.0)


@pytest.fixture(scope="module")
def sharp():
    return data.camera()[100:356, 150:406] / 255.0


@pytest.mark.parametrize("radius", [5, 8])
def test_blind_recovers_a_disk_kernel_and_the_image(sharp, radius):
    """Issue #3 acceptance: 256 x 256 crop, anti-aliased disk, noise 0.005."""
    kernel = disk(radius)
    noise = 0.005 * np.random.default_rng(radius).standard_normal(sharp.shape)
    blurred = blur(sharp, kernel) + noise
    result = blind_deconvolve(blurred)
    oracle = deconvolve(blurred, kernel, lam=default_lam1(blurred))
    assert kernel_error(result.kernel, kernel) <= 0.25
    assert psnr(sharp, result.image) >= psnr(sharp, blurred) + 4.0
    assert psnr(sharp, result.image) >= psnr(sharp, oracle) - 1.0


@pytest.fixture(scope="module")
def two_layer_scene(sharp):
    """A sharp disk-shaped foreground over a background blurred by a disk of radius 6."""
    rows, cols = np.mgrid[:256, :256]
    foreground = (rows - 128) ** 2 + (cols - 110) ** 2 < 70**2
    labels = foreground.astype(int)  # 0: background (far, blurred), 1: foreground (sharp)
    rng = np.random.default_rng(3)
    blurred, masks = layered_defocus(sharp, labels, [disk(6), np.ones((1, 1))], 0.005, rng)
    return blurred, masks


def test_the_c_term_absorbs_a_wrong_mask(sharp, two_layer_scene):
    """Issue #3 acceptance: mask wrong by 3 px; the c term gains >= 0.5 dB near the boundary."""
    blurred, masks = two_layer_scene
    background = masks[0]
    wrong = perturb_mask(background, 3)  # 3 px of the sharp foreground wrongly included
    band = boundary_band(masks, 10) & background
    options = {"n_iter": 8, "kernel_init": disk(6)}
    with_c = blind_deconvolve(blurred, wrong, use_outliers=True, **options)
    without_c = blind_deconvolve(blurred, wrong, use_outliers=False, **options)
    assert psnr(sharp, with_c.image, band) >= psnr(sharp, without_c.image, band) + 0.5
    assert np.count_nonzero(with_c.outliers) > 0
    assert np.all(with_c.outliers[~wrong] == 0)


@pytest.mark.parametrize(
    "options",
    [{}, {"use_symmetry": False}, {"use_low_rank": False}, {"use_outliers": False}],
    ids=["full", "no-symmetry", "no-low-rank", "no-c"],
)
def test_returned_kernel_is_feasible(sharp, options):
    blurred = blur(sharp[:128, :128], disk(3))
    result = blind_deconvolve(blurred, kernel_size=15, n_iter=3, final_iter=20, **options)
    kernel = result.kernel
    assert kernel.shape == (15, 15)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-6) and kernel.min() >= 0
    if options.get("use_symmetry", True):
        assert np.array_equal(kernel, kernel.T) and np.array_equal(kernel, kernel[::-1])
    if options.get("use_low_rank", True):
        assert effective_rank(kernel) <= 8
    assert len(result.history) == 3
    assert all(record.seconds >= 0 for record in result.history)


def test_callback_sees_every_iteration(sharp):
    seen = []
    blind_deconvolve(
        blur(sharp[:96, :96], disk(2)),
        kernel_size=9,
        n_iter=3,
        final_iter=10,
        callback=lambda i, kernel, image: seen.append((i, kernel.shape, image.shape)),
    )
    assert [item[0] for item in seen] == [0, 1, 2]
    assert seen[0][1] == (9, 9)


def test_colour_uses_one_kernel_for_all_channels(sharp):
    grey = blur(sharp[:128, :128], disk(3))
    colour = np.stack([grey, 0.8 * grey, 0.6 * grey + 0.2], axis=-1)
    result = blind_deconvolve(colour, kernel_size=15, n_iter=3, final_iter=30, channel_axis=-1)
    assert result.image.shape == colour.shape and result.kernel.shape == (15, 15)
    assert np.abs(result.image[..., 1] - 0.8 * result.image[..., 0]).max() < 0.05


def test_the_paper_preset_uses_the_papers_values(sharp):
    result = blind_deconvolve(
        blur(sharp[:128, :128], disk(4)), preset="paper", kernel_size=15, n_iter=1, final_iter=5
    )
    assert result.lam[0] == 0.005 and result.lam[1] > 1e5


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"f": np.full((64, 64), np.inf)}, ValueError, "NaN"),
        ({"mask": np.ones((10, 10), bool)}, ValueError, "mask must have shape"),
        ({"mask": np.zeros((64, 64), bool)}, ValueError, "empty"),
        ({"f": np.zeros((20, 20))}, ValueError, "larger than the image"),
        ({"f": np.zeros((64, 64, 4)), "channel_axis": -1}, ValueError, "alpha"),
        ({"preset": "fast"}, ValueError, "preset"),
        ({"n_iter": 0}, ValueError, "n_iter"),
        ({"kernel_projection": "simplex"}, TypeError, "kernel_projection"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, match):
    arguments = {"f": np.zeros((64, 64)), **kwargs}
    with pytest.raises(error, match=match):
        blind_deconvolve(**arguments)


def test_blind_uses_the_packages_shared_default_weights(sharp):
    """lam1 and lam2 default to the same rules as deconvolve and estimate_kernel.

    The anchored prior (the default) scales lam2 by blind._ANCHOR_SCALE; the paper's energy
    prior uses default_lam2 as it is.
    """
    crop = sharp[:96, :96]
    noise = 0.005 * np.random.default_rng(9).standard_normal(crop.shape)
    blurred = blur(crop, disk(3)) + noise
    options = {"n_iter": 1, "inner_iter": 5, "kernel_iter": 5, "final_iter": 5}
    result = blind_deconvolve(blurred, kernel_size=15, kernel_init=disk(3), **options)
    full = np.ones(crop.shape, bool)
    assert result.lam[0] == default_lam1(blurred)
    lam2 = default_lam2(blurred, full, pad_kernel(disk(3), 15))
    assert result.lam[1] == pytest.approx(blind_module._ANCHOR_SCALE * lam2)
    energy = blind_deconvolve(
        blurred, kernel_size=15, kernel_init=disk(3), kernel_prior="energy", **options
    )
    assert energy.lam[1] == pytest.approx(lam2)
    assert result.lam[0] == pytest.approx(0.03 * 0.005, rel=0.15)  # noise-scaled
