"""Large layers: the estimation window, the tiles of the final u-step and their blending."""

import numpy as np
import pytest
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

from defocus_teach import all_in_focus, blind_deconvolve, kernels, operators
from defocus_teach.pipeline import FAST_OPTIONS
from defocus_teach.tiling import blend_ramps, estimation_window, tile_margin, tile_windows


@pytest.fixture(scope="module")
def blurred_camera():
    sharp = data.camera()[100:292, 150:342] / 255.0
    rng = np.random.default_rng(3)
    blurred = operators.blur(sharp, kernels.disk(4)) + 0.003 * rng.standard_normal(sharp.shape)
    return sharp, blurred


def test_estimation_window_is_the_box_when_the_layer_is_small():
    mask = np.zeros((100, 120), bool)
    mask[10:40, 20:90] = True
    assert estimation_window(np.zeros((100, 120)), mask, 5000) == (slice(10, 40), slice(20, 90))


def test_estimation_window_finds_the_texture_inside_the_layer():
    rng = np.random.default_rng(0)
    f = np.full((300, 300), 0.5)
    f[200:260, 30:90] = rng.random((60, 60))  # texture inside the layer
    f[20:80, 200:260] = rng.random((60, 60))  # stronger texture outside it: must not count
    mask = np.ones((300, 300), bool)
    mask[:150, 150:] = False
    rows, cols = estimation_window(f, mask, 100 * 100)
    assert (rows.stop - rows.start) * (cols.stop - cols.start) <= 100 * 100
    assert rows.start <= 200 and rows.stop >= 260 and cols.start <= 30 and cols.stop >= 90


def test_estimation_window_of_a_narrow_layer_is_wide():
    mask = np.zeros((400, 400), bool)
    mask[100:140, :] = True
    rows, cols = estimation_window(np.random.default_rng(1).random((400, 400)), mask, 8000)
    assert (rows.start, rows.stop) == (100, 140)
    assert cols.stop - cols.start == 200


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (2.5, TypeError)])
def test_estimation_window_rejects_bad_sizes(value, error):
    with pytest.raises(error, match="max_pixels"):
        estimation_window(np.zeros((50, 50)), np.ones((50, 50), bool), value)


def test_cores_partition_the_box_and_ramps_sum_to_one():
    mask = np.zeros((230, 170), bool)
    mask[7:221, 13:160] = True
    mask[7:60, 13:60] = False  # a corner without the layer: its tile is skipped if far
    box = (slice(7, 221), slice(13, 160))
    count = np.zeros(mask.shape, int)
    total = np.zeros(mask.shape)
    for window, core in tile_windows(mask, tile_size=50, margin=16):
        for w, c, b in zip(window, core, box, strict=True):
            assert w.start <= c.start and c.stop <= w.stop  # the window holds its core
            assert b.start <= c.start and c.stop <= b.stop  # inside the box
        count[core] += 1
        total[window] += blend_ramps(window, core, box, 8)
    assert count.max() == 1  # the cores never overlap
    assert np.all(count[mask] == 1)  # and cover every pixel of the layer
    np.testing.assert_allclose(total[mask], 1.0, atol=1e-12)  # the blend is a partition of 1


def test_tiles_without_the_layer_are_skipped():
    mask = np.zeros((300, 300), bool)
    mask[:40, :40] = True
    assert len(list(tile_windows(mask, tile_size=100, margin=10))) == 1


def test_tiled_final_u_step_matches_one_piece(blurred_camera):
    sharp, blurred = blurred_camera
    options = dict(kernel_size=15, kernel_init=kernels.disk(4), n_iter=2, final_iter=60)
    whole = blind_deconvolve(blurred, tile_size=192, estimation_pixels=96 * 96, **options)
    tiled = blind_deconvolve(blurred, tile_size=64, estimation_pixels=96 * 96, **options)
    np.testing.assert_array_equal(whole.kernel, tiled.kernel)  # same window, same loop
    assert tile_margin(15) == 30
    agreement = peak_signal_noise_ratio(whole.image, tiled.image, data_range=1.0)
    assert agreement > 45.0  # the tiles differ from one piece far below the error
    gain = [peak_signal_noise_ratio(sharp, r.image, data_range=1.0) for r in (whole, tiled)]
    assert abs(gain[0] - gain[1]) < 0.05
    assert gain[1] > peak_signal_noise_ratio(sharp, blurred, data_range=1.0) + 1.0


def test_kernel_from_a_window_agrees_with_the_whole_layer(blurred_camera):
    _, blurred = blurred_camera
    options = dict(kernel_size=15, n_iter=6, final_iter=30)
    whole = blind_deconvolve(blurred, estimation_pixels=None, **options)
    window = blind_deconvolve(blurred, estimation_pixels=110 * 110, **options)
    errors = [kernels.kernel_error(r.kernel, kernels.disk(4)) for r in (whole, window)]
    assert errors[0] < 0.2 and errors[1] < 0.2
    assert abs(errors[0] - errors[1]) <= 0.05


def test_progress_reports_every_tile(blurred_camera):
    _, blurred = blurred_camera
    messages = []
    blind_deconvolve(
        blurred, kernel_size=15, kernel_init=kernels.disk(4), n_iter=1, final_iter=5,
        inner_iter=5, tile_size=100, estimation_pixels=100 * 100, progress=messages.append,
    )  # fmt: skip
    assert messages[0].startswith("kernel estimated on the most textured 100 x 100 window")
    assert [m for m in messages if m.startswith("final u-step")] == [
        f"final u-step: tile {t} of 4, channel 1 of 1" for t in range(1, 5)
    ]
    with pytest.raises(TypeError, match="progress"):
        blind_deconvolve(blurred, kernel_size=15, n_iter=1, progress="yes")


def test_fast_runs_fewer_iterations(blurred_camera):
    _, blurred = blurred_camera
    masks = [np.zeros(blurred.shape, bool), np.ones(blurred.shape, bool)]
    result = all_in_focus(blurred, masks=masks, fast=True, kernel_size=15)
    assert len(result.layers[1].history) == FAST_OPTIONS["n_iter"]
    result = all_in_focus(blurred, masks=masks, fast=True, n_iter=2, kernel_size=15)
    assert len(result.layers[1].history) == 2  # an explicit option wins
    with pytest.raises(TypeError, match="fast"):
        all_in_focus(blurred, masks=masks, fast="yes")
