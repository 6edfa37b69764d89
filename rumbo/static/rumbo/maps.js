// Every Leaflet map of Rumbo. A page marks an element with data-map="<kind>" and gives it its
// data through data attributes and json_script blocks; no page carries a script of its own, so
// the Content-Security-Policy can forbid inline scripts. Names coming from the database are
// always set as text (never as HTML) in tooltips and popups.
(function () {
  "use strict";

  function readJson(id) {
    var source = id && document.getElementById(id);
    if (!source) return null;
    var value = JSON.parse(source.textContent);
    // some views hand over GeoJSON already serialised as a string
    return typeof value === "string" ? JSON.parse(value) : value;
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function label(f) {
    var p = f.properties || {};
    return text(p.code ? p.name + " (" + p.code + ")" : String(p.name || ""));
  }

  function baseMap(el, attribution) {
    var map = L.map(el, {attributionControl: attribution});
    map.setView([0, 0], 2);
    if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, {maxZoom: 18}).addTo(map);
    return map;
  }

  function fit(map, bounds, options) {
    if (bounds && bounds.isValid()) map.fitBounds(bounds, options);
  }

  // A spatial layer of the entity.
  function layerMap(el) {
    var map = baseMap(el, true);
    var layer = L.geoJSON(readJson(el.dataset.mapData), {
      style: {color: "#0b5d5b", weight: 1, fillOpacity: 0.25},
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 4}); }
    }).addTo(map);
    fit(map, layer.getBounds());
  }

  // A territorial unit and the units below it; a click opens a unit below.
  function unitMap(el) {
    var current = Number(el.dataset.mapCurrent);
    var map = baseMap(el, true);
    var layer = L.geoJSON(readJson(el.dataset.mapData), {
      style: function (f) {
        var mine = f.id === current;
        return {color: mine ? "#0b5d5b" : "#4a8f8c", weight: mine ? 3 : 1, fillOpacity: mine ? 0.05 : 0.2};
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(label(f));
        if (f.id !== current) l.on("click", function () { window.location = "../" + f.id + "/"; });
      }
    }).addTo(map);
    fit(map, layer.getBounds());
  }

  // The entity's boundaries and a project's place; with data-map-pick a click fills the
  // latitude and longitude inputs of the form.
  function projectMap(el) {
    var map = baseMap(el, false);
    var bg = L.geoJSON(readJson(el.dataset.mapBoundaries), {
      style: function () { return {color: "#0b5d5b", weight: 1, fillOpacity: 0.08}; },
      onEachFeature: function (f, l) { l.bindTooltip(label(f)); }
    }).addTo(map);
    var bounds = bg.getBounds();
    var location = readJson(el.dataset.mapLocation);
    if (location) {
      var loc = L.geoJSON(location, {
        style: function () { return {color: "#c0392b", weight: 3}; },
        pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 7, color: "#c0392b", fillOpacity: 0.8}); }
      }).addTo(map);
      bounds = bounds.isValid() ? bounds.extend(loc.getBounds()) : loc.getBounds();
    }
    fit(map, bounds, {maxZoom: 15});
    if (el.dataset.mapPick === undefined) return;
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var marker = null;
    map.on("click", function (e) {
      if (lat && lon) { lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); }
      if (marker) marker.setLatLng(e.latlng);
      else marker = L.circleMarker(e.latlng, {radius: 7, color: "#1f6feb"}).addTo(map);
    });
  }

  // The entity's projects coloured by stage or by physical progress, loaded from
  // data-geojson-url; the words of the popups come from data-t-* attributes.
  function executionMap(el) {
    var T = el.dataset;
    var map = baseMap(el, false);
    var mode = "stage";
    var projects = null;
    var data = null;
    function progressColour(p) {
      if (p === null || p === undefined) return "#ffffff";
      if (p < 25) return "#d73027";
      if (p < 50) return "#fc8d59";
      if (p < 75) return "#91cf60";
      return "#1a9850";
    }
    function style(f) {
      return {
        color: "#333", weight: f.geometry.type.indexOf("Line") >= 0 ? 4 : 1,
        fillColor: mode === "stage" ? f.properties.colour : progressColour(f.properties.physical),
        fillOpacity: 0.8, dashArray: f.properties.approximate ? "4 3" : null
      };
    }
    function popup(f) {
      var p = f.properties;
      var box = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = p.code + " " + p.title;
      box.appendChild(title);
      var lines = [p.stage_label, T.tCost + ": " + Number(p.cost).toLocaleString("es") + " " + p.currency,
        T.tProgress + ": " + (p.physical === null ? T.tNoData : p.physical.toLocaleString("es") + " % (" + p.physical_period + ")")];
      if (p.approximate) lines.push(T.tApprox);
      lines.forEach(function (line) { var d = document.createElement("div"); d.textContent = line; box.appendChild(d); });
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = T.tOpen;
      box.appendChild(a);
      return box;
    }
    function draw() {
      if (projects) map.removeLayer(projects);
      projects = L.geoJSON(data.projects, {
        style: style,
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, Object.assign(style(f), {radius: 7})); },
        onEachFeature: function (f, layer) { layer.bindPopup(function () { return popup(f); }); }
      }).addTo(map);
    }
    fetch(el.dataset.geojsonUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (loaded) {
      data = loaded;
      var boundaries = L.geoJSON(data.boundaries, {style: {color: "#0b5d5b", weight: 1.5, fillColor: "#cfe3e1", fillOpacity: 0.35}, interactive: false}).addTo(map);
      draw();
      // a stand-in boundary (an ancestor: the department for a district) is far larger than the
      // entity: frame the projects then, and the boundary otherwise
      var standIn = data.boundaries.features.some(function (f) { return f.properties.approximate; });
      var placed = projects.getBounds();
      var bounds = standIn && placed.isValid() ? placed.pad(0.3) : boundaries.getBounds();
      if (!standIn && placed.isValid()) bounds.extend(placed);
      fit(map, bounds, {padding: [10, 10]});
      el.dataset.loaded = String(data.projects.features.length);
    });
    document.querySelectorAll("input[name=colour]").forEach(function (input) {
      input.addEventListener("change", function () {
        mode = input.value;
        document.getElementById("legend-stage").hidden = mode !== "stage";
        document.getElementById("legend-physical").hidden = mode !== "physical";
        if (data) draw();
      });
    });
  }

  var kinds = {layer: layerMap, unit: unitMap, project: projectMap, execution: executionMap};

  function start() {
    if (typeof window.L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var kind = kinds[el.dataset.map];
      if (kind && !el.dataset.mapReady) { el.dataset.mapReady = "1"; kind(el); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", start);
})();
