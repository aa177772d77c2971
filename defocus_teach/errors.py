"""Exceptions of the package, for callers that want to react to one kind of failure.

Every exception here subclasses a built-in one (``ValueError``), so code that catches the
built-in keeps working; code that needs to tell one failure from another catches the class.
"""

from __future__ import annotations

__all__ = ["LayerTooSmallError", "NoTextureError"]


class LayerTooSmallError(ValueError):
    """A layer holds no square of pixels large enough to measure its blur.

    Raised by :func:`defocus_teach.kernel_init.initial_disk_kernel` (and so by
    :func:`~defocus_teach.blind.blind_deconvolve` when it has to choose the initial kernel
    itself).  :func:`~defocus_teach.pipeline.all_in_focus` catches it and starts such a layer from
    the disk whose radius is the layer's median defocus instead.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import initial_disk_kernel
    >>> from defocus_teach.errors import LayerTooSmallError
    >>> thin = np.zeros((64, 64), bool)
    >>> thin[:, 30:34] = True  # a 4 px wide strip
    >>> try:
    ...     initial_disk_kernel(np.full((64, 64), 0.5), thin)
    ... except LayerTooSmallError:
    ...     print("too thin")
    too thin
    """


class NoTextureError(ValueError):
    """An image or layer has no edges or texture, so its blur cannot be measured.

    Raised by :func:`defocus_teach.defocus_map.estimate_defocus_map` for an image without
    edges, and by :func:`defocus_teach.kernel_init.initial_disk_kernel` (so by
    :func:`~defocus_teach.blind.blind_deconvolve` choosing its own initial kernel) for a layer
    that is constant.  :func:`~defocus_teach.pipeline.all_in_focus` catches it and leaves such an
    image, or layer, as it is: there is nothing in it to deblur.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import initial_disk_kernel
    >>> from defocus_teach.errors import NoTextureError
    >>> try:
    ...     initial_disk_kernel(np.full((64, 64), 0.5))
    ... except NoTextureError:
    ...     print("flat")
    flat
    """
