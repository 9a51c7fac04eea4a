// The PDF status page: while the PDF is being made, look again every few seconds and show
// the page anew once its state changes. Without JavaScript, the "Refresh" link does it.
(function () {
  "use strict";
  var box = document.querySelector("[data-report-status]");
  if (!box || box.dataset.reportStatus !== "pending") { return; }
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.querySelector("[data-report-status]");
        if (next && next.dataset.reportStatus !== "pending") {
          window.location.reload();
        } else if (tries < 200) {
          setTimeout(poll, 3000);
        }
      })
      .catch(function () { if (tries < 200) { setTimeout(poll, 5000); } });
  }
  setTimeout(poll, 2000);
})();
