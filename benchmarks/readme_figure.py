"""The README's before/after picture: the command line's method on a photograph.

Runs what ``python -m defocus_teach photo.png -o out.png`` runs (``all_in_focus`` with
nothing else given) on the colour motorcycle scene of :func:`defocus_teach.data.
motorcycle_scene` at half size (a real photograph whose background is defocused by a disk
of radius 6 px through its measured depth, so the sharp truth is known), times it, and
writes ``benchmarks/results/before_after.png``: the whole photo before and after, and a crop
of each where the layers meet, enlarged with repeated pixels (no smoothing).  It also runs
scikit-image's ``chelsea`` photograph and prints what the command line does with it.

    python benchmarks/readme_figure.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from skimage import data as skdata
from skimage.metrics import peak_signal_noise_ratio

from defocus_teach import all_in_focus, data

RESULTS = Path(__file__).resolve().parent / "results"
CROP = (slice(20, 110), slice(200, 330))  # the front wheel's fork against the background


def _psnr(truth, image, region):
    return peak_signal_noise_ratio(truth[region], np.clip(image, 0, 1)[region], data_range=1)


def main() -> int:
    scene = data.motorcycle_scene(scale=0.5, channel_axis=-1)
    start = time.perf_counter()
    result = all_in_focus(scene.blurred, channel_axis=-1)
    seconds = time.perf_counter() - start
    after = np.clip(result.image, 0, 1)
    in_focus = scene.masks[scene.order[0]]
    whole = np.ones(in_focus.shape, bool)
    gains = [
        _psnr(scene.sharp, after, region) - _psnr(scene.sharp, scene.blurred, region)
        for region in (whole, in_focus, ~in_focus)
    ]

    figure = Figure(figsize=(10, 5.6), layout="constrained")
    axes = figure.subplots(2, 2)
    height, width = scene.blurred.shape[:2]
    panels = [
        (np.clip(scene.blurred, 0, 1), f"input ({height} x {width}, background defocused)"),
        (after, f"all_in_focus: {gains[0]:+.1f} dB, in-focus layer {gains[1]:+.2f} dB"),
        (np.clip(scene.blurred, 0, 1)[CROP], "input, crop (pixels repeated)"),
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
    print(
        f"motorcycle {height} x {width} colour: {seconds:.1f} s, status {result.status}, "
        f"PSNR gain whole {gains[0]:+.2f} dB, in focus {gains[1]:+.2f}, "
        f"defocused {gains[2]:+.2f}"
    )
    photo = skdata.chelsea() / 255.0
    start = time.perf_counter()
    result = all_in_focus(photo, channel_axis=-1)
    changed = float(np.mean(np.any(result.image != photo, axis=-1)))
    print(
        f"chelsea 300 x 451 colour: {time.perf_counter() - start:.1f} s, "
        f"status {result.status}, pixels changed {changed:.1%}"
    )
    return 0


def _rectangle(x, y, width, height):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), width, height, fill=False, edgecolor="w", lw=1)


if __name__ == "__main__":
    sys.exit(main())
