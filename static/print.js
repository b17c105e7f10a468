// The sign-in sheet's print button (the Content-Security-Policy allows no inline script): buttons
// marked data-print print the page; they stay hidden without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
