"""The viz package: one module per chapter, every public name re-exported, shared helpers."""

import importlib

import numpy as np
import pytest

from defocus_teach import viz

MODULES = (
    "_common",
    "layers",
    "gaussian",
    "rank",
    "symmetry",
    "kernel_step",
    "image_step",
    "outliers",
    "defocus_map",
    "whole_method",
)

#: What ``defocus_teach.viz`` exported before it had one module per chapter.
FORMER_ALL = """
BOOK_STYLE IMAGE_CMAP KERNEL_CMAP MAX_WIDTH as_values book_style float_slider image_grid
int_slider interactive_plot new_figure show_image show_kernel LAYER_COLORS interactive_defocus
plot_defocus plot_occlusion plot_scene DIHEDRAL_NAMES GAUSSIAN_SIZE interactive_gaussian_deblur
interactive_low_rank_deblur interactive_symmetrize plot_dihedral_images plot_gaussian_deblur
plot_kernel_errors plot_low_rank_deblur plot_psnr_vs_sigma plot_singular_values plot_spectra
plot_symmetrize psnr FRAMELET_NAMES MASK_ERROR_COLORS interactive_kernel_lam2
interactive_lam1_deblur interactive_outlier_deblur plot_convergence plot_framelet_bands
plot_framelet_filters plot_kernel_lam2 plot_lam1_deblur plot_mask_error plot_outer_iterations
plot_outlier_deblur plot_outlier_results plot_outlier_weights plot_step_rules plot_sweep_scores
plot_threshold_rules DEFOCUS_CMAP interactive_layer_lam1 interactive_segmentation layer_psnr
mask_iou plot_calibration plot_edge_estimates plot_kernel_pairs plot_layer_comparison
plot_layer_lam1 plot_pipeline plot_segmentation
""".split()


def test_the_benchmark_figures_have_their_own_module():
    from defocus_teach import benchmark
    from defocus_teach.viz import benchmark as figures

    for name in ("summary_figure", "plot_scenes", "plot_scene_results", "plot_kernel_errors"):
        assert getattr(benchmark, name) is getattr(figures, name)  # the old names still work
    assert viz.plot_kernel_errors is not figures.plot_kernel_errors  # not flattened into viz


def test_package_still_exports_every_former_name():
    assert set(FORMER_ALL) <= set(viz.__all__)
    assert len(viz.__all__) == len(set(viz.__all__))
    for name in FORMER_ALL:
        assert hasattr(viz, name), name


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_of_a_module_is_re_exported(name):
    module = importlib.import_module(f"defocus_teach.viz.{name}")
    for public in module.__all__:
        assert public in viz.__all__, public
        assert getattr(viz, public) is getattr(module, public), public


def test_the_modules_together_define_exactly_the_package_names():
    names = [n for m in MODULES for n in importlib.import_module(f"defocus_teach.viz.{m}").__all__]
    assert len(names) == len(set(names))  # every name has one home
    assert set(names) == set(viz.__all__)


def test_panel_grid_removes_the_unused_cells_and_sizes_rows_by_aspect():
    fig, axes = viz.panel_grid(5, 3, panel_width=2.0, aspect=0.5, title_height=0.3)
    assert len(axes) == 5 and fig.axes == axes
    np.testing.assert_allclose(fig.get_size_inches(), [6.0, 2 * (2.0 * 0.5 + 0.3)])
    fig, axes = viz.panel_grid(2, 2, panel_width=3.0, aspect=1.0, width=5.0)
    np.testing.assert_allclose(fig.get_size_inches(), [5.0, 3.4])
    with pytest.raises(ValueError, match="count"):
        viz.panel_grid(0, 3, 2.0, 1.0)


def test_pad_kernels_centres_kernels_on_the_largest_side():
    small, large = np.ones((3, 3)), np.full((5, 5), 2.0)
    padded = viz.pad_kernels([small, large])
    assert [k.shape for k in padded] == [(5, 5), (5, 5)]
    np.testing.assert_array_equal(padded[0][1:4, 1:4], small)
    assert padded[0].sum() == small.sum()
    assert [k.shape for k in viz.pad_kernels([small], size=7)] == [(7, 7)]


def test_show_layers_colours_each_pixel_by_its_layer():
    left = np.zeros((4, 6), bool)
    left[:, :2] = True
    ax = viz.new_figure(3, 3).add_subplot()
    artist = viz.show_layers(ax, [left, ~left], "layers")
    np.testing.assert_array_equal(artist.get_array(), viz.layer_labels([left, ~left]))
    assert ax.get_title() == "layers" and not ax.axison
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "$\\alpha_0$ (sharp)",
        "$\\alpha_1$",
    ]


def test_outline_region_draws_the_window_in_pixel_coordinates():
    ax = viz.new_figure(3, 3).add_subplot()
    viz.outline_region(ax, np.s_[2:5, 3:], (8, 10))
    (patch,) = ax.patches
    assert patch.get_xy() == (2.5, 1.5)
    assert (patch.get_width(), patch.get_height()) == (7, 3)


def test_log_slider_is_logarithmic_and_updates_on_release():
    ipywidgets = pytest.importorskip("ipywidgets")
    slider = viz.log_slider("lam", 1e-3, -5.0, -1.0, 0.5)
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert (slider.base, slider.min, slider.max, slider.step) == (10, -5.0, -1.0, 0.5)
    assert slider.value == pytest.approx(1e-3)
    assert not slider.continuous_update and slider.readout_format == ".1e"
