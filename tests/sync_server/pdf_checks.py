"""Reading PDFs back with poppler (pdftotext, pdftoppm, pdfinfo): text, word boxes, page images."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PIL import Image

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def run(*argv: str) -> str:
    done = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120)
    return done.stdout


def text_of(pdf: Path) -> str:
    """The text, in reading order."""
    return run("pdftotext", "-layout", str(pdf), "-")


def pages_of(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]


def words_outside(pdf: Path, margin_pt: float = 20) -> list[str]:
    """Words whose box comes closer than margin_pt to a page edge (or crosses it)."""
    html = run("pdftotext", "-bbox", str(pdf), "-")
    bad = []
    for page in html.split("<page ")[1:]:
        width, height = map(float, PAGE.search("<page " + page).groups())  # type: ignore[union-attr]
        for x0, y0, x1, y1, word in WORD.findall(page):
            if float(x0) < margin_pt or float(y0) < margin_pt or float(x1) > width - margin_pt \
                    or float(y1) > height - margin_pt / 2:
                bad.append(word)
    return bad


def render(pdf: Path, out_dir: Path, dpi: int = 40) -> list[Path]:
    """Every page as a PNG (pdftoppm)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out_dir / pdf.stem))
    return sorted(out_dir.glob(f"{pdf.stem}*.png"))


def right_edge_blank(png: Path, strip_mm: float = 8) -> bool:
    """Whether the page's right margin strip holds no ink (nothing ran off the side)."""
    with Image.open(png) as image:
        grey = image.convert("L")
        strip = int(grey.width * strip_mm / 210)
        box = grey.crop((grey.width - strip, 0, grey.width, grey.height))
        return box.getextrema()[0] > 200
