// "Hide screen": a mentor working beside a child blanks the page at once, with the button in
// the header or Alt+Shift+H, and brings it back with the same keys or the "Show" button.
(function () {
  "use strict";
  var overlay = document.getElementById("screen-cover");
  if (!overlay) { return; }
  var showButton = document.getElementById("screen-show");
  var hideButtons = document.querySelectorAll("[data-hide-screen]");
  var returnTo = null;

  function hide() {
    returnTo = document.activeElement;
    overlay.hidden = false;
    document.body.classList.add("screen-hidden");
    document.getElementById("page").setAttribute("inert", "");
    showButton.focus();
  }

  function show() {
    overlay.hidden = true;
    document.body.classList.remove("screen-hidden");
    document.getElementById("page").removeAttribute("inert");
    if (returnTo && returnTo.focus) { returnTo.focus(); }
  }

  hideButtons.forEach(function (button) { button.addEventListener("click", hide); });
  showButton.addEventListener("click", show);
  document.addEventListener("keydown", function (event) {
    if (event.altKey && event.shiftKey && (event.key === "H" || event.key === "h" || event.code === "KeyH")) {
      event.preventDefault();
      if (overlay.hidden) { hide(); } else { show(); }
    }
  });
})();
