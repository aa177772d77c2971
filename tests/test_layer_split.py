"""The automatic layers checked by their blur: the core of a layer, its sweep, and the split."""

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data

from defocus_teach import blind_deconvolve, kernels, simulate
from defocus_teach.benchmark import SCENES, make_scene
from defocus_teach.defocus_map import estimate_defocus_map
from defocus_teach.kernel_init import initial_kernel
from defocus_teach.layer_split import (
    READ_TILE,
    core_sweep,
    layer_core,
    split_by_blur,
    split_halves,
    tile_readings,
)
from defocus_teach.operators import blur
from defocus_teach.segmentation import segment_layers


def test_the_core_leaves_out_a_band_of_the_margin_along_the_other_layers():
    mask = np.zeros((60, 60), bool)
    mask[:, :30] = True
    core = layer_core(mask, 6)
    assert not (core & ~mask).any()
    assert core[:, :24].all() and not core[:, 24:].any()  # 6 px from column 30
    assert layer_core(mask, 0).sum() == mask.sum()
    whole = np.ones((20, 20), bool)
    assert layer_core(whole, 6).all()  # the image border is not another layer


def test_the_core_rejects_bad_input():
    with pytest.raises(ValueError):
        layer_core(np.ones(10, bool))
    with pytest.raises(ValueError):
        layer_core(np.ones((10, 10), bool), -1)


@pytest.fixture(scope="module")
def automatic_q1():
    """The benchmark's q1 scene (disk of radius 5) and its automatic defocused layer."""
    scene = make_scene(SCENES[0])
    masks = segment_layers(estimate_defocus_map(scene.blurred))
    assert len(masks) == 2
    return scene, masks[1]


def test_the_sweep_reads_a_contaminated_layer_on_its_core(automatic_q1):
    # The automatic layer reaches into the sharp camera-man: the whole layer reads too much
    # blur; its core reads the true radius.
    scene, mask = automatic_q1
    whole = initial_kernel(scene.blurred, mask)
    start, region = core_sweep(scene.blurred, mask)
    assert whole.radius > 6.5
    assert abs(start.radius - 5.0) <= 0.5
    assert region.sum() < mask.sum() and not (region & ~mask).any()


def test_the_sweep_keeps_the_whole_layer_when_the_core_agrees():
    sharp = data.camera()[:192, :192] / 255.0
    f = blur(sharp, kernels.disk(4))
    mask = np.zeros(f.shape, bool)
    mask[:, :150] = True
    start, region = core_sweep(f, mask)
    assert region is mask
    assert start.radius == initial_kernel(f, mask).radius


def test_blind_deconvolution_sweeps_the_given_region(automatic_q1):
    scene, mask = automatic_q1
    core = layer_core(mask)
    options = dict(kernel_size=21, n_iter=1, inner_iter=2, kernel_iter=5, final_iter=2)
    plain = blind_deconvolve(scene.blurred, mask, **options)
    swept = blind_deconvolve(scene.blurred, mask, sweep_mask=core, **options)
    assert plain.initial_radius > 6.5
    assert abs(swept.initial_radius - 5.0) <= 0.5
    with pytest.raises(ValueError):
        blind_deconvolve(scene.blurred, mask, sweep_mask=~mask, **options)


def _two_blurs(small, large):
    """camera with a disk-blurred blob (radius ``small``) in front of a ``large`` background."""
    sharp = data.camera()[100:292, 100:292] / 255.0
    rows, cols = np.mgrid[:192, :192]
    labels = ((rows - 70) ** 2 + (cols - 70) ** 2 < 55**2).astype(int)
    blurred, _ = simulate.layered_defocus(
        sharp, labels, [kernels.disk(large), kernels.disk(small)], 0.003,
        rng=np.random.default_rng(1),
    )  # fmt: skip
    return blurred, labels == 1


@pytest.mark.parametrize("small, large", [(3, 7), (4, 8)])
def test_a_layer_with_two_blurs_is_split_along_them(small, large):
    blurred, blob = _two_blurs(small, large)
    parts = split_by_blur(blurred, np.ones(blob.shape, bool))
    assert len(parts) == 2
    assert not (parts[0] & parts[1]).any() and (parts[0] | parts[1]).all()

    def iou(part):
        return (part & blob).sum() / (part | blob).sum()

    assert iou(parts[0]) > iou(parts[1]) + 0.2  # the less blurred half is the blob's


def test_a_layer_with_one_blur_stays_whole():
    blurred, blob = _two_blurs(5, 5)
    whole = np.ones(blob.shape, bool)
    assert len(split_by_blur(blurred, whole)) == 1


def test_the_tiles_read_the_radius_of_their_own_blur():
    blurred, blob = _two_blurs(3, 8)
    readings = tile_readings(blurred, np.ones(blob.shape, bool), noise=0.003)
    half = READ_TILE // 2
    centres = np.ix_(readings.rows, readings.cols)
    rows, cols = np.meshgrid(readings.rows, readings.cols, indexing="ij")
    deep = ndi.distance_transform_edt(blob)[centres] > half  # the tile lies in the blob
    away = ndi.distance_transform_edt(~blob)[centres] > half * np.sqrt(2)
    assert deep.sum() >= 2 and away.sum() >= 4
    assert np.median(readings.radius[deep]) == pytest.approx(3.0, abs=0.5)
    assert np.median(readings.radius[away]) == pytest.approx(8.0, abs=1.0)
    assert (readings.evidence[away] > 0).all()
    assert rows.max() <= blob.shape[0] - half and cols.max() <= blob.shape[1] - half


def test_tiles_outside_the_layer_are_not_read():
    blurred, _ = _two_blurs(4, 4)
    mask = np.zeros(blurred.shape, bool)
    mask[:, :100] = True
    readings = tile_readings(blurred, mask, noise=0.003)
    read = np.isfinite(readings.radius)
    assert read.any() and not read[:, readings.cols > 100].any()
    assert np.array_equal(read, np.isfinite(readings.evidence))
    with pytest.raises(ValueError):
        tile_readings(blurred, np.zeros(blurred.shape, bool))  # an empty layer


def test_sharp_content_at_the_edge_of_a_layer_of_one_blur_does_not_split_it():
    # coffee-disk9 has one blur (disk 9); its automatic layer keeps a strip of the in-focus
    # layer's sharp wood along the cup, and the tiles over that strip read 3 to 6 px
    scene = make_scene(next(s for s in SCENES if s.name == "coffee-disk9"))
    layer = segment_layers(estimate_defocus_map(scene.blurred))[1]
    assert split_halves(scene.blurred, layer, margin=0) is not None  # edge tiles: two blurs
    assert split_halves(scene.blurred, layer) is None  # read on the core: one
    assert len(split_by_blur(scene.blurred, layer)) == 1


def test_a_flat_layer_is_not_split():
    f = np.full((128, 128), 0.4) + np.random.default_rng(0).normal(0, 0.003, (128, 128))
    assert split_halves(f, np.ones(f.shape, bool)) is None
    assert len(split_by_blur(f, np.ones(f.shape, bool))) == 1


def test_the_split_checks_its_input():
    f = np.random.default_rng(0).random((64, 64))
    with pytest.raises(ValueError):
        split_by_blur(f, np.ones((32, 32), bool))
    with pytest.raises(ValueError):
        tile_readings(f[0], np.ones(64, bool))
    with pytest.raises(ValueError):
        split_halves(f, np.ones(f.shape, bool), margin=-1)
