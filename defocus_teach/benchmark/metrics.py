"""The metrics of the benchmark: PSNR and SSIM per region, and the kernel error.

An estimate is scored against the scene's ground truth on the whole image, on the defocused
layers (all of them, then each one), and in a band of
:data:`~defocus_teach.benchmark.scenes.BAND_WIDTH` pixels around the true layer boundaries,
where segmentation errors and ringing live; each estimated kernel by its relative error
(:func:`defocus_teach.kernels.kernel_error`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from .. import kernels
from .scenes import BenchmarkScene

__all__ = ["SSIM_OPTIONS", "evaluate", "segmentation_scores", "true_radius_map"]
#: SSIM settings: Gaussian window of sigma 1.5 and population covariance, the choices of
#: Wang et al. (2004) that :func:`skimage.metrics.structural_similarity` documents.
SSIM_OPTIONS = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}


def _region_psnr(truth: np.ndarray, estimate: np.ndarray, region: np.ndarray) -> float:
    return float(peak_signal_noise_ratio(truth[region], estimate[region], data_range=1.0))


def evaluate(
    scene: BenchmarkScene, estimate: np.ndarray, found_kernels: Sequence | None = None
) -> dict[str, float]:
    """PSNR and SSIM of an estimate on the whole image, per true layer and in the band.

    Parameters
    ----------
    scene : BenchmarkScene
        The scene (ground truth, true masks, band).
    estimate : ndarray
        All-in-focus estimate, same shape as ``scene.sharp``.  It is clipped to [0, 1]
        before scoring, as saving it to an 8-bit file would.
    found_kernels : sequence of ndarray or None, optional
        Estimated kernel of each defocused layer (sharpest first); None for a layer that
        has none (kept as it is before any estimate), whose kernel error is then nan.

    Returns
    -------
    metrics : dict
        ``psnr``, ``ssim`` (whole image); ``infocus_psnr``/``ssim`` (the true in-focus
        layer); ``defocused_psnr``/``ssim`` (all defocused
        layers); ``layer1_psnr``... per defocused layer; ``band_psnr``/``ssim``; and
        ``kernel_error1``/``2`` (:func:`~defocus_teach.kernels.kernel_error`), nan when
        absent.

    Notes
    -----
    :func:`skimage.metrics.peak_signal_noise_ratio` and
    :func:`skimage.metrics.structural_similarity` with ``data_range=1``; SSIM with a
    Gaussian window of sigma 1.5 and population statistics (``SSIM_OPTIONS``), its
    map averaged over each region (and over the colour channels).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES, evaluate, make_scene
    >>> scene = make_scene(SCENES[0])
    >>> metrics = evaluate(scene, scene.sharp)
    >>> metrics["psnr"], metrics["band_ssim"]
    (inf, 1.0)
    """
    truth = scene.sharp
    clipped = np.clip(estimate, 0.0, 1.0)
    ssim, ssim_map = structural_similarity(
        truth, clipped, data_range=1.0, channel_axis=scene.channel_axis, full=True,
        **SSIM_OPTIONS,
    )  # fmt: skip
    if scene.channel_axis is not None:
        ssim_map = ssim_map.mean(axis=scene.channel_axis)
        truth = np.moveaxis(truth, scene.channel_axis, -1)
        clipped = np.moveaxis(clipped, scene.channel_axis, -1)
    with np.errstate(divide="ignore"):  # a perfect estimate has an infinite PSNR
        metrics = {
            "psnr": float(peak_signal_noise_ratio(truth, clipped, data_range=1.0)),
            "ssim": float(ssim),
        }
        defocused = np.any(scene.true_masks[1:], axis=0)
        regions = [("infocus", scene.true_masks[0]), ("defocused", defocused)]
        regions += [("band", scene.band)]
        regions += [(f"layer{i}", m) for i, m in enumerate(scene.true_masks[1:], start=1)]
        for name, region in regions:
            metrics[f"{name}_psnr"] = _region_psnr(truth, clipped, region)
            metrics[f"{name}_ssim"] = float(ssim_map[region].mean())
    for i in range(1, 3):
        metrics.setdefault(f"layer{i}_psnr", math.nan)
        metrics.setdefault(f"layer{i}_ssim", math.nan)
        metrics[f"kernel_error{i}"] = math.nan
    if found_kernels is not None:
        for i, (found, true) in enumerate(
            zip(found_kernels, scene.true_kernels[1:], strict=True), start=1
        ):
            if found is not None:  # None: the layer was kept before any estimate
                metrics[f"kernel_error{i}"] = kernels.kernel_error(found, true)
    return metrics


def true_radius_map(scene: BenchmarkScene) -> np.ndarray:
    """The scene's blur radius per pixel: 0 on the in-focus layer, R_i on layer i."""
    radius = np.zeros(scene.true_masks[0].shape)
    for mask, value in zip(scene.true_masks[1:], scene.spec.radii, strict=True):
        radius[mask] = value
    return radius


def segmentation_scores(
    scene: BenchmarkScene, masks: Sequence[np.ndarray], defocus_map: np.ndarray | None
) -> dict[str, float]:
    """How well an automatic method found the layers of a scene.

    Parameters
    ----------
    scene : BenchmarkScene
    masks : sequence of ndarray of bool
        The layers it found, layer 0 in focus (empty layers are not counted).
    defocus_map : ndarray or None
        Its blur radius per pixel, in pixels.

    Returns
    -------
    scores : dict
        ``layers_found`` (non-empty layers, in-focus one included), ``iou`` (intersection
        over union of the pixels it called defocused with the truly defocused ones) and
        ``map_error`` (mean absolute error of the map against :func:`true_radius_map`,
        pixels; nan without a map).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES, make_scene
    >>> from defocus_teach.benchmark.metrics import segmentation_scores, true_radius_map
    >>> scene = make_scene(SCENES[0])
    >>> segmentation_scores(scene, scene.true_masks, true_radius_map(scene))
    {'layers_found': 2.0, 'iou': 1.0, 'map_error': 0.0}
    """
    found = ~np.asarray(masks[0], dtype=bool)
    truth = ~scene.true_masks[0]
    union = np.count_nonzero(found | truth)
    iou = np.count_nonzero(found & truth) / union if union else 1.0
    error = math.nan
    if defocus_map is not None:
        error = float(np.mean(np.abs(np.asarray(defocus_map) - true_radius_map(scene))))
    return {
        "layers_found": float(sum(bool(np.any(m)) for m in masks)),
        "iou": float(iou),
        "map_error": error,
    }
