// logtally dashboard: draws the charts (uPlot) over the server-rendered
// tables and keeps the page live. Without JavaScript the tables remain.
// Log-derived text is never inserted as HTML here: new page content comes
// from the server's escaped HTML through DOMParser, names are compared as
// data, never built into selectors or markup.
"use strict";
(function () {
  var charts = [];
  window.__charts = charts; // read by the browser test

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  function byData(attr, value) {
    var all = document.querySelectorAll("[data-" + attr + "]");
    var out = [];
    for (var i = 0; i < all.length; i++) if (all[i].getAttribute("data-" + attr) === value) out.push(all[i]);
    return out;
  }

  function times(start, step, n) {
    var t = new Array(n);
    for (var i = 0; i < n; i++) t[i] = start + i * step;
    return t;
  }

  var fmt = function (v) { return v == null ? "–" : (Math.round(v * 100) / 100).toString(); };

  // seriesChart draws observed values, the Holt-Winters band and failure marks.
  function seriesChart(el, s, small, label) {
    if (!s || !s.value || !window.uPlot) return;
    var n = s.value.length;
    var x = times(s.start, s.step, n);
    var data = [x, s.value];
    var known = 0;
    for (var k = 0; k < n; k++) if (s.value[k] != null) known++;
    // A few points (a new category, a replayed sample) are drawn as dots.
    var series = [{}, { label: label || "observed", stroke: "#111", width: 1.25, points: { show: known < 60, size: 5, fill: "#111" },
      value: function (u, v) { return fmt(v); } }];
    var bands;
    if (s.upper && s.lower) {
      var marks = new Array(n);
      var count = 0;
      for (var i = 0; i < n; i++) {
        var f = s.failures && s.failures[i] === 1;
        marks[i] = f ? (s.value[i] != null ? s.value[i] : s.upper[i]) : null;
        if (f) count++;
      }
      data.push(s.upper, s.lower, s.predicted, marks);
      series.push(
        { label: "upper", stroke: "rgba(31,119,180,0.35)", width: 1, value: function (u, v) { return fmt(v); } },
        { label: "lower", stroke: "rgba(31,119,180,0.35)", width: 1, value: function (u, v) { return fmt(v); } },
        { label: "predicted", stroke: "#1f77b4", width: 1, dash: [4, 3], value: function (u, v) { return fmt(v); } },
        { label: "failure", stroke: "#d62728", fill: "#d62728", width: 0, paths: function () { return null; },
          points: { show: true, size: 6, stroke: "#d62728", fill: "#d62728" }, value: function (u, v) { return v == null ? "" : "FAIL"; } }
      );
      bands = [{ series: [2, 3], fill: "rgba(31,119,180,0.15)" }];
    }
    var width = Math.max(200, el.clientWidth || 300);
    var opts = {
      width: width,
      height: small ? 90 : 220,
      series: series,
      bands: bands,
      legend: { show: !small },
      cursor: { show: !small },
      axes: small ? [{ show: false }, { show: false }] : [{}, { size: 60 }],
      scales: { x: { time: true } },
    };
    el.replaceChildren();
    var u = new uPlot(opts, data, el);
    charts.push({ kind: el.getAttribute("data-chart"), name: label || s.counter, points: known, plot: u });
  }

  function statChart(el, st) {
    if (!st || !st.times || !window.uPlot) return;
    var data = [st.times, st.p50, st.p95, st.p99];
    var u = new uPlot({
      width: Math.max(200, el.clientWidth || 300), height: 180,
      series: [{}, { label: "p50", stroke: "#2ca02c" }, { label: "p95", stroke: "#ff7f0e" }, { label: "p99", stroke: "#d62728" }],
      axes: [{}, { size: 60 }], scales: { x: { time: true } },
    }, data, el);
    var points = 0;
    for (var i = 0; i < st.p50.length; i++) if (st.p50[i] != null) points++;
    charts.push({ kind: "stat", name: st.name, points: points, plot: u });
  }

  function destroyCharts() {
    while (charts.length) {
      var c = charts.pop();
      if (c.plot) c.plot.destroy();
    }
  }

  function drawOverview() {
    return getJSON("/api/overview").then(function (ov) {
      ov.categories.forEach(function (c) {
        byData("category", c.name).forEach(function (el) {
          if (el.getAttribute("data-chart") === "overview") seriesChart(el, c.series, true, c.name);
        });
      });
    });
  }

  function categoryName() {
    var m = location.pathname.match(/^\/category\/([^/]+)$/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function drawCategory() {
    var name = categoryName();
    if (name == null) return Promise.resolve();
    var range = new URLSearchParams(location.search).get("range") || "6h";
    return getJSON("/api/category/" + encodeURIComponent(name) + "?range=" + encodeURIComponent(range)).then(function (v) {
      v.counters.forEach(function (c) {
        byData("counter", c.name).forEach(function (el) {
          if (el.getAttribute("data-chart") === "counter") seriesChart(el, c.series, false, c.name);
        });
      });
      v.stats.forEach(function (st) {
        byData("stat", st.name).forEach(function (el) {
          if (el.getAttribute("data-chart") === "stat") statChart(el, st);
        });
      });
    });
  }

  function draw() {
    destroyCharts();
    var page = document.body.getAttribute("data-page");
    var p = page === "overview" ? drawOverview() : page === "category" ? drawCategory() : Promise.resolve();
    return p.then(function () { document.body.setAttribute("data-drawn", String(Date.now())); })
      .catch(function (e) { setLive("error: " + e.message); });
  }

  function setLive(text) {
    var el = document.getElementById("live");
    if (el) el.textContent = text;
  }

  var version = document.body.getAttribute("data-version");
  var refreshing = false;

  // refresh swaps in the server's freshly rendered <main> and redraws.
  function refresh(v) {
    if (refreshing || v === version) return;
    refreshing = true;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = doc.getElementById("main");
      if (!main) return;
      var mine = document.getElementById("main");
      mine.replaceChildren.apply(mine, Array.prototype.slice.call(main.childNodes).map(function (n) { return document.importNode(n, true); }));
      version = main.getAttribute("data-version") || v;
      mine.setAttribute("data-version", version);
      return draw();
    }).then(function () {
      setLive("live · updated " + new Date().toLocaleTimeString());
    }).catch(function (e) { setLive("error: " + e.message); })
      .finally(function () { refreshing = false; });
  }

  function live() {
    if (window.EventSource) {
      var es = new EventSource("/api/events");
      es.addEventListener("update", function (e) { refresh(e.data); });
      es.onopen = function () { setLive("live"); };
      es.onerror = function () { setLive("reconnecting…"); };
      return;
    }
    setInterval(function () { getJSON("/api/version").then(function (v) { refresh(v.version); }); }, 60000);
    setLive("live (polling)");
  }

  function start() {
    draw();
    live();
    var resize;
    window.addEventListener("resize", function () {
      clearTimeout(resize);
      resize = setTimeout(draw, 200);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
