"""The document's face map and GAGS: zones, the danger triangle and the landmarks, on wider views only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["ZoneOut", "FaceOut", "GagsTermOut", "GagsOut"]

ZoneName = Literal["forehead", "right_cheek", "left_cheek", "nose", "chin"]


class ZoneOut(BaseModel):
    name: ZoneName = Field(description="the subject's left and right (a normal photo shows the right cheek on the "
                                       "image's left)")
    visible: bool = Field(description="false for a zone the photo does not show (a cheek turned away), which is not "
                                      "the same as clear")
    coverage: float | None = Field(None, ge=0, le=1, description="share of the zone in view: its outline inside the "
                                   "frame, times for a cheek its area over the other's; under 0.75 it is partly "
                                   "seen (1.2; null in older documents)")
    area_px: int = Field(description="skin pixels of the zone, in pixels of the oriented photo")
    lesions: int
    by_type: dict[str, int] = Field(description="lesion counts by type; 'untyped' for lesions with no type")
    redness_delta_a_p90: float | None = Field(description="90th percentile of Delta a* over the zone's skin")


class FaceOut(BaseModel):
    found: bool
    reason: Literal["close_up", "no_face", "not_installed"] | None = Field(
        None, description="why there is no face map (null when found)")
    reason_text: str | None = None
    detection_score: float | None = None
    presence: float | None = Field(None, description="the face mesh's own face-presence probability")
    box: list[float] | None = Field(None, description="[x, y, w, h] of the face's landmarks, photo pixels")
    quarter_turns: int = Field(0, description="counter-clockwise quarter turns the photo needed to find the face")
    zones: list[ZoneOut] = Field(default_factory=list)
    danger_triangle: list[list[float]] | None = Field(
        None, description="[[x, y]] of the nasal bridge and the two corners of the mouth, photo pixels")
    lesions_in_danger_triangle: int = 0
    landmarks: list[list[float]] | None = Field(
        None, description="the 468 MediaPipe Face Mesh landmarks [x, y] in photo pixels (0.1 px)")


class GagsTermOut(BaseModel):
    zone: ZoneName
    factor: int
    visible: bool
    lesions: int
    worst: str | None = Field(description="the worst lesion's type ('untyped': counted as a papule), null if none")
    points: int = Field(ge=0, le=4)
    term: int


class GagsOut(BaseModel):
    score: int = Field(ge=0, le=32, description="the five facial zones' terms (a face photo's maximum is 32)")
    label: Literal["clear", "mild", "moderate", "severe", "very_severe"]
    text: str
    terms: list[GagsTermOut]
    untyped_counted_as_papules: int
    partial: bool = Field(False, description="a zone is hidden, so the score covers only the zones shown (1.2)")
    not_visible: list[str] = Field(description="zones the photo does not show: not scored, not clear")
    partly_seen: list[str] = Field(default_factory=list, description="zones partly out of view (cut by the frame or "
                                   "foreshortened): scored on what shows, a lower bound, not clear (1.2)")
    not_scored: list[str] = Field(description="regions of GAGS outside a face photo (chest, upper back)")
