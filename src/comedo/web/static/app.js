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

// Each file's outcome, listed (issue 33): a bad file among good ones keeps its error, a good one gets a button.
const outcomes = [];  // {name, error} or {name, result}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

async function handleFiles(files) {
  const list = Array.from(files);
  let failed = 0;
  for (let i = 0; i < list.length; i++) {
    const file = list[i];
    setStatus(`Analysing ${file.name} (${i + 1} of ${list.length})...`);
    const before = outcomes.findIndex((o) => o.name === file.name);
    if (before >= 0) outcomes.splice(before, 1);  // analysed again: its newest outcome only
    try {
      const doc = await analyse(file);
      const result = {id: doc.id, name: file.name, doc};
      results.push(result);
      outcomes.push({name: file.name, result});
      show(results.length - 1);
    } catch (err) {
      // The server's message names the file already ("notes.txt: not a supported image").
      failed += 1;
      outcomes.push({name: file.name, error: err.message.startsWith(`${file.name}:`) ? err.message : `${file.name}: ${err.message}`});
      renderList();
    }
  }
  const done = list.length - failed;
  if (failed) {
    setStatus(`${done} of ${plural(list.length, "photo")} analysed; ${failed} could not be (see below).`, true);
  } else {
    setStatus(`Done: ${list.length === 1 ? list[0].name : `${plural(list.length, "photo")} analysed`}.`);
  }
}

function renderList() {
  const list = $("results-list");
  list.replaceChildren(...outcomes.map((o) => {
    const item = el("li", undefined, o.error ? "failed" : "analysed");
    if (o.error) {
      item.append(el("span", `\u00d7 ${o.error}`));
      return item;
    }
    const b = el("button", `\u2713 ${o.name}: ${o.result.doc.triage.level_text}`);
    b.type = "button";
    b.className = o.result === current ? "active" : "";
    b.setAttribute("aria-pressed", String(o.result === current));
    b.addEventListener("click", () => show(results.indexOf(o.result)));
    item.append(b);
    return item;
  }));
}

// A code in words: "very_severe" -> "very severe" (the server's own sentences are used wherever it gives one).
function words(code) {
  return String(code).replaceAll("_", " ");
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
  picked = null;
  hovered = null;
  $("photo").onload = layoutStage;
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
      ["Lesions", s.hayashi.lesion_count, `Hayashi ${words(s.hayashi.label)}${sure}${inAll}`],
      ["IGA", s.iga.grade, words(s.iga.label)],
      ["NICE band", words(s.nice.band), "NG198"],
    ];
    if (s.gags) scaleCards.push(["GAGS", s.gags.score, `${words(s.gags.label)}${s.gags.partial ? ", partial" : ""} (face zones)`]);
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
    ["Photo", doc.quality.ok ? "ok" : "check", doc.quality.flags.map(words).join(", ") || (doc.scene ? doc.scene.view.replace("_", "-") : "")],
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
    const size = l.diameter_mm !== null ? `${l.diameter_mm} mm` : `${Math.round(2 * l.radius_px)} px`;
    const type = l.type_summary || words(l.type || "type unknown");
    row.setAttribute("aria-label", `Lesion ${i + 1}: ${type}, ${size}, ${adviceWords(l).replace(/^\S+ /, "")}`);
    [`${i + 1}${typeStyle(l.type).letter}`, `${Math.round(l.center[0])}, ${Math.round(l.center[1])}`, size,
     type, l.score.toFixed(2), words(l.irritation),
     words(l.zone || "-") + (l.in_danger_triangle ? " (danger triangle)" : ""), adviceWords(l),
    ].forEach((v) => row.append(el("td", String(v))));
    if (l.advice_why) row.lastChild.title = l.advice_why;
    row.addEventListener("pointermove", (e) => { if (movedByHand(e)) preview(i); });
    row.addEventListener("focus", () => pick(i, "row-focus"));
    row.addEventListener("click", () => pick(i, "row"));
    row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(i, "row"); } });
    return row;
  }));
  const ext = doc.extraction;
  $("extraction-title").textContent = ext.advice === "do_not_extract" ? "Extraction: do not squeeze or extract" : "Extraction: ok, with care";
  $("extraction-why").replaceChildren(...ext.why.map((w) => el("li", w)));
  $("steps-title").hidden = !ext.steps.length;
  $("extraction-steps").replaceChildren(...ext.steps.map((st) => el("li", `${words(st.step)}: ${st.text}`)));
  $("care").replaceChildren(...doc.care_plan.map((c) => el("li", `${c.text} (${c.why})`)));
  $("download-report").href = `${base}/report.html`;
  $("result-disclaimer").textContent = doc.disclaimer;
  layoutStage();
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

// One lesion picked at a time (a click, a tap, the keyboard): its ring drawn thicker with its number shown, its row
// marked. Pointing at a row previews its ring without taking the pick; rows that scroll under a still pointer do
// not count as pointing (issue 33). On a wide screen the photo stays in view beside the table (sticky); on a phone
// tapping a row scrolls to its ring, and tapping a ring scrolls to its row.
let picked = null;
let hovered = null;
let scale = 1;  // screen px per image px
let lastPointer = null;
const HIT_PX = 12;  // a ring's tap target is at least 24 px across on screen
const LABEL_PX = 10;  // ring numbers smaller than this on screen are shown only for the picked ring

document.addEventListener("pointermove", (e) => { lastPointer = [e.screenX, e.screenY]; });

function movedByHand(e) {
  // Called before the document's listener records this event: the same screen position means the page moved
  // (scrolling), not the hand.
  return e.pointerType === "mouse" && !(lastPointer && lastPointer[0] === e.screenX && lastPointer[1] === e.screenY);
}

function wide() {
  return window.matchMedia("(min-width: 1100px)").matches;
}

function preview(i) {
  hovered = i;
  highlight();
}

function pick(i, from) {
  picked = i;
  hovered = null;
  highlight();
  if (i === null) return;
  if (from === "ring") {
    const row = document.querySelector(`#lesions tbody tr[data-i="${i}"]`);
    if (row) row.scrollIntoView({block: "nearest"});
  } else if (from === "row" && !wide()) {
    const ring = document.querySelector(`#g-lesions .ring[data-i="${i}"]`);
    if (ring) $("stage").scrollIntoView({block: "nearest"});
  }
}

function highlight() {
  const shown = hovered !== null ? hovered : picked;
  const small = scale * ringStroke() * 8 < LABEL_PX;
  document.querySelectorAll("#g-lesions .ring").forEach((ring) => {
    const on = ring.dataset.i === String(shown);
    ring.classList.toggle("picked", on);
    const k = on ? 2.2 : 1;
    ring.querySelector(".halo").setAttribute("stroke-width", Number(ring.dataset.stroke) * 2.2 * k);
    ring.querySelector(".colour").setAttribute("stroke-width", Number(ring.dataset.stroke) * k);
    const label = ring.querySelector("text");
    label.style.display = small && !on ? "none" : "";
    label.setAttribute("font-size", on ? Math.max(ringStroke() * 8, 16 / scale) : ringStroke() * 8);
  });
  document.querySelectorAll("#lesions tbody tr").forEach((row) => {
    row.classList.toggle("picked", row.dataset.i === String(picked));
    row.classList.toggle("hover", hovered !== null && row.dataset.i === String(hovered));
  });
}

function ringStroke() {
  const img = current ? current.doc.image : {width: 400, height: 400};
  return Math.max(1.5, Math.max(img.width, img.height) / 400);
}

// The photo fitted to its column and the screen, small photos scaled up (at most 4x), the rings with it; a ring's
// tap target at least 24 px across on screen whatever the scale.
function layoutStage() {
  if (!current) return;
  const {width: w, height: h} = current.doc.image;
  const column = $("viewer").clientWidth || w;
  const maxH = wide() ? window.innerHeight - 70 : window.innerHeight * 0.75;
  scale = Math.min(column / w, maxH / h, 4);
  $("stage").style.width = `${Math.floor(w * scale)}px`;
  $("stage").style.height = `${Math.floor(h * scale)}px`;
  document.querySelectorAll("#g-lesions .ring").forEach((ring) => {
    ring.querySelector(".hit").setAttribute("r", Math.max(Number(ring.dataset.r), HIT_PX / scale));
  });
  highlight();
}
window.addEventListener("resize", layoutStage);

// A click or tap on the photo picks the ring nearest to it within its tap target: overlapping rings and their
// labels never pick a neighbour's row.
$("stage").addEventListener("click", (e) => {
  if (!current || !$("layer-lesions").checked) return;
  const box = $("stage").getBoundingClientRect();
  const x = (e.clientX - box.left) / scale;
  const y = (e.clientY - box.top) / scale;
  let best = null;
  let bestD = Infinity;
  current.doc.lesions.forEach((l, i) => {
    const d = Math.hypot(l.center[0] - x, l.center[1] - y);
    if (d <= Math.max(Math.max(3, l.radius_px), HIT_PX / scale) && d < bestD) { best = i; bestD = d; }
  });
  if (best !== null) pick(best, "ring");
});

$("table-wrap").addEventListener("pointerleave", () => { if (hovered !== null) preview(null); });

function drawOverlay(doc) {
  const svg = $("overlay");
  const ns = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs) => {
    const node = document.createElementNS(ns, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };
  svg.setAttribute("viewBox", `0 0 ${doc.image.width} ${doc.image.height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  const stroke = ringStroke();
  const spots = svgEl("g", {id: "g-dark-spots", "aria-hidden": "true"});
  doc.dark_spots.forEach((d) => spots.append(svgEl("circle", {cx: d.center[0], cy: d.center[1],
    r: Math.max(2, d.radius_px + 1), fill: "none", stroke: "#00dcff", "stroke-width": stroke * 0.7})));
  const face = svgEl("g", {id: "g-face", "aria-hidden": "true"});
  if (doc.face && doc.face.found && doc.face.danger_triangle) {  // the danger triangle drawn from the landmarks
    face.append(svgEl("polygon", {points: doc.face.danger_triangle.map((p) => p.join(",")).join(" "), fill: "none",
      stroke: "#ff5050", "stroke-width": stroke}));
  }
  const lesions = svgEl("g", {id: "g-lesions"});
  // In number order, so Tab goes 1, 2, 3...; a click picks by distance, not by which ring is drawn on top.
  doc.lesions.forEach((l, i) => {
    const style = typeStyle(l.type);
    const r = Math.max(3, l.radius_px);
    const [cx, cy] = l.center;
    const leave = l.advice === "do_not_extract";  // dashed, with a cross and a × after its number: reads without colour
    const ring = svgEl("g", {class: "ring", tabindex: "0", role: "button",
      "aria-label": `Lesion ${i + 1}: ${l.type_summary || style.name}, ${adviceWords(l).replace(/^\S+ /, "")}`});
    ring.dataset.i = String(i);
    ring.dataset.r = String(r);
    ring.dataset.stroke = String(stroke * 1.4);
    ring.dataset.advice = l.advice || "";
    // A light halo under the coloured ring keeps it visible on dark skin and on its own colour.
    const hit = svgEl("circle", {class: "hit", cx, cy, r, fill: "transparent", stroke: "none"});
    const halo = svgEl("circle", {class: "halo", cx, cy, r, fill: "none", stroke: "#fff", "stroke-opacity": "0.85",
      "stroke-width": stroke * 1.4 * 2.2});
    const c = svgEl("circle", {class: "colour", cx, cy, r, fill: "none", stroke: style.colour, "stroke-width": stroke * 1.4});
    if (leave) c.setAttribute("stroke-dasharray", `${stroke * 3} ${stroke * 2}`);
    const label = svgEl("text", {x: cx + r + 2, y: cy - r, fill: style.colour, "font-size": stroke * 8,
      "paint-order": "stroke", stroke: "#000", "stroke-width": stroke * 0.8});
    label.textContent = `${i + 1}${style.letter}${leave ? "\u00d7" : ""}`;
    const title = svgEl("title", {});
    title.textContent = `${i + 1}: ${l.type_summary || style.name}${l.advice_why ? ` \u2014 ${l.advice_why}` : ""}`;
    ring.append(title, hit, halo, c);
    if (leave) {  // a small × on the ring's upper-left edge, white on a dark outline (as on the annotated image)
      const d = Math.max(3, r / 3);
      const x0 = cx - r * 0.7;
      const y0 = cy - r * 0.7;
      [["#000", stroke * 1.6], ["#fff", stroke * 0.8]].forEach(([colour, width]) => {
        ring.append(svgEl("path", {d: `M${x0 - d},${y0 - d}L${x0 + d},${y0 + d}M${x0 - d},${y0 + d}L${x0 + d},${y0 - d}`,
          stroke: colour, "stroke-width": width, fill: "none", class: "cross"}));
      });
    }
    ring.append(label);
    ring.addEventListener("focus", () => pick(i, "ring"));
    ring.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(i, "ring"); } });
    lesions.append(ring);
  });
  svg.replaceChildren(face, spots, lesions);
  const shown = [...new Set(doc.lesions.map((l) => l.type))];
  $("ring-legend").replaceChildren(...(shown.length ? [el("span", "Rings: ")] : []), ...shown.map((t) => {
    const st = typeStyle(t);
    const item = el("span", ` ${st.letter} ${st.name} `, "legend-item");
    item.style.borderLeft = `12px solid ${st.colour}`;
    return item;
  }), ...(doc.lesions.some((l) => l.advice === "do_not_extract") ? [el("span", " dashed ring with a \u00d7: leave alone, do not extract ", "legend-note")] : []));
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
