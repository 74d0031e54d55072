"""The dashboard page: inline CSS and a small inline script that draws SVG charts from embedded JSON.

Nothing here refers to another file or host: the page must work from disk with the network off.
"""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>fleetdeck spend</title>
<style>
:root { --bg:#f7f7f9; --card:#fff; --fg:#1d2330; --muted:#667085; --grid:#e4e7ec; --accent:#2e6be6;
  --good:#14804a; --bad:#c4320a;
  --c0:#2e6be6; --c1:#e8833a; --c2:#2aa876; --c3:#c2417a; --c4:#7d5ce6; --c5:#d4b02a; --c6:#2bb3c0;
  --c7:#8a6d4f; --c8:#98a2b3; }
@media (prefers-color-scheme: dark) {
  :root { --bg:#11141a; --card:#1a1f29; --fg:#e6e9ef; --muted:#98a2b3; --grid:#2c3340; --accent:#6b9bff;
    --good:#4ccb8a; --bad:#ff7a59;
    --c0:#6b9bff; --c1:#ffa45c; --c2:#4ccb8a; --c3:#f07aae; --c4:#a68bff; --c5:#f0d060; --c6:#5fd3de;
    --c7:#c8a27f; --c8:#667085; }
}
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { padding:20px 28px 8px; }
h1 { font-size:20px; margin:0 0 4px; }
.sub { color:var(--muted); }
main { display:grid; grid-template-columns:repeat(auto-fit, minmax(440px, 1fr)); gap:16px; padding:12px 28px 28px; }
section { background:var(--card); border-radius:10px; padding:14px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); min-width:0; }
section.wide { grid-column:1 / -1; }
h2 { font-size:15px; margin:0 0 10px; }
.kpis { display:flex; flex-wrap:wrap; gap:28px; }
.kpi b { display:block; font-size:22px; }
.kpi span { color:var(--muted); font-size:12px; }
svg { display:block; width:100%; height:auto; }
svg text { fill:var(--muted); font-size:11px; }
.legend { display:flex; flex-wrap:wrap; gap:4px 14px; margin-top:6px; font-size:12px; color:var(--muted); }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th, td { padding:4px 6px; border-bottom:1px solid var(--grid); text-align:left; white-space:nowrap; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
td.name { max-width:320px; overflow:hidden; text-overflow:ellipsis; }
details summary { cursor:pointer; color:var(--accent); margin-top:8px; }
.empty { color:var(--muted); padding:24px 0; text-align:center; }
</style>
</head>
<body>
<header><h1>fleetdeck spend</h1><div class="sub" id="sub"></div></header>
<main>
<section class="wide"><div class="kpis" id="kpis"></div></section>
<section class="wide"><h2>Daily cost by model</h2><div id="daily" class="chart"></div></section>
<section><h2>Cost by workflow</h2><div id="workflow" class="chart"></div></section>
<section><h2>Cost by project</h2><div id="project" class="chart"></div></section>
<section><h2>Top sessions</h2><div id="sessions" class="chart"></div></section>
<section><h2>Token mix per day</h2><div id="tokens" class="chart"></div></section>
<section class="wide"><h2>Savings vs the baseline model (cumulative)</h2><div id="savings" class="chart"></div></section>
<section class="wide"><h2>Tables</h2><div id="tables"></div></section>
</main>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
window.__errors = [];
window.addEventListener("error", function (e) {
  window.__errors.push(String(e.message));
  document.body.setAttribute("data-errors", window.__errors.join(" | "));
});
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  var COLORS = ["var(--c0)", "var(--c1)", "var(--c2)", "var(--c3)", "var(--c4)", "var(--c5)", "var(--c6)", "var(--c7)", "var(--c8)"];
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  function usd(cents) { var d = Math.abs(cents) / 100; return (cents < 0 ? "-$" : "$") + (d >= 100 ? Math.round(d).toLocaleString("en-US") : d.toFixed(2)); }
  function num(n) { return Number(n).toLocaleString("en-US"); }
  function short(n) { return n >= 1e9 ? (n / 1e9).toFixed(1) + "B" : n >= 1e6 ? (n / 1e6).toFixed(1) + "M" : n >= 1e3 ? (n / 1e3).toFixed(0) + "k" : String(n); }
  function nice(max) { if (max <= 0) return 1; var p = Math.pow(10, Math.floor(Math.log10(max))); var m = max / p; return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p; }
  function legend(names) { return '<div class="legend">' + names.map(function (n, i) { return '<span><i style="background:' + COLORS[i % COLORS.length] + '"></i>' + esc(n) + "</span>"; }).join("") + "</div>"; }
  function put(id, html) { document.getElementById(id).innerHTML = html; }
  function empty(id) { put(id, '<div class="empty">no spend in this range</div>'); }
  var W = 900, H = 260, L = 56, R = 10, T = 10, B = 28;

  function axes(max, fmt, labels) {
    var s = "", top = nice(max);
    for (var k = 0; k <= 4; k++) {
      var y = T + (H - T - B) * (1 - k / 4);
      s += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '" stroke="var(--grid)"/>';
      s += '<text x="' + (L - 6) + '" y="' + (y + 4) + '" text-anchor="end">' + esc(fmt(top * k / 4)) + "</text>";
    }
    var step = Math.max(1, Math.ceil(labels.length / 10)), bw = (W - L - R) / Math.max(1, labels.length);
    for (var i = 0; i < labels.length; i += step) {
      s += '<text x="' + (L + bw * (i + 0.5)) + '" y="' + (H - 8) + '" text-anchor="middle">' + esc(labels[i].slice(5)) + "</text>";
    }
    return {svg: s, top: top, bw: bw};
  }

  function stacked(id, labels, series, fmt) {
    var totals = labels.map(function (_, i) { return series.reduce(function (a, s) { return a + s.values[i]; }, 0); });
    var max = Math.max.apply(null, totals.concat([0]));
    if (max <= 0) { empty(id); return; }
    var a = axes(max, fmt, labels), s = a.svg, ph = H - T - B;
    labels.forEach(function (day, i) {
      var y = T + ph, x = L + a.bw * i + a.bw * 0.12, w = Math.max(1, a.bw * 0.76);
      series.forEach(function (ser, j) {
        var h = ph * ser.values[i] / a.top;
        if (h <= 0) return;
        y -= h;
        s += '<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + w.toFixed(1) + '" height="' + h.toFixed(1) + '" fill="' + COLORS[j % COLORS.length] + '"><title>' + esc(day + " " + ser.name + ": " + fmt(ser.values[i])) + "</title></rect>";
      });
    });
    put(id, '<svg viewBox="0 0 ' + W + " " + H + '" role="img">' + s + "</svg>" + legend(series.map(function (x) { return x.name; })));
  }

  function hbars(id, rows, label) {
    if (!rows.length || rows.every(function (r) { return r.cost <= 0; })) { empty(id); return; }
    var rh = 24, h = rows.length * rh + 6, max = Math.max.apply(null, rows.map(function (r) { return r.cost; })) || 1, s = "";
    var lw = 190, bwMax = W / 2 - lw - 70;
    rows.forEach(function (r, i) {
      var y = 3 + i * rh, w = Math.max(1, bwMax * r.cost / max), name = label(r);
      if (name.length > 30) name = "…" + name.slice(-29);
      s += '<text x="' + (lw - 6) + '" y="' + (y + 15) + '" text-anchor="end">' + esc(name) + "</text>";
      s += '<rect x="' + lw + '" y="' + (y + 3) + '" width="' + w.toFixed(1) + '" height="' + (rh - 8) + '" rx="3" fill="' + COLORS[i % COLORS.length] + '"><title>' + esc(label(r) + ": " + usd(r.cost)) + "</title></rect>";
      s += '<text x="' + (lw + w + 6) + '" y="' + (y + 15) + '">' + esc(usd(r.cost)) + "</text>";
    });
    put(id, '<svg viewBox="0 0 ' + (W / 2) + " " + h + '" role="img">' + s + "</svg>");
  }

  function lines(id, labels, series, fmt) {
    var all = [];
    series.forEach(function (s) { all = all.concat(s.values); });
    var max = Math.max.apply(null, all.concat([0])), min = Math.min.apply(null, all.concat([0]));
    if (max <= 0 && min >= 0) { empty(id); return; }
    var a = axes(Math.max(max, -min), fmt, labels), s = a.svg, ph = H - T - B;
    series.forEach(function (ser, j) {
      var pts = ser.values.map(function (v, i) { return (L + a.bw * (i + 0.5)).toFixed(1) + "," + (T + ph * (1 - Math.max(v, 0) / a.top)).toFixed(1); });
      s += '<polyline fill="none" stroke-width="2.2" stroke="' + COLORS[j % COLORS.length] + '" points="' + pts.join(" ") + '"/>';
    });
    put(id, '<svg viewBox="0 0 ' + W + " " + H + '" role="img">' + s + "</svg>" + legend(series.map(function (x) { return x.name; })));
  }

  function table(title, headers, rows) {
    var h = "<details" + (title === "By model" ? " open" : "") + "><summary>" + esc(title) + "</summary><table><thead><tr>";
    headers.forEach(function (c, i) { h += "<th" + (i ? ' class="n"' : "") + ">" + esc(c) + "</th>"; });
    h += "</tr></thead><tbody>";
    rows.forEach(function (r) { h += "<tr>" + r.map(function (c, i) { return "<td" + (i ? ' class="n"' : ' class="name"') + ">" + esc(c) + "</td>"; }).join("") + "</tr>"; });
    return h + "</tbody></table></details>";
  }

  var t = D.totals, savings = t.baseline - t.cost;
  document.getElementById("sub").textContent = D.days[0] + " to " + D.days[D.days.length - 1] + " (" + D.timezone + "), generated " + D.generated;
  put("kpis", [["Spend", usd(t.cost)], ["Calls", num(t.calls)], ["Savings vs baseline", usd(savings)],
    ["Input tokens", short(t.input)], ["Output tokens", short(t.output)], ["Cache read", short(t.cache_read)],
    ["Unknown price", num(t.unknown_calls) + " calls"]].map(function (k) { return '<div class="kpi"><b>' + esc(k[1]) + "</b><span>" + esc(k[0]) + "</span></div>"; }).join(""));
  stacked("daily", D.days, D.cost_by_model, usd);
  hbars("workflow", D.by_workflow, function (r) { return r.name; });
  hbars("project", D.by_project, function (r) { return r.name; });
  hbars("sessions", D.top_sessions, function (r) { return r.name; });
  stacked("tokens", D.days, [{name: "input", values: D.tokens.input}, {name: "output", values: D.tokens.output},
    {name: "cache read", values: D.tokens.cache_read}, {name: "cache write", values: D.tokens.cache_write}], short);
  var cumCost = 0, cumBase = 0, cc = [], cb = [], cs = [];
  D.cost.forEach(function (c, i) { cumCost += c; cumBase += D.baseline[i]; cc.push(cumCost); cb.push(cumBase); cs.push(cumBase - cumCost); });
  lines("savings", D.days, [{name: "baseline model", values: cb}, {name: "actual", values: cc}, {name: "saved", values: cs}], usd);
  function costOf(r) {  // calls with no known price are never shown as $0
    if (r.unknown && r.unknown >= r.calls) { return "unknown"; }
    return usd(r.cost) + (r.unknown ? " + " + num(r.unknown) + " unpriced" : "");
  }
  function rowsOf(list) { return list.map(function (r) { return [r.name, num(r.calls), short(r.tokens), costOf(r)]; }); }
  var hdr = ["Name", "Calls", "Tokens", "Cost"];
  put("tables", table("By model", hdr, rowsOf(D.by_model)) + table("By workflow", hdr, rowsOf(D.by_workflow)) +
    table("By project", hdr, rowsOf(D.by_project)) + table("Top sessions", hdr, rowsOf(D.top_sessions)) +
    table("Daily", ["Day", "Calls", "Baseline", "Cost"], D.days.map(function (d, i) { return [d, num(D.calls[i]), usd(D.baseline[i]), usd(D.cost[i])]; }).reverse()));
  document.body.setAttribute("data-rendered", String(document.querySelectorAll("svg").length));
})();
</script>
</body>
</html>
"""
