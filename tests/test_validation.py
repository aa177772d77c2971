"""Input checks shared by the public functions: clear errors that name the argument."""

import numpy as np
import pytest

from defocus_teach import (
    all_in_focus,
    blind_deconvolve,
    deconvolve,
    estimate_defocus_map,
    layered_defocus,
)
from defocus_teach.kernels import disk

COLOUR = np.full((40, 40, 3), 0.5)

CALLS = {
    "deconvolve": lambda axis: deconvolve(COLOUR, disk(2), channel_axis=axis, max_iter=2),
    "blind_deconvolve": lambda axis: blind_deconvolve(COLOUR, channel_axis=axis, n_iter=1),
    "all_in_focus": lambda axis: all_in_focus(COLOUR, channel_axis=axis),
    "estimate_defocus_map": lambda axis: estimate_defocus_map(COLOUR, channel_axis=axis),
    "layered_defocus": lambda axis: layered_defocus(
        COLOUR, np.zeros((40, 40), int), [np.ones((1, 1))], channel_axis=axis
    ),
}


@pytest.mark.parametrize("function", sorted(CALLS))
@pytest.mark.parametrize(
    ("axis", "error"),
    [(3, ValueError), (-4, ValueError), (1.5, TypeError), ("-1", TypeError), (True, TypeError)],
)
def test_a_bad_channel_axis_is_named_in_a_clear_error(function, axis, error):
    with pytest.raises(error) as raised:
        CALLS[function](axis)
    assert "channel_axis" in str(raised.value)
    assert repr(axis) in str(raised.value)  # the value that was given


@pytest.mark.parametrize("axis", [-1, 2, np.int64(2)])
def test_integer_channel_axes_are_accepted(axis):
    u = deconvolve(COLOUR, disk(2), channel_axis=axis, max_iter=2)
    np.testing.assert_allclose(u, 0.5, atol=1e-6)
