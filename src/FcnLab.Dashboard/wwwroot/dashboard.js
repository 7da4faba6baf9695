// FcnLab dashboard: the only script, served by `fcnlab serve` itself (no CDN, nothing inline).
// A running run's page fetches its content every second and swaps it in; a page with the
// "store unreachable" banner reloads itself once the store answers again.
"use strict";
(function () {
  const PERIOD_MS = 1000;

  function followRun(live) {
    let url = live.dataset.live;
    async function tick() {
      if (!url) return;
      try {
        const response = await fetch(url, { cache: "no-store" });
        const banner = document.getElementById("live-banner");
        if (response.ok) {
          live.innerHTML = await response.text(); // server-rendered, every text escaped there
          if (banner) banner.remove();
          if (response.headers.get("X-FcnLab-Live") === "0") { url = ""; live.dataset.live = ""; return; }
        } else if (!banner) {
          const div = document.createElement("div");
          div.id = "live-banner";
          div.className = "banner";
          div.setAttribute("role", "alert");
          div.textContent = "The store cannot be read just now (" + response.status + "): " + (await response.text());
          document.body.insertBefore(div, document.body.firstChild);
        }
      } catch (e) {
        // The dashboard itself is down or restarting: keep trying.
      }
      setTimeout(tick, PERIOD_MS);
    }
    setTimeout(tick, PERIOD_MS);
  }

  function retryWhenBack() {
    async function tick() {
      try {
        const response = await fetch(location.href, { cache: "no-store" });
        if (response.ok) { location.reload(); return; }
      } catch (e) { }
      setTimeout(tick, 2 * PERIOD_MS);
    }
    setTimeout(tick, 2 * PERIOD_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const live = document.getElementById("live");
    if (live && live.dataset.live) followRun(live);
    if (document.querySelector("body > .banner")) retryWhenBack();
  });
})();
