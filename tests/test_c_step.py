"""The c-step, eqs. (5)-(7): weighted-l0 outlier term and its weights."""

import numpy as np
import pytest

from defocus_teach import outlier_term, outlier_weights
from defocus_teach.c_step import threshold_outliers
from defocus_teach.kernels import disk
from defocus_teach.operators import blur


@pytest.fixture
def scene():
    rng = np.random.default_rng(0)
    u = rng.random((48, 48))
    f = blur(u, disk(2)) + 0.002 * rng.standard_normal((48, 48))
    f[20:24, 20:24] += 0.3  # outliers: pixels the model cannot explain
    return f, u


def test_hard_threshold_is_the_exact_minimiser():
    residual = np.linspace(-0.3, 0.3, 601)
    lam, weight = 0.01, 0.5
    c = threshold_outliers(residual, lam, weight)

    def cost(value):  # 1/2 (r - c)^2 + lam * Lambda * [c != 0], per pixel
        return 0.5 * (residual - value) ** 2 + lam * weight * (value != 0)

    best = np.minimum(cost(0.0), cost(residual))  # the two candidates c = 0 and c = r
    np.testing.assert_allclose(cost(c), best, atol=1e-15)
    assert np.all(c[np.abs(residual) <= np.sqrt(2 * lam * weight)] == 0)


def test_outliers_are_absorbed_and_the_rest_is_left(scene):
    f, u = scene
    weights = outlier_weights(f, u, disk(2))
    c = outlier_term(f, u, disk(2), weights=weights)
    block = np.zeros(f.shape, bool)
    block[20:24, 20:24] = True
    assert np.all(c[block] != 0)
    assert np.count_nonzero(c[~block]) <= 2
    np.testing.assert_allclose(c[block], (blur(u, disk(2)) - f)[block])


def test_weights_are_small_where_the_residual_is_large(scene):
    f, u = scene
    weights = outlier_weights(f, u, disk(2))
    block = np.zeros(f.shape, bool)
    block[20:24, 20:24] = True
    # exp(-500 |r|): about 0.4 for a noise-only residual (sigma 0.002), ~0 for an outlier
    assert weights[block].max() < 1e-50 and np.median(weights[~block]) > 0.3
    assert np.all((weights > 0) & (weights <= 1))


def test_outlier_term_is_zero_outside_the_mask(scene):
    f, u = scene
    mask = np.zeros(f.shape, bool)
    mask[:, :22] = True
    c = outlier_term(f, u, disk(2), mask=mask, lam=0.0)
    assert np.all(c[~mask] == 0) and np.any(c[mask] != 0)


@pytest.mark.parametrize("rule", ["hard_paper", "soft_l1"])
def test_the_other_rules_threshold_at_lam_times_weight(rule):
    residual = np.array([0.005, 0.02, -0.02])
    c = threshold_outliers(residual, 0.01, 1.0, rule)
    assert c[0] == 0 and np.all(c[1:] != 0)


def test_bad_rule_and_weights_raise(scene):
    f, u = scene
    with pytest.raises(ValueError, match="rule"):
        outlier_term(f, u, disk(2), rule="hard")
    with pytest.raises(ValueError, match="weights must have shape"):
        outlier_term(f, u, disk(2), weights=np.ones((3, 3)))
