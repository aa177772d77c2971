"""Property-based tests (hypothesis) of the input checks of every public function.

For random shapes, dtypes, NaN and inf placements, channel axes and kernels, every public
function either returns finite arrays, or raises a ``TypeError``/``ValueError`` that the
package itself raised (the innermost frame of the traceback is in ``defocus_teach``): never
a raw exception from numpy, scipy or scikit-image, and never a non-finite output.

Examples are small (images up to 40 x 40, a few iterations), so the whole module runs in
well under a minute.  ``derandomize=True`` makes every run try the same examples.
"""

from __future__ import annotations

import warnings
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import defocus_teach as dt
from defocus_teach import baselines, c_step, framelet, kernels, operators, segmentation, simulate
from defocus_teach import io as dio

PACKAGE = Path(dt.__file__).resolve().parent

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ----------------------------------------------------------------------------------------
# Strategies


DTYPES = st.sampled_from(
    [
        np.float64,
        np.float32,
        np.float16,
        np.uint8,
        np.uint16,
        np.int64,
        np.int16,
        np.uint32,
        np.bool_,
        np.complex128,
    ]
)


@st.composite
def arrays(draw, *, valid_shape=(32, 32), ndim_choices=(0, 1, 2, 3, 4), valid_weight=3):
    """A plausible image of ``valid_shape`` (``valid_weight`` times in 4 + ``valid_weight``),
    or a wrong dtype, shape or range, or NaN/inf, or not an array at all."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    kind = draw(st.sampled_from(["valid"] * valid_weight + ["dtype", "shape", "range", "bad"]))
    shape = valid_shape
    if kind == "shape":
        ndim = draw(st.sampled_from(ndim_choices))
        shape = tuple(draw(st.integers(0, 40)) for _ in range(ndim))
    values = rng.random(shape)
    if kind == "valid":
        return values
    if kind == "dtype":
        dtype = np.dtype(draw(DTYPES))
        if dtype.kind in "ui":
            values = values * min(np.iinfo(dtype).max, 255)
        return values.astype(dtype)
    if kind == "range":
        scale = draw(st.sampled_from([255.0, -1.0, 1.5, 1e6]))
        return values * scale
    # bad: NaN or inf somewhere, a list, None, a string, a scalar, an object array
    choice = draw(st.sampled_from(["nan", "inf", "list", "none", "str", "scalar", "object"]))
    if choice in ("nan", "inf") and values.size:
        flat = values.reshape(-1)
        flat[draw(st.integers(0, flat.size - 1))] = np.nan if choice == "nan" else -np.inf
        return values
    return {
        "list": values.tolist(),
        "none": None,
        "str": "image.png",
        "scalar": 0.5,
        "object": np.array([None, 1], dtype=object),
    }.get(choice, values)


@st.composite
def kernel_arrays(draw, valid_weight=2):
    """A blur kernel, or one that is even-sided, negative, zero, unnormalised, NaN or 3-D."""
    radius = draw(st.floats(0.5, 4.0))
    kernel = kernels.disk(radius)
    bad = ["even", "neg", "zero", "sum", "nan", "3d"]
    kind = draw(st.sampled_from(["valid"] * valid_weight + bad))
    return {
        "valid": kernel,
        "even": np.ones((4, 4)) / 16,
        "neg": -kernel,
        "zero": np.zeros_like(kernel),
        "sum": 3 * kernel,
        "nan": np.where(kernel > 0, np.nan, 0.0),
        "3d": np.stack([kernel] * 3),
    }[kind]


CHANNEL_AXES = st.sampled_from([None] * 5 + [-1, 0, 2, 5, -4, 1.5, "x", True])
POSITIVE_INTS = st.sampled_from([1, 2, 3, 0, -1, 2.5, None])
REALS = st.sampled_from([1e-3, 0.01, 0.5, 0.0, -1.0, np.nan, np.inf, "a"])
WEIGHTS = st.sampled_from([None, None, None, 1e-4, 1e-3, 0.0, -1.0, np.nan, "a"])


# ----------------------------------------------------------------------------------------
# The property


def _is_finite(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.all(np.isfinite(value)))
    if isinstance(value, float):  # BlindResult.initial_radius is NaN for a given kernel
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_finite(item) for item in value)
    if is_dataclass(value):
        return all(_is_finite(getattr(value, field.name)) for field in fields(value))
    return True


def _raised_by_the_package(exc: BaseException) -> bool:
    frame = exc.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    return PACKAGE in Path(frame.tb_frame.f_code.co_filename).resolve().parents


def check(call, *args, **kwargs):
    """Call; a clear error from the package, or finite outputs, and nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. skimage's precision-loss warnings
        try:
            result = call(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            assert _raised_by_the_package(exc), f"raw {type(exc).__name__}: {exc}"
            assert str(exc).strip(), "an error without a message"
            return None
    assert _is_finite(result), f"non-finite output from {call.__name__}"
    return result


# ----------------------------------------------------------------------------------------
# One test per public function (or family of functions sharing a signature)


@SETTINGS
@given(f=arrays(valid_weight=8), kernel=kernel_arrays(6), channel_axis=CHANNEL_AXES, lam=WEIGHTS)
def test_deconvolve(f, kernel, channel_axis, lam):
    if channel_axis is not None and isinstance(f, np.ndarray) and f.ndim == 2:
        f = np.stack([f] * 3, axis=-1)  # give the colour axis a chance to be right
    check(dt.deconvolve, f, kernel, lam=lam, max_iter=3, channel_axis=channel_axis)


@SETTINGS
@given(
    f=arrays(valid_weight=8),
    kernel_init=st.one_of(st.none(), kernel_arrays(4)),
    n_iter=st.sampled_from([1, 2, 1, 0, 2.5]),
)
def test_blind_deconvolve(f, kernel_init, n_iter):
    check(
        dt.blind_deconvolve,
        f,
        kernel_size=9,
        n_iter=n_iter,
        kernel_init=kernel_init,
        inner_iter=2,
        kernel_iter=5,
        final_iter=2,
    )


@SETTINGS
@given(f=arrays(), u=arrays(), kernel=kernel_arrays(), mask=arrays())
def test_outlier_term_and_weights(f, u, kernel, mask):
    mask = mask > 0.5 if isinstance(mask, np.ndarray) and mask.dtype.kind == "f" else mask
    check(c_step.outlier_term, f, u, kernel, mask)
    check(c_step.outlier_weights, f, u, kernel, mask)


@SETTINGS
@given(f=arrays(), u=arrays(), init=st.one_of(st.none(), kernel_arrays()), size=POSITIVE_INTS)
def test_estimate_kernel(f, u, init, size):
    size = 9 if size == 1 else size
    check(dt.estimate_kernel, f, u, size=size, init=init, max_iter=5)


@SETTINGS
@given(f=arrays(valid_shape=(40, 40)), size=st.sampled_from([9, 15, 31, 4, 0]))
def test_initial_disk_kernel(f, size):
    check(dt.initial_disk_kernel, f, size=size)


@SETTINGS
@given(
    f=arrays(valid_shape=(40, 40)),
    size=st.sampled_from([9, 15, 31, 4, 0]),
    start=st.one_of(st.none(), kernel_arrays()),
)
def test_initial_kernel(f, size, start):
    def initial_kernel(*args, **kwargs):  # candidates hold a = inf (the disk) by design
        found = dt.initial_kernel(*args, **kwargs)
        return found.radius, found.kernel, found.scores

    found = check(initial_kernel, f, size=size, start=start)
    if found is not None:  # a kernel of the requested size, nonnegative, of sum 1
        kernel = found[1]
        assert kernel.shape == (size, size) and kernel.min() >= 0
        assert abs(kernel.sum() - 1) < 1e-9


@SETTINGS
@given(image=arrays(valid_shape=(40, 40), valid_weight=6), channel_axis=CHANNEL_AXES)
def test_estimate_defocus_map(image, channel_axis):
    check(dt.estimate_defocus_map, image, channel_axis=channel_axis)


@SETTINGS
@given(defocus_map=arrays(), n_layers=st.sampled_from([None, 1, 2, 3, 6, 7, 0, 2.5]))
def test_segmentation(defocus_map, n_layers):
    check(segmentation.choose_thresholds, defocus_map, n_layers)
    check(dt.segment_layers, defocus_map, n_layers, min_size=4)


@SETTINGS
@given(image=arrays(valid_shape=(40, 40), valid_weight=8), n_layers=st.sampled_from([None, 2, 7]))
def test_all_in_focus(image, n_layers):
    check(
        dt.all_in_focus,
        image,
        n_layers,
        n_iter=1,
        kernel_size=9,
        inner_iter=2,
        kernel_iter=5,
        final_iter=2,
    )


@SETTINGS
@given(
    sharp=arrays(),
    labels=st.sampled_from(["halves", "float", "none"]),
    kernel=kernel_arrays(),
    noise=REALS,
)
def test_layered_defocus(sharp, labels, kernel, noise):
    shape = sharp.shape[:2] if isinstance(sharp, np.ndarray) and sharp.ndim >= 2 else (32, 32)
    halves = (np.arange(shape[1])[None, :] >= shape[1] // 2) * np.ones(shape, int)
    labels = {"halves": halves, "float": halves + 0.5, "none": None}[labels]
    check(dt.layered_defocus, sharp, labels, [kernels.disk(1), kernel], noise, 0)


@SETTINGS
@given(image=arrays(), kernel=kernel_arrays())
def test_operators(image, kernel):
    check(operators.blur, image, kernel)
    check(operators.blur_adjoint, image, kernel)


@SETTINGS
@given(
    kernel=kernel_arrays(),
    rank=POSITIVE_INTS,
    ratio=st.sampled_from([1 / 30, 1.0, 2.0, 0.0]),
    size=POSITIVE_INTS,
)
def test_kernel_functions(kernel, rank, ratio, size):
    check(kernels.effective_rank, kernel, ratio)
    check(kernels.low_rank, kernel, rank)
    check(kernels.symmetrize, kernel)
    check(kernels.project_simplex, kernel)
    check(kernels.project_feasible, kernel, None, ratio)
    check(kernels.pad_kernel, kernel, 2 * (size if isinstance(size, int) else 1) + 7)
    check(kernels.kernel_error, kernel, kernels.disk(2))


@SETTINGS
@given(
    radius=st.sampled_from([0.0, 0.3, 2.5, 11.0, -1.0, np.nan, np.inf]),
    sigma=REALS,
    size=st.sampled_from([None, 1, 3, 7, 23, 4, 0, 2.5]),
)
def test_kernel_families(radius, sigma, size):
    for family in (kernels.disk, lambda r, s: kernels.gaussian_pupil(r, sigma, s)):
        kernel = check(family, radius, size)
        if kernel is not None:
            assert kernel.min() >= 0 and kernel.sum() == pytest.approx(1)
    check(kernels.gaussian, sigma, 7 if size is None else size)


@SETTINGS
@given(u=arrays(), levels=POSITIVE_INTS)
def test_framelet(u, levels):
    coeffs = check(framelet.analysis, u, levels)
    if coeffs is not None:
        check(framelet.synthesis, coeffs)


@SETTINGS
@given(f=arrays(), kernel=st.one_of(st.none(), kernel_arrays()), channel_axis=CHANNEL_AXES)
def test_baselines(f, kernel, channel_axis):
    check(baselines.wiener, f, kernel=kernel, kernel_size=9, channel_axis=channel_axis)
    check(
        baselines.richardson_lucy,
        f,
        kernel=kernel,
        num_iter=2,
        kernel_size=9,
        channel_axis=channel_axis,
    )


@SETTINGS
@given(masks=arrays(), width=REALS, pixels=POSITIVE_INTS)
def test_simulate_helpers(masks, width, pixels):
    if isinstance(masks, np.ndarray) and masks.dtype.kind == "f":
        masks = masks > 0.5
    check(simulate.boundary_band, masks, width)
    check(simulate.perturb_mask, masks, pixels)


@SETTINGS
@given(image=arrays(valid_shape=(8, 12)), dtype=st.sampled_from(["uint8", "uint16", "int8"]))
def test_write_image(tmp_path_factory, image, dtype):
    folder = tmp_path_factory.mktemp("write")
    check(dio.write_image, folder / "out.png", image, dtype)


def test_the_property_catches_a_raw_numpy_error_and_a_non_finite_output():
    with pytest.raises(AssertionError, match="raw ValueError"):
        check(np.add, np.zeros(2), np.zeros(3))  # numpy's broadcasting error
    with pytest.raises(AssertionError, match="non-finite"):
        check(np.log, np.zeros(2))
    assert check(dt.kernels.disk, -1.0) is None  # the package's own error is fine
