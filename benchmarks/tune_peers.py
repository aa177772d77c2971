"""Parameters of the peer ``deepinv_blind_rl``, chosen on the whole suite (issue: peers).

Runs :func:`defocus_teach.benchmark.peers.deepinv_blind_rl` layer by layer
(:func:`~defocus_teach.benchmark.per_layer`, the given masks, the same start kernel as the
method) on all 12 scenes for a small grid of iterations and TV weights, and prints one row
per setting: the mean and worst PSNR of the defocused layers over the scenes, the worst
scene and the mean seconds per scene.  The best mean is the function's default.  Run from
the repository's root (it needs ``pip install ".[peers]"``):

    python benchmarks/tune_peers.py     # about 10-15 min on 2 cores; writes the table to
                                        # benchmarks/results/peers_tuning.md

torch runs on one thread (``torch.set_num_threads(1)``) and OpenBLAS, OpenMP and MKL are
limited to one thread unless the variables are already set, so the times are single-core
times.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import importlib.metadata  # noqa: E402
import itertools  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing

from defocus_teach.benchmark import SCENES, evaluate, make_scene, per_layer  # noqa: E402
from defocus_teach.benchmark.peers import deepinv_blind_rl  # noqa: E402

#: The grid: alternating iterations x weight of the TV prior.
ITERATIONS = (10, 30, 100)
TV_WEIGHTS = (0.0, 0.003, 0.01, 0.03)
OUTPUT = ROOT / "benchmarks" / "results" / "peers_tuning.md"


def score(scene, n_iter: int, tv_weight: float) -> tuple[float, float]:
    """Defocused-layer PSNR of one setting on one scene, and the seconds it took."""
    start = time.perf_counter()
    image, kernels = per_layer(
        deepinv_blind_rl,
        scene.blurred,
        scene.masks,
        scene.channel_axis,
        n_iter=n_iter,
        tv_weight=tv_weight,
    )
    seconds = time.perf_counter() - start
    return evaluate(scene, image, kernels)["defocused_psnr"], seconds


def table(results: dict, inputs: np.ndarray, names: list[str]) -> str:
    """Markdown: one row per setting, the best mean marked."""
    best = max(results, key=lambda key: results[key][0].mean())
    lines = [
        "| iterations | TV weight | PSNR defocused mean | worst | worst scene | s / scene |",
        "|---|---|---|---|---|---|",
        f"| (input) | | {inputs.mean():.3f} | {inputs.min():.2f} | "
        f"{names[int(np.argmin(inputs))]} | |",
    ]
    for (n_iter, tv_weight), (psnr, seconds) in results.items():
        mark = " **best**" if (n_iter, tv_weight) == best else ""
        lines.append(
            f"| {n_iter}{mark} | {tv_weight:g} | {psnr.mean():.3f} | {psnr.min():.2f} | "
            f"{names[int(np.argmin(psnr))]} | {seconds.mean():.1f} |"
        )
    return "\n".join(lines)


def per_scene(results: dict, inputs: np.ndarray, names: list[str]) -> str:
    """Markdown: the best setting's PSNR on every scene, next to the input's."""
    best = max(results, key=lambda key: results[key][0].mean())
    psnr, seconds = results[best]
    lines = [
        f"Per scene, {best[0]} iterations and TV weight {best[1]:g}:",
        "",
        "| scene | input | deepinv_blind_rl | difference | seconds |",
        "|---|---|---|---|---|",
    ]
    for name, before, after, time_taken in zip(names, inputs, psnr, seconds, strict=True):
        lines.append(
            f"| {name} | {before:.2f} | {after:.2f} | {after - before:+.2f} | {time_taken:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="markdown file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    scenes = [make_scene(spec) for spec in SCENES]
    names = [spec.name for spec in SCENES]
    inputs = np.array([evaluate(s, s.blurred)["defocused_psnr"] for s in scenes])
    results = {}
    for n_iter, tv_weight in itertools.product(ITERATIONS, TV_WEIGHTS):
        runs = np.array([score(scene, n_iter, tv_weight) for scene in scenes])
        results[n_iter, tv_weight] = (runs[:, 0], runs[:, 1])
        print(f"{n_iter:4d} {tv_weight:6g}  mean {runs[:, 0].mean():6.2f} dB", file=sys.stderr)
    text = (
        "# deepinv BlindRL: parameters chosen on the suite\n\n"
        f"Written by `python benchmarks/tune_peers.py` in {time.perf_counter() - start:.0f} s "
        f"(deepinv {importlib.metadata.version('deepinv')}, torch {torch.__version__}, one "
        f"thread).  PSNR of the defocused layers (dB) over the {len(scenes)} scenes, layer "
        "by layer with the given masks; mean / worst over the scenes; seconds: wall time per "
        "scene, mean over the scenes.  The best mean is the default of `deepinv_blind_rl`."
        "\n\n"
        f"{table(results, inputs, names)}\n\n{per_scene(results, inputs, names)}\n"
    )
    print(text)
    args.output.write_text(text)


if __name__ == "__main__":
    main()
