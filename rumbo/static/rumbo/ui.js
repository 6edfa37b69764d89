// Small behaviours declared in the markup, so that no page needs an inline script or an on*
// attribute (the Content-Security-Policy forbids both):
//   data-autosubmit   on a <select>: submit its form when it changes
//   data-confirm="…"  on a <form>: ask before submitting
//   data-autofocus    focus this field when it appears (on load or inserted by htmx); on a
//                     form, data-autofocus="code" focuses its field named "code"
//   data-dismiss-form on a button: remove the form it belongs to
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element && e.target.closest("[data-dismiss-form]");
    if (button && button.closest("form")) button.closest("form").remove();
  });
  function focus(root) {
    var el = root.querySelector && root.querySelector("[data-autofocus]");
    if (!el) return;
    var name = el.getAttribute("data-autofocus");
    el.removeAttribute("data-autofocus");
    var target = name ? el.querySelector("[name='" + name + "']") : el;
    if (target) target.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { focus(document); });
  else focus(document);
  document.addEventListener("htmx:afterSettle", function (e) { focus(e.target); });
})();
