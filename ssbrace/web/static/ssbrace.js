// ssbrace: table sorting and the highlighted claim on a document page. Pages work without it.
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }

  function sortTable(table, index, numeric, ascending) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (numeric) {
        var nx = x === "" ? NaN : parseFloat(x), ny = y === "" ? NaN : parseFloat(y);
        // Empty cells sink to the bottom whichever way the column is sorted.
        if (isNaN(nx) && isNaN(ny)) return 0;
        if (isNaN(nx)) return 1;
        if (isNaN(ny)) return -1;
        return ascending ? nx - ny : ny - nx;
      }
      var order = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "columnheader button");
      function activate() {
        var numeric = th.getAttribute("data-type") === "num";
        var ascending = th.getAttribute("aria-sort") === "descending" || (!th.hasAttribute("aria-sort") && !numeric);
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortTable(table, index, numeric, ascending);
      }
      th.addEventListener("click", activate);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); } });
    });
  }

  function highlightTarget() {
    var match = /^#claim-(\d+)$/.exec(window.location.hash);
    var marks = document.querySelectorAll(".doctext mark");
    Array.prototype.forEach.call(marks, function (m) { m.classList.remove("current"); });
    if (!match) return;
    var id = match[1], first = null;
    Array.prototype.forEach.call(marks, function (m) {
      if ((" " + m.getAttribute("data-claims") + " ").indexOf(" " + id + " ") >= 0) {
        m.classList.add("current");
        if (!first) first = m;
      }
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    highlightTarget();
    window.addEventListener("hashchange", highlightTarget);
  });
})();
