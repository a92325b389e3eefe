"""The timeline as one self-contained HTML page: task lanes over time, slow steps, lag.

>>> from asyncdoctor.export.timeline import write_html      # doctest: +SKIP
>>> write_html(doctor.timeline(), "timeline.html")           # doctest: +SKIP

``asyncdoctor run --timeline FILE.html app.py`` writes it when the program
ends.  The page needs no network: its style, script and data are inline, and
it draws on a ``<canvas>``.  For each loop, from the top:

* the time axis (seconds since the window began; drag across any chart to
  zoom in, double-click or *Reset zoom* to zoom out);
* the loop's busy stretches (their shade: how busy the stretch was);
* the slow steps the watchdog measured (orange; red from the threshold on),
  labelled with their duration and line when there is room;
* the running task as sampled, then one lane per task (its sampled lifetime
  pale, its sampled runs dark, its slow steps red); the 40 most active tasks
  get a lane, the rest are summed up in one row of how many were pending;
* the heartbeat's lag, with the threshold.

Below: the slowest steps with their source line, and what is exact and what
is sampled.  Hover over anything for its figures; click a task (a lane, a run,
a step) for its coroutine, where it was created, what it awaits, what awaits
it and where it was suspended.  Spans narrower than a pixel are merged as they
are drawn, so tens of thousands of spans draw at once.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime._models import Frame
    from ..runtime._timeline import Timeline

__all__ = ["render_html", "write_html"]


def _place(frame: Frame | None) -> str | None:
    return None if frame is None else f"{frame.path}:{frame.line} in {frame.function}"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """The compact form the page's script reads (times in ms since the recorder began)."""
    loops = []
    for loop in timeline.loops:
        loops.append({
            "label": loop.label,
            "thread": loop.thread,
            "method": loop.busy_method,
            "heartbeat": _ms(loop.heartbeat),
            "busy": [[_ms(s.start), _ms(s.end), _ms(s.idle)] for s in loop.busy],
            "steps": [
                {
                    "s": _ms(step.start), "d": _ms(step.duration),
                    "at": _place(step.location), "src": step.source,
                    "task": step.task_id, "taskName": step.task, "coro": step.coroutine,
                    "blocking": step.blocking, "seen": step.line_seen,
                    "stack": [_place(frame) for frame in step.stack],
                }
                for step in loop.slow_steps
            ],
            "lag": [[_ms(p.t), _ms(max(p.lag, 0.0))] for p in loop.lag],
            "runs": [[_ms(r.start), _ms(r.end), r.task_id] for r in loop.runs],
            "tasks": [
                {
                    "id": lane.id, "name": lane.name, "coro": lane.coroutine,
                    "def": _place(lane.defined_at), "created": _place(lane.created_at),
                    "how": lane.created_how, "first": _ms(lane.first_seen),
                    "last": _ms(lane.last_seen), "pending": lane.pending_at_end,
                    "samples": lane.samples, "awaits": list(lane.awaits),
                    "chain": [_place(frame) for frame in lane.suspended_at],
                    "runs": [[_ms(r.start), _ms(r.end)] for r in lane.running],
                }
                for lane in loop.tasks
            ],
        })  # fmt: skip
    import datetime

    started = datetime.datetime.fromtimestamp(timeline.started_wall, datetime.UTC)
    return {
        "program": timeline.program,
        "pid": timeline.pid,
        "start": _ms(timeline.start),
        "end": _ms(timeline.end),
        "started": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "threshold": _ms(timeline.threshold),
        "sample": _ms(timeline.sample_interval),
        "taskFloor": _ms(timeline.task_sample_floor),
        "dropped": [list(item) for item in timeline.dropped],
        "loops": loops,
    }


def _script_json(data: object) -> str:
    """JSON that cannot end its ``<script>`` element early (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(timeline: Timeline) -> str:
    """The page, as a string."""
    title = "asyncdoctor timeline"
    if timeline.program:
        title += " \u2014 " + timeline.program
    return (
        _PAGE.replace("@@TITLE@@", html.escape(title))
        .replace("@@STYLE@@", _STYLE)
        .replace("@@DATA@@", _script_json(timeline_data(timeline)))
        .replace("@@SCRIPT@@", _SCRIPT)
    )


def write_html(timeline: Timeline, path: str) -> None:
    """Write the page for ``timeline`` to ``path``."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(render_html(timeline))


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<script>
window.addEventListener("error", function (event) {
  var body = document.body || document.documentElement;
  body.setAttribute("data-errors", (body.getAttribute("data-errors") || "") + event.message + "; ");
});
</script>
<style>@@STYLE@@</style>
</head>
<body>
<header>
  <h1>asyncdoctor timeline</h1>
  <div id="meta" class="meta"></div>
  <div id="summary" class="summary"></div>
  <div class="bar">
    <div id="legend" class="legend"></div>
    <button id="reset" type="button">Reset zoom</button>
  </div>
</header>
<main>
  <div id="charts"></div>
  <div id="details" class="panel"><p class="muted">Click a task lane, a run or a slow step to see its details here.
  Drag across a chart to zoom in; double-click to zoom out.</p></div>
  <section class="panel"><h2>Slowest steps</h2><table id="steps"></table></section>
  <section class="panel notes" id="notes"></section>
</main>
<div id="tip" class="tip" hidden></div>
<script id="timeline-data" type="application/json">@@DATA@@</script>
<script>@@SCRIPT@@</script>
</body>
</html>
"""

_STYLE = """
:root {
  color-scheme: light dark;
  --bg: #f7f7f8; --fg: #1f2328; --muted: #656d76; --panel: #ffffff; --border: #d0d7de;
  --grid: #e6e8eb; --lane: #f0f1f3; --lane2: #f7f8f9; --busy: #6e7781; --alive: #b6c8e6;
  --run: #2f6fd0; --slow: #e09b2d; --block: #cf2e2e; --lag: #7b4fc9; --pick: #111111;
  --threshold: #cf2e2e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171a; --fg: #e6e8eb; --muted: #9aa3ad; --panel: #1c1f23; --border: #353b42;
    --grid: #2a2f35; --lane: #20242a; --lane2: #1b1f24; --busy: #9aa3ad; --alive: #34486a;
    --run: #5b97f0; --slow: #f0ad4e; --block: #ff6161; --lag: #b08cf0; --pick: #ffffff;
    --threshold: #ff6161;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { padding: 14px 20px 8px; border-bottom: 1px solid var(--border); background: var(--panel); }
h1 { font-size: 18px; margin: 0 0 2px; }
h2 { font-size: 14px; margin: 0 0 8px; }
.meta, .muted { color: var(--muted); }
.summary { margin: 6px 0; font-size: 14px; }
.summary b.bad { color: var(--block); }
.bar { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend i { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
button { font: inherit; padding: 3px 10px; border: 1px solid var(--border); border-radius: 5px;
  background: var(--bg); color: var(--fg); cursor: pointer; }
main { padding: 12px 20px 30px; }
.loop { margin-bottom: 14px; background: var(--panel); border: 1px solid var(--border);
  border-radius: 6px; padding: 8px 0 4px; }
.loop h2 { padding: 0 12px; margin-bottom: 4px; }
.loop h2 small { font-weight: normal; color: var(--muted); }
canvas { display: block; width: 100%; cursor: crosshair; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 6px;
  padding: 10px 14px; margin-bottom: 14px; }
#details h3 { margin: 0 0 6px; font-size: 14px; }
#details dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0; }
#details dt { color: var(--muted); }
#details dd { margin: 0; }
code, .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
a.task { color: var(--run); cursor: pointer; text-decoration: underline; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--grid); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.pick { cursor: pointer; }
tr.pick:hover { background: var(--lane); }
.blocking { color: var(--block); font-weight: 600; }
.notes ul { margin: 4px 0 0 18px; padding: 0; }
.tip { position: fixed; pointer-events: none; z-index: 10; max-width: 520px; padding: 6px 9px;
  background: var(--panel); color: var(--fg); border: 1px solid var(--border); border-radius: 5px;
  box-shadow: 0 2px 8px rgba(0,0,0,.18); white-space: pre-wrap; font-size: 12px; }
"""

_SCRIPT = r"""
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var css = getComputedStyle(document.documentElement);
  function color(name) { return css.getPropertyValue("--" + name).trim(); }
  var C = {};
  ["fg", "muted", "grid", "lane", "lane2", "busy", "alive", "run", "slow", "block", "lag",
   "pick", "threshold", "panel"].forEach(function (n) { C[n] = color(n); });

  var LABEL_W = 210, AXIS_H = 22, ROW_H = 16, STEP_H = 20, LAG_H = 64, MAX_LANES = 40;
  var view = { from: data.start, to: data.end };
  var picked = null;           // {kind: "task"|"step", loop, id|index}
  var charts = [];
  var tasksById = {};
  var awaitedBy = {};

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function fmtMs(ms) {
    if (ms === 0) return "0";
    if (ms >= 1000) return (ms / 1000).toFixed(ms >= 10000 ? 1 : 2) + " s";
    if (ms >= 10) return ms.toFixed(0) + " ms";
    if (ms >= 1) return ms.toFixed(1) + " ms";
    return (ms * 1000).toFixed(0) + " \u00b5s";
  }
  function fmtAt(ms) { return fmtMs(Math.max(0, ms - data.start)); }
  function shortPlace(place) {
    if (!place) return "?";
    var m = /([^\/\\]+):(\d+) in (.*)$/.exec(place);
    return m ? m[1] + ":" + m[2] : place;
  }

  // -- indexes ---------------------------------------------------------------------------
  data.loops.forEach(function (loop, li) {
    loop.index = li;
    loop.tasks.forEach(function (t) {
      t.loop = li;
      tasksById[t.id] = t;
      t.runMs = t.runs.reduce(function (a, r) { return a + (r[1] - r[0]); }, 0);
      t.slowMs = 0;
    });
    loop.steps.forEach(function (s, si) {
      s.loop = li; s.index = si;
      if (s.task != null && tasksById[s.task]) tasksById[s.task].slowMs += s.d;
    });
    loop.tasks.forEach(function (t) {
      t.awaits.forEach(function (other) { (awaitedBy[other] = awaitedBy[other] || []).push(t.id); });
    });
    // the lanes shown: the most active tasks, in the order they appeared
    var ranked = loop.tasks.slice().sort(function (a, b) {
      return (b.slowMs - a.slowMs) || (b.runMs - a.runMs) || ((b.last - b.first) - (a.last - a.first)) || (a.id - b.id);
    });
    loop.shown = ranked.slice(0, MAX_LANES).sort(function (a, b) { return (a.first - b.first) || (a.id - b.id); });
    loop.rest = ranked.slice(MAX_LANES);
    loop.maxLag = loop.lag.reduce(function (a, p) { return Math.max(a, p[1]); }, 0);
    var busyMs = loop.busy.reduce(function (a, b) { return a + Math.max(0, b[1] - Math.max(b[0], data.start) - b[2]); }, 0);
    loop.utilization = data.end > data.start ? busyMs / (data.end - data.start) : 0;
  });

  // -- header ----------------------------------------------------------------------------
  var nTasks = 0, nBlocking = 0, maxBlock = 0, nSlow = 0;
  data.loops.forEach(function (loop) {
    nTasks += loop.tasks.length;
    loop.steps.forEach(function (s) { nSlow++; if (s.blocking) { nBlocking++; maxBlock = Math.max(maxBlock, s.d); } });
  });
  document.getElementById("meta").textContent =
    (data.program ? data.program + " \u00b7 " : "") + "pid " + data.pid + " \u00b7 recorder started " +
    data.started + " \u00b7 window " + fmtMs(data.end - data.start);
  document.getElementById("summary").innerHTML =
    data.loops.length + " event loop" + (data.loops.length === 1 ? "" : "s") + " \u00b7 " +
    nTasks + " task" + (nTasks === 1 ? "" : "s") + " seen \u00b7 " +
    (nBlocking ? "<b class=bad>" + nBlocking + " blocking step" + (nBlocking === 1 ? "" : "s") +
      " (longest " + fmtMs(maxBlock) + ")</b>" : "no blocking step") +
    " at a threshold of " + fmtMs(data.threshold) +
    (nSlow > nBlocking ? " \u00b7 " + (nSlow - nBlocking) + " shorter slow step" + (nSlow - nBlocking === 1 ? "" : "s") : "");
  var legend = [["busy", "loop busy"], ["slow", "slow step"], ["block", "blocking step (\u2265 threshold)"],
    ["alive", "task pending (sampled)"], ["run", "task running (sampled)"], ["lag", "heartbeat lag"]];
  document.getElementById("legend").innerHTML = legend.map(function (l) {
    return "<span><i style='background:" + C[l[0]] + "'></i>" + esc(l[1]) + "</span>";
  }).join("");

  // -- layout of one loop's chart --------------------------------------------------------
  function rowsOf(loop) {
    var rows = [], y = AXIS_H;
    function add(kind, h, extra) { var r = { kind: kind, y: y, h: h }; for (var k in extra) r[k] = extra[k]; rows.push(r); y += h; return r; }
    var share = " " + Math.round(100 * loop.utilization) + "%";
    add("busy", ROW_H + 2, { label: loop.method === "poll" ? "loop busy" + share : "loop busy ≥" + share });
    add("steps", STEP_H, { label: "slow steps" });
    add("running", ROW_H, { label: "running (sampled)" });
    loop.shown.forEach(function (t, i) { add("task", ROW_H, { task: t, label: t.name + " \u00b7 " + t.coro + "()", alt: i % 2 }); });
    if (loop.rest.length) add("rest", ROW_H + 6, { label: "+" + loop.rest.length + " more tasks (pending)" });
    y += 6;
    add("lag", LAG_H, { label: "lag" });
    return { rows: rows, height: y + LAG_H / 4 + 14 };
  }

  function xOf(chart, t) { return LABEL_W + (t - view.from) / (view.to - view.from) * (chart.width - LABEL_W - 10); }
  function tOf(chart, x) { return view.from + (x - LABEL_W) / (chart.width - LABEL_W - 10) * (view.to - view.from); }

  // Draws spans [[start, end, ...], ...] sorted by start, merging those closer than a pixel.
  function drawSpans(ctx, chart, spans, y, h, fill, alpha) {
    var x1 = -1, x0 = -1, i;
    ctx.fillStyle = fill;
    for (i = 0; i < spans.length; i++) {
      var s = spans[i];
      if (s[1] < view.from || s[0] > view.to) continue;
      var a = Math.max(xOf(chart, s[0]), LABEL_W), b = Math.min(xOf(chart, s[1]), chart.width - 10);
      if (b - a < 1) b = a + 1;
      if (x0 >= 0 && a <= x1 + 0.5) { x1 = Math.max(x1, b); continue; }
      if (x0 >= 0) { ctx.globalAlpha = alpha ? alpha(x0, x1) : 1; ctx.fillRect(x0, y, x1 - x0, h); }
      x0 = a; x1 = b;
    }
    if (x0 >= 0) { ctx.globalAlpha = alpha ? alpha(x0, x1) : 1; ctx.fillRect(x0, y, x1 - x0, h); }
    ctx.globalAlpha = 1;
  }

  function niceStep(span, px) {
    var target = span / Math.max(2, Math.floor(px / 110));
    var p = Math.pow(10, Math.floor(Math.log10(target)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= target) return steps[i] * p;
    return 10 * p;
  }

  function draw(chart) {
    var loop = chart.loop, canvas = chart.canvas, dpr = window.devicePixelRatio || 1;
    var width = canvas.clientWidth;
    chart.width = width;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(chart.height * dpr);
    canvas.style.height = chart.height + "px";
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, chart.height);
    ctx.font = "12px system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";
    ctx.textBaseline = "middle";
    var right = width - 10;

    // lane backgrounds and labels
    chart.rows.forEach(function (r) {
      if (r.kind === "task") { ctx.fillStyle = r.alt ? C.lane2 : C.lane; ctx.fillRect(LABEL_W, r.y, right - LABEL_W, r.h); }
      var isPicked = r.kind === "task" && picked && picked.kind === "task" && picked.id === r.task.id;
      var related = r.kind === "task" && picked && picked.kind === "task" && picked.related && picked.related[r.task.id];
      ctx.fillStyle = isPicked ? C.pick : (related ? C.run : C.muted);
      ctx.font = (isPicked ? "bold " : "") + "12px system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";
      var label = r.label, maxW = LABEL_W - 14;
      while (ctx.measureText(label).width > maxW && label.length > 4) label = label.slice(0, -2);
      if (label !== r.label) label = label.slice(0, -1) + "\u2026";
      ctx.fillText(label, 10, r.kind === "lag" ? r.y + 10 : r.y + r.h / 2);
    });
    ctx.font = "12px system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";

    // grid and axis
    var span = view.to - view.from, step = niceStep(span, right - LABEL_W);
    var first = Math.ceil((view.from - data.start) / step) * step + data.start;
    ctx.strokeStyle = C.grid; ctx.fillStyle = C.muted; ctx.lineWidth = 1;
    for (var t = first; t <= view.to + 1e-9; t += step) {
      var x = Math.round(xOf(chart, t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, AXIS_H - 4); ctx.lineTo(x, chart.height - 14); ctx.stroke();
      ctx.textAlign = "center"; ctx.fillText(fmtMs(t - data.start), x, 9);
    }
    ctx.textAlign = "left";

    chart.rows.forEach(function (r) {
      if (r.kind === "busy") {
        drawSpans(ctx, chart, loop.busy, r.y + 2, r.h - 4, C.busy, function () { return 0.85; });
      } else if (r.kind === "steps") {
        loop.steps.forEach(function (s) {
          if (s.s + s.d < view.from || s.s > view.to) return;
          var a = Math.max(xOf(chart, s.s), LABEL_W), b = Math.min(xOf(chart, s.s + s.d), right);
          var w = Math.max(b - a, 2);
          ctx.fillStyle = s.blocking ? C.block : C.slow;
          ctx.fillRect(a, r.y + 2, w, r.h - 4);
          if (picked && picked.kind === "step" && picked.loop === loop.index && picked.index === s.index) {
            ctx.strokeStyle = C.pick; ctx.lineWidth = 2; ctx.strokeRect(a - 1, r.y + 1, w + 2, r.h - 2); ctx.lineWidth = 1;
          }
          var texts = [fmtMs(s.d) + " " + shortPlace(s.at) + (s.src ? "  " + s.src : ""),
                       fmtMs(s.d) + " " + shortPlace(s.at), fmtMs(s.d)];
          for (var k = 0; k < texts.length; k++) {
            if (ctx.measureText(texts[k]).width + 8 < w) {
              ctx.fillStyle = "#ffffff"; ctx.fillText(texts[k], a + 4, r.y + r.h / 2); break;
            }
          }
        });
      } else if (r.kind === "running") {
        drawSpans(ctx, chart, loop.runs, r.y + 3, r.h - 6, C.run);
      } else if (r.kind === "task") {
        var task = r.task;
        drawSpans(ctx, chart, [[task.first, Math.max(task.last, task.first + data.sample)]], r.y + 3, r.h - 6, C.alive);
        drawSpans(ctx, chart, task.runs, r.y + 3, r.h - 6, C.run);
        var own = loop.steps.filter(function (s) { return s.task === task.id; })
          .map(function (s) { return [s.s, s.s + s.d, s.blocking]; });
        drawSpans(ctx, chart, own.filter(function (s) { return !s[2]; }), r.y + 1, r.h - 2, C.slow);
        drawSpans(ctx, chart, own.filter(function (s) { return s[2]; }), r.y + 1, r.h - 2, C.block);
        if (picked && picked.kind === "task" && picked.id === task.id) {
          ctx.strokeStyle = C.pick; ctx.lineWidth = 1.5;
          ctx.strokeRect(LABEL_W + 0.5, r.y + 0.5, right - LABEL_W - 1, r.h - 1); ctx.lineWidth = 1;
        }
      } else if (r.kind === "rest") {
        // how many of the other tasks were pending, per pixel column
        var cols = Math.max(1, Math.floor(right - LABEL_W)), counts = new Float64Array(cols + 2), peak = 0;
        loop.rest.forEach(function (task) {
          var end = Math.max(task.last, task.first + data.sample);
          if (end < view.from || task.first > view.to) return;
          var a = Math.max(0, Math.floor(xOf(chart, task.first) - LABEL_W));
          var b = Math.min(cols, Math.ceil(xOf(chart, end) - LABEL_W));
          counts[a] += 1; counts[Math.max(b, a + 1)] -= 1;
        });
        var level = 0, i;
        for (i = 0; i < cols; i++) { level += counts[i]; counts[i] = level; peak = Math.max(peak, level); }
        ctx.fillStyle = C.alive;
        for (i = 0; i < cols && peak > 0; i++) {
          if (counts[i] <= 0) continue;
          var hh = Math.max(1, (r.h - 4) * counts[i] / peak);
          ctx.fillRect(LABEL_W + i, r.y + r.h - 2 - hh, 1, hh);
        }
        r.peak = peak; r.counts = counts;
      } else if (r.kind === "lag") {
        var top = Math.max(loop.maxLag * 1.15, Math.min(data.threshold, loop.maxLag * 4), 1);
        r.top = top;
        ctx.strokeStyle = C.grid; ctx.strokeRect(LABEL_W + 0.5, r.y + 0.5, right - LABEL_W - 1, r.h - 1);
        ctx.fillStyle = C.muted; ctx.textAlign = "right";
        ctx.fillText(fmtMs(top), LABEL_W - 6, r.y + 8); ctx.fillText("0", LABEL_W - 6, r.y + r.h - 4);
        ctx.textAlign = "left";
        if (data.threshold <= top) {
          var ty = r.y + r.h - data.threshold / top * r.h;
          ctx.strokeStyle = C.threshold; ctx.setLineDash([4, 3]);
          ctx.beginPath(); ctx.moveTo(LABEL_W, ty); ctx.lineTo(right, ty); ctx.stroke(); ctx.setLineDash([]);
          ctx.fillStyle = C.threshold; ctx.fillText("threshold", LABEL_W + 4, ty - 7);
        }
        // one bar per heartbeat (decimated: the largest lag per pixel column), at the
        // moment the late beat ran: a bar of height L says the loop could not run
        // its timer during the L before it
        var colMax = {}, cx;
        loop.lag.forEach(function (p) {
          if (p[0] < view.from || p[0] > view.to) return;
          cx = Math.round(xOf(chart, p[0]));
          if (!(cx in colMax) || colMax[cx] < p[1]) colMax[cx] = p[1];
        });
        var barW = Math.max(2, Math.min(6, (right - LABEL_W) / Math.max(1, Object.keys(colMax).length) / 2));
        ctx.fillStyle = C.lag;
        Object.keys(colMax).forEach(function (key) {
          var px = Number(key), hh = Math.max(1, Math.min(colMax[key], top) / top * (r.h - 2));
          ctx.fillRect(px - barW / 2, r.y + r.h - 1 - hh, barW, hh);
        });
      }
    });
    if (chart.drag) {
      var d0 = Math.min(chart.drag.x0, chart.drag.x1), d1 = Math.max(chart.drag.x0, chart.drag.x1);
      ctx.fillStyle = C.run; ctx.globalAlpha = 0.15; ctx.fillRect(d0, AXIS_H, d1 - d0, chart.height - AXIS_H - 14); ctx.globalAlpha = 1;
    }
  }

  function drawAll() { charts.forEach(draw); }

  // -- what is under the pointer ---------------------------------------------------------
  function find(spans, t, slack) {
    var lo = 0, hi = spans.length - 1, best = null;
    while (lo <= hi) {   // the last span starting at or before t + slack
      var mid = (lo + hi) >> 1;
      if (spans[mid][0] <= t + slack) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (var k = best; k !== null && k >= 0 && k > best - 50; k--) {
      if (spans[k][1] >= t - slack) return spans[k];
    }
    return null;
  }

  function hit(chart, x, y) {
    var row = null;
    chart.rows.forEach(function (r) { if (y >= r.y && y < r.y + r.h) row = r; });
    if (!row) return null;
    var loop = chart.loop, t = tOf(chart, x), slack = 2 * (view.to - view.from) / Math.max(1, chart.width - LABEL_W);
    var out = { row: row, t: t };
    if (x < LABEL_W) { if (row.kind === "task") out.task = row.task; return out; }
    if (row.kind === "busy") out.busy = find(loop.busy, t, slack);
    else if (row.kind === "steps") {
      loop.steps.forEach(function (s) { if (t >= s.s - slack && t <= s.s + s.d + slack) out.step = s; });
    } else if (row.kind === "running") {
      var run = find(loop.runs, t, slack);
      if (run) { out.run = run; out.task = tasksById[run[2]]; }
    } else if (row.kind === "task") {
      out.task = row.task;
      loop.steps.forEach(function (s) { if (s.task === row.task.id && t >= s.s - slack && t <= s.s + s.d + slack) out.step = s; });
      out.run = find(row.task.runs, t, slack);
    } else if (row.kind === "lag") {
      var near = null;
      loop.lag.forEach(function (p) { if (Math.abs(p[0] - t) <= slack * 3 && (!near || p[1] > near[1])) near = p; });
      out.lag = near;
    } else if (row.kind === "rest") {
      var col = Math.floor(x - LABEL_W);
      out.rest = row.counts ? row.counts[col] : 0;
    }
    return out;
  }

  function tipText(h) {
    if (!h) return "";
    if (h.step) {
      var s = h.step;
      return (s.blocking ? "BLOCKING step " : "slow step ") + fmtMs(s.d) + " at " + fmtAt(s.s) + "\n" +
        (s.at || "?") + (s.src ? "\n    " + s.src : "") + (s.seen ? "" : "\n(the line seen running is unknown)") +
        (s.taskName ? "\ntask " + s.taskName + (s.coro ? " \u00b7 " + s.coro + "()" : "") : "");
    }
    if (h.busy) {
      var len = h.busy[1] - h.busy[0];
      return "busy " + fmtMs(len) + " from " + fmtAt(h.busy[0]) +
        (len > 0 ? " (" + Math.round(100 * (1 - h.busy[2] / len)) + "% busy inside)" : "");
    }
    if (h.lag) return "lag " + fmtMs(h.lag[1]) + " at " + fmtAt(h.lag[0]);
    if (h.rest !== undefined) return Math.round(h.rest) + " other tasks pending here";
    if (h.task) {
      var t = h.task;
      return t.name + " \u00b7 " + t.coro + "()\npending (sampled) " + fmtAt(t.first) + " \u2192 " + fmtAt(t.last) +
        (h.run ? "\nrunning (sampled) " + fmtAt(h.run[0]) + " \u2192 " + fmtAt(h.run[1]) : "") + "\nclick for details";
    }
    return h.row.label;
  }

  // -- the details panel -----------------------------------------------------------------
  function taskLink(id) {
    var t = tasksById[id];
    return t ? "<a class=task data-task='" + id + "'>" + esc(t.name) + " \u00b7 " + esc(t.coro) + "()</a>" : "task #" + id;
  }
  function showTask(task) {
    var related = {};
    task.awaits.forEach(function (id) { related[id] = true; });
    (awaitedBy[task.id] || []).forEach(function (id) { related[id] = true; });
    picked = { kind: "task", id: task.id, related: related };
    var loop = data.loops[task.loop];
    var own = loop.steps.filter(function (s) { return s.task === task.id; });
    var rows = [
      ["coroutine", "<code>" + esc(task.coro) + "()</code>" + (task.def ? " defined at <code>" + esc(task.def) + "</code>" : "")],
      ["created at", task.created ? "<code>" + esc(task.created) + "</code> (" + (task.how === "recorded" ? "recorded" : "guessed from the code") + ")" :
        "<span class=muted>unknown (exact with DoctorOptions(task_sites=True))</span>"],
      ["pending", fmtAt(task.first) + " \u2192 " + fmtAt(task.last) + (task.pending ? ", still pending at the last sample" : "") +
        " <span class=muted>(seen in " + task.samples + " task sample" + (task.samples === 1 ? "" : "s") + ")</span>"],
      ["running", task.runs.length ? task.runs.length + " run" + (task.runs.length === 1 ? "" : "s") + ", about " + fmtMs(task.runMs) +
        " <span class=muted>(sampled every " + fmtMs(data.sample) + ")</span>" : "<span class=muted>never seen running by the sampler</span>"],
      ["awaits", task.awaits.length ? task.awaits.map(taskLink).join(", ") : "<span class=muted>no other task seen</span>"],
      ["awaited by", (awaitedBy[task.id] || []).length ? awaitedBy[task.id].map(taskLink).join(", ") : "<span class=muted>no task seen</span>"],
      ["suspended at", task.chain.length ? task.chain.map(function (c) { return "<code>" + esc(c) + "</code>"; }).join("<br>") : "<span class=muted>not seen suspended</span>"],
      ["slow steps", own.length ? own.map(function (s) {
        return "<span class='" + (s.blocking ? "blocking" : "") + "'>" + fmtMs(s.d) + "</span> at <code>" + esc(shortPlace(s.at)) + "</code>" +
          (s.src ? " <code>" + esc(s.src) + "</code>" : "");
      }).join("<br>") : "<span class=muted>none</span>"]
    ];
    document.getElementById("details").innerHTML = "<h3>" + esc(task.name) + " <span class=muted>on loop " + esc(loop.label) + "</span></h3><dl>" +
      rows.map(function (r) { return "<dt>" + r[0] + "</dt><dd>" + r[1] + "</dd>"; }).join("") + "</dl>";
    drawAll();
  }
  function showStep(step) {
    picked = { kind: "step", loop: step.loop, index: step.index };
    var loop = data.loops[step.loop];
    var rows = [
      ["duration", "<span class='" + (step.blocking ? "blocking" : "") + "'>" + fmtMs(step.d) + "</span>" +
        (step.blocking ? " (at least the threshold, " + fmtMs(data.threshold) + ": a blocking-call finding)" : "")],
      ["when", fmtAt(step.s) + " \u2192 " + fmtAt(step.s + step.d)],
      ["line", "<code>" + esc(step.at || "?") + "</code>" + (step.src ? "<br><code>" + esc(step.src) + "</code>" : "") +
        (step.seen ? "" : "<br><span class=muted>the line seen running is unknown (a call held the GIL, or the watchdog could not look)</span>")],
      ["task", step.task != null ? taskLink(step.task) : "<span class=muted>none (a callback, not a task)</span>"],
      ["stack", step.stack.length ? step.stack.map(function (c) { return "<code>" + esc(c) + "</code>"; }).join("<br>") : "<span class=muted>unknown</span>"]
    ];
    document.getElementById("details").innerHTML = "<h3>Slow step <span class=muted>on loop " + esc(loop.label) + "</span></h3><dl>" +
      rows.map(function (r) { return "<dt>" + r[0] + "</dt><dd>" + r[1] + "</dd>"; }).join("") + "</dl>";
    drawAll();
  }
  document.getElementById("details").addEventListener("click", function (event) {
    var id = event.target && event.target.getAttribute && event.target.getAttribute("data-task");
    if (id && tasksById[id]) showTask(tasksById[id]);
  });

  // -- the charts ------------------------------------------------------------------------
  var holder = document.getElementById("charts"), tip = document.getElementById("tip");
  data.loops.forEach(function (loop) {
    var section = document.createElement("section");
    section.className = "loop";
    var how = loop.method === "poll" ? "busy stretches exact" : "busy stretches from late heartbeats (a lower bound)";
    section.innerHTML = "<h2>Loop " + esc(loop.label) + " <small>thread " + esc(loop.thread || "?") + " \u00b7 " + how +
      " \u00b7 " + loop.tasks.length + " tasks" + (loop.rest.length ? ", the " + loop.shown.length + " most active in lanes" : "") + "</small></h2>";
    var canvas = document.createElement("canvas");
    section.appendChild(canvas);
    holder.appendChild(section);
    var layout = rowsOf(loop);
    var chart = { loop: loop, canvas: canvas, rows: layout.rows, height: layout.height, width: 0, drag: null };
    charts.push(chart);
    function local(event) { var box = canvas.getBoundingClientRect(); return { x: event.clientX - box.left, y: event.clientY - box.top }; }
    canvas.addEventListener("mousemove", function (event) {
      var p = local(event);
      if (chart.drag) { chart.drag.x1 = Math.max(LABEL_W, Math.min(p.x, chart.width - 10)); draw(chart); return; }
      var text = tipText(hit(chart, p.x, p.y));
      if (!text) { tip.hidden = true; return; }
      tip.textContent = text; tip.hidden = false;
      var left = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      tip.style.left = left + "px"; tip.style.top = (event.clientY + 14) + "px";
    });
    canvas.addEventListener("mouseleave", function () { tip.hidden = true; });
    canvas.addEventListener("mousedown", function (event) {
      var p = local(event);
      if (p.x >= LABEL_W) chart.drag = { x0: p.x, x1: p.x };
    });
    window.addEventListener("mouseup", function (event) {
      if (!chart.drag) return;
      var d = chart.drag; chart.drag = null;
      if (Math.abs(d.x1 - d.x0) >= 5) {
        var a = tOf(chart, Math.min(d.x0, d.x1)), b = tOf(chart, Math.max(d.x0, d.x1));
        view = { from: a, to: b }; drawAll(); return;
      }
      var p = local(event), h = hit(chart, p.x, p.y);
      if (h && h.step) showStep(h.step); else if (h && h.task) showTask(h.task); else draw(chart);
    });
    canvas.addEventListener("dblclick", function () { view = { from: data.start, to: data.end }; drawAll(); });
  });
  document.getElementById("reset").addEventListener("click", function () { view = { from: data.start, to: data.end }; drawAll(); });
  window.addEventListener("resize", drawAll);
  if (!data.loops.length) holder.innerHTML = "<div class=panel>No event loop ran while the recorder was on.</div>";

  // -- the slowest steps ------------------------------------------------------------------
  var all = [];
  data.loops.forEach(function (loop) { loop.steps.forEach(function (s) { all.push(s); }); });
  all.sort(function (a, b) { return b.d - a.d; });
  var table = document.getElementById("steps");
  if (!all.length) table.outerHTML = "<p class=muted>No step ran long enough for the watchdog to measure it (a quarter of the threshold, " + fmtMs(data.threshold / 4) + ").</p>";
  else {
    table.innerHTML = "<tr><th class=num>duration</th><th>at</th><th>line</th><th>task</th><th>loop</th></tr>" +
      all.slice(0, 20).map(function (s, k) {
        return "<tr class=pick data-k='" + k + "'><td class='num " + (s.blocking ? "blocking" : "") + "'>" + fmtMs(s.d) + "</td><td class=num>" + fmtAt(s.s) +
          "</td><td><code>" + esc(shortPlace(s.at)) + "</code> " + (s.src ? "<code class=muted>" + esc(s.src) + "</code>" : "") +
          "</td><td>" + (s.task != null ? taskLink(s.task) : "<span class=muted>\u2014</span>") + "</td><td>" + esc(data.loops[s.loop].label) + "</td></tr>";
      }).join("");
    table.addEventListener("click", function (event) {
      var id = event.target.getAttribute && event.target.getAttribute("data-task");
      if (id && tasksById[id]) { showTask(tasksById[id]); return; }
      var tr = event.target.closest ? event.target.closest("tr[data-k]") : null;
      if (!tr) return;
      var s = all[Number(tr.getAttribute("data-k"))], pad = Math.max(s.d * 2, 20);
      view = { from: Math.max(data.start, s.s - pad), to: Math.min(data.end, s.s + s.d + pad) };
      showStep(s);
    });
  }

  // -- what is exact, what is sampled ----------------------------------------------------
  var notes = [
    "<b>Exact:</b> busy stretches on asyncio's loops (from the selector; waits under 1 ms stay inside a stretch), and slow steps: every step that ran at least a quarter of the threshold, measured by the watchdog, at its line.",
    "<b>Lower bound:</b> busy stretches on uvloop, from heartbeats that ran more than 2 ms late.",
    "<b>Sampled:</b> the running task (every " + fmtMs(data.sample) + " while a loop is busy), and the pending tasks (lifetimes, awaits, where each is suspended: at most every " + fmtMs(data.taskFloor) + ", and at most 0.25% of the loop's time). A task shorter than a sample may not appear at all.",
    "<b>Lag:</b> how late the doctor's heartbeat ran (the largest in each 10 ms)."
  ];
  if (data.dropped.length) notes.push("<b>Left out by the memory caps:</b> " + data.dropped.map(function (d) { return esc(d[0]) + ": " + d[1]; }).join(", ") + " (the oldest went first).");
  document.getElementById("notes").innerHTML = "<h2>How to read it</h2><ul>" + notes.map(function (n) { return "<li>" + n + "</li>"; }).join("") + "</ul>";

  drawAll();
  document.body.setAttribute("data-rendered", "ok");
})();
"""
