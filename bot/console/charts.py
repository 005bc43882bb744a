"""Geometry for the dashboard's charts. Templates draw the SVG from these numbers (autoescaped
like any other value), so the app needs no chart library and no CDN."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, PLOT_WIDTH = 18, 6, 190, 320


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH


@dataclass(frozen=True)
class LineChart:
    title: str
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float]]  # the same points, drawn as dots (a single day has no line)
    width: int
    height: int
    first_label: str
    last_label: str
    top_text: str


def bar_chart(title: str, items: list[tuple[str, float]], as_percent: bool = False) -> BarChart:
    top = 1.0 if as_percent else max((v for _, v in items), default=0) or 1
    bars = [
        Bar(label[:32], f"{value:.0%}" if as_percent else f"{value:,.0f}", i * (BAR_HEIGHT + BAR_GAP), PLOT_WIDTH * value / top)
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(title, bars, max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP))


def line_chart(title: str, points: list[tuple[str, float]], as_percent: bool = True, width: int = 520, height: int = 140) -> LineChart:
    top = 1.0 if as_percent else max((v for _, v in points), default=0) or 1
    step = width / max(len(points) - 1, 1)
    dots = [(round(i * step, 1), round(height - height * v / top, 1)) for i, (_, v) in enumerate(points)]
    return LineChart(
        title, " ".join(f"{x},{y}" for x, y in dots), dots, width, height,
        points[0][0] if points else "", points[-1][0] if points else "",
        "100%" if as_percent else f"{top:,.0f}",
    )
