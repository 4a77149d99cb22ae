// Light enhancement only: every page works without this file.
// "/" moves to the search box; on a narrow screen the filters start folded.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia("(max-width: 48rem)").matches) {
      filters.open = false;
    }
  });
})();
