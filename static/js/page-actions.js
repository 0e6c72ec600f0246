// Small page behaviours declared in the markup instead of inline event handlers (which the
// Content-Security-Policy forbids): <select data-autosubmit> submits its form when changed,
// <button data-print> opens the print dialog.
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
