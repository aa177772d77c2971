"""Defocus map (Zhuo & Sim 2011, calibrated to disk radii) and its segmentation into layers."""

import numpy as np
import pytest
from skimage import color, data

from defocus_teach.defocus_map import disk_calibration, estimate_defocus_map
from defocus_teach.kernels import disk
from defocus_teach.operators import blur
from defocus_teach.segmentation import choose_thresholds, layer_radii, segment_layers


def block_texture(shape, block, seed):
    """Random grey blocks: step edges in both directions, with a known sharp structure."""
    rng = np.random.default_rng(seed)
    levels = rng.uniform(0.1, 0.9, (shape[0] // block + 1, shape[1] // block + 1))
    return np.kron(levels, np.ones((block, block)))[: shape[0], : shape[1]]


def iou(a, b):
    return np.logical_and(a, b).sum() / np.logical_or(a, b).sum()


@pytest.fixture(scope="module")
def halves():
    """Left half sharp, right half blurred by a disk of radius 4 (symmetric boundary)."""
    sharp = block_texture((128, 256), 16, seed=0)
    image = sharp.copy()
    image[:, 128:] = blur(sharp, disk(4), boundary="symmetric")[:, 128:]
    right = np.zeros(image.shape, dtype=bool)
    right[:, 128:] = True
    return image, right


@pytest.fixture(scope="module")
def halves_map(halves):
    return estimate_defocus_map(halves[0], return_edges=True)


# --- defocus map ---------------------------------------------------------------------------


def test_halves_map_measures_disk_radius_4_right_and_sharp_left(halves, halves_map):
    _, right = halves
    radius, _ = halves_map
    assert np.median(radius[right]) == pytest.approx(4.0, rel=0.3)
    assert np.median(radius[~right]) < 1.5


@pytest.mark.parametrize("propagation", ["guided", "laplacian"])
def test_both_propagations_agree_on_halves(halves, propagation):
    image, right = halves
    radius = estimate_defocus_map(image, propagation=propagation)
    assert radius.shape == image.shape and radius.dtype == np.float64
    assert np.median(radius[right]) == pytest.approx(4.0, rel=0.3)
    assert np.median(radius[~right]) < 1.5


def test_estimate_increases_with_disk_radius():
    sharp = block_texture((96, 96), 24, seed=3)
    medians = [np.median(estimate_defocus_map(blur(sharp, disk(r)))) for r in (2, 4, 6)]
    assert medians[0] < medians[1] < medians[2]
    np.testing.assert_allclose(medians, [2, 4, 6], rtol=0.3)


def test_edge_estimate_does_not_depend_on_contrast():
    # A circle of another size than the calibration scene, at two contrasts: the gradient
    # ratio cancels the edge amplitude, and the calibration gives back the disk radius.
    rows, cols = np.mgrid[:101, :101] - 50
    circle = (rows**2 + cols**2 <= 30**2).astype(float)
    estimates = []
    for contrast in (0.3, 0.9):
        image = blur(0.05 + contrast * circle, disk(3))
        _, edges = estimate_defocus_map(image, return_edges=True)
        estimates.append(np.nanmedian(edges))
    np.testing.assert_allclose(estimates, 3.0, rtol=0.1)
    assert estimates[0] == pytest.approx(estimates[1], rel=0.05)


def test_calibration_table_is_increasing_from_zero_to_max_blur():
    sigmas, radii = disk_calibration(max_blur=12.0)
    assert radii[0] == 0.0 and radii[-1] == 12.0
    assert np.all(np.diff(sigmas) > 0) and np.all(np.diff(radii) > 0)
    # A disk is wider than a Gaussian of the same reading: R > sigma beyond the pixel scale.
    assert np.all(radii[radii >= 2] > sigmas[radii >= 2])


def test_sparse_map_is_nan_off_edges_and_within_range(halves_map):
    radius, edges = halves_map
    on_edges = np.isfinite(edges)
    assert 0.02 < on_edges.mean() < 0.5
    assert edges[on_edges].min() >= 0 and edges[on_edges].max() <= 15
    assert radius.min() >= 0 and radius.max() <= 15


def test_colour_image_equals_its_rgb2gray():
    rgb = data.chelsea()[100:180, 150:250]
    np.testing.assert_array_equal(
        estimate_defocus_map(rgb, channel_axis=-1),
        estimate_defocus_map(color.rgb2gray(rgb)),
    )


def test_input_is_not_mutated(halves):
    image = halves[0].copy()
    estimate_defocus_map(image)
    np.testing.assert_array_equal(image, halves[0])


def test_chelsea_map_is_finite_and_the_face_is_in_the_sharp_layer():
    radius = estimate_defocus_map(data.chelsea(), channel_axis=-1)
    assert radius.shape == (300, 451)
    assert np.all(np.isfinite(radius)) and radius.min() >= 0
    masks = segment_layers(radius, n_layers=2)
    assert len(masks) == 2
    face = masks[0][120:200, 180:280]  # nose and muzzle, in the middle of the picture
    assert face.mean() > 0.95
    assert masks[1][100:250, 420:].mean() > 0.8  # the blurred background on the right
    sharp, blurred = layer_radii(radius, masks)
    assert sharp < 1.5 < blurred


# --- segmentation --------------------------------------------------------------------------


def test_two_level_map_segments_into_the_halves(halves, halves_map):
    _, right = halves
    for n_layers in (2, None):
        masks = segment_layers(halves_map[0], n_layers=n_layers)
        assert len(masks) == 2
        assert iou(masks[0], ~right) > 0.9 and iou(masks[1], right) > 0.9


def test_explicit_thresholds_give_a_partition_ordered_sharp_to_blurry():
    radius = np.tile(np.linspace(0, 6, 120), (40, 1))  # blur grows left to right
    masks = segment_layers(radius, thresholds=[1.0, 3.0], min_size=0)
    assert len(masks) == 3
    np.testing.assert_array_equal(np.sum(masks, axis=0), 1)  # every pixel in one layer
    np.testing.assert_array_equal(masks[0], radius < 1.0)
    np.testing.assert_array_equal(masks[2], radius >= 3.0)
    radii = layer_radii(radius, masks)
    assert radii[0] < radii[1] < radii[2]


def test_small_components_merge_into_the_surrounding_layer():
    radius = np.zeros((64, 64))
    radius[10:13, 10:13] = 5.0  # 9 px speck inside the sharp layer
    radius[30:60, 30:60] = 5.0  # 900 px blurred block
    radius[40:44, 40:44] = 0.0  # 16 px hole in the block
    masks = segment_layers(radius, thresholds=[2.0], min_size=50)
    expected_blurred = np.zeros((64, 64), dtype=bool)
    expected_blurred[30:60, 30:60] = True
    np.testing.assert_array_equal(masks[1], expected_blurred)
    np.testing.assert_array_equal(masks[0], ~expected_blurred)


def test_automatic_choice_finds_three_clear_levels_but_two_in_a_ramp():
    three = np.repeat([0.2, 3.0, 8.0], 30)[None, :].repeat(30, axis=0)
    rng = np.random.default_rng(0)
    three = three + 0.05 * rng.random(three.shape)
    assert len(segment_layers(three, min_size=0)) == 3
    ramp = np.tile(np.linspace(0, 6, 90), (30, 1))
    assert len(choose_thresholds(ramp)) == 1  # no clear third mode: 2 layers


def test_in_focus_threshold_fixes_layer_zero():
    radius = np.tile(np.linspace(0, 6, 120), (40, 1))
    masks = segment_layers(radius, n_layers=3, in_focus_threshold=0.5, min_size=0)
    np.testing.assert_array_equal(masks[0], radius < 0.5)
    assert len(masks) == 3 and layer_radii(radius, masks)[1] < layer_radii(radius, masks)[2]


def test_empty_layers_are_dropped_with_thresholds_but_n_layers_raises():
    radius = np.zeros((20, 20))
    radius[:, 10:] = 2.0
    assert len(segment_layers(radius, thresholds=[1.0, 5.0], min_size=0)) == 2
    with pytest.raises(ValueError, match="distinct value"):
        segment_layers(radius, n_layers=3)
    with pytest.raises(ValueError, match="non-empty layer"):
        segment_layers(radius, n_layers=2, min_size=1000)


def test_a_map_constant_up_to_rounding_is_one_defocused_layer():
    # Every pixel at the top of the range, give or take the last bits of a float: numpy
    # cannot histogram it into 256 bins, so Otsu must not be asked to split it.
    rng = np.random.default_rng(0)
    radius = 14.0 + rng.integers(0, 3, (40, 40)) * np.spacing(14.0)
    assert np.unique(radius).size > 2
    np.testing.assert_array_equal(choose_thresholds(radius), [1.5])
    masks = segment_layers(radius, min_size=0)
    assert len(masks) == 2 and not masks[0].any() and masks[1].all()
    with pytest.raises(ValueError, match="distinct value"):
        choose_thresholds(radius, n_layers=2)


def test_layer_radii_are_the_medians():
    radius = np.arange(16.0).reshape(4, 4)
    masks = [radius < 5, radius >= 5]
    assert layer_radii(radius, masks) == [2.0, 10.0]


# --- input validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"image": np.zeros((4, 8, 8))}, ValueError, "2-D"),
        ({"image": np.full((32, 32), np.nan)}, ValueError, "NaN"),
        ({"image": np.zeros((5, 40))}, ValueError, "at least 8 x 8"),
        ({"image": np.full((32, 32), 0.5)}, ValueError, "no Canny edges"),
        ({"reblur_sigma": 0.0}, ValueError, "reblur_sigma"),
        ({"max_blur": -1.0}, ValueError, "max_blur"),
        ({"median_radius": 1.5}, TypeError, "median_radius"),
        ({"propagation": "diffusion"}, ValueError, "propagation"),
        ({"low_threshold": 0.3, "high_threshold": 0.1}, ValueError, "high_threshold"),
        ({"n_scales": 0}, ValueError, "n_scales"),
        ({"edge_scales": 1.5}, TypeError, "edge_scales"),
        ({"noise_sigma": -0.1}, ValueError, "noise_sigma"),
        ({"spatial_sigma": 0.0}, ValueError, "spatial_sigma"),
    ],
)
def test_estimate_rejects_bad_input(kwargs, error, match):
    kwargs = {"image": block_texture((32, 32), 8, seed=0), **kwargs}
    with pytest.raises(error, match=match):
        estimate_defocus_map(**kwargs)


@pytest.mark.parametrize(
    ("defocus_map", "kwargs", "error", "match"),
    [
        (-np.ones((8, 8)), {}, ValueError, ">= 0"),
        (np.full((8, 8), np.inf), {}, ValueError, "infinite"),
        (np.ones((2, 8, 8)), {}, ValueError, "2-D"),
        ("map", {}, TypeError, "defocus_map"),
        (np.ones((8, 8)), {"n_layers": 0}, ValueError, "n_layers"),
        (np.ones((8, 8)), {"n_layers": 2.5}, TypeError, "n_layers"),
        (np.ones((8, 8)), {"thresholds": [3.0, 1.0]}, ValueError, "increasing"),
        (np.ones((8, 8)), {"thresholds": [[1.0]]}, ValueError, "1-D"),
        (np.ones((8, 8)), {"n_layers": 2, "thresholds": [1.0]}, ValueError, "not both"),
        (np.ones((8, 8)), {"thresholds": [1.0], "in_focus_threshold": 1.0}, ValueError, "both"),
        (np.ones((8, 8)), {"min_size": -1}, ValueError, "min_size"),
        (np.ones((8, 8)), {"min_fraction": 1.0}, ValueError, "min_fraction"),
    ],
)
def test_segment_rejects_bad_input(defocus_map, kwargs, error, match):
    with pytest.raises(error, match=match):
        segment_layers(defocus_map, **kwargs)


def test_layer_radii_rejects_bad_masks():
    radius = np.ones((8, 8))
    with pytest.raises(ValueError, match="shape"):
        layer_radii(radius, [np.ones((4, 4), dtype=bool)])
    with pytest.raises(ValueError, match="empty"):
        layer_radii(radius, [radius > 0, np.zeros((8, 8), dtype=bool)])
    # Only the in-focus layer may be empty (a uniformly defocused photograph): NaN radius.
    assert np.isnan(layer_radii(radius, [np.zeros((8, 8), dtype=bool), radius > 0])[0])
    with pytest.raises(ValueError, match="at least one"):
        layer_radii(radius, [])


# --- automatic segmentation on scenes with a known answer -----------------------------------


def noisy(image, sigma, seed):
    return image + sigma * np.random.default_rng(seed).standard_normal(image.shape)


def test_sharp_texture_gives_one_layer():
    image = noisy(block_texture((192, 192), 12, seed=4), 0.005, seed=0)
    masks = segment_layers(estimate_defocus_map(image))
    assert len(masks) == 1 and masks[0].all()


def test_uniform_defocus_gives_an_empty_in_focus_layer_and_one_blurred_layer():
    sharp = block_texture((192, 192), 16, seed=5)
    image = noisy(blur(sharp, disk(5), boundary="symmetric"), 0.005, seed=1)
    radius = estimate_defocus_map(image)
    masks = segment_layers(radius)
    assert len(masks) == 2 and masks[0].mean() < 0.02 and masks[1].mean() > 0.98
    assert layer_radii(radius, masks)[1] == pytest.approx(5.0, abs=1.0)


def test_flat_background_next_to_sharp_texture_is_not_a_layer_of_its_own():
    image = np.full((128, 256), 0.5)
    image[:, :128] = block_texture((128, 128), 8, seed=6)
    image = noisy(image, 0.005, seed=2)
    radius, _, reliability = estimate_defocus_map(
        image, return_edges=True, return_reliability=True
    )
    assert reliability[:, 140:].max() < 0.05  # noise edges in the flat half carry no weight
    masks = segment_layers(radius)
    assert len(masks) == 1  # filled from the sharp edges, not defaulted to blurred


def test_two_blur_levels_are_measured_within_one_pixel():
    sharp = block_texture((128, 256), 16, seed=7)
    image = sharp.copy()
    image[:, :128] = blur(sharp, disk(2), boundary="symmetric")[:, :128]
    image[:, 128:] = blur(sharp, disk(6), boundary="symmetric")[:, 128:]
    radius = estimate_defocus_map(noisy(image, 0.002, seed=3))
    left, right = np.median(radius[:, 8:120]), np.median(radius[:, 136:-8])
    assert left == pytest.approx(2.0, abs=1.0) and right == pytest.approx(6.0, abs=1.0)


def test_three_blur_levels_give_three_layers():
    sharp = block_texture((128, 288), 16, seed=8)
    image = sharp.copy()
    image[:, 96:192] = blur(sharp, disk(3), boundary="symmetric")[:, 96:192]
    image[:, 192:] = blur(sharp, disk(8), boundary="symmetric")[:, 192:]
    radius = estimate_defocus_map(noisy(image, 0.002, seed=4))
    masks = segment_layers(radius)
    assert len(masks) == 3
    thirds = [np.s_[:, :96], np.s_[:, 96:192], np.s_[:, 192:]]
    for mask, third in zip(masks, thirds, strict=True):
        assert mask[third].mean() > 0.8
    np.testing.assert_allclose(layer_radii(radius, masks), [0, 3, 8], atol=1.5)
