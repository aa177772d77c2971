"""The scenes of the benchmark: their specs, the suite and how a scene is built.

Every scene is synthetic, made with the layered forward model
(:func:`defocus_teach.simulate.layered_defocus`, eq. (1) with occlusion), so the sharp image,
the kernels and the masks are known and every method can be scored against them.

* :class:`SceneSpec` describes a scene (source crop, kernel family and radii, noise,
  segmentation error, seed); :data:`SCENES` is the suite of 12 specs;
* :func:`make_scene` builds a :class:`BenchmarkScene` from a spec, deterministically: the
  observed image, the true and the perturbed masks, the true kernels and the boundary band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage import data as skdata
from skimage.color import rgb2gray

from .. import kernels, simulate

__all__ = [
    "BAND_WIDTH",
    "PUPIL_SIGMA",
    "SceneSpec",
    "BenchmarkScene",
    "SCENES",
    "holdout_scenes",
    "make_scene",
]

#: Half-width in pixels of the band around layer boundaries where the metrics are also taken.
BAND_WIDTH = 10
#: sigma of the Gaussian apodisation of a pupil kernel, relative to its radius.
PUPIL_SIGMA = 0.7


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


_SOURCE_SHAPES = {"camera": (512, 512), "astronaut": (512, 512), "coffee": (400, 600),
                  "chelsea": (300, 451)}  # fmt: skip


def holdout_scenes(n: int = 16, seed: int = 2026) -> tuple[SceneSpec, ...]:
    """Random scenes for checking a change on scenes it was not tuned on.

    Parameters
    ----------
    n : int, optional
        Number of scenes (default 16).
    seed : int, optional
        Seed of the draw (default 2026); the scenes' own seeds are 5000, 5001, ...

    Returns
    -------
    specs : tuple of SceneSpec
        192 x 192 crops at random places of the four source images in turn, a disk or a
        pupil of a random radius 3 to 10 (every third scene two defocused layers, 3 to 5
        and 3 to 5 px more), noise 0.002, 0.005 or 0.01, grey or colour, no segmentation
        error (the automatic method estimates its own layers).

    Notes
    -----
    The suite :data:`SCENES` is what the defaults were tuned on; these are not.
    ``benchmarks/holdout.py`` runs ``full_auto`` on them.

    Examples
    --------
    >>> from defocus_teach.benchmark.scenes import holdout_scenes
    >>> specs = holdout_scenes(4)
    >>> [s.name for s in specs][:2]
    ['h00-camera-disk8', 'h01-astronaut-disk8']
    """
    rng = np.random.default_rng(seed)
    specs = []
    for index in range(n):
        image = ("camera", "astronaut", "coffee", "chelsea")[index % 4]
        height, width = _SOURCE_SHAPES[image]
        origin = (int(rng.integers(0, height - 192)), int(rng.integers(0, width - 192)))
        family = ("disk", "pupil")[int(rng.integers(0, 2))]
        if index % 3 == 2:
            small = float(rng.choice([3, 4, 5]))
            radii = (small, small + float(rng.choice([3, 4, 5])))
        else:
            radii = (float(rng.choice([3, 4, 5, 6, 7, 8, 9, 10])),)
        noise = float(rng.choice([0.002, 0.005, 0.01]))
        colour = bool(image != "camera" and rng.random() < 0.6)
        blur = "+".join(f"{r:g}" for r in radii)
        name = f"h{index:02d}-{image}-{family}{blur}{'-rgb' if colour else ''}"
        specs.append(SceneSpec(name, image, origin, 192, colour, family, radii, noise, 0,
                               5000 + index))  # fmt: skip
    return tuple(specs)


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
