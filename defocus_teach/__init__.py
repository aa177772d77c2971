"""defocus_teach: blind removal of out-of-focus blur from a single image.

A small, readable implementation of Xu, Liu & Ji, "Removing out-of-focus blur from a single
image" (arXiv:1808.09166, 2018), written to accompany the book in ``book/``.  One module per
step of the method:

- ``kernels``: kernel families (Fig. 4), rank, symmetry and the projection P_Omega (eq. 10);
- ``operators``: blur, its adjoint and the kernel gradient; the periodic working grid;
- ``framelet``: the spline framelet W of the image prior, and swappable tight frames;
- ``u_step``: image update, eq. (8), by ADMM (:func:`~defocus_teach.u_step.deconvolve`);
- ``k_step``: kernel update, eq. (9), Alg. 1 (:func:`~defocus_teach.k_step.estimate_kernel`);
- ``c_step``: outlier term for segmentation errors, eqs. (5)-(6)
  (:func:`~defocus_teach.c_step.outlier_term`);
- ``tile_spectra``: radially binned power spectra of a layer's tiles;
- ``kernel_init``: initial kernel by a sweep over radius and apodisation
  (:func:`~defocus_teach.kernel_init.initial_kernel`; disks only:
  :func:`~defocus_teach.kernel_init.initial_disk_kernel`);
- ``blind``: Alg. 2 for one layer (:func:`~defocus_teach.blind.blind_deconvolve`);
- ``tiling``: large layers in bounded memory (the kernel from a textured window, the final
  u-step in tiles);
- ``errors``: the package's exceptions (:class:`~defocus_teach.errors.LayerTooSmallError`,
  :class:`~defocus_teach.errors.NoTextureError`);
- ``pipeline``: the whole method, Fig. 5 (:func:`~defocus_teach.pipeline.all_in_focus`);
- ``baselines``: Gaussian-kernel, motion-style, Richardson-Lucy and Wiener baselines;
- ``defocus_map``: blur per pixel, after Zhuo & Sim 2011
  (:func:`~defocus_teach.defocus_map.estimate_defocus_map`);
- ``segmentation``: layers from the map (:func:`~defocus_teach.segmentation.segment_layers`);
- ``layer_split``: automatic layers checked by the initial-kernel sweep (a core for the
  sweep, a split where the layer's tiles read two different blurs);
- ``simulate``: layered defocus with occlusion, eq. (1)
  (:func:`~defocus_teach.simulate.layered_defocus`);
- ``data``: scenes with ground truth and real photographs;
- ``viz``: figures and sliders of the book (never used by the solver);
- ``io`` and ``cli``: reading and writing photos, ``python -m defocus_teach``;
- ``benchmark``: the measured suite (``python -m defocus_teach.benchmark``);
- ``assignments``: course assignments and their grader (``python -m defocus_teach.assignments``).
"""

from . import baselines, data, framelet, kernels, operators, simulate
from .blind import BlindResult, blind_deconvolve
from .c_step import outlier_term, outlier_weights
from .defocus_map import estimate_defocus_map
from .errors import LayerTooSmallError, NoTextureError
from .k_step import estimate_kernel
from .kernel_init import initial_disk_kernel, initial_kernel
from .pipeline import AllInFocusResult, all_in_focus
from .segmentation import segment_layers
from .simulate import layered_defocus
from .u_step import deconvolve

__version__ = "0.1.0"

__all__ = [
    "baselines",
    "data",
    "framelet",
    "kernels",
    "operators",
    "simulate",
    "deconvolve",
    "estimate_kernel",
    "outlier_term",
    "outlier_weights",
    "initial_kernel",
    "initial_disk_kernel",
    "estimate_defocus_map",
    "segment_layers",
    "layered_defocus",
    "blind_deconvolve",
    "BlindResult",
    "all_in_focus",
    "AllInFocusResult",
    "LayerTooSmallError",
    "NoTextureError",
]
