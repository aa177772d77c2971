"""The figures of the whole method draw the arrays the package computes (viz/defocus_map.py and
viz/whole_method.py)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from defocus_teach import AllInFocusResult, deconvolve, segment_layers, viz
from defocus_teach.kernels import disk, gaussian, kernel_error


def _images(ax) -> list[np.ndarray]:
    return [np.asarray(artist.get_array()) for artist in ax.get_images()]


@pytest.fixture(scope="module")
def two_layers():
    """A 40 x 60 image whose right half is layer 1 (blur radius 3), the left half layer 0."""
    rng = np.random.default_rng(0)
    image = rng.random((40, 60))
    right = np.zeros(image.shape, bool)
    right[:, 30:] = True
    radius = np.where(right, 3.0, 0.5)
    return image, [~right, right], radius


# --------------------------------------------------------------------------------------------
# measures


def test_mask_iou_of_equal_disjoint_and_nested_masks():
    a = np.zeros((6, 6), bool)
    a[:2] = True
    b = np.zeros((6, 6), bool)
    b[:3] = True
    assert viz.mask_iou(a, a) == 1.0
    assert viz.mask_iou(a, ~a) == 0.0
    assert viz.mask_iou(a, b) == pytest.approx(2 / 3)
    assert viz.mask_iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool)) == 1.0


def test_layer_psnr_measures_each_layer_separately(two_layers):
    sharp, masks, _ = two_layers
    image = sharp + np.where(masks[0], 0.01, 0.1)  # errors of 0.01 and 0.1: 40 dB and 20 dB
    np.testing.assert_allclose(viz.layer_psnr(sharp, image, masks), [40.0, 20.0])


def test_layer_psnr_counts_every_channel_of_a_colour_pixel(two_layers):
    sharp, masks, _ = two_layers
    colour = np.stack([sharp] * 3, axis=0)
    image = colour.copy()
    image[0] += 0.1  # one channel of three wrong by 0.1: MSE 0.01 / 3
    expected = 10 * np.log10(3 / 0.01)
    np.testing.assert_allclose(
        viz.layer_psnr(colour, image, masks, channel_axis=0), [expected, expected]
    )


# --------------------------------------------------------------------------------------------
# Fig. 5


def test_pipeline_figure_shows_input_map_layers_kernels_and_output(two_layers):
    image, masks, radius = two_layers
    output = image * 0.5
    kernels = [np.ones((1, 1)), disk(3), disk(5)]
    three = [
        masks[0],
        masks[1] & (np.arange(40)[:, None] < 20),
        masks[1] & ~(np.arange(40)[:, None] < 20),
    ]
    result = AllInFocusResult(output, three, kernels, radius, [None, None, None])
    fig = viz.plot_pipeline(image, result)
    assert isinstance(fig, Figure)
    main = [ax for ax in fig.axes if ax.get_title()]
    titles = [ax.get_title() for ax in main]
    assert titles == [
        "input $f$",
        "defocus map $R(x)$",
        r"layers $\alpha_i$",
        "$k_1$",
        "$k_2$",
        r"output $u_{aif}$",
    ]
    np.testing.assert_array_equal(_images(main[0])[0], image)
    np.testing.assert_array_equal(_images(main[1])[0], radius)
    np.testing.assert_array_equal(_images(main[2])[0], np.argmax(np.stack(three), axis=0))
    np.testing.assert_array_equal(_images(main[5])[0], output)
    # kernels are shown whole, cropped to one common box around the larger support
    shown = _images(main[4])[0]
    assert shown.shape[0] == _images(main[3])[0].shape[0] < 31
    assert shown.sum() == pytest.approx(1.0)


def test_pipeline_figure_leaves_out_the_map_when_masks_were_given(two_layers):
    image, masks, _ = two_layers
    result = AllInFocusResult(image, masks, [np.ones((1, 1)), disk(2)], None, [None, None])
    titles = [ax.get_title() for ax in viz.plot_pipeline(image, result).axes]
    assert "defocus map $R(x)$" not in titles and len(titles) == 4


def test_pipeline_figure_shows_colour_clipped_for_display(two_layers):
    image, masks, _ = two_layers
    colour = np.stack([image, image, 1.2 * image], axis=-1)  # values above 1
    result = AllInFocusResult(colour, masks, [np.ones((1, 1)), disk(2)], None, [None, None])
    fig = viz.plot_pipeline(colour, result, channel_axis=-1)
    shown = _images(fig.axes[0])[0]
    assert shown.shape == colour.shape and shown.max() == 1.0
    assert colour.max() > 1.0  # the input itself is not changed


# --------------------------------------------------------------------------------------------
# defocus map chapter


def test_edge_estimates_draw_one_dot_per_edge_pixel_with_its_value(two_layers):
    image, _, radius = two_layers
    edges = np.full(image.shape, np.nan)
    edges[10, 5:25] = 0.5
    edges[30, 35:50] = 3.0
    fig = viz.plot_edge_estimates(image, radius, edges)
    (dots,) = fig.axes[1].collections
    assert len(dots.get_offsets()) == 35
    np.testing.assert_array_equal(np.sort(dots.get_array()), [0.5] * 20 + [3.0] * 15)
    np.testing.assert_array_equal(_images(fig.axes[2])[0], radius)


def test_calibration_plot_draws_the_table_and_both_textbook_rules():
    sigmas, radii = np.array([0.45, 0.8, 2.0, 4.5]), np.array([0.0, 1.0, 3.0, 5.0])
    lines = viz.plot_calibration(sigmas, radii).axes[0].get_lines()
    np.testing.assert_array_equal(lines[0].get_xdata(), radii)
    np.testing.assert_array_equal(lines[0].get_ydata(), sigmas)
    x, y = lines[1].get_data()
    np.testing.assert_allclose(y, x / 2)
    x, y = lines[2].get_data()
    np.testing.assert_allclose(y, x * np.sqrt(np.pi / 8))


def test_segmentation_plot_shows_segment_layers_and_its_errors(two_layers):
    image, masks, radius = two_layers
    fig = viz.plot_segmentation(2.0, image, radius, masks, min_size=0)
    expected = segment_layers(radius, thresholds=[2.0], min_size=0)
    np.testing.assert_array_equal(_images(fig.axes[1])[0], np.argmax(expected, axis=0))
    assert fig.axes[2].get_title() == "wrong layer: 0.0%\nIoU 1.00, 1.00"
    # a threshold above every radius puts the whole blurred half in the wrong layer
    fig = viz.plot_segmentation(3.5, image, radius, masks, min_size=0)
    assert fig.axes[2].get_title().startswith("wrong layer: 50.0%")
    assert len(fig.axes) == 3


def test_segmentation_plot_draws_one_row_per_threshold_and_no_errors_without_truth(two_layers):
    image, masks, radius = two_layers
    fig = viz.plot_segmentation([1.0, 2.0, 3.5], image, radius, masks, min_size=0)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 9
    assert titles[0::3] == ["threshold 1.00 px", "threshold 2.00 px", "threshold 3.50 px"]
    assert titles[2] == titles[5] == "wrong layer: 0.0%\nIoU 1.00, 1.00"
    assert len(viz.plot_segmentation(2.0, image, radius, min_size=0).axes) == 2


def test_segmentation_slider_starts_at_otsus_threshold(two_layers):
    pytest.importorskip("ipywidgets")
    image, masks, radius = two_layers
    widget = viz.interactive_segmentation(image, radius, masks, min_size=0)
    (slider,) = [
        child for child in widget.children if getattr(child, "description", "") == "threshold (px)"
    ]
    assert 0.5 < slider.value < 3.0


# --------------------------------------------------------------------------------------------
# the whole method chapter


def test_layer_comparison_titles_give_the_psnr_of_every_layer(two_layers):
    sharp, masks, _ = two_layers
    images = {"input": sharp + np.where(masks[0], 0.01, 0.1), "perfect": sharp + 0.01}
    fig = viz.plot_layer_comparison(sharp, images, masks, crop=(slice(0, 20), slice(None)))
    assert [ax.get_title() for ax in fig.axes] == [
        "input\n40.0 / 20.0 dB",
        "perfect\n40.0 / 40.0 dB",
    ]
    assert _images(fig.axes[0])[0].shape == (20, 60)


def test_layer_comparison_without_truth_shows_colour_crops_with_their_names(two_layers):
    sharp, _, _ = two_layers
    colour = np.stack([sharp, sharp, sharp], axis=0)
    images = {"input": colour, "output": 0.5 * colour}
    fig = viz.plot_layer_comparison(
        None, images, crop=(slice(0, 10), slice(0, 20)), channel_axis=0
    )
    assert [ax.get_title() for ax in fig.axes] == ["input", "output"]
    shown = _images(fig.axes[1])[0]
    np.testing.assert_allclose(shown, 0.5 * np.moveaxis(colour, 0, -1)[:10, :20])


def test_kernel_pairs_give_the_kernel_error_of_each_estimate():
    true = disk(3)
    estimate = gaussian(1.5, 11)
    fig = viz.plot_kernel_pairs([true], {"Gaussian": [estimate]})
    assert fig.axes[1].get_title() == f"Gaussian\nerror {kernel_error(estimate, true):.2f}"
    assert _images(fig.axes[0])[0].sum() == pytest.approx(1.0)  # crop keeps the whole disk


def test_layer_lam1_plot_shows_the_u_step_result_for_each_value():
    rng = np.random.default_rng(1)
    f = rng.random((24, 24))
    fig = viz.plot_layer_lam1([1e-4, 1e-2], f, disk(2), sharp=f - 0.1, max_iter=5)
    assert len(fig.axes) == 3
    expected = deconvolve(f, disk(2), lam=1e-2, max_iter=5)
    np.testing.assert_array_equal(_images(fig.axes[2])[0], expected)
    assert fig.axes[0].get_title() == "input $f$: 20.0 dB"
    # a stronger prior gives a smoother image (smaller total variation)
    low, high = _images(fig.axes[1])[0], _images(fig.axes[2])[0]
    assert np.abs(np.diff(high)).sum() < np.abs(np.diff(low)).sum()


def test_layer_lam1_plot_keeps_the_input_outside_the_layer():
    f = np.random.default_rng(3).random((24, 24))
    mask = np.zeros(f.shape, bool)
    mask[:, 12:] = True
    fig = viz.plot_layer_lam1(1e-3, f, disk(2), mask=mask, max_iter=5)
    shown = _images(fig.axes[1])[0]
    np.testing.assert_array_equal(shown[:, :12], f[:, :12])
    expected = deconvolve(f, disk(2), mask, lam=1e-3, max_iter=5)
    np.testing.assert_array_equal(shown[:, 12:], expected[:, 12:])


def test_layer_lam1_slider_is_logarithmic():
    pytest.importorskip("ipywidgets")
    f = np.random.default_rng(2).random((16, 16))
    widget = viz.interactive_layer_lam1(f, disk(1), max_iter=2)
    (slider,) = [child for child in widget.children if getattr(child, "description", "") == "lam1"]
    assert slider.min == -5 and slider.max == -2 and slider.value == pytest.approx(3e-4)


def test_layer_split_plot_shows_the_halves_their_radii_and_the_truth():
    image = np.zeros((32, 32))
    left = np.zeros((32, 32), bool)
    left[:, :16] = True
    columns = np.arange(32)[None, :] < 24
    low, high = ~left & columns, ~left & ~columns
    truth = [left, low, high]
    fig = viz.plot_layer_split(image, [left, ~left], [low, high], [3.0, 7.25], truth)
    assert fig.axes[1].get_title() == "halves read R = 3.0 and 7.2 px"
    assert fig.axes[2].get_title() == "true layers (IoU 1.00, 1.00)"
    overlays = _images(fig.axes[1])[1:]  # the image, then one overlay per half
    assert [bool(o[..., 3][low].all()) for o in overlays] == [True, False]
    assert len(viz.plot_layer_split(image, [left, ~left], [low, high], [3.0, 7.0]).axes) == 2
