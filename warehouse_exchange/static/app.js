// Behaviour the pages ask for with data- attributes: the Content-Security-Policy runs no inline
// event handler and no javascript: link, so they are bound here.
"use strict";

// <form data-confirm="Archive this listing?"> asks before it is sent.
document.addEventListener("submit", function (event) {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <button data-go-back> returns to the previous page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-go-back]")) {
    event.preventDefault();
    window.history.back();
  }
});

// <input data-place-suggest="/api/v1/places" list="…"> fills its <datalist> with places as the
// visitor types; without this script the field still takes any place, and the search page
// answers a misspelt one with "Did you mean …?".
document.querySelectorAll("input[data-place-suggest]").forEach(function (input) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let asked = "";
  let pending = null;
  if (!list) {
    return;
  }
  function offer(places) {
    list.replaceChildren.apply(list, places.map(function (place) {
      const option = document.createElement("option");
      option.value = place.query;
      option.textContent = place.label;
      return option;
    }));
  }
  function suggest() {
    const typed = input.value.trim();
    if (typed.length < 2 || typed === asked) {
      return;
    }
    asked = typed;
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    const url = input.dataset.placeSuggest + "?q=" + encodeURIComponent(typed);
    fetch(url, {signal: pending.signal, headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {places: []}; })
      .then(function (body) { offer(body.places); })
      .catch(function () { /* a newer keystroke aborted it, or the network is down */ });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 120);
  });
});

// <span data-copy="IBAN">…</span> gets a "Copy" button beside it; screen readers hear "Copied".
(function () {
  const copyables = document.querySelectorAll("[data-copy]");
  if (!copyables.length || !navigator.clipboard) {
    return;
  }
  const announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);
  copyables.forEach(function (element) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the " + element.dataset.copy);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(element.textContent.trim()).then(function () {
        button.textContent = "Copied";
        announcer.textContent = "Copied the " + element.dataset.copy + ".";
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        announcer.textContent = "Could not copy; select the text instead.";
      });
    });
    element.insertAdjacentElement("afterend", button);
  });
})();

// <time datetime="…Z" data-local-time>2026-12-08 14:00 UTC</time> is followed by the viewer's own
// time, unless the viewer is on UTC anyway.
(function () {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone === "UTC" || zone === "Etc/UTC") {
    return;
  }
  const format = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short",
  });
  document.querySelectorAll("time[data-local-time]").forEach(function (time) {
    const moment = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) {
      return;
    }
    const local = document.createElement("span");
    local.className = "local-time";
    local.textContent = " (your time: " + format.format(moment) + ")";
    time.insertAdjacentElement("afterend", local);
  });
})();

// The menu's "More" (a <details>) closes on Escape, and when a click lands outside it.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.more[open]").forEach(function (more) {
    if (!more.contains(event.target)) {
      more.open = false;
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") {
    return;
  }
  document.querySelectorAll("details.more[open]").forEach(function (more) {
    more.open = false;
    more.querySelector("summary").focus();
  });
});

// On a phone a table wider than the screen scrolls sideways inside the page (app.css); one that
// does takes the keyboard's focus, so a visitor without a pointer can scroll it with the arrows.
function letWideTablesTakeFocus() {
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth) {
      table.tabIndex = 0;
    } else {
      table.removeAttribute("tabindex");
    }
  });
}
letWideTablesTakeFocus();
window.addEventListener("resize", letWideTablesTakeFocus);
document.addEventListener("toggle", letWideTablesTakeFocus, true);  // a table in an opened <details>
