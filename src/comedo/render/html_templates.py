"""The HTML templates shipped with the package (``comedo/render/templates``): Jinja2 with autoescape on, so
escaping cannot be forgotten, and the few filters that turn document values into words."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["render", "stylesheet", "evidence_words", "photo_date"]


def words(value: Any) -> str:
    """A code as words: "mild_to_moderate" -> "mild to moderate"; booleans as yes / no; lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(words(v) for v in value)
    if isinstance(value, dict):  # {"lesions": 1, "inflamed_or_not_known": 1} -> "lesions 1, inflamed or not known 1"
        return ", ".join(f"{words(k)} {words(v)}" for k, v in value.items())
    return str(value).replace("_", " ")


def evidence_words(evidence: dict[str, Any]) -> str:
    """Evidence in words: "recurring: yes", "types seen in photo: nodule, cyst", "size mm: 14"."""
    return ", ".join(f"{k.replace('_', ' ')}: {words(v)}" for k, v in evidence.items())


# How a reported answer reads in a report ("size: 14 mm", "present for: 12 days"); the rest is "key: value".
_REPORTED = {"size_mm": ("size", " mm"), "days_present": ("present for", " days"),
             "treatment_weeks_without_improvement": ("weeks of treatment without improvement", ""),
             "location": ("where", ""), "lesion_type": ("what the person says it is", "")}


def reported_words(answers: dict[str, Any]) -> list[str]:
    """The questionnaire as the person gave it, one item each, in words ("warm: yes", "size: 14 mm")."""
    items = []
    for key, value in answers.items():
        if value is None:
            continue
        label, unit = _REPORTED.get(key, (key.replace("_", " "), ""))
        items.append(f"{label}: {words(value)}{unit}")
    return items


SIZE_WORDS = ((0.015, "tiny"), (0.03, "small"), (0.06, "medium"))  # diameter / the photo's short side


def size_in_words(diameter_px: float, short_side_px: int) -> str:
    """A lesion's size against the photo when no scale is known: tiny, small, medium or large."""
    share = diameter_px / max(short_side_px, 1)
    return next((word for limit, word in SIZE_WORDS if share < limit), "large")


def lesion_size(lesion: dict[str, Any], short_side_px: int) -> str:
    """mm when the photo's scale is known; otherwise pixels with the size in words ("38 px, small"); the lesion's
    own outline (``diameter_px``, 1.2) where the document has it, else its ring."""
    if lesion["diameter_mm"] is not None:
        return f"{lesion['diameter_mm']:.1f} mm"
    diameter = lesion.get("diameter_px") or 2 * lesion["radius_px"]
    return f"{diameter:.0f} px, {size_in_words(diameter, short_side_px)}"


def lesion_kind(lesion: dict[str, Any]) -> str:
    return lesion.get("type_summary") or words(lesion["type"] or "-")


def css_string(value: Any) -> str:
    """Text safe inside a CSS string (the printed page's footer): letters, digits, space, dot, dash, underscore;
    anything else is dropped (subject ids are pseudonyms of those characters anyway)."""
    return "".join(ch for ch in str(value) if ch.isalnum() or ch in " ._-")[:64]


def photo_date(taken_at: str | None) -> str:
    """The EXIF capture time in words for a header: "2026-05-02 14:03" (with its UTC offset), or "unknown"."""
    if not taken_at:
        return "unknown (no date in the photo)"
    date, _, rest = taken_at.partition("T")
    return f"{date} {rest[:5]}{(' UTC' + rest[8:]) if len(rest) > 8 else ''}"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("comedo.render", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(words=words, evidence=evidence_words, size=lesion_size, kind=lesion_kind, css_string=css_string,
                       reported=reported_words)
    return env


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` (every value escaped unless marked safe)."""
    return _environment().get_template(name).render(**context)


def stylesheet(name: str = "report.css") -> str:
    return (resources.files("comedo.render") / "templates" / name).read_text(encoding="utf-8")
