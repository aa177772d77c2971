"""Datasets: the Middlebury motorcycle layered scene and the skimage photographs."""

import numpy as np
import pytest
from skimage import color
from skimage import data as skdata

from defocus_teach.data import Scene, chelsea, coffee, motorcycle_scene
from defocus_teach.kernels import disk
from defocus_teach.simulate import layered_defocus

SHAPE = (125, 185)  # 500 x 741 at scale 0.25


@pytest.fixture(scope="module")
def scene():
    return motorcycle_scene(scale=0.25)


@pytest.fixture(scope="module")
def scene3():
    return motorcycle_scene(n_layers=3, max_radius=4.5, scale=0.25)


def layer_disparities(scene):
    return np.array([np.median(scene.disparity[mask]) for mask in scene.masks])


def test_scene_shapes(scene, scene3):
    for sc, n_layers in ((scene, 2), (scene3, 3)):
        assert isinstance(sc, Scene)
        assert sc.sharp.shape == sc.blurred.shape == sc.labels.shape == sc.disparity.shape
        assert sc.sharp.shape == SHAPE
        assert sc.masks.shape == (n_layers, *SHAPE) and sc.masks.dtype == bool
        assert len(sc.kernels) == len(sc.radii) == n_layers


def test_default_scale_is_about_250_by_370():
    assert motorcycle_scene(noise_sigma=0.0).sharp.shape == (250, 370)


def test_scene_values_are_in_range_and_finite(scene):
    assert scene.sharp.dtype == np.float64
    assert 0 <= scene.sharp.min() and scene.sharp.max() <= 1
    assert np.all(np.isfinite(scene.blurred))
    assert np.all(np.isfinite(scene.disparity)) and scene.disparity.min() > 0


def test_noise_free_scene_stays_within_the_sharp_range():
    # The compositing is a convex combination of blurred pixels, so it cannot overshoot.
    sc = motorcycle_scene(noise_sigma=0.0, scale=0.25)
    assert sc.sharp.min() <= sc.blurred.min() and sc.blurred.max() <= sc.sharp.max()


def test_noise_has_the_requested_std(scene):
    clean = motorcycle_scene(noise_sigma=0.0, scale=0.25)
    noise = scene.blurred - clean.blurred
    assert abs(noise.std() / 0.005 - 1) < 0.05


def test_masks_partition_and_match_labels(scene, scene3):
    for sc in (scene, scene3):
        np.testing.assert_array_equal(sc.masks.sum(axis=0), 1)
        for label, mask in enumerate(sc.masks):
            np.testing.assert_array_equal(mask, sc.labels == label)
            assert mask.mean() > 0.1  # a real layer, not a speck


def test_label_zero_is_farthest(scene3):
    assert np.all(np.diff(layer_disparities(scene3)) > 0)


@pytest.mark.parametrize("focus", ["near", "far", 1])
def test_radii_grow_with_disparity_offset_from_focus(focus):
    sc = motorcycle_scene(n_layers=3, max_radius=4.5, focus=focus, noise_sigma=0.0, scale=0.25)
    disparities = layer_disparities(sc)
    index = {"near": 2, "far": 0}.get(focus, focus)
    offsets = np.abs(disparities - disparities[index])
    assert sc.radii[index] == 0.0
    assert max(sc.radii) == 4.5  # the most defocused layer gets max_radius
    np.testing.assert_array_equal(np.argsort(sc.radii), np.argsort(offsets))
    # Thin lens: radius proportional to |d - d_focus| (up to resampling of the disparity).
    np.testing.assert_allclose(np.array(sc.radii) / 4.5, offsets / offsets.max(), atol=0.05)


def test_kernels_are_disks_of_the_radii(scene3):
    for kernel, radius in zip(scene3.kernels, scene3.radii, strict=True):
        np.testing.assert_array_equal(kernel, disk(radius))
    assert scene3.kernels[-1].shape == (1, 1)  # focus="near": the front layer is sharp


def test_default_scene_is_background_blurred_by_max_radius(scene):
    assert scene.radii == (6.0, 0.0)


def test_blurred_is_the_layered_model_of_sharp(scene):
    blurred, masks = layered_defocus(
        scene.sharp, scene.labels, scene.kernels, noise_sigma=0.005, rng=0
    )
    np.testing.assert_array_equal(blurred, scene.blurred)
    np.testing.assert_array_equal(masks, scene.masks)


def test_scene_is_deterministic(scene):
    again = motorcycle_scene(scale=0.25)
    for name in ("sharp", "blurred", "masks", "labels", "disparity"):
        np.testing.assert_array_equal(getattr(again, name), getattr(scene, name))
    assert again.radii == scene.radii


def test_other_seed_changes_only_the_noise(scene):
    other = motorcycle_scene(scale=0.25, rng=1)
    np.testing.assert_array_equal(other.sharp, scene.sharp)
    assert not np.array_equal(other.blurred, scene.blurred)


@pytest.mark.parametrize("channel_axis", [-1, 0])
def test_colour_scene_matches_grey_scene(scene, channel_axis):
    sc = motorcycle_scene(channel_axis=channel_axis, scale=0.25)
    expected_shape = (*SHAPE, 3) if channel_axis == -1 else (3, *SHAPE)
    assert sc.sharp.shape == sc.blurred.shape == expected_shape
    np.testing.assert_array_equal(sc.labels, scene.labels)
    assert sc.radii == scene.radii
    # rgb2gray and rescaling are both linear, so they commute (up to round-off).
    grey = color.rgb2gray(np.moveaxis(sc.sharp, channel_axis, -1))
    np.testing.assert_allclose(grey, scene.sharp, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_layers": 4}, ValueError, "n_layers"),
        ({"focus": "middle"}, ValueError, "focus"),
        ({"focus": 2}, ValueError, "focus"),
        ({"max_radius": 0}, ValueError, "max_radius"),
        ({"scale": 1.5}, ValueError, "scale"),
        ({"scale": 0}, ValueError, "scale"),
        ({"channel_axis": 3}, ValueError, "channel_axis"),
        ({"noise_sigma": -1.0}, ValueError, "noise_sigma"),
    ],
)
def test_bad_scene_arguments_raise(kwargs, error, message):
    with pytest.raises(error, match=message):
        motorcycle_scene(**{"scale": 0.25, **kwargs})


@pytest.mark.parametrize(
    ("loader", "original", "shape"),
    [(chelsea, skdata.chelsea, (300, 451)), (coffee, skdata.coffee, (400, 600))],
)
def test_photographs_are_float_images_in_unit_range(loader, original, shape):
    rgb, grey = loader(), loader(as_gray=True)
    assert rgb.shape == (*shape, 3) and grey.shape == shape
    for image in (rgb, grey):
        assert image.dtype == np.float64
        assert 0 <= image.min() and image.max() <= 1
    np.testing.assert_allclose(rgb * 255, original(), atol=1e-10)  # uint8 / 255, no rescaling
    np.testing.assert_allclose(grey, color.rgb2gray(rgb), atol=1e-12)
