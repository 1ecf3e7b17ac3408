// comedo page: upload photos, show each analysis with toggleable layers. No framework, no network but this server.
"use strict";

const $ = (id) => document.getElementById(id);
const results = [];  // {id, name, doc}
let current = null;

const LEVEL_TEXT = {self_care: "Self-care", routine: "Routine", soon: "Soon", urgent: "Urgent"};

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function collectAnswers() {
  const answers = {};
  document.querySelectorAll("#questions select, #questions input").forEach((el) => {
    if (el.type === "checkbox") { if (el.checked) answers[el.name] = true; return; }
    if (el.value === "") return;
    if (el.type === "number") {
      const n = Number(el.value);
      answers[el.name] = (el.step === "1") ? Math.round(n) : n;
    } else { answers[el.name] = el.value; }
  });
  return answers;
}

async function analyse(file) {
  const form = new FormData();
  form.append("image", file, file.name);
  const answers = collectAnswers();
  if (Object.keys(answers).length) form.append("answers", JSON.stringify(answers));
  const mm = $("mm").value;
  if (mm !== "") form.append("mm_per_px", mm);
  const subject = $("subject").value.trim();
  if (subject !== "") form.append("subject", subject);
  const response = await fetch("/api/v1/analyses", {method: "POST", body: form, credentials: "same-origin"});
  const body = await response.json().catch(() => ({detail: response.statusText}));
  if (!response.ok) throw new Error(body.detail || `error ${response.status}`);
  return body;
}

async function handleFiles(files) {
  const list = Array.from(files);
  for (let i = 0; i < list.length; i++) {
    const file = list[i];
    setStatus(`Analysing ${file.name} (${i + 1} of ${list.length})...`);
    try {
      const doc = await analyse(file);
      results.push({id: doc.id, name: file.name, doc});
      renderList();
      show(results.length - 1);
      setStatus(`Done: ${file.name}`);
    } catch (err) {
      // The server's message names the file already ("notes.txt: not a supported image").
      setStatus(err.message.startsWith(`${file.name}:`) ? err.message : `${file.name}: ${err.message}`, true);
    }
  }
}

function renderList() {
  const list = $("results-list");
  list.replaceChildren(...results.map((r, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = r.name;
    b.className = r === current ? "active" : "";
    b.addEventListener("click", () => show(i));
    return b;
  }));
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function show(index) {
  current = results[index];
  renderList();
  const doc = current.doc;
  const base = `/api/v1/analyses/${encodeURIComponent(current.id)}`;
  $("result").hidden = false;
  const t = doc.triage;
  $("triage").className = `level ${t.level}`;
  $("triage").textContent = t.level_text;
  $("triage").dataset.level = t.level;
  $("reasons").replaceChildren(...t.reasons.map((r) => el("li", r.text)));
  $("photo").src = `${base}/photo.jpg`;
  $("redness").src = `${base}/redness.png`;
  drawOverlay(doc);
  applyToggles();
  $("description").textContent = doc.description ? doc.description.text : "";
  $("type-explanations").replaceChildren(...(doc.description ? doc.description.lesion_types : []).map((x) => el("li", x.text)));
  const s = doc.severity;
  let scaleCards;
  if (s.hayashi && doc.lesions.length === 0) {  // no lesion: no grade to show (issue 32)
    scaleCards = [["Lesions", 0, s.summary || "No acne lesions seen."]];
  } else if (s.hayashi) {
    const est = s.hayashi.estimated_count;
    const inAll = est != null && est !== s.hayashi.lesion_count ? ` (about ${est} in all)` : "";  // wider views only
    const sure = s.hayashi.probabilities ? `, ${Math.round(100 * Math.max(...s.hayashi.probabilities))}% sure` : "";
    scaleCards = [
      ["Lesions", s.hayashi.lesion_count, `Hayashi ${s.hayashi.label.replace("_", " ")}${sure}${inAll}`],
      ["IGA", s.iga.grade, s.iga.label.replace("_", " ")],
      ["NICE band", s.nice.band.replaceAll("_", " "), "NG198"],
    ];
    if (s.gags) scaleCards.push(["GAGS", s.gags.score, `${s.gags.label.replace("_", " ")}${s.gags.partial ? ", partial" : ""} (face zones)`]);
    if (s.scales_note) scaleCards.push(["Why the scales differ", "", s.scales_note]);
  } else {  // a close-up: the whole-face scales are not applied (severity.not_graded says why)
    scaleCards = [
      ["Lesions", doc.lesions.length, `${s.not_graded && s.not_graded.code === "no_colour" ? "no colour" : "close-up"}: not graded`],
      ["Scales", "not graded", s.not_graded ? s.not_graded.text : ""],
    ];
  }
  const cards = [
    ...scaleCards,
    ["Redness vs own skin", doc.redness.irritation, doc.redness.delta_a_p90 == null ? "not measured" :
      `its reddest tenth ${doc.redness.delta_a_p90 >= 0 ? "+" : ""}${doc.redness.delta_a_p90.toFixed(1)} a* units`],
    ["Dark spots", doc.dark_spots.length, "pores, openings, marks"],
    ["Photo", doc.quality.ok ? "ok" : "check", doc.quality.flags.map((f) => f.replaceAll("_", " ")).join(", ") || (doc.scene ? doc.scene.view.replace("_", "-") : "")],
  ];
  $("severity").replaceChildren(...cards.map(([k, v, sub]) => {
    const c = el("div", undefined, "card");
    c.append(el("span", k), el("b", String(v)), el("span", sub, "muted"));
    return c;
  }));
  $("lesions").tBodies[0].replaceChildren(...doc.lesions.map((l, i) => {
    const row = el("tr");
    row.dataset.i = String(i);
    row.tabIndex = 0;  // a row is reachable by keyboard; focusing it picks its ring on the photo
    row.title = "show this lesion's ring on the photo";
    const size = l.diameter_mm !== null ? `${l.diameter_mm} mm` : `${Math.round(2 * l.radius_px)} px`;
    [`${i + 1}${typeStyle(l.type).letter}`, `${Math.round(l.center[0])}, ${Math.round(l.center[1])}`, size,
     l.type_summary || (l.type || "-").replace("_", " "),
     l.score.toFixed(2), l.irritation, (l.zone || "-").replace("_", " ") + (l.in_danger_triangle ? " (danger triangle)" : ""),
     adviceWords(l)
    ].forEach((v) => row.append(el("td", String(v))));
    if (l.advice_why) row.lastChild.title = l.advice_why;
    row.addEventListener("mouseenter", () => pick(i, false));
    row.addEventListener("focus", () => pick(i, false));
    row.addEventListener("click", () => pick(i, false));
    row.addEventListener("mouseleave", () => pick(null, false));
    return row;
  }));
  const ext = doc.extraction;
  $("extraction-title").textContent = ext.advice === "do_not_extract" ? "Extraction: do not squeeze or extract" : "Extraction: ok, with care";
  $("extraction-why").replaceChildren(...ext.why.map((w) => el("li", w)));
  $("extraction-steps").replaceChildren(...ext.steps.map((st) => el("li", `${st.step.replaceAll("_", " ")}: ${st.text}`)));
  $("care").replaceChildren(...doc.care_plan.map((c) => el("li", `${c.text} (${c.why})`)));
  $("download-report").href = `${base}/report.html`;
  $("result-disclaimer").textContent = doc.disclaimer;
}

// A lesion's own advice in words, with a sign that reads without colour (× leave alone, ✓ may be extracted).
function adviceWords(l) {
  if (l.advice === "ok_with_care") return `\u2713 may be extracted${l.advice_relied_on === "answer" ? " (your answer)" : ""}`;
  if (l.advice === "do_not_extract") return "\u00d7 leave alone";
  return "-";
}

// Ring colour and letter per type, as on the annotated image (Okabe-Ito; comedo.render.annotate.TYPE_STYLE).
const TYPE_STYLE = {
  open_comedo: ["#0072b2", "B", "blackhead"], closed_comedo: ["#56b4e9", "W", "whitehead"],
  papule: ["#e69f00", "P", "papule"], pustule: ["#f0e442", "U", "pustule"], nodule: ["#d55e00", "N", "nodule"],
  cyst: ["#cc79a7", "C", "cyst"],
};
function typeStyle(type) {
  const [colour, letter, name] = TYPE_STYLE[type] || ["#009e73", "?", "type unknown"];
  return {colour, letter, name};
}

// One lesion picked at a time: its ring drawn thicker on the photo and its table row marked. From a ring, the
// row is scrolled into view; from a row, the ring is already in view beside it.
function pick(i, fromRing) {
  document.querySelectorAll("#g-lesions .ring").forEach((ring) => {
    const on = ring.dataset.i === String(i);
    ring.classList.toggle("picked", on);
    ring.querySelector("circle").setAttribute("stroke-width", Number(ring.dataset.stroke) * (on ? 3 : 1));
  });
  document.querySelectorAll("#lesions tbody tr").forEach((row) => row.classList.toggle("picked", row.dataset.i === String(i)));
  if (fromRing && i !== null) {
    const row = document.querySelector(`#lesions tbody tr[data-i="${i}"]`);
    if (row) row.scrollIntoView({block: "nearest"});
  }
}

function drawOverlay(doc) {
  const svg = $("overlay");
  const ns = "http://www.w3.org/2000/svg";
  svg.setAttribute("viewBox", `0 0 ${doc.image.width} ${doc.image.height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const stroke = Math.max(1.5, Math.max(doc.image.width, doc.image.height) / 400);
  const nodes = [];
  const spots = document.createElementNS(ns, "g");
  spots.id = "g-dark-spots";
  doc.dark_spots.forEach((d) => {
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", d.center[0]); c.setAttribute("cy", d.center[1]);
    c.setAttribute("r", Math.max(2, d.radius_px + 1));
    c.setAttribute("fill", "none"); c.setAttribute("stroke", "#00dcff"); c.setAttribute("stroke-width", stroke * 0.7);
    spots.append(c);
  });
  const face = document.createElementNS(ns, "g");
  face.id = "g-face";
  if (doc.face && doc.face.found && doc.face.danger_triangle) {  // the danger triangle drawn from the landmarks
    const tri = document.createElementNS(ns, "polygon");
    tri.setAttribute("points", doc.face.danger_triangle.map((p) => p.join(",")).join(" "));
    tri.setAttribute("fill", "none"); tri.setAttribute("stroke", "#ff5050"); tri.setAttribute("stroke-width", stroke);
    face.append(tri);
  }
  const lesions = document.createElementNS(ns, "g");
  lesions.id = "g-lesions";
  doc.lesions.forEach((l, i) => {
    const style = typeStyle(l.type);
    const ring = document.createElementNS(ns, "g");
    ring.setAttribute("class", "ring");
    ring.dataset.i = String(i);
    ring.dataset.stroke = String(stroke * 1.4);
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", l.center[0]); c.setAttribute("cy", l.center[1]); c.setAttribute("r", Math.max(3, l.radius_px));
    c.setAttribute("fill", "none"); c.setAttribute("stroke", style.colour); c.setAttribute("stroke-width", stroke * 1.4);
    const leave = l.advice === "do_not_extract";  // dashed, and a × after its number: readable without colour
    if (leave) c.setAttribute("stroke-dasharray", `${stroke * 3} ${stroke * 2}`);
    ring.dataset.advice = l.advice || "";
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", l.center[0] + l.radius_px + 2); label.setAttribute("y", l.center[1] - l.radius_px);
    label.setAttribute("fill", style.colour); label.setAttribute("font-size", stroke * 8);
    label.setAttribute("paint-order", "stroke"); label.setAttribute("stroke", "#000"); label.setAttribute("stroke-width", stroke * 0.8);
    label.textContent = `${i + 1}${style.letter}${leave ? "\u00d7" : ""}`;
    const title = document.createElementNS(ns, "title");
    title.textContent = `${i + 1}: ${l.type_summary || style.name}${l.advice_why ? ` \u2014 ${l.advice_why}` : ""}`;
    ring.append(title, c, label);
    ring.addEventListener("click", () => pick(i, true));
    lesions.append(ring);
  });
  nodes.push(face, spots, lesions);
  svg.replaceChildren(...nodes);
  const shown = [...new Set(doc.lesions.map((l) => l.type))];
  $("ring-legend").replaceChildren(...(shown.length ? [el("span", "Rings: ")] : []), ...shown.map((t) => {
    const st = typeStyle(t);
    const item = el("span", ` ${st.letter} ${st.name} `, "legend-item");
    item.style.borderLeft = `12px solid ${st.colour}`;
    return item;
  }), ...(doc.lesions.some((l) => l.advice === "do_not_extract") ? [el("span", " dashed ring, \u00d7: do not extract ", "legend-item")] : []));
}

function applyToggles() {
  const lesions = document.getElementById("g-lesions");
  const spots = document.getElementById("g-dark-spots");
  if (lesions) lesions.style.display = $("layer-lesions").checked ? "" : "none";
  if (spots) spots.style.display = $("layer-dark-spots").checked ? "" : "none";
  const face = document.getElementById("g-face");
  if (face) face.style.display = $("layer-face").checked ? "" : "none";
  $("redness").style.display = $("layer-redness").checked ? "" : "none";
}

["layer-lesions", "layer-dark-spots", "layer-redness", "layer-face"].forEach((id) => $(id).addEventListener("change", applyToggles));

$("download-json").addEventListener("click", () => {
  if (!current) return;
  const blob = new Blob([JSON.stringify(current.doc, null, 2)], {type: "application/json"});
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${current.name.replace(/\.[^.]+$/, "")}.json`;
  document.body.append(a);
  a.click();
  a.remove();
});

// Choosing photos does not start the analysis: the scale, subject and answers are filled first, then Analyse.
// After it, the same photos can be analysed again with changed answers; new photos start from empty answers.
let chosen = [];
let analysedOnce = false;

function resetAnswers() {
  document.querySelectorAll("#questions select").forEach((s) => { s.value = ""; });
  document.querySelectorAll("#questions input").forEach((i) => { if (i.type === "checkbox") i.checked = false; else i.value = ""; });
}

function choose(files) {
  chosen = Array.from(files);
  if (!chosen.length) return;
  if (analysedOnce) resetAnswers();  // the next photo's answers are its own
  analysedOnce = false;
  $("analyse").disabled = false;
  $("analyse").textContent = chosen.length === 1 ? "Analyse" : `Analyse ${chosen.length} photos`;
  setStatus(`Chosen: ${chosen.map((f) => f.name).join(", ")}. Add the scale, subject and answers if you like, then press Analyse.`);
}

$("analyse").addEventListener("click", async () => {
  if (!chosen.length) return;
  $("analyse").disabled = true;
  await handleFiles(chosen);
  analysedOnce = true;
  $("analyse").disabled = false;
  $("analyse").textContent = "Analyse again with these answers";
  $("result").scrollIntoView({block: "start"});  // on a phone the result is below the form
});

const drop = $("drop");
$("file").addEventListener("change", (e) => { choose(e.target.files); e.target.value = ""; });
["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
drop.addEventListener("drop", (e) => choose(e.dataTransfer.files));
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file").click(); });
