// Draws the page's plotly charts. Each chart (common/plotting.py) is an empty
// <div class="plotly-graph-div" data-figure="ID"> and a <script type="application/json" id="ID">
// data block holding {data, layout, config}; a data block is never executed, so the
// Content-Security-Policy can forbid inline script. Needs plotly.min.js loaded before it.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(function (div) {
      var block = document.getElementById(div.getAttribute("data-figure"));
      if (!block) return;
      var figure = JSON.parse(block.textContent);
      window.Plotly.newPlot(div, figure.data, figure.layout, figure.config);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
