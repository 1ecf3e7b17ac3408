"""What the person reports about the spot: the triage questionnaire.

Every key is optional (missing = not reported). Unknown keys and wrong types
are errors, because a typo such as ``"fevr": true`` silently ignored could hide
a red flag.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
)

from comedo.errors import InvalidInputError

__all__ = ["Answers", "load_answers", "parse_answers", "decode_answers", "MAX_ANSWERS_BYTES"]

MAX_ANSWERS_BYTES = 64 * 1024  # the whole questionnaire is a few hundred bytes
_SHOWN = 60  # characters of a bad value shown in a message


class Answers(BaseModel):
    """The triage questionnaire. ``None`` means "not reported"."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    pain: Literal["none", "mild", "severe"] | None = None
    warm: StrictBool | None = Field(None, description="the spot or skin around it feels warm or hot")
    spreading_redness: StrictBool | None = None
    red_streaks: StrictBool | None = Field(None, description="red lines spreading out from the spot")
    pus: StrictBool | None = None
    foul_smell: StrictBool | None = None
    growing_fast: StrictBool | None = None
    size_mm: StrictInt | StrictFloat | None = Field(None, description="size of the lump in millimetres")
    recurring: StrictBool | None = Field(None, description="keeps coming back in the same place")
    days_present: StrictInt | None = Field(None, ge=0)
    home_extraction_tried: StrictBool | None = None
    worse_after_extraction: StrictBool | None = None
    fever: StrictBool | None = None
    joint_pain: StrictBool | None = None
    location: Literal["face_danger_triangle", "near_eye", "face", "body"] | None = None
    eye_swelling_or_vision_change: StrictBool | None = None
    severe_headache: StrictBool | None = None
    immunocompromised_or_diabetes: StrictBool | None = None
    scarring: StrictBool | None = None
    treatment_weeks_without_improvement: StrictInt | None = Field(None, ge=0)
    lesion_type: Literal["open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst", "unsure"] | None = (
        Field(None, description="what the person (or their clinician) says the spot is")
    )

    @field_validator("size_mm")
    @classmethod
    def _plausible_size(cls, value: float | None) -> float | None:
        if value is not None and not (0 <= value <= 500):
            raise ValueError("must be between 0 and 500 mm")
        return value

    def reported(self) -> dict[str, object]:
        """Only the answers that were given."""
        return self.model_dump(exclude_none=True)


def parse_answers(data: object, *, source: str = "answers") -> Answers:
    """Validate a decoded JSON object; raise ``InvalidInputError`` naming the first problem."""
    if data is None:
        return Answers()
    if not isinstance(data, dict):
        raise InvalidInputError(f"{source}: must be a JSON object of answers, got {type(data).__name__}")
    try:
        return Answers.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "(root)"
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(Answers.model_fields)
            raise InvalidInputError(f"{source}: unknown key {_shown(repr(key))} (allowed: {allowed})") from None
        message = str(err["msg"]).removeprefix("Value error, ")
        if key == "size_mm" and err["type"] in ("int_type", "float_type"):
            message = "input should be a number"
        raise InvalidInputError(f"{source}: {_shown(key)}: {message[0].lower()}{message[1:]}; "
                                f"got {_shown(_dumped(err.get('input')))}") from None


def _dumped(value: object) -> str:
    try:
        return json.dumps(value)
    except (ValueError, TypeError, RecursionError):  # a 5,000-digit integer, a deep nesting
        return type(value).__name__


def _shown(text: str) -> str:
    """At most ``_SHOWN`` characters of ``text`` for a message (a 20 MB answer is not echoed back)."""
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}... ({len(text):,} characters)"


def decode_answers(text: str | bytes, *, source: str = "answers") -> Answers:
    """Parse and validate answers given as JSON text; any problem is an ``InvalidInputError`` of one short line
    (oversized text, bad JSON, integers past Python's digit limit, nesting past the recursion limit)."""
    if len(text) > MAX_ANSWERS_BYTES:
        raise InvalidInputError(f"{source}: answers are {len(text):,} bytes, over the {MAX_ANSWERS_BYTES:,}-byte "
                                "limit")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source}: not UTF-8 text") from None
    except RecursionError:
        raise InvalidInputError(f"{source}: nested too deeply to be answers") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise InvalidInputError(f"{source}: not valid answers ({_shown(str(exc))})") from None
    return parse_answers(data, source=source)


def load_answers(path: Path) -> Answers:
    """Read and validate an answers JSON file (a regular file of at most ``MAX_ANSWERS_BYTES``)."""
    from comedo.io import read_bounded

    data = read_bounded(path, str(path), MAX_ANSWERS_BYTES, what="answers file")
    return decode_answers(data, source=str(path))
