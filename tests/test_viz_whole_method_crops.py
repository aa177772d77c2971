"""plot_boundary_crops draws the pixels it is given, one image pixel per zoom x zoom figure
pixels, without interpolation (viz/whole_method.py)."""

import numpy as np
import pytest

from defocus_teach import viz


@pytest.fixture(scope="module")
def photo():
    rng = np.random.default_rng(0)
    return rng.random((60, 80, 3))


def _main_axes(fig):
    return [ax for ax in fig.axes if ax.get_images()]


def test_crops_show_the_windows_of_every_image_row_by_row(photo):
    images = {"input $f$": photo, "output": 0.5 * photo}
    windows = [np.s_[0:20, 0:30], np.s_[30:50, 40:70]]
    fig = viz.plot_boundary_crops(images, windows, channel_axis=-1)
    axes = _main_axes(fig)
    assert len(axes) == 4
    for ax, (window, image) in zip(
        axes, [(w, im) for w in windows for im in images.values()], strict=True
    ):
        (artist,) = ax.get_images()
        np.testing.assert_array_equal(artist.get_array(), image[window])
        assert artist.get_interpolation() == "nearest"
    texts = [text.get_text() for text in fig.texts]
    assert "input $f$" in texts and "output" in texts
    assert "rows 30-50, columns 40-70" in texts


@pytest.mark.parametrize("zoom", [1, 2])
def test_every_image_pixel_is_zoom_figure_pixels(photo, zoom):
    fig = viz.plot_boundary_crops({"f": photo[..., 0]}, [np.s_[5:29, 10:42]], zoom=zoom)
    (ax,) = _main_axes(fig)
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert box.width == pytest.approx(32 * zoom, abs=0.01)
    assert box.height == pytest.approx(24 * zoom, abs=0.01)


def test_colour_is_clipped_for_display_only(photo):
    bright = 1.5 * photo
    fig = viz.plot_boundary_crops({"f": bright}, [np.s_[0:10, 0:10]], channel_axis=-1)
    (ax,) = _main_axes(fig)
    assert ax.get_images()[0].get_array().max() <= 1.0 < bright.max()


def test_boundary_is_outlined_on_the_first_column_only(photo):
    grey = photo[..., 0]
    left = np.zeros(grey.shape, bool)
    left[:, :40] = True
    fig = viz.plot_boundary_crops({"f": grey, "g": grey}, [np.s_[0:20, 30:50]], boundary=left)
    first, second = _main_axes(fig)
    assert len(first.collections) == 1 and not second.collections
    assert first.get_xlim() == (-0.5, 19.5) and first.get_ylim() == (19.5, -0.5)


def test_windows_must_have_explicit_bounds_inside_the_image(photo):
    with pytest.raises(ValueError, match="explicit bounds"):
        viz.plot_boundary_crops({"f": photo[..., 0]}, [np.s_[:20, 0:10]])
    with pytest.raises(ValueError, match="explicit bounds"):
        viz.plot_boundary_crops({"f": photo[..., 0]}, [np.s_[50:70, 0:10]])
    with pytest.raises(ValueError, match="zoom"):
        viz.plot_boundary_crops({"f": photo[..., 0]}, [np.s_[0:20, 0:10]], zoom=1.5)
