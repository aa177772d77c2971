"""Quality benchmark: every method on the seeded suite of layered scenes (issue #5).

A thin wrapper of ``python -m defocus_teach.benchmark`` (see :mod:`defocus_teach.benchmark`).
Run from the repository's root:

    python benchmarks/quality.py            # the full suite (about 15 min on 2 cores)
    python benchmarks/quality.py --quick    # the quick subset, prints the tables only

The full suite writes ``benchmarks/results/quality.csv``, ``quality.md`` and ``quality.png``
and copies the CSV to ``defocus_teach/benchmark_results.csv`` (what the book reads when the
repository is not there, e.g. on Colab).  Other options: ``--help``.

OpenBLAS defaults to one thread per core and, on a loaded machine, its threads spin-wait on
the many small matrix products of the k-step: this script sets ``OPENBLAS_NUM_THREADS=1``
(and the OpenMP/MKL equivalents) unless they are already set; ``scipy.fft`` still uses every
core.
"""

import os
import sys
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone

from defocus_teach.benchmark import main  # noqa: E402

if __name__ == "__main__":
    arguments = sys.argv[1:]
    if "--quick" not in arguments and "--output" not in arguments:
        arguments.append("--package-copy")
    raise SystemExit(main(arguments))
