"""The benchmark: every method on a fixed, seeded suite of layered scenes with ground truth.

The paper shows pictures but reports no numbers.  This module measures the method and its
competitors on synthetic scenes built with the layered forward model
(:func:`defocus_teach.simulate.layered_defocus`, eq. (1) with occlusion), where the sharp image,
the kernels and the masks are known (METHOD.md section 11).

* :data:`SCENES` lists the suite: crops of four ``skimage.data`` images, grey and colour, one
  or two defocused layers behind an in-focus blob, disk and Gaussian-pupil kernels of radius
  3 to 9, noise 0.002 to 0.01 and segmentation errors of 0, 3 and 6 pixels;
* :data:`METHODS` lists the methods, all given the same image and the same (perturbed)
  masks: the input itself, the oracle (true kernel and true masks), the full method
  (:func:`defocus_teach.all_in_focus`), three ablations and four baselines;
* :func:`run_suite` computes PSNR and SSIM on the whole image, on the defocused layers and
  in a band around the layer boundaries, the kernel error and the time of every method;
* :func:`summary_markdown` and :func:`summary_figure` summarise the rows, and
  :func:`load_results` reads the committed results back (the book's chapter "Does it work?
  Measured" does only that, it never solves).

Run it as ``python -m defocus_teach.benchmark`` (``--quick`` for a subset that runs in under
a minute); ``benchmarks/quality.py`` in the repository is the same command.

References
----------
.. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
       arXiv:1808.09166 (2018).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from skimage import data as skdata
from skimage.color import rgb2gray
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from . import baselines, kernels, simulate
from .blind import default_lam1
from .pipeline import all_in_focus
from .u_step import deconvolve

__all__ = [
    "SceneSpec",
    "BenchmarkScene",
    "SCENES",
    "METHODS",
    "QUICK_METHODS",
    "COLUMNS",
    "GROUPS",
    "BAND_WIDTH",
    "make_scene",
    "per_layer",
    "run_method",
    "run_suite",
    "evaluate",
    "write_csv",
    "read_csv",
    "load_results",
    "summarize",
    "paired_differences",
    "summary_markdown",
    "summary_figure",
    "plot_scenes",
    "plot_scene_results",
    "plot_kernel_errors",
    "main",
]

#: Half-width in pixels of the band around layer boundaries where the metrics are also taken.
BAND_WIDTH = 10
#: SSIM settings (METHOD.md section 11): Gaussian window of sigma 1.5, population covariance.
SSIM_OPTIONS = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}
#: sigma of the Gaussian apodisation of a pupil kernel, relative to its radius.
PUPIL_SIGMA = 0.7
#: The repository's results folder, and the copy of the CSV shipped inside the package.
REPO_RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
PACKAGED_CSV = Path(__file__).resolve().parent / "benchmark_results.csv"


@dataclass(frozen=True)
class SceneSpec:
    """One scene of the suite: everything needed to rebuild it exactly.

    Attributes
    ----------
    name : str
        Unique name.
    image : str
        ``skimage.data`` image: "camera", "astronaut", "coffee" or "chelsea".
    origin : tuple of int
        Top-left corner (row, column) of the square crop.
    size : int
        Side of the crop in pixels.
    colour : bool
        Colour (channels last) or grey (:func:`skimage.color.rgb2gray`).
    family : str
        Kernel family of the defocused layers: "disk" or "pupil"
        (:func:`~defocus_teach.kernels.gaussian_pupil` with sigma = 0.7 R).
    radii : tuple of float
        Blur radius of each defocused layer, sharpest first (one or two values).
    noise : float
        Standard deviation of the additive Gaussian noise.
    seg_error : int
        Segmentation error in pixels given to :func:`~defocus_teach.simulate.perturb_mask`
        for the first defocused layer (> 0 grows it, < 0 shrinks it).
    seed : int
        Seed of the scene's generator (shapes, then noise).
    quick : bool
        Part of the ``--quick`` subset.
    """

    name: str
    image: str
    origin: tuple[int, int]
    size: int
    colour: bool
    family: str
    radii: tuple[float, ...]
    noise: float
    seg_error: int
    seed: int
    quick: bool = False

    @property
    def n_defocused(self) -> int:
        """Number of defocused layers (1 or 2)."""
        return len(self.radii)


@dataclass(frozen=True)
class BenchmarkScene:
    """A built scene: the data every method gets and the ground truth it is scored on.

    Attributes
    ----------
    spec : SceneSpec
    sharp : ndarray
        All-in-focus ground truth, (H, W) or (H, W, 3).
    blurred : ndarray
        The observed image f.
    true_masks : list of ndarray of bool
        True layer masks, layer 0 in focus, then the defocused layers sharpest first.
    masks : list of ndarray of bool
        The masks given to the methods: ``true_masks`` with layer 1 perturbed by
        ``spec.seg_error`` pixels (still a partition).
    true_kernels : list of ndarray
        The kernel of each layer (``[[1.0]]`` for layer 0).
    band : ndarray of bool
        Pixels within :data:`BAND_WIDTH` of a true layer boundary.
    channel_axis : int or None
        -1 for colour, None for grey.
    """

    spec: SceneSpec
    sharp: np.ndarray
    blurred: np.ndarray
    true_masks: list
    masks: list
    true_kernels: list
    band: np.ndarray
    channel_axis: int | None


def _scene(name, image, origin, colour, family, radii, noise, seg_error, seed, **extra):
    return SceneSpec(
        name, image, origin, extra.get("size", 192), colour, family, radii, noise, seg_error,
        seed, extra.get("quick", False),
    )  # fmt: skip


#: The suite: 12 scenes, 2 quick ones at 128 x 128 and 10 at 192 x 192.  Every source image,
#: kernel family, radius 3..9, noise level, segmentation error (0, 3, 6 px; grown or shrunk),
#: layer count and grey/colour occurs at least once.
SCENES: tuple[SceneSpec, ...] = (
    _scene("q1-camera-disk5", "camera", (96, 200), False, "disk", (5,), 0.005, 0, 101,
           size=128, quick=True),
    _scene("q2-astronaut-pupil4-rgb", "astronaut", (140, 150), True, "pupil", (4,), 0.002, 3,
           102, size=128, quick=True),
    _scene("camera-disk3", "camera", (180, 200), False, "disk", (3,), 0.002, 0, 103),
    _scene("camera-pupil7", "camera", (300, 200), False, "pupil", (7,), 0.01, 6, 104),
    _scene("coffee-disk9", "coffee", (160, 0), False, "disk", (9,), 0.005, -3, 105),
    _scene("astronaut-disk5-rgb", "astronaut", (0, 0), True, "disk", (5,), 0.005, 3, 107),
    _scene("coffee-pupil8-rgb", "coffee", (192, 320), True, "pupil", (8,), 0.002, -6, 108),
    _scene("chelsea-disk7-rgb", "chelsea", (32, 160), True, "disk", (7,), 0.01, 6, 109),
    _scene("camera-disk3+7", "camera", (64, 260), False, "disk", (3, 7), 0.005, 0, 111),
    _scene("astronaut-pupil5+9", "astronaut", (224, 128), False, "pupil", (5, 9), 0.002, 3, 112),
    _scene("chelsea-pupil3+6-rgb", "chelsea", (50, 150), True, "pupil", (3, 6), 0.005, -3, 114),
    _scene("astronaut-disk5+9-rgb", "astronaut", (288, 96), True, "disk", (5, 9), 0.002, 6,
           115),
)  # fmt: skip


def _source(name: str) -> np.ndarray:
    if name not in ("camera", "astronaut", "coffee", "chelsea"):
        raise ValueError(f"image must be camera, astronaut, coffee or chelsea, got {name!r}")
    return getattr(skdata, name)() / 255.0


def _kernel(family: str, radius: float) -> np.ndarray:
    if family == "disk":
        return kernels.disk(radius)
    if family == "pupil":
        return kernels.gaussian_pupil(radius, PUPIL_SIGMA * radius)
    raise ValueError(f"family must be 'disk' or 'pupil', got {family!r}")


def _blob(shape, centre, radius, rng) -> np.ndarray:
    """A star-shaped blob: a circle whose radius varies with 3 random harmonics."""
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    angle = np.arctan2(rows - centre[0], cols - centre[1])
    distance = np.hypot(rows - centre[0], cols - centre[1])
    boundary = np.ones(shape)
    for order in (2, 3, 4):
        boundary += rng.uniform(0.04, 0.12) * np.cos(order * angle + rng.uniform(0, 2 * np.pi))
    return distance <= radius * boundary


def _labels(spec: SceneSpec, rng: np.random.Generator) -> np.ndarray:
    """Label map, back to front: 0 the farthest defocused layer, the last label in focus."""
    n = spec.size
    labels = np.zeros((n, n), dtype=np.intp)
    if spec.n_defocused == 1:
        centre = n * rng.uniform(0.4, 0.6, 2)
        labels[_blob(labels.shape, centre, n * rng.uniform(0.26, 0.32), rng)] = 1
    else:  # a defocused blob up left, partly hidden by an in-focus blob down right
        middle = n * rng.uniform(0.3, 0.4, 2)
        labels[_blob(labels.shape, middle, n * rng.uniform(0.24, 0.28), rng)] = 1
        front = n * rng.uniform(0.62, 0.7, 2)
        labels[_blob(labels.shape, front, n * rng.uniform(0.22, 0.26), rng)] = 2
    return labels


def _perturbed(true_masks: list, pixels: int) -> list:
    """Masks with layer 1 grown or shrunk by ``pixels``, still a partition.

    Pixels that layer 1 takes leave their layer; pixels it gives up go to the layer behind it
    (layer 2) in a three-layer scene and to the in-focus layer 0 in a two-layer scene.
    """
    grown = simulate.perturb_mask(true_masks[1], pixels)
    given_up = true_masks[1] & ~grown
    masks = [m & ~grown for m in true_masks]
    masks[1] = grown
    masks[2 if len(masks) > 2 else 0] |= given_up
    return masks


def make_scene(spec: SceneSpec) -> BenchmarkScene:
    """Build a scene of the suite from its spec (deterministic: seeded by ``spec.seed``).

    Parameters
    ----------
    spec : SceneSpec
        One entry of :data:`SCENES` (or your own).

    Returns
    -------
    scene : BenchmarkScene

    Notes
    -----
    An in-focus blob in front of one defocused background, or of a defocused blob in front
    of a more defocused background; composited with occlusion by
    :func:`~defocus_teach.simulate.layered_defocus` (the back layer has the largest radius).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES, make_scene
    >>> scene = make_scene(SCENES[0])
    >>> scene.blurred.shape, len(scene.masks), int(sum(m.sum() for m in scene.masks))
    ((128, 128), 2, 16384)
    """
    rng = np.random.default_rng(spec.seed)
    top, left = spec.origin
    source = _source(spec.image)
    crop = source[top : top + spec.size, left : left + spec.size]
    if crop.shape[:2] != (spec.size, spec.size):
        raise ValueError(f"scene {spec.name!r}: the crop leaves the {spec.image} image")
    channel_axis = -1 if spec.colour else None
    sharp = crop if spec.colour or crop.ndim == 2 else rgb2gray(crop)
    labels = _labels(spec, rng)
    # layered_defocus wants kernels by label, back to front; the radii are sharpest first.
    by_label = [_kernel(spec.family, r) for r in reversed(spec.radii)] + [np.ones((1, 1))]
    blurred, masks = simulate.layered_defocus(
        sharp, labels, by_label, spec.noise, rng=rng, channel_axis=channel_axis
    )
    true_masks = list(masks[::-1])  # layer 0 in focus, then sharpest first
    true_kernels = by_label[::-1]
    band = simulate.boundary_band(labels, BAND_WIDTH)
    given = _perturbed(true_masks, spec.seg_error) if spec.seg_error else list(true_masks)
    return BenchmarkScene(
        spec, sharp, blurred, true_masks, given, true_kernels, band, channel_axis
    )


# ---------------------------------------------------------------------------------------------
# Methods: each maps (f, masks, channel_axis, scene) to (image, kernels of layers 1..L or None).


def _grey(f: np.ndarray, channel_axis: int | None) -> np.ndarray:
    return f if channel_axis is None else rgb2gray(np.moveaxis(f, channel_axis, -1))


def _paste(output: np.ndarray, estimate: np.ndarray, mask: np.ndarray, channel_axis) -> None:
    region = mask if channel_axis is None else np.expand_dims(mask, channel_axis)
    np.copyto(output, estimate, where=region)


def per_layer(method: Callable, f: np.ndarray, masks: Sequence, channel_axis=None, **options):
    """Apply a one-layer method to every defocused layer and compose like ``all_in_focus``.

    Parameters
    ----------
    method : callable
        ``method(f, mask, channel_axis=..., **options)`` returning a
        :class:`~defocus_teach.BlindResult` (every function of :mod:`.baselines`).
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
    grey = _grey(f, channel_axis)
    for mask, kernel in zip(scene.true_masks[1:], scene.true_kernels[1:], strict=True):
        lam = default_lam1(grey, mask)
        estimate = deconvolve(f, kernel, mask, lam=lam, channel_axis=channel_axis)
        _paste(output, estimate, mask, channel_axis)
    return output, None


def _full(**options):
    def run(f, masks, channel_axis, scene):
        result = all_in_focus(f, masks=masks, channel_axis=channel_axis, **options)
        return result.image, result.kernels[1:]

    return run


def _baseline(function):
    def run(f, masks, channel_axis, scene):
        return per_layer(function, f, masks, channel_axis)

    return run


#: name -> ``run(f, masks, channel_axis, scene) -> (image, kernels or None)``, in table order.
METHODS: dict[str, Callable] = {
    "input": _input,
    "oracle": _oracle,
    "full": _full(),
    "no_symmetry": _full(use_symmetry=False),
    "no_low_rank": _full(use_low_rank=False),
    "no_outliers": _full(use_outliers=False),
    "gaussian": _baseline(baselines.gaussian_deblur),
    "motion_style": _baseline(baselines.motion_style_kernel),
    "richardson_lucy": _baseline(baselines.richardson_lucy),
    "wiener": _baseline(baselines.wiener),
}

#: Methods of ``--quick``: all but the two whose k-step works on every pixel of the kernel
#: (no symmetry: normal equations of 961 unknowns instead of 136), about 4x slower than
#: the full method.
QUICK_METHODS: tuple[str, ...] = tuple(
    m for m in METHODS if m not in ("no_symmetry", "motion_style")
)

#: CSV columns and their types.  Per-layer columns of a missing second layer are empty.
COLUMNS: dict[str, type] = {
    "scene": str,
    "method": str,
    "quick": bool,
    "image": str,
    "colour": bool,
    "kernel": str,
    "radii": str,
    "defocused_layers": int,
    "noise": float,
    "seg_error": int,
    "psnr": float,
    "ssim": float,
    "defocused_psnr": float,
    "defocused_ssim": float,
    "layer1_psnr": float,
    "layer1_ssim": float,
    "layer2_psnr": float,
    "layer2_ssim": float,
    "band_psnr": float,
    "band_ssim": float,
    "kernel_error1": float,
    "kernel_error2": float,
    "seconds": float,
}


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
    found_kernels : sequence of ndarray, optional
        Estimated kernel of each defocused layer (sharpest first).

    Returns
    -------
    metrics : dict
        ``psnr``, ``ssim`` (whole image); ``defocused_psnr``/``ssim`` (all defocused
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
        regions = [("defocused", defocused), ("band", scene.band)]
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
            metrics[f"kernel_error{i}"] = kernels.kernel_error(found, true)
    return metrics


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
    estimate, found = METHODS[name](scene.blurred, scene.masks, scene.channel_axis, scene)
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


# ---------------------------------------------------------------------------------------------
# CSV


def _format(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6f}"
    return str(value)


def _parse(text: str, kind: type):
    if kind is bool:
        return text.strip() in ("1", "True", "true")
    if kind is float:
        return math.nan if text == "" else float(text)
    return kind(text)


def write_csv(rows: Sequence[dict], path) -> Path:
    """Write rows to a CSV file (columns :data:`COLUMNS`, floats with 6 decimals, nan empty)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(_format(row[column]) for column in COLUMNS)
    return path


def read_csv(path) -> list[dict]:
    """Read rows written by :func:`write_csv`, with the types of :data:`COLUMNS`."""
    with Path(path).open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path} is not a benchmark CSV: columns {sorted(missing)} missing")
        return [{k: _parse(row[k], kind) for k, kind in COLUMNS.items()} for row in reader]


def load_results(path=None) -> list[dict]:
    """The committed benchmark results.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV written by :func:`write_csv`.  Default: ``benchmarks/results/quality.csv`` of
        the repository when the package runs from a clone, else the copy shipped inside the
        package (``defocus_teach/benchmark_results.csv``, e.g. on Colab).

    Returns
    -------
    rows : list of dict

    Examples
    --------
    >>> from defocus_teach.benchmark import load_results
    >>> rows = load_results()
    >>> sorted({row["method"] for row in rows})[:3]
    ['full', 'gaussian', 'input']
    """
    if path is None:
        repo = REPO_RESULTS / "quality.csv"
        path = repo if repo.exists() else PACKAGED_CSV
    return read_csv(path)


# ---------------------------------------------------------------------------------------------
# Summaries


def _methods_of(rows: Sequence[dict]) -> list[str]:
    present = {row["method"] for row in rows}
    return [m for m in METHODS if m in present] + sorted(present - set(METHODS))


def _kernel_error(row: dict) -> float:
    values = [row[f"kernel_error{i}"] for i in (1, 2) if not math.isnan(row[f"kernel_error{i}"])]
    return float(np.mean(values)) if values else math.nan


def summarize(rows: Sequence[dict], column: str) -> dict[str, tuple[float, float, str]]:
    """Mean and worst value of a column per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    column : str
        A column of :data:`COLUMNS`, or "kernel_error" (mean over the defocused layers).

    Returns
    -------
    summary : dict
        method -> (mean, worst, scene of the worst).  The worst is the minimum, except for
        "kernel_error" and "seconds" where it is the maximum.

    Examples
    --------
    >>> rows = [{"method": "a", "scene": "s1", "psnr": 20.0},
    ...         {"method": "a", "scene": "s2", "psnr": 30.0}]
    >>> summarize(rows, "psnr")
    {'a': (25.0, 20.0, 's1')}
    """
    larger_is_worse = column.startswith("kernel_error") or column == "seconds"
    summary = {}
    for method in _methods_of(rows):
        pairs = []
        for row in rows:
            if row["method"] != method:
                continue
            value = _kernel_error(row) if column == "kernel_error" else row[column]
            if not math.isnan(value):
                pairs.append((value, row["scene"]))
        if not pairs:
            summary[method] = (math.nan, math.nan, "")
            continue
        values = np.array([v for v, _ in pairs])
        worst = int(np.argmax(values) if larger_is_worse else np.argmin(values))
        summary[method] = (float(values.mean()), float(values[worst]), pairs[worst][1])
    return summary


def _paired(rows, column, reference):
    table = {(row["method"], row["scene"]): row[column] for row in rows}
    scenes = [row["scene"] for row in rows if row["method"] == reference]
    paired = {}
    for method in _methods_of(rows):
        if method != reference:
            common = [s for s in scenes if (method, s) in table]
            values = [table[reference, s] - table[method, s] for s in common]
            paired[method] = (common, np.array(values, dtype=np.float64))
    return paired


def paired_differences(
    rows: Sequence[dict], column: str = "defocused_psnr", reference: str = "full"
) -> dict[str, np.ndarray]:
    """Per-scene difference ``reference - method`` of a column, for every other method.

    Parameters
    ----------
    rows : sequence of dict
    column : str, optional
        Default "defocused_psnr".
    reference : str, optional
        Default "full".

    Returns
    -------
    differences : dict
        method -> array of differences over the scenes both methods ran on, in the order of
        the reference's rows (positive: the reference is better when larger is better).

    Examples
    --------
    >>> rows = [{"method": "full", "scene": "s", "psnr": 25.0},
    ...         {"method": "input", "scene": "s", "psnr": 21.5}]
    >>> paired_differences(rows, "psnr")
    {'input': array([3.5])}
    """
    return {m: values for m, (_, values) in _paired(rows, column, reference).items()}


#: Scene groups of the per-group table: name -> predicate on a row.
GROUPS: dict[str, Callable[[dict], bool]] = {
    "all scenes": lambda row: True,
    "one defocused layer": lambda row: row["defocused_layers"] == 1,
    "two defocused layers": lambda row: row["defocused_layers"] == 2,
    "grey": lambda row: not row["colour"],
    "colour": lambda row: row["colour"],
    "disk kernel": lambda row: row["kernel"] == "disk",
    "pupil kernel": lambda row: row["kernel"] == "pupil",
    "noise 0.002": lambda row: row["noise"] == 0.002,
    "noise 0.005": lambda row: row["noise"] == 0.005,
    "noise 0.01": lambda row: row["noise"] == 0.01,
    "segmentation error 0": lambda row: row["seg_error"] == 0,
    "segmentation error 3 px": lambda row: abs(row["seg_error"]) == 3,
    "segmentation error 6 px": lambda row: abs(row["seg_error"]) == 6,
}


def _number(value: float, digits: int = 2) -> str:
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def summary_markdown(rows: Sequence[dict]) -> str:
    """Markdown tables: mean and worst per method, paired gains, and means per scene group.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows (e.g. from :func:`load_results`).

    Returns
    -------
    text : str
        Three markdown tables.  PSNR in dB; "worst" is the lowest PSNR/SSIM and the highest
        kernel error or time over the scenes.  The kernel error of a scene is the mean over
        its defocused layers; its median over the scenes is also given, as a few failed
        kernels dominate the mean.
    """
    methods = _methods_of(rows)
    scenes = sorted({row["scene"] for row in rows})
    out = io.StringIO()
    out.write(
        f"{len(scenes)} scenes x {len(methods)} methods. PSNR in dB (data range 1), "
        f"SSIM, band = pixels within {BAND_WIDTH} px of a true layer boundary, kernel "
        "error = relative Frobenius error (mean over the defocused layers), seconds = wall "
        "time of the method on the scene. Each cell: mean / worst over the scenes.\n\n"
    )
    columns = [
        ("PSNR", "psnr", 2),
        ("PSNR defocused", "defocused_psnr", 2),
        ("SSIM defocused", "defocused_ssim", 3),
        ("PSNR band", "band_psnr", 2),
        ("SSIM band", "band_ssim", 3),
        ("kernel error", "kernel_error", 3),
        ("seconds", "seconds", 1),
    ]
    summaries = {key: summarize(rows, key) for _, key, _ in columns}
    titles = [title for title, _, _ in columns]
    titles.insert(-1, "kernel error median")
    out.write("| method | " + " | ".join(titles) + " |\n")
    out.write("|---" * (len(titles) + 1) + "|\n")
    for method in methods:
        cells = []
        for _, key, digits in columns:
            mean, worst, _ = summaries[key][method]
            cells.append(
                "" if math.isnan(mean) else f"{_number(mean, digits)} / {_number(worst, digits)}"
            )
        errors = [_kernel_error(row) for row in rows if row["method"] == method]
        errors = [e for e in errors if not math.isnan(e)]
        cells.insert(-1, _number(float(np.median(errors)), 3) if errors else "")
        out.write(f"| {method} | " + " | ".join(cells) + " |\n")

    out.write(
        "\nPaired differences, full method minus each method, per scene (dB; positive: the "
        "full method is better). Mean / worst (smallest) / scene of the worst.\n\n"
    )
    out.write("| method | PSNR defocused | PSNR band | worst scene (defocused) |\n")
    out.write("|---|---|---|---|\n")
    band = paired_differences(rows, "band_psnr")
    for method, (scenes_of, values) in _paired(rows, "defocused_psnr", "full").items():
        if values.size == 0:
            continue
        worst = int(np.argmin(values))
        out.write(
            f"| {method} | {values.mean():+.2f} / {values.min():+.2f} | "
            f"{band[method].mean():+.2f} / {band[method].min():+.2f} | {scenes_of[worst]} |\n"
        )

    out.write("\nMean PSNR on the defocused layers (dB) per scene group.\n\n")
    out.write("| group | scenes | " + " | ".join(methods) + " |\n")
    out.write("|---" * (len(methods) + 2) + "|\n")
    for group, predicate in GROUPS.items():
        members = [row for row in rows if predicate(row)]
        if not members:
            continue
        count = len({row["scene"] for row in members})
        means = summarize(members, "defocused_psnr")
        cells = [_number(means[m][0]) if m in means else "" for m in methods]
        out.write(f"| {group} | {count} | " + " | ".join(cells) + " |\n")
    return out.getvalue()


def summary_figure(rows: Sequence[dict]):
    """One figure: per-scene PSNR gains over the input, and kernel errors, per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three panels: gain in PSNR over the input on the defocused layers and in the
        boundary band (one dot per scene, a bar for the mean), and the kernel error (mean
        over the layers of a scene; one dot per scene, a bar for the median, log scale).
    """
    from .viz import book_style, new_figure

    @book_style
    def draw():
        methods = [m for m in _methods_of(rows) if m != "input"]
        fig = new_figure(10, 0.42 * len(methods) + 1.4)
        axes = fig.subplots(1, 3, sharey=True)
        positions = np.arange(len(methods))[::-1]
        panels = [
            ("defocused_psnr", "PSNR gain over the input\non the defocused layers (dB)"),
            ("band_psnr", f"PSNR gain over the input\nin the {BAND_WIDTH} px band (dB)"),
        ]
        for ax, (column, title) in zip(axes[:2], panels, strict=False):
            gains = paired_differences(rows, column, reference="input")
            for y, method in zip(positions, methods, strict=True):
                values = -gains[method]  # method - input
                ax.barh(y, values.mean(), color="#9ecae1" if method != "full" else "#3182bd")
                ax.plot(values, np.full(values.size, y), "k.", markersize=3)
            ax.axvline(0, color="0.3", linewidth=0.8)
            ax.set_xlabel(title)
        errors = {m: [_kernel_error(r) for r in rows if r["method"] == m] for m in methods}
        for y, method in zip(positions, methods, strict=True):
            values = np.array([v for v in errors[method] if not math.isnan(v)])
            if values.size:
                axes[2].barh(y, np.median(values), color="#fdae6b")
                axes[2].plot(values, np.full(values.size, y), "k.", markersize=3)
        axes[2].set_xscale("log")
        axes[2].set_xlabel("kernel error, median\n(relative Frobenius)")
        axes[0].set_yticks(positions, methods)
        return fig

    return draw()


def plot_scenes(specs: Sequence[SceneSpec]):
    """Small multiples of scenes: the observed image above its layers, band and given mask.

    Parameters
    ----------
    specs : sequence of SceneSpec
        The scenes to draw (each is rebuilt with :func:`make_scene`; this takes well under a
        second per scene, nothing is solved).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top row: the observed images f.  Bottom row: the true layers (darkest in focus,
        lighter more defocused), the boundary band (yellow) and the outline of the
        perturbed mask given to the methods (red).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES, plot_scenes
    >>> len(plot_scenes(SCENES[:2]).axes)
    4
    """
    from .viz import book_style, new_figure, show_image

    @book_style
    def draw():
        fig = new_figure(2.0 * len(specs), 4.6)
        axes = fig.subplots(2, len(specs), squeeze=False)
        for column, spec in enumerate(specs):
            scene = make_scene(spec)
            show_image(axes[0, column], np.clip(scene.blurred, 0, 1), spec.name)
            axes[0, column].title.set_fontsize(8)
            layers = sum(i * m for i, m in enumerate(scene.true_masks)) / len(scene.masks)
            shown = np.where(scene.band, 0.0, 0.25 + 0.75 * layers)
            axes[1, column].imshow(shown, cmap="viridis", vmin=0, vmax=1)
            axes[1, column].contour(scene.masks[1], [0.5], colors="red", linewidths=1)
            axes[1, column].set_axis_off()
            radii = "+".join(f"{r:g}" for r in spec.radii)
            axes[1, column].set_title(
                f"{spec.family} R={radii}\nnoise {spec.noise:g}, error {spec.seg_error:+d} px",
                fontsize=8,
            )
        return fig

    return draw()


def plot_scene_results(rows: Sequence[dict], scene: str | int = 0):
    """PSNR gain over the input of every method on one scene of the results.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    scene : str or int, optional
        Scene name, or its index in the order of the rows.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Bars of the gain on the defocused layers and in the boundary band, per method.

    Examples
    --------
    >>> from defocus_teach.benchmark import COLUMNS, plot_scene_results
    >>> rows = [dict.fromkeys(COLUMNS, 0.0) | {"scene": "s", "method": m, "radii": "5"}
    ...         for m in ("input", "full")]
    >>> len(plot_scene_results(rows, "s").axes)
    1
    """
    from .viz import book_style, new_figure

    names = list(dict.fromkeys(row["scene"] for row in rows))
    name = names[scene] if isinstance(scene, int) else scene
    if name not in names:
        raise ValueError(f"scene must be one of {names} or an index, got {scene!r}")
    mine = {row["method"]: row for row in rows if row["scene"] == name}

    @book_style
    def draw():
        methods = [m for m in _methods_of(list(mine.values())) if m != "input"]
        fig = new_figure(7, 0.3 * len(methods) + 1.5)
        ax = fig.subplots()
        positions = np.arange(len(methods))[::-1]
        for offset, column, colour in (
            (0.2, "defocused_psnr", "#3182bd"),
            (-0.2, "band_psnr", "#fd8d3c"),
        ):
            gains = [mine[m][column] - mine["input"][column] for m in methods]
            label = "defocused layers" if column == "defocused_psnr" else "boundary band"
            ax.barh(positions + offset, gains, height=0.4, color=colour, label=label)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_yticks(positions, methods)
        ax.set_xlabel("PSNR gain over the input (dB)")
        row = mine["input"]
        ax.set_title(
            f"{name}: input {row['defocused_psnr']:.1f} dB on the defocused layers", fontsize=10
        )
        ax.legend(loc="lower right", fontsize=8)
        return fig

    return draw()


def plot_kernel_errors(rows: Sequence[dict], methods: Sequence[str] = ("full", "gaussian")):
    """Kernel error of every defocused layer against its true radius, per kernel family.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    methods : sequence of str, optional
        One panel per method (default the full method and the Gaussian baseline).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One dot per defocused layer: disks in blue, Gaussian pupils in orange; log scale.

    Examples
    --------
    >>> from defocus_teach.benchmark import COLUMNS, plot_kernel_errors
    >>> row = dict.fromkeys(COLUMNS, float("nan")) | {
    ...     "scene": "s", "method": "full", "radii": "3+7", "kernel": "disk",
    ...     "kernel_error1": 0.1, "kernel_error2": 0.9}
    >>> len(plot_kernel_errors([row], ["full"]).axes)
    1
    """
    from .viz import book_style, new_figure

    @book_style
    def draw():
        fig = new_figure(3.6 * len(methods), 3.2)
        axes = fig.subplots(1, len(methods), sharey=True, squeeze=False)[0]
        for ax, method in zip(axes, methods, strict=True):
            for family, colour, label in (
                ("disk", "#3182bd", "disk"),
                ("pupil", "#e6550d", "Gaussian pupil"),
            ):
                radii, errors = [], []
                for row in rows:
                    if row["method"] != method or row["kernel"] != family:
                        continue
                    for i, radius in enumerate(row["radii"].split("+"), start=1):
                        radii.append(float(radius))
                        errors.append(row[f"kernel_error{i}"])
                ax.plot(radii, errors, "o", color=colour, label=label, alpha=0.8)
            ax.set_yscale("log")
            ax.set_xlabel("true radius R (px)")
            ax.set_title(method)
            ax.grid(True, alpha=0.3)
        axes[0].set_ylabel("kernel error")
        axes[0].legend(fontsize=8)
        return fig

    return draw()


# ---------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m defocus_teach.benchmark",
        description="Run the benchmark suite and write quality.csv, quality.md and quality.png.",
    )
    parser.add_argument("--quick", action="store_true", help="only the quick scenes")
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="folder for the results (default: the repository's benchmarks/results for the "
        "full suite; nothing is written for --quick without --output)",
    )
    parser.add_argument("--scenes", nargs="+", metavar="NAME", help="only these scenes")
    parser.add_argument("--methods", nargs="+", metavar="NAME", help="only these methods")
    parser.add_argument(
        "--package-copy",
        action="store_true",
        help="also copy the CSV to defocus_teach/benchmark_results.csv (what Colab reads)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m defocus_teach.benchmark [--quick] ...``."""
    args = _parser().parse_args(argv)
    scenes = list(SCENES)
    if args.scenes:
        known = {s.name: s for s in SCENES}
        unknown = [name for name in args.scenes if name not in known]
        if unknown:
            raise SystemExit(f"unknown scenes {unknown}; choose from {list(known)}")
        scenes = [known[name] for name in args.scenes]
    say = (lambda message: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    start = time.perf_counter()
    rows = run_suite(scenes, args.methods, quick=args.quick, progress=say)
    total = time.perf_counter() - start
    table = summary_markdown(rows)
    print(table)
    print(f"total: {total:.0f} s for {len(rows)} runs")
    output = args.output
    if output is None and not args.quick:
        output = REPO_RESULTS if REPO_RESULTS.parent.exists() else Path("benchmark_results")
    if output is not None:
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path = write_csv(rows, folder / "quality.csv")
        command = "python -m defocus_teach.benchmark" + (" --quick" if args.quick else "")
        threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
        (folder / "quality.md").write_text(
            f"# Benchmark results\n\nWritten by `{command}` in {total:.0f} s on "
            f"{os.cpu_count()} cores (OPENBLAS_NUM_THREADS={threads}, load average {load} at "
            f"the end).\n\n{table}",
            encoding="utf-8",
        )
        summary_figure(rows).savefig(folder / "quality.png", dpi=120)
        say(f"wrote {csv_path}, quality.md and quality.png in {folder}")
        if args.package_copy:
            PACKAGED_CSV.write_bytes(csv_path.read_bytes())
            say(f"copied the CSV to {PACKAGED_CSV}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
