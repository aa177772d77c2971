"""The initial disk: a radius sweep scored by the marginal likelihood."""

import numpy as np
import pytest
from skimage import color, data

from defocus_teach import LayerTooSmallError, initial_disk_kernel
from defocus_teach.kernel_init import periodic_component, sweep_scores
from defocus_teach.kernels import disk, gaussian_pupil
from defocus_teach.operators import blur
from defocus_teach.tile_spectra import radial_spectra

IMAGES = {
    "camera": data.camera()[50:306, 50:306] / 255.0,
    "astronaut": color.rgb2gray(data.astronaut())[50:306, 50:306],
    "coffee": color.rgb2gray(data.coffee())[50:306, 50:306],
}


@pytest.mark.parametrize("name", sorted(IMAGES))
@pytest.mark.parametrize(
    ("kernel", "radius", "noise"),
    [(disk(3), 3, 0.01), (disk(8), 8, 0.002), (gaussian_pupil(5, 5), 5, 0.005)],
    ids=["disk3", "disk8-low-noise", "pupil5"],
)
def test_sweep_finds_the_radius(name, kernel, radius, noise):
    rng = np.random.default_rng(0)
    blurred = blur(IMAGES[name], kernel) + noise * rng.standard_normal((256, 256))
    found, initial = initial_disk_kernel(blurred)
    assert abs(found - radius) <= 1.0
    assert initial.shape == (31, 31) and initial.sum() == pytest.approx(1.0)


def test_the_papers_residual_criterion_prefers_the_smallest_disk():
    blurred = blur(IMAGES["camera"], disk(6))
    radii, scores = sweep_scores(blurred, radii=[1, 3, 6, 9], criterion="residual")
    assert radii[np.argmin(scores)] == 1
    radii, scores = sweep_scores(blurred, radii=[1, 3, 6, 9])
    assert radii[np.argmin(scores)] == 6


def test_periodic_component_removes_the_border_jump():
    ramp = np.add.outer(np.linspace(0, 1, 64), np.zeros(64))
    periodic = periodic_component(ramp)
    assert abs(periodic[0, 5] - periodic[-1, 5]) < 0.1 * abs(ramp[0, 5] - ramp[-1, 5])


def test_a_thin_mask_raises_a_clear_error():
    mask = np.zeros((128, 128), bool)
    mask[:, :10] = True
    with pytest.raises(ValueError, match="too small or too thin"):
        initial_disk_kernel(np.zeros((128, 128)), mask)


def test_a_layer_without_a_square_raises_its_own_error():
    thin = np.zeros((128, 128), bool)
    thin[:, 50:70] = True  # 20 px wide: no 32 x 32 square
    with pytest.raises(LayerTooSmallError):
        initial_disk_kernel(IMAGES["camera"][:128, :128], thin)
    assert issubclass(LayerTooSmallError, ValueError)  # old `except ValueError` still works


def test_the_median_of_a_ring_ignores_a_texture_of_one_orientation():
    rng = np.random.default_rng(5)
    noise = rng.normal(0.5, 0.05, (64, 64))
    columns = np.arange(64)
    stripes = noise + 0.2 * np.sin(2 * np.pi * 0.25 * columns)[None, :]  # 0.25 cycles/px
    mean, median = (radial_spectra([stripes], 0.05, statistic=s) for s in ("mean", "median"))
    ring = int(np.argmin(np.abs(mean.frequency - 0.25)))
    assert mean.power[0, ring] > 10 * 0.05**2  # two strong frequencies set the ring's mean
    assert median.power[0, ring] == pytest.approx(0.05**2, rel=0.5)  # its median: the noise
    flat = radial_spectra([noise], 0.05, statistic="median")
    assert flat.power.mean() == pytest.approx(radial_spectra([noise], 0.05).power.mean(), rel=0.15)
    with pytest.raises(ValueError):
        radial_spectra([noise], statistic="max")


def test_radial_spectra_take_a_known_noise_level_or_estimate_it():
    rng = np.random.default_rng(4)
    tiles = [rng.normal(0.5, 0.05, (32, 32)) for _ in range(3)]
    assert radial_spectra(tiles).noise == pytest.approx(0.05, rel=0.15)  # estimated
    given = radial_spectra(tiles, noise=0.2)
    assert given.noise == 0.2
    assert np.array_equal(given.power, radial_spectra(tiles).power)  # only sigma changes
