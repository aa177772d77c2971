"""The figures of the solver chapters draw what the package computes; the sliders drive them."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from defocus_teach import (
    BlindResult,
    blind_deconvolve,
    c_step,
    deconvolve,
    estimate_kernel,
    framelet,
    kernels,
    operators,
    simulate,
    viz,
)


def _image(ax) -> np.ndarray:
    (artist,) = ax.get_images()
    return np.asarray(artist.get_array())


def _slider(widget, description):
    matches = [
        child for child in widget.children if getattr(child, "description", "") == description
    ]
    assert len(matches) == 1, [getattr(child, "description", None) for child in widget.children]
    return matches[0]


@pytest.fixture
def ipywidgets():
    return pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def blurred_pair():
    sharp = np.random.default_rng(0).random((40, 40))
    kernel = kernels.disk(2, 7)
    return sharp, operators.blur(sharp, kernel), kernel


@pytest.fixture(scope="module")
def two_layers():
    """A 48 x 48 two-layer scene: a sharp square over a background blurred by disk(2)."""
    sharp = np.random.default_rng(1).random((48, 48))
    labels = np.zeros(sharp.shape, dtype=int)
    labels[16:32, 16:32] = 1
    f, masks = simulate.layered_defocus(sharp, labels, [kernels.disk(2), np.ones((1, 1))])
    return sharp, f, masks[0]


# --------------------------------------------------------------------------------------------
# Kernel-step chapter


def test_plot_outer_iterations_draws_the_shown_kernels_and_the_error_of_every_iteration():
    truth = kernels.disk(3, 11)
    iterates = [kernels.disk(radius, 11) for radius in (1.5, 2.0, 2.5, 3.0)]
    initial = kernels.disk(1, 9)  # a smaller support is padded
    fig = viz.plot_outer_iterations(iterates, truth, initial=initial, shown=[2, 4])
    assert len(fig.axes) == 5  # k0, k2, k4, truth, curve
    np.testing.assert_array_equal(_image(fig.axes[0]), kernels.pad_kernel(initial, 11))
    np.testing.assert_array_equal(_image(fig.axes[1]), iterates[1])
    np.testing.assert_array_equal(_image(fig.axes[3]), truth)
    assert fig.axes[2].get_title() == "$k^{(4)}$\nerror 0.00"
    (curve,) = fig.axes[4].get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), [0, 1, 2, 3, 4])
    expected = [kernels.kernel_error(k, truth) for k in [kernels.pad_kernel(initial, 11)]]
    expected += [kernels.kernel_error(k, truth) for k in iterates]
    np.testing.assert_allclose(curve.get_ydata(), expected)
    assert curve.get_ydata()[-1] == pytest.approx(0.0)


def test_plot_outer_iterations_shows_at_most_four_iterates_by_default_and_checks_shown():
    truth = kernels.disk(2, 7)
    fig = viz.plot_outer_iterations([truth] * 10, truth)
    assert len(fig.axes) == 4 + 1 + 1
    assert [ax.get_title().split("\n")[0] for ax in fig.axes[:4]] == [
        "$k^{(1)}$",
        "$k^{(4)}$",
        "$k^{(7)}$",
        "$k^{(10)}$",
    ]
    with pytest.raises(ValueError, match="shown must hold iterations between 1 and 10"):
        viz.plot_outer_iterations([truth] * 10, truth, shown=[0])


def test_plot_step_rules_draws_errors_steps_and_the_reference_line():
    errors = {"paper": [0.5, 0.45, 0.45], "FISTA": [0.5, 0.3, 0.1]}
    steps = {"paper": [1.0, 1.0, 0.5], "FISTA": [1.0, 1.0, 1.0]}
    fig = viz.plot_step_rules(errors, steps, reference=0.05)
    left, right = fig.axes
    paper, fista, reference = left.get_lines()
    np.testing.assert_array_equal(paper.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(fista.get_ydata(), errors["FISTA"])
    np.testing.assert_array_equal(reference.get_ydata(), [0.05, 0.05])
    assert left.get_xscale() == "log" and right.get_yscale() == "log"
    np.testing.assert_array_equal(right.get_lines()[0].get_ydata(), steps["paper"])
    assert right.get_lines()[1].get_color() == fista.get_color()
    assert len(viz.plot_step_rules(errors).axes) == 1
    with pytest.raises(ValueError, match="steps has a rule 'other'"):
        viz.plot_step_rules(errors, {"other": [1.0]})


def test_plot_sweep_scores_marks_the_minimum_of_each_criterion():
    radii = [1.0, 1.5, 2.0, 2.5]
    scores = {"likelihood": [4.0, 1.0, 3.0, 5.0], "residual": [0.0, 1.0, 2.0, 3.0]}
    fig = viz.plot_sweep_scores(radii, scores, true_radius=1.5)
    assert [ax.get_title() for ax in fig.axes] == [
        "likelihood: picks $R$ = 1.5",
        "residual: picks $R$ = 1",
    ]
    curve, star, truth = fig.axes[0].get_lines()
    np.testing.assert_array_equal(curve.get_ydata(), [3.0, 0.0, 2.0, 4.0])
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (1.5, 0.0)
    assert truth.get_xdata()[0] == 1.5
    with pytest.raises(ValueError, match="one value per radius"):
        viz.plot_sweep_scores(radii, {"short": [1.0, 2.0]})


def test_plot_sweep_scores_switches_to_symlog_when_a_few_radii_are_far_worse():
    radii = np.arange(1.0, 9.0)
    spiky = [5.0, 3.0, 1.0, 2.0, 4.0, 500.0, 6.0, 5.0]
    fig = viz.plot_sweep_scores(radii, {"spiky": spiky, "smooth": np.arange(8.0)})
    assert [ax.get_yscale() for ax in fig.axes] == ["symlog", "linear"]


def test_plot_kernel_lam2_shows_the_k_step_estimate_for_each_lam2():
    u = np.random.default_rng(2).random((48, 48))
    truth = kernels.disk(2, 9)
    f = operators.blur(u, truth)
    fig = viz.plot_kernel_lam2([0.1, 1e4], f, u, truth, max_iter=50)
    assert len(fig.axes) == 4  # truth, two estimates, profiles
    np.testing.assert_array_equal(_image(fig.axes[0]), truth)
    for ax, lam2 in zip(fig.axes[1:3], [0.1, 1e4], strict=True):
        expected = estimate_kernel(f, u, lam=lam2, size=9, max_iter=50)
        np.testing.assert_array_equal(_image(ax), expected)
    errors = [float(ax.get_title().split("error ")[1][:4]) for ax in fig.axes[1:3]]
    assert errors[0] < 0.05 < 0.5 < errors[1]  # a large lam2 flattens the kernel
    profiles = fig.axes[3].get_lines()
    assert len(profiles) == 3
    np.testing.assert_array_equal(profiles[0].get_ydata(), truth[4])


def test_interactive_kernel_lam2_has_a_logarithmic_lam2_slider(ipywidgets):
    u = np.random.default_rng(2).random((32, 32))
    truth = kernels.disk(1, 5)
    widget = viz.interactive_kernel_lam2(operators.blur(u, truth), u, truth, max_iter=5)
    slider = _slider(widget, "lam2")
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert (slider.base, slider.min, slider.max, slider.value) == (10, -1.0, 5.0, 10.0)
    assert not slider.continuous_update


# --------------------------------------------------------------------------------------------
# Image-step chapter


def test_plot_framelet_filters_draws_the_tensor_products_of_the_taps_and_their_unit_sum():
    fig = viz.plot_framelet_filters()
    assert len(fig.axes) == 10
    taps = framelet.SPLINE_TAPS
    for band, ax in enumerate(fig.axes[:9]):
        i, j = divmod(band, 3)
        np.testing.assert_allclose(_image(ax), np.outer(taps[i], taps[j]), atol=1e-15)
        assert ax.get_title() == viz.FRAMELET_NAMES[band]
    *responses, total = fig.axes[9].get_lines()
    assert len(responses) == 3
    np.testing.assert_allclose(total.get_ydata(), 1.0)
    np.testing.assert_allclose(responses[0].get_ydata()[[0, -1]], [1.0, 0.0], atol=1e-15)


def test_plot_framelet_bands_draws_every_band_of_the_analysis():
    image = np.random.default_rng(3).random((24, 30))
    fig = viz.plot_framelet_bands(image, small=0.05)
    coeffs = framelet.analysis(image)
    assert len(fig.axes) == 9
    for band, ax in enumerate(fig.axes):
        np.testing.assert_array_equal(_image(ax), coeffs[band])
    share = 100 * np.mean(np.abs(coeffs[4]) < 0.05)
    assert fig.axes[4].get_title() == f"$h_1 h_1^T$: {share:.0f} % near 0"
    assert len(viz.plot_framelet_bands(image, levels=2).axes) == 17


def test_plot_convergence_draws_the_relative_gap_and_drops_the_optimum():
    fig = viz.plot_convergence({"a": [3.0, 2.0, 1.5, 1.0], "b": [4.0, 2.0]}, reference=1.0)
    first, second = fig.axes[0].get_lines()
    np.testing.assert_array_equal(first.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(first.get_ydata(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose(second.get_ydata(), [3.0, 1.0])
    default = viz.plot_convergence({"a": [3.0, 2.0, 1.0]})
    np.testing.assert_allclose(default.axes[0].get_lines()[0].get_ydata(), [2.0, 1.0])


def test_plot_lam1_deblur_shows_the_sharp_blurred_and_deconvolved_images(blurred_pair):
    sharp, blurred, kernel = blurred_pair
    fig = viz.plot_lam1_deblur([1e-4, 1e-2], blurred, sharp, kernel, max_iter=5)
    assert len(fig.axes) == 4
    np.testing.assert_array_equal(_image(fig.axes[0]), sharp)
    np.testing.assert_array_equal(_image(fig.axes[1]), blurred)
    expected = deconvolve(blurred, kernel, lam=1e-2, max_iter=5)
    np.testing.assert_array_equal(_image(fig.axes[3]), expected)
    assert fig.axes[3].get_title() == f"$\\lambda_1$ = 1.0e-02: {viz.psnr(sharp, expected):.1f} dB"


def test_interactive_lam1_deblur_has_a_logarithmic_lam1_slider(ipywidgets, blurred_pair):
    sharp, blurred, kernel = blurred_pair
    widget = viz.interactive_lam1_deblur(blurred, sharp, kernel, max_iter=3)
    slider = _slider(widget, "lam1")
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert (slider.min, slider.max) == (-6.0, -1.0)
    assert slider.value == pytest.approx(1e-4)


# --------------------------------------------------------------------------------------------
# c-term chapter


def test_plot_mask_error_colours_the_wrongly_added_and_missing_pixels(two_layers):
    sharp, f, background = two_layers
    wrong = background.copy()
    wrong[16:20, 16:32] = True  # added: part of the square
    wrong[0:2, :] = False  # missing: the top rows
    fig = viz.plot_mask_error(f, background, wrong, sharp=sharp)
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(_image(fig.axes[0]), sharp)
    base, overlay = fig.axes[1].get_images()
    np.testing.assert_array_equal(base.get_array(), f)
    rgba = np.asarray(overlay.get_array())
    np.testing.assert_allclose(rgba[17, 20, :3], to_rgb(viz.MASK_ERROR_COLORS["added"]))
    np.testing.assert_allclose(rgba[0, 5, :3], to_rgb(viz.MASK_ERROR_COLORS["missing"]))
    assert rgba[40, 40, 3] == 0  # correct pixels are not coloured
    assert np.count_nonzero(rgba[..., 3]) == 4 * 16 + 2 * 48
    assert len(fig.axes[1].collections) == 1  # the true boundary
    assert len(fig.legends) == 1


def test_plot_threshold_rules_draws_the_three_rules_and_the_known_cut_offs():
    fig = viz.plot_threshold_rules(lam3=0.01)
    left, right = fig.axes
    lines = left.get_lines()
    assert [line.get_label() for line in lines] == list(c_step.C_RULES)
    for line, rule in zip(lines, c_step.C_RULES, strict=True):
        expected = c_step.threshold_outliers(line.get_xdata(), 0.01, 1.0, rule)
        np.testing.assert_array_equal(line.get_ydata(), expected)
    # hard_sqrt switches on at sqrt(2 * 0.01) = 0.141 when Lambda = 1
    sqrt_line = lines[0]
    jumps = sqrt_line.get_xdata()[np.nonzero(sqrt_line.get_ydata())[0]]
    assert np.abs(jumps).min() == pytest.approx(np.sqrt(0.02), abs=1e-3)
    # With Lambda = exp(-500 |r|), |r| = sqrt(2 lam3 Lambda) at 0.0104, |r| = lam3 Lambda at 0.0027
    labels = [line.get_label() for line in right.get_lines()]
    assert labels[1] == "hard_sqrt: cut-off 0.0104"
    assert labels[3] == "hard_paper: cut-off 0.0027"


def test_plot_outlier_weights_shows_the_absolute_residual_and_the_weights():
    residual = np.random.default_rng(4).normal(0.0, 0.01, (20, 20))
    weights = np.exp(-500 * np.abs(residual))
    ring = np.zeros((20, 20), dtype=bool)
    ring[5:10, 5:10] = True
    fig = viz.plot_outlier_weights(residual, weights, ring)
    assert len(fig.axes) == 4  # two images and their colorbars
    np.testing.assert_array_equal(_image(fig.axes[0]), np.abs(residual))
    np.testing.assert_array_equal(_image(fig.axes[1]), weights)
    assert all(len(ax.collections) == 1 for ax in fig.axes[:2])


@pytest.fixture(scope="module")
def outlier_runs(two_layers):
    sharp, f, background = two_layers
    options = dict(
        kernel_size=5, n_iter=2, inner_iter=5, final_iter=5, kernel_init=kernels.disk(2)
    )
    wrong = simulate.perturb_mask(background, 2)
    without = blind_deconvolve(f, wrong, use_outliers=False, **options)
    with_c = blind_deconvolve(f, wrong, use_outliers=True, **options)
    return wrong, without, with_c


def test_plot_outlier_results_shows_both_results_on_the_true_region_and_c(
    two_layers, outlier_runs
):
    sharp, f, background = two_layers
    wrong, without, with_c = outlier_runs
    window = np.s_[10:40, 5:35]
    fig = viz.plot_outlier_results(f, sharp, background, {"grown": outlier_runs}, 4, window)
    assert len(fig.axes) == 4
    band = simulate.boundary_band(background, 4) & background
    for ax, result in zip(fig.axes[1:3], [without, with_c], strict=True):
        shown = np.where(background, result.image, f)
        np.testing.assert_array_equal(_image(ax), shown[window])
        assert ax.get_title().endswith(f"{viz.psnr(sharp[band], shown[band]):.1f} dB")
    np.testing.assert_array_equal(_image(fig.axes[3]), with_c.outliers[window])
    assert fig.axes[3].get_title() == f"$c$ ({np.count_nonzero(with_c.outliers)} px)"
    assert len(fig.axes[0].patches) == 1  # the enlarged window


def test_plot_outlier_results_with_a_plain_result_draws_one_row_per_run(two_layers):
    sharp, f, background = two_layers
    plain = BlindResult(f, np.ones((1, 1)), np.zeros_like(f))
    runs = {name: (background, plain, plain) for name in ("a", "b")}
    fig = viz.plot_outlier_results(f, sharp, background, runs)
    assert len(fig.axes) == 8
    assert fig.axes[4].get_title() == "b"


def test_plot_outlier_deblur_runs_the_blind_method_without_and_with_c(two_layers, outlier_runs):
    sharp, f, background = two_layers
    fig = viz.plot_outlier_deblur(
        2, f, sharp, background, kernels.disk(2), kernel_size=5, n_iter=2, final_iter=5
    )
    assert len(fig.axes) == 4
    assert fig.axes[0].get_title() == "mask error +2 px"
    options = dict(kernel_size=5, n_iter=2, final_iter=5, kernel_init=kernels.disk(2))
    wrong = simulate.perturb_mask(background, 2)
    expected = blind_deconvolve(f, wrong, use_outliers=False, **options).image
    np.testing.assert_array_equal(_image(fig.axes[1]), np.where(background, expected, f))


def test_interactive_outlier_deblur_has_mask_error_and_lam3_sliders(ipywidgets, two_layers):
    sharp, f, background = two_layers
    widget = viz.interactive_outlier_deblur(
        f, sharp, background, kernels.disk(2), kernel_size=5, n_iter=1, final_iter=3
    )
    pixels = _slider(widget, "mask error (px)")
    assert isinstance(pixels, ipywidgets.IntSlider)
    assert (pixels.min, pixels.max, pixels.value) == (-4, 10, 6)
    lam3 = _slider(widget, "lam3")
    assert isinstance(lam3, ipywidgets.FloatLogSlider)
    assert (lam3.min, lam3.max) == (-4.0, 0.0) and lam3.value == pytest.approx(0.01)
