"""Imports every rule pack so that their codes are in the diagnostic catalogue."""

from . import load_packs

load_packs()
