"""Inputs people actually have: every case below once gave a wrong result or a raw error.

Each test builds the input a user would pass (an int64 array from a list, an image in
0..255, a kernel that does not sum to 1, a 16-bit colour PNG, a CMYK JPEG, ...) and checks
that it ends in a ``TypeError``/``ValueError`` naming the argument and the value, or in a
documented conversion with the right numbers.
"""

from __future__ import annotations

import time

import imagecodecs
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi
from skimage import data as skdata

from defocus_teach import (
    NoTextureError,
    all_in_focus,
    blind_deconvolve,
    cli,
    deconvolve,
    estimate_defocus_map,
    kernels,
    operators,
)
from defocus_teach import initial_disk_kernel as dt_initial_disk_kernel
from defocus_teach import io as dio
from defocus_teach.segmentation import MAX_LAYERS, choose_thresholds, segment_layers

CROP = skdata.camera()[100:164, 100:164] / 255.0
KERNEL = kernels.disk(3)


def textured(shape, seed=0):
    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random(shape), 1.5)
    return (image - image.min()) / (image.max() - image.min())


# ----------------------------------------------------------------------------------------
# Integer and out-of-range images


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint32])
def test_integer_images_other_than_uint8_and_uint16_are_refused(dtype):
    pixels = (CROP * 100).astype(dtype)
    with pytest.raises(TypeError) as info:
        deconvolve(pixels, KERNEL, max_iter=2)
    assert "f" in str(info.value) and np.dtype(dtype).name in str(info.value)


def test_a_list_of_ints_is_refused_instead_of_becoming_1e_minus_17():
    as_list = (CROP * 255).astype(int).tolist()  # what np.asarray makes an int64 array of
    for call in (
        lambda: deconvolve(as_list, KERNEL, max_iter=2),
        lambda: all_in_focus(as_list),
        lambda: estimate_defocus_map(as_list),
    ):
        with pytest.raises(TypeError) as info:
            call()
        assert "int64" in str(info.value) and "/ 255" in str(info.value)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_uint8_and_uint16_are_converted_as_scikit_image_does(dtype):
    top = np.iinfo(dtype).max
    pixels = np.round(CROP * top).astype(dtype)
    blurred = operators.blur(pixels.astype(float) / top, KERNEL)
    as_integers = np.round(blurred * top).astype(dtype)
    u_int = deconvolve(as_integers, KERNEL, max_iter=5, lam=1e-4)
    u_float = deconvolve(as_integers / top, KERNEL, max_iter=5, lam=1e-4)
    np.testing.assert_allclose(u_int, u_float)
    assert 0.3 < u_int.mean() < 0.7


def test_floats_in_0_255_are_refused_with_the_range_found():
    for call, name in (
        (lambda: deconvolve(CROP * 255, KERNEL, max_iter=2), "f"),
        (lambda: all_in_focus(CROP * 255), "image"),
        (lambda: blind_deconvolve(CROP * 255, n_iter=1), "f"),
    ):
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert message.startswith(name + " ") and f"{255 * CROP.max():.4g}" in message


def test_noise_slightly_outside_0_1_is_accepted():
    rng = np.random.default_rng(1)
    noisy = np.clip(CROP, 0, 1) + 0.02 * rng.standard_normal(CROP.shape)
    noisy[0, 0], noisy[0, 1] = -0.08, 1.08
    u = deconvolve(noisy, KERNEL, max_iter=3)
    assert np.all(np.isfinite(u))


# ----------------------------------------------------------------------------------------
# Kernels


@pytest.mark.parametrize(
    ("kernel", "what"),
    [
        (np.zeros((5, 5)), "all zeros"),
        (-kernels.disk(2), "negative"),
        (np.ones((5, 5)), "sums to 25"),
        (np.full((3, 3), np.nan), "NaN"),
    ],
)
def test_invalid_kernels_are_refused_by_deconvolve(kernel, what):
    with pytest.raises(ValueError) as info:
        deconvolve(CROP, kernel, max_iter=2)
    assert "kernel" in str(info.value) and what in str(info.value)


def test_an_all_zero_initial_kernel_is_refused():
    with pytest.raises(ValueError) as info:
        blind_deconvolve(CROP, kernel_init=np.zeros((7, 7)), n_iter=1)
    assert "kernel_init" in str(info.value)


def test_a_disk_larger_than_its_box_is_refused():
    with pytest.raises(ValueError) as info:
        kernels.disk(5, size=3)
    assert "size 3" in str(info.value) and "11" in str(info.value)
    with pytest.raises(ValueError):
        kernels.gaussian_pupil(5, 2, size=7)
    # the largest disk a box holds is still accepted, and is a whole disk
    assert kernels.disk(1.5, size=3).sum() == pytest.approx(1)


def test_a_rank_ratio_above_one_is_refused():
    for call in (
        lambda: kernels.project_feasible(KERNEL, ratio=2),
        lambda: kernels.effective_rank(KERNEL, ratio=1.5),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert "ratio" in str(info.value)
    assert kernels.effective_rank(KERNEL, ratio=1.0) >= 1


# ----------------------------------------------------------------------------------------
# Segmentation: bounded cost and a documented maximum


def test_n_layers_above_the_maximum_is_refused_everywhere(tmp_path, capsys):
    defocus_map = np.random.default_rng(0).gamma(2.0, 2.0, (64, 64))
    with pytest.raises(ValueError) as info:
        choose_thresholds(defocus_map, MAX_LAYERS + 1)
    assert "n_layers" in str(info.value) and str(MAX_LAYERS + 1) in str(info.value)
    with pytest.raises(ValueError):
        all_in_focus(textured((64, 64)), n_layers=MAX_LAYERS + 1)
    image = tmp_path / "in.png"
    dio.write_image(image, textured((64, 64)), "uint8")
    status = cli.main([str(image), "-o", str(tmp_path / "out.png"), "--layers", "7"])
    assert status == 2 and "1 to 6" in capsys.readouterr().err


def test_the_largest_number_of_layers_is_segmented_quickly():
    rng = np.random.default_rng(0)
    levels = rng.integers(0, MAX_LAYERS, (8, 8)).repeat(64, 0).repeat(64, 1)  # 512 x 512
    defocus_map = 2.0 * levels + 0.2 * rng.random(levels.shape)
    start = time.perf_counter()
    masks = segment_layers(defocus_map, MAX_LAYERS)
    seconds = time.perf_counter() - start
    assert len(masks) == MAX_LAYERS
    # the six plateaus are recovered exactly (the noise is far below their spacing)
    for mask in masks:
        assert np.unique(levels[mask]).size == 1
    assert seconds < 60  # exponential multi-Otsu at 256 bins took minutes; not a timing test


# ----------------------------------------------------------------------------------------
# Flat and tiny images


def test_a_constant_layer_raises_no_texture_error_not_a_nan_lam1():
    with pytest.raises(NoTextureError):
        blind_deconvolve(np.full((64, 64), 0.5), n_iter=1)


def test_a_constant_photo_is_returned_unchanged_and_the_result_says_so():
    flat = np.full((64, 64), 0.25)
    messages = []
    result = all_in_focus(flat, progress=messages.append)
    np.testing.assert_array_equal(result.image, flat)
    assert result.status == ["kept: no edges"]
    assert any("no edges" in message for message in messages)


def test_an_image_smaller_than_the_kernels_is_refused():
    with pytest.raises(ValueError) as info:
        all_in_focus(skdata.camera()[200:220, 200:220] / 255.0)
    assert "20 x 20" in str(info.value)


def test_the_cli_on_a_constant_photo_says_there_is_nothing_to_deblur(tmp_path, capsys):
    source, target = tmp_path / "flat.png", tmp_path / "out.png"
    dio.write_image(source, np.full((48, 48), 0.5), "uint8")
    assert cli.main([str(source), "-o", str(target)]) == 0
    assert "no edges" in capsys.readouterr().err
    np.testing.assert_array_equal(dio.read_image(target)[0], dio.read_image(source)[0])


# ----------------------------------------------------------------------------------------
# Files


def test_a_16_bit_rgb_png_round_trips_through_the_cli_at_16_bits(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 65536, (40, 48, 3), dtype=np.uint16)
    source, target = tmp_path / "in.png", tmp_path / "out.png"
    source.write_bytes(imagecodecs.png_encode(pixels))
    image, info = dio.read_image(source)
    assert info.dtype == np.uint16 and info.is_color
    np.testing.assert_array_equal(np.round(image * 65535).astype(np.uint16), pixels)

    def identity(image, **kwargs):  # the method itself is tested elsewhere
        return type("Result", (), {"image": image})()

    monkeypatch.setattr(cli, "all_in_focus", identity)
    assert cli.main([str(source), "-o", str(target), "-q"]) == 0
    written = imagecodecs.png_decode(target.read_bytes())
    assert written.dtype == np.uint16 and written.shape == pixels.shape
    np.testing.assert_array_equal(written, pixels)  # every one of the 16 bits kept


def test_a_cmyk_jpeg_is_called_cmyk_not_rgba(tmp_path):
    path = tmp_path / "print.jpg"
    Image.fromarray((textured((32, 32, 3)) * 255).astype(np.uint8)).convert("CMYK").save(path)
    with pytest.raises(ValueError) as info:
        dio.read_image(path)
    assert "CMYK" in str(info.value) and "alpha" not in str(info.value)


def test_a_text_file_named_png_is_reported_as_not_a_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    with pytest.raises(ValueError) as info:
        dio.read_image(path)
    assert "not a PNG file" in str(info.value) and "backend" not in str(info.value)


def test_a_jpeg_named_png_is_reported_as_a_jpeg(tmp_path):
    path = tmp_path / "photo.png"
    jpeg = tmp_path / "photo.jpg"
    Image.fromarray((textured((32, 32)) * 255).astype(np.uint8)).save(jpeg)
    path.write_bytes(jpeg.read_bytes())
    with pytest.raises(ValueError) as info:
        dio.read_image(path)
    assert "holds a JPEG image" in str(info.value)


def test_an_empty_file_is_reported_as_empty(tmp_path):
    path = tmp_path / "empty.tif"
    path.write_bytes(b"")
    with pytest.raises(ValueError) as info:
        dio.read_image(path)
    assert "empty" in str(info.value)


def test_a_directory_as_output_is_called_a_directory(tmp_path, capsys):
    source = tmp_path / "in.png"
    dio.write_image(source, textured((48, 48)), "uint8")
    (tmp_path / "results").mkdir()
    assert cli.main([str(source), "-o", str(tmp_path / "results")]) == 1
    error = capsys.readouterr().err
    assert "is a directory" in error and "no extension" not in error


def test_lzw_compressed_16_bit_tiff_is_read(tmp_path):
    import tifffile

    pixels = (textured((32, 40, 3)) * 65535).astype(np.uint16)
    path = tmp_path / "scan.tif"
    tifffile.imwrite(path, pixels, compression="lzw", photometric="rgb")
    image, info = dio.read_image(path)
    assert info.dtype == np.uint16 and info.is_color
    np.testing.assert_array_equal(np.round(image * 65535).astype(np.uint16), pixels)


def test_a_directory_as_input_is_called_a_directory(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    assert cli.main([str(tmp_path / "photos"), "-o", str(tmp_path / "out.png")]) == 1
    error = capsys.readouterr().err
    assert "is a directory" in error and "unsupported file type" not in error


def test_a_heavily_blurred_layer_with_a_small_kernel_size_is_swept_within_the_size():
    blurred = operators.blur(skdata.camera()[:128, :128] / 255.0, kernels.disk(6))
    radius, kernel = dt_initial_disk_kernel(blurred, size=9)
    assert radius <= 4 and kernel.shape == (9, 9)
    with pytest.raises(ValueError) as info:
        dt_initial_disk_kernel(blurred, radii=[2, 6], size=9)
    assert "radii" in str(info.value) and "size" in str(info.value)
