"""Layered forward model (eq. (1) with occlusion), boundary bands and mask perturbation."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from defocus_teach.kernels import disk
from defocus_teach.operators import blur
from defocus_teach.simulate import boundary_band, layered_defocus, perturb_mask


def support_radius(kernel):
    """Largest Euclidean distance from the centre of a nonzero tap of ``kernel``."""
    rows, cols = np.nonzero(kernel)
    centre = np.array(kernel.shape) // 2
    return float(np.max(np.hypot(rows - centre[0], cols - centre[1])))


@pytest.fixture
def sharp():
    rng = np.random.default_rng(1)
    # Smooth random texture plus fine noise: no two layers' blurs agree by accident.
    return ndi.gaussian_filter(rng.random((60, 72)), 1.0) * 0.8 + 0.2 * rng.random((60, 72))


@pytest.fixture
def labels():
    rows, cols = np.mgrid[:60, :72]
    labels = np.zeros((60, 72), dtype=int)
    labels[(rows - 30) ** 2 + (cols - 40) ** 2 <= 15**2] = 1  # a disk in front
    labels[:, 66:] = 2  # a strip touching the image edge, in front of both
    return labels


def test_single_layer_equals_plain_symmetric_blur(sharp):
    rng = np.random.default_rng(2)
    kernel = rng.random((7, 5))  # not symmetric: a flipped kernel would fail
    kernel /= kernel.sum()
    blurred, masks = layered_defocus(sharp, np.zeros(sharp.shape, dtype=int), [kernel])
    np.testing.assert_allclose(blurred, blur(sharp, kernel, boundary="symmetric"), atol=1e-12)
    assert masks.shape == (1, *sharp.shape) and masks.all()


@pytest.mark.parametrize("order", [None, [2, 0, 1], [1, 2, 0]])
def test_layers_away_from_boundaries_equal_their_own_blur(sharp, labels, order):
    kernels = [disk(2.5), disk(4), disk(1.5)]
    blurred, _ = layered_defocus(sharp, labels, kernels, order=order)
    radius = max(support_radius(k) for k in kernels)
    interior = ~boundary_band(labels, radius)  # farther than any kernel reaches
    for label, kernel in enumerate(kernels):
        region = interior & (labels == label)
        assert region.sum() > 100
        expected = blur(sharp, kernel, boundary="symmetric")
        np.testing.assert_allclose(blurred[region], expected[region], atol=1e-10)


def test_occlusion_differs_from_hard_mask_model_only_near_boundaries(sharp, labels):
    kernels = [disk(4), disk(0), disk(2)]
    blurred, masks = layered_defocus(sharp, labels, kernels)
    hard = sum(m * blur(sharp, k) for m, k in zip(masks, kernels, strict=True))  # eq. (1)
    band = boundary_band(labels, support_radius(kernels[0]))
    difference = np.abs(blurred - hard)
    assert difference[~band].max() < 1e-10
    assert difference[band].max() > 0.01  # the band is where the c-term has work to do


def test_in_focus_front_layer_is_unchanged(sharp, labels):
    blurred, _ = layered_defocus(sharp, labels, [disk(5), disk(0), disk(0)])
    front = labels > 0
    np.testing.assert_allclose(blurred[front], sharp[front], atol=1e-12)


def test_defocused_occluder_spills_over_in_focus_background_but_not_behind_it(sharp, labels):
    disk_labels = (labels == 1).astype(int)
    background = disk_labels == 0
    near_disk = background & boundary_band(disk_labels, 2)
    kernels = [disk(0), disk(4)]  # label 0 in focus, label 1 (the disk) defocused
    in_front, _ = layered_defocus(sharp, disk_labels, kernels)  # the disk occludes
    behind, _ = layered_defocus(sharp, disk_labels, kernels, order=[1, 0])
    assert np.abs(in_front - sharp)[near_disk].mean() > 0.01
    np.testing.assert_allclose(behind[background], sharp[background], atol=1e-12)


def test_noise_has_requested_std_and_is_reproducible():
    flat = np.full((200, 200), 0.5)
    labels = np.zeros(flat.shape, dtype=int)
    first, _ = layered_defocus(flat, labels, [disk(2)], noise_sigma=0.01, rng=7)
    again, _ = layered_defocus(flat, labels, [disk(2)], 0.01, rng=np.random.default_rng(7))
    other, _ = layered_defocus(flat, labels, [disk(2)], noise_sigma=0.01, rng=8)
    noise = first - 0.5
    assert abs(noise.std() / 0.01 - 1) < 0.05
    assert abs(noise.mean()) < 3 * 0.01 / 200  # three standard errors
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_noise_is_not_clipped():
    image = np.zeros((64, 64))
    blurred, _ = layered_defocus(image, np.zeros((64, 64), dtype=int), [[[1.0]]], 0.05, rng=0)
    assert blurred.min() < -0.1


def test_masks_partition_the_image_in_label_order(sharp, labels):
    labels = np.where(labels == 2, 0, labels)  # label 2 unused: an empty mask
    _, masks = layered_defocus(sharp, labels, [disk(1), disk(2), disk(3)])
    assert masks.dtype == bool and masks.shape == (3, *sharp.shape)
    np.testing.assert_array_equal(masks.sum(axis=0), 1)
    for label in range(3):
        np.testing.assert_array_equal(masks[label], labels == label)
    assert not masks[2].any()


@pytest.mark.parametrize("channel_axis", [-1, 0])
def test_colour_equals_per_channel_grey(sharp, labels, channel_axis):
    colour = np.stack([sharp, 1 - sharp, sharp**2], axis=channel_axis)
    kernels = [disk(3), disk(1), disk(0)]
    blurred, masks = layered_defocus(
        colour, labels, kernels, noise_sigma=0.0, channel_axis=channel_axis
    )
    assert blurred.shape == colour.shape
    for c in range(3):
        grey, grey_masks = layered_defocus(np.take(colour, c, axis=channel_axis), labels, kernels)
        np.testing.assert_allclose(np.take(blurred, c, axis=channel_axis), grey, atol=1e-14)
        np.testing.assert_array_equal(masks, grey_masks)


def test_inputs_are_not_modified(sharp, labels):
    sharp_copy, labels_copy = sharp.copy(), labels.copy()
    kernels = [disk(2), disk(1), disk(0)]
    layered_defocus(sharp, labels, kernels, noise_sigma=0.01, rng=0)
    np.testing.assert_array_equal(sharp, sharp_copy)
    np.testing.assert_array_equal(labels, labels_copy)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"labels": "float"}, TypeError, "integer dtype"),
        ({"labels": "shape"}, ValueError, "spatial shape"),
        ({"labels": "too_large"}, ValueError, "values in 0..1"),
        ({"labels": "negative"}, ValueError, "values in 0..1"),
        ({"kernels": [disk(2)]}, ValueError, "values in 0..0"),
        ({"kernels": []}, ValueError, "at least one"),
        ({"kernels": disk(2)}, TypeError, "one per layer"),
        ({"kernels": [disk(2), np.ones((4, 4)) / 16]}, ValueError, "odd sides"),
        ({"kernels": [disk(2), 2 * disk(1)]}, ValueError, "sums to 2"),
        ({"kernels": [disk(2), np.array([[-0.5, 2.0, -0.5]])]}, ValueError, "nonnegative"),
        ({"kernels": [disk(2), disk(20)]}, ValueError, "larger than the image"),
        ({"noise_sigma": -0.1}, ValueError, "noise_sigma"),
        ({"order": [0, 0]}, ValueError, "permutation"),
        ({"order": [0, 1, 2]}, ValueError, "permutation"),
        ({"order": [0.0, 1.0]}, TypeError, "integer labels"),
    ],
)
def test_bad_arguments_raise(change, error, message):
    sharp = np.zeros((30, 30))
    labels = np.zeros((30, 30), dtype=int)
    labels[10:20, 10:20] = 1
    kwargs = {"sharp": sharp, "labels": labels, "kernels": [disk(2), disk(1)]}
    bad_labels = {
        "float": labels.astype(float),
        "shape": labels[:-1],
        "too_large": labels * 2,
        "negative": labels - 1,
    }
    for key, value in change.items():
        kwargs[key] = bad_labels[value] if key == "labels" else value
    with pytest.raises(error, match=message):
        layered_defocus(**kwargs)


def test_colour_image_needs_channel_axis(sharp, labels):
    with pytest.raises(ValueError, match="channel_axis"):
        layered_defocus(np.stack([sharp] * 3, axis=-1), labels, [disk(1)] * 3)


def test_boundary_band_of_a_straight_edge_has_exact_width():
    labels = np.zeros((10, 30), dtype=int)
    labels[:, 12:] = 1
    band = boundary_band(labels, 3)
    expected = np.zeros(30, dtype=bool)
    expected[9:15] = True  # 3 columns on each side of the edge between columns 11 and 12
    np.testing.assert_array_equal(band, np.tile(expected, (10, 1)))
    np.testing.assert_array_equal(boundary_band(labels, 3.5), band)


def test_boundary_band_accepts_labels_masks_and_one_mask(labels):
    masks = labels[None] == np.arange(3)[:, None, None]
    from_labels = boundary_band(labels, 4)
    np.testing.assert_array_equal(boundary_band(masks, 4), from_labels)
    one = boundary_band(labels == 1, 4)  # the disk against everything else
    np.testing.assert_array_equal(one, boundary_band((labels == 1).astype(int), 4))
    assert np.all(one <= from_labels) and one.sum() < from_labels.sum()  # no strip edge
    assert not boundary_band(np.zeros((8, 8), dtype=int), 2).any()  # one layer, no boundary


def test_boundary_band_rejects_overlapping_masks():
    masks = np.ones((2, 8, 8), dtype=bool)
    with pytest.raises(ValueError, match="partition"):
        boundary_band(masks, 2)
    with pytest.raises(ValueError, match="width"):
        boundary_band(np.zeros((8, 8), dtype=int), 0)


def test_perturb_mask_moves_a_straight_edge_by_the_radius():
    mask = np.zeros((20, 40), dtype=bool)
    mask[:, :20] = True
    for pixels in (3, -3, 7):
        expected = np.zeros_like(mask)
        expected[:, : 20 + pixels] = True  # the image edge on the left is not eroded
        np.testing.assert_array_equal(perturb_mask(mask, pixels), expected)


def test_perturb_mask_of_one_pixel_is_the_disk_footprint():
    mask = np.zeros((21, 21), dtype=bool)
    mask[10, 10] = True
    rows, cols = np.mgrid[-10:11, -10:11]
    np.testing.assert_array_equal(perturb_mask(mask, 4), rows**2 + cols**2 <= 16)


def test_perturb_mask_dilation_contains_and_erosion_is_inside(labels):
    mask = labels == 1
    grown, shrunk = perturb_mask(mask, 5), perturb_mask(mask, -5)
    assert np.all(grown >= mask) and np.all(shrunk <= mask)
    assert grown.sum() > mask.sum() > shrunk.sum() > 0
    same = perturb_mask(mask, 0)
    np.testing.assert_array_equal(same, mask)
    assert same is not mask


def test_perturb_mask_rejects_bad_arguments():
    mask = np.ones((5, 5), dtype=bool)
    with pytest.raises(TypeError, match="pixels"):
        perturb_mask(mask, 1.5)
    with pytest.raises(ValueError, match="2-D"):
        perturb_mask(np.ones((2, 5, 5), dtype=bool), 1)
