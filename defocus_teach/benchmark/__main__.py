"""``python -m defocus_teach.benchmark``: run the benchmark (the command line is in ``cli``)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
