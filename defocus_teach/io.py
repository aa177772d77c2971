"""Reading and writing photographs: PNG, JPEG and TIFF, 8 or 16 bit, grey or colour.

Not a step of the paper: this is the plumbing that lets the command line
(:mod:`defocus_teach.cli`) and the book run the method on a photograph from disk.

* :func:`read_image` checks that the file's content is what its extension says, reads it
  and returns a float64 image in [0, 1] (the package's convention) together with an
  :class:`ImageInfo` that records the file's pixel type, so that the result can be written
  back with the same bit depth.  PNG goes through ``imagecodecs`` (libpng), which keeps 16
  bits per channel in colour too (Pillow reduces 16-bit colour PNG to 8 bits); JPEG and TIFF
  through :func:`skimage.io.imread` (Pillow and tifffile; tifffile decodes LZW- and
  JPEG-compressed TIFFs with ``imagecodecs``).
* :func:`write_image` converts a float image to 8 or 16 bit (or float32 TIFF) with
  :func:`skimage.util.img_as_ubyte` / :func:`skimage.util.img_as_uint` (PNG with
  ``imagecodecs``, 16-bit colour included) and writes it *atomically*: to a temporary file
  next to the destination, then :func:`os.replace`.
  Readers never see a half-written file, and a failed write leaves nothing behind.
* :func:`atomic_output` is that temporary-file dance on its own, for files written by other
  libraries (``numpy.save``, ``Figure.savefig``).

Only at this last conversion are values clipped to [0, 1]: the method itself returns
unclipped floats (slight over- and undershoots near edges are normal for deconvolution).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import imagecodecs
import numpy as np
from PIL import Image
from skimage import io as skio
from skimage.util import img_as_float, img_as_ubyte, img_as_uint

from ._validation import as_float_image

__all__ = [
    "FORMATS",
    "ImageInfo",
    "atomic_output",
    "check_writable",
    "image_format",
    "read_image",
    "write_image",
]

#: File name extensions (lower case) and the format each one means.
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}
_EXTENSIONS = ", ".join(FORMATS)
_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.float32))
#: The first bytes of each format (TIFF: little/big endian, classic and BigTIFF).
_SIGNATURES = {
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "JPEG": (b"\xff\xd8\xff",),
    "TIFF": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
}


@dataclass(frozen=True)
class ImageInfo:
    """What :func:`read_image` learnt about a file, to write the result back alike.

    Attributes
    ----------
    dtype : numpy.dtype
        The pixel type of the file: uint8, uint16, or a float type for floating-point
        TIFFs (a 1-bit image is reported as uint8).
    is_color : bool
        True for an RGB image (H, W, 3), False for greyscale (H, W).
    shape : tuple of int
        Shape of the image array.
    format : str
        "PNG", "JPEG" or "TIFF", from the file name's extension.
    """

    dtype: np.dtype
    is_color: bool
    shape: tuple
    format: str

    @property
    def bit_depth(self) -> int:
        """Bits per channel (8, 16, or 32/64 for floating point)."""
        return self.dtype.itemsize * 8

    @property
    def channel_axis(self) -> int | None:
        """The ``channel_axis`` argument for the package's functions: -1 or None."""
        return -1 if self.is_color else None


def image_format(path, name: str = "path") -> str:
    """Return "PNG", "JPEG" or "TIFF" from the extension of ``path``.

    Raises
    ------
    ValueError
        If the extension is not one of .png, .jpg, .jpeg, .tif, .tiff (any case).

    Examples
    --------
    >>> image_format("photo.JPG")
    'JPEG'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}")
    suffix = Path(path).suffix
    if suffix.lower() not in FORMATS:
        got = f"'{suffix}'" if suffix else "no extension"
        raise ValueError(
            f"unsupported file type for {name} '{path}': {got} (expected one of {_EXTENSIONS})"
        )
    return FORMATS[suffix.lower()]


def read_image(path) -> tuple[np.ndarray, ImageInfo]:
    """Read a PNG, JPEG or TIFF file as a float64 image in [0, 1].

    Parameters
    ----------
    path : str or os.PathLike
        The file; its extension must be .png, .jpg, .jpeg, .tif or .tiff.

    Returns
    -------
    image : ndarray of float64, shape (H, W) or (H, W, 3)
        Integer pixels are rescaled by :func:`skimage.util.img_as_float` (uint8 divides by
        255, uint16 by 65535); floating-point pixels are kept as they are.
    info : ImageInfo
        The file's pixel type, colour and format.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError
        If the file is missing, a directory or not readable.
    ValueError
        If the file type is not supported, the file cannot be decoded, or the image is not
        greyscale (H, W) or RGB (H, W, 3) -- an alpha channel is refused, not dropped
        silently -- or its pixels are not 8/16-bit integers or finite floats in [0, 1].

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> ramp = np.linspace(0, 1, 12).reshape(3, 4)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_image(Path(folder) / "ramp.png", ramp, "uint16")
    ...     image, info = read_image(path)
    >>> info.dtype, info.bit_depth, info.is_color, image.shape
    (dtype('uint16'), 16, False, (3, 4))
    >>> bool(np.abs(image - ramp).max() <= 0.5 / 65535)
    True
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"'{path}' does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"'{path}' is a directory, not an image file")
    fmt = image_format(path)
    _check_signature(path, fmt)
    try:
        if fmt == "PNG":
            array = imagecodecs.png_decode(path.read_bytes())
        else:
            array = skio.imread(path)
    except PermissionError as exc:
        raise PermissionError(f"'{path}' cannot be read: permission denied") from exc
    except Exception as exc:  # the decoders raise many types; turn them into one clear error
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read '{path}': a damaged {fmt} file ({reason})") from exc
    array = np.asarray(array)

    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[-1] in (2, 4):
        _refuse_extra_channels(path, array.shape[-1])
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] == 3)):
        raise ValueError(
            f"'{path}' holds an array of shape {array.shape}; expected a greyscale (H, W) or "
            "RGB (H, W, 3) image (multi-page files are not supported)"
        )
    if array.size == 0:
        raise ValueError(f"'{path}' is empty (shape {array.shape})")

    if array.dtype == bool:
        dtype = np.dtype(np.uint8)
    elif array.dtype in (np.uint8, np.uint16) or array.dtype.kind == "f":
        dtype = array.dtype
    else:
        raise ValueError(
            f"'{path}' has pixels of type {array.dtype}; expected 8- or 16-bit unsigned "
            "integers or floating point"
        )
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError(f"'{path}' contains NaN or infinite values")
        low, high = float(array.min()), float(array.max())
        if low < 0 or high > 1:
            raise ValueError(
                f"'{path}' has floating-point values in [{low:g}, {high:g}]; expected [0, 1]"
            )
    image = img_as_float(array).astype(np.float64, copy=False)
    info = ImageInfo(dtype=dtype, is_color=array.ndim == 3, shape=array.shape, format=fmt)
    return image, info


def _check_signature(path: Path, fmt: str) -> None:
    """Refuse a file whose first bytes are not those of the format its extension names."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not head:
        raise ValueError(f"'{path}' is empty (0 bytes)")
    if any(head.startswith(signature) for signature in _SIGNATURES[fmt]):
        return
    for other, signatures in _SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            raise ValueError(
                f"'{path}' is named as a {fmt} file but holds a {other} image; rename it"
            )
    raise ValueError(
        f"'{path}' is not a {fmt} file (nor PNG, JPEG or TIFF): its first bytes are {head[:8]!r}"
    )


def _refuse_extra_channels(path: Path, n_channels: int) -> None:
    """A clear error for grey + alpha, RGBA and CMYK files (4 channels are one or the other)."""
    try:
        with Image.open(path) as opened:
            mode = opened.mode
    except Exception:  # noqa: BLE001 -- the mode only improves the message
        mode = ""
    if mode == "CMYK":
        raise ValueError(
            f"'{path}' is a CMYK image (4 ink channels); convert it to RGB first (e.g. "
            "PIL.Image.open(path).convert('RGB'))"
        )
    kind = "grey + alpha" if n_channels == 2 else "RGBA"
    raise ValueError(
        f"'{path}' has an alpha channel ({kind}); remove it (flatten the image onto a "
        "background) first"
    )


def check_writable(path, dtype, is_color: bool) -> str:
    """Check that ``path``'s format can store pixels of ``dtype``; return the format.

    PNG stores uint8 and uint16, JPEG only uint8, TIFF uint8, uint16 and float32.  Call it
    before a long computation so that it fails early.

    Raises
    ------
    ValueError
        For an unsupported extension or a pixel type the format cannot store.

    Examples
    --------
    >>> check_writable("result.tif", "uint16", is_color=True)
    'TIFF'
    """
    fmt = image_format(path)
    dtype = np.dtype(dtype)
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be uint8, uint16 or float32, got {dtype}")
    depth = "floating-point" if dtype.kind == "f" else f"{dtype.itemsize * 8}-bit"
    if fmt == "JPEG" and dtype != np.uint8:
        raise ValueError(
            f"JPEG stores only 8 bits per channel; write the {depth} result to .png or .tif "
            f"instead of '{path}'"
        )
    if fmt == "PNG" and dtype == np.float32:
        raise ValueError(f"PNG cannot store floating-point pixels; use .tif instead of '{path}'")
    return fmt


@contextmanager
def atomic_output(path, *, force: bool = False) -> Iterator[Path]:
    """Context manager giving a temporary path that becomes ``path`` on success.

    The temporary file lives in a fresh hidden directory next to ``path`` (same file
    system, so :func:`os.replace` is atomic) and has the same extension, so writers that
    pick the format from the name work.  If the block raises, nothing is left behind and
    ``path`` is untouched.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.  Its directory must exist.
    force : bool, optional
        Replace an existing file (default False: raise ``FileExistsError``).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with atomic_output(Path(folder) / "a.npy") as tmp:
    ...         np.save(tmp, np.arange(3))
    ...     print(sorted(p.name for p in Path(folder).iterdir()))
    ['a.npy']
    """
    path = Path(path)
    _check_destination(path, force)
    workdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        temporary = workdir / f"partial{path.suffix}"
        yield temporary
        if not temporary.is_file():
            raise RuntimeError(f"nothing was written for '{path}'")
        _check_destination(path, force)  # it may have appeared meanwhile
        os.replace(temporary, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _check_destination(path: Path, force: bool) -> None:
    if path.is_dir():
        raise IsADirectoryError(f"'{path}' is a directory")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the directory of '{path}' does not exist")
    if path.exists() and not force:
        raise FileExistsError(f"'{path}' exists; not overwriting it without force")


def write_image(path, image, dtype, force: bool = False) -> Path:
    """Write a float image to PNG, JPEG or TIFF with the given pixel type, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; the extension (.png, .jpg, .jpeg, .tif, .tiff) picks the format.
    image : ndarray, shape (H, W) or (H, W, 3)
        Float image meant to lie in [0, 1]; integer and boolean arrays are converted with
        :func:`skimage.util.img_as_float` first.  It must be finite.
    dtype : {"uint8", "uint16", "float32"} or numpy dtype
        Pixel type of the file (see :func:`check_writable` for what each format stores).
    force : bool, optional
        Replace an existing file (default False: raise ``FileExistsError``).

    Returns
    -------
    path : pathlib.Path
        The file written.

    Notes
    -----
    Values are clipped to [0, 1] here, and only here, then converted with
    :func:`skimage.util.img_as_ubyte` or :func:`skimage.util.img_as_uint` (rounding to
    the nearest level).  JPEG is written at Pillow's default quality.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_image(Path(folder) / "x.png", np.array([[-0.5, 0.5, 1.5]]), "uint8")
    ...     print(read_image(path)[0] * 255)
    [[  0. 128. 255.]]
    """
    path = Path(path) if isinstance(path, (str, os.PathLike)) else path
    array = np.asarray(image)
    is_color = array.ndim == 3
    check_writable(path, dtype, is_color)
    dtype = np.dtype(dtype)
    array = as_float_image(
        array, "image", channel_axis=-1 if is_color else None, check_range=False
    )
    clipped = np.clip(array, 0.0, 1.0)
    if dtype == np.uint8:
        pixels = img_as_ubyte(clipped)
    elif dtype == np.uint16:
        pixels = img_as_uint(clipped)
    else:
        pixels = clipped.astype(np.float32)
    with atomic_output(path, force=force) as temporary:
        _save_pixels(temporary, pixels, image_format(path))
    return path


def _save_pixels(path: Path, pixels: np.ndarray, fmt: str) -> None:
    """Encode integer or float32 pixels into ``path`` (PNG with libpng: 16-bit colour too)."""
    if fmt == "PNG":
        path.write_bytes(imagecodecs.png_encode(pixels))
    else:
        skio.imsave(path, pixels, check_contrast=False)
