// Witryna's editor interface works without this script; it only helps:
// - moves focus to the error summary (or the conflict notice) when a page has one;
// - adds a "Podgląd" button under Markdown fields that shows the text as the site will.
(function () {
  "use strict";
  var first = document.getElementById("bledy") || document.getElementById("konflikt");
  if (first) { first.focus(); }
  var csrf = document.querySelector("input[name=_csrf]");
  if (!csrf || !window.fetch) { return; }
  document.querySelectorAll("textarea[data-markdown]").forEach(function (area) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary";
    var label = area.labels && area.labels[0] ? area.labels[0].textContent.trim() : "tekstu";
    button.textContent = "Podgląd: " + label;
    var output = document.createElement("div");
    output.className = "markdown-preview";
    output.setAttribute("aria-live", "polite");
    output.hidden = true;
    button.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("_csrf", csrf.value);
      body.set("text", area.value);
      fetch("/admin/podglad-markdown", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { output.innerHTML = html; output.hidden = false; })
        .catch(function () { output.textContent = "Nie udało się pokazać podglądu."; output.hidden = false; });
    });
    area.insertAdjacentElement("afterend", output);
    area.insertAdjacentElement("afterend", button);
  });
})();
