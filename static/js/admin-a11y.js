// Django's two-box filter widget (admin/js/SelectFilter2.js, used by filter_horizontal) names its
// search icons with aria-label on a plain <span>, where ARIA does not allow a name (axe-core:
// aria-prohibited-attr), so screen readers may skip the label of the search box. The widget is
// built on the window's load event; afterwards, give each icon role="img" so its name counts.
window.addEventListener("load", function () {
  "use strict";
  window.setTimeout(function () {
    document.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }, 0);
});
