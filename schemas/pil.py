"""Pillow's modules, imported at their first use rather than at start (issue 19: the server answers its
first request in under 1.5 s; Pillow and pillow-heif are ~60 ms of it, and most starts decode no image).

`from schemas.pil import Image` gives a stand-in for `PIL.Image` that imports the real module the first
time one of its names is read, and then reads through to it. pillow-heif's opener is registered at that
moment, before any image is opened, so every module that opens images through these stand-ins reads HEIC
as it did when each registered the opener at import. Type checkers see the real modules:

    if TYPE_CHECKING:
        from PIL import Image
    else:
        from schemas.pil import Image
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from schemas import heif

_heif_ready = False


def _register_heif() -> None:
    global _heif_ready
    if not _heif_ready:  # where pillow-heif is installed (schemas/heif.py: an Android tablet has none)
        heif.register()
        _heif_ready = True


class LazyModule(ModuleType):
    """A module imported at the first read of one of its names; pillow-heif registered first."""

    def __init__(self, name: str) -> None:
        super().__init__(name)

    def __getattr__(self, attribute: str) -> Any:  # only names not yet copied here
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        module = importlib.import_module(self.__name__)  # after the first time: a dict lookup
        _register_heif()
        return getattr(module, attribute)  # read through each time: the real module's values, not a copy

    def __setattr__(self, attribute: str, value: Any) -> None:  # e.g. Image.MAX_IMAGE_PIXELS: the real one's
        if attribute.startswith("__"):
            super().__setattr__(attribute, value)
        else:
            setattr(importlib.import_module(self.__name__), attribute, value)


Image = LazyModule("PIL.Image")
ImageDraw = LazyModule("PIL.ImageDraw")
ImageFont = LazyModule("PIL.ImageFont")
ImageOps = LazyModule("PIL.ImageOps")
