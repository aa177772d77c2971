"""The methods of the benchmark, and running them on the scenes.

Every method maps ``(f, masks, channel_axis, scene)`` to ``(image, kernels)``: the
all-in-focus estimate and the estimated kernel of every defocused layer (``None`` for the
methods that estimate none).  All get the same observed image and the same (perturbed) masks;
only the oracle also looks at the scene's true kernels and true masks.  ``full_auto`` ignores
the masks: it estimates the map and the layers itself, as a photographer's run does, and
returns a third item, its :func:`~.metrics.segmentation_scores`.

* :data:`METHODS`: the input itself, the oracle, the full method
  (:func:`~defocus_teach.pipeline.all_in_focus` with the given masks), the fully automatic
  one (``full_auto``, nothing given), the full method with ``fast=True`` (``full_fast``,
  the CLI's ``--fast``), three ablations and four baselines
  (:mod:`defocus_teach.baselines`, applied layer by layer with :func:`per_layer`), then the
  peers of :mod:`.peers` whose library is installed (``deepinv_blind_rl`` with deepinv, the
  extra ``peers``; :data:`PEERS` names them); :data:`QUICK_METHODS` is the subset of
  ``--quick``;
* :func:`run_method` runs one method on one scene and scores it (one CSV row);
  :func:`run_scene` runs methods on one scene; :func:`run_suite` runs every method on every
  scene, scene by scene or (``jobs > 1``) one scene per worker process.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import multiprocessing
import numbers
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
from threadpoolctl import threadpool_limits

from .. import baselines
from ..pipeline import all_in_focus
from ..u_step import deconvolve
from . import peers
from .metrics import evaluate, segmentation_scores
from .scenes import SCENES, BenchmarkScene, SceneSpec, make_scene

__all__ = [
    "METHODS",
    "QUICK_METHODS",
    "PEERS",
    "per_layer",
    "run_method",
    "run_scene",
    "run_suite",
]


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
    "full_fast": _full(fast=True),
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
    jobs: int = 1,
) -> list[dict]:
    """Run every method on every scene of the suite, scene by scene or in parallel processes.

    Parameters
    ----------
    scenes : iterable of SceneSpec, optional
        Default :data:`SCENES` (only the quick ones with ``quick=True``).
    methods : iterable of str, optional
        Default: every key of :data:`METHODS` (:data:`QUICK_METHODS` with ``quick=True``).
    quick : bool, optional
        Keep only the scenes marked ``quick``.
    progress : callable, optional
        Receives one message per scene and method: as each method finishes with
        ``jobs=1``, as each scene finishes (all its methods at once) otherwise.
    jobs : int, optional
        Number of worker processes (default 1: every scene in this process, one after the
        other).  With ``jobs > 1`` each scene (all its methods) is one task of a
        ``concurrent.futures.ProcessPoolExecutor`` ("spawn" start method) whose
        workers run with one BLAS/OpenMP thread (``_start_worker``); at most one worker
        per scene is started.

    Returns
    -------
    rows : list of dict
        One row per scene and method, columns :data:`COLUMNS`, in the suite's order (scene
        by scene, the methods in the order given) whatever ``jobs`` and the order in which
        the scenes finish.  Every scene is seeded, so the rows do not depend on ``jobs``
        (``seconds`` aside).

    Raises
    ------
    ValueError
        For an unknown method, or ``jobs`` not an integer of at least 1.

    Notes
    -----
    "spawn" starts every worker as a fresh interpreter, the same on every platform and
    Python version (no fork of a process that already runs BLAS or FFT threads); it
    imports the caller's main module again, so a script that calls this with ``jobs > 1``
    needs the ``if __name__ == "__main__":`` guard.  Starting the workers costs a couple
    of seconds; it pays off when the scenes run the solver (a minute or more each).
    """
    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    scenes = list(SCENES if scenes is None else scenes)
    if quick:
        scenes = [s for s in scenes if s.quick]
    if methods is None:
        methods = QUICK_METHODS if quick else METHODS
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {list(METHODS)}")

    def report(index: int, rows: list[dict]) -> None:
        for row in rows if progress is not None else ():
            progress(
                f"[{index}/{len(scenes)}] {row['scene']:<24} {row['method']:<16} "
                f"defocused PSNR {row['defocused_psnr']:6.2f} dB  {row['seconds']:6.1f} s"
            )

    if jobs == 1 or len(scenes) <= 1:  # in this process, a progress line per method
        by_scene = []
        for index, spec in enumerate(scenes, start=1):
            scene = make_scene(spec)
            by_scene.append([])
            for name in methods:
                by_scene[-1].append(run_method(name, scene))
                report(index, by_scene[-1][-1:])
    else:
        by_scene = _run_in_processes(scenes, methods, min(jobs, len(scenes)), report)
    return [row for rows in by_scene for row in rows]


def run_scene(spec: SceneSpec, methods: Sequence[str]) -> list[dict]:
    """Build one scene and run the given methods of :data:`METHODS` on it (one row each).

    Parameters
    ----------
    spec : SceneSpec
    methods : sequence of str
        Keys of :data:`METHODS`, run in this order.

    Returns
    -------
    rows : list of dict
        The rows of :func:`run_method`, one per method, in the order of ``methods``.
    """
    scene = make_scene(spec)
    return [run_method(name, scene) for name in methods]


#: Thread variables set to 1 for the worker processes of ``run_suite(..., jobs > 1)``.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _start_worker() -> None:
    """Initializer of a worker process: one BLAS/OpenMP thread.

    The variables reach libraries loaded later; :func:`threadpoolctl.threadpool_limits`
    limits those already loaded (the worker imports this module, hence numpy, to unpickle
    this very function, before it runs; :func:`_thread_variables_set_to_one` covers that
    import).  ``scipy.fft`` is not limited: the solvers ask it for every core.
    """
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = "1"
    threadpool_limits(limits=1)


@contextlib.contextmanager
def _thread_variables_set_to_one():
    """Set :data:`_THREAD_VARIABLES` to 1 in this process's environment, then restore them.

    Spawned workers inherit the environment when they start, so their OpenBLAS reads 1
    when it loads, before any initializer could run.
    """
    saved = {variable: os.environ.get(variable) for variable in _THREAD_VARIABLES}
    os.environ.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    try:
        yield
    finally:
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


def _run_in_processes(scenes: list, methods: list, jobs: int, report: Callable) -> list:
    """The rows of every scene, one task per scene on ``jobs`` spawned worker processes.

    ``report(index, rows)`` is called as each scene finishes (in completion order); the
    returned list is in the order of ``scenes``.  The first scene that raises stops the
    run: the scenes not started yet are cancelled and its exception is raised here.
    """
    context = multiprocessing.get_context("spawn")
    by_scene: list = [None] * len(scenes)
    with (
        _thread_variables_set_to_one(),
        ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker) as pool,
    ):
        futures = {pool.submit(run_scene, spec, methods): i for i, spec in enumerate(scenes)}
        try:
            for future in as_completed(futures):
                index = futures[future]
                by_scene[index] = future.result()
                report(index + 1, by_scene[index])
        except BaseException:  # a scene failed or Ctrl-C: drop the scenes not started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return by_scene
