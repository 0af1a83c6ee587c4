// Picking dates on a listing's availability calendar with the mouse: the first day clicked
// fills "First day", the second "Last day", and the form is sent when the units are given too.
// Without this script (or from the keyboard) the same form's date fields do the same.
"use strict";

document.addEventListener("click", function (event) {
  const cell = event.target.closest("[data-pick-dates] td.day[data-day]");
  if (!cell || cell.dataset.level === "none") {
    return;
  }
  const form = document.querySelector(cell.closest("[data-pick-dates]").dataset.pickDates);
  const start = form.elements.start;
  const end = form.elements.end;
  const day = cell.dataset.day;
  const picking = form.dataset.picking === "end";
  if (picking && day >= start.value) {
    end.value = day;
    form.dataset.picking = "";
  } else {
    start.value = day;
    end.value = "";
    form.dataset.picking = "end";
  }
  document.querySelectorAll("td.picked").forEach(function (c) { c.classList.remove("picked"); });
  cell.classList.add("picked");
  const status = form.querySelector("[data-pick-status]");
  if (form.dataset.picking === "end") {
    status.textContent = "First day " + day + ": now click the last day.";
    return;
  }
  status.textContent = "From " + start.value + " to " + end.value + ".";
  if (form.elements.quantity.value) {
    form.requestSubmit();
  } else {
    form.elements.quantity.focus();
  }
});
