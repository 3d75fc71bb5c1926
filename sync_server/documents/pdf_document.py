"""fpdf2 with the bundled CJK font (assets/fonts/cjk.ttf): A4 pages, page numbers, headings and tables."""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

FONT = Path(__file__).resolve().parents[2] / "assets" / "fonts" / "cjk.ttf"
FAMILY = "cjk"
GREY = (235, 235, 235)


class Document(FPDF):
    """An A4 portrait document in Chinese with "第 x 页 共 y 页" at the foot of every page."""

    def __init__(self, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.title_text, self.footer_note = title, footer_note
        self.add_font(FAMILY, fname=str(FONT))
        self.set_font(FAMILY, size=10.5)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.set_title(title)
        self.set_creator("核查外勤 field-evidence")
        self.alias_nb_pages("{nb}")
        self.add_page()

    def footer(self) -> None:
        """Page number and an optional note (e.g. the record's digest)."""
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        note = f"{self.footer_note}    " if self.footer_note else ""
        self.cell(0, 6, f"{note}第 {self.page_no()} 页 共 {{nb}} 页", align="C")
        self.set_font(FAMILY, size=10.5)

    def heading(self, text: str, size: float = 13, keep: float = 20) -> None:
        """A section heading on its own line, moved to the next page unless `keep` mm follow it there."""
        if self.get_y() + size * 0.55 + keep > self.page_break_trigger:
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        self.set_font(FAMILY, size=10.5)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10.5, align: str = "L") -> None:
        """Wrapped text the width of the page."""
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.6, text, align=align, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
        self.set_font(FAMILY, size=10.5)

    def grid(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]],
             widths: Sequence[float], size: float = 9.5, wrap: WrapMode = WrapMode.CHAR) -> None:
        """A ruled table whose rows wrap (by character for Chinese; by word to keep hashes in halves)."""
        self.set_font(FAMILY, size=size)
        with self.table(col_widths=tuple(widths), line_height=size * 0.55, first_row_as_headings=header is not None,
                        headings_style=FontFace(fill_color=GREY), text_align="LEFT",
                        width=self.epw, wrapmode=wrap) as table:
            if header is not None:
                table.row(list(header))
            for row in rows:
                table.row([str(c) for c in row])
        self.set_font(FAMILY, size=10.5)
        self.ln(2)

    def image_row(self, images: Sequence[tuple[bytes, str]], height: float = 30) -> None:
        """Images side by side with a caption under each, wrapping to the next line and page."""
        gap, x0 = 3.0, self.l_margin
        width = height * 4 / 3
        per_row = max(1, int((self.epw + gap) // (width + gap)))
        for start in range(0, len(images), per_row):
            if self.get_y() + height + 8 > self.page_break_trigger:
                self.add_page()
            y = self.get_y()
            for i, (data, caption) in enumerate(images[start:start + per_row]):
                x = x0 + i * (width + gap)
                self.image(io.BytesIO(data), x=x, y=y, w=width, h=height, keep_aspect_ratio=True)
                self.set_xy(x, y + height + 0.5)
                self.set_font(FAMILY, size=7)
                self.cell(width, 3.5, caption[:22], align="C")
            self.set_font(FAMILY, size=10.5)
            self.set_xy(x0, y + height + 5)

    def bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())
