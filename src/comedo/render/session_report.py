"""HTML report of an extraction session: the steps with photos, the before/after
comparison of the first and last photos, and the aftercare given."""

from __future__ import annotations

import html
from typing import Any

__all__ = ["session_report_html"]


def _e(v: Any) -> str:
    return html.escape(str(v))


def session_report_html(store: Any, session_id: str) -> str:
    import cv2

    from comedo.explain.advice import EXTRACTION_STEPS
    from comedo.render.compare_images import side_by_side
    from comedo.render.html_templates import stylesheet
    from comedo.render.images import data_uri, png_bytes
    from comedo.workflows.compare import compare, comparison_document

    info = store.session_info(session_id)
    photos: list[tuple[str, str, int | None]] = []  # (label, photo sha256, stored analysis id)
    if info["analysis_id"] is not None:
        doc = store.document(info["analysis_id"])
        photos.append(("before", doc["image"]["sha256"], info["analysis_id"]))
    for s in info["steps"]:
        if s["photo_sha256"]:
            photos.append((s["step"], s["photo_sha256"], s["analysis_id"]))
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
             f"content='width=device-width, initial-scale=1'><title>Extraction session {_e(session_id)}</title>"
             f"<style>{stylesheet()}</style></head><body><h1>Extraction session {_e(session_id)}</h1>"
             f"<div class='muted'>subject {_e(info['subject_id'])} &middot; started "
             f"{_e(info['started_at'].strftime('%Y-%m-%d %H:%M'))}</div>",
             "<p class='disclaimer'>comedo is not a medical device. This is a record of a procedure, not advice "
             "that it was appropriate.</p>"]
    if info["extraction_advice"]:
        verdict = "do not extract" if info["extraction_advice"] == "do_not_extract" else "ok with care"
        parts.append(f"<h2>Advice before starting: {verdict}</h2><ul>"
                     + "".join(f"<li>{_e(w)}</li>" for w in info["advice_why"]) + "</ul>")
    parts.append("<h2>Steps</h2><table><tr><th>#</th><th>step</th><th>time</th><th>note</th><th>override</th></tr>")
    for s in info["steps"]:
        parts.append(f"<tr><td>{s['seq']}</td><td>{_e(s['step'].replace('_', ' '))}</td>"
                     f"<td>{_e(s['created_at'].strftime('%H:%M:%S'))}</td><td>{_e(s['note'] or '')}</td>"
                     f"<td>{_e(s['override_reason'] or '')}</td></tr>")
    parts.append("</table>")
    if photos:
        parts.append("<h2>Photos</h2><div class='grid'>")
        for label, sha, _ in photos:
            img = cv2.imread(str(store.photo_path(sha)))[..., ::-1]
            scale = min(1.0, 480 / max(img.shape[:2]))
            small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            parts.append(f"<div class='card'>{_e(label.replace('_', ' '))}<img class='photo' alt='{_e(label)}' "
                         f"src='{data_uri(png_bytes(small), 'image/png')}'></div>")
        parts.append("</div>")
    if len(photos) >= 2 and photos[0][2] is not None and photos[-1][2] is not None:
        # The stored analyses, read back: the report shows what was measured then, without analysing again.
        first, last = store.analysis(photos[0][2]), store.analysis(photos[-1][2])
        comp = compare(first, last)
        doc = comparison_document(first, last, comp)
        parts.append(f"<h2>Before and after ({_e(photos[0][0])} vs {_e(photos[-1][0].replace('_', ' '))})</h2>")
        if comp.registration.ok:
            c = doc["lesions"]
            parts.append(f"<p>Resolved {c['resolved']}, persisting {c['persisting']}, new {c['new']}; redness "
                         f"p90 change {doc['redness']['change_delta_a_p90']} a* units.</p>"
                         f"<img class='photo' alt='before and after' "
                         f"src='{data_uri(png_bytes(side_by_side(first, last, comp, height=400)), 'image/png')}'>")
        else:
            parts.append(f"<p>No comparison: {_e(comp.registration.reason)}.</p>")
    parts.append("<h2>Aftercare</h2><p>" + _e(dict(EXTRACTION_STEPS)["aftercare"]) + "</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
