// mhhsarch review site: search over the prebuilt index, sortable and filterable tables.
// Plain JavaScript, no network: the index is a script (window.MHHS_SEARCH_INDEX), so it works from file://.
(function () {
  "use strict";
  var box = document.getElementById("search-box");
  var results = document.getElementById("search-results");
  var index = window.MHHS_SEARCH_INDEX || [];
  var root = results ? results.getAttribute("data-root") : "";
  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    return index.filter(function (entry) {
      var hay = (entry.id + " " + entry.name + " " + entry.text).toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    }).slice(0, 50);
  }
  if (box) {
    box.addEventListener("input", function () {
      results.textContent = "";
      search(box.value).forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + entry.href;
        link.textContent = entry.id + " " + entry.name;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" (" + entry.kind + ")"));
        results.appendChild(item);
      });
    });
  }
  function cellText(row, column) { return (row.cells[column] && row.cells[column].textContent) || ""; }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, column) {
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellText(a, column), y = cellText(b, column);
          var order = x.localeCompare(y, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var wanted = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = wanted !== "" && row.textContent.toLowerCase().indexOf(wanted) < 0;
      });
    });
  });
})();
