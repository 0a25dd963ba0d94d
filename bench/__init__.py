"""Benchmarks of twinlang (not part of the installed package)."""
