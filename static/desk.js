// The authors' desk, enhanced: copy a formal wording, and walk the discussion order from the keyboard
// (j or n: next, k or p: previous). Every action stays a plain link or button without this script.
(function () {
  "use strict";
  document.querySelectorAll("button.copy-wording[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.setAttribute("data-copied", "true");
      });
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || !target || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) {
      return;
    }
    var rel = { j: "next", n: "next", k: "prev", p: "prev" }[event.key];
    var link = rel && document.querySelector("a[data-desk-walk='" + rel + "']");
    if (link) { window.location.assign(link.href); }
  });
})();
