"""The do-no-harm checks and the seamless composition: each rule fires on a case built for it."""

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data

from defocus_teach import all_in_focus, kernels, operators
from defocus_teach.compose import (
    DISTRUST_EVIDENCE,
    DISTRUST_RANGE,
    compose_layers,
    evidence_trust,
    feather_weights,
    range_trust,
)
from defocus_teach.safeguards import (
    DELTA_RADIUS,
    MAX_MAP_RATIO,
    MAX_RINGING,
    MIN_EVIDENCE,
    blur_evidence,
    blur_evidence_map,
    check_layer,
    clipped_fraction,
    evidence_check,
    kernel_radius,
    map_check,
    ringing_ratio,
)

CAMERA = data.camera()[100:228, 150:278] / 255.0


def _noisy(image, sigma, seed=0):
    return image + np.random.default_rng(seed).normal(0.0, sigma, image.shape)


def _by_rule(checks):
    return {check.rule: check for check in checks}


@pytest.mark.parametrize("radius", [2.0, 4.0, 7.0])
def test_kernel_radius_of_a_disk_is_its_radius(radius):
    assert kernel_radius(kernels.disk(radius)) == pytest.approx(radius, abs=0.15)


def test_evidence_separates_blurred_from_sharp_at_two_noise_levels():
    for sigma in (0.002, 0.01):
        sharp = _noisy(CAMERA, sigma)
        blurred = _noisy(operators.blur(CAMERA, kernels.disk(4), "symmetric"), sigma)
        assert blur_evidence(blurred, None, kernels.disk(4)) > 0.1
        assert blur_evidence(sharp, None, kernels.disk(4)) < 0.0
        assert not evidence_check(sharp, None, kernels.disk(4)).passed
        assert evidence_check(blurred, None, kernels.disk(4)).passed


def test_evidence_check_fires_on_pure_noise():
    noise = 0.5 + np.random.default_rng(1).normal(0.0, 0.02, (96, 96))
    check = evidence_check(noise, None, kernels.disk(3))
    assert check.rule == "blur evidence" and check.limit == MIN_EVIDENCE
    assert not check.passed


def test_delta_rule_fires_on_a_delta_kernel_and_not_on_a_disk():
    f = _noisy(operators.blur(CAMERA, kernels.disk(3), "symmetric"), 0.005)
    mask = np.ones(f.shape, bool)
    delta = np.zeros((31, 31))
    delta[15, 15] = 1.0
    assert not _by_rule(check_layer(f, f, mask, delta))["kernel close to a delta"].passed
    check = _by_rule(check_layer(f, f, mask, kernels.disk(3)))["kernel close to a delta"]
    assert check.passed and check.value > DELTA_RADIUS


def test_range_rule_fires_when_a_few_percent_leave_the_range():
    f = np.full((64, 64), 0.5)
    mask = np.ones(f.shape, bool)
    u = f.copy()
    u[:2, :] = 1.3  # 3.1 % of the layer far above 1
    check = _by_rule(check_layer(f, u, mask, kernels.disk(3)))["values outside [0, 1]"]
    assert not check.passed and check.value == pytest.approx(128 / 4096)
    u[:2, :] = 1.05  # a small overshoot is not "far outside"
    assert _by_rule(check_layer(f, u, mask, kernels.disk(3)))["values outside [0, 1]"].passed


def test_clipped_fraction_counts_values_at_and_beyond_the_limits():
    values = np.array([-0.2, 0.0, 0.3, 1.0, 1.05, 1.2])
    assert clipped_fraction(values) == pytest.approx(5 / 6)
    assert clipped_fraction(values, 0.1) == pytest.approx(2 / 6)


def _step_with_rings(seed):
    """A noisy step (flat on both sides) and ripples that decay away from it."""
    rng = np.random.default_rng(seed)
    f = np.full((96, 96), 0.4) + rng.normal(0.0, 0.003, (96, 96))
    f[:, 48:] += 0.3
    columns = np.arange(96)
    return f, 0.1 * np.cos(2 * np.pi * columns / 6) * np.exp(-np.abs(columns - 48) / 40)


def test_ringing_rule_fires_on_ripples_in_a_flat_region():
    f, ripple = _step_with_rings(seed=2)
    mask = np.ones(f.shape, bool)
    noise = 0.003
    assert ringing_ratio(f, f, mask, 3.0, noise) == 0.0
    assert ringing_ratio(f, f + ripple, mask, 3.0, noise) > MAX_RINGING
    check = _by_rule(check_layer(f, f + ripple, mask, kernels.disk(3)))["ringing"]
    assert not check.passed


def test_feather_ramp_leaves_kept_layers_alone_and_rises_inside():
    right = np.zeros((16, 40), bool)
    right[:, 20:] = True
    ramp, shares = feather_weights([~right, right], [0.0, 5.0], [False, True])
    assert np.all(ramp[~right] == 0)
    assert np.all(np.diff(ramp[0, 20:]) >= 0) and ramp[0, 20] == pytest.approx(0.2)
    assert np.all(ramp[:, 25:] == 1.0)
    assert np.allclose(shares[1][right], 1.0) and np.all(shares[0] == 0)


def test_feather_ramp_leaves_out_a_strip_thinner_than_the_blur():
    labels = np.zeros((40, 60), int)
    labels[:, 30:] = 1
    labels[10:12, 5:30] = 1  # a 2 px wide arm of the defocused layer into the kept one
    masks = [labels == 0, labels == 1]
    ramp, _ = feather_weights(masks, [0.0, 4.0], [False, True])
    assert np.all(ramp[10:12, 5:28] == 0.0)
    assert np.all(ramp[:, 36:] == 1.0) and np.all(ramp[labels == 0] == 0.0)
    wide = labels.copy()
    wide[8:16, 5:30] = 1  # 8 px wide: kept in the blend
    ramp, _ = feather_weights([wide == 0, wide == 1], [0.0, 4.0], [False, True])
    assert ramp[12, 15] > 0.5


def test_range_trust_is_zero_where_the_estimate_leaves_the_range():
    low, high = DISTRUST_RANGE
    u = np.full((48, 48), 0.5)
    u[20:28, 4:12] = 1.0 + 2 * high  # far above 1
    u[20:28, 36:44] = 1.0 + low / 2  # a small overshoot
    trust = range_trust(u, 2.0)
    assert trust[24, 8] == 0.0 and trust[24, 40] == pytest.approx(1.0)
    assert trust[4, 24] == pytest.approx(1.0) and trust.shape == u.shape
    colour = np.stack([u * 0 + 0.5, u, u * 0 + 0.5], axis=-1)  # one channel out is enough
    assert np.array_equal(range_trust(colour, 2.0, channel_axis=-1), trust)
    with pytest.raises(ValueError):
        range_trust(u[0], 2.0)


def test_a_sharp_thin_object_inside_a_defocused_layer_keeps_the_input():
    sharp = CAMERA.copy()
    sharp[:, 90:92] = 1.0  # a bright, 2 px wide in-focus bar in front of the background
    blurred = operators.blur(CAMERA, kernels.disk(4), "symmetric")
    f = _noisy(np.where(sharp == 1.0, 1.0, blurred), 0.003).clip(0, 1)
    right = np.zeros(f.shape, bool)
    right[:, 64:] = True  # the bar is wrongly inside the defocused layer
    options = {"masks": [~right, right], "n_iter": 3, "do_no_harm": False}
    result = all_in_focus(f, fit_trust=True, **options)
    estimate = result.layers[1].image
    assert estimate[:, 90:92].max() > 1.0 + DISTRUST_RANGE[1]  # it rings there
    assert np.array_equal(result.layers[1].image, all_in_focus(f, **options).layers[1].image)
    bar = np.s_[:, 88:94]
    assert np.abs(result.image[bar] - f[bar]).max() < 0.25 * np.abs(estimate[bar] - f[bar]).max()
    inside = np.s_[16:-16, 104:120]
    assert np.abs(result.image[inside] - estimate[inside]).mean() < 0.01  # and not elsewhere


def _textured_patch_in_a_blurred_layer():
    """camera blurred by a disk of radius 3, with a sharp patch of faint fine texture (as
    cloth or skin in focus) that a defocus map would fill from its blurred neighbours."""
    sharp = data.camera()[60:252, 120:312] / 255.0
    rng = np.random.default_rng(0)
    blurred = operators.blur(sharp, kernels.disk(3), "symmetric")
    texture = 0.4 + 0.08 * ndi.gaussian_filter(rng.normal(size=sharp.shape), 0.7)
    patch = np.zeros(sharp.shape, bool)
    patch[44:84, 44:84] = True
    f = np.where(patch, texture, blurred) + rng.normal(0.0, 0.002, sharp.shape)
    far = ~ndi.binary_dilation(patch, iterations=20)
    return f, patch, far


def test_local_evidence_is_negative_on_sharp_texture_and_positive_on_blur():
    f, patch, far = _textured_patch_in_a_blurred_layer()
    evidence = blur_evidence_map(f, np.ones(f.shape, bool), kernels.disk(3), 0.002)
    assert evidence.shape == f.shape
    assert np.median(evidence[patch]) < DISTRUST_EVIDENCE[1] < 0.0
    assert np.percentile(evidence[far], 5) > DISTRUST_EVIDENCE[0]
    trust = evidence_trust(evidence, 3.0)
    assert trust[54:74, 54:74].max() == 0.0 and np.percentile(trust[far], 5) > 0.99
    # the layer's own pixels decide: the same patch outside the mask is not read
    mask = ~patch
    outside = blur_evidence_map(f, mask, kernels.disk(3), 0.002)
    assert np.median(outside[patch]) > 0.0


def test_local_evidence_rejects_bad_arguments():
    f, _, _ = _textured_patch_in_a_blurred_layer()
    whole = np.ones(f.shape, bool)
    with pytest.raises(ValueError, match="mask"):
        blur_evidence_map(f, ~whole, kernels.disk(3), 0.002)
    with pytest.raises(ValueError, match="noise"):
        blur_evidence_map(f, whole, kernels.disk(3), 0.0)
    for stride in (0, 2.5, True):
        with pytest.raises(ValueError, match="stride"):
            blur_evidence_map(f, whole, kernels.disk(3), 0.002, stride=stride)
    with pytest.raises(ValueError):
        evidence_trust(f[0], 3.0)


def test_two_processed_layers_share_smoothly_and_sum_to_one():
    labels = np.zeros((20, 60), int)
    labels[:, 20:40], labels[:, 40:] = 1, 2
    masks = [labels == k for k in range(3)]
    _, shares = feather_weights(masks, [0.0, 4.0, 6.0], [False, True, True])
    processed = labels > 0
    assert np.allclose((shares[1] + shares[2])[processed], 1.0)
    row = shares[1][0, 30:50]
    assert np.all(np.diff(row) <= 1e-12) and 0.2 < shares[1][0, 40] < 0.8


def test_compose_keeps_the_in_focus_layer_bit_for_bit_in_colour():
    rng = np.random.default_rng(3)
    f = rng.uniform(0.0, 1.0, (3, 24, 30))
    mask = np.zeros((24, 30), bool)
    mask[:, 12:] = True
    estimate = rng.uniform(0.0, 1.0, f.shape)
    out = compose_layers(f, [None, estimate], [~mask, mask], [0, 3], channel_axis=0)
    assert np.array_equal(out[:, ~mask], f[:, ~mask])
    assert np.allclose(out[:, :, 20:], estimate[:, :, 20:])
    unchanged = compose_layers(f, [None, None], [~mask, mask], [0, 0], channel_axis=0)
    assert np.array_equal(unchanged, f)


def test_all_in_focus_keeps_a_sharp_layer_given_as_defocused():
    f = _noisy(data.camera()[:192, :192] / 255.0, 0.003)
    half = np.zeros(f.shape, bool)
    half[:, 96:] = True
    result = all_in_focus(f, masks=[~half, half], n_iter=2)
    assert result.status[1].startswith("kept: ")
    assert result.checks[1] and not all(check.passed for check in result.checks[1])
    assert np.array_equal(result.image, f)


def test_all_in_focus_never_alters_the_in_focus_layer():
    sharp = data.camera()[:192, :192] / 255.0
    half = np.zeros(sharp.shape, bool)
    half[:, 96:] = True
    f = np.where(half, operators.blur(sharp, kernels.disk(4), "symmetric"), sharp)
    f = _noisy(f, 0.003)
    result = all_in_focus(f, masks=[~half, half], n_iter=3)
    assert result.status == ["in focus", "deblurred"]
    assert np.array_equal(result.image[~half], f[~half])
    gain = np.mean((f - sharp)[half] ** 2) / np.mean((result.image - sharp)[half] ** 2)
    assert gain > 1.5


def test_ringing_is_measured_on_the_layers_own_deconvolution_when_given():
    f, ripple = _step_with_rings(seed=4)
    mask = np.ones(f.shape, bool)
    rings = f + ripple
    blended = f + 0.1 * (rings - f)  # a blend that hides 90 % of the rings
    hidden = _by_rule(check_layer(f, blended, mask, kernels.disk(3)))["ringing"]
    shown = _by_rule(check_layer(f, blended, mask, kernels.disk(3), deconvolved=rings))["ringing"]
    assert hidden.passed and not shown.passed
    assert shown.value == pytest.approx(10 * hidden.value, rel=0.05)


def test_map_rule_compares_the_kernel_radius_with_the_maps():
    wide = map_check(kernels.disk(9), 3.0)
    assert wide.rule == "kernel wider than the map's blur" and wide.limit == MAX_MAP_RATIO
    assert wide.value == pytest.approx(kernel_radius(kernels.disk(9)) / 3.0)
    assert not wide.passed
    assert map_check(kernels.disk(6), 4.0).passed  # 1.5 times: the map under-reads
    # a map reading below 1 px counts as 1 px: a radius-2 disk is 2 times that
    assert map_check(kernels.disk(2), 0.2).value == pytest.approx(kernel_radius(kernels.disk(2)))
    with pytest.raises(ValueError, match="map_radius"):
        map_check(kernels.disk(2), float("nan"))


def test_all_in_focus_keeps_a_layer_whose_kernel_is_far_wider_than_its_map():
    sharp = data.camera()[:192, :192] / 255.0
    half = np.zeros(sharp.shape, bool)
    half[:, 96:] = True
    f = _noisy(np.where(half, operators.blur(sharp, kernels.disk(6), "symmetric"), sharp), 0.003)
    honest = np.where(half, 6.0, 0.0)
    told = np.where(half, 1.5, 0.0)  # a map that reads a quarter of the blur
    kept = all_in_focus(f, masks=[~half, half], defocus_map=told, n_iter=3)
    used = all_in_focus(f, masks=[~half, half], defocus_map=honest, n_iter=3)
    check = _by_rule(kept.checks[1])["kernel wider than the map's blur"]
    assert not check.passed and check.value > MAX_MAP_RATIO
    assert kept.status[1].startswith("kept: kernel wider than the map's blur")
    assert np.array_equal(kept.image, f)
    assert used.status[1] == "deblurred"
    assert _by_rule(used.checks[1])["kernel wider than the map's blur"].passed
