"""The rows the store hands out, as plain values (no SQLAlchemy), so the web app can declare them in its schema
without loading the database layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["HistoryRow"]


@dataclass(frozen=True)
class HistoryRow:
    analysis_id: int
    created_at: datetime
    lesion_count: int
    non_inflammatory: int
    papules_pustules: int
    nodules_cysts: int
    hayashi_grade: int | None  # None for a close-up (not graded)
    iga_grade: int | None
    nice_band: str | None
    irritation: str
    delta_a_p90: float | None
    dark_spot_count: int
    triage_level: str | None
    photo_sha256: str
    comedo_version: str = "?"  # the version that made the analysis: figures can change between versions
    estimated_lesion_count: int | None = None  # the grade model's full-count estimate (0.3.0 on, wider views)
    # With a face map (0.8.0 on): lesions per face zone, None for a zone not visible in that photo; and GAGS.
    zone_lesions: dict[str, int | None] | None = None
    gags_score: int | None = None
    # The largest lesion's diameter in mm (its own outline from 1.2; the ring before), None without a scale.
    largest_lesion_mm: float | None = None
