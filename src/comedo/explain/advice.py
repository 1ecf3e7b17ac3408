"""The advice a person is given, under the names the rest of comedo has always imported: the verdict
(``comedo.explain.verdict``) is the report, the care plan (``comedo.explain.care``) and the extraction advice
(``comedo.explain.extraction``). Kept as one import point so callers need not know how the decision is split."""

from __future__ import annotations

from comedo.explain.care import LEVEL_TEXT, CareTip, care_plan
from comedo.explain.extraction import (
           DANGER_TRIANGLE,
           EXTRACTION_STEPS,
           INFLAMED_SHARE_STOP,
           Extraction,
           Said,
           extraction_advice,
)
from comedo.explain.reasons import reason_text
from comedo.explain.verdict import Verdict, derive_verdict

__all__ = ["reason_text", "LEVEL_TEXT", "CareTip", "care_plan", "Extraction", "Said", "extraction_advice",
           "EXTRACTION_STEPS", "INFLAMED_SHARE_STOP", "DANGER_TRIANGLE", "TriageReport", "build_report", "Verdict",
           "derive_verdict"]

TriageReport = Verdict  # the name 0.x used
build_report = derive_verdict
