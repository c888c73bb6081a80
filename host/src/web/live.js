// Keeps the page of a running run (or host) current: every two seconds it
// fetches the server-rendered main part again and swaps it in, until the
// run has ended. The server escapes everything it renders.
(function () {
  "use strict";
  var main = document.getElementById("live");
  if (!main || !main.dataset.live) {
    return;
  }
  var url = main.dataset.live;
  function running() {
    return main.querySelector("[data-running]") !== null;
  }
  function tick() {
    fetch(url, { cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          main.innerHTML = html;
        }
      })
      .catch(function () {})
      .then(function () {
        if (running()) {
          setTimeout(tick, 2000);
        }
      });
  }
  if (running()) {
    setTimeout(tick, 2000);
  }
})();
