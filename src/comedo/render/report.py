"""The self-contained HTML report: one file, images inline, readable on screen
and on paper. Built from the same JSON document every other output uses, so
the report never says anything the JSON does not."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

from comedo.types import Analysis

__all__ = ["report_html", "LEVEL_COLOURS"]

LEVEL_COLOURS = {"self_care": "#1b7f3b", "routine": "#9a6b00", "soon": "#c2410c", "urgent": "#b91c1c"}

_CSS = """
:root { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: #1f2328; }
body { max-width: 960px; margin: 0 auto; padding: 16px; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 4px; } h2 { font-size: 1.15rem; margin: 22px 0 8px; border-bottom: 1px solid #ddd; }
.muted { color: #57606a; font-size: .9rem; }
.disclaimer { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; border-radius: 6px; }
.level { color: #fff; padding: 10px 14px; border-radius: 6px; font-weight: 600; font-size: 1.1rem; }
img.photo { max-width: 100%; height: auto; border: 1px solid #ddd; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f8fa; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 8px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.card b { display: block; font-size: 1.2rem; }
ol li, ul li { margin-bottom: 4px; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; }
  table, .card, img { break-inside: avoid; }
  .level { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def report_html(analysis: Analysis, document: dict[str, Any] | None = None) -> str:
    """The report page; ``document`` is the analysis's JSON when the caller has it (serialised once)."""
    from comedo.render.annotate import annotate
    from comedo.render.images import data_uri, png_bytes
    from comedo.schema import to_document

    doc = document if document is not None else to_document(analysis).model_dump(mode="json")
    image_uri = data_uri(png_bytes(annotate(analysis, max_long_side=1200)), "image/png")
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>comedo report: {_e(doc['image']['path'])}</title><style>{_CSS}</style></head><body>",
             f"<h1>Skin photo report</h1><div class='muted'>{_e(doc['image']['path'])} &middot; "
             f"{doc['image']['width']}x{doc['image']['height']} &middot; {created} &middot; comedo "
             f"{_e(doc['provenance'].get('comedo_version', ''))}</div>",
             f"<p class='disclaimer'>{_e(doc['disclaimer'])}</p>"]
    triage = doc.get("triage")
    if triage:
        colour = LEVEL_COLOURS[triage["level"]]
        parts.append(f"<h2>What to do</h2><div class='level' style='background:{colour}'>"
                     f"{_e(triage['level_text'])}</div><ul>")
        parts += [f"<li>{_e(r['text'])}" + (f" <span class='muted'>({_e(_evidence(r['evidence']))})</span>"
                                             if r["evidence"] else "") + "</li>" for r in triage["reasons"]]
        parts.append("</ul>")
    if doc.get("description"):
        parts.append(f"<h2>What the photo shows</h2><p>{_e(doc['description']['text'])}</p>")
        if doc["description"]["lesion_types"]:
            parts.append("<ul>" + "".join(f"<li>{_e(t['text'])}</li>" for t in doc["description"]["lesion_types"])
                         + "</ul>")
    parts.append(f"<img class='photo' alt='annotated photo' src='{image_uri}'>")
    sev = doc["severity"]
    red = doc["redness"]
    hayashi = sev.get("hayashi")
    if hayashi is None:  # a close-up: the whole-face scales are not applied
        scales = (f"<div class='card'>Lesions<b>{len(doc['lesions'])}</b>close-up: not graded</div>"
                  f"<div class='card'>Scales<b>not graded</b>{_e((sev.get('not_graded') or {}).get('text', ''))}"
                  "</div>")
    else:
        estimate = hayashi.get("estimated_count")
        # Only the grade model, which grades wider views only, estimates a full count.
        in_all = f" (about {estimate} in all)" if estimate is not None and estimate != hayashi["lesion_count"] else ""
        sure = f", {max(hayashi['probabilities']):.0%} sure" if hayashi.get("probabilities") else ""
        scales = (f"<div class='card'>Lesions<b>{hayashi['lesion_count']}</b>"
                  f"Hayashi {_e(hayashi['label'].replace('_', ' '))}{sure}{in_all}</div>"
                  f"<div class='card'>IGA<b>{sev['iga']['grade']}</b>{_e(sev['iga']['label'].replace('_', ' '))}</div>"
                  f"<div class='card'>NICE band<b>{_e(sev['nice']['band'].replace('_', ' '))}</b>NG198</div>")
    parts.append("<h2>Measurements</h2><div class='grid'>" + scales
                 + f"<div class='card'>Redness vs own skin<b>{_e(red['irritation'])}</b>"
                 f"p90 &Delta;a* {_e(red['delta_a_p90'])}</div>"
                 f"<div class='card'>Dark spots<b>{len(doc['dark_spots'])}</b>pores, openings, marks</div>"
                 f"<div class='card'>Photo quality<b>{'ok' if doc['quality']['ok'] else 'check'}</b>"
                 f"{_e(', '.join(doc['quality']['flags']) or 'no problems found')}</div></div>")
    if doc["quality"]["hints"]:
        parts.append("<ul>" + "".join(f"<li>{_e(h)}</li>" for h in doc["quality"]["hints"]) + "</ul>")
    if doc["lesions"]:
        parts.append("<h2>Lesions</h2><table><tr><th>#</th><th>centre (x, y)</th><th>size</th><th>type</th>"
                     "<th>score</th><th>redness vs own skin</th></tr>")
        for i, les in enumerate(doc["lesions"], 1):
            size = f"{les['diameter_mm']} mm" if les["diameter_mm"] is not None else f"{2 * les['radius_px']:.0f} px"
            kind = les.get("type_summary") or (les["type"] or "-").replace("_", " ")
            parts.append(f"<tr><td>{i}</td><td>{les['center'][0]:.0f}, {les['center'][1]:.0f}</td><td>{size}</td>"
                         f"<td title='{_e(les.get('type_reason') or '')}'>{_e(kind)}</td><td>{les['score']:.2f}</td>"
                         f"<td>{_e(les['irritation'])}</td></tr>")
        parts.append("</table>")
    ext = doc.get("extraction")
    if ext:
        verdict = "Do not squeeze or extract" if ext["advice"] == "do_not_extract" else "Extraction is ok, with care"
        parts.append(f"<h2>Extraction: {verdict}</h2><ul>" + "".join(f"<li>{_e(w)}</li>" for w in ext["why"])
                     + "</ul>")
        if ext["steps"]:
            parts.append("<ol>" + "".join(f"<li><b>{_e(s['step'].replace('_', ' '))}</b>: {_e(s['text'])}</li>"
                                          for s in ext["steps"]) + "</ol>")
    if doc.get("care_plan"):
        parts.append("<h2>Home care</h2><ul>" + "".join(
            f"<li>{_e(t['text'])} <span class='muted'>{_e(t['why'])}</span></li>" for t in doc["care_plan"])
            + "</ul>")
    prov = doc["provenance"]
    parts.append(f"<h2>About this report</h2><p class='muted'>Detector {_e(prov['detector'].get('name'))}; "
                 f"lesion types {_e((prov.get('lesion_type_model') or {}).get('name', 'not available'))}; "
                 f"score threshold {_e(prov['min_score'])}. Redness is CIELAB a* relative to this person's own "
                 f"unaffected skin. Image sha256 {_e(doc['image']['sha256'][:16])}&hellip;</p>")
    parts.append(f"<p class='disclaimer'>{_e(doc['disclaimer'])}</p></body></html>")
    return "\n".join(parts)


def _evidence(evidence: dict[str, Any]) -> str:
    """Evidence in words: "recurring: yes", "types seen in photo: nodule, cyst", "size mm: 14"."""
    def words(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list | tuple):
            return ", ".join(words(v) for v in value)
        return str(value).replace("_", " ")

    return ", ".join(f"{k.replace('_', ' ')}: {words(v)}" for k, v in evidence.items())
