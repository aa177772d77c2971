"""Figures and sliders of the book (matplotlib; ipywidgets for the sliders).

Every ``plot_*`` function takes arrays and parameters and returns a
:class:`matplotlib.figure.Figure` that is not registered with pyplot (display it as the last
value of a notebook cell with ``%matplotlib inline``, or save it with ``fig.savefig``).  Every
``interactive_*`` function is a thin ipywidgets wrapper around one ``plot_*`` function and
returns the widget; the book shows the same ``plot_*`` function for a few parameter values as
a static figure next to each slider.

===================  =======================================================================
module               chapter
===================  =======================================================================
``_common``          shared helpers: image and kernel display, small multiples, sliders
``layers``           "The layer model" (eq. (1))
``kernels``          "Why a Gaussian kernel is not enough", "Kernel rank", "Symmetry"
``pipeline``         the introduction, "Defocus map and segmentation", "The whole method"
===================  =======================================================================
"""

from ._common import (
    BOOK_STYLE,
    IMAGE_CMAP,
    KERNEL_CMAP,
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    image_grid,
    int_slider,
    interactive_plot,
    new_figure,
    show_image,
    show_kernel,
)
from .kernels import (
    DIHEDRAL_NAMES,
    GAUSSIAN_SIZE,
    interactive_gaussian_deblur,
    interactive_low_rank_deblur,
    interactive_symmetrize,
    plot_dihedral_images,
    plot_gaussian_deblur,
    plot_kernel_errors,
    plot_low_rank_deblur,
    plot_psnr_vs_sigma,
    plot_singular_values,
    plot_spectra,
    plot_symmetrize,
    psnr,
)
from .layers import (
    LAYER_COLORS,
    interactive_defocus,
    plot_defocus,
    plot_occlusion,
    plot_scene,
)

__all__ = [
    # _common
    "BOOK_STYLE",
    "IMAGE_CMAP",
    "KERNEL_CMAP",
    "MAX_WIDTH",
    "as_values",
    "book_style",
    "float_slider",
    "image_grid",
    "int_slider",
    "interactive_plot",
    "new_figure",
    "show_image",
    "show_kernel",
    # layers
    "LAYER_COLORS",
    "interactive_defocus",
    "plot_defocus",
    "plot_occlusion",
    "plot_scene",
    # kernels
    "DIHEDRAL_NAMES",
    "GAUSSIAN_SIZE",
    "interactive_gaussian_deblur",
    "interactive_low_rank_deblur",
    "interactive_symmetrize",
    "plot_dihedral_images",
    "plot_gaussian_deblur",
    "plot_kernel_errors",
    "plot_low_rank_deblur",
    "plot_psnr_vs_sigma",
    "plot_singular_values",
    "plot_spectra",
    "plot_symmetrize",
    "psnr",
]

# solver: chapters "Kernel update by projected gradient", "Image update by ADMM with spline
# framelets" and "The c term" (module ``solver``).
from .solver import (  # noqa: E402
    FRAMELET_NAMES,
    MASK_ERROR_COLORS,
    interactive_kernel_lam2,
    interactive_lam1_deblur,
    interactive_outlier_deblur,
    plot_convergence,
    plot_framelet_bands,
    plot_framelet_filters,
    plot_kernel_lam2,
    plot_lam1_deblur,
    plot_mask_error,
    plot_outer_iterations,
    plot_outlier_deblur,
    plot_outlier_results,
    plot_outlier_weights,
    plot_step_rules,
    plot_sweep_scores,
    plot_threshold_rules,
)

__all__ += [
    "FRAMELET_NAMES",
    "MASK_ERROR_COLORS",
    "interactive_kernel_lam2",
    "interactive_lam1_deblur",
    "interactive_outlier_deblur",
    "plot_convergence",
    "plot_framelet_bands",
    "plot_framelet_filters",
    "plot_kernel_lam2",
    "plot_lam1_deblur",
    "plot_mask_error",
    "plot_outer_iterations",
    "plot_outlier_deblur",
    "plot_outlier_results",
    "plot_outlier_weights",
    "plot_step_rules",
    "plot_sweep_scores",
    "plot_threshold_rules",
]

# pipeline: the introduction, chapters "Defocus map and segmentation" and "The whole method"
# (module ``pipeline``).
from .pipeline import (  # noqa: E402
    DEFOCUS_CMAP,
    interactive_layer_lam1,
    interactive_segmentation,
    layer_psnr,
    mask_iou,
    plot_calibration,
    plot_edge_estimates,
    plot_kernel_pairs,
    plot_layer_comparison,
    plot_layer_lam1,
    plot_pipeline,
    plot_segmentation,
)

__all__ += [
    "DEFOCUS_CMAP",
    "interactive_layer_lam1",
    "interactive_segmentation",
    "layer_psnr",
    "mask_iou",
    "plot_calibration",
    "plot_edge_estimates",
    "plot_kernel_pairs",
    "plot_layer_comparison",
    "plot_layer_lam1",
    "plot_pipeline",
    "plot_segmentation",
]
