"""The automatic method on held-out scenes: a check that a change is not tuned to the suite.

The suite (``python benchmarks/quality.py``) is what the package's defaults were chosen on.
This script runs ``input`` and ``full_auto`` (nothing given but the image) on 16 other
seeded random scenes (:func:`defocus_teach.benchmark.holdout_scenes`) and writes the gain
of every scene over the input to ``benchmarks/results/holdout.md``.  Run from the
repository's root (about 3 min on 2 cores):

    python benchmarks/holdout.py            # writes results/holdout.md
    python benchmarks/holdout.py --print    # prints the table only

Like ``quality.py`` it sets ``OPENBLAS_NUM_THREADS=1`` unless it is set.
"""

import os
import sys
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone

import numpy as np  # noqa: E402

from defocus_teach.benchmark import holdout_scenes, run_suite  # noqa: E402

COLUMNS = [("psnr", "whole"), ("infocus_psnr", "in focus"), ("band_psnr", "band")]


def table(rows: list[dict]) -> str:
    """Markdown: per scene the gains of full_auto over the input (dB), layers and IoU."""
    plain = {r["scene"]: r for r in rows if r["method"] == "input"}
    auto = [r for r in rows if r["method"] == "full_auto"]
    header = "| scene | " + " | ".join(name for _, name in COLUMNS) + " | layers (true) | IoU |"
    lines = [header, "|---" * (len(COLUMNS) + 3) + "|"]
    gains = []
    for row in auto:
        gain = [row[column] - plain[row["scene"]][column] for column, _ in COLUMNS]
        gains.append(gain)
        true_layers = row["defocused_layers"] + 1
        cells = " | ".join(f"{g:+.2f}" for g in gain)
        lines.append(
            f"| {row['scene']} | {cells} | {row['layers_found']:.0f} ({true_layers}) "
            f"| {row['iou']:.2f} |"
        )
    gains = np.array(gains)
    right = sum(r["layers_found"] == r["defocused_layers"] + 1 for r in auto)
    below = int(np.sum(gains[:, 0] < -0.1))
    lines += [
        "",
        f"Mean whole-image gain {gains[:, 0].mean():+.2f} dB, smallest {gains[:, 0].min():+.2f}"
        f" dB; {below} of {len(auto)} scenes below the input by more than 0.1 dB; in-focus"
        f" layer at worst {gains[:, 1].min():+.2f} dB; the right number of layers on"
        f" {right} of {len(auto)}.",
    ]
    return "\n".join(lines) + "\n"


def main(arguments: list[str]) -> int:
    rows = run_suite(holdout_scenes(), ["input", "full_auto"], jobs=2, progress=print)
    text = table(rows)
    print(text)
    if "--print" not in arguments:
        intro = (
            "# Held-out scenes, automatic mode\n\n"
            "`full_auto` (the image alone) against the input on the 16 seeded scenes of "
            "`defocus_teach.benchmark.holdout_scenes()`, which no default was tuned on. "
            "Gains in dB of PSNR; the band is within 10 px of a true layer boundary. "
            "Written by `python benchmarks/holdout.py`.\n\n"
        )
        (ROOT / "benchmarks" / "results" / "holdout.md").write_text(intro + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
