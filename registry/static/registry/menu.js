// The navigation's "Menu" button (templates/base.html): the menu is served open, so that it
// works without JavaScript; on a phone it starts closed, below the page's own content, and on
// a wide screen (where the button is hidden) it is always open. Loaded without `defer`, right
// after the menu, so that a phone never paints the open menu first.
(function () {
  "use strict";
  var menu = document.getElementById("menu");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 760px)");
  menu.classList.add("enhanced");  // site.css: on a phone the menu may now drop over the page
  function fit() { menu.open = !phone.matches; }
  fit();
  phone.addEventListener("change", fit);
  // Escape closes the open menu on a phone and gives the focus back to its button.
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && phone.matches && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
