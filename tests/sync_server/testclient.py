"""Starlette's TestClient, imported in one place.

Starlette 1.x prefers the `httpx2` package for its TestClient and warns when it falls back to
`httpx`, which is what this project depends on; the fallback works, so that one warning is
silenced here, narrowly. Installing httpx2 makes the filter unnecessary.
"""
import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
