"""The benchmark's optional peers: registered only when their library is installed.

CI does not install deepinv (the extra ``peers`` brings torch), so the first tests run without
it; the known-answer tests of :func:`~defocus_teach.benchmark.peers.deepinv_blind_rl` are
skipped unless deepinv is importable.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

from defocus_teach import kernels, operators
from defocus_teach.benchmark import METHODS, QUICK_METHODS, methods, peers

ROOT = Path(__file__).resolve().parent.parent

#: Imports the benchmark with deepinv hidden (``None`` in ``sys.modules``: its import fails and
#: ``importlib.util.find_spec`` returns None), then checks what is left.  torch is not hidden
#: that way: scipy's array-API helpers look it up in ``sys.modules``.
WITHOUT_DEEPINV = """
import sys
sys.modules["deepinv"] = None
from defocus_teach.benchmark import METHODS, peers
assert "deepinv_blind_rl" not in METHODS, list(METHODS)
try:
    peers.deepinv_blind_rl(None)
except ImportError as error:
    assert "peers" in str(error), error
else:
    raise AssertionError("no ImportError")
print("ok")
"""


def test_benchmark_imports_and_skips_the_peer_without_deepinv():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_DEEPINV],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_peer_is_registered_exactly_when_find_spec_finds_deepinv(monkeypatch):
    real = importlib.util.find_spec

    def hide(name, *args, **kwargs):
        return None if name == "deepinv" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", hide)
    assert "deepinv_blind_rl" not in methods._peers()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: object())
    assert list(methods._peers()) == ["deepinv_blind_rl"]


def test_methods_end_with_the_installed_peers_and_quick_run_has_none():
    installed = importlib.util.find_spec("deepinv") is not None
    assert ("deepinv_blind_rl" in METHODS) == installed
    found = list(methods._peers())
    assert list(METHODS)[len(METHODS) - len(found) :] == found
    assert "deepinv_blind_rl" not in QUICK_METHODS


def test_start_kernel_is_the_swept_disk():
    sharp = data.camera()[100:164, 100:164] / 255.0
    blurred = operators.blur(sharp, kernels.disk(3))
    kernel = peers._start_kernel(blurred, np.ones(blurred.shape, bool), 15)
    assert kernel.shape == (15, 15) and kernel.sum() == pytest.approx(1.0)


@pytest.fixture
def one_torch_thread():
    torch = pytest.importorskip("torch")
    pytest.importorskip("deepinv")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def camera_disk3():
    sharp = data.camera()[200:296, 200:296] / 255.0
    noise = 0.002 * np.random.default_rng(0).standard_normal(sharp.shape)
    return sharp, operators.blur(sharp, kernels.disk(3)) + noise


@pytest.mark.usefixtures("one_torch_thread")
def test_blind_rl_sharpens_a_disk_blur_deterministically(camera_disk3):
    sharp, blurred = camera_disk3
    result = peers.deepinv_blind_rl(blurred)
    again = peers.deepinv_blind_rl(blurred)
    np.testing.assert_array_equal(result.image, again.image)
    before = peak_signal_noise_ratio(sharp, blurred, data_range=1)
    after = peak_signal_noise_ratio(sharp, np.clip(result.image, 0, 1), data_range=1)
    assert after > before + 0.5, (before, after)
    assert result.kernel.shape == (31, 31) and result.kernel.min() >= 0
    assert result.kernel.sum() == pytest.approx(1.0)
    # started from the swept disk, the kernel stays near the true one
    assert kernels.kernel_error(result.kernel, kernels.pad_kernel(kernels.disk(3), 31)) < 0.2


@pytest.mark.usefixtures("one_torch_thread")
def test_blind_rl_changes_only_the_mask_in_colour(camera_disk3):
    _, blurred = camera_disk3
    colour = np.stack([blurred, 0.9 * blurred, 0.8 * blurred], axis=0)  # channels first
    mask = np.zeros(blurred.shape, bool)
    mask[:, :60] = True
    result = peers.deepinv_blind_rl(colour, mask, channel_axis=0, kernel_size=15, n_iter=5)
    assert result.image.shape == colour.shape
    np.testing.assert_array_equal(result.image[:, ~mask], colour[:, ~mask])
    assert not np.allclose(result.image[:, mask], colour[:, mask])
