"""Command line: ``python -m defocus_teach INPUT -o OUTPUT`` and ``--demo DIR``.

Runs the whole method of the paper (section 4: defocus map, layers, blind deconvolution of
each layer, compositing), i.e. :func:`defocus_teach.pipeline.all_in_focus`, on a photograph
read from disk, and writes the all-in-focus image with the input's bit depth.  File reading
and atomic writing live in :mod:`defocus_teach.io`; this module only parses the command
line, checks everything that can be checked before the (slow) computation, reports progress
on stderr and turns expected errors into one line and exit status 1.

``python -m defocus_teach --demo DIR`` runs the method on the simulated motorcycle scene of
:func:`defocus_teach.data.motorcycle_scene` and compares it with the ground truth.

Use :func:`main` from Python, e.g. ``main(["photo.jpg", "-o", "sharp.png"])``; it returns
the exit status instead of calling :func:`sys.exit`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from skimage.metrics import peak_signal_noise_ratio

from . import __version__, data
from .benchmark.results import load_results
from .io import atomic_output, check_writable, image_format, read_image, write_image
from .pipeline import MIN_SIDE, all_in_focus
from .segmentation import MAX_LAYERS

__all__ = ["main", "build_parser", "MIN_SIDE"]

PROG = "defocus_teach"
DEMO_FILES = ("input.png", "result.png", "sharp.png", "comparison.png")
_MAP_FILES = ("defocus_map.npy", "defocus_map.png", "kernels.png")
_MAP_PATTERNS = ("mask_*.png", "kernel_*.npy")

USAGE = """
  %(prog)s INPUT -o OUTPUT [--layers N] [--fast] [--save-maps DIR] [--force] [-q] [--debug]
  %(prog)s --demo OUTPUT_DIR [--layers N] [--fast] [--save-maps DIR] [--force] [-q]
  %(prog)s --version | --help"""

DESCRIPTION = """\
Remove out-of-focus blur from a single photograph: estimate how blurred each pixel is,
split the image into depth layers, estimate each layer's blur kernel and deblur it (Xu, Liu
& Ji, "Removing out-of-focus blur from a single image", arXiv:1808.09166, 2018)."""

EPILOG = """\
examples:
  python -m defocus_teach photo.jpg -o sharp.png
  python -m defocus_teach scan.tif -o sharp.tif --layers 3 --save-maps maps/
  python -m defocus_teach --demo demo/

input and output:
  INPUT is a PNG, JPEG or TIFF file, 8 or 16 bit, greyscale or RGB (no alpha channel).
  OUTPUT's extension picks its format (.png, .jpg/.jpeg, .tif/.tiff) and it keeps the
  input's pixel type: 8-bit stays 8-bit, 16-bit stays 16-bit, a floating-point TIFF gives
  a float32 TIFF.  JPEG holds only 8 bits.  The method computes
  in floating point and its result may over- or undershoot slightly: it is clipped to
  [0, 1] only at this final conversion.  INPUT is never overwritten, OUTPUT only with
  --force; files are written atomically, so a failed run leaves no partial file.

--save-maps DIR writes:
  defocus_map.npy, defocus_map.png   blur radius of each pixel in pixels (float array;
                                     the PNG spans 0..max in the viridis colour map)
  mask_<j>.png                       the pixels of layer j (layer 0 is the sharpest)
  kernel_<j>.npy, kernels.png        the blur kernel of each layer, and a montage

--demo DIR writes input.png (the simulated blurred photo), result.png, sharp.png (the
ground truth) and comparison.png (the three side by side, with PSNR in dB).

exit status: 0 success, 1 bad input or output file, 2 bad command line."""


def fast_help(rows: Sequence[dict] | None = None) -> str:
    """Help of ``--fast``: its PSNR cost and speed-up on the committed benchmark.

    ``rows`` are benchmark rows (default: the packaged results); the cost is the full
    method with ``fast=True`` (``full_fast``) against the default (``full``), both with the
    given layers, per scene on the defocused layers.
    """
    if rows is None:
        try:
            rows = load_results()
        except OSError:  # no packaged results (a partial install): no numbers to give
            rows = []
    fast = {r["scene"]: r for r in rows if r["method"] == "full_fast"}
    full = {r["scene"]: r for r in rows if r["method"] == "full"}
    scenes = [s for s in fast if s in full]
    text = "fewer iterations (all_in_focus(..., fast=True))"
    if not scenes:
        return text
    cost = [full[s]["defocused_psnr"] - fast[s]["defocused_psnr"] for s in scenes]
    speed = sum(full[s]["seconds"] for s in scenes) / sum(fast[s]["seconds"] for s in scenes)
    return (
        f"{text}: {speed:.1f} times faster on the benchmark's {len(scenes)} scenes, for "
        f"{np.mean(cost):.2f} dB less PSNR on the defocused layers (mean; at most "
        f"{max(cost):.2f} dB)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m defocus_teach``."""
    parser = argparse.ArgumentParser(
        prog="python -m defocus_teach",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", nargs="?", metavar="INPUT", help="the blurred photograph")
    parser.add_argument("-o", "--output", metavar="OUTPUT", help="where to write the result")
    parser.add_argument(
        "--layers",
        type=_positive_int,
        metavar="N",
        help=f"number of depth layers, the in-focus one included, 1 to {MAX_LAYERS} "
        "(default: from the defocus map)",
    )
    parser.add_argument(
        "--save-maps",
        metavar="DIR",
        help="also write the defocus map, layer masks and kernels to DIR (created if missing)",
    )
    parser.add_argument(
        "--demo",
        metavar="OUTPUT_DIR",
        help="run on the bundled motorcycle scene and compare with its ground truth",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help=fast_help(),
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LAYERS:
        raise argparse.ArgumentTypeError(
            f"expected an integer from 1 to {MAX_LAYERS}, got {text!r}"
        )
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    0 on success, 1 when an input or output file is unusable or the method rejects the
    image (one line ``defocus_teach: error: ...`` on stderr), 2 for a bad command line.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.demo is not None and (args.input is not None or args.output is not None):
            parser.error("--demo takes no INPUT or -o/--output")
        if args.demo is None and args.input is None:
            parser.error("INPUT is required (or use --demo OUTPUT_DIR)")
        if args.demo is None and args.output is None:
            parser.error("the following arguments are required: -o/--output")
    except SystemExit as exc:  # argparse exits after --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2

    say = _progress_printer(quiet=args.quiet)
    try:
        if args.demo is not None:
            run_demo(args, say)
        else:
            run(args, say)
    except (OSError, ValueError, MemoryError) as exc:
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, MemoryError):
            message = "out of memory (try a smaller image)"
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


def _progress_printer(quiet: bool) -> Callable[[str], None]:
    """A ``progress(message)`` callback printing ``[elapsed s] message`` to stderr."""
    start = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    return say


def run(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Deblur ``args.input`` into ``args.output``; raise OSError/ValueError on bad files."""
    source, target = Path(args.input), Path(args.output)
    _refuse_to_overwrite_input(source, target)
    _check_output_file(target, args.force)
    image_format(target, "OUTPUT")  # fail on a bad extension before reading anything
    image, info = read_image(source)
    height, width = info.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise ValueError(
            f"'{source}' is {height} x {width} pixels; the method needs at least "
            f"{MIN_SIDE} x {MIN_SIDE}"
        )
    out_dtype = np.float32 if info.dtype.kind == "f" else info.dtype
    check_writable(target, out_dtype, info.is_color)
    maps_dir = _prepare_maps_dir(args.save_maps, args.force)

    kind = "colour" if info.is_color else "greyscale"
    say(f"read {source}: {width} x {height} {kind}, {info.bit_depth}-bit {info.format}")
    try:
        result = all_in_focus(
            image,
            n_layers=args.layers,
            channel_axis=info.channel_axis,
            progress=False if args.quiet else say,
            fast=args.fast,
        )
    except ValueError as exc:
        raise ValueError(f"cannot process '{source}': {exc}") from exc
    status = getattr(result, "status", None)
    if status:
        say("layers: " + "; ".join(f"{j} {what}" for j, what in enumerate(status)))
    if maps_dir is not None:
        save_maps(result, maps_dir, force=args.force, say=say)
    write_image(target, result.image, out_dtype, force=args.force)
    say(f"wrote {target} ({np.dtype(out_dtype)}, values clipped to [0, 1])")


def _refuse_to_overwrite_input(source: Path, target: Path) -> None:
    same = source.resolve() == target.resolve()
    if not same and source.exists() and target.exists():
        same = os.path.samefile(source, target)  # hard links, case-insensitive file systems
    if same:
        raise ValueError(
            f"OUTPUT '{target}' is the INPUT file; choose another name "
            "(INPUT is never overwritten, even with --force)"
        )


def _check_output_file(target: Path, force: bool) -> None:
    if target.is_dir():
        raise IsADirectoryError(
            f"OUTPUT '{target}' is a directory; give a file name such as {target / 'sharp.png'}"
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(f"the directory of OUTPUT '{target}' does not exist")
    if target.exists() and not force:
        raise FileExistsError(f"OUTPUT '{target}' exists; use --force to overwrite it")


def _prepare_maps_dir(folder: str | None, force: bool) -> Path | None:
    """Create the --save-maps directory and refuse to overwrite earlier maps without force."""
    if folder is None:
        return None
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--save-maps '{folder}' exists and is not a directory")
    folder.mkdir(parents=True, exist_ok=True)
    existing = [name for name in _MAP_FILES if (folder / name).exists()]
    existing += sorted(path.name for pattern in _MAP_PATTERNS for path in folder.glob(pattern))
    if existing and not force:
        raise FileExistsError(
            f"--save-maps '{folder}' already holds {', '.join(existing)}; use --force to overwrite"
        )
    return folder


def save_maps(result, folder: Path, *, force: bool, say: Callable[[str], None]) -> None:
    """Write the defocus map, layer masks and kernels of ``result`` into ``folder``."""
    summary = []
    if result.defocus_map is not None:  # None only when the method was given masks
        defocus_map = np.asarray(result.defocus_map, dtype=np.float64)
        with atomic_output(folder / "defocus_map.npy", force=force) as temporary:
            np.save(temporary, defocus_map)
        top = float(np.max(defocus_map))
        scaled = defocus_map / top if top > 0 else np.zeros_like(defocus_map)
        colours = matplotlib.colormaps["viridis"](np.clip(scaled, 0, 1))[..., :3]
        write_image(folder / "defocus_map.png", colours, np.uint8, force=force)
        summary.append(f"defocus map 0..{top:.2f} px")
    for j, mask in enumerate(result.masks):
        write_image(folder / f"mask_{j}.png", np.asarray(mask, dtype=bool), np.uint8, force=force)
    for j, kernel in enumerate(result.kernels):
        with atomic_output(folder / f"kernel_{j}.npy", force=force) as temporary:
            np.save(temporary, np.asarray(kernel, dtype=np.float64))
    with atomic_output(folder / "kernels.png", force=force) as temporary:
        kernel_montage(result.kernels).savefig(temporary)
    summary += [f"{len(result.masks)} masks", f"{len(result.kernels)} kernels"]
    say(f"wrote the maps to {folder}: {', '.join(summary)}")


def kernel_montage(kernels) -> Figure:
    """A figure with one panel per kernel (no pyplot, so no global backend state)."""
    figure = Figure(figsize=(2.2 * len(kernels), 2.6), layout="constrained")
    axes = figure.subplots(1, len(kernels), squeeze=False)[0]
    for j, (axis, kernel) in enumerate(zip(axes, kernels, strict=True)):
        kernel = np.asarray(kernel)
        axis.imshow(kernel, cmap="inferno", vmin=0, interpolation="nearest")
        axis.set_title(f"layer {j}: {kernel.shape[0]} x {kernel.shape[1]}", fontsize=9)
        axis.set_axis_off()
    return figure


def comparison_figure(blurred, restored, sharp) -> Figure:
    """Blurred | result | ground truth, with the PSNR (dB) of the first two in the titles."""
    panels = [np.clip(image, 0, 1) for image in (blurred, restored, sharp)]
    psnr = [peak_signal_noise_ratio(panels[2], image, data_range=1) for image in panels[:2]]
    titles = (
        f"blurred input, PSNR {psnr[0]:.2f} dB",
        f"all-in-focus result, PSNR {psnr[1]:.2f} dB",
        "ground truth",
    )
    height, width = panels[0].shape[:2]
    figure = Figure(figsize=(12, 12 * height / (3 * width) + 0.6), layout="constrained")
    for axis, image, title in zip(figure.subplots(1, 3), panels, titles, strict=True):
        axis.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axis.set_title(title, fontsize=10)
        axis.set_axis_off()
    return figure


def run_demo(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Run the method on the simulated motorcycle scene and write the four demo files."""
    folder = Path(args.demo)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--demo '{folder}' exists and is not a directory")
    existing = [name for name in DEMO_FILES if (folder / name).exists()]
    if existing and not args.force:
        raise FileExistsError(
            f"'{folder}' already holds {', '.join(existing)}; use --force to overwrite"
        )
    folder.mkdir(parents=True, exist_ok=True)
    maps_dir = _prepare_maps_dir(args.save_maps, args.force)

    say("simulating the motorcycle scene (defocus_teach.data.motorcycle_scene)")
    scene = data.motorcycle_scene()
    height, width = scene.blurred.shape
    say(f"scene: {width} x {height} greyscale, {len(scene.kernels)} layers")
    result = all_in_focus(
        scene.blurred, n_layers=args.layers, progress=False if args.quiet else say
    )

    if maps_dir is not None:
        save_maps(result, maps_dir, force=args.force, say=say)
    write_image(folder / "input.png", scene.blurred, np.uint8, force=args.force)
    write_image(folder / "result.png", result.image, np.uint8, force=args.force)
    write_image(folder / "sharp.png", scene.sharp, np.uint8, force=args.force)
    figure = comparison_figure(scene.blurred, result.image, scene.sharp)
    with atomic_output(folder / "comparison.png", force=args.force) as temporary:
        figure.savefig(temporary, dpi=100)
    say(f"wrote {', '.join(DEMO_FILES)} to {folder}")
    psnr_blurred, psnr_result = (
        peak_signal_noise_ratio(scene.sharp, np.clip(image, 0, 1), data_range=1)
        for image in (scene.blurred, result.image)
    )
    print(
        f"PSNR against the ground truth: input {psnr_blurred:.2f} dB, result {psnr_result:.2f} dB"
    )
