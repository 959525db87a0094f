// The party picker of the edit pages (flows/editing/forms.py PartySearchInput): a text
// input holding a party's slug (or several, comma-separated) becomes a search by name that
// asks the server (/parties/search/?q=) as one types, 20 names at a time. The slug input
// stays in the form, hidden, and holds what was picked; without JavaScript it is typed.
(function () {
  "use strict";

  function slugsOf(text) {
    return (text || "").split(/[,;]/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function setUp(input) {
    if (input.dataset.ready) { return; }
    input.dataset.ready = "1";
    var many = input.dataset.many === "1";
    var url = input.dataset.partySearch;
    var names = {};
    (input.dataset.partyNames || "").split("\n").forEach(function (line) {
      var parts = line.split("\t");
      if (parts[0]) { names[parts[0]] = parts[1] || parts[0]; }
    });
    var chosen = slugsOf(input.value);

    var box = element("div", "party-search");
    var search = element("input");
    search.type = "search";
    search.autocomplete = "off";
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    // The label points at the input's id: the visible search box takes it over.
    search.id = input.id;
    input.id = input.id + "_slug";
    if (input.getAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
    }
    search.placeholder = many ? "Type a name to add a party" : "Type a name";
    var list = element("ul", "party-results");
    list.id = search.id + "_results";
    list.hidden = true;
    search.setAttribute("aria-controls", list.id);
    var status = element("span", "party-status");
    status.setAttribute("aria-live", "polite");
    var chips = element("ul", "party-chosen");
    chips.setAttribute("aria-label", "Chosen parties");

    input.type = "hidden";
    input.parentNode.insertBefore(box, input);
    if (many) { box.appendChild(chips); }
    box.appendChild(search);
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(input);

    function store() { input.value = chosen.join(", "); }

    function drawChips() {
      chips.textContent = "";
      chosen.forEach(function (slug) {
        var chip = element("li", "", names[slug] || slug);
        var remove = element("button", "link remove", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", "Remove " + (names[slug] || slug));
        remove.addEventListener("click", function () {
          chosen = chosen.filter(function (s) { return s !== slug; });
          store();
          drawChips();
          search.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = chosen.length === 0;
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      search.setAttribute("aria-expanded", "false");
    }

    function pick(result) {
      names[result.slug] = result.name;
      if (many) {
        if (chosen.indexOf(result.slug) === -1) { chosen.push(result.slug); }
        search.value = "";
        drawChips();
      } else {
        chosen = [result.slug];
        search.value = result.name;
      }
      store();
      close();
      status.textContent = result.name + " chosen";
      search.focus();
    }

    var timer = null;
    var asked = 0;
    function ask(page) {
      var query = search.value.trim();
      var number = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query) + "&page=" + page, {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) { return response.json(); }).then(function (data) {
        if (number !== asked) { return; }  // a later search answered first, or will
        if (page === 1) { list.textContent = ""; }
        var more = list.querySelector(".more");
        if (more) { more.remove(); }
        data.results.forEach(function (result) {
          var item = element("li");
          var button = element("button", "result", result.name);
          button.type = "button";
          button.setAttribute("role", "option");
          button.appendChild(element("small", "", " " + result.country + " · " + result.relationship));
          button.addEventListener("click", function () { pick(result); });
          item.appendChild(button);
          list.appendChild(item);
        });
        if (data.more) {
          var item = element("li", "more");
          var button = element("button", "link", "More results…");
          button.type = "button";
          button.addEventListener("click", function () { ask(page + 1); });
          item.appendChild(button);
          list.appendChild(item);
        }
        var shown = list.querySelectorAll("button.result").length;
        status.textContent = shown ? shown + (data.more ? "+" : "") + " found" : "No party found";
        list.hidden = shown === 0;
        search.setAttribute("aria-expanded", shown ? "true" : "false");
      }).catch(function () { status.textContent = "The search did not answer; type the slug instead."; });
    }

    search.addEventListener("input", function () {
      if (!many) {
        // What is typed and not picked goes as a slug: the server names it if it is none.
        var typed = search.value.trim();
        chosen = typed ? [typed] : [];
        store();
      }
      clearTimeout(timer);
      if (!search.value.trim()) { close(); status.textContent = ""; return; }
      timer = setTimeout(function () { ask(1); }, 200);
    });
    search.addEventListener("keydown", function (event) {
      var first = list.querySelector("button.result");
      if (event.key === "Enter") {
        event.preventDefault();  // never submit the form from the search box
        if (first && !list.hidden) { first.click(); }
      } else if (event.key === "ArrowDown" && first && !list.hidden) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < buttons.length - 1) {
        event.preventDefault();
        buttons[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at > 0) { buttons[at - 1].focus(); } else { search.focus(); }
      } else if (event.key === "Escape") {
        close();
        search.focus();
      }
    });

    if (many) {
      drawChips();
    } else if (chosen.length) {
      search.value = names[chosen[0]] || chosen[0];
    }
  }

  function setUpAll() { document.querySelectorAll("input[data-party-search]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
