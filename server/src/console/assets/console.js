// Homeward console: single-key shortcuts (documented on /console/help).
// Everything works without this file; it only moves focus. Keys are off
// while typing in a field, and with Ctrl, Alt or Meta held.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("table[data-rows] tbody tr")); };
  var current = -1;
  function select(i) {
    var r = rows();
    if (!r.length) { return; }
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    var link = r[current].querySelector("a");
    if (link) { link.focus(); }
  }
  function focusDecision(key) {
    var b = document.querySelector("button[data-key='" + key + "']");
    if (!b) { return false; }
    var form = b.closest("form");
    var field = form && form.querySelector("textarea, input[type=number], input[type=text]");
    (field || b).focus();
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }
    if (typing(e)) { return; }
    var k = e.key;
    if (k === "j") { select(current + 1); e.preventDefault(); }
    else if (k === "k") { select(current - 1); e.preventDefault(); }
    else if (k === "o" && current >= 0) { var a = rows()[current].querySelector("a"); if (a) { a.click(); } }
    else if (k === "/") { var f = document.querySelector(".filters select, .filters input"); if (f) { f.focus(); e.preventDefault(); } }
    else if (k === "?") { window.location.href = "/console/help"; }
    else if (k === "n") { var q = document.getElementById("next-case"); if (q) { q.click(); } }
    else if ("vmarx".indexOf(k) >= 0 && k.length === 1) { if (focusDecision(k)) { e.preventDefault(); } }
  });
})();
