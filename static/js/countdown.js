// Counts down to an instant given by the server, measured from the server's "now".
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-countdown]");
  if (!items.length) return;
  var start = performance.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function render() {
    items.forEach(function (el) {
      var left = Date.parse(el.dataset.countdown) - Date.parse(el.dataset.now) - (performance.now() - start);
      var s = Math.max(0, Math.floor(left / 1000));
      var days = Math.floor(s / 86400);
      var text = pad(Math.floor(s % 86400 / 3600)) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
      el.textContent = (days ? days + " ngày " : "") + text;
    });
  }
  render();
  setInterval(render, 1000);
})();
