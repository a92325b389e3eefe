"""The charts of a tune result: text for the terminal, HTML with inline SVG, PNG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asyncdoctor.perf._chart import html_chart, png_chart, text_chart, write_chart
from asyncdoctor.perf._tune import LevelResult, TuneResult, TuneSettings


def _level(level: int, rate: float, p99: float) -> LevelResult:
    return LevelResult(
        level=level,
        phase="sweep",
        requests=int(rate),
        errors=0,
        duration=1.0,
        throughput=rate,
        p50_ms=p99 / 2,
        p90_ms=p99 * 0.9,
        p95_ms=p99 * 0.95,
        p99_ms=p99,
        mean_ms=p99 / 2,
        max_ms=p99,
    )


def _result(bound: float | None = None, target: str = "GET http://127.0.0.1:1/") -> TuneResult:
    settings = TuneSettings(
        levels=None,
        max_level=64,
        latency_bound_ms=bound,
        bound_percentile="p99",
        warmup=0.1,
        min_samples=10,
        min_duration=0.5,
        max_duration=2.0,
        error_budget=0.01,
    )
    levels = (
        _level(1, 100, 10),
        _level(2, 200, 10),
        _level(4, 390, 11),
        _level(8, 770, 12),
        _level(16, 800, 21),
        _level(32, 800, 40),
    )
    return TuneResult(
        target=target,
        settings=settings,
        levels=levels,
        recommended=8,
        reason="Level 8 gives 770 req/s, 96% of the best.",
        stopped="stopped at level 32: saturated",
    )


def test_text_chart_has_one_row_per_level_and_marks_the_recommendation() -> None:
    text = text_chart(_result(bound=20.0), width=40)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["level", "throughput"]
    rows = lines[1:-1]
    assert [int(row.split()[0].rstrip("*")) for row in rows] == [1, 2, 4, 8, 16, 32]
    assert [row for row in rows if "*" in row.split()[0]] == [rows[3]]
    # the throughput bars are proportional: 800 req/s fills the 40 columns, 100 gets 5
    assert re.search(r"\s(#{40})\s", rows[-1]) and re.search(r"\s(#{5})\s", rows[0])
    # the bound is drawn in the latency bars, at the same column on every row
    columns = {row.rindex("|") if "|" in row else row.rindex("+") for row in rows}
    assert len(columns) == 1
    assert lines[-1] == "* recommended level; | the p99 bound (20.0 ms)"
    assert text.isascii()


def test_text_chart_of_nothing() -> None:
    empty = TuneResult(
        target="", settings=_result().settings, levels=(), recommended=None, reason="", stopped=""
    )
    assert text_chart(empty) == "(no level measured)\n"


def test_html_is_self_contained_with_an_svg_chart() -> None:
    page = html_chart(_result(bound=20.0, target="GET http://x/?a=<b>&c"))
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1 and "</svg>" in page
    assert "<script" not in page.lower()
    # nothing is fetched: the only URLs are the SVG namespace and the escaped target
    urls = set(re.findall(r"(?:src|href)=\"([^\"]+)\"", page))
    assert urls == set()
    assert "GET http://x/?a=&lt;b&gt;&amp;c" in page and "<b>" not in page
    assert "recommended: 8" in page  # the knee is marked
    assert "p99 bound 20.0 ms" in page
    assert page.count("<circle") == 6 and page.count("<polyline") == 2
    assert '<tr class="recommended"><td>8</td>' in page


def test_write_chart_picks_by_suffix(tmp_path: Path) -> None:
    write_chart(_result(), tmp_path / "chart.html")
    assert "<svg" in (tmp_path / "chart.html").read_text()
    with pytest.raises(ValueError, match=r"use \.png or \.html"):
        write_chart(_result(), tmp_path / "chart.svg")


def test_png_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "chart.png"
    png_chart(_result(bound=20.0), path)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
