// Pan and zoom for the data-flow diagrams. The SVG sits in a box of its own that scrolls
// (touch and trackpads pan it natively); this adds zoom buttons, Ctrl + wheel (a trackpad's
// pinch sends the same), + and - keys, and dragging with the mouse. A large diagram opens at a
// readable scale rather than shrunk to the width of a phone. Without JavaScript the diagram
// shows at its natural size, scrolling in its box.
(function () {
  "use strict";
  var READABLE = 0.7;  // below this, node names drop under about 10 px: never start smaller
  var MIN = 0.1;
  var MAX = 3;
  var STEP = 1.25;

  function setUp(frame) {
    if (frame.getAttribute("data-ready")) { return; }
    var box = frame.querySelector(".diagram");
    var svg = box && box.querySelector("svg");
    var controls = frame.querySelector(".diagram-controls");
    if (!svg || !controls) { return; }
    frame.setAttribute("data-ready", "1");
    var view = svg.viewBox && svg.viewBox.baseVal;
    // dot writes sizes in points: 1 pt is 4/3 CSS px.
    var width = (view && view.width ? view.width : svg.getBBox().width) * 4 / 3;
    var height = (view && view.height ? view.height : svg.getBBox().height) * 4 / 3;
    var label = controls.querySelector(".diagram-scale");
    var scale = 1;

    function room() { return Math.max(box.clientWidth - 16, 100); }

    function apply(next, anchorX, anchorY) {
      next = Math.min(MAX, Math.max(MIN, next));
      // Keep the point under the cursor (or the centre) where it is.
      var x = anchorX === undefined ? box.clientWidth / 2 : anchorX;
      var y = anchorY === undefined ? box.clientHeight / 2 : anchorY;
      var fx = (box.scrollLeft + x) / scale;
      var fy = (box.scrollTop + y) / scale;
      scale = next;
      svg.style.width = Math.round(width * scale) + "px";
      svg.style.height = Math.round(height * scale) + "px";
      box.scrollLeft = fx * scale - x;
      box.scrollTop = fy * scale - y;
      label.textContent = Math.round(scale * 100) + "%";
      frame.setAttribute("data-scale", scale.toFixed(3));
    }

    function fit() { return Math.min(1, room() / width); }

    controls.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button) { return; }
      var action = button.getAttribute("data-zoom");
      if (action === "in") { apply(scale * STEP); }
      else if (action === "out") { apply(scale / STEP); }
      else if (action === "fit") { apply(fit()); box.scrollLeft = 0; box.scrollTop = 0; }
      else { apply(1); }
    });

    box.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) { return; }  // a plain wheel scrolls the page
      event.preventDefault();
      var rect = box.getBoundingClientRect();
      var factor = Math.exp(-event.deltaY / 300);
      apply(scale * factor, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });

    box.addEventListener("keydown", function (event) {
      if (event.key === "+" || event.key === "=") { apply(scale * STEP); event.preventDefault(); }
      if (event.key === "-") { apply(scale / STEP); event.preventDefault(); }
    });

    // Drag to pan with a mouse; touch pans natively, and a click on a link still follows it.
    var drag = null;
    box.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "mouse" || event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, left: box.scrollLeft, top: box.scrollTop,
               moved: false };
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x;
      var dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
      drag.moved = true;
      box.classList.add("dragging");
      box.scrollLeft = drag.left - dx;
      box.scrollTop = drag.top - dy;
    });
    window.addEventListener("pointerup", function () {
      if (drag && drag.moved) {
        // The click that ends a drag must not open the party or flow it ends on.
        var stop = function (event) { event.preventDefault(); event.stopPropagation(); };
        box.addEventListener("click", stop, true);
        window.setTimeout(function () { box.removeEventListener("click", stop, true); }, 0);
      }
      drag = null;
      box.classList.remove("dragging");
    });

    svg.removeAttribute("width");
    svg.removeAttribute("height");
    controls.hidden = false;
    apply(Math.max(fit(), Math.min(1, READABLE)));
    box.scrollLeft = 0;
    box.scrollTop = 0;
  }

  function all() {
    var frames = document.querySelectorAll("[data-diagram]");
    for (var i = 0; i < frames.length; i++) { setUp(frames[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
