"""Capture: photos checked and read (Pillow), signatures drawn to PNG."""
