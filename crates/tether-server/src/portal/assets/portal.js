// Tether portal: the only script. Links marked data-dialog open that <dialog> in place; without
// this script they lead to a page with the same form.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-dialog]");
  if (!link) return;
  var dialog = document.getElementById(link.getAttribute("data-dialog"));
  if (!dialog || typeof dialog.showModal !== "function") return;
  event.preventDefault();
  dialog.showModal();
  var first = dialog.querySelector("input:not([type=hidden]), select, button");
  if (first) first.focus();
});
