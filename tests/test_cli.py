"""The command line ``python -m defocus_teach`` (defocus_teach.cli) and its file I/O.

Most tests replace the method by a fast fake (unsharp masking, which over- and undershoots
[0, 1] like a real deconvolution), so that they check the command line itself: bit depth,
clipping, overwriting rules, atomic writes and error messages.  One test runs the real
method end to end on a small image.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data as skdata
from skimage import io as skio
from skimage.metrics import peak_signal_noise_ratio as psnr
from skimage.util import img_as_float, img_as_ubyte, img_as_uint

import defocus_teach
from defocus_teach import cli
from defocus_teach import io as dio

REPO = Path(__file__).resolve().parents[1]
SHAPE = (48, 64)


@dataclass(frozen=True)
class FakeResult:
    image: np.ndarray
    masks: list
    kernels: list
    defocus_map: np.ndarray
    layers: list


def fake_all_in_focus(image, n_layers=None, channel_axis=None, progress=False, **options):
    """Unsharp masking with a two- or three-stripe "layering"; about 1 ms."""
    sigma = 1.0 if channel_axis is None else (1.0, 1.0, 0.0)
    sharpened = image + 2.0 * (image - ndi.gaussian_filter(image, sigma))
    if callable(progress):
        progress("fake step")
    n_layers = n_layers or 2
    columns = np.arange(image.shape[1]) * n_layers // image.shape[1]
    labels = np.broadcast_to(columns, image.shape[:2])
    masks = [labels == j for j in range(n_layers)]
    kernels = [np.ones((1, 1))] + [
        np.full((2 * j + 1,) * 2, 1 / (2 * j + 1) ** 2) for j in range(1, n_layers)
    ]
    defocus_map = labels * 1.5
    return FakeResult(sharpened, masks, kernels, defocus_map, masks)


@pytest.fixture
def calls(monkeypatch):
    """Replace the method by the fake; the list records the keyword arguments of each call."""
    recorded = []

    def fake(image, **kwargs):
        recorded.append(kwargs)
        return fake_all_in_focus(image, **kwargs)

    monkeypatch.setattr(cli, "all_in_focus", fake)
    return recorded


def photo(shape=SHAPE, dtype=np.uint8, seed=0):
    """A textured test image of the given shape and integer dtype."""
    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random(shape), 1.5)
    image = (image - image.min()) / (image.max() - image.min())
    return img_as_ubyte(image) if dtype == np.uint8 else img_as_uint(image)


def save(path, array):
    skio.imsave(path, array, check_contrast=False)
    return path


def expected_output(pixels, dtype):
    """What the command should write for input ``pixels``: the fake, clipped, converted."""
    channel_axis = -1 if pixels.ndim == 3 else None
    result = fake_all_in_focus(img_as_float(pixels), channel_axis=channel_axis).image
    clipped = np.clip(result, 0, 1)
    return img_as_ubyte(clipped) if dtype == np.uint8 else img_as_uint(clipped)


def error_lines(capsys):
    return capsys.readouterr().err.strip().splitlines()


def files_in(folder):
    """Every entry below ``folder``, hidden ones (temporary files) included."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


# ----------------------------------------------------------------------------------------
# Successful runs


@pytest.mark.parametrize(
    ("source", "dtype", "shape", "target"),
    [
        ("grey8.png", np.uint8, SHAPE, "out.png"),
        ("colour8.png", np.uint8, (*SHAPE, 3), "out.tif"),
        ("grey16.png", np.uint16, SHAPE, "out.png"),
        ("grey16.tif", np.uint16, SHAPE, "out.tiff"),
        ("colour16.tiff", np.uint16, (*SHAPE, 3), "out.TIF"),
    ],
)
def test_output_keeps_dtype_and_shape_and_is_clipped_result(
    tmp_path, calls, source, dtype, shape, target
):
    pixels = photo(shape, dtype)
    save(tmp_path / source, pixels)
    assert cli.main([str(tmp_path / source), "-o", str(tmp_path / target), "-q"]) == 0
    written = skio.imread(tmp_path / target)
    assert written.dtype == dtype and written.shape == shape
    expected = expected_output(pixels, dtype)
    np.testing.assert_array_equal(written, expected)
    # The fake overshoots, so clipping really happened: both ends of the range are used.
    assert written.min() == 0 and written.max() == np.iinfo(dtype).max
    assert calls[0]["channel_axis"] == (-1 if len(shape) == 3 else None)
    assert files_in(tmp_path) == sorted([source, target])


def test_jpeg_in_and_out_keeps_8_bit_colour(tmp_path, calls):
    pixels = photo((*SHAPE, 3))
    save(tmp_path / "in.jpg", pixels)
    assert cli.main([str(tmp_path / "in.jpg"), "-o", str(tmp_path / "out.jpeg"), "-q"]) == 0
    written = skio.imread(tmp_path / "out.jpeg")
    assert written.dtype == np.uint8 and written.shape == pixels.shape
    expected = expected_output(skio.imread(tmp_path / "in.jpg"), np.uint8)
    assert np.abs(written.astype(float) - expected).mean() < 4  # JPEG is lossy


def test_float_tiff_gives_float32_tiff(tmp_path, calls):
    pixels = img_as_float(photo()).astype(np.float32)
    save(tmp_path / "in.tif", pixels)
    assert cli.main([str(tmp_path / "in.tif"), "-o", str(tmp_path / "out.tif"), "-q"]) == 0
    written = skio.imread(tmp_path / "out.tif")
    expected = np.clip(fake_all_in_focus(pixels.astype(np.float64)).image, 0, 1)
    assert written.dtype == np.float32 and written.shape == SHAPE
    np.testing.assert_allclose(written, expected, atol=1e-7)


def test_progress_goes_to_stderr_and_quiet_silences_it(tmp_path, calls, capsys):
    save(tmp_path / "in.png", photo())
    assert cli.main([str(tmp_path / "in.png"), "-o", str(tmp_path / "a.png")]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "fake step" in err and "wrote" in err and "clipped to [0, 1]" in err
    assert cli.main([str(tmp_path / "in.png"), "-o", str(tmp_path / "b.png"), "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_layers_option_is_passed_as_n_layers(tmp_path, calls):
    save(tmp_path / "in.png", photo())
    assert cli.main([str(tmp_path / "in.png"), "-o", str(tmp_path / "a.png"), "-q"]) == 0
    assert (
        cli.main([str(tmp_path / "in.png"), "-o", str(tmp_path / "b.png"), "--layers=3", "-q"])
        == 0
    )
    assert [call["n_layers"] for call in calls] == [None, 3]


def test_save_maps_writes_map_masks_and_kernels(tmp_path, calls):
    pixels = photo()
    save(tmp_path / "in.png", pixels)
    maps = tmp_path / "maps" / "nested"
    args = [str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "-q"]
    assert cli.main([*args, "--layers", "3", "--save-maps", str(maps)]) == 0
    fake = fake_all_in_focus(img_as_float(pixels), n_layers=3)
    assert files_in(maps) == sorted(
        ["defocus_map.npy", "defocus_map.png", "kernels.png"]
        + [f"mask_{j}.png" for j in range(3)]
        + [f"kernel_{j}.npy" for j in range(3)]
    )
    np.testing.assert_array_equal(np.load(maps / "defocus_map.npy"), fake.defocus_map)
    colour_map = skio.imread(maps / "defocus_map.png")
    assert colour_map.shape == (*SHAPE, 3) and colour_map.dtype == np.uint8
    for j in range(3):
        np.testing.assert_array_equal(skio.imread(maps / f"mask_{j}.png"), fake.masks[j] * 255)
        np.testing.assert_array_equal(np.load(maps / f"kernel_{j}.npy"), fake.kernels[j])
    assert skio.imread(maps / "kernels.png").ndim == 3  # a matplotlib figure

    # Earlier maps are not overwritten without --force (checked before any work) ...
    args[2] = str(tmp_path / "other.png")
    assert cli.main([*args, "--save-maps", str(maps)]) == 1
    assert len(calls) == 1 and not (tmp_path / "other.png").exists()
    # ... and are with it.
    assert cli.main([*args, "--save-maps", str(maps), "--force"]) == 0


def test_demo_writes_the_four_files(tmp_path, calls, capsys):
    folder = tmp_path / "demo"
    assert cli.main(["--demo", str(folder), "-q"]) == 0
    assert files_in(folder) == sorted(cli.DEMO_FILES)
    scene = defocus_teach.data.motorcycle_scene()
    np.testing.assert_array_equal(
        skio.imread(folder / "result.png"), expected_output(scene.blurred, np.uint8)
    )
    np.testing.assert_array_equal(skio.imread(folder / "sharp.png"), img_as_ubyte(scene.sharp))
    assert skio.imread(folder / "comparison.png").shape[-1] in (3, 4)
    assert "PSNR" in capsys.readouterr().out

    assert cli.main(["--demo", str(folder), "-q"]) == 1  # refuses to overwrite ...
    assert "--force" in error_lines(capsys)[0]
    assert cli.main(["--demo", str(folder), "-q", "--force"]) == 0  # ... unless forced


# ----------------------------------------------------------------------------------------
# Overwriting and atomic writes


@pytest.mark.parametrize("spelling", ["same", "dotted", "hardlink"])
def test_never_overwrites_input_even_with_force(tmp_path, calls, capsys, spelling):
    source = save(tmp_path / "in.png", photo())
    before = source.read_bytes()
    target = {"same": source, "dotted": tmp_path / "sub" / ".." / "in.png"}.get(spelling)
    if spelling == "dotted":
        (tmp_path / "sub").mkdir()
    if spelling == "hardlink":
        target = tmp_path / "link.png"
        os.link(source, target)
    assert cli.main([str(source), "-o", str(target), "--force"]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith("defocus_teach: error: OUTPUT")
    assert "INPUT" in lines[0]
    assert source.read_bytes() == before and calls == []


def test_existing_output_needs_force(tmp_path, calls, capsys):
    save(tmp_path / "in.png", photo())
    target = tmp_path / "out.png"
    target.write_bytes(b"precious")
    assert cli.main([str(tmp_path / "in.png"), "-o", str(target)]) == 1
    assert "--force" in error_lines(capsys)[0]
    assert target.read_bytes() == b"precious" and calls == []
    assert cli.main([str(tmp_path / "in.png"), "-o", str(target), "--force", "-q"]) == 0
    assert skio.imread(target).shape == SHAPE


def test_no_output_file_when_the_method_fails(tmp_path, monkeypatch, capsys):
    save(tmp_path / "in.png", photo())
    target = str(tmp_path / "out.png")

    def failing(image, **kwargs):
        raise ValueError("no layer is large enough")

    monkeypatch.setattr(cli, "all_in_focus", failing)
    assert cli.main([str(tmp_path / "in.png"), "-o", target, "-q"]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "cannot process" in lines[0] and "no layer" in lines[0]
    assert files_in(tmp_path) == ["in.png"]

    def crashing(image, **kwargs):
        raise RuntimeError("a bug")  # not an input error: traceback, still no file

    monkeypatch.setattr(cli, "all_in_focus", crashing)
    with pytest.raises(RuntimeError):
        cli.main([str(tmp_path / "in.png"), "-o", target, "-q"])
    assert files_in(tmp_path) == ["in.png"]


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path, calls, monkeypatch, capsys
):
    save(tmp_path / "in.png", photo())
    target = tmp_path / "out.png"
    target.write_bytes(b"old result")

    def disk_full(path, pixels, fmt):
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dio, "_save_pixels", disk_full)
    assert cli.main([str(tmp_path / "in.png"), "-o", str(target), "--force", "-q"]) == 1
    assert "No space left" in error_lines(capsys)[0]
    assert target.read_bytes() == b"old result"
    assert files_in(tmp_path) == ["in.png", "out.png"]  # no temporary left behind


def test_debug_shows_the_traceback(tmp_path, calls):
    with pytest.raises(FileNotFoundError):
        cli.main([str(tmp_path / "missing.png"), "-o", str(tmp_path / "out.png"), "--debug"])


# ----------------------------------------------------------------------------------------
# Bad input: exit status 1, one line on stderr, no output file, the method never runs


def _write_rgba(path):
    save(path, np.dstack([photo((*SHAPE, 3)), np.full(SHAPE, 200, np.uint8)]))


def _write_grey_alpha(path):
    save(path, np.dstack([photo(), np.full(SHAPE, 200, np.uint8)]))


def _write_garbage(path):
    path.write_bytes(b"this is not a PNG file")


def _write_one_pixel(path):
    save(path, np.full((1, 1), 128, np.uint8))


def _write_small(path):
    save(path, photo((20, 100)))


def _write_nan_tiff(path):
    image = img_as_float(photo()).astype(np.float32)
    image[3, 4] = np.nan
    save(path, image)


def _write_out_of_range_tiff(path):
    save(path, img_as_float(photo()).astype(np.float32) * 255)


def _write_stack(path):
    save(path, np.stack([photo(), photo(seed=1)]))


@pytest.mark.filterwarnings("ignore:The legacy `DICOM` plugin:DeprecationWarning")
@pytest.mark.parametrize(
    ("name", "writer", "message"),
    [
        ("rgba.png", _write_rgba, "alpha channel (RGBA)"),
        ("grey_alpha.png", _write_grey_alpha, "alpha channel (grey + alpha)"),
        ("garbage.png", _write_garbage, "not a PNG file"),
        ("one_pixel.png", _write_one_pixel, "1 x 1 pixels"),
        ("small.png", _write_small, "at least 32 x 32"),
        ("nan.tif", _write_nan_tiff, "NaN"),
        ("range.tif", _write_out_of_range_tiff, "expected [0, 1]"),
        ("stack.tif", _write_stack, "shape (2, 48, 64)"),
        ("photo.bmp", _write_garbage, "unsupported file type"),
        ("missing.png", None, "does not exist"),
    ],
)
def test_bad_input_gives_one_line_error(tmp_path, calls, capsys, name, writer, message):
    if writer is not None:
        writer(tmp_path / name)
    before = files_in(tmp_path)
    assert cli.main([str(tmp_path / name), "-o", str(tmp_path / "out.png")]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith("defocus_teach: error: ") and message in lines[0]
    assert calls == [] and files_in(tmp_path) == before


@pytest.mark.parametrize(
    ("source_dtype", "shape", "target", "message"),
    [
        (np.uint8, SHAPE, "out.gif", "unsupported file type for OUTPUT"),
        (np.uint8, SHAPE, "out", "no extension"),
        (np.uint16, SHAPE, "out.jpg", "JPEG stores only 8 bits"),
        (np.uint8, SHAPE, "no_such_dir/out.png", "does not exist"),
    ],
)
def test_bad_output_is_refused_before_any_work(
    tmp_path, calls, capsys, source_dtype, shape, target, message
):
    save(tmp_path / "in.tif", photo(shape, source_dtype))
    assert cli.main([str(tmp_path / "in.tif"), "-o", str(tmp_path / target)]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and message in lines[0]
    assert calls == [] and files_in(tmp_path) == ["in.tif"]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["in.png"],
        ["-o", "out.png"],
        ["in.png", "-o", "out.png", "--layers", "0"],
        ["in.png", "-o", "out.png", "--layers", "two"],
        ["--demo", "dir", "in.png"],
        ["in.png", "-o", "out.png", "--no-such-option"],
    ],
)
def test_usage_errors_exit_with_status_2(calls, capsys, argv):
    assert cli.main(argv) == 2
    assert "python -m defocus_teach INPUT -o OUTPUT" in capsys.readouterr().err
    assert calls == []


def test_version_and_help_exit_with_status_0(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip().endswith(defocus_teach.__version__)
    assert cli.main(["--help"]) == 0
    assert "clipped to\n  [0, 1] only at this final conversion" in capsys.readouterr().out


def test_python_dash_m_help_runs_in_a_subprocess():
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    completed = subprocess.run(
        [sys.executable, "-m", "defocus_teach", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage:")
    assert "python -m defocus_teach INPUT -o OUTPUT" in completed.stdout
    assert "examples:" in completed.stdout and "--save-maps DIR" in completed.stdout


# ----------------------------------------------------------------------------------------
# defocus_teach.io on its own


@pytest.mark.parametrize(
    ("name", "dtype", "shape"),
    [
        ("a.png", np.uint8, SHAPE),
        ("a.png", np.uint8, (*SHAPE, 3)),
        ("a.png", np.uint16, SHAPE),
        ("a.png", np.uint16, (*SHAPE, 3)),  # libpng (imagecodecs): Pillow has no 16-bit RGB
        ("a.tif", np.uint8, SHAPE),
        ("a.tif", np.uint16, SHAPE),
        ("a.tif", np.uint16, (*SHAPE, 3)),
    ],
)
def test_write_then_read_is_lossless(tmp_path, name, dtype, shape):
    pixels = photo(shape, dtype)
    dio.write_image(tmp_path / name, img_as_float(pixels), dtype)
    image, info = dio.read_image(tmp_path / name)
    assert (info.dtype, info.shape, info.is_color) == (np.dtype(dtype), shape, len(shape) == 3)
    assert info.bit_depth == 8 * np.dtype(dtype).itemsize
    np.testing.assert_array_equal(image, img_as_float(pixels))
    assert image.dtype == np.float64


def test_write_image_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="not overwriting"):
        dio.write_image(target, np.zeros((4, 4)), "uint8")
    assert target.read_bytes() == b"old"
    dio.write_image(target, np.ones((4, 4)), "uint8", force=True)
    assert skio.imread(target).min() == 255


def test_write_image_rejects_nan_and_bad_dtypes(tmp_path):
    with pytest.raises(ValueError, match="NaN"):
        dio.write_image(tmp_path / "a.png", np.full((4, 4), np.nan), "uint8")
    with pytest.raises(ValueError, match="uint8, uint16 or float32"):
        dio.write_image(tmp_path / "a.tif", np.zeros((4, 4)), "int32")
    with pytest.raises(ValueError, match="PNG cannot store floating-point"):
        dio.write_image(tmp_path / "a.png", np.zeros((4, 4)), "float32")
    assert files_in(tmp_path) == []


# ----------------------------------------------------------------------------------------
# The real method, end to end (under a second)

# The method's default iteration counts take minutes even on 96 x 96 pixels; these few
# iterations still run every step (defocus map, layers, blind deconvolution, composition).
QUICK = {"n_iter": 2, "inner_iter": 10, "kernel_iter": 50, "final_iter": 50, "kernel_size": 15}


def test_real_method_deblurs_the_defocused_half_of_a_small_photo(tmp_path, monkeypatch, capsys):
    from defocus_teach.pipeline import all_in_focus

    monkeypatch.setattr(cli, "all_in_focus", functools.partial(all_in_focus, **QUICK))
    sharp = img_as_float(skdata.camera())[100:196, 200:296]
    labels = np.zeros((96, 96), dtype=int)
    labels[:, 48:] = 1  # the right half in focus, in front of a defocused left half
    kernels = [defocus_teach.kernels.disk(3.0), np.ones((1, 1))]
    blurred, _ = defocus_teach.simulate.layered_defocus(
        sharp, labels, kernels, noise_sigma=0.002, rng=0
    )
    source = save(tmp_path / "in.png", img_as_ubyte(np.clip(blurred, 0, 1)))
    target, maps = tmp_path / "out.png", tmp_path / "maps"
    assert (
        cli.main([str(source), "-o", str(target), "--layers", "2", "--save-maps", str(maps)]) == 0
    )
    log = capsys.readouterr().err
    assert "wrote" in log and "layers: 0 in focus; 1 deblurred" in log

    written = skio.imread(target)
    assert written.dtype == np.uint8 and written.shape == (96, 96)
    observed, restored = img_as_float(skio.imread(source)), img_as_float(written)
    left, right = np.s_[:, 8:40], np.s_[:, 56:]
    gain = psnr(sharp[left], restored[left], data_range=1) - psnr(
        sharp[left], observed[left], data_range=1
    )
    assert gain > 2.0, gain  # measured 4.9 dB
    # The layer found in focus, u_0 = f, is kept as it was; the in-focus half loses little
    # where the map put some of its pixels into the defocused layer (measured 0.2 dB).
    in_focus = skio.imread(maps / "mask_0.png") > 0
    np.testing.assert_array_equal(written[in_focus], skio.imread(source)[in_focus])
    loss = psnr(sharp[right], observed[right], data_range=1) - psnr(
        sharp[right], restored[right], data_range=1
    )
    assert loss < 0.5, loss
    assert np.load(maps / "kernel_1.npy").shape == (15, 15)
    assert skio.imread(maps / "mask_1.png")[:, :40].mean() > 0.8 * 255


def test_a_sharp_photo_is_written_back_unchanged_and_the_log_says_why(tmp_path, capsys):
    source = save(tmp_path / "sharp.png", skdata.camera())
    target = tmp_path / "out.png"
    assert cli.main([str(source), "-o", str(target)]) == 0
    log = capsys.readouterr().err
    assert "layer 1: kept: " in log and "against a limit of" in log
    np.testing.assert_array_equal(skio.imread(target), skdata.camera())


def test_fast_help_states_the_cost_measured_on_the_benchmark():
    from defocus_teach.cli import fast_help

    rows = [
        {"scene": "a", "method": "full", "defocused_psnr": 25.0, "seconds": 10.0},
        {"scene": "a", "method": "full_fast", "defocused_psnr": 24.9, "seconds": 4.0},
        {"scene": "b", "method": "full", "defocused_psnr": 30.0, "seconds": 20.0},
        {"scene": "b", "method": "full_fast", "defocused_psnr": 29.7, "seconds": 8.0},
    ]
    text = fast_help(rows)
    assert "2.5 times faster on the benchmark's 2 scenes" in text
    assert "0.20 dB less PSNR on the defocused layers (mean; at most 0.30 dB)" in text
    assert fast_help([]) == "fewer iterations (all_in_focus(..., fast=True))"
