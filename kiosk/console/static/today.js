// Refresh the Today table every 30 s without reloading the page (same session cookie, plain fetch).
(function () {
  var box = document.getElementById("today");
  if (!box) return;
  function refresh() {
    fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (r.ok && !r.redirected) return r.text(); throw new Error(r.status); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* keep the last table; the next turn tries again */ });
  }
  setInterval(refresh, 1000 * Number(box.dataset.every || 30));
})();
