// Draws every Vega-Lite chart of the page: an element with data-vega-spec="<id>" gets the spec
// stored by Django's json_script under that id. Vendored vega files; no network access. The
// expressions run in vega-interpreter (no eval), as the Content-Security-Policy demands, and
// vega-embed adds no <style> element of its own.
(function () {
  "use strict";
  function draw() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      var source = document.getElementById(el.dataset.vegaSpec);
      if (!source) return;
      try {
        window.vegaEmbed(el, JSON.parse(source.textContent), {
          actions: false, renderer: "svg", defaultStyle: false, tooltip: { disableDefaultStyle: true },
          ast: true, expr: window.vega && window.vega.expressionInterpreter
        })
          .catch(function (err) { el.textContent = String(err); });
      } catch (err) {
        el.textContent = String(err);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
