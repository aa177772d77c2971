"""The composition step of :func:`~defocus_teach.pipeline.all_in_focus`: blend, check, blend again.

What happened to each layer (:class:`_Layer`), the blend of the deblurred layers weighted by
the trust maps of :mod:`defocus_teach.compose`, and the do-no-harm checks of
:mod:`defocus_teach.safeguards` run on what the blend puts into the image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.color import rgb2gray

from .compose import compose_layers, evidence_trust, misfit_trust, outlier_trust, range_trust
from .operators import blur
from .safeguards import blur_evidence_map, check_layer, kernel_radius


@dataclass(frozen=True)
class _Layer:
    """What happened to one layer: its status, blind result (or None) and checks."""

    status: str
    result: object = None
    checks: tuple = ()

    @property
    def used(self) -> bool:
        return self.status == "deblurred"

    @property
    def kept(self) -> bool:
        """The input is kept: a check failed, or the layer is flat."""
        return self.status.startswith("kept")


def _failed(checks) -> str | None:
    for check in checks:
        if not check.passed:
            return f"kept: {check.rule} ({check.value:.3g} against a limit of {check.limit:g})"
    return None


def _compose(image, masks, layers, channel_axis, do_no_harm, blend, report):
    """Blend the deblurred layers; keep the input on those whose blend fails a check.

    The checks of :func:`~defocus_teach.safeguards.check_layer` judge what goes into the
    image: each layer of the blend.  A layer that fails one is left out, and the others
    are blended again.
    """
    output = blend(layers)
    if not do_no_harm:
        return output, layers
    report("checking the deblurred layers")
    checked = []
    for mask, layer in zip(masks, layers, strict=True):
        if not layer.used:
            checked.append(layer)
            continue
        checks = layer.checks + tuple(
            check_layer(
                image,
                output,
                mask,
                layer.result.kernel,
                deconvolved=layer.result.image,
                channel_axis=channel_axis,
            )  # fmt: skip
        )
        checked.append(_Layer(_failed(checks) or "deblurred", layer.result, checks))
    if all(old.used == new.used for old, new in zip(layers, checked, strict=True)):
        return output, checked
    report("blending again without the layers that failed a check")
    return blend(checked), checked


def _trusts(grey, masks, layers, *, channel_axis, noise):
    """The trust map of every deblurred layer (None for the others), for all the blends.

    A check that fails changes a layer's status, never its result, so the maps of the
    layers still in use are the same when :func:`_compose` blends again.  ``noise`` is the
    noise level of ``grey`` (the luminance) when the layers are weighted by their fit
    (``fit_trust``), else None.
    """
    return [
        _trust(grey, mask, layer.result, kernel_radius(layer.result.kernel), channel_axis, noise)
        if layer.used else None
        for mask, layer in zip(masks, layers, strict=True)
    ]  # fmt: skip


def _blend(image, masks, layers, *, trusts, channel_axis, feather):
    """u_aif from the layers in use: feathered and weighted by ``trusts``, or pasted."""
    estimates = [layer.result.image if layer.used else None for layer in layers]
    if not feather:
        return _paste(image, estimates, masks, channel_axis)
    widths = [kernel_radius(layer.result.kernel) if layer.used else 0.0 for layer in layers]
    trust = [map_ if layer.used else None for map_, layer in zip(trusts, layers, strict=True)]
    return compose_layers(image, estimates, masks, widths, trust=trust, channel_axis=channel_axis)


def _trust(grey, mask, result, radius, channel_axis, noise):
    """Where a layer's estimate may replace the input: sparse outliers and (with ``noise``,
    the fit weighting) values near [0, 1], a data fit and local evidence of the blur."""
    trust = outlier_trust(_flagged(result.outliers, channel_axis), radius)
    if noise is None:
        return trust
    trust = trust * range_trust(result.image, radius, channel_axis=channel_axis)
    estimate = result.image
    if channel_axis is not None:
        estimate = rgb2gray(estimate, channel_axis=channel_axis)
    residual = np.where(mask, grey - blur(estimate, result.kernel, "symmetric"), 0.0)
    evidence = blur_evidence_map(grey, mask, result.kernel, noise)
    return trust * misfit_trust(residual, noise, radius) * evidence_trust(evidence, radius)


def _flagged(outliers, channel_axis):
    """Pixels where any channel of the outlier term c is non-zero, (H, W)."""
    flagged = np.asarray(outliers) != 0
    if channel_axis is not None and flagged.ndim == 3:
        flagged = np.moveaxis(flagged, channel_axis, -1).any(axis=-1)
    return flagged


def _paste(image, estimates, masks, channel_axis):
    output = image.copy()
    spatial = output if channel_axis is None else np.moveaxis(output, channel_axis, -1)
    for estimate, mask in zip(estimates, masks, strict=True):
        if estimate is not None:
            moved = estimate if channel_axis is None else np.moveaxis(estimate, channel_axis, -1)
            spatial[mask] = moved[mask]  # u_aif = sum_i alpha_i .* u_i
    return output
