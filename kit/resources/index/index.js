// index.html: progressive enhancement of the accounts table rendered above it.  Headings
// become <button>s (with aria-sort on the sorted column), the filter form is shown and
// rows are hidden/reordered in place.  Nothing is fetched; inlined into the page, so it
// must never contain the characters that close a script element.
(function () {
  "use strict";
  var table = document.getElementById("accounts");
  var form = document.getElementById("filters");
  if (!table || !form || !table.tHead || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = document.getElementById("f-text");
  var category = document.getElementById("f-category");
  var quadrant = document.getElementById("f-quadrant");
  var shownN = document.getElementById("shown-n");
  // industry, region and account manager: filters without a column, read from the row
  var segments = Array.prototype.slice.call(form.querySelectorAll("select[data-segment]"));
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function col(key) {
    for (var i = 0; i < heads.length; i++) if (heads[i].getAttribute("data-key") === key) return i;
    return -1;
  }
  function cellValue(tr, key) {
    var c = tr.cells[col(key)];
    return c ? (c.hasAttribute("data-value") ? c.getAttribute("data-value") : c.textContent) : "";
  }
  var items = Array.prototype.slice.call(body.rows).map(function (tr, i) {
    return {
      tr: tr, order: i,
      search: ["name", "id", "category", "quadrant"].map(function (k) {
        var c = tr.cells[col(k)];
        return c ? c.textContent : "";
      }).join("\n").toLowerCase(),
      category: cellValue(tr, "category"),
      quadrant: cellValue(tr, "quadrant")
    };
  });

  // --- filter -------------------------------------------------------------------------
  function applyFilter() {
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cat = category.value, quad = quadrant.value, n = 0;
    items.forEach(function (it) {
      var ok = terms.every(function (t) { return it.search.indexOf(t) !== -1; }) &&
        (!cat || it.category === cat) && (!quad || it.quadrant === quad) &&
        segments.every(function (sel) {
          return !sel.value || it.tr.getAttribute("data-" + sel.getAttribute("data-segment")) === sel.value;
        });
      it.tr.hidden = !ok;
      if (ok) n++;
    });
    shownN.textContent = String(n);
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("input", applyFilter);
  form.addEventListener("change", applyFilter);
  form.addEventListener("reset", function () { setTimeout(applyFilter, 0); });

  // --- sort ---------------------------------------------------------------------------
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
    var keyed = items.map(function (it) { return { it: it, k: key(it.tr, i, numeric) }; });
    keyed.sort(function (a, b) {
      if (a.k === null || b.k === null) {  // missing values last, whatever the direction
        if (a.k !== b.k) return a.k === null ? 1 : -1;
      } else {
        var d = numeric ? a.k - b.k : collator.compare(a.k, b.k);
        if (d) return d * sortDir;
      }
      return a.it.order - b.it.order;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (x) { frag.appendChild(x.it.tr); });
    body.appendChild(frag);
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
    applyFilter();
  }
  window.addEventListener("hashchange", fromHash);

  form.hidden = false;
  applyFilter();  // a browser may restore the form's values on reload
  fromHash();
})();
