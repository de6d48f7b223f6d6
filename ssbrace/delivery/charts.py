"""Small hand-written inline SVG charts: horizontal bars, a target timeline, a line chart.

Every text is escaped here; the report inserts the returned SVG as is. Bars and points link to the
report's footnotes so that each figure leads to its sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#c2255c", "#5c940d", "#495057")
SLIP, PULL, NEUTRAL = "#c92a2a", "#2b8a3e", "#868e96"
FONT = "font-family=\"system-ui,-apple-system,'Segoe UI',sans-serif\" font-size=\"12\""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    href: str = ""  # a footnote anchor ("#src-3")
    title: str = ""  # tooltip: the sources


def _a(href: str, body: str, title: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    if not href:
        return f"<g>{tip}{body}</g>"
    return f'<a href="{escape(href)}">{tip}{body}</a>'


def _ticks(value: float, most: int = 4) -> list[float]:
    """Axis ticks from 0 at a round step (1, 2, 2.5 or 5 x 10^n) reaching value in at most ``most`` steps,
    so that labels read 0, 500, 1k... rather than 0, 625, 1.25k."""
    if value <= 0:
        return [0.0, 1.0]
    exp = 10 ** math.floor(math.log10(value / most))
    step = next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp * most >= value)
    count = math.ceil(value / step - 1e-9)
    return [step * i for i in range(count + 1)]


def bar_chart(bars: Sequence[Bar], title: str, axis_label: str, color: str = PALETTE[0], width: int = 560,
              unit: str = "") -> str:
    """Horizontal bars, largest first, with value labels, a scaled axis (``unit`` "USD" or "%" formats its
    ticks) and its label."""
    if not bars:
        return f'<p class="empty">No figures for {escape(title.lower())}.</p>'
    bars = sorted(bars, key=lambda b: -b.value)
    left, right, row, top = 130, 110, 26, 34
    plot = width - left - right
    height = top + row * len(bars) + 44
    ticks = _ticks(max(b.value for b in bars))
    top_value = ticks[-1]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>']
    for value in ticks:
        x = left + plot * value / top_value
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + row * len(bars)}" stroke="#e9ecef"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + row * len(bars) + 14}" text-anchor="middle" fill="#495057">'
                     f'{escape(tick(value, unit))}</text>')
    for i, bar in enumerate(bars):
        y = top + i * row
        w = max(plot * bar.value / top_value, 1.5)
        body = (f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>'
                f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}" rx="2"/>'
                f'<text x="{left + w + 6:.1f}" y="{y + 15}" fill="#212529">{escape(bar.display)}</text>')
        parts.append(_a(bar.href, body, bar.title))
    parts.append(f'<text x="{left + plot / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#495057">'
                 f'{escape(axis_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            return f"{round(value / size, 3):g}{suffix}"
    return f"{round(value, 6):g}"


def tick(value: float, unit: str = "") -> str:
    """An axis label: money as $2.5bn or $500m, percentages with %, other figures shortened (12k)."""
    if unit == "USD":
        return "$" + _short(value)
    if unit == "%":
        return f"{round(value, 3):g}%"
    return _short(value)


# An axis label of four digits at 12 px is about 28 px wide; keep a gap of at least 12 px.
LABEL_SPACING = 40


def year_step(first: int, last: int, plot_width: float) -> int:
    """The step between labelled years (1, 2, 5, 10, 20, 25, 50) that keeps labels from running together."""
    span = max(last - first, 1)
    for step in (1, 2, 5, 10, 20, 25, 50):
        if plot_width * step / span >= LABEL_SPACING:
            return step
    return 100


@dataclass(frozen=True)
class TimelinePoint:
    target: float  # window midpoint (year)
    label: str  # "2027-2028"
    move: str  # first | slip | pull_in | unchanged | restated | recalled | same_source
    reported: str  # report date
    href: str = ""
    title: str = ""


@dataclass(frozen=True)
class TimelineRow:
    label: str  # "Toyota · mass production"
    points: tuple[TimelinePoint, ...]
    note: str = ""  # "moved +5.5 y"


def timeline(rows: Sequence[TimelineRow], title: str, width: int = 900) -> str:
    """Target ledger: one row per company x stage, the stated target years in report order.

    Each point is a target as reported; an arrow joins successive targets; slips are red, pull-ins green.
    """
    if not rows:
        return '<p class="empty">No dated targets.</p>'
    years = [p.target for r in rows for p in r.points]
    lo, hi = math.floor(min(years)) - 1, math.ceil(max(years)) + 1
    # Room for the longest row label at about 7 px a character.
    left, right, row, top = max(140, 16 + 7 * max(len(r.label) for r in rows)), 80, 26, 40
    plot = width - left - right
    height = top + row * len(rows) + 60

    def x(year: float) -> float:
        return left + plot * (year - lo) / (hi - lo)

    step = year_step(lo, hi, plot)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
             f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{NEUTRAL}"/></marker></defs>',
             f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>']
    for year in range(lo, hi + 1):
        parts.append(f'<line x1="{x(year):.1f}" y1="{top - 8}" x2="{x(year):.1f}" y2="{top + row * len(rows)}" '
                     f'stroke="{"#dee2e6" if year % 5 else "#adb5bd"}"/>')
        if year % step == 0:
            parts.append(f'<text x="{x(year):.1f}" y="{top + row * len(rows) + 14}" text-anchor="middle" '
                         f'fill="#495057">{year}</text>')
    for i, r in enumerate(rows):
        y = top + i * row + row / 2
        if i % 2 == 0:
            parts.append(f'<rect x="0" y="{y - row / 2:.1f}" width="{width}" height="{row}" fill="#f8f9fa" opacity="0.7"/>')
        parts.append(f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end">{escape(r.label)}</text>')
        prev = None
        for p in r.points:
            if p.move in {"recalled", "same_source"}:
                continue
            if prev is not None and abs(p.target - prev.target) > 0.01:
                color = {"slip": SLIP, "pull_in": PULL}.get(p.move, NEUTRAL)
                parts.append(f'<line x1="{x(prev.target):.1f}" y1="{y:.1f}" x2="{x(p.target):.1f}" y2="{y:.1f}" '
                             f'stroke="{color}" stroke-width="2" marker-end="url(#arrow)" opacity="0.8"/>')
            prev = p
        for p in r.points:
            fill = {"slip": SLIP, "pull_in": PULL, "first": "#1f6feb"}.get(p.move, "#ffffff")
            stroke = {"slip": SLIP, "pull_in": PULL}.get(p.move, "#1f6feb")
            dash = ' stroke-dasharray="2,2"' if p.move in {"recalled", "same_source"} else ""
            tip = f"{p.label}, reported {p.reported} ({p.move.replace('_', ' ')}) {p.title}"
            parts.append(_a(p.href, f'<circle cx="{x(p.target):.1f}" cy="{y:.1f}" r="5" fill="{fill}" '
                                    f'stroke="{stroke}" stroke-width="1.5"{dash}/>', tip))
        if r.note:
            parts.append(f'<text x="{width - right + 8}" y="{y + 4:.1f}" fill="#495057">{escape(r.note)}</text>')
    ly = top + row * len(rows) + 34
    legend = [("#1f6feb", "#1f6feb", "first stated"), (SLIP, SLIP, "slip (later)"), (PULL, PULL, "pull-in (earlier)"),
              ("#ffffff", "#1f6feb", "restated / unchanged")]
    lx = left
    for fill, stroke, text in legend:
        parts.append(f'<circle cx="{lx}" cy="{ly}" r="5" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
                     f'<text x="{lx + 10}" y="{ly + 4}">{escape(text)}</text>')
        lx += 150
    parts.append(f'<text x="{left + plot / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="#495057">'
                 'target year (window midpoint)</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float, str, str], ...]  # (year, value, href, tooltip)
    color: str = ""
    # False for figures that are separate events (grants, investments): dots only, since a line between
    # two unrelated programmes would read as one quantity changing over time
    connect: bool = True


@dataclass
class _Scale:
    lo: float
    hi: float
    a: float
    b: float
    ticks: list[float] = field(default_factory=list)

    def __call__(self, v: float) -> float:
        return self.a + (self.b - self.a) * (v - self.lo) / ((self.hi - self.lo) or 1)


def line_chart(series: Sequence[Series], title: str, y_label: str, x_label: str = "year", width: int = 760,
               unit: str = "") -> str:
    """Lines over years with dots (each linking to its sources), axes, labels and a legend. ``unit`` ("USD",
    "%") formats the value axis; years are labelled at a step that keeps them apart."""
    series = [s for s in series if s.points]
    if not series:
        return f'<p class="empty">No figures for {escape(title.lower())}.</p>'
    left, right, top, bottom = 56, 150, 34, 44
    height = 300
    xs = [p[0] for s in series for p in s.points]
    ys = [p[1] for s in series for p in s.points]
    sx = _Scale(min(xs) - 0.5, max(xs) + 0.5, left, width - right)
    ticks = _ticks(max(ys))
    sy = _Scale(0, ticks[-1], height - bottom, top)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>']
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{width - right}" y2="{sy(v):.1f}" stroke="#e9ecef"/>'
                     f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" fill="#495057">{escape(tick(v, unit))}</text>')
    first, last = math.ceil(sx.lo), math.floor(sx.hi)
    step = year_step(first, last, sx.b - sx.a)
    for year in range(first, last + 1):
        if year % step:
            continue
        parts.append(f'<text x="{sx(year):.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#495057">{year}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#adb5bd"/>')
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        pts = sorted(s.points)
        path = " ".join(f"{'M' if j == 0 else 'L'}{sx(px):.1f},{sy(py):.1f}" for j, (px, py, _, _) in enumerate(pts))
        if s.connect:
            parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for px, py, href, tip in pts:
            parts.append(_a(href, f'<circle cx="{sx(px):.1f}" cy="{sy(py):.1f}" r="4" fill="{color}"/>', tip))
        ly = top + 8 + i * 18
        parts.append(f'<rect x="{width - right + 14}" y="{ly - 9}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{width - right + 32}" y="{ly + 1}">{escape(s.label)}</text>')
    parts.append(f'<text x="{(left + width - right) / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                 f'fill="#495057">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" fill="#495057" '
                 f'transform="rotate(-90 14 {(top + height - bottom) / 2:.1f})">{escape(y_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
