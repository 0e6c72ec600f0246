// Tables and fixed-size charts sit in scroll boxes (.table-scroll, role="region", tabindex="0" in
// the markup) so that on a phone they scroll inside the box and the page never scrolls sideways.
// A keyboard user reaches a box with Tab to scroll it; a box whose content fits needs no tab stop,
// so it is taken out of the tab order, and put back when the box becomes too narrow (a window
// turned, a folded <details> opened). Without this script every box simply stays focusable.
(function () {
  "use strict";
  function update(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else if (document.activeElement !== box) {
      box.removeAttribute("tabindex");
    }
  }
  function start() {
    var boxes = document.querySelectorAll(".table-scroll[role=region]");
    if (!("ResizeObserver" in window)) return;
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target); });
    });
    boxes.forEach(function (box) {
      update(box);
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
