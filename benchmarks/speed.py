"""Speed of the solver: wall times of the main entry points, the ADMM/FFT cost ratio, photos.

Run from the repository's root:

    python benchmarks/speed.py                  # the solver tables (about 1.5 min)
    python benchmarks/speed.py --photos 0.3 1   # the photo table, of these sizes only

Each prints markdown tables and writes them into its own section of
``benchmarks/results/speed.md`` (between ``<!-- begin solver -->`` and ``<!-- end solver
-->``, or the same markers for ``photos``), keeping the other section as it is.

The solver tables:

* :func:`defocus_teach.blind_deconvolve` on 256 x 256 and 512 x 512 grey crops of
  ``skimage.data.camera`` blurred by a disk of radius 5 with noise 0.005 (one layer, the whole
  image);
* :func:`defocus_teach.all_in_focus` with the true masks on the motorcycle scene
  (:func:`defocus_teach.data.motorcycle_scene`, grey and colour) and on a 512 x 512 two-layer
  scene (an in-focus blob in front of a disk-blurred background, the benchmark's scene
  builder);
* the time of one ADMM iteration of the u-step (``u_step._admm``) divided by the time of the
  FFTs it performs (2 ``rfft2`` and 2 ``irfft2`` on the same grid, ``scipy.fft``), measured in
  the same run.

With ``--baseline REV`` (a git revision, e.g. ``--baseline 9311f42``) the 256 x 256
``blind_deconvolve`` case is also timed with the package as it was at REV, in alternating
runs of separate processes (REV, this tree, REV, ...), and the table gives both medians and
their ratio: the two are measured in the same run, on the same machine load.

Targets (issue #3): the 512 x 512 two-layer ``all_in_focus`` in at most 15 s; one ADMM
iteration at most twice its FFT cost, relaxed to three times by issue #14.  Issue #10: the
256 x 256 ``blind_deconvolve`` at most 1.3 times the time of the revision before it.  Times
are ``time.perf_counter`` wall times of one run (best of five for the ADMM ratio); on a
shared machine they vary from run to run.
``--admm-only`` prints the ADMM ratio table alone (nothing written).

The photo table (``--photos [MP ...]``; no value: 0.3, 1, 4 and 12 megapixels): colour
photographs in automatic mode, ``all_in_focus(photo, channel_axis=-1)`` with nothing else
given, the call of the command line ``python -m defocus_teach photo.png -o out.png`` (which
reads the file with ``defocus_teach.io.read_image`` first, as the child process here does).
For every size: its seconds, its peak memory, and the same for scikit-image's
``richardson_lucy`` (30 iterations, given the true disk kernel, one 3-D kernel of depth 1
for the three channels) on the same photo, and the ratio of the two times.  Each method runs
in a fresh Python process (``subprocess``) that reports its wall time and its maximum
resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, so the peak includes the
interpreter, the libraries and the decoded photo); a run longer than ``--photo-timeout``
seconds (default 3 h) is stopped and reported as "did not finish in X s", a run that fails
(MemoryError, killed by the system) is reported with its reason.  Targets of the speed
issue: 1 MP at most 20 times Richardson-Lucy with a peak of at most 800 MiB; 4 MP a peak of
at most 2 GiB; 12 MP completes with a peak of at most 4 GiB.

The photos are synthetic and need no download (:func:`synthetic_photo`): a 3:2 mosaic of
256 x 256 tiles cut at seeded random places from the colour photographs of ``skimage.data``
(astronaut, coffee, chelsea, rocket, the left motorcycle view), at their own resolution so
that every size has fine detail; an ellipse in the middle stays in focus and the rest is
blurred by a disk of radius 6 px (the same radius at every size), with occlusion
(``simulate.layered_defocus``) and noise 0.005, then quantised to 8 bits.  Each is written
as a PNG into a temporary folder, removed after its size is measured.

OpenBLAS defaults to one thread per core and, on a loaded machine, its threads spin-wait on
the many small matrix products of the k-step: this script sets ``OPENBLAS_NUM_THREADS=1``
(and the OpenMP/MKL equivalents) unless they are already set; ``scipy.fft`` still uses every
core.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import fft  # noqa: E402
from skimage import data as skdata  # noqa: E402
from skimage.util import img_as_ubyte  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing

from defocus_teach import all_in_focus, blind_deconvolve, kernels, operators, simulate  # noqa: E402
from defocus_teach import data as dt_data  # noqa: E402
from defocus_teach.benchmark import SCENES, make_scene  # noqa: E402
from defocus_teach.framelet import get_transform  # noqa: E402
from defocus_teach.io import write_image  # noqa: E402
from defocus_teach.u_step import (  # noqa: E402
    _ADMM_DTYPE,
    _WORKERS,
    _admm,
    _default_rho,
    _initial_state,
    default_lam1,
)

RESULTS = ROOT / "benchmarks" / "results"


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def blurred_camera(size: int) -> np.ndarray:
    """A size x size grey crop of camera, disk R=5, noise 0.005 (seeded)."""
    sharp = skdata.camera()[:size, :size] / 255.0
    blurred = operators.blur(sharp, kernels.disk(5))
    return blurred + 0.005 * np.random.default_rng(0).standard_normal(blurred.shape)


def admm_fft_ratio(size: int, n_iter: int, repeat: int = 5) -> tuple[float, float, tuple]:
    """Seconds per ADMM iteration and per FFT set (2 rfft2 + 2 irfft2) on one grid.

    Both are the best of ``repeat`` runs, at the precision ``deconvolve`` runs the ADMM in
    (``u_step._ADMM_DTYPE``), alternating so that both see the same machine load.
    """
    f = blurred_camera(size)
    kernel = kernels.disk(5, 31)
    grid = operators.PeriodicGrid.for_image(f.shape, 16)
    transform = get_transform("framelet", 1)
    otf = operators.psf2otf(kernel, grid.shape)
    weight = grid.embed(np.ones(f.shape))
    target = grid.embed(f)
    lam = default_lam1(f)
    rho = _default_rho(lam)
    start = grid.embed(f).astype(_ADMM_DTYPE)
    admm_times, fft_times = [], []
    for _ in range(repeat):
        state = _initial_state(start, otf, transform)
        # tol=0: never stops early, exactly n_iter iterations
        seconds, _ = timed(_admm, state, target, weight, otf, transform, lam, rho, n_iter, 0.0)
        admm_times.append(seconds / n_iter)
        x = start.copy()
        begin = time.perf_counter()
        for _ in range(n_iter):
            spectrum = fft.rfft2(x, workers=_WORKERS)
            spectrum2 = fft.rfft2(x, workers=_WORKERS)
            fft.irfft2(spectrum, s=grid.shape, workers=_WORKERS)
            fft.irfft2(spectrum2, s=grid.shape, workers=_WORKERS)
        fft_times.append((time.perf_counter() - begin) / n_iter)
    return min(admm_times), min(fft_times), grid.shape


def admm_ratio_table(n_iter: int, say) -> list[str]:
    """Markdown lines of the ADMM/FFT ratio on the grids of 256 x 256 and 512 x 512 images."""
    ratios = []
    for size in (256, 512):
        say(f"ADMM vs FFT on the grid of a {size} x {size} image ...")
        admm, ffts, grid = admm_fft_ratio(size, n_iter)
        ratios.append((size, grid, admm, ffts))
    precision = np.dtype(_ADMM_DTYPE).name
    return [
        f"| ADMM iteration (u_step._admm, {precision}) vs its FFTs (2 rfft2 + 2 irfft2) | grid | "
        "ms per iteration | ms per FFT set | ratio | target |",
        "|---|---|---|---|---|---|",
        *(
            f"| image {size} x {size} | {grid[0]} x {grid[1]} | {1e3 * admm:.2f} | "
            f"{1e3 * ffts:.2f} | {admm / ffts:.2f} | <= 3 |"
            for size, grid, admm, ffts in ratios
        ),
    ]


_TIME_BLIND = """
import sys, time
import numpy as np
from skimage import data
sys.path.insert(0, sys.argv[1])
from defocus_teach import blind_deconvolve, kernels, operators
sharp = data.camera()[:256, :256] / 255.0
f = operators.blur(sharp, kernels.disk(5))
f = f + 0.005 * np.random.default_rng(0).standard_normal(f.shape)
start = time.perf_counter()
blind_deconvolve(f)
print(time.perf_counter() - start)
"""


def _export(revision: str, folder: str) -> None:
    """The package's files at a git revision, written into ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "defocus_teach"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)


def compare_blind(revision: str, runs: int = 3) -> tuple[float, float]:
    """Median seconds of the 256 x 256 blind case at ``revision`` and here, alternating."""
    times: dict[str, list[float]] = {"baseline": [], "here": []}
    with tempfile.TemporaryDirectory() as folder:
        _export(revision, folder)
        for _ in range(runs):
            for name, path in (("baseline", folder), ("here", str(ROOT))):
                done = subprocess.run(
                    [sys.executable, "-c", _TIME_BLIND, path],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                times[name].append(float(done.stdout.split()[-1]))
    return float(np.median(times["baseline"])), float(np.median(times["here"]))


# --- Colour photographs in automatic mode (the ``--photos`` table) ---------------------------

#: Photo sizes of the ``--photos`` table, in megapixels.
PHOTO_SIZES = (0.3, 1.0, 4.0, 12.0)
#: Blur radius in pixels of the photos' defocused background (the same at every size).
PHOTO_RADIUS = 6.0
#: Richardson-Lucy iterations of the reference timing.
RL_ITERATIONS = 30
#: Targets per size: megapixels -> (max ratio to Richardson-Lucy or None, max peak MiB).
PHOTO_TARGETS = {1.0: (20.0, 800.0), 4.0: (None, 2048.0), 12.0: (None, 4096.0)}
#: ``skimage.data`` colour photographs the mosaics are cut from (all ship in the wheel).
_MOSAIC_SOURCES = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle")
_TILE = 256

_PHOTO_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from defocus_teach import all_in_focus, kernels
from defocus_teach.io import read_image
image, info = read_image(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if sys.argv[3] == "all_in_focus":  # what `python -m defocus_teach photo.png -o out.png` runs
    all_in_focus(image, channel_axis=info.channel_axis)
else:
    from skimage.restoration import richardson_lucy
    psf = kernels.disk(float(sys.argv[4]))[..., None]  # the same disk for every channel
    richardson_lucy(image, psf, num_iter=int(sys.argv[5]))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak": peak, "before": before}))
"""


def photo_shape(megapixels: float) -> tuple[int, int, int]:
    """The (H, W, 3) shape of a 3:2 landscape photograph of about ``megapixels``."""
    height = round(np.sqrt(megapixels * 1e6 / 1.5))
    return height, round(1.5 * height), 3


def _mosaic_source(name: str) -> np.ndarray:
    image = skdata.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skdata, name)()
    return image / 255.0


def synthetic_photo(megapixels: float, radius: float = PHOTO_RADIUS, seed: int = 0):
    """A colour photograph of about ``megapixels``: in-focus subject, defocused background.

    Parameters
    ----------
    megapixels : float
        Size; the photo is 3:2 landscape (:func:`photo_shape`).
    radius : float, optional
        Blur radius in pixels of the background (disk kernel), default :data:`PHOTO_RADIUS`.
    seed : int, optional
        Seed of the mosaic, the subject's outline and the noise.

    Returns
    -------
    photo : ndarray of uint8, shape (H, W, 3)
        8-bit, as a camera writes it.

    Notes
    -----
    The sharp image is a mosaic of 256 x 256 tiles cut at random places from the colour
    photographs of ``skimage.data`` (:data:`_MOSAIC_SOURCES`), each flipped or not, at their
    own resolution: fine detail everywhere, at every size (an upsampled image would look
    defocused everywhere).  An ellipse in the middle (the subject) stays in focus, the rest
    is blurred by a disk of ``radius`` with occlusion
    (:func:`defocus_teach.simulate.layered_defocus`), with noise 0.005.
    """
    rng = np.random.default_rng(seed)
    height, width, _ = shape = photo_shape(megapixels)
    sources = [_mosaic_source(name) for name in _MOSAIC_SOURCES]
    sharp = np.empty(shape)
    for top in range(0, height, _TILE):
        for left in range(0, width, _TILE):
            source = sources[rng.integers(len(sources))]
            row = rng.integers(source.shape[0] - _TILE + 1)
            column = rng.integers(source.shape[1] - _TILE + 1)
            tile = source[row : row + _TILE, column : column + _TILE]
            tile = tile[:, ::-1] if rng.random() < 0.5 else tile
            block = sharp[top : top + _TILE, left : left + _TILE]
            block[...] = tile[: block.shape[0], : block.shape[1]]
    rows, columns = np.ogrid[:height, :width]
    centre = rng.uniform(0.45, 0.55, 2) * (height, width)
    subject = ((rows - centre[0]) / (0.32 * height)) ** 2 + (
        (columns - centre[1]) / (0.22 * width)
    ) ** 2 <= 1
    blurred, _ = simulate.layered_defocus(
        sharp, subject.astype(np.intp), [kernels.disk(radius), np.ones((1, 1))], 0.005,
        rng=rng, channel_axis=-1,
    )  # fmt: skip
    return img_as_ubyte(np.clip(blurred, 0.0, 1.0))


def _max_rss_mib(value: float) -> float:
    """``ru_maxrss`` in MiB: KiB on Linux, bytes on macOS."""
    return value / 2**20 if sys.platform == "darwin" else value / 2**10


def measure_in_child(path: str, what: str, radius: float, timeout: float) -> dict:
    """Run ``what`` ("all_in_focus" or "richardson_lucy") on the photo at ``path``.

    A fresh Python process reads the photo (:func:`defocus_teach.io.read_image`, as the
    command line does) and runs it; it reports its wall time and its peak resident memory
    (``ru_maxrss``: the interpreter and libraries included).

    Returns
    -------
    record : dict
        ``{"status": "ok", "seconds", "peak_mib", "before_mib"}`` (``before_mib``: the
        peak once the photo is read, before the timed call), or ``{"status": "timeout",
        "reason"}`` or ``{"status": "failed", "reason"}`` (e.g. MemoryError, or killed).
    """
    command = [sys.executable, "-c", _PHOTO_CHILD, str(ROOT), path, what, str(radius)]
    try:
        done = subprocess.run(
            [*command, str(RL_ITERATIONS)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "reason": f"did not finish in {timeout:g} s"}
    if done.returncode != 0:
        if done.returncode < 0:
            name = signal.Signals(-done.returncode).name
            reason = f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
        else:
            lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
            reason = lines[-1]
        return {"status": "failed", "reason": reason}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "status": "ok",
        "seconds": report["seconds"],
        "peak_mib": _max_rss_mib(report["peak"]),
        "before_mib": _max_rss_mib(report["before"]),
    }


def measure_photo(megapixels: float, timeout: float, say=print) -> dict:
    """Time :func:`~defocus_teach.all_in_focus` and Richardson-Lucy on one synthetic photo.

    The photo (:func:`synthetic_photo`) is written as a PNG into a temporary folder,
    deleted afterwards; each method runs in its own child process
    (:func:`measure_in_child`), Richardson-Lucy first.

    Returns
    -------
    record : dict
        ``megapixels``, ``shape``, ``radius``, and the records ``all_in_focus`` and
        ``richardson_lucy`` of :func:`measure_in_child`.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "photo.png")
        photo = synthetic_photo(megapixels)
        shape = photo.shape
        write_image(path, photo, np.uint8)
        del photo
        record = {"megapixels": megapixels, "shape": shape, "radius": PHOTO_RADIUS}
        for what in ("richardson_lucy", "all_in_focus"):
            say(f"{what} on a {shape[1]} x {shape[0]} colour photo ...")
            record[what] = measure_in_child(path, what, PHOTO_RADIUS, timeout)
    return record


def _target(megapixels: float) -> tuple[str, float | None, float | None]:
    """The target's text, max ratio and max peak MiB of one size (empty text: none)."""
    ratio, peak = PHOTO_TARGETS.get(float(megapixels), (None, None))
    if peak is None:
        return "", None, None
    limit = f"{peak / 1024:g} GiB" if peak >= 1024 else f"{peak:g} MiB"
    first = f"<= {ratio:g} x RL" if ratio is not None else "completes"
    return f"{first}, peak <= {limit}", ratio, peak


def _verdict(run: dict, rl: dict, megapixels: float) -> str:
    """Whether one measured photo meets its target: "yes", "no" or "" (no target)."""
    text, max_ratio, max_peak = _target(megapixels)
    if not text:
        return ""
    if run["status"] != "ok":
        return "no"
    ok = run["peak_mib"] <= max_peak
    if max_ratio is not None:
        ok = ok and rl["status"] == "ok" and run["seconds"] <= max_ratio * rl["seconds"]
    return "yes" if ok else "no"


def photo_table(records: list[dict]) -> str:
    """The markdown table of :func:`measure_photo` records, one row per photo.

    Parameters
    ----------
    records : list of dict
        As returned by :func:`measure_photo`.

    Returns
    -------
    table : str
        Columns: photo, size, ``all_in_focus`` seconds and peak MiB, Richardson-Lucy
        seconds and peak MiB, their ratio, the target and whether it is met.  A case that
        did not finish or failed shows its reason in place of its numbers.
    """
    lines = [
        "| photo | size | all_in_focus s | peak MiB | Richardson-Lucy s | RL peak MiB | "
        "ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        run, rl = record["all_in_focus"], record["richardson_lucy"]
        numbers = []
        for measured in (run, rl):
            if measured["status"] == "ok":
                numbers += [f"{measured['seconds']:.1f}", f"{measured['peak_mib']:.0f}"]
            else:
                numbers += [measured["reason"], ""]
        both = run["status"] == rl["status"] == "ok"
        ratio = f"{run['seconds'] / rl['seconds']:.1f}" if both else ""
        height, width = record["shape"][:2]
        cells = [
            f"{record['megapixels']:g} MP",
            f"{width} x {height}",
            *numbers,
            ratio,
            _target(record["megapixels"])[0],
            _verdict(run, rl, record["megapixels"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_section(path: Path, name: str, text: str) -> None:
    """Put ``text`` between the markers of section ``name`` of the markdown file ``path``.

    The markers are HTML comments (``<!-- begin name -->``, ``<!-- end name -->``); an
    existing section is replaced in place, a new one is appended, the rest of the file
    is kept.  ``speed.md`` holds the sections "solver" and "photos", written by separate
    runs of this script.
    """
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Speed\n"
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in old and end in old[old.index(begin) :]:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def photos_main(sizes: list[float], timeout: float, write: bool, say) -> int:
    """The ``--photos`` run: measure every size, print the table, write its section."""
    records = [measure_photo(megapixels, timeout, say) for megapixels in sizes]
    text = (
        "## Colour photographs, automatic mode\n\n"
        "`all_in_focus(photo, channel_axis=-1)`, nothing else given (what `python -m "
        "defocus_teach photo.png -o out.png` runs), against scikit-image's "
        f"`richardson_lucy` ({RL_ITERATIONS} iterations, the true disk kernel of radius "
        f"{PHOTO_RADIUS:g} for every channel) on the same photo in the same run.  Each is "
        "one run in a fresh process; peak is its maximum resident memory (`ru_maxrss`), "
        "the interpreter and libraries included.  The photos are synthetic: a mosaic of "
        "`skimage.data` photographs at their own resolution, an in-focus ellipse in front "
        f"of a background blurred by a disk of radius {PHOTO_RADIUS:g} px, noise 0.005, "
        "8 bits (`synthetic_photo` in the script).  Written by `python benchmarks/speed.py "
        "--photos " + " ".join(f"{m:g}" for m in sizes) + "`.\n\n"
        f"{_machine()}\n\n{photo_table(records)}\n\n{_baselines(records)}"
    )
    print(text)
    if write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        write_section(RESULTS / "speed.md", "photos", text)
    return 0


def _baselines(records: list[dict]) -> str:
    """One sentence: the peak of each ``all_in_focus`` child before its timed call."""
    before = [
        f"{record['megapixels']:g} MP {record['all_in_focus']['before_mib']:.0f} MiB"
        for record in records
        if record["all_in_focus"]["status"] == "ok"
    ]
    return (
        "Of the peak, the interpreter, the libraries and the decoded photo took, before "
        "`all_in_focus` was called: " + (", ".join(before) or "not measured") + "."
    )


def _machine() -> str:
    """Versions, cores, thread variables and load average, one line."""
    threads = ", ".join(
        f"{v}={os.environ.get(v)}" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}; "
        f"{os.cpu_count()} cores; {threads}; scipy.fft workers={_WORKERS}; load average "
        f"{load} (1, 5, 15 min) when the run ended."
    )


def _parser() -> argparse.ArgumentParser:
    """The options of the script (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5, help="motorcycle scale (0.5)")
    parser.add_argument("--admm-iter", type=int, default=50, help="ADMM iterations timed (50)")
    parser.add_argument("--no-write", action="store_true", help="do not write speed.md")
    parser.add_argument(
        "--admm-only", action="store_true", help="print only the ADMM/FFT ratio table"
    )
    parser.add_argument(
        "--baseline", metavar="REV", help="also time the 256 x 256 blind case at REV"
    )
    parser.add_argument(
        "--photos",
        nargs="*",
        type=float,
        metavar="MP",
        help="instead of the solver tables, the table of colour photographs in automatic "
        "mode, of these sizes in megapixels (default, with no value: 0.3 1 4 12)",
    )
    parser.add_argument(
        "--photo-timeout",
        type=float,
        default=3 * 3600.0,
        metavar="SECONDS",
        help="time limit of each photo's run; beyond it the case is reported as not "
        "finished (default 10800, 3 h)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the solver tables or, with ``--photos``, the photo table; write its section."""
    parser = _parser()
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.admm_only:
        print("\n".join(admm_ratio_table(args.admm_iter, say)))
        return 0
    if args.photos is not None:
        if any(m <= 0 for m in args.photos) or args.photo_timeout <= 0:
            parser.error("--photos sizes and --photo-timeout must be positive")
        sizes = args.photos or list(PHOTO_SIZES)
        return photos_main(sizes, args.photo_timeout, not args.no_write, say)

    rows = []  # (case, size, seconds, target)
    for size in (256, 512):
        say(f"blind_deconvolve {size} x {size} ...")
        seconds, _ = timed(blind_deconvolve, blurred_camera(size))
        rows.append(
            ("blind_deconvolve, grey, disk R=5, noise 0.005", f"{size} x {size}", seconds, "")
        )

    for colour in (None, -1):
        scene = dt_data.motorcycle_scene(scale=args.scale, channel_axis=colour)
        masks = [scene.masks[j] for j in scene.order]
        shape = scene.blurred.shape
        say(f"all_in_focus motorcycle {shape} ...")
        seconds, _ = timed(all_in_focus, scene.blurred, masks=masks, channel_axis=colour)
        kind = "grey" if colour is None else "colour"
        size = " x ".join(str(n) for n in shape)
        rows.append(
            (
                f"all_in_focus, motorcycle (scale {args.scale:g}), {kind}, true masks",
                size,
                seconds,
                "",
            )
        )

    spec = replace(SCENES[2], name="speed-512", origin=(0, 0), size=512, radii=(5,), noise=0.005)
    scene = make_scene(spec)
    say("all_in_focus 512 x 512 two layers ...")
    seconds, _ = timed(all_in_focus, scene.blurred, masks=scene.masks)
    rows.append(
        (
            "all_in_focus, two layers (camera, disk R=5 background), grey",
            "512 x 512",
            seconds,
            "<= 15 s",
        )
    )

    if args.baseline:
        say(f"blind_deconvolve 256 x 256, here and at {args.baseline}, alternating ...")
        before, here = compare_blind(args.baseline)
        rows.append(
            (f"blind_deconvolve at {args.baseline} (median of 3)", "256 x 256", before, "")
        )
        rows.append(
            (
                "blind_deconvolve 256 x 256, this tree (median of 3, same run)",
                "256 x 256",
                here,
                f"<= 1.3 x {before:.1f} s (ratio {here / before:.2f})",
            )
        )

    ratio_lines = admm_ratio_table(args.admm_iter, say)

    lines = [
        "| case | size | seconds | target |",
        "|---|---|---|---|",
        *(
            f"| {case} | {size} | {seconds:.1f} | {target} |"
            for case, size, seconds, target in rows
        ),
        "",
        *ratio_lines,
    ]
    header = _machine()
    table = "\n".join(lines)
    print(header + "\n\n" + table)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        write_section(
            RESULTS / "speed.md",
            "solver",
            f"Written by `python benchmarks/speed.py`.\n\n{header}\n\n{table}",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
