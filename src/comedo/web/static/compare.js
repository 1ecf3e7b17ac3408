"use strict";
const $ = (id) => document.getElementById(id);
$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData();
  form.append("before", $("before").files[0]);
  form.append("after", $("after").files[0]);
  $("status").textContent = "Aligning and comparing...";
  $("status").className = "";
  $("out").hidden = true;
  const r = await fetch("/api/v1/comparisons", {method: "POST", body: form, credentials: "same-origin"});
  const doc = await r.json().catch(() => ({detail: r.statusText}));
  if (!r.ok) { $("status").textContent = doc.detail || `error ${r.status}`; $("status").className = "error"; return; }
  if (!doc.registration.ok) {
    $("status").textContent = `No comparison: ${doc.registration.reason}.`;
    $("status").className = "error";
    return;
  }
  $("status").textContent = `Aligned (confidence ${doc.registration.confidence}).`;
  const c = doc.lesions;
  $("counts").replaceChildren(...[["resolved", c.resolved], ["persisting", c.persisting], ["new", c.new],
    ["out of view", c.out_of_view]].map(([k, v]) => {
    const d = document.createElement("div"); d.className = "card";
    const b = document.createElement("b"); b.textContent = v;
    d.append(k, b); return d;
  }));
  const ch = doc.redness.change_delta_a_p90;
  $("compare-redness").textContent = ch === null ? "" : `Redness (p90 \u0394a* vs own skin) changed by ${ch > 0 ? "+" : ""}${ch}.`;
  $("side").src = `/api/v1/comparisons/${doc.id}/side_by_side.png`;
  $("compare-overlay").src = `/api/v1/comparisons/${doc.id}/overlay.png`;
  $("out").hidden = false;
});
