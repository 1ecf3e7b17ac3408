"""HTML report of an extraction session: the steps with photos, the before/after
comparison of the first and last photos, and the aftercare given."""

from __future__ import annotations

from typing import Any

__all__ = ["session_report_html"]


def session_report_html(store: Any, session_id: str) -> str:
    """The page of a stored session; the page is the Jinja2 template ``templates/session.html.j2``."""
    import cv2

    from comedo.explain.advice import EXTRACTION_STEPS
    from comedo.render.compare_images import side_by_side
    from comedo.render.html_templates import render, stylesheet
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
    thumbs = []
    for label, sha, _ in photos:
        img = cv2.imread(str(store.photo_path(sha)))[..., ::-1]
        scale = min(1.0, 480 / max(img.shape[:2]))
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        thumbs.append((label, data_uri(png_bytes(small), "image/png")))
    comparison = None
    if len(photos) >= 2 and photos[0][2] is not None and photos[-1][2] is not None:
        # The stored analyses, read back: the report shows what was measured then, without analysing again.
        first, last = store.analysis(photos[0][2]), store.analysis(photos[-1][2])
        comp = compare(first, last)
        doc = comparison_document(first, last, comp)
        comparison = {"first": photos[0][0], "last": photos[-1][0], "ok": comp.registration.ok,
                      "reason": comp.registration.reason, "counts": doc["lesions"],
                      "redness_change": doc["redness"]["change_delta_a_p90"],
                      "image_uri": data_uri(png_bytes(side_by_side(first, last, comp, height=400)), "image/png")
                      if comp.registration.ok else None}
    return render("session.html.j2", css=stylesheet(), session_id=session_id, info=info, photos=thumbs,
                  comparison=comparison, aftercare=dict(EXTRACTION_STEPS)["aftercare"])
