"""Benchmarks: ``python -m bench`` (or ``make bench``) runs each module's ``main()``."""
