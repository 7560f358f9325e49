// Reviewer page behaviour: click a finding -> scroll to and focus its evidence; j/k and arrow keys
// move between findings; severity filter. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function findings() {
    return Array.prototype.slice.call(document.querySelectorAll("#findings .finding"))
      .filter(function (el) { return !el.hidden; });
  }

  function marksFor(id) {
    return Array.prototype.slice.call(document.querySelectorAll("#contract-text mark.ev"))
      .filter(function (m) { return (m.dataset.findings || "").split(" ").indexOf(id) >= 0; });
  }

  function select(item, opts) {
    opts = opts || {};
    document.querySelectorAll("#findings .finding.selected").forEach(function (el) { el.classList.remove("selected"); });
    document.querySelectorAll("#contract-text mark.active").forEach(function (el) { el.classList.remove("active"); });
    if (!item) { return; }
    item.classList.add("selected");
    var id = item.dataset.findingId;
    var marks = marksFor(id);
    marks.forEach(function (m) { m.classList.add("active"); });
    if (opts.focusItem) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
    if (marks.length && opts.toEvidence !== false) {
      marks[0].scrollIntoView({ block: "center" });
      if (opts.focusEvidence) { marks[0].focus({ preventScroll: true }); }
    }
    if (history.replaceState) { history.replaceState(null, "", "#finding-" + id); }
  }

  function setup() {
    var list = document.getElementById("findings");
    if (!list) { return; }

    list.addEventListener("click", function (ev) {
      var target = ev.target;
      if (target.closest("form, details, a, input, select, textarea")) { return; }
      var item = target.closest(".finding");
      if (!item) { return; }
      select(item, { focusEvidence: true });
    });

    document.getElementById("contract-text").addEventListener("click", function (ev) {
      var mark = ev.target.closest("mark.ev");
      if (!mark) { return; }
      var id = (mark.dataset.findings || "").split(" ")[0];
      var item = document.getElementById("finding-" + id);
      if (item && !item.hidden) { select(item, { focusItem: true, toEvidence: false }); }
    });

    document.addEventListener("keydown", function (ev) {
      if (ev.target.closest && ev.target.closest("input, select, textarea")) { return; }
      if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
      var items = findings();
      if (!items.length) { return; }
      var current = items.indexOf(document.querySelector("#findings .finding.selected"));
      var next = null;
      if (ev.key === "j" || ev.key === "ArrowDown") { next = items[Math.min(items.length - 1, current + 1)]; }
      else if (ev.key === "k" || ev.key === "ArrowUp") { next = items[Math.max(0, current < 0 ? 0 : current - 1)]; }
      else if (ev.key === "Enter" && current >= 0 && ev.target.classList.contains("finding")) {
        select(items[current], { focusEvidence: true }); ev.preventDefault(); return;
      } else { return; }
      ev.preventDefault();
      select(next, { focusItem: true });
    });

    var filter = document.getElementById("severity-filter");
    if (filter) {
      filter.addEventListener("change", function () {
        var shown = {};
        filter.querySelectorAll("input[type=checkbox]").forEach(function (cb) { shown[cb.value] = cb.checked; });
        document.querySelectorAll("#findings .finding").forEach(function (el) { el.hidden = !shown[el.dataset.severity]; });
        document.querySelectorAll("#contract-text mark.ev").forEach(function (m) {
          var sev = (m.className.match(/sev-(\w+)/) || [])[1];
          m.classList.toggle("muted", !shown[sev]);
        });
      });
    }

    var hash = window.location.hash.match(/^#finding-(.+)$/);
    if (hash) {
      var item = document.getElementById("finding-" + hash[1]);
      if (item) { select(item, { focusItem: true }); }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
