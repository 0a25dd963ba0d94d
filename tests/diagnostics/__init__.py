"""Tests of the diagnostic renderers, `twinlang explain` and the diagnostics reference."""
