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
