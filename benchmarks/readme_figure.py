"""The README's before/after picture: the command line's method on a real photograph.

Runs what ``python -m defocus_teach photo.png -o out.png`` runs (``all_in_focus`` with
nothing else given) on scikit-image's ``chelsea`` photograph (300 x 451, colour), times it,
and writes ``benchmarks/results/before_after.png``: the whole photo before and after, and
a crop of each where the layers meet, enlarged with repeated pixels (no smoothing).

    python benchmarks/readme_figure.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from skimage import data

from defocus_teach import all_in_focus

RESULTS = Path(__file__).resolve().parent / "results"
CROP = (slice(60, 180), slice(300, 451))  # the cheek and the defocused background beside it


def main() -> int:
    photo = data.chelsea() / 255.0
    start = time.perf_counter()
    result = all_in_focus(photo, channel_axis=-1)
    seconds = time.perf_counter() - start
    after = np.clip(result.image, 0, 1)

    figure = Figure(figsize=(10, 6.2), layout="constrained")
    axes = figure.subplots(2, 2)
    panels = [
        (photo, "input (chelsea, 300 x 451)"),
        (after, f"all_in_focus, {len(result.masks)} layers, {seconds:.0f} s"),
        (photo[CROP], "input, crop (pixels repeated)"),
        (after[CROP], "result, crop (pixels repeated)"),
    ]
    for axis, (image, title) in zip(axes.ravel(), panels, strict=True):
        axis.imshow(image, interpolation="nearest")
        axis.set_title(title, fontsize=10)
        axis.set_axis_off()
    for axis in axes[0]:
        rows, cols = CROP
        axis.add_patch(
            _rectangle(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)
        )
    RESULTS.mkdir(exist_ok=True)
    figure.savefig(RESULTS / "before_after.png", dpi=100)
    print(f"chelsea 300 x 451 colour: {seconds:.1f} s, status {result.status}")
    return 0


def _rectangle(x, y, width, height):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), width, height, fill=False, edgecolor="w", lw=1)


if __name__ == "__main__":
    sys.exit(main())
