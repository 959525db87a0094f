// A running job's page: fetch the page again every 2 seconds and swap in the job's state,
// until the job is done or has failed. Without JavaScript a meta refresh reloads the page.
(function () {
  "use strict";
  var state = document.querySelector("[data-job-state]");
  var EVERY = 2000;
  function finished(element) {
    var status = element.getAttribute("data-job-state");
    return status === "done" || status === "failed";
  }
  if (!state || finished(state)) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-job-state]");
        if (!fresh) { return; }
        state.replaceWith(fresh);
        state = fresh;
        if (!finished(state)) { window.setTimeout(poll, EVERY); }
      })
      .catch(function () { window.setTimeout(poll, EVERY); });  // a blip: try again
  }
  window.setTimeout(poll, EVERY);
})();
