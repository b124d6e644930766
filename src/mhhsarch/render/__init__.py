"""Rendering: turn the checked model into publishable artefacts (see publish.py)."""
