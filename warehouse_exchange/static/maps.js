// Maps, drawn with Leaflet over the page's own content: the list of results (or a warehouse's
// facts) stays the page, and a browser without JavaScript simply shows no map.
//
// Tiles come from the configured tile server (data-tile-url). Without one, or once a tile
// fails to load, the map draws the country outlines shipped with the site (Natural Earth),
// so that pins and the search radius always have a place around them.
"use strict";

(function () {
  const MAX_FIT_ZOOM = 11;
  const WORLD = [[-60, -170], [75, 175]];

  function baseLayers(map, element) {
    let outlines = null;
    function drawOutlines() {
      if (outlines) {
        return;
      }
      outlines = true;
      element.classList.add("offline-basemap");
      map.createPane("basemap").style.zIndex = 250;
      fetch(element.dataset.basemapUrl)
        .then(function (response) { return response.json(); })
        .then(function (countries) {
          outlines = L.geoJSON(countries, {
            pane: "basemap",
            interactive: false,
            style: { color: "#9fb0c2", weight: 0.8, fillColor: "#eef1ea", fillOpacity: 1 },
            attribution: "Outlines: Natural Earth",
          }).addTo(map);
          element.dataset.basemap = "drawn";
        });
    }
    const tileUrl = element.dataset.tileUrl;
    if (!tileUrl) {
      drawOutlines();
      return;
    }
    const tiles = L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "" });
    tiles.on("tileerror", function () {
      map.removeLayer(tiles);
      drawOutlines();
    });
    tiles.addTo(map);
  }

  function newMap(element, options) {
    const map = L.map(element, Object.assign({ worldCopyJump: true, minZoom: 1, maxZoom: 18 }, options));
    baseLayers(map, element);
    return map;
  }

  function pinIcon() {
    return L.divIcon({
      className: "map-pin",
      html: "<span aria-hidden=\"true\"></span>",
      iconSize: [22, 22],
      iconAnchor: [11, 22],
      popupAnchor: [0, -20],
    });
  }

  // --- one place: a warehouse or a listing --------------------------------------------
  function placeMap(element) {
    const here = [Number(element.dataset.lat), Number(element.dataset.lon)];
    const map = newMap(element, { scrollWheelZoom: false });
    // country outlines say little up close: show the region around the site, unless tiles
    // can show the streets
    map.setView(here, element.dataset.tileUrl ? 12 : 5);
    L.marker(here, { icon: pinIcon(), title: element.dataset.label, alt: element.dataset.label })
      .addTo(map);
  }

  // --- search results ----------------------------------------------------------------
  function textOf(words) {
    const span = document.createElement("span");
    span.textContent = words;
    return span;
  }

  function summaryCard(result) {
    const card = document.createElement("div");
    card.className = "map-card";
    const title = document.createElement("a");
    title.href = result.dataset.url;
    title.className = "map-card-title";
    title.textContent = result.dataset.title;
    const place = document.createElement("div");
    place.className = "muted small";
    place.textContent = result.dataset.warehouse + " · " + result.dataset.place;
    const price = document.createElement("div");
    price.className = "map-card-price";
    price.textContent = result.dataset.price;
    card.append(title, place, price);
    return card;
  }

  function visibleMarker(group, marker) {
    const shown = group.getVisibleParent(marker);
    return shown && shown.getElement ? shown.getElement() : null;
  }

  function bindHighlight(group, marker, result) {
    function highlight(on) {
      result.classList.toggle("is-highlighted", on);
      const element = visibleMarker(group, marker);
      if (element) {
        element.classList.toggle("is-highlighted", on);
      }
    }
    result.addEventListener("mouseenter", function () { highlight(true); });
    result.addEventListener("mouseleave", function () { highlight(false); });
    result.addEventListener("focusin", function () { highlight(true); });
    result.addEventListener("focusout", function () { highlight(false); });
    marker.on("mouseover", function () { highlight(true); });
    marker.on("mouseout", function () { highlight(false); });
  }

  // The map's view as "west,south,east,north" within the ranges the search accepts; a view
  // across the antimeridian keeps west > east, as the search reads it.
  function viewBox(map) {
    const bounds = map.getBounds();
    const south = Math.max(-90, bounds.getSouth());
    const north = Math.min(90, bounds.getNorth());
    let west = bounds.getWest();
    let east = bounds.getEast();
    if (east - west >= 360) {
      west = -180;
      east = 180;
    } else {
      west = ((west + 180) % 360 + 360) % 360 - 180;
      east = ((east + 180) % 360 + 360) % 360 - 180;
      if (east === -180) {
        east = 180;
      }
    }
    return [west, south, east, north].map(function (n) { return n.toFixed(4); }).join(",");
  }

  function searchThisArea(map) {
    const args = new URLSearchParams(window.location.search);
    ["near", "lat", "lon", "radius_km", "country", "page", "bbox"].forEach(function (name) {
      args.delete(name);
    });
    if (args.get("sort") === "distance") {
      args.delete("sort"); // there is no centre to measure from any more
    }
    args.set("bbox", viewBox(map));
    window.location.assign(window.location.pathname + "?" + args.toString());
  }

  function boxBounds(bbox) {
    const [west, south, east, north] = bbox.split(",").map(Number);
    return L.latLngBounds([south, west], [north, east < west ? east + 360 : east]);
  }

  function resultsMap(element) {
    const panel = element.closest("[data-map-panel]");
    panel.hidden = false;
    const map = newMap(element, {});
    const group = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false });
    const results = document.querySelectorAll("[data-result-lat]");
    const positions = [];
    results.forEach(function (result) {
      const position = [Number(result.dataset.resultLat), Number(result.dataset.resultLon)];
      positions.push(position);
      const marker = L.marker(position, {
        icon: pinIcon(),
        title: result.dataset.title,
        alt: result.dataset.title,
        riseOnHover: true,
      });
      marker.bindPopup(function () { return summaryCard(result); }, { minWidth: 200 });
      marker.listingId = result.dataset.listingId;
      group.addLayer(marker);
      bindHighlight(group, marker, result);
    });

    // layers are added once the map has a view: clusters are made for a zoom level
    if (element.dataset.centreLat) {
      const centre = L.latLng(Number(element.dataset.centreLat), Number(element.dataset.centreLon));
      const radius = Number(element.dataset.radiusKm) * 1000;
      map.fitBounds(centre.toBounds(2 * radius), { maxZoom: MAX_FIT_ZOOM });
      L.circle(centre, {
        radius: radius,
        color: "#0b5cad",
        weight: 1.5,
        fillOpacity: 0.06,
        interactive: false,
        className: "search-radius",
      }).addTo(map);
      L.circleMarker(centre, { radius: 4, color: "#0b5cad", fillOpacity: 1, className: "search-centre" })
        .bindTooltip(textOf(element.dataset.centreLabel)) // a geocoder's words: text, not HTML
        .addTo(map);
    } else if (element.dataset.bbox) {
      map.fitBounds(boxBounds(element.dataset.bbox));
    } else if (results.length) {
      map.fitBounds(L.latLngBounds(positions).pad(0.2), { maxZoom: MAX_FIT_ZOOM });
    } else {
      map.fitBounds(WORLD);
    }
    map.addLayer(group);

    const button = panel.querySelector("[data-search-area]");
    // the view was set above, before this listens: any move now is the person's
    map.on("movestart", function () { button.hidden = false; });
    button.addEventListener("click", function () { searchThisArea(map); });

    const toggle = document.querySelector("[data-map-toggle]");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        const shown = document.body.classList.toggle("map-shown");
        toggle.textContent = shown ? "Hide the map" : "Show the map";
        toggle.setAttribute("aria-expanded", String(shown));
        map.invalidateSize();
      });
    }
    element.leafletMap = map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) {
      return;
    }
    document.querySelectorAll("[data-results-map]").forEach(resultsMap);
    document.querySelectorAll("[data-place-map]").forEach(placeMap);
  });
})();
