"""``python -m defocus_teach``: the command line of :mod:`defocus_teach.cli`."""

from defocus_teach.cli import main

raise SystemExit(main())
