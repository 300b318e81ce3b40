// Every page's behaviour (loaded with `defer` by base.html, under the Content-Security-Policy):
// the phone menu's button, and tables that scroll sideways when they are wider than the screen.
(() => {
  "use strict";

  const toggle = document.querySelector("[data-menu-toggle]");
  const menu = document.getElementById("site-menu");
  if (toggle && menu) {
    const show = (open) => {
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    };
    toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        show(false);
        toggle.focus();
      }
    });
  }

  // A wide table scrolls inside its own region, so the page never scrolls sideways; a region
  // takes keyboard focus (and a name) only while it actually scrolls, either way.
  const named = (table) => {
    const caption = table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    let before = table.closest(".table-scroll").previousElementSibling;
    while (before && !/^H[1-6]$/.test(before.tagName)) before = before.previousElementSibling;
    return before ? before.textContent.trim() : "Table";
  };
  const regions = [];
  for (const table of document.querySelectorAll("main table")) {
    let region = table.closest(".table-scroll");
    if (!region) {
      region = document.createElement("div");
      region.className = "table-scroll";
      table.before(region);
      region.append(table);
    }
    regions.push([region, table]);
  }
  const fit = () => {
    for (const [region, table] of regions) {
      const scrolls =
        region.scrollWidth > region.clientWidth + 1 || region.scrollHeight > region.clientHeight + 1;
      if (scrolls) {
        region.tabIndex = 0;
        region.setAttribute("role", "region");
        if (!region.hasAttribute("aria-label") && !region.hasAttribute("aria-labelledby")) {
          region.setAttribute("aria-label", named(table));
        }
      } else if (!region.hasAttribute("data-always-focusable")) {
        region.removeAttribute("tabindex");
      }
    }
  };
  fit();
  window.addEventListener("resize", fit);
})();
