"use strict";
// The dashboard's script (served as /assets/dashboard.js: the page's CSP allows no inline
// script). Each figure panel names the controls it depends on (data-uses); a change of a
// control re-requests only the figures that use it. A figure that fails shows its error
// in its own panel and is retried once.
(function () {
  var countries = document.body.getAttribute("data-countries");
  var status = document.getElementById("status");
  var controls = ["dyad", "arena", "period", "start", "end", "window_days", "base"];
  var panels = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  var RETRY_MS = 1500;

  function value(k) { return document.getElementById(k).value; }
  function allParams() {
    var p = new URLSearchParams({countries: countries, n_boot: "100"});
    controls.forEach(function (k) { if (value(k)) { p.set(k, value(k)); } });
    return p;
  }
  function uses(div) {
    var u = div.getAttribute("data-uses");
    return u ? u.split(",") : [];
  }
  function paramsFor(div) {
    var p = new URLSearchParams({countries: countries, n_boot: "100"});
    uses(div).forEach(function (k) { if (value(k)) { p.set(k, value(k)); } });
    return p;
  }
  // plot toolbars and drag layers out of the tab order: the page's controls come first
  function untab(div) {
    div.querySelectorAll("a, button, input, select, [tabindex]").forEach(function (e) {
      if (!e.closest(".failed")) { e.setAttribute("tabindex", "-1"); }
    });
  }
  function readBody(r) {
    // a body that is not JSON (a proxy's page, a crash) is reported, never parsed blindly
    return r.text().then(function (text) {
      var body = null;
      try { body = JSON.parse(text); } catch (e) { body = null; }
      if (!r.ok || body === null) {
        var detail = body && body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : "the server answered " + r.status + " " + (r.statusText || "") + " without JSON";
        var err = new Error(detail);
        err.hint = body && body.hint ? body.hint : "";
        throw err;
      }
      return body;
    });
  }
  function showError(div, name, err, retry) {
    if (div.data && window.Plotly) { Plotly.purge(div); }
    div.innerHTML = "";
    var box = document.createElement("div");
    box.className = "failed";
    box.setAttribute("role", "alert");
    box.textContent = "The " + name + " figure could not be drawn: " + err.message + (err.hint ? " (" + err.hint + ")" : "") + ".";
    var again = document.createElement("button");
    again.type = "button";
    again.textContent = "try again";
    again.addEventListener("click", retry);
    box.appendChild(again);
    div.appendChild(box);
    div.setAttribute("data-failed", err.message);
  }
  function draw(div, attempt) {
    var name = div.getAttribute("data-figure");
    var p = paramsFor(div);
    var key = p.toString();
    div.setAttribute("data-wanted", key);
    return fetch("/api/figures/" + name + "?" + key).then(readBody).then(function (body) {
      if (div.getAttribute("data-wanted") !== key) { return false; }  // superseded
      if (div.querySelector(".failed")) { div.innerHTML = ""; }
      return Plotly.react(div, body.data, body.layout, {displaylogo: false, responsive: true}).then(function () {
        untab(div);
        div.removeAttribute("data-failed");
        div.setAttribute("data-drawn", key);
        return true;
      });
    }).catch(function (err) {
      if (div.getAttribute("data-wanted") !== key) { return false; }
      if (attempt === 0) {
        return new Promise(function (resolve) { setTimeout(resolve, RETRY_MS); }).then(function () {
          return draw(div, 1);
        });
      }
      showError(div, name, err, function () { draw(div, 1).then(settle); });
      return false;
    });
  }
  var generation = 0;
  function settle() {
    var failed = panels.filter(function (d) { return d.hasAttribute("data-failed"); });
    if (failed.length) {
      status.textContent = failed.length + " of " + panels.length + " figures failed (see their panels)";
      status.className = "error";
    } else {
      status.textContent = "up to date";
      status.className = "";
    }
  }
  function refresh(which) {
    var mine = ++generation;
    var all = allParams().toString();
    status.textContent = "loading…";
    status.className = "";
    Promise.all(which.map(function (d) { return draw(d, 0); })).then(function () {
      if (mine === generation) {
        settle();
        document.body.setAttribute("data-ready", all);
      }
    });
  }
  var form = document.getElementById("controls");
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("change", function (e) {
    var k = e.target && e.target.id;
    var which = panels.filter(function (d) { return uses(d).indexOf(k) >= 0; });
    refresh(which);
    showClaims();
  });

  // ---------------------------------------------------------------- claims table
  var filter = document.getElementById("verdict-filter");
  var inWindow = document.getElementById("claims-in-window");
  var table = document.getElementById("claims-table");
  var body = table.tBodies[0];
  function overlaps(tr) {
    var w = (tr.getAttribute("data-window") || "").split("/");
    var s = value("start"), e = value("end");
    return !(w.length === 2 && ((e && w[0] > e) || (s && w[1] < s)));
  }
  function showClaims() {
    var rows = Array.prototype.slice.call(body.rows);
    var shown = 0, outside = 0;
    rows.forEach(function (tr) {
      var inside = overlaps(tr);
      if (!inside) { outside += 1; }
      var on = (!filter.value || tr.getAttribute("data-verdict") === filter.value) && (!inWindow.checked || inside);
      tr.style.display = on ? "" : "none";
      if (on) { shown += 1; }
    });
    document.getElementById("claims-count").textContent = shown + " of " + rows.length + " claims" + (outside ? " (" + outside + " about years outside the window)" : "");
  }
  filter.addEventListener("change", showClaims);
  inWindow.addEventListener("change", showClaims);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var key = th.getAttribute("data-key");
    if (!key) { return; }
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) {
        if (o.hasAttribute("aria-sort")) { o.setAttribute("aria-sort", "none"); }
      });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key) || "", y = b.getAttribute("data-" + key) || "";
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
    });
  });
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
    return td;
  }
  fetch("/api/claims").then(readBody).then(function (claims) {
    claims.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-verdict", c.verdict);
      tr.setAttribute("data-id", c.id);
      tr.setAttribute("data-measured", c.measured === null || typeof c.measured === "object" ? "" : String(c.measured));
      tr.setAttribute("data-window", (c.window || []).join("/"));
      var bases = (c.bases_text || []).map(function (b) {
        return b[0] + ": " + b[1] + (b[2] === "—" ? "" : " (" + b[2] + ")");
      }).join("; ") || "—";
      cell(tr, c.id, "claim-id");
      cell(tr, c.verdict);
      cell(tr, bases);
      cell(tr, c.measured_text);
      cell(tr, c.measured_from);
      cell(tr, c.expected_text);
      cell(tr, c.window_text);
      var last = cell(tr, "“" + c.quote + "”");
      if (c.note) {
        var note = document.createElement("p");
        note.className = "note";
        note.textContent = c.note;
        last.appendChild(note);
      }
      body.appendChild(tr);
    });
    showClaims();
    document.body.setAttribute("data-claims", String(claims.length));
  }).catch(function (err) {
    var tr = document.createElement("tr");
    var td = cell(tr, "The claims could not be loaded: " + err.message, "error");
    td.colSpan = 8;
    body.appendChild(tr);
    document.body.setAttribute("data-claims", "0");
  });
  refresh(panels);
})();
