"""Autograder of the assignment "defocus" (book chapter ``assignment_defocus``).

Grades ``estimate_blur_map`` of the module given by
:func:`defocus_teach.assignments.grading.load_target` (default: the starter
:mod:`defocus_teach.assignments.defocus_estimator`).  Run with
``python -m defocus_teach.assignments grade defocus``, or in a folder made by
:mod:`defocus_teach.assignments.make_student` with ``python -m pytest tests/test_defocus.py``.

The test images are synthetic: a straight step edge, and a "dead leaves" texture (random
overlapping discs of random grey levels, which has edges everywhere) of which one half is
blurred by a disk kernel.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from defocus_teach import all_in_focus, kernels, operators, segment_layers
from defocus_teach.assignments.grading import load_target

#: Disk radii of the monotonicity test.
RADII = (1.0, 2.0, 3.0, 4.0, 6.0)
#: Smallest intersection over union of the blurred half and the blurred layer; the
#: reference solution reaches 0.95-0.98 and the package's estimator 0.93-0.98.
MIN_IOU = 0.8
#: (seed of the texture, blurred part) of the segmentation tests.
HALVES = [(0, "right"), (1, "left"), (2, "top")]


@pytest.fixture(scope="module")
def target():
    return load_target("defocus")


def dead_leaves(shape: tuple[int, int], seed: int, n_discs: int = 400) -> np.ndarray:
    """Random overlapping discs of radius 3-14 px and grey levels 0.1-0.9."""
    rng = np.random.default_rng(seed)
    image = np.full(shape, 0.5)
    rows, cols = np.indices(shape)
    for _ in range(n_discs):
        radius = rng.uniform(3.0, 14.0)
        row, col = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        image[(rows - row) ** 2 + (cols - col) ** 2 <= radius**2] = rng.uniform(0.1, 0.9)
    return image


def half_blurred(seed: int, part: str, radius: float = 3.0):
    """A 96 x 128 dead-leaves image with one half blurred by a disk; also that half's mask."""
    sharp = dead_leaves((96, 128), seed)
    blurred_part = np.zeros(sharp.shape, dtype=bool)
    if part == "top":
        blurred_part[:48] = True
    else:
        blurred_part[:, 64:] = True
        if part == "left":
            blurred_part = ~blurred_part
    image = np.where(blurred_part, operators.blur(sharp, kernels.disk(radius)), sharp)
    return image, blurred_part


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(a & b) / np.sum(a | b))


def _edge_estimate(target, radius: float) -> float:
    """Median estimate along a vertical step edge (0.25 to 0.75) blurred by disk(radius)."""
    step = np.full((64, 64), 0.25)
    step[:, 32:] = 0.75
    blurred = operators.blur(step, kernels.disk(radius))
    radius_map = np.asarray(target.estimate_blur_map(blurred), dtype=float)
    return float(np.median(radius_map[16:48, 30:34]))


def test_map_has_the_image_shape_and_valid_values(target):
    """Shape (H, W), finite, in [0, max_blur]; the input is not modified."""
    camera = data.camera()[100:196, 80:200] / 255.0  # 96 x 120
    image, _ = half_blurred(0, "right")
    for grey in (camera, image):
        before = grey.copy()
        radius = np.asarray(target.estimate_blur_map(grey), dtype=float)
        np.testing.assert_array_equal(grey, before, err_msg="the input was modified")
        assert radius.shape == grey.shape
        assert np.all(np.isfinite(radius))
        assert radius.min() >= 0.0 and radius.max() <= 15.0
    step = np.full((64, 64), 0.25)
    step[:, 32:] = 0.75
    capped = target.estimate_blur_map(operators.blur(step, kernels.disk(6)), max_blur=2.0)
    assert np.max(capped) <= 2.0


def test_larger_blur_gives_larger_estimates_at_step_edges(target):
    """The estimate at a step edge grows strictly with the disk radius 1, 2, 3, 4, 6."""
    estimates = [_edge_estimate(target, radius) for radius in RADII]
    assert np.all(np.diff(estimates) > 0), f"estimates {np.round(estimates, 2)}"


def test_estimate_is_within_a_factor_two_of_the_disk_radius(target):
    """At a step edge blurred by a disk of radius R = 2, 3, 4, 6: R/2 <= estimate <= 2R."""
    for radius in (2.0, 3.0, 4.0, 6.0):
        estimate = _edge_estimate(target, radius)
        assert radius / 2 <= estimate <= 2 * radius, f"R = {radius}: estimate {estimate:.2f}"


def test_bad_input_raises_value_error(target):
    """ValueError for 1-D, 3-D, too small (8 x 8) or non-finite images and max_blur <= 0."""
    grey = dead_leaves((32, 32), 0)
    nan = grey.copy()
    nan[3, 3] = np.nan
    for bad in (grey[0], np.stack([grey] * 3, axis=-1), grey[:8, :8], nan):
        with pytest.raises(ValueError):
            target.estimate_blur_map(bad)
    with pytest.raises(ValueError):
        target.estimate_blur_map(grey, max_blur=0.0)


@pytest.mark.parametrize(("seed", "part"), HALVES)
def test_segment_layers_separates_sharp_and_blurred_halves(target, seed, part):
    """segment_layers(map, n_layers=2): the blurred layer has IoU > 0.8 with the blurred half."""
    image, blurred_part = half_blurred(seed, part)
    masks = segment_layers(target.estimate_blur_map(image), n_layers=2)
    iou = _iou(masks[1], blurred_part)
    assert iou > MIN_IOU, f"IoU {iou:.3f}"


def test_all_in_focus_uses_the_estimator(target):
    """all_in_focus(..., defocus_estimator=estimate_blur_map) keeps its map and layers."""
    image, blurred_part = half_blurred(3, "right")
    result = all_in_focus(
        image,
        n_layers=2,
        defocus_estimator=target.estimate_blur_map,
        kernel_size=9,
        n_iter=1,
        inner_iter=5,
        kernel_iter=20,
        final_iter=5,
    )
    np.testing.assert_allclose(result.defocus_map, target.estimate_blur_map(image))
    assert _iou(result.masks[1], blurred_part) > MIN_IOU
