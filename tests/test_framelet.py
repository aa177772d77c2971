"""Tests for defocus_teach.framelet: tight-frame identities and known coefficients."""

import numpy as np
import pytest

from defocus_teach._framelet_passes import SweepBuffers, shifted, sweep
from defocus_teach.framelet import (
    SPLINE_TAPS,
    SplineFramelet,
    StationaryWavelet,
    TightFrame,
    analysis,
    get_transform,
    synthesis,
)

FRAMELET_SHAPES = [(33, 47), (64, 48)]


def _rel_norm_error(coeffs, u):
    return abs(np.linalg.norm(coeffs) - np.linalg.norm(u)) / np.linalg.norm(u)


@pytest.mark.parametrize("levels", [1, 2, 3])
@pytest.mark.parametrize("shape", FRAMELET_SHAPES)
def test_framelet_is_tight_frame(levels, shape):
    u = np.random.default_rng(0).standard_normal(shape)
    transform = SplineFramelet(levels)
    coeffs = transform.analysis(u)
    assert coeffs.shape == (1 + 8 * levels, *shape)
    np.testing.assert_allclose(transform.synthesis(coeffs), u, rtol=0, atol=1e-10)
    assert _rel_norm_error(coeffs, u) < 1e-10


@pytest.mark.parametrize("levels", [1, 2, 3])
@pytest.mark.parametrize("shape", FRAMELET_SHAPES)
def test_framelet_synthesis_is_adjoint(levels, shape):
    rng = np.random.default_rng(1)
    u = rng.standard_normal(shape)
    transform = SplineFramelet(levels)
    c = rng.standard_normal((transform.n_bands, *shape))  # not in the range of W
    lhs = np.vdot(transform.analysis(u), c)
    rhs = np.vdot(u, transform.synthesis(c))
    assert abs(lhs - rhs) < 1e-10 * np.linalg.norm(u) * np.linalg.norm(c)
    # The frame is redundant: W W^T is not the identity, so c is not recovered.
    assert not np.allclose(transform.analysis(transform.synthesis(c)), c)


def test_module_functions_match_class_and_infer_levels():
    u = np.random.default_rng(2).random((20, 30))
    coeffs = analysis(u, levels=2)
    np.testing.assert_array_equal(coeffs, SplineFramelet(2).analysis(u))
    np.testing.assert_allclose(synthesis(coeffs), u, rtol=0, atol=1e-12)


def test_taps_satisfy_unitary_extension_principle():
    omega = np.linspace(-np.pi, np.pi, 1001)
    offsets = np.array([-1, 0, 1])
    responses = SPLINE_TAPS @ np.exp(-1j * np.outer(offsets, omega))  # (3, n_omega)
    np.testing.assert_allclose(np.sum(np.abs(responses) ** 2, axis=0), 1.0, rtol=0, atol=1e-14)
    # Known closed forms: |H0|^2 = cos^4(w/2), |H2|^2 = sin^4(w/2).
    np.testing.assert_allclose(np.abs(responses[0]) ** 2, np.cos(omega / 2) ** 4, atol=1e-14)
    np.testing.assert_allclose(np.abs(responses[2]) ** 2, np.sin(omega / 2) ** 4, atol=1e-14)


def test_impulse_response_is_tensor_product_of_taps():
    u = np.zeros((9, 11))
    u[4, 5] = 1.0
    coeffs = analysis(u)
    for i in range(3):
        for j in range(3):
            expected = np.zeros_like(u)
            # Convolution with taps at offsets -1, 0, 1 puts tap k at pixel centre + k.
            expected[3:6, 4:7] = np.outer(SPLINE_TAPS[i], SPLINE_TAPS[j])
            np.testing.assert_allclose(coeffs[3 * i + j], expected, atol=1e-15)


@pytest.mark.parametrize("levels", [1, 3])
def test_constant_image_has_only_low_pass(levels):
    u = np.full((17, 12), 0.37)
    coeffs = analysis(u, levels=levels)
    np.testing.assert_allclose(coeffs[0], 0.37, rtol=0, atol=1e-15)
    np.testing.assert_allclose(coeffs[1:], 0.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("levels", [1, 2])
def test_linear_ramp_has_zero_second_difference_bands(levels):
    rows, cols = np.mgrid[0:40, 0:50].astype(float)
    slope = 0.01
    u = 0.2 + slope * rows + 0.005 * cols  # not periodic: the wrap makes a jump
    coeffs = analysis(u, levels=levels)
    margin = 2**levels - 1  # support radius of the a trous filters
    inner = (slice(margin, -margin), slice(margin, -margin))
    for level in range(1, levels + 1):
        start = 8 * (levels - level)
        for i in range(3):
            for j in range(3):
                if i == 2 or j == 2:  # h2 in either direction
                    band = coeffs[start + 3 * i + j]
                    np.testing.assert_allclose(band[inner], 0.0, atol=1e-14)
        # Near the wrap the jump of the ramp makes the pure second differences non-zero.
        assert np.abs(coeffs[start + 6]).max() > 1e-3  # h2 along axis 0, h0 along axis 1
        assert np.abs(coeffs[start + 2]).max() > 1e-3  # h0 along axis 0, h2 along axis 1
    # Level-1 band h1 (axis 0) x h0 (axis 1) is the centred difference: slope * sqrt(2) / 2.
    np.testing.assert_allclose(coeffs[8 * (levels - 1) + 3][inner], slope * np.sqrt(2) / 2)


@pytest.mark.parametrize("wavelet", ["haar", "db2", "sym4"])
@pytest.mark.parametrize("levels", [1, 2, 3])
def test_stationary_wavelet_is_tight_frame_with_adjoint(wavelet, levels):
    rng = np.random.default_rng(3)
    shape = (32, 40)
    u = rng.standard_normal(shape)
    transform = StationaryWavelet(wavelet, levels)
    coeffs = transform.analysis(u)
    assert coeffs.shape == (1 + 3 * levels, *shape)
    assert transform.required_multiple == 2**levels
    np.testing.assert_allclose(transform.synthesis(coeffs), u, rtol=0, atol=1e-10)
    assert _rel_norm_error(coeffs, u) < 1e-10
    c = rng.standard_normal(coeffs.shape)
    lhs = np.vdot(coeffs, c)
    rhs = np.vdot(u, transform.synthesis(c))
    assert abs(lhs - rhs) < 1e-10 * np.linalg.norm(u) * np.linalg.norm(c)


def test_stationary_wavelet_rejects_non_divisible_shape():
    transform = StationaryWavelet("db2", levels=2)
    with pytest.raises(ValueError, match=r"\(30, 40\).*multiple of 4"):
        transform.analysis(np.zeros((30, 40)))
    with pytest.raises(ValueError, match="multiple of 4"):
        transform.synthesis(np.zeros((7, 32, 42)))


def test_stationary_wavelet_rejects_biorthogonal_and_unknown_wavelets():
    with pytest.raises(ValueError, match="orthogonal"):
        StationaryWavelet("bior2.2")
    with pytest.raises(ValueError, match="wavelet"):
        StationaryWavelet("not-a-wavelet")
    with pytest.raises(ValueError, match="wavelet"):
        StationaryWavelet("morl")  # continuous


def test_get_transform_returns_named_transforms():
    assert get_transform("framelet", 2) == SplineFramelet(2)
    assert get_transform("wavelet") == StationaryWavelet("db2", 1)
    assert get_transform("wavelet:db4", 3) == StationaryWavelet("db4", 3)
    custom = StationaryWavelet("haar")
    assert get_transform(custom, levels=5) is custom
    assert isinstance(get_transform("framelet"), TightFrame)
    assert get_transform("framelet").required_multiple == 1


def test_get_transform_errors():
    with pytest.raises(ValueError, match="transform"):
        get_transform("curvelet")
    with pytest.raises(ValueError, match="transform"):
        get_transform("framelet:db2")
    with pytest.raises(ValueError, match="orthogonal"):
        get_transform("wavelet:bior1.3")
    with pytest.raises(TypeError, match="transform"):
        get_transform(3)
    with pytest.raises(TypeError, match="transform"):
        get_transform(np.zeros(3))
    with pytest.raises(ValueError, match="levels"):
        get_transform("framelet", 0)
    with pytest.raises(TypeError, match="levels"):
        get_transform("framelet", 1.5)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="u must be 2-D"):
        analysis(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        analysis(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(TypeError, match="u must"):
        analysis(np.zeros((4, 4), dtype=complex))
    with pytest.raises(ValueError, match="1 \\+ 8 \\* levels"):
        synthesis(np.zeros((10, 4, 4)))
    with pytest.raises(ValueError, match="17 bands"):
        SplineFramelet(2).synthesis(np.zeros((9, 4, 4)))
    with pytest.raises(ValueError, match="coeffs must be 3-D"):
        synthesis(np.zeros((4, 4)))


def test_inputs_are_not_mutated_and_integers_are_not_rescaled():
    u = np.arange(30, dtype=np.uint8).reshape(5, 6)
    before = u.copy()
    coeffs = analysis(u)
    np.testing.assert_array_equal(u, before)
    np.testing.assert_allclose(coeffs, analysis(u.astype(float)))  # W is linear: no /255
    saved = coeffs.copy()
    synthesis(coeffs)
    np.testing.assert_array_equal(coeffs, saved)


@pytest.mark.parametrize("axis", [-2, -1])
@pytest.mark.parametrize("shift", [-9, -4, -1, 0, 1, 3, 7])
@pytest.mark.parametrize("combine", [None, np.add, np.subtract])
def test_shifted_is_a_periodic_roll(axis, shift, combine):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 9, 7))
    out = rng.standard_normal(x.shape)
    expected = np.roll(x, -shift, axis=axis)
    if combine is not None:
        expected = combine(out, expected)
    shifted(x, shift, axis, out, combine)
    np.testing.assert_array_equal(out, expected)
    strided = np.zeros((2, 9, 14))[..., ::2]  # not contiguous: the sliced path
    shifted(x, shift, axis, strided)
    np.testing.assert_array_equal(strided, np.roll(x, -shift, axis=axis))


@pytest.mark.parametrize("levels", [1, 2])
def test_sweep_sees_every_band_and_synthesises_the_updated_ones(levels):
    rng = np.random.default_rng(5)
    images = rng.standard_normal((2, 19, 24))  # a stack of two
    transform = SplineFramelet(levels)
    expected = np.stack([transform.analysis(image) for image in images])  # (2, bands, H, W)
    scale = rng.random(transform.n_bands)
    seen = {}

    def update(band, coeffs):
        seen[band] = coeffs.copy()
        coeffs *= scale[band]

    result = sweep(images, update, SweepBuffers(images.shape, np.float64, levels))
    assert sorted(seen) == list(range(transform.n_bands))
    for band, coeffs in seen.items():
        np.testing.assert_allclose(coeffs, expected[:, band], rtol=0, atol=1e-13)
    scaled = expected * scale[:, np.newaxis, np.newaxis]
    for image, coeffs in zip(result, scaled, strict=True):
        np.testing.assert_allclose(image, transform.synthesis(coeffs), rtol=0, atol=1e-13)
