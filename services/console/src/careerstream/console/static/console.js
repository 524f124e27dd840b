// careerstream console: draws the career path graph (Cytoscape.js + dagre) and the metrics
// charts (Chart.js) from the JSON in their elements' data attributes. Loaded from the console's own origin;
// nothing here is required to read a page (every figure is also a table).
(function () {
  "use strict";

  // Each graph and chart carries its data as JSON in a data attribute (htmx drops <script>
  // blocks from swapped content, and the Content-Security-Policy allows no inline script).
  function data(el, name) {
    return el && el.dataset[name] ? JSON.parse(el.dataset[name]) : null;
  }

  function drawGraph() {
    var box = document.getElementById("path-graph");
    var g = data(box, "graph");
    if (!box || !g || typeof cytoscape === "undefined" || box.dataset.drawn) return;
    if (typeof cytoscapeDagre !== "undefined") cytoscape.use(cytoscapeDagre);
    var elements = g.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, kind: n.kind } };
    }).concat(g.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind } };
    }));
    var cy = cytoscape({
      container: box,
      elements: elements,
      autoungrabify: true,
      userZoomingEnabled: false,
      style: [
        { selector: "node", style: { label: "data(label)", "text-valign": "center", "text-halign": "center",
          "background-color": "#e8eef7", "border-color": "#4a5b78", "border-width": 1, shape: "round-rectangle",
          width: "label", height: 28, padding: "8px", "font-size": 12, color: "#1b2330", "text-wrap": "wrap" } },
        { selector: "node[kind = 'current']", style: { "border-width": 3, "border-color": "#0b5cad", "background-color": "#cfe3fa" } },
        { selector: "node[kind = 'target']", style: { "border-width": 3, "border-color": "#7a3e00", "border-style": "dashed" } },
        { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1.5,
          "line-color": "#7a8699", "target-arrow-color": "#7a8699" } },
        { selector: "edge[kind = 'lateral']", style: { "line-style": "dashed" } }
      ],
      layout: { name: typeof cytoscapeDagre !== "undefined" ? "dagre" : "breadthfirst", rankDir: "BT", nodeSep: 30, rankSep: 50 }
    });
    box.dataset.drawn = "true";
    box.dataset.nodes = String(cy.nodes().length);
    box.dataset.edges = String(cy.edges().length);
  }

  var palette = ["#0b5cad", "#b34700", "#2a7d2a", "#7b3fa0", "#8a6d00"];

  function drawCharts() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var d = data(canvas, "chart");
      if (!d) return;
      var bar = canvas.id === "fairness-chart";
      new Chart(canvas, {
        type: bar ? "bar" : "line",
        data: {
          labels: d.labels,
          datasets: d.series.map(function (s, i) {
            return { label: s.label, data: s.values, borderColor: palette[i % palette.length],
              backgroundColor: palette[i % palette.length], spanGaps: false };
          })
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, ticks: { format: { style: "percent" } } } } }
      });
      canvas.dataset.drawn = "true";
      canvas.dataset.series = String(d.series.length);
      canvas.dataset.points = String(d.labels.length);
    });
  }

  function draw() { drawGraph(); drawCharts(); }
  // htmx.onLoad runs for the first page and for every piece of content htmx swaps in
  // (a boosted link replaces the body, so its page's graph or charts must be drawn then).
  if (typeof htmx !== "undefined") htmx.onLoad(function () { draw(); });
  else document.addEventListener("DOMContentLoaded", draw);
})();
