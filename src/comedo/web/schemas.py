"""Response models, so the OpenAPI schema says what each route really returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from comedo.schema import AnalysisDocument
from comedo.store.rows import HistoryRow

__all__ = ["Health", "AnalysisResponse", "HistoryResponse", "ComparisonResponse", "StoredPair"]


class Health(BaseModel):
    status: str
    version: str
    rss_mb: float | None = Field(description="the server's resident memory (what comedo load-test reports)")
    rss_peak_mb: float | None = Field(None, description="the most resident memory the server has held since it "
                                                        "started (Linux VmHWM)")


class AnalysisResponse(AnalysisDocument):
    """The analysis document, with the id the page uses to fetch its images and report."""

    id: str
    stored_id: int | None = Field(None, description="the history row's id, when a subject was given")


class HistoryResponse(BaseModel):
    subject: str
    analyses: list[HistoryRow]  # the store's own rows: one definition of the fields


class StoredPair(BaseModel):
    """Two stored analyses of one subject to compare (ids from its history), earlier first."""

    subject: str = Field(max_length=64)
    before: int = Field(ge=1)
    after: int = Field(ge=1)


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
