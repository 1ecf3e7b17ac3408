"""Response models, so the OpenAPI schema says what each route really returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from comedo.schema import AnalysisDocument

__all__ = ["Health", "AnalysisResponse", "HistoryRowOut", "HistoryResponse", "ComparisonResponse"]


class Health(BaseModel):
    status: str
    version: str
    rss_mb: float | None = Field(description="the server's resident memory (what comedo load-test reports)")


class AnalysisResponse(AnalysisDocument):
    """The analysis document, with the id the page uses to fetch its images and report."""

    id: str
    stored_id: int | None = Field(None, description="the history row's id, when a subject was given")


class HistoryRowOut(BaseModel):
    analysis_id: int
    created_at: datetime
    lesion_count: int
    non_inflammatory: int
    papules_pustules: int
    nodules_cysts: int
    hayashi_grade: int | None = Field(description="null for a close-up (not graded)")
    iga_grade: int | None
    nice_band: str | None
    irritation: str
    delta_a_p90: float | None
    dark_spot_count: int
    triage_level: str | None
    photo_sha256: str
    comedo_version: str
    estimated_lesion_count: int | None


class HistoryResponse(BaseModel):
    subject: str
    analyses: list[HistoryRowOut]


class Registration(BaseModel):
    ok: bool
    confidence: float
    reason: str
    mirrored: bool
    inliers: int
    matches: int
    overlap: float
    ecc_correlation: float | None
    homography: list[list[float]] | None


class ComparisonResponse(BaseModel):
    """comparison.json (``comedo compare``), with the id of its images."""

    id: str
    schema_version: str
    before: dict[str, str]
    after: dict[str, str]
    registration: Registration
    lesions: dict[str, int] | None = Field(description="resolved, persisting, new...; null when not registered")
    pairs: list[dict[str, object]]
    persisting_faded: list[dict[str, object]]
    resolved: list[dict[str, object]]
    new: list[dict[str, object]]
    out_of_view: dict[str, list[int]]
    redness: dict[str, float | None] | None
    disclaimer: str
