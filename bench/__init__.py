"""Benchmarks: run with ``houbei bench NAME`` (or ``make bench`` for all of them)."""
