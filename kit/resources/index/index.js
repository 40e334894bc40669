// index.html: progressive enhancement of the accounts table rendered above it.  Headings
// become <button>s (with aria-sort on the sorted column) and the filter form is shown.
// Sorting and filtering work on every account, held here; the table shows the first PAGE
// matching rows and a "Show more" bar below it, so that a portfolio of thousands of
// accounts sorts and filters at once (the browser lays out a few hundred rows, not all of
// them).  Without the script the page is the plain table with every account.  Nothing is
// fetched; inlined into the page, so it must never contain the characters that close a
// script element.
(function () {
  "use strict";
  var PAGE = 200;  // rows shown at once; "Show more" adds as many again
  var table = document.getElementById("accounts");
  var form = document.getElementById("filters");
  if (!table || !form || !table.tHead || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = document.getElementById("f-text");
  var category = document.getElementById("f-category");
  var quadrant = document.getElementById("f-quadrant");
  var shown = document.getElementById("shown");
  var more = document.getElementById("more");
  var moreText = document.getElementById("more-text");
  var showMore = document.getElementById("show-more");
  var showAll = document.getElementById("show-all");
  // industry, region and account manager: filters without a column, read from the row
  var segments = Array.prototype.slice.call(form.querySelectorAll("select[data-segment]"));
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var number = new Intl.NumberFormat("en-US");

  function col(key) {
    for (var i = 0; i < heads.length; i++) if (heads[i].getAttribute("data-key") === key) return i;
    return -1;
  }
  function cellValue(tr, key) {
    var c = tr.cells[col(key)];
    return c ? (c.hasAttribute("data-value") ? c.getAttribute("data-value") : c.textContent) : "";
  }
  // every account, read once from the rows: the table is drawn from this list
  var items = Array.prototype.slice.call(body.rows).map(function (tr, i) {
    var segs = {};
    segments.forEach(function (sel) {
      var k = sel.getAttribute("data-segment");
      segs[k] = tr.getAttribute("data-" + k);
    });
    return {
      tr: tr, order: i, match: true, keys: {}, segments: segs,
      search: ["name", "id", "category", "quadrant"].map(function (k) {
        var c = tr.cells[col(k)];
        return c ? c.textContent : "";
      }).join("\n").toLowerCase(),
      category: cellValue(tr, "category"),
      quadrant: cellValue(tr, "quadrant")
    };
  });
  // a small table filters at each keystroke; a large one once the typing pauses
  var DELAY = items.length > PAGE ? 150 : 0;
  var matches = items, limit = PAGE;

  // --- draw: the first `limit` matching rows, in the current order ------------------------
  function span(id, value) {
    var s = document.createElement("span");
    s.id = id;
    s.textContent = value;
    return s;
  }
  function draw() {
    var n = Math.min(limit, matches.length), frag = document.createDocumentFragment();
    for (var i = 0; i < n; i++) frag.appendChild(matches[i].tr);
    body.textContent = "";  // the other rows leave the page (kept in `items`)
    body.appendChild(frag);
    var m = matches.length, all = items.length, filtered = m !== all;
    shown.textContent = "";
    if (n === m) {
      shown.append(span("shown-n", number.format(m)), " of " + number.format(all) + " accounts shown");
    } else {
      shown.append("Showing ", span("page-n", number.format(n)), " of ", span("shown-n", number.format(m)),
                   (filtered ? " matching accounts (of " + number.format(all) + ")" : " accounts") +
                   "; sorting and filtering cover them all");
    }
    more.hidden = n === m;
    if (n < m) {
      var next = Math.min(PAGE, m - n);
      moreText.textContent = "Showing " + number.format(n) + " of " + number.format(m) +
        (filtered ? " matching accounts." : " accounts.");
      showMore.textContent = "Show " + number.format(next) + " more";
      showAll.textContent = "Show all " + number.format(m);
      showAll.hidden = next === m - n;  // the next page is the last: one button says it
    }
  }

  // --- filter -------------------------------------------------------------------------
  function applyFilter() {
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cat = category.value, quad = quadrant.value;
    var active = segments.filter(function (sel) { return sel.value; }).map(function (sel) {
      return { key: sel.getAttribute("data-segment"), value: sel.value };
    });
    matches = items.filter(function (it) {
      it.match = terms.every(function (t) { return it.search.indexOf(t) !== -1; }) &&
        (!cat || it.category === cat) && (!quad || it.quadrant === quad) &&
        active.every(function (s) { return it.segments[s.key] === s.value; });
      return it.match;
    });
    limit = PAGE;  // a new selection starts at its first rows
    draw();
  }
  var timer = null;
  function filterNow() {
    clearTimeout(timer);
    timer = null;
    applyFilter();
  }
  function filterSoon() {
    if (!DELAY) return filterNow();
    clearTimeout(timer);
    timer = setTimeout(filterNow, DELAY);
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); filterNow(); });
  form.addEventListener("input", function (e) { if (e.target === text) filterSoon(); });
  form.addEventListener("change", function (e) { if (e.target !== text || timer !== null) filterNow(); });
  form.addEventListener("reset", function () { setTimeout(filterNow, 0); });
  showMore.addEventListener("click", function () { limit += PAGE; draw(); });
  showAll.addEventListener("click", function () { limit = Infinity; draw(); });
  // a printout lists every matching account, as the page without the script does
  var screenLimit = null;
  window.addEventListener("beforeprint", function () {
    if (limit >= matches.length) return;
    screenLimit = limit;
    limit = Infinity;
    draw();
  });
  window.addEventListener("afterprint", function () {
    if (screenLimit === null) return;
    limit = screenLimit;
    screenLimit = null;
    draw();
  });

  // --- sort: every account, not only the rows shown -------------------------------------
  var sortCol = -1, sortDir = 1;
  function key(tr, i, numeric) {
    var c = tr.cells[i];
    if (!c) return null;
    var raw = (c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent).trim();
    if (numeric) {
      var x = parseFloat(raw);
      return raw === "" || isNaN(x) ? null : x;
    }
    return raw === "" || raw === "\u2014" ? null : raw;
  }
  function sortBy(i) {
    sortDir = sortCol === i ? -sortDir : 1;
    sortCol = i;
    var numeric = heads[i].getAttribute("data-type") === "num";
    items.forEach(function (it) { if (!(i in it.keys)) it.keys[i] = key(it.tr, i, numeric); });
    items.sort(function (a, b) {
      var x = a.keys[i], y = b.keys[i];
      if (x === null || y === null) {  // missing values last, whatever the direction
        if (x !== y) return x === null ? 1 : -1;
      } else {
        var d = numeric ? x - y : collator.compare(x, y);
        if (d) return d * sortDir;
      }
      return a.order - b.order;
    });
    matches = items.filter(function (it) { return it.match; });
    draw();  // as many rows as were shown, now the first of the new order
    heads.forEach(function (th, j) {
      var arrow = th.querySelector(".arrow");
      if (j === i) {
        th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        if (arrow) arrow.textContent = sortDir > 0 ? "\u25B2" : "\u25BC";
      } else {
        th.removeAttribute("aria-sort");
        if (arrow) arrow.textContent = "\u2195";
      }
    });
  }
  heads.forEach(function (th, i) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    var arrow = document.createElement("span");
    arrow.className = "arrow";
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "\u2195";
    button.appendChild(arrow);
    button.addEventListener("click", function () { sortBy(i); });
    th.appendChild(button);
  });

  // --- links into the page: index.html#industry=Retail (the portfolio report's segments) --
  function fromHash() {
    var fields = { q: text, category: category, quadrant: quadrant };
    segments.forEach(function (sel) { fields[sel.getAttribute("data-segment")] = sel; });
    var pairs = location.hash.replace(/^#/, "").split("&").filter(Boolean);
    if (!pairs.length) return;
    form.reset();
    pairs.forEach(function (pair) {
      var at = pair.indexOf("="), name = at < 0 ? pair : pair.slice(0, at);
      var value = at < 0 ? "" : pair.slice(at + 1);
      try { value = decodeURIComponent(value.replace(/\+/g, " ")); } catch (e) { return; }
      var field = fields[name];
      if (!field) return;
      if (field.tagName === "SELECT") {
        var known = Array.prototype.some.call(field.options, function (o) { return o.value === value; });
        if (known) field.value = value;
      } else {
        field.value = value;
      }
    });
    filterNow();
  }
  window.addEventListener("hashchange", fromHash);

  form.hidden = false;
  applyFilter();  // a browser may restore the form's values on reload
  fromHash();
})();
