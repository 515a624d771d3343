// A form sent back with errors: the page's title says so, and focus moves to the first error
// (a whole-form message, another person's conflicting save or a field), scrolled into view.
// A message about a sent form outside the form itself is marked data-form-error.
// Without this a long page reloads at its top and a refused form looks like a saved one.
(function () {
  "use strict";
  var first = document.querySelector(
    "[data-form-error], form .alert-danger, .alert.conflict, .is-invalid, .invalid-feedback.d-block"
  );
  if (!first) { return; }
  if (document.title.indexOf("Error: ") !== 0) { document.title = "Error: " + document.title; }
  if (document.querySelector("[autofocus]")) { return; }
  if (!first.matches("input, select, textarea")) {
    first.setAttribute("tabindex", "-1");
  }
  first.scrollIntoView({ block: "center" });
  first.focus({ preventScroll: true });
})();
