"""Forms an office authors (XLSForm), previews and publishes; the tablets download them at sync."""
