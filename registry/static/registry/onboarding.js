// Onboarding forms: a search box that filters the category checkboxes. Without JavaScript
// the box stays hidden and every checkbox is shown.
(function () {
  "use strict";
  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-for"));
    var count = document.querySelector('[data-count-for="' + input.getAttribute("data-filter-for") + '"]');
    if (!list) { return; }
    input.closest(".picker-search").hidden = false;
    function apply() {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        var row = box.closest("div") || box.parentNode;
        var text = (row.textContent || "").toLowerCase();
        var visible = !query || text.indexOf(query) !== -1 || box.checked;
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (count) { count.textContent = query ? shown + " shown" : ""; }
    }
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // never submit the form
    });
  });
})();
