"""One flat summary row per analysis document, for every table that lists analyses (batch CSV and Parquet,
the store's indexed columns), so they cannot drift apart."""

from __future__ import annotations

from typing import Any

from comedo.types import LesionType

__all__ = ["summary_row"]


def summary_row(doc: dict[str, Any]) -> dict[str, Any]:
    """One flat row of a document's key figures: the batch summary's columns and the store's indexed ones."""
    sev = doc["severity"]
    counts = {t.value: 0 for t in LesionType}
    untyped = 0
    for lesion in doc["lesions"]:
        if lesion["type"] in counts:
            counts[lesion["type"]] += 1
        else:
            untyped += 1
    return {
        "path": doc["image"]["path"], "sha256": doc["image"]["sha256"], "width": doc["image"]["width"],
        "height": doc["image"]["height"], "lesions": len(doc["lesions"]),
        **{f"n_{k}": v for k, v in counts.items()}, "n_untyped": untyped,
        # Close-ups are not graded (schema 1.1): their scales are null, and so are these cells.
        "hayashi_grade": (sev.get("hayashi") or {}).get("grade"), "iga_grade": (sev.get("iga") or {}).get("grade"),
        "nice_band": (sev.get("nice") or {}).get("band"),
        "irritation": doc["redness"]["irritation"], "delta_a_p90": doc["redness"]["delta_a_p90"],
        "dark_spots": len(doc["dark_spots"]), "triage_level": (doc.get("triage") or {}).get("level"),
        "scene": (doc.get("scene") or {}).get("view"), "quality_flags": ";".join(doc["quality"]["flags"]),
        "error": None,
    }
