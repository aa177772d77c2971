"""The benchmark: every method on a fixed, seeded suite of layered scenes with ground truth.

The paper [1] shows pictures but reports no numbers.  This package measures the method and its
competitors on synthetic scenes built with the layered forward model
(:func:`defocus_teach.simulate.layered_defocus`, eq. (1) with occlusion), where the sharp image,
the kernels and the masks are known, so every estimate can be scored against the truth.

* :data:`SCENES` lists the suite: crops of four ``skimage.data`` images, grey and colour, one
  or two defocused layers behind an in-focus blob, disk and Gaussian-pupil kernels of radius
  3 to 9, noise 0.002 to 0.01 and segmentation errors of 0, 3 and 6 pixels;
* :data:`METHODS` lists the methods, all given the same image and the same (perturbed)
  masks: the input itself, the oracle (true kernel and true masks), the full method
  (:func:`~defocus_teach.pipeline.all_in_focus`), three ablations, four baselines and,
  when deepinv is installed (the extra ``peers``: ``pip install ".[peers]"``), deepinv's blind
  Richardson-Lucy (:func:`deepinv_blind_rl`);
* :func:`run_suite` computes PSNR and SSIM on the whole image, on the defocused layers and
  in a band around the layer boundaries, the kernel error and the time of every method;
* :func:`summary_markdown` and :func:`summary_figure` summarise the rows, and
  :func:`load_results` reads the committed results back (the book's chapter "Does it work?
  Measured" does only that, it never solves).

Run it as ``python -m defocus_teach.benchmark`` (``--quick`` for a subset that runs in under
a minute); ``benchmarks/quality.py`` in the repository is the same command.

One module per job; every public name is importable from this package:

===========  ==================================================================================
module       holds
===========  ==================================================================================
``scenes``   :class:`SceneSpec`, :class:`BenchmarkScene`, :data:`SCENES`, :func:`make_scene`,
             :data:`BAND_WIDTH`
``methods``  :data:`METHODS`, :data:`QUICK_METHODS`, :data:`PEERS`, :func:`per_layer`,
             :func:`run_method`, :func:`run_scene`, :func:`run_suite`
``peers``    :func:`deepinv_blind_rl` (optional dependency: deepinv)
``metrics``  ``SSIM_OPTIONS``, :func:`evaluate`
``results``  :data:`COLUMNS`, :data:`REPO_RESULTS`, :data:`PACKAGED_CSV`, :func:`write_csv`,
             :func:`read_csv`, :func:`load_results`
``report``   :data:`GROUPS`, :func:`summarize`, :func:`paired_differences`,
             :func:`paired_interval`, :func:`summary_markdown`
``cli``      :func:`main`, the command line
===========  ==================================================================================

The figures (:func:`summary_figure`, :func:`plot_scenes`, :func:`plot_scene_results` and
:func:`plot_kernel_errors`) live in ``defocus_teach.viz.benchmark``, with the book's other
figures; they are re-exported here, imported on first use so that this package does not
load matplotlib and the two modules do not import each other at import time.

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
"""

from __future__ import annotations

import importlib

from . import methods, report, results, scenes
from .cli import main
from .methods import per_layer, run_method, run_scene, run_suite
from .metrics import SSIM_OPTIONS as SSIM_OPTIONS
from .metrics import evaluate
from .peers import deepinv_blind_rl
from .report import paired_differences, paired_interval, summarize, summary_markdown
from .results import load_results, read_csv, write_csv
from .scenes import PUPIL_SIGMA as PUPIL_SIGMA
from .scenes import BenchmarkScene, SceneSpec, holdout_scenes, make_scene

# Sphinx documents a module-level constant only from a ``#:`` comment in the module that it
# documents, so the public constants are bound here by assignment, each with its comment.

#: The suite of 12 :class:`SceneSpec`, 2 quick ones at 128 x 128 and 10 at 192 x 192 (defined
#: in ``scenes``).
SCENES = scenes.SCENES
#: name -> ``run(f, masks, channel_axis, scene) -> (image, kernels or None)``, in table order
#: (defined in ``methods``).
METHODS = methods.METHODS
#: The methods of ``--quick``, all but ``no_symmetry`` and ``motion_style`` (about 3x slower
#: than the full method) and the optional peer ``deepinv_blind_rl``.
QUICK_METHODS = methods.QUICK_METHODS
#: Names of the optional peers (``deepinv_blind_rl``), in :data:`METHODS` only when their
#: library is installed (defined in ``methods``).
PEERS = methods.PEERS
#: CSV columns and their types (defined in ``results``).
COLUMNS = results.COLUMNS
#: Scene groups of the per-group table, name -> predicate on a row (defined in ``report``).
GROUPS = report.GROUPS
#: Half-width in pixels of the band around layer boundaries where the metrics are also taken.
BAND_WIDTH = scenes.BAND_WIDTH
#: The repository's results folder, ``benchmarks/results``.
REPO_RESULTS = results.REPO_RESULTS
#: The copy of the results CSV shipped inside the package, ``defocus_teach/benchmark_results.csv``.
PACKAGED_CSV = results.PACKAGED_CSV

__all__ = [
    "SceneSpec",
    "BenchmarkScene",
    "SCENES",
    "METHODS",
    "QUICK_METHODS",
    "PEERS",
    "COLUMNS",
    "GROUPS",
    "BAND_WIDTH",
    "REPO_RESULTS",
    "PACKAGED_CSV",
    "holdout_scenes",
    "make_scene",
    "per_layer",
    "deepinv_blind_rl",
    "run_method",
    "run_scene",
    "run_suite",
    "evaluate",
    "write_csv",
    "read_csv",
    "load_results",
    "summarize",
    "paired_differences",
    "paired_interval",
    "summary_markdown",
    "summary_figure",
    "plot_scenes",
    "plot_scene_results",
    "plot_kernel_errors",
    "main",
]

#: Names re-exported from ``defocus_teach.viz.benchmark``, imported on first access.
_FIGURES = ("summary_figure", "plot_scenes", "plot_scene_results", "plot_kernel_errors")


def __getattr__(name: str):
    if name in _FIGURES:
        value = getattr(importlib.import_module("..viz.benchmark", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FIGURES))
