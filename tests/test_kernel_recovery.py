"""Known-answer tests of the kernel estimate: the blind loop keeps and finds the true kernel.

(a) started from the true kernel, 20 outer iterations keep it (kernel error <= 0.15);
(b) started from a disk 1.5 px too large or too small, the loop ends within 0.3 of it;
(c) the initial kernel reads the radius within 0.5 px, for disks of radius 2..12 and pupils.

Three natural images, each blurred from a larger crop (so that no border effect helps), with
seeded noise.
"""

import numpy as np
import pytest
from skimage import color, data

from defocus_teach import blind_deconvolve
from defocus_teach.kernel_init import initial_kernel
from defocus_teach.kernels import disk, gaussian_pupil, kernel_error
from defocus_teach.operators import blur

PAD = 20
SOURCES = {  # textured crops: (image, top-left corner)
    "camera": (data.camera() / 255.0, (80, 180)),
    "astronaut": (color.rgb2gray(data.astronaut()), (20, 150)),
    "coffee": (color.rgb2gray(data.coffee()), (160, 40)),
}
KERNELS = {
    "disk4": (disk, 4.0, None),
    "disk7": (disk, 7.0, None),
    "pupil6": (gaussian_pupil, 6.0, 0.75),  # sigma = 4.5 px
}


def _kernel(name: str, radius: float | None = None):
    family, true_radius, apodisation = KERNELS[name]
    radius = true_radius if radius is None else radius
    return family(radius) if apodisation is None else family(radius, apodisation * radius)


def _observed(image: str, kernel: np.ndarray, size: int, noise: float, seed: int = 0):
    source, (top, left) = SOURCES[image]
    crop = source[top - PAD : top + size + PAD, left - PAD : left + size + PAD]
    blurred = blur(crop, kernel)[PAD:-PAD, PAD:-PAD]
    return blurred + noise * np.random.default_rng(seed).standard_normal(blurred.shape)


def _blind(f: np.ndarray, start: np.ndarray) -> np.ndarray:
    return blind_deconvolve(f, kernel_init=start, n_iter=20, final_iter=1).kernel


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("image", sorted(SOURCES))
def test_a_the_loop_keeps_the_true_kernel(image, kernel):
    true = _kernel(kernel)
    found = _blind(_observed(image, true, 128, 0.005), true)
    assert kernel_error(found, true) <= 0.15


@pytest.mark.parametrize("offset", [-1.5, 1.5], ids=["small", "large"])
@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("image", sorted(SOURCES))
def test_b_the_loop_corrects_a_wrong_radius(image, kernel, offset):
    true = _kernel(kernel)
    start = disk(KERNELS[kernel][1] + offset)
    found = _blind(_observed(image, true, 128, 0.005), start)
    assert kernel_error(start, true) > 0.3  # the start is wrong ...
    assert kernel_error(found, true) <= 0.3  # ... and the loop ends near the truth


TRUTHS = [("disk", float(r), np.inf) for r in range(2, 13)] + [
    ("pupil", r, a) for r, a in ((3.0, 0.7), (5.0, 0.7), (7.0, 0.7), (9.0, 0.7), (6.0, 0.75))
]


@pytest.mark.parametrize("noise", [0.005, 0.01])
@pytest.mark.parametrize("image", sorted(SOURCES))
def test_c_the_initial_kernel_reads_the_radius(image, noise):
    misread = []
    for family, radius, apodisation in TRUTHS:
        true = disk(radius) if family == "disk" else gaussian_pupil(radius, apodisation * radius)
        found = initial_kernel(_observed(image, true, 192, noise))
        if abs(found.radius - radius) > 0.5:
            misread.append((family, radius, found.radius, found.apodisation))
    assert misread == []
