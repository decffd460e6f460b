"""Benchmarks: our engine against micrograd and hand-written floats; run all with `python -m benchmarks`."""
