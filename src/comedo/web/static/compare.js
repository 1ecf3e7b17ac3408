"use strict";
const $ = (id) => document.getElementById(id);

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function show(doc) {
  if (!doc.registration.ok) { status(`No comparison: ${doc.registration.reason}.`, true); return; }
  status(`Aligned (confidence ${doc.registration.confidence}${doc.registration.mirrored ? ", a mirror image" : ""}).`);
  const c = doc.lesions;
  $("counts").replaceChildren(...[["resolved", c.resolved], ["persisting", c.persisting], ["new", c.new],
    ["out of view", c.out_of_view]].map(([k, v]) => {
    const d = document.createElement("div"); d.className = "card";
    const b = document.createElement("b"); b.textContent = v;
    d.append(k, b); return d;
  }));
  const ch = doc.redness.change_delta_a_p90;
  $("compare-redness").textContent = ch === null ? "" :
    `Redness against the person's own skin (its top tenth) ${ch > 0 ? "rose" : ch < 0 ? "fell" : "did not change"}` +
    (ch ? ` by ${Math.abs(ch)} units` : "") + ".";
  const base = `/api/v1/comparisons/${doc.id}`;
  $("wipe-before").src = `${base}/before_aligned.png`;
  $("wipe-after").src = `${base}/after_aligned.png`;
  wipe();
  $("side").src = `${base}/side_by_side.png`;
  $("compare-overlay").src = `${base}/overlay.png`;
  $("out").hidden = false;
}

function wipe() {  // the before photo covers the left part of the after photo, as far as the slider says
  $("wipe-before").style.clipPath = `inset(0 ${100 - Number($("wipe-at").value)}% 0 0)`;
}
$("wipe-at").addEventListener("input", wipe);

async function post(url, body) {
  status("Aligning and comparing...");
  $("out").hidden = true;
  const r = await fetch(url, {method: "POST", body, credentials: "same-origin",
    headers: body instanceof FormData ? {} : {"Content-Type": "application/json"}});
  const doc = await r.json().catch(() => ({detail: r.statusText}));
  if (!r.ok) { status(doc.detail || `error ${r.status}`, true); return; }
  show(doc);
}

$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData();
  form.append("before", $("before").files[0]);
  form.append("after", $("after").files[0]);
  post("/api/v1/comparisons", form);
});

$("stored-load").addEventListener("click", async () => {
  const subject = $("stored-subject").value.trim();
  if (!subject) { status("Give the subject id first.", true); return; }
  const r = await fetch(`/api/v1/subjects/${encodeURIComponent(subject)}/history`, {credentials: "same-origin"});
  const doc = await r.json().catch(() => ({detail: r.statusText}));
  if (!r.ok) { status(doc.detail || `error ${r.status}`, true); return; }
  if (doc.analyses.length < 2) { status(`Subject ${subject} has ${doc.analyses.length} stored analysis; two are needed.`, true); return; }
  const options = doc.analyses.map((a) => {
    const o = document.createElement("option");
    o.value = a.analysis_id;
    o.textContent = `#${a.analysis_id} ${a.created_at.slice(0, 16).replace("T", " ")}: ${a.lesion_count} lesions`;
    return o;
  });
  $("stored-before").replaceChildren(...options.map((o) => o.cloneNode(true)));
  $("stored-after").replaceChildren(...options);
  $("stored-before").selectedIndex = 0;
  $("stored-after").selectedIndex = options.length - 1;  // the first visit against the latest, by default
  ["stored-before", "stored-after", "stored-compare"].forEach((id) => { $(id).disabled = false; });
  status(`${doc.analyses.length} stored analyses of ${subject}: choose two.`);
});

$("stored-form").addEventListener("submit", (e) => {
  e.preventDefault();
  post("/api/v1/comparisons/stored", JSON.stringify({subject: $("stored-subject").value.trim(),
    before: Number($("stored-before").value), after: Number($("stored-after").value)}));
});
