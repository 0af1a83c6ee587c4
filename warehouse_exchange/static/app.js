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
