"""The HTML templates shipped with the package (``comedo/render/templates``): Jinja2 with autoescape on, so
escaping cannot be forgotten, and the few filters that turn document values into words."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["render", "stylesheet", "evidence_words"]


def words(value: Any) -> str:
    """A code as words: "mild_to_moderate" -> "mild to moderate"; booleans as yes / no; lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(words(v) for v in value)
    return str(value).replace("_", " ")


def evidence_words(evidence: dict[str, Any]) -> str:
    """Evidence in words: "recurring: yes", "types seen in photo: nodule, cyst", "size mm: 14"."""
    return ", ".join(f"{k.replace('_', ' ')}: {words(v)}" for k, v in evidence.items())


def lesion_size(lesion: dict[str, Any]) -> str:
    return f"{lesion['diameter_mm']} mm" if lesion["diameter_mm"] is not None else f"{2 * lesion['radius_px']:.0f} px"


def lesion_kind(lesion: dict[str, Any]) -> str:
    return lesion.get("type_summary") or words(lesion["type"] or "-")


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("comedo.render", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(words=words, evidence=evidence_words, size=lesion_size, kind=lesion_kind)
    return env


def render(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context`` (every value escaped unless marked safe)."""
    return _environment().get_template(name).render(**context)


def stylesheet(name: str = "report.css") -> str:
    return (resources.files("comedo.render") / "templates" / name).read_text(encoding="utf-8")
