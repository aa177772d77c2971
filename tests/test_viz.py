"""The book's figures draw the arrays the package computes, and the sliders drive them."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from defocus_teach import deconvolve, kernels, operators, viz
from defocus_teach.data import motorcycle_scene


def _images(ax) -> list[np.ndarray]:
    """Data of the images drawn on ``ax`` (not its insets)."""
    return [np.asarray(artist.get_array()) for artist in ax.get_images()]


def _image(ax) -> np.ndarray:
    (data,) = _images(ax)
    return data


def _slider(widget, description):
    matches = [
        child for child in widget.children if getattr(child, "description", "") == description
    ]
    assert len(matches) == 1, [getattr(child, "description", None) for child in widget.children]
    return matches[0]


@pytest.fixture(scope="module")
def blurred_pair():
    sharp = np.random.default_rng(0).random((40, 40))
    kernel = kernels.disk(3)
    return sharp, operators.blur(sharp, kernel), kernel


# --------------------------------------------------------------------------------------------
# _common


def test_new_figure_is_scaled_to_the_content_width_keeping_its_aspect():
    fig = viz.new_figure(2 * viz.MAX_WIDTH, 6.0)
    assert isinstance(fig, Figure)
    np.testing.assert_allclose(fig.get_size_inches(), [viz.MAX_WIDTH, 3.0])
    np.testing.assert_allclose(viz.new_figure(4.0, 3.0).get_size_inches(), [4.0, 3.0])


def test_show_image_draws_grey_from_zero_to_one_without_axes():
    ax = viz.new_figure(3, 3).add_subplot()
    image = np.linspace(0, 1, 12).reshape(3, 4)
    artist = viz.show_image(ax, image, "title")
    assert isinstance(artist, AxesImage)
    np.testing.assert_array_equal(artist.get_array(), image)
    assert artist.get_cmap().name == viz.IMAGE_CMAP
    assert artist.get_clim() == (0.0, 1.0)
    assert not ax.axison and ax.get_title() == "title"


def test_show_kernel_centres_the_diverging_colormap_at_zero():
    ax = viz.new_figure(3, 3).add_subplot()
    artist = viz.show_kernel(ax, np.array([[0.5, -1.0, 3.0]]))
    assert artist.get_cmap().name == viz.KERNEL_CMAP
    assert artist.get_clim() == (-3.0, 3.0)
    assert viz.show_kernel(ax, np.ones((3, 3)), vmax=2.0).get_clim() == (-2.0, 2.0)


def test_image_grid_draws_every_image_in_order_and_removes_empty_cells():
    images = [np.full((6, 8), value) for value in (0.1, 0.3, 0.5, 0.7, 0.9)]
    fig = viz.image_grid(images, titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 5
    for ax, image, title in zip(fig.axes, images, "abcde", strict=True):
        np.testing.assert_array_equal(_image(ax), image)
        assert ax.get_title() == title


def test_image_grid_rejects_titles_of_the_wrong_length():
    with pytest.raises(ValueError, match="titles must have one entry per image"):
        viz.image_grid([np.zeros((4, 4))] * 2, titles=["one"])


def test_as_values_wraps_scalars_and_strings_but_not_sequences():
    assert viz.as_values(2.5) == (2.5,)
    assert viz.as_values("near") == ("near",)
    assert viz.as_values([1, 2]) == (1, 2)
    assert viz.as_values(np.array([3.0])) == (3.0,)


# --------------------------------------------------------------------------------------------
# layers


@pytest.fixture(scope="module")
def small_scene():
    return motorcycle_scene(n_layers=3, max_radius=4, scale=0.25)


def test_plot_scene_shows_the_sharp_image_the_layers_and_the_blurred_image(small_scene):
    fig = viz.plot_scene(small_scene)
    assert len(fig.axes) == 3
    np.testing.assert_array_equal(_image(fig.axes[0]), small_scene.sharp)
    np.testing.assert_array_equal(_image(fig.axes[1]), small_scene.labels)
    np.testing.assert_array_equal(_image(fig.axes[2]), small_scene.blurred)
    (legend,) = fig.legends
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == [
        f"{name}: $R$ = {radius:.1f} px"
        for name, radius in zip(("far", "middle", "near"), small_scene.radii, strict=True)
    ]


def test_plot_defocus_draws_one_simulated_scene_per_radius_and_focus():
    fig = viz.plot_defocus(["far", "middle", "near"], [2.0, 5.0], scale=0.25)
    assert len(fig.axes) == 6
    for index, ax in enumerate(fig.axes):
        radius, focus = [2.0, 5.0][index // 3], index % 3
        expected = motorcycle_scene(n_layers=3, max_radius=radius, focus=focus, scale=0.25)
        np.testing.assert_array_equal(_image(ax), expected.blurred)
        assert ax.get_title().startswith(f"focus: {['far', 'middle', 'near'][focus]}\n")


def test_plot_occlusion_shows_the_absolute_difference_and_the_enlarged_window():
    rng = np.random.default_rng(1)
    composite, hard = rng.random((20, 30)), rng.random((20, 30))
    band = np.zeros((20, 30), dtype=bool)
    band[5:10] = True
    fig = viz.plot_occlusion(composite, hard, band)
    assert len(fig.axes) == 4  # three images and a colorbar
    np.testing.assert_array_equal(_image(fig.axes[0]), composite)
    np.testing.assert_array_equal(_image(fig.axes[1]), hard)
    np.testing.assert_allclose(_image(fig.axes[2]), np.abs(composite - hard))
    window = np.s_[2:12, 4:20]
    zoomed = viz.plot_occlusion(composite, hard, band, window=window)
    assert len(zoomed.axes) == 7
    np.testing.assert_array_equal(_image(zoomed.axes[4]), composite[window])
    np.testing.assert_allclose(_image(zoomed.axes[6]), np.abs(composite - hard)[window])


# --------------------------------------------------------------------------------------------
# kernels: Gaussian chapter


def test_psnr_of_a_constant_error_of_one_tenth_is_twenty_db():
    assert viz.psnr(np.zeros((5, 5)), np.full((5, 5), 0.1)) == pytest.approx(20.0)


def test_plot_psnr_vs_sigma_draws_the_curve_and_the_reference_lines():
    fig = viz.plot_psnr_vs_sigma([1, 2, 3], [20.0, 24.0, 22.0], 27.0, blurred_psnr=19.0)
    (ax,) = fig.axes
    curve, best, reference, blurred = ax.get_lines()
    np.testing.assert_array_equal(curve.get_ydata(), [20.0, 24.0, 22.0])
    assert (best.get_xdata()[0], best.get_ydata()[0]) == (2.0, 24.0)
    assert list(reference.get_ydata()) == [27.0, 27.0]
    assert list(blurred.get_ydata()) == [19.0, 19.0]


def test_plot_psnr_vs_sigma_rejects_lengths_that_differ():
    with pytest.raises(ValueError, match="same length"):
        viz.plot_psnr_vs_sigma([1, 2], [20.0], 27.0)


def test_plot_spectra_cross_section_is_one_at_zero_frequency_and_disk_has_a_zero():
    disk, gauss = kernels.disk(5), kernels.gaussian(3, 31)
    fig = viz.plot_spectra({"disk": disk, "Gaussian": gauss}, size=127)
    assert len(fig.axes) == 4  # two maps, their colorbar, the cross-section
    disk_line, gauss_line = fig.axes[-1].get_lines()
    # |K(0)| = sum of the kernel = 1
    assert disk_line.get_ydata()[0] == pytest.approx(1.0)
    assert gauss_line.get_ydata()[0] == pytest.approx(1.0)
    # The disk's transfer function nearly vanishes somewhere; the Gaussian's decreases.
    assert disk_line.get_ydata().min() < 1e-2
    assert np.all(np.diff(gauss_line.get_ydata()) <= 1e-12)
    spectrum = _image(fig.axes[0])
    assert spectrum.shape == (127, 127) and spectrum.max() == pytest.approx(1.0)


def test_plot_gaussian_deblur_shows_the_deconvolved_images(blurred_pair):
    sharp, blurred, kernel = blurred_pair
    fig = viz.plot_gaussian_deblur([1.0, 2.0], blurred, sharp, kernel, max_iter=5)
    assert len(fig.axes) == 4  # input, two Gaussians, true kernel (insets are children)
    np.testing.assert_array_equal(_image(fig.axes[0]), blurred)
    expected = deconvolve(blurred, kernels.gaussian(2.0, viz.GAUSSIAN_SIZE), max_iter=5)
    np.testing.assert_allclose(_image(fig.axes[2]), expected)
    np.testing.assert_allclose(_image(fig.axes[3]), deconvolve(blurred, kernel, max_iter=5))
    assert fig.axes[3].get_title() == f"true kernel: {viz.psnr(sharp, _image(fig.axes[3])):.1f} dB"
    (inset,) = fig.axes[3].child_axes
    np.testing.assert_array_equal(_image(inset), kernels.pad_kernel(kernel, viz.GAUSSIAN_SIZE))


# --------------------------------------------------------------------------------------------
# kernels: rank chapter


def test_plot_singular_values_reports_the_ranks_of_the_papers_fig4():
    fig = viz.plot_singular_values(
        {
            "Gaussian": kernels.gaussian(9, 27),
            "pillbox": kernels.disk(11, 23, antialias=False),
            "pupil": kernels.gaussian_pupil(11.5, 9, 23, antialias=False),
        }
    )
    assert len(fig.axes) == 4
    assert [ax.get_title().split("rank ")[-1] for ax in fig.axes[1:]] == ["1", "8", "7"]
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata()[0], 1.0)
    assert lines[-1].get_ydata()[0] == pytest.approx(1 / 30)


def test_plot_low_rank_deblur_shows_the_truncated_kernels_and_their_results(blurred_pair):
    sharp, blurred, kernel = blurred_pair
    fig = viz.plot_low_rank_deblur([1, 3], blurred, sharp, kernel, max_iter=5)
    assert len(fig.axes) == 4
    kernel_axes, image_axes = fig.axes[:2], fig.axes[2:]  # kernels on top
    for rank, kernel_ax, image_ax in zip((1, 3), kernel_axes, image_axes, strict=True):
        approx = kernels.project_feasible(kernel, rank=rank, symmetric=False)
        assert kernels.effective_rank(approx) <= rank
        np.testing.assert_allclose(_image(kernel_ax), approx)
        np.testing.assert_allclose(_image(image_ax), deconvolve(blurred, approx, max_iter=5))
    single = viz.plot_low_rank_deblur(2, blurred, sharp, kernel, max_iter=5)
    assert len(single.axes) == 2
    assert single.axes[0].get_position().y0 == pytest.approx(single.axes[1].get_position().y0)


# --------------------------------------------------------------------------------------------
# kernels: symmetry chapter


def test_plot_dihedral_images_draws_the_orbit_that_symmetrize_averages():
    kernel = np.random.default_rng(2).random((7, 7))
    fig = viz.plot_dihedral_images(kernel)
    assert len(fig.axes) == 8
    images = [_image(ax) for ax in fig.axes]
    np.testing.assert_array_equal(images[0], kernel)
    np.testing.assert_array_equal(images[1], kernel[::-1, :])
    np.testing.assert_array_equal(images[2], kernel[:, ::-1])
    np.testing.assert_array_equal(images[4], kernel.T)
    np.testing.assert_allclose(np.mean(images, axis=0), kernels.symmetrize(kernel))
    assert [ax.get_title() for ax in fig.axes] == list(viz.DIHEDRAL_NAMES)


def test_plot_dihedral_images_rejects_a_rectangular_kernel():
    with pytest.raises(ValueError, match="square"):
        viz.plot_dihedral_images(np.ones((3, 5)))


def test_plot_symmetrize_panels_are_the_noisy_symmetrised_and_projected_kernels():
    kernel = kernels.disk(3, 9)
    fig = viz.plot_symmetrize([0.2, 0.5], kernel, rng=3)
    assert len(fig.axes) == 8
    pattern = np.random.default_rng(3).standard_normal(kernel.shape)
    for row, level in enumerate((0.2, 0.5)):
        truth, noisy, symmetric, projected = (_image(ax) for ax in fig.axes[4 * row : 4 * row + 4])
        expected_noisy = kernel + level * kernel.max() * pattern
        np.testing.assert_array_equal(truth, kernel)
        np.testing.assert_allclose(noisy, expected_noisy)
        np.testing.assert_array_equal(symmetric, kernels.symmetrize(expected_noisy))
        np.testing.assert_allclose(projected, kernels.project_feasible(expected_noisy))
        error = kernels.kernel_error(symmetric, kernel, centre=False)
        assert fig.axes[4 * row + 2].get_title() == f"symmetrize\nerror {error:.2f}"


def test_plot_kernel_errors_draws_one_line_per_estimate_and_checks_lengths():
    fig = viz.plot_kernel_errors([0.1, 0.2], {"noisy": [0.3, 0.6], "symmetric": [0.1, 0.2]})
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["noisy", "symmetric"]
    with pytest.raises(ValueError, match="one value per noise level"):
        viz.plot_kernel_errors([0.1, 0.2], {"noisy": [0.3]})


# --------------------------------------------------------------------------------------------
# sliders


@pytest.fixture
def ipywidgets():
    return pytest.importorskip("ipywidgets")


def test_interactive_plot_passes_control_values_and_fixed_arguments(ipywidgets):
    calls = []

    def plot(value, offset):
        calls.append(value + offset)
        return viz.new_figure(2, 2)

    slider = viz.float_slider("value", 1.0, 0.0, 2.0, 0.5)
    widget = viz.interactive_plot(plot, {"value": slider}, offset=10.0)
    assert isinstance(widget, ipywidgets.interactive)
    assert widget.children[0] is slider and isinstance(widget.children[-1], ipywidgets.Output)
    slider.value = 2.0
    assert calls == [11.0, 12.0]


def test_interactive_defocus_has_focus_and_radius_controls(ipywidgets):
    widget = viz.interactive_defocus(scale=0.25)
    focus = _slider(widget, "focus")
    assert isinstance(focus, ipywidgets.SelectionSlider)
    assert [label for label, _ in focus.options] == ["far", "middle", "near"]
    assert focus.value == 2 and focus.label == "near"
    radius = _slider(widget, "max_radius (px)")
    assert (radius.min, radius.max, radius.value) == (1.0, 10.0, 6.0)
    assert not radius.continuous_update


def test_interactive_gaussian_deblur_has_a_sigma_slider_from_one_to_seven(
    ipywidgets, blurred_pair
):
    sharp, blurred, kernel = blurred_pair
    widget = viz.interactive_gaussian_deblur(blurred, sharp, kernel, max_iter=3)
    slider = _slider(widget, "sigma (px)")
    assert (slider.min, slider.max, slider.step, slider.value) == (1.0, 7.0, 0.5, 3.0)
    assert not slider.continuous_update


def test_interactive_low_rank_deblur_rank_slider_stops_at_the_symmetric_rank_bound(
    ipywidgets, blurred_pair
):
    sharp, blurred, kernel = blurred_pair  # 7 x 7 disk: a symmetric 7 x 7 matrix has rank <= 4
    widget = viz.interactive_low_rank_deblur(blurred, sharp, kernel, max_iter=3)
    slider = _slider(widget, "rank r0")
    assert isinstance(slider, ipywidgets.IntSlider)
    assert (slider.min, slider.max, slider.value) == (1, 4, 2)


def test_interactive_symmetrize_has_a_noise_slider(ipywidgets):
    widget = viz.interactive_symmetrize(kernels.disk(3, 9))
    slider = _slider(widget, "noise level")
    assert (slider.min, slider.max, slider.value) == (0.0, 1.0, 0.3)
    assert not slider.continuous_update
