(function () {
  "use strict";
  var doc = document;
  function all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }
  var filters = doc.getElementById("filters");
  var jsControls = doc.getElementById("f-js");
  if (jsControls) { jsControls.hidden = false; }
  if (filters) {
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
  }
  var failedOnly = doc.getElementById("f-failed");
  var text = doc.getElementById("f-text");
  var count = doc.getElementById("f-count");
  function apply() {
    var onlyBad = failedOnly && failedOnly.checked;
    var needle = text ? text.value.trim().toLowerCase() : "";
    var shown = 0, total = 0;
    all("section.suite").forEach(function (suite) {
      var visible = 0;
      all("details.case", suite).forEach(function (c) {
        total += 1;
        var st = c.getAttribute("data-status");
        var okStatus = !onlyBad || st === "failed" || st === "error";
        var okText = !needle || c.textContent.toLowerCase().indexOf(needle) !== -1 ||
          suite.querySelector("h2").textContent.toLowerCase().indexOf(needle) !== -1;
        var show = okStatus && okText;
        c.classList.toggle("hidden-by-filter", !show);
        if (show) { visible += 1; shown += 1; }
      });
      suite.classList.toggle("hidden-by-filter", visible === 0);
    });
    if (count) { count.textContent = shown + " of " + total + " cases shown"; }
  }
  if (failedOnly) { failedOnly.addEventListener("change", apply); }
  if (text) { text.addEventListener("input", apply); }
  function setOpen(open) { all("details.case").forEach(function (d) { d.open = open; }); }
  var expand = doc.getElementById("f-expand");
  var collapse = doc.getElementById("f-collapse");
  if (expand) { expand.addEventListener("click", function () { setOpen(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setOpen(false); }); }
  function copyText(value, button) {
    function done(ok) {
      var old = button.textContent;
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () { button.textContent = old; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(function () { done(true); }, function () { done(fallback(value)); });
    } else {
      done(fallback(value));
    }
  }
  function fallback(value) {
    var area = doc.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    doc.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    doc.body.removeChild(area);
    return ok;
  }
  all("button.copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = doc.getElementById(button.getAttribute("data-copy"));
      if (target) { copyText(target.textContent, button); }
    });
  });
  function openHash() {
    if (!doc.location.hash) { return; }
    var el = doc.getElementById(doc.location.hash.slice(1));
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openHash);
  openHash();
  doc.body.setAttribute("data-js", "ready");
  apply();
})();
