"""HTML report of an extraction session: the steps with photos, the before/after
comparison of the first and last photos, and the aftercare given."""

from __future__ import annotations

from typing import Any

__all__ = ["session_report_html"]


def session_report_html(store: Any, session_id: str) -> str:
    """The page of a stored session; the page is the Jinja2 template ``templates/session.html.j2``.

    A step photo whose stored file is missing shows "photo missing", and a before/after pair that does not
    show the same skin "not aligned" with the reason: a record of a procedure is still worth reading."""
    from comedo.explain.advice import EXTRACTION_STEPS
    from comedo.render.html_templates import render, stylesheet

    info = store.session_info(session_id)
    photos: list[tuple[str, str, int | None]] = []  # (label, photo sha256, stored analysis id)
    if info["analysis_id"] is not None:
        doc = store.document(info["analysis_id"])
        photos.append(("before", doc["image"]["sha256"], info["analysis_id"]))
    for s in info["steps"]:
        if s["photo_sha256"]:
            photos.append((s["step"], s["photo_sha256"], s["analysis_id"]))
    thumbs = [(label, _thumbnail(store, sha)) for label, sha, _ in photos]
    comparison = None
    if len(photos) >= 2 and photos[0][2] is not None and photos[-1][2] is not None:
        comparison = _comparison(store, photos[0], photos[-1])
    return render("session.html.j2", css=stylesheet(), session_id=session_id, info=info, photos=thumbs,
                  comparison=comparison, aftercare=dict(EXTRACTION_STEPS)["aftercare"])


def _thumbnail(store: Any, sha256: str) -> str | None:
    """The stored photo as a small PNG data URI; None when its file is missing or unreadable."""
    import cv2
    import numpy as np

    from comedo.errors import ComedoError
    from comedo.render.images import data_uri, png_bytes

    try:  # read here, not by cv2.imread: OpenCV prints its own warning on stderr for a missing file
        data = store.photo_path(sha256).read_bytes()
    except (ComedoError, OSError):
        return None
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if img is None:
        return None
    scale = min(1.0, 480 / max(img.shape[:2]))
    small = cv2.resize(img[..., ::-1], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return data_uri(png_bytes(small), "image/png")


def _comparison(store: Any, first: tuple[str, str, int | None], last: tuple[str, str, int | None]) -> dict[str, Any]:
    """The stored analyses of the first and last photos, read back and compared (what was measured then,
    without analysing again); "not aligned" when they do not show the same skin, "photo missing" when a
    stored file is gone."""
    from comedo.errors import ComedoError
    from comedo.render.compare_images import side_by_side
    from comedo.render.images import data_uri, png_bytes
    from comedo.workflows.compare import compare, comparison_document

    base = {"first": first[0], "last": last[0], "ok": False, "missing": False, "reason": None, "counts": None,
            "redness_change": None, "image_uri": None}
    try:
        before, after = store.analysis(first[2]), store.analysis(last[2])
    except ComedoError:
        return {**base, "missing": True, "reason": "photo missing"}
    comp = compare(before, after)
    if not comp.registration.ok:
        return {**base, "reason": f"not aligned ({comp.registration.reason})"}
    doc = comparison_document(before, after, comp)
    redness = doc["redness"] or {}
    return {**base, "ok": True, "counts": doc["lesions"], "redness_change": redness.get("change_delta_a_p90"),
            "image_uri": data_uri(png_bytes(side_by_side(before, after, comp, height=400)), "image/png")}

