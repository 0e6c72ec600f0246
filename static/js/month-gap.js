// The monthly page (按月填报): as a reporter types a value, the row shows its gap to the expected
// progress (序时进度) in percentage points, as the progress pages compute it (targets/rules.py):
// completion = (value − baseline) / (goal − baseline) × 100, or 100/0 when goal = baseline
// (met or not); gap = completion − expected. The row carries baseline, goal, direction and the
// expected share in data-* attributes. Without this script the gap of the stored value is shown.
(function () {
  "use strict";
  var FULL_WIDTH = /[\uFF01-\uFF5E]/g;

  function parse(text) {
    var folded = text.replace(FULL_WIDTH, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/\u2212/g, "-").trim();
    if (!/^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?$/.test(folded) || !/[0-9]/.test(folded)) {
      return null;
    }
    return parseFloat(folded.replace(/,/g, ""));
  }

  function gap(row, value) {
    var baseline = parseFloat(row.dataset.baseline);
    var goal = parseFloat(row.dataset.goal);
    var expected = parseFloat(row.dataset.expected);
    var completion;
    if (goal === baseline) {
      var met = row.dataset.direction === "lte" ? value <= goal : value >= goal;
      completion = met ? 100 : 0;
    } else {
      completion = (value - baseline) * 100 / (goal - baseline);
    }
    return completion - expected;
  }

  function show(row, input, output) {
    var value = parse(input.value);
    if (value === null) {
      output.textContent = "—";
      return;
    }
    var points = gap(row, value);
    var text = points.toFixed(1);
    output.textContent = (text.charAt(0) === "-" ? "" : "+") + text;
  }

  function start() {
    document.querySelectorAll("tr[data-expected]").forEach(function (row) {
      var input = row.querySelector("input.month-value");
      var output = row.querySelector("output.gap-value");
      if (!input || !output) return;
      input.addEventListener("input", function () { show(row, input, output); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
