"""Assignment "defocus": your own defocus-map estimator (starter module).

The method of Xu, Liu & Ji [1]_ (section 3.3, Fig. 5) splits a photograph into depth layers
by thresholding a defocus map: the amount of blur at every pixel.  The package estimates it
with the gradient-ratio method of Zhuo & Sim [2]_ (:mod:`defocus_teach.defocus_map`).  This
assignment writes another estimator and plugs it into the whole method::

    from defocus_teach import all_in_focus
    result = all_in_focus(photo, defocus_estimator=estimate_blur_map)

Replace the ``raise NotImplementedError`` by your code; keep the name, the signature and the
contract of the docstring.  Do not call :func:`~defocus_teach.defocus_map.estimate_defocus_map`
or the private helpers of :mod:`defocus_teach.defocus_map`.  The chapter "Assignment: your own
defocus map" (``book/assignment_defocus.md``) states the task, suggests methods and explains
the grading; grade your work with ``python -m defocus_teach.assignments grade defocus``.

References
----------
.. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
       arXiv:1808.09166 (2018), section 3.3.
.. [2] Zhuo, S., Sim, T. "Defocus map estimation from a single image." Pattern
       Recognition 44(9), 1852-1858 (2011).
"""

from __future__ import annotations

import numpy as np

__all__ = ["estimate_blur_map"]


def estimate_blur_map(grey: np.ndarray, max_blur: float = 15.0) -> np.ndarray:
    """Blur radius at every pixel of a greyscale image, in pixels.

    Parameters
    ----------
    grey : (H, W) ndarray
        Greyscale image f, float values in [0, 1], at least 16 x 16 pixels.  Not modified.
    max_blur : float, optional
        Largest radius reported (> 0), default 15 px (the paper's 31 x 31 kernels).

    Returns
    -------
    radius : (H, W) ndarray of float64
        Finite, in [0, ``max_blur``]: the radius R(x) of the disk kernel
        (:func:`defocus_teach.kernels.disk`) that best explains the blur around pixel x.
        It must grow with the blur: at a step edge blurred by a disk of radius R the
        estimate grows with R and is within a factor 2 of R for 2 <= R <= 6.

    Raises
    ------
    ValueError
        If ``grey`` is not a finite 2-D array of at least 16 x 16 pixels, or ``max_blur``
        is not positive.

    Notes
    -----
    :func:`~defocus_teach.pipeline.all_in_focus` calls ``defocus_estimator(grey)`` with the
    greyscale image and thresholds the map with
    :func:`defocus_teach.segmentation.segment_layers`, so a map is good when the
    thresholds separate sharp regions from blurred ones.  A suggested method (gradient
    ratio at edges, then a simple propagation) is in the chapter; any method that meets
    the contract is accepted.

    Examples
    --------
    >>> from skimage import data
    >>> grey = data.camera()[:128, :128] / 255.0
    >>> estimate_blur_map(grey).shape  # doctest: +SKIP
    (128, 128)
    """
    raise NotImplementedError("estimate_blur_map: write it (see its docstring)")
