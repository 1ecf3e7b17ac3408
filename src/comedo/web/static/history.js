"use strict";
const $ = (id) => document.getElementById(id);
const LEVEL_TEXT = {self_care: "self-care", routine: "routine", soon: "soon", urgent: "urgent"};  // as the first words of the verdict
$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const subject = encodeURIComponent($("subject").value);
  const r = await fetch(`/api/v1/subjects/${subject}/history`, {credentials: "same-origin"});
  const doc = await r.json().catch(() => ({detail: r.statusText}));
  if (!r.ok) { $("status").textContent = doc.detail; $("status").className = "error"; return; }
  if (!doc.analyses.length) { $("status").textContent = "No stored analyses for this subject."; $("out").hidden = true; return; }
  const n = doc.analyses.length;
  $("status").textContent = `${n} ${n === 1 ? "analysis" : "analyses"}`;
  $("chart").src = `/api/v1/subjects/${subject}/history.png?t=${Date.now()}`;
  $("rows").tBodies[0].replaceChildren(...doc.analyses.map((a) => {
    const tr = document.createElement("tr");
    [a.created_at.slice(0, 16).replace("T", " "), a.lesion_count, a.non_inflammatory, a.papules_pustules,
     a.nodules_cysts, a.iga_grade ?? "-", a.gags_score ?? "-", a.irritation, LEVEL_TEXT[a.triage_level] || a.triage_level || "-"].forEach((v) => {
      const td = document.createElement("td"); td.textContent = String(v); tr.append(td);
    });
    return tr;
  }));
  $("out").hidden = false;
});
