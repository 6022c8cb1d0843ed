// Draws the charts of loadgate's HTML report from the JSON data in
// #report-data with uPlot, then marks each chart: data-drawn="yes" once
// its canvas has pixels of its series on it. The browser test reads those
// marks (and body's data-drawn count) from the DOM.
(function () {
  "use strict";
  var errors = [];
  function fail(msg) {
    errors.push(msg);
    var el = document.getElementById("report-errors");
    el.hidden = false;
    el.textContent = "Chart errors: " + errors.join("; ");
    document.body.setAttribute("data-errors", String(errors.length));
  }
  window.addEventListener("error", function (e) { fail(String(e.message)); });
  var consoleError = console.error;
  console.error = function () {
    fail(Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };

  var data;
  try {
    data = JSON.parse(document.getElementById("report-data").textContent);
  } catch (e) {
    fail("report data: " + e);
    return;
  }

  // sig3 writes v to 3 significant digits, the whole part kept and
  // trailing zeros dropped, as internal/quantity does for every text of
  // loadgate: "2", "1.5", "12.3", "1995".
  function sig3(v) {
    if (v === 0) return "0";
    var dec = Math.max(0, Math.min(15, 2 - Math.floor(Math.log10(Math.abs(v)))));
    var s = v.toFixed(dec);
    if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s === "-0" ? "0" : s;
  }
  // fmtMs writes a latency in ms as the tables and the command line write
  // durations (Go's time.Duration to 3 digits): "0s", "500µs", "2ms",
  // "1.5s", not "0.00 µs" or "2.00 ms".
  function fmtMs(v) {
    if (v == null) return "—";
    var ns = v * 1e6;
    if (ns === 0) return "0s";
    var units = [[1, "ns"], [1e3, "µs"], [1e6, "ms"], [1e9, "s"]];
    for (var i = units.length - 1; i > 0 && Math.abs(ns) < units[i][0]; i--);
    var s = sig3(ns / units[i][0]);
    // 999.7µs rounds to 1000µs: Go writes 1ms.
    if (Math.abs(parseFloat(s)) >= 1000 && i < units.length - 1) s = sig3(ns / units[++i][0]);
    return s + units[i][1];
  }
  function fmtNum(v) {
    if (v == null) return "—";
    var a = Math.abs(v);
    if (a >= 1e6) return sig3(v / 1e6) + "M";
    if (a >= 1e4) return sig3(v / 1e3) + "k";
    return String(Math.round(v * 100) / 100);
  }
  function nines(x) {
    var q = 100 * (1 - Math.pow(10, -x));
    if (x === 0) return "0%";
    return (Math.round(q * 1000) / 1000) + "%";
  }

  // markers draws stage boundaries, limits and the worst window.
  function markers(spec) {
    return {
      hooks: {
        drawAxes: [function (u) {
          if (!spec.band) return;
          // Inside the plot: a window longer than the run reaches past it.
          var ctx = u.ctx, b = u.bbox;
          var x0 = Math.max(b.left, u.valToPos(spec.band.from, "x", true)), x1 = Math.min(b.left + b.width, u.valToPos(spec.band.to, "x", true));
          ctx.save();
          ctx.fillStyle = "rgba(201, 42, 42, 0.08)";
          ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, pr = window.devicePixelRatio || 1;
          ctx.save();
          ctx.font = (11 * pr) + "px system-ui, sans-serif";
          // uPlot leaves the alignment of the last axis it wrote (the
          // y axis's, right and middle): a label meant to start at x
          // would end there.
          ctx.textAlign = "left";
          ctx.textBaseline = "alphabetic";
          ctx.setLineDash([4 * pr, 4 * pr]);
          (spec.vlines || []).forEach(function (m) {
            var x = u.valToPos(m.at, "x", true);
            ctx.strokeStyle = "#495057";
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
            ctx.fillStyle = "#495057";
            ctx.fillText(m.label, x + 3 * pr, u.bbox.top + 12 * pr);
          });
          (spec.hlines || []).forEach(function (m) {
            var y = u.valToPos(m.at, "y", true);
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
            ctx.strokeStyle = "#c92a2a";
            ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
            ctx.fillStyle = "#c92a2a";
            ctx.textAlign = "right";
            ctx.fillText(m.label, u.bbox.left + u.bbox.width - 4 * pr, y - 4 * pr);
            ctx.textAlign = "left";
          });
          if (spec.band) {
            // Inside the plot, as the band is: a window that starts
            // before the first second or ends at the last would write
            // its label over the axis, or past the edge.
            ctx.fillStyle = "#c92a2a";
            var lo = u.bbox.left + 3 * pr, hi = u.bbox.left + u.bbox.width - 3 * pr;
            var bx = Math.max(lo, u.valToPos(spec.band.from, "x", true) + 3 * pr);
            bx = Math.max(lo, Math.min(bx, hi - ctx.measureText(spec.band.label).width));
            ctx.fillText(spec.band.label, bx, u.bbox.top + u.bbox.height - 6 * pr);
          }
          ctx.restore();
        }]
      }
    };
  }

  // inked counts the pixels of the plot area that the series drew in a
  // colour: not the grid's grey, nor the worst window's faint shade. It is
  // read right after the series are drawn, before the limits' lines.
  function inked(u) {
    var b = u.bbox, img = u.ctx.getImageData(b.left, b.top, Math.max(1, b.width), Math.max(1, b.height)).data, n = 0;
    for (var i = 0; i < img.length; i += 4) {
      var hi = Math.max(img[i], img[i + 1], img[i + 2]), lo = Math.min(img[i], img[i + 1], img[i + 2]);
      if (img[i + 3] > 96 && hi - lo > 40) n++;
    }
    return n;
  }

  // lonely says whether a series has a value that no line reaches: the one
  // second of a run shorter than two, or one between gaps that are not
  // spanned. Such a series shows its points.
  function lonely(y, spans) {
    var n = 0;
    for (var i = 0; i < y.length; i++) {
      if (y[i] == null) continue;
      n++;
      if (!spans && (i === 0 || y[i - 1] == null) && (i === y.length - 1 || y[i + 1] == null)) return true;
    }
    return n === 1;
  }

  function draw(el, spec) {
    var isMs = spec.unit === "ms";
    var yfmt = isMs ? fmtMs : fmtNum;
    var series = [{ label: spec.xunit === "nines" ? "percentile" : "second", value: function (u, v) {
      return v == null ? "—" : spec.xunit === "nines" ? nines(v) : v + " s";
    } }];
    var lines = [spec.x];
    var points = 0;
    spec.series.forEach(function (s) {
      var spans = spec.xunit === "s" && spec.unit !== "ms";
      series.push({ label: s.label, stroke: s.color, width: s.dash ? 1.5 : 2, dash: s.dash ? [6, 4] : undefined,
        spanGaps: spans, points: { show: lonely(s.y, spans), size: 7, fill: s.color }, value: function (u, v) { return yfmt(v); } });
      lines.push(s.y);
      s.y.forEach(function (v) { if (v != null) points++; });
    });
    var axes = [
      { label: spec.xunit === "nines" ? "percentile" : "seconds of the load",
        splits: spec.xunit === "nines" ? function () { return [0, 1, 2, 3, 4, 5]; } : undefined,
        // Whole seconds: the timeline has no others.
        incrs: spec.xunit === "s" ? [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200] : undefined,
        values: spec.xunit === "nines" ? function (u, sp) { return sp.map(nines); } : undefined },
      // A latency's ticks carry their unit (µs, ms, s): no label to
      // contradict them.
      // A logarithmic axis hands its unlabelled splits (2…9 of each
      // decade) as null: they stay unlabelled, not "—".
      { label: isMs ? undefined : spec.unit, size: 70, values: function (u, sp) { return sp.map(function (v) { return v == null ? null : yfmt(v); }); } }
    ];
    var opts = {
      title: spec.title, width: Math.max(320, el.clientWidth || 600), height: 300,
      series: series, axes: axes, plugins: [markers(spec)],
      // A run of one second has one x: centred, rather than at the left
      // edge of an axis uPlot would make 0 to 100.
      scales: { x: spec.x.length === 1 ? { time: false, auto: false, range: [spec.x[0] - 0.5, spec.x[0] + 0.5] } : { time: false }, y: spec.logY ? { distr: 3 } : { range: function (u, lo, hi) {
        var top = hi;
        (spec.hlines || []).forEach(function (m) { top = Math.max(top, m.at * 1.05); });
        return [0, top > 0 ? top * 1.05 : 1];
      } } },
      cursor: { drag: { x: true, y: false } }
    };
    // uPlot draws after the constructor returns (in a microtask): the
    // marks are set once it has, and again on every redraw, from the ink
    // the series left (counted once the last is drawn). The pixels are
    // read until the chart has ink, not on every redraw: Chromium warns on
    // the console of each canvas read back more than once (a resized
    // window redraws every chart).
    var ink = 0;
    opts.hooks = {
      drawSeries: [function (u, i) { if (i === u.series.length - 1 && ink === 0) ink = inked(u); }],
      draw: [function (u) { mark(el, u, points, ink); }]
    };
    return new uPlot(opts, lines, el);
  }

  function mark(el, u, points, px) {
    var ok = points > 0 && px > 0;
    el.setAttribute("data-points", String(points));
    el.setAttribute("data-ink", String(px));
    if (!ok && el.getAttribute("data-drawn") !== "no") fail("chart " + el.id + " drew nothing");
    el.setAttribute("data-drawn", ok ? "yes" : "no");
    var drawn = document.querySelectorAll('[data-drawn="yes"]').length;
    document.body.setAttribute("data-drawn", String(drawn));
    if (String(drawn) === document.body.getAttribute("data-charts") && !document.body.hasAttribute("data-render-ms")) {
      // From the start of navigation to the last chart drawn: what
      // docs/REPORT.md reports as the render time.
      document.body.setAttribute("data-render-ms", String(Math.round(performance.now())));
    }
  }

  var plots = [];
  document.body.setAttribute("data-drawn", "0");
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = data.charts[el.getAttribute("data-chart")];
    if (!spec) { fail("no data for chart " + el.id); return; }
    try {
      plots.push([el, draw(el, spec)]);
    } catch (e) {
      fail("chart " + el.id + ": " + e);
    }
  });
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p[1].setSize({ width: Math.max(320, p[0].clientWidth), height: 300 }); });
  });
})();
