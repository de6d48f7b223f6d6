"""The inline SVG charts read as a person expects: money in $m/$bn, years apart, events not joined."""

from __future__ import annotations

import re

from ssbrace.delivery import charts

YEAR_LABEL = re.compile(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#495057">((?:19|20)\d\d)</text>')


def _year_labels(svg: str) -> list[tuple[float, int]]:
    return sorted((float(x), int(year)) for x, year in YEAR_LABEL.findall(svg))


def test_ticks_read_as_money_percent_or_short_numbers():
    assert charts.tick(2.5e9, "USD") == "$2.5bn"
    assert charts.tick(5e8, "USD") == "$500m"
    assert charts.tick(0, "USD") == "$0"
    assert charts.tick(37.5, "%") == "37.5%"
    assert charts.tick(12_000) == "12k"
    assert charts.tick(0.1 + 0.2) == "0.3"  # no float noise on an axis


def test_money_axis_has_no_exponent_notation():
    points = tuple((float(y), v, "", "") for y, v in ((2019, 1.2e9), (2021, 2.4e9), (2023, 0.6e9)))
    svg = charts.line_chart([charts.Series("Japan", points)], "Funding", "US dollars", unit="USD")
    assert "e+" not in svg
    assert [">$0<", ">$1bn<", ">$2bn<", ">$3bn<"] == re.findall(r">\$[\d.]*(?:bn|m)?<", svg)


def test_years_over_a_long_span_do_not_run_together():
    points = tuple((float(y), float(y - 1990), "", "") for y in range(2000, 2024))
    svg = charts.line_chart([charts.Series("filings", points)], "Filings by year", "families")
    labels = _year_labels(svg)
    assert len(labels) >= 4
    gaps = [b[0] - a[0] for a, b in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= charts.LABEL_SPACING
    # a short span keeps every year
    short = charts.line_chart([charts.Series("s", points[:4])], "Four years", "families")
    assert [y for _, y in _year_labels(short)] == [2000, 2001, 2002, 2003]


def test_timeline_years_keep_apart_on_a_narrow_chart():
    rows = [charts.TimelineRow("Acme · mass production",
                               (charts.TimelinePoint(2012, "2012", "first", "2010-01-01"),
                                charts.TimelinePoint(2040, "2040", "slip", "2020-01-01")))]
    labels = _year_labels(charts.timeline(rows, "Targets", width=600))
    gaps = [b[0] - a[0] for a, b in zip(labels, labels[1:], strict=False)]
    assert labels and min(gaps) >= charts.LABEL_SPACING


def test_event_series_are_dots_without_a_line():
    points = ((2020.0, 1e8, "", ""), (2023.0, 3e8, "", ""))
    joined = charts.line_chart([charts.Series("A", points)], "t", "y")
    dots = charts.line_chart([charts.Series("A", points, connect=False)], "t", "y")
    assert "<path" in joined and "<path" not in dots
    assert dots.count("<circle") == joined.count("<circle") == 2


def test_bar_chart_money_axis():
    bars = [charts.Bar("Japan", 2.4e9, "$2.4bn"), charts.Bar("Korea", 0.9e9, "$0.9bn")]
    svg = charts.bar_chart(bars, "Public funding", "US dollars", unit="USD")
    assert ">$1bn<" in svg and ">$3bn<" in svg and "e+" not in svg


def test_axis_ticks_are_round_steps():
    assert charts._ticks(2300) == [0, 1000, 2000, 3000]
    assert charts._ticks(100) == [0, 25, 50, 75, 100]
    assert charts._ticks(2.4e9) == [0, 1e9, 2e9, 3e9]
    assert charts._ticks(7) == [0, 2, 4, 6, 8]
