"""The live dashboard at ``GET /__admin/``: one HTML page, no build step, nothing fetched from the
network but the fake's own control API.

A few lines of plain JavaScript poll ``/__admin/sessions``, ``/__admin/journal``,
``/__admin/transitions`` and ``/__admin/diagram`` every second and redraw: the sessions (state,
totals, coupons, effects, history), the request journal newest first (bodies and contract
verdicts) and the rule set's state diagram with the moves made so far in green. Everything a
client sent is put on the page as text (``textContent``), never as HTML. A ``?token=`` in the
page's address is sent on as ``Authorization: Bearer`` when ``serve`` guards the control API.
"""

from __future__ import annotations

_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>talon-fakes dashboard</title>
<link rel="icon" href="data:,"><!-- no /favicon.ico request in the journal -->
<style>
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
  body { margin: 0; }
  header { background: #24292f; color: #fff; padding: 10px 18px; display: flex; gap: 18px;
           align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header span { opacity: .85; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; padding: 14px; }
  section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px;
            min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  th { font-weight: 600; color: #57606a; }
  tr.row { cursor: pointer; }
  tr.row:hover { background: #f3f4f6; }
  tr.more td { background: #f6f8fa; }
  pre { margin: 4px 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; max-height: 260px;
        overflow: auto; }
  code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  .badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; color: #fff; }
  .s-open { background: #0969da; } .s-closed { background: #57606a; }
  .s-partially_returned { background: #9a6700; } .s-cancelled { background: #cf222e; }
  .ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 700; }
  .none { color: #8c959f; }
  .st2 { color: #1a7f37; } .st4 { color: #9a6700; } .st5 { color: #cf222e; }
  .empty { color: #8c959f; font-style: italic; }
  .state-diagram { width: 100%; max-width: 700px; height: auto; }
  #error { color: #cf222e; }
</style>
</head>
<body>
<header>
  <h1>talon-fakes</h1>
  <span id="rules"></span><span id="clock"></span><span id="totals"></span>
  <span id="updated">connecting&hellip;</span><span id="error"></span>
</header>
<main>
  <section>
    <h2>State diagram <span id="coverage" class="none"></span></h2>
    <div id="diagram"></div>
  </section>
  <section>
    <h2>Sessions</h2>
    <table id="sessions"><thead><tr><th>integration ID</th><th>state</th><th>total</th><th>coupons</th>
      <th>effects</th><th>updates</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="wide">
    <h2>Requests, newest first <span id="journal-count" class="none"></span></h2>
    <table id="journal"><thead><tr><th>time</th><th>method</th><th>path</th><th>status</th>
      <th>operation</th><th>contract</th></tr></thead><tbody></tbody></table>
  </section>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const headers = token ? { Authorization: "Bearer " + token } : {};
const opened = new Set();  // rows the reader expanded stay expanded across redraws
const shown = {};  // what each part shows now: it is redrawn only when that changes

function changed(part, value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (shown[part] === text) return false;
  shown[part] = text;
  return true;
}

async function get(path, asText) {
  const response = await fetch(path, { headers, cache: "no-store" });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return asText ? response.text() : response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function json(value) { return el("pre", {}, JSON.stringify(value, null, 2)); }

function toggled(row, key, detail, columns) {
  row.classList.add("row");
  const more = el("tr", { class: "more" }, el("td", { colspan: columns }, ...detail));
  more.hidden = !opened.has(key);
  row.addEventListener("click", () => {
    more.hidden = !more.hidden;
    if (more.hidden) opened.delete(key); else opened.add(key);
  });
  return [row, more];
}

function drawSessions(sessions) {
  const body = document.querySelector("#sessions tbody");
  const rows = [];
  for (const s of sessions) {
    const key = "session:" + s.integrationId;
    const row = el("tr", { "data-session": s.integrationId },
      el("td", { class: "mono" }, s.integrationId),
      el("td", {}, el("span", { class: "badge state s-" + s.state }, s.state)),
      el("td", {}, s.total),
      el("td", {}, s.couponCodes.join(", ") || "\\u2014"),
      el("td", {}, s.effects.length),
      el("td", {}, s.updateCount));
    const history = s.history.map(([operation, state]) => operation + " \\u2192 " + state).join(",  ");
    rows.push(...toggled(row, key, [
      el("div", {}, el("b", {}, "history: "), el("span", { class: "history" }, history)),
      el("div", {}, el("b", {}, "cart items")), json(s.cartItems),
      el("div", {}, el("b", {}, "effects (latest answer)")), json(s.effects)], 6));
  }
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "no sessions yet")));
  body.replaceChildren(...rows);
  const total = sessions.reduce((sum, s) => sum + s.total, 0);
  document.getElementById("totals").textContent =
    sessions.length + " session" + (sessions.length === 1 ? "" : "s") + ", total " + total.toFixed(2);
}

function verdictCell(verdict) {
  if (verdict.valid === true) return el("td", { class: "ok" }, "\\u2713 " + verdict.contract);
  if (verdict.valid === false) {
    return el("td", { class: "bad", title: verdict.errors.join("\\n") }, "\\u2717 " + verdict.contract);
  }
  return el("td", { class: "none" }, "not checked");
}

function drawJournal(journal) {
  const body = document.querySelector("#journal tbody");
  const rows = [];
  for (const r of journal.requests) {
    const key = "request:" + r.time + r.method + r.path;
    const row = el("tr", { "data-operation": r.operation || "" },
      el("td", { class: "mono" }, r.time.slice(11, 23)),
      el("td", {}, r.method), el("td", { class: "mono" }, r.path),
      el("td", { class: "st" + String(r.status)[0] }, r.status + (r.injected ? " (injected)" : "")),
      el("td", {}, r.operation || "\\u2014"), verdictCell(r.verdict));
    const detail = [el("div", {}, el("b", {}, "request")), json(r.request),
                    el("div", {}, el("b", {}, "response")), json(r.response)];
    if (r.verdict.errors.length) detail.push(el("div", { class: "bad" }, r.verdict.errors.join("; ")));
    rows.push(...toggled(row, key, detail, 6));
  }
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "no requests yet")));
  body.replaceChildren(...rows);
  document.getElementById("journal-count").textContent =
    "(" + journal.requests.length + " of " + journal.total + ")";
}

async function refresh() {
  try {
    const [sessions, journal, moves, svg, clock] = await Promise.all([
      get("/__admin/sessions"), get("/__admin/journal?limit=100"), get("/__admin/transitions"),
      get("/__admin/diagram", true), get("/__admin/clock")]);
    if (changed("sessions", sessions)) drawSessions(sessions.sessions);
    if (changed("journal", journal)) drawJournal(journal);
    // The fake's own SVG (every label escaped), redrawn only when a move was made.
    if (changed("diagram", svg)) document.getElementById("diagram").innerHTML = svg;
    const all = moves.made.length + moves.notExercised.length;
    document.getElementById("coverage").textContent =
      "(" + moves.made.length + " of " + all + " moves exercised)";
    document.getElementById("rules").textContent = "rules: " + moves.rules;
    document.getElementById("clock").textContent = "clock: " + clock.now;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.getElementById("error").textContent = "";
  } catch (error) {
    document.getElementById("error").textContent = String(error);
  }
}

refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
"""

#: The page, as served.
PAGE = _HTML.encode()
