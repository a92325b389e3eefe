"""Charts of a :class:`~._tune.TuneResult`: throughput and p99 latency against concurrency.

Three renderings of the same picture, the recommended level (the knee)
marked and the latency bound drawn when there is one:

* :func:`text_chart`: bars for the terminal (ASCII, so any console shows it);
* :func:`html_chart`: one self-contained HTML page with an inline SVG chart
  and the table (no JavaScript, nothing fetched from the network);
* :func:`png_chart`: a PNG through matplotlib (the ``plot`` extra).

:func:`write_chart` picks by the file's suffix.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._missing import ensure_installed
from ._tune import LevelResult, TuneResult, format_ms, format_rate

__all__ = ["html_chart", "png_chart", "text_chart", "write_chart"]

_THROUGHPUT_COLOR = "#1f77b4"
_LATENCY_COLOR = "#d62728"


def write_chart(result: TuneResult, path: Path) -> None:
    """Write ``result`` as ``.html``/``.htm`` or ``.png`` (by ``path``'s suffix).

    Raises :class:`ValueError` for another suffix, :class:`OSError` when the
    file cannot be written, and ``MissingDependency`` for a PNG without
    matplotlib.
    """
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(html_chart(result), encoding="utf-8")
    elif suffix == ".png":
        png_chart(result, path)
    else:
        raise ValueError(f"cannot draw a chart as '{suffix or path.name}'; use .png or .html")


# --- text ---------------------------------------------------------------------------------------


def text_chart(result: TuneResult, *, width: int = 40) -> str:
    """Horizontal bars, one row per level: throughput, then p99 latency.

    ``*`` marks the recommended level; ``|`` in the latency bars is the bound.
    """
    levels = result.levels
    if not levels:
        return "(no level measured)\n"
    lat_width = max(10, width // 2)
    top_rate = max(r.throughput for r in levels) or 1.0
    bound = result.settings.latency_bound_ms
    latencies = [r.p99_ms for r in levels if not math.isnan(r.p99_ms)]
    top_latency = max([*latencies, bound or 0.0]) or 1.0
    bound_at = None if bound is None else min(lat_width - 1, round(bound / top_latency * lat_width))
    label = max(5, len(str(levels[-1].level)) + 1)
    lines = [
        f"{'level':>{label}}  {'throughput (req/s)':<{width}}  p99 latency",
    ]
    for r in levels:
        mark = "*" if r.level == result.recommended else " "
        rate_bar = _bar(r.throughput / top_rate, width)
        if math.isnan(r.p99_ms):
            lat_bar = "-".ljust(lat_width)
        else:
            lat_bar = _bar(r.p99_ms / top_latency, lat_width).ljust(lat_width)
        if bound_at is not None:
            cell = "|" if lat_bar[bound_at] == " " else "+"
            lat_bar = lat_bar[:bound_at] + cell + lat_bar[bound_at + 1 :]
        lines.append(
            f"{r.level:>{label - 1}}{mark}  {rate_bar.ljust(width)}  {lat_bar}"
            f"  {format_rate(r.throughput)}, {format_ms(r.p99_ms)}"
        )
    legend = "* recommended level"
    if bound is not None:
        legend += f"; | the {result.settings.bound_percentile} bound ({format_ms(bound)})"
    lines.append(legend)
    return "\n".join(lines) + "\n"


def _bar(fraction: float, width: int) -> str:
    if math.isnan(fraction) or fraction <= 0:
        return ""
    return "#" * max(1, round(min(fraction, 1.0) * width))


# --- HTML with inline SVG -----------------------------------------------------------------------

_W, _H = 760, 420
_LEFT, _RIGHT, _TOP, _BOTTOM = 80, 80, 50, 60


def html_chart(result: TuneResult) -> str:
    """A self-contained HTML page: the SVG chart, the recommendation and the table."""
    title = "asyncdoctor tune" + (f": {result.target}" if result.target else "")
    rows = "\n".join(
        "<tr{cls}><td>{level}</td><td>{rate:,.1f}</td><td>{p50}</td><td>{p90}</td>"
        "<td>{p99}</td><td>{errors}</td></tr>".format(
            cls=' class="recommended"' if r.level == result.recommended else "",
            level=r.level,
            rate=r.throughput,
            p50=_cell(r.p50_ms),
            p90=_cell(r.p90_ms),
            p99=_cell(r.p99_ms),
            errors=r.errors,
        )
        for r in result.levels
    )
    adaptive = ""
    if result.comparison:
        adaptive = f"<p>{html.escape(result.comparison)}</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
th, td {{ padding: 0.2em 0.8em; text-align: right; border-bottom: 1px solid #ddd; }}
tr.recommended {{ font-weight: bold; background: #eef6ee; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{svg_chart(result)}
<p><strong>Recommended level: {result.recommended if result.recommended is not None else "none"}.</strong>
{html.escape(result.reason)}</p>
<p>{html.escape(result.stopped[:1].upper() + result.stopped[1:])}.</p>
{adaptive}
<table>
<thead><tr><th>level</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>errors</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _cell(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.2f}"


def svg_chart(result: TuneResult) -> str:
    """The chart alone, as an ``<svg>`` element."""
    levels = list(result.levels)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" font-family="sans-serif" font-size="12">',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="none" stroke="#999"/>',
    ]
    if not levels:
        parts.append(f'<text x="{_W / 2}" y="{_H / 2}" text-anchor="middle">no data</text>')
        return "\n".join([*parts, "</svg>"])
    xs = [r.level for r in levels]
    logx = max(xs) / min(xs) > 8
    x_of = _axis(min(xs), max(xs), _LEFT, _LEFT + plot_w, log=logx)
    top_rate = _nice_top(max(r.throughput for r in levels))
    bound = result.settings.latency_bound_ms
    latencies = [r.p99_ms for r in levels if not math.isnan(r.p99_ms)]
    top_latency = _nice_top(max([*latencies, bound or 0.0]))
    y_rate = _axis(0, top_rate, _TOP + plot_h, _TOP, log=False)
    y_lat = _axis(0, top_latency, _TOP + plot_h, _TOP, log=False)

    for tick in _ticks(top_rate):  # left axis and grid
        y = y_rate(tick)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{_THROUGHPUT_COLOR}">{_short(tick)}</text>'
        )
    for tick in _ticks(top_latency):  # right axis
        y = y_lat(tick)
        parts.append(
            f'<text x="{_LEFT + plot_w + 6}" y="{y + 4:.1f}" '
            f'fill="{_LATENCY_COLOR}">{_short(tick)}</text>'
        )
    for level in _x_ticks(xs, logx):
        x = x_of(level)
        parts.append(
            f'<text x="{x:.1f}" y="{_TOP + plot_h + 18}" text-anchor="middle">{level}</text>'
        )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2}" y="{_H - 15}" text-anchor="middle">'
        f"concurrency level{' (log scale)' if logx else ''}</text>"
    )
    parts.append(
        f'<text transform="translate(18,{_TOP + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle" fill="{_THROUGHPUT_COLOR}">throughput (req/s)</text>'
    )
    parts.append(
        f'<text transform="translate({_W - 14},{_TOP + plot_h / 2}) rotate(90)" '
        f'text-anchor="middle" fill="{_LATENCY_COLOR}">p99 latency (ms)</text>'
    )
    if bound is not None:
        y = y_lat(bound)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{_LATENCY_COLOR}" stroke-dasharray="2,4"/>'
        )
        parts.append(
            f'<text x="{_LEFT + 4}" y="{y - 4:.1f}" fill="{_LATENCY_COLOR}">'
            f"{result.settings.bound_percentile} bound {format_ms(bound)}</text>"
        )
    if result.recommended is not None:
        x = x_of(result.recommended)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_TOP + plot_h}" '
            'stroke="#2ca02c" stroke-width="2" stroke-dasharray="6,4"/>'
        )
        parts.append(
            f'<text x="{x + 4:.1f}" y="{_TOP + 14}" fill="#2ca02c">'
            f"recommended: {result.recommended}</text>"
        )
    parts.append(_series(levels, x_of, y_rate, "throughput", _THROUGHPUT_COLOR))
    parts.append(_series(levels, x_of, y_lat, "p99", _LATENCY_COLOR))
    parts.append(
        f'<text x="{_LEFT}" y="{_TOP - 18}" fill="{_THROUGHPUT_COLOR}">&#9679; throughput</text>'
        f'<text x="{_LEFT + 110}" y="{_TOP - 18}" fill="{_LATENCY_COLOR}">'
        "&#9632; p99 latency</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _series(levels: Sequence[LevelResult], x_of: Any, y_of: Any, which: str, color: str) -> str:
    points = []
    for r in levels:
        value = r.throughput if which == "throughput" else r.p99_ms
        if not math.isnan(value):
            points.append((x_of(r.level), y_of(value), r.level, value))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
    out = [f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>']
    unit = "req/s" if which == "throughput" else "ms"
    for x, y, level, value in points:
        shape = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
            if which == "throughput"
            else f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{color}">'
        )
        end = "</circle>" if which == "throughput" else "</rect>"
        out.append(f"{shape}<title>level {level}: {value:,.1f} {unit}</title>{end}")
    return "\n".join(out)


def _axis(lo: float, hi: float, out_lo: float, out_hi: float, *, log: bool) -> Any:
    if log:
        lo, hi = math.log2(lo), math.log2(hi)
    span = (hi - lo) or 1.0

    def scale(value: float) -> float:
        v = math.log2(value) if log else value
        if hi == lo:
            return (out_lo + out_hi) / 2
        return out_lo + (v - lo) / span * (out_hi - out_lo)

    return scale


def _nice_top(value: float) -> float:
    if not value or math.isnan(value) or value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value * 1.05:
            return step * magnitude
    return 10 * magnitude


def _ticks(top: float, count: int = 5) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _x_ticks(xs: Sequence[int], log: bool) -> list[int]:
    if not log or len(xs) <= 10:
        ticks = sorted(set(xs))
        if len(ticks) <= 12:
            return ticks
    level, ticks = 1, []
    while level <= max(xs):
        if level >= min(xs):
            ticks.append(level)
        level *= 2
    return ticks


def _short(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:g}" if value >= 10 else f"{value:.2g}"


# --- PNG through matplotlib ---------------------------------------------------------------------


def png_chart(result: TuneResult, path: Path) -> None:
    """Write the chart as a PNG (needs matplotlib: ``pip install 'asyncdoctor[plot]'``)."""
    ensure_installed("matplotlib", extra="plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    levels = result.levels
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    xs = [r.level for r in levels]
    axes.plot(xs, [r.throughput for r in levels], "o-", color=_THROUGHPUT_COLOR, label="throughput")
    axes.set_xlabel("concurrency level")
    axes.set_ylabel("throughput (req/s)", color=_THROUGHPUT_COLOR)
    axes.set_ylim(bottom=0)
    logx = bool(xs) and max(xs) / min(xs) > 8
    if logx:
        axes.set_xscale("log", base=2)
    if xs:
        ticks = _x_ticks(xs, logx)
        axes.set_xticks(ticks, [str(tick) for tick in ticks])
        axes.minorticks_off()
    latency = axes.twinx()
    latency.plot(xs, [r.p99_ms for r in levels], "s-", color=_LATENCY_COLOR, label="p99 latency")
    latency.set_ylabel("p99 latency (ms)", color=_LATENCY_COLOR)
    latency.set_ylim(bottom=0)
    bound = result.settings.latency_bound_ms
    if bound is not None:
        latency.axhline(bound, color=_LATENCY_COLOR, linestyle=":", linewidth=1)
        latency.annotate(
            f"{result.settings.bound_percentile} bound",
            (xs[0] if xs else 1, bound),
            color=_LATENCY_COLOR,
            textcoords="offset points",
            xytext=(4, 4),
        )
    if result.recommended is not None:
        axes.axvline(result.recommended, color="#2ca02c", linestyle="--", linewidth=1.5)
        axes.annotate(
            f"recommended: {result.recommended}",
            (result.recommended, 0),
            xycoords=("data", "axes fraction"),
            color="#2ca02c",
            textcoords="offset points",
            xytext=(4, 8),
        )
    title = "asyncdoctor tune" + (f": {result.target}" if result.target else "")
    axes.set_title(title if len(title) < 90 else title[:87] + "...", fontsize=10)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(str(path), format="png")
