"""Run the solvers with single-threaded BLAS.

The solvers use BLAS only on small matrices and vectors (the k-step's 136 x 136 normal
equations, norms), while scipy.fft already uses every core.  Multi-threaded BLAS then only
competes with the FFT threads: on a loaded 2-core machine a 256 x 256 blind deconvolution
took 53 s with OpenBLAS's default threads and 9 s with one.  The limit is set for the call
and restored afterwards (threadpoolctl).
"""

from __future__ import annotations

import functools

from threadpoolctl import threadpool_limits


def single_threaded_blas(function):
    """Decorator: call ``function`` with BLAS limited to one thread."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper
