/* Progressive enhancement only: filters, search and "copy". Every page works without it. */
(function () {
  "use strict";

  function setUpFilters(form) {
    var scope = form.closest("main") || document;
    var items = scope.querySelectorAll("[data-kind][data-importance]");
    var status = form.querySelector(".filter-status");

    function checked(name) {
      return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
    }
    function apply() {
      var kinds = form.querySelector('input[name="kind"]') ? checked("kind") : null;
      var levels = checked("importance");
      var select = form.querySelector('select[name="topic"]');
      var topic = select ? select.value : "";
      var shown = 0, total = 0;
      Array.prototype.forEach.call(items, function (el) {
        var ok = (!kinds || kinds.indexOf(el.dataset.kind) >= 0) &&
          levels.indexOf(el.dataset.importance) >= 0 &&
          (!topic || (" " + el.dataset.topics + " ").indexOf(" " + topic + " ") >= 0);
        el.classList.toggle("is-filtered", !ok);
        if (el.classList.contains("card") || el.closest(".dots")) { total += 1; if (ok) shown += 1; }
        if (el.tagName.toLowerCase() === "a" && el.closest("svg")) {
          if (ok) el.removeAttribute("tabindex"); else el.setAttribute("tabindex", "-1");
        }
      });
      Array.prototype.forEach.call(scope.querySelectorAll(".month, .year-group"), function (section) {
        section.classList.toggle("is-empty", !section.querySelector(".card:not(.is-filtered)"));
      });
      status.textContent = shown === total ? "" : "Showing " + shown + " of " + total + " events.";
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  var index = null;
  function loadIndex(url) {
    if (!index) {
      index = fetch(url).then(function (r) { return r.json(); });
    }
    return index;
  }

  function normalize(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function score(row, terms) {
    var title = normalize(row.t + " " + row.l), people = normalize(row.a + " " + row.o), rest = normalize(row.s);
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (title.indexOf(t) >= 0) total += 10;
      else if (people.indexOf(t) >= 0) total += 5;
      else if (rest.indexOf(t) >= 0) total += 2;
      else return 0;
    }
    return total;
  }

  function search(rows, query) {
    var terms = normalize(query).split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    return rows.map(function (row) { return { row: row, s: score(row, terms) }; })
      .filter(function (r) { return r.s > 0; })
      .sort(function (a, b) { return b.s - a.s; })
      .slice(0, 12)
      .map(function (r) { return r.row; });
  }

  function showResults(box, rows, query) {
    box.textContent = "";
    if (!query.trim()) return;
    if (!rows.length) {
      var p = document.createElement("p");
      p.textContent = "No events match \u201c" + query + "\u201d.";
      box.appendChild(p);
      return;
    }
    var ul = document.createElement("ul");
    rows.forEach(function (row) {
      var li = document.createElement("li"), a = document.createElement("a"), meta = document.createElement("span");
      a.href = row.u;
      a.textContent = row.t;
      meta.className = "meta";
      meta.textContent = row.y + " \u00b7 " + row.k + (row.a ? " \u00b7 " + row.a.split("; ").slice(0, 3).join(", ") : "");
      a.appendChild(meta);
      li.appendChild(a);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function setUpSearch(form) {
    var input = form.querySelector("input[type=search]");
    var box = form.querySelector(".search-results");
    function run() {
      loadIndex(form.dataset.index).then(function (rows) { showResults(box, search(rows, input.value), input.value); });
    }
    input.addEventListener("focus", function () { loadIndex(form.dataset.index); });
    input.addEventListener("input", run);
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    form.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; box.textContent = ""; input.focus(); }
      if (e.key === "ArrowDown") {
        var links = box.querySelectorAll("a"), i = Array.prototype.indexOf.call(links, document.activeElement);
        if (links.length) { e.preventDefault(); links[Math.min(i + 1, links.length - 1)].focus(); }
      }
      if (e.key === "ArrowUp") {
        var all = box.querySelectorAll("a"), j = Array.prototype.indexOf.call(all, document.activeElement);
        if (j > 0) { e.preventDefault(); all[j - 1].focus(); } else if (j === 0) { e.preventDefault(); input.focus(); }
      }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q && form.classList.contains("search-page")) { input.value = q; run(); }
  }

  function setUpCopy(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () { button.textContent = "Copied"; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.filters"), setUpFilters);
    Array.prototype.forEach.call(document.querySelectorAll("form.search, form.search-page"), setUpSearch);
    Array.prototype.forEach.call(document.querySelectorAll("button.copy"), setUpCopy);
  });
})();
