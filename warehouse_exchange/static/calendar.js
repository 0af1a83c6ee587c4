// Calendar heat maps, made to move through with the keyboard and, on a listing's calendar, to
// pick dates with a click or Enter. Without this script every figure is still in each day's
// label and in the table below the calendar, and the form's date fields pick dates.
"use strict";

(function () {
  const STEPS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

  function days(map) {
    return Array.from(map.querySelectorAll("td.day[data-day]"));
  }

  // One tab stop per calendar (a chosen day, else today or the first open day); the arrow
  // keys move between days, Home and End to the first and last.
  function makeNavigable(map) {
    const all = days(map);
    const first = map.querySelector("td.chosen") || map.querySelector("td.day:not(.heat-none)") || all[0];
    all.forEach(function (cell) { cell.tabIndex = cell === first ? 0 : -1; });
    map.addEventListener("keydown", function (event) {
      const cell = event.target.closest("td.day");
      if (!cell) {
        return;
      }
      let next = null;
      const at = all.indexOf(cell);
      if (event.key in STEPS) {
        next = all[at + STEPS[event.key]];
      } else if (event.key === "Home") {
        next = all[0];
      } else if (event.key === "End") {
        next = all[all.length - 1];
      } else if ((event.key === "Enter" || event.key === " ") && map.dataset.pickDates) {
        event.preventDefault();
        pick(map, cell);
        return;
      }
      if (next) {
        event.preventDefault();
        cell.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      }
    });
  }

  // The first day picked fills "First day", the second "Last day"; the form is sent when the
  // units are given too.
  function pick(map, cell) {
    if (cell.dataset.level === "none") {
      return;
    }
    const form = document.querySelector(map.dataset.pickDates);
    const start = form.elements.start;
    const end = form.elements.end;
    const day = cell.dataset.day;
    if (form.dataset.picking === "end" && day >= start.value) {
      end.value = day;
      form.dataset.picking = "";
    } else {
      start.value = day;
      end.value = "";
      form.dataset.picking = "end";
    }
    map.querySelectorAll("td.picked").forEach(function (c) { c.classList.remove("picked"); });
    cell.classList.add("picked");
    const status = form.querySelector("[data-pick-status]");
    if (form.dataset.picking === "end") {
      status.textContent = "First day " + day + ": now pick the last day.";
      return;
    }
    status.textContent = "From " + start.value + " to " + end.value + ".";
    if (form.elements.quantity.value) {
      form.requestSubmit();
    } else {
      form.elements.quantity.focus();
    }
  }

  document.querySelectorAll(".heatmap").forEach(makeNavigable);
  document.addEventListener("click", function (event) {
    const cell = event.target.closest("[data-pick-dates] td.day[data-day]");
    if (cell) {
      pick(cell.closest("[data-pick-dates]"), cell);
    }
  });
})();
