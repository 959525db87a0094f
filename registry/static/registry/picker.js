// Searchable pickers (registry/web/pickers.py): a search box that filters a list of
// checkboxes or radio buttons as one types. A chosen item stays shown whatever the search.
// Without JavaScript the box stays hidden and every choice is shown.
(function () {
  "use strict";
  function setUp(input) {
    var list = document.getElementById(input.getAttribute("data-filter-for"));
    var count = document.querySelector('[data-count-for="' + input.getAttribute("data-filter-for") + '"]');
    if (!list || input.dataset.ready) { return; }
    input.dataset.ready = "1";
    input.closest(".picker-search").hidden = false;
    function apply() {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      var chosen = 0;
      list.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (box) {
        var row = box.closest("div") || box.parentNode;
        var text = (row.textContent || "").toLowerCase();
        var visible = !query || text.indexOf(query) !== -1 || box.checked;
        row.hidden = !visible;
        if (visible) { shown += 1; }
        if (box.checked) { chosen += 1; }
      });
      var parts = [];
      if (query) { parts.push(shown + " shown"); }
      if (chosen) { parts.push(chosen + " chosen"); }
      if (count) { count.textContent = parts.join(", "); }
    }
    input.addEventListener("input", apply);
    list.addEventListener("change", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // never submit the form
    });
    apply();
  }
  function setUpAll() { document.querySelectorAll("[data-filter-for]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
