"""Charts drawn on the server as inline SVG (issue 20): nothing to load, nothing from a CDN, legible on
paper. A horizontal bar chart for groups (teams, findings, reasons) and a line chart for the weekly
trend; each chart on the page has its table below it, so the numbers are there to read and copy."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#b8860b")
FONT = 'font-size="13"'  # the family is the page's (console.css: the bundled CJK font), inherited


def bar_chart(title: str, bars: list[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, one a row, each with its label on the left and its value at its end."""
    width, label_w, row_h, top = 640, 200, 24, 28
    height = top + row_h * max(len(bars), 1) + 8
    peak = max((v for _, v in bars), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
             f'<text x="0" y="16" {FONT} font-weight="bold">{escape(title)}</text>']
    if not bars:
        parts.append(f'<text x="0" y="{top + 16}" {FONT}>本期没有数据</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        length = (width - label_w - 80) * value / peak
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT}>{escape(label[:16])}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 8}" '
                     f'fill="{COLOURS[0]}"><title>{escape(label)}：{shown}</title></rect>'
                     f'<text x="{label_w + length + 4:.1f}" y="{y + 15}" {FONT}>{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> Markup:
    """One line per series over the labels (weeks), with a legend and the axis from zero to the peak."""
    width, height, left, right, top, bottom = 640, 260, 40, 16, 44, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=0) or 1
    step = plot_w / max(len(labels) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
             f'<text x="0" y="16" {FONT} font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" {FONT}>{peak:g}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {FONT}>0</text>']
    for i, (name, values) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(f"{left + j * step:.1f},{top + plot_h - plot_h * v / peak:.1f}"
                          for j, v in enumerate(values))
        if values:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<rect x="{left + i * 120}" y="26" width="12" height="4" fill="{colour}"/>'
                     f'<text x="{left + i * 120 + 16}" y="32" {FONT}>{escape(name)}</text>')
    every = max(1, len(labels) // 8)  # at most about eight dates under the axis
    for j, label in enumerate(labels):
        if j % every == 0:
            parts.append(f'<text x="{left + j * step:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                         f'{FONT}>{escape(label)}</text>')
    if not labels:
        parts.append(f'<text x="{left + 8}" y="{top + 20}" {FONT}>本期没有数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
