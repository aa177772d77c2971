"""Figures and sliders of the book (matplotlib; ipywidgets for the sliders).

Every ``plot_*`` function takes arrays and parameters and returns a
:class:`matplotlib.figure.Figure` that is not registered with pyplot (display it as the last
value of a notebook cell with ``%matplotlib inline``, or save it with ``fig.savefig``).  Every
``interactive_*`` function is a thin ipywidgets wrapper around one ``plot_*`` function and
returns the widget; the book shows the same ``plot_*`` function for a few parameter values as
a static figure next to each slider.  A ``plot_*`` function whose first parameter is a slider's
parameter accepts one value or a sequence of values: a sequence gives the small multiples of
the static figure, one value the figure of the slider.

There is one module per chapter, and each chapter imports its figures from its own module
(``from defocus_teach.viz import kernel_step as figures``).  Every public name of every chapter
module but ``benchmark`` is also available here (``viz.plot_kernel_lam2``).

===================  =======================================================================
module               chapter
===================  =======================================================================
``_common``          shared helpers: image and kernel display, small multiples, sliders,
                     measures (PSNR, IoU), numbers for the text (glue) and HTML tables
``layers``           "The layer model" (eq. (1))
``gaussian``         "Why a Gaussian kernel is not enough" (Fig. 3)
``rank``             "Kernel rank" (Fig. 4)
``symmetry``         "Symmetry" (eqs. (4) and (10), Fig. 6)
``kernel_step``      "Kernel update by projected gradient" (eq. (9), Alg. 1)
``image_step``       "Image update by ADMM with spline framelets" (eq. (8))
``outliers``         "The c term" (eqs. (5)-(7), Fig. 8)
``defocus_map``      "Defocus map and segmentation"
``whole_method``     the introduction and "The whole method" (Fig. 5)
``benchmark``        "Does it work? Measured": figures of the benchmark's results (import it
                     as a module; its names are not repeated here, where
                     ``plot_kernel_errors`` already names the Gaussian chapter's figure)
===================  =======================================================================
"""

from ._common import (
    BOOK_STYLE,
    DEFOCUS_CMAP,
    IMAGE_CMAP,
    KERNEL_CMAP,
    LAYER_COLORS,
    MAX_WIDTH,
    Table,
    as_values,
    book_style,
    float_slider,
    glue,
    image_grid,
    int_slider,
    interactive_plot,
    layer_labels,
    layer_psnr,
    log_slider,
    mask_iou,
    new_figure,
    outline_region,
    pad_kernels,
    panel_grid,
    psnr,
    show_image,
    show_kernel,
    show_layers,
)
from .defocus_map import (
    interactive_segmentation,
    plot_calibration,
    plot_edge_estimates,
    plot_layer_split,
    plot_segmentation,
)
from .gaussian import (
    GAUSSIAN_SIZE,
    interactive_gaussian_deblur,
    plot_gaussian_deblur,
    plot_psnr_vs_sigma,
    plot_spectra,
)
from .image_step import (
    FRAMELET_NAMES,
    interactive_lam1_deblur,
    plot_convergence,
    plot_framelet_bands,
    plot_framelet_filters,
    plot_lam1_deblur,
)
from .kernel_step import (
    interactive_kernel_lam2,
    plot_drift,
    plot_kernel_lam2,
    plot_outer_iterations,
    plot_step_rules,
    plot_sweep_map,
    plot_sweep_scores,
)
from .layers import interactive_defocus, plot_defocus, plot_occlusion, plot_scene
from .outliers import (
    MASK_ERROR_COLORS,
    interactive_outlier_deblur,
    plot_mask_error,
    plot_outlier_deblur,
    plot_outlier_results,
    plot_outlier_weights,
    plot_threshold_rules,
)
from .rank import interactive_low_rank_deblur, plot_low_rank_deblur, plot_singular_values
from .symmetry import (
    DIHEDRAL_NAMES,
    interactive_symmetrize,
    plot_dihedral_images,
    plot_kernel_errors,
    plot_symmetrize,
)
from .whole_method import (
    interactive_layer_lam1,
    plot_boundary_crops,
    plot_kernel_pairs,
    plot_layer_comparison,
    plot_layer_lam1,
    plot_pipeline,
)

__all__ = [
    # _common
    "BOOK_STYLE",
    "DEFOCUS_CMAP",
    "IMAGE_CMAP",
    "KERNEL_CMAP",
    "LAYER_COLORS",
    "MAX_WIDTH",
    "as_values",
    "book_style",
    "float_slider",
    "image_grid",
    "int_slider",
    "interactive_plot",
    "layer_labels",
    "layer_psnr",
    "log_slider",
    "mask_iou",
    "glue",
    "Table",
    "new_figure",
    "outline_region",
    "pad_kernels",
    "panel_grid",
    "psnr",
    "show_image",
    "show_kernel",
    "show_layers",
    # layers
    "interactive_defocus",
    "plot_defocus",
    "plot_occlusion",
    "plot_scene",
    # gaussian
    "GAUSSIAN_SIZE",
    "interactive_gaussian_deblur",
    "plot_gaussian_deblur",
    "plot_psnr_vs_sigma",
    "plot_spectra",
    # rank
    "interactive_low_rank_deblur",
    "plot_low_rank_deblur",
    "plot_singular_values",
    # symmetry
    "DIHEDRAL_NAMES",
    "interactive_symmetrize",
    "plot_dihedral_images",
    "plot_kernel_errors",
    "plot_symmetrize",
    # kernel_step
    "interactive_kernel_lam2",
    "plot_kernel_lam2",
    "plot_outer_iterations",
    "plot_step_rules",
    "plot_sweep_scores",
    "plot_sweep_map",
    "plot_drift",
    # image_step
    "FRAMELET_NAMES",
    "interactive_lam1_deblur",
    "plot_convergence",
    "plot_framelet_bands",
    "plot_framelet_filters",
    "plot_lam1_deblur",
    # outliers
    "MASK_ERROR_COLORS",
    "interactive_outlier_deblur",
    "plot_mask_error",
    "plot_outlier_deblur",
    "plot_outlier_results",
    "plot_outlier_weights",
    "plot_threshold_rules",
    # defocus_map
    "interactive_segmentation",
    "plot_calibration",
    "plot_edge_estimates",
    "plot_layer_split",
    "plot_segmentation",
    # whole_method
    "interactive_layer_lam1",
    "plot_boundary_crops",
    "plot_kernel_pairs",
    "plot_layer_comparison",
    "plot_layer_lam1",
    "plot_pipeline",
]
