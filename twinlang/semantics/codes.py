"""Diagnostic codes of the semantic stage (TW02xx-TW04xx)."""
