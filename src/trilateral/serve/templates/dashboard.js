"use strict";
(function () {
  var countries = document.body.getAttribute("data-countries");
  var status = document.getElementById("status");
  function params() {
    var p = new URLSearchParams({countries: countries, n_boot: "100"});
    ["dyad", "arena", "period", "start", "end", "window_days"].forEach(function (k) {
      var v = document.getElementById(k).value;
      if (v) { p.set(k, v); }
    });
    return p;
  }
  function draw(div, p) {
    var name = div.getAttribute("data-figure");
    return fetch("/api/figures/" + name + "?" + p.toString()).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(name + ": " + (body.detail || r.status)); }
        return Plotly.react(div, body.data, body.layout, {displaylogo: false, responsive: true});
      });
    }).then(function () { div.setAttribute("data-drawn", p.toString()); });
  }
  var generation = 0;
  function refresh() {
    var mine = ++generation;
    var p = params();
    status.textContent = "loading…";
    status.className = "";
    var divs = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    Promise.all(divs.map(function (d) { return draw(d, p); })).then(function () {
      if (mine === generation) { status.textContent = "up to date"; document.body.setAttribute("data-ready", p.toString()); }
    }).catch(function (e) {
      if (mine === generation) { status.textContent = e.message; status.className = "error"; }
    });
  }
  document.getElementById("controls").addEventListener("change", refresh);
  var filter = document.getElementById("verdict-filter");
  function showClaims() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#claims-table tbody tr"));
    var shown = 0;
    rows.forEach(function (tr) {
      var on = !filter.value || tr.getAttribute("data-verdict") === filter.value;
      tr.style.display = on ? "" : "none";
      if (on) { shown += 1; }
    });
    document.getElementById("claims-count").textContent = shown + " of " + rows.length;
  }
  filter.addEventListener("change", showClaims);
  fetch("/api/claims").then(function (r) { return r.json(); }).then(function (claims) {
    var body = document.querySelector("#claims-table tbody");
    claims.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-verdict", c.verdict);
      tr.setAttribute("data-id", c.id);
      var bases = Object.keys(c.by_base || {}).map(function (b) {
        var m = c.by_base[b].measured;
        return b + ": " + c.by_base[b].verdict + (m === null ? "" : " (" + m + ")");
      }).join("; ") || "—";
      var cells = [c.id, c.verdict, bases, (c.measured === null ? "—" : String(c.measured)) + " " + c.unit,
                   c.measured_from, c.expected + " " + c.unit, "“" + c.quote + "”"];
      cells.forEach(function (t) { var td = document.createElement("td"); td.textContent = t; tr.appendChild(td); });
      body.appendChild(tr);
    });
    showClaims();
    document.body.setAttribute("data-claims", String(claims.length));
  });
  refresh();
})();
