"""The methods of the benchmark, and running them on the scenes.

Every method maps ``(f, masks, channel_axis, scene)`` to ``(image, kernels)``: the
all-in-focus estimate and the estimated kernel of every defocused layer (``None`` for the
methods that estimate none).  All get the same observed image and the same (perturbed) masks;
only the oracle also looks at the scene's true kernels and true masks.  ``full_auto`` ignores
the masks: it estimates the map and the layers itself, as a photographer's run does, and
returns a third item, its :func:`~.metrics.segmentation_scores`.

* :data:`METHODS`: the input itself, the oracle, the full method
  (:func:`~defocus_teach.pipeline.all_in_focus` with the given masks), the fully automatic
  one (``full_auto``, nothing given), three ablations and four baselines
  (:mod:`defocus_teach.baselines`, applied layer by layer with :func:`per_layer`), then the
  peers of :mod:`.peers` whose library is installed (``deepinv_blind_rl`` with deepinv, the
  extra ``peers``; :data:`PEERS` names them); :data:`QUICK_METHODS` is the subset of
  ``--quick``;
* :func:`run_method` runs one method on one scene and scores it (one CSV row);
  :func:`run_suite` runs every method on every scene.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .. import baselines
from ..pipeline import all_in_focus
from ..u_step import deconvolve
from . import peers
from .metrics import evaluate, segmentation_scores
from .scenes import SCENES, BenchmarkScene, SceneSpec, make_scene

__all__ = ["METHODS", "QUICK_METHODS", "PEERS", "per_layer", "run_method", "run_suite"]


def _paste(output: np.ndarray, estimate: np.ndarray, mask: np.ndarray, channel_axis) -> None:
    region = mask if channel_axis is None else np.expand_dims(mask, channel_axis)
    np.copyto(output, estimate, where=region)


def per_layer(method: Callable, f: np.ndarray, masks: Sequence, channel_axis=None, **options):
    """Apply a one-layer method to every defocused layer and compose like ``all_in_focus``.

    Parameters
    ----------
    method : callable
        ``method(f, mask, channel_axis=..., **options)`` returning a
        :class:`~defocus_teach.blind.BlindResult` (every function of :mod:`.baselines`).
    f : ndarray
        Observed image.
    masks : sequence of ndarray of bool
        Layer masks, layer 0 in focus (kept as it is).
    channel_axis : int, optional
        Colour axis.

    Returns
    -------
    image : ndarray
        :math:`\\sum_i \\alpha_i \\odot u_i` with :math:`u_0 = f`.
    kernels : list of ndarray
        The kernel of every defocused layer.
    """
    output = np.array(f, dtype=np.float64, copy=True)
    found = []
    for mask in masks[1:]:
        result = method(f, mask, channel_axis=channel_axis, **options)
        _paste(output, result.image, mask, channel_axis)
        found.append(result.kernel)
    return output, found


def _input(f, masks, channel_axis, scene):
    return np.array(f, copy=True), None


def _oracle(f, masks, channel_axis, scene):
    """Non-blind u-step with the true kernel on the true mask of every defocused layer."""
    output = np.array(f, copy=True)
    for mask, kernel in zip(scene.true_masks[1:], scene.true_kernels[1:], strict=True):
        estimate = deconvolve(f, kernel, mask, channel_axis=channel_axis)  # default lam1
        _paste(output, estimate, mask, channel_axis)
    return output, None


def _full(**options):
    def run(f, masks, channel_axis, scene):
        result = all_in_focus(f, masks=masks, channel_axis=channel_axis, **options)
        return result.image, _estimated(result)[1:]

    return run


def _estimated(result) -> list:
    """The kernel estimated for every layer, None where none was (a layer kept untried)."""
    return [layer.kernel if layer is not None else None for layer in result.layers]


def _matched_kernels(scene, masks, found_kernels):
    """For every true defocused layer, the kernel of the found layer that overlaps it most."""
    matched = []
    for truth in scene.true_masks[1:]:
        overlap = [np.count_nonzero(truth & m) for m in masks]
        best = int(np.argmax(overlap))
        matched.append(found_kernels[best] if best > 0 else None)
    return matched


def _full_auto(f, masks, channel_axis, scene):
    """The photographer's run: map, layers and kernels estimated, nothing from the truth."""
    result = all_in_focus(f, channel_axis=channel_axis)
    extras = segmentation_scores(scene, result.masks, result.defocus_map)
    return result.image, _matched_kernels(scene, result.masks, _estimated(result)), extras


def _baseline(function):
    def run(f, masks, channel_axis, scene):
        return per_layer(function, f, masks, channel_axis)

    return run


#: The optional peers: name -> (library that must be importable, one-layer method).
_PEER_METHODS = {"deepinv_blind_rl": ("deepinv", peers.deepinv_blind_rl)}
#: Names of the optional peers, installed or not: never in ``--quick`` (its rows must not
#: depend on what is installed); the committed results may hold their rows.
PEERS: tuple[str, ...] = tuple(_PEER_METHODS)


def _peers() -> dict[str, Callable]:
    """The peers whose library is installed (optional dependencies, not in CI)."""
    return {
        name: _baseline(function)
        for name, (library, function) in _PEER_METHODS.items()
        if importlib.util.find_spec(library) is not None
    }


#: name -> ``run(f, masks, channel_axis, scene) -> (image, kernels or None)``, in table order.
METHODS: dict[str, Callable] = {
    "input": _input,
    "oracle": _oracle,
    "full": _full(),
    "full_auto": _full_auto,
    "no_symmetry": _full(use_symmetry=False),
    "no_low_rank": _full(use_low_rank=False),
    "no_outliers": _full(use_outliers=False),
    "gaussian": _baseline(baselines.gaussian_deblur),
    "motion_style": _baseline(baselines.motion_style_kernel),
    "richardson_lucy": _baseline(baselines.richardson_lucy),
    "wiener": _baseline(baselines.wiener),
    **_peers(),
}

#: Methods of ``--quick``: all but the two whose k-step works on every pixel of the kernel
#: (no symmetry: normal equations of 961 unknowns instead of 136), about 3x slower than
#: the full method, and the optional :data:`PEERS`.
QUICK_METHODS: tuple[str, ...] = tuple(
    m for m in METHODS if m not in ("no_symmetry", "motion_style", *PEERS)
)


def run_method(name: str, scene: BenchmarkScene) -> dict:
    """Run one method of :data:`METHODS` on one scene and score it: one CSV row.

    Parameters
    ----------
    name : str
        Key of :data:`METHODS`.
    scene : BenchmarkScene

    Returns
    -------
    row : dict
        The scene's description, the metrics of :func:`evaluate` and ``seconds``, the wall
        time of the method (``time.perf_counter``).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES, make_scene, run_method
    >>> row = run_method("input", make_scene(SCENES[0]))
    >>> row["method"], round(row["defocused_psnr"], 2) < 30
    ('input', True)
    """
    if name not in METHODS:
        raise ValueError(f"name must be one of {list(METHODS)}, got {name!r}")
    spec = scene.spec
    start = time.perf_counter()
    estimate, found, *extras = METHODS[name](scene.blurred, scene.masks, scene.channel_axis, scene)
    seconds = time.perf_counter() - start
    row = {
        "scene": spec.name,
        "method": name,
        "quick": spec.quick,
        "image": spec.image,
        "colour": spec.colour,
        "kernel": spec.family,
        "radii": "+".join(f"{r:g}" for r in spec.radii),
        "defocused_layers": spec.n_defocused,
        "noise": spec.noise,
        "seg_error": spec.seg_error,
    }
    row.update(evaluate(scene, estimate, found))
    row.update({"layers_found": math.nan, "iou": math.nan, "map_error": math.nan})
    if extras:  # the automatic methods also score their segmentation
        row.update(extras[0])
    row["seconds"] = seconds
    return row


def run_suite(
    scenes: Iterable[SceneSpec] | None = None,
    methods: Iterable[str] | None = None,
    quick: bool = False,
    progress: Callable[[str], object] | None = None,
) -> list[dict]:
    """Run every method on every scene of the suite.

    Parameters
    ----------
    scenes : iterable of SceneSpec, optional
        Default :data:`SCENES` (only the quick ones with ``quick=True``).
    methods : iterable of str, optional
        Default: every key of :data:`METHODS` (:data:`QUICK_METHODS` with ``quick=True``).
    quick : bool, optional
        Keep only the scenes marked ``quick``.
    progress : callable, optional
        Receives one message per scene and method.

    Returns
    -------
    rows : list of dict
        One row per scene and method, columns :data:`COLUMNS`.
    """
    scenes = list(SCENES if scenes is None else scenes)
    if quick:
        scenes = [s for s in scenes if s.quick]
    if methods is None:
        methods = QUICK_METHODS if quick else METHODS
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {list(METHODS)}")
    rows = []
    for index, spec in enumerate(scenes, start=1):
        scene = make_scene(spec)
        for name in methods:
            row = run_method(name, scene)
            rows.append(row)
            if progress is not None:
                progress(
                    f"[{index}/{len(scenes)}] {spec.name:<24} {name:<16} "
                    f"defocused PSNR {row['defocused_psnr']:6.2f} dB  {row['seconds']:6.1f} s"
                )
    return rows
