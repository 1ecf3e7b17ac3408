"""The contradiction scan: does one answer say one thing? Counted on analysis documents, photo by photo.

Four kinds, each counted on its own (issue 32), read from the JSON document alone so documents of every schema
version since 1.1 are scored the same way:

1. ``deep_self_care``: the photo's type, or a ringed (listed) lesion's type, is a nodule or cyst above its
   calibrated threshold (``lesion_type.group == "deep"``: the deep group's probability reached the card's
   ``group_min_confidence``, fitted on the training folder's held-out families; or a lesion typed nodule/cyst),
   and the triage is self-care;
2. ``ok_without_extractable_ring``: the photo's extraction advice is ``ok_with_care`` and no listed lesion's is;
3. ``reasons_without_lesions``: a photo with no lesion whose triage reasons or extraction reasons claim the photo
   shows spots, comedones or redness around them (``CLAIMS``), or, on a wider view, a deep lesion "not ruled out";
4. ``graded_without_lesions``: a photo with no lesion graded moderate or worse on any scale (Hayashi grade 1 or
   more, IGA 3 or more, NICE moderate-to-severe, GAGS 19 or more).

Beside them, the triage mix per folder label: how many photos are triaged routine or higher, and how many are
offered the extraction protocol.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["KINDS", "CLAIMS", "contradictions", "VerdictRow", "scan_photo", "summarise", "photo_label",
           "canonical_label"]

KINDS = ("deep_self_care", "ok_without_extractable_ring", "reasons_without_lesions", "graded_without_lesions")
# Phrases that claim the photo shows lesions (the wording of 0.9.1 and of the verdict alike).
CLAIMS = re.compile(r"photo shows|close-up shows|comedones? marked|redness around|of its spots|inflamed spots|"
                    r"mostly (?:inflamed|deep)|seen in the photo|spots? (?:lie|lies) in", re.IGNORECASE)
NOT_RULED_OUT = re.compile(r"not ruled out", re.IGNORECASE)
DEEP = frozenset({"nodule", "cyst"})
ROUTINE_OR_HIGHER = frozenset({"routine", "soon", "urgent"})


def _reason_texts(doc: Mapping[str, Any]) -> list[str]:
    triage = doc.get("triage") or {}
    texts = [str(r.get("text", "")) for r in triage.get("reasons") or ()]
    texts += [str(w) for w in (doc.get("extraction") or {}).get("why") or ()]
    verdict = doc.get("verdict") or {}
    texts += [str(r.get("text", "")) for r in verdict.get("reasons") or ()]
    return texts


def deep_likely(doc: Mapping[str, Any]) -> bool:
    """The photo's type or a listed lesion's type is a nodule or cyst above its threshold."""
    photo = doc.get("lesion_type") or {}
    if photo.get("group") == "deep" or photo.get("label") in DEEP:
        return True
    return any(lesion.get("type") in DEEP for lesion in doc.get("lesions") or ())


def _graded_moderate(severity: Mapping[str, Any]) -> bool:
    hayashi, iga = severity.get("hayashi") or {}, severity.get("iga") or {}
    nice, gags = severity.get("nice") or {}, severity.get("gags") or {}
    return (int(hayashi.get("grade", 0)) >= 1 or int(iga.get("grade", 0)) >= 3
            or nice.get("band") == "moderate_to_severe" or int(gags.get("score", 0)) >= 19)


def contradictions(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The kinds (``KINDS``) of contradiction one analysis document has, in ``KINDS`` order."""
    lesions = doc.get("lesions") or []
    level = (doc.get("triage") or {}).get("level")
    advice = (doc.get("extraction") or {}).get("advice")
    wide = (doc.get("scene") or {}).get("view") != "close_up"
    found = []
    if deep_likely(doc) and level == "self_care":
        found.append("deep_self_care")
    if advice == "ok_with_care" and not any(lesion.get("advice") == "ok_with_care" for lesion in lesions):
        found.append("ok_without_extractable_ring")
    if not lesions and any(CLAIMS.search(t) or (wide and NOT_RULED_OUT.search(t)) for t in _reason_texts(doc)):
        found.append("reasons_without_lesions")
    if not lesions and _graded_moderate(doc.get("severity") or {}):
        found.append("graded_without_lesions")
    return tuple(found)


@dataclass(frozen=True)
class VerdictRow:
    """One photo's answer, as much as the scan needs."""

    path: str
    folder: str  # the folder given on the command line
    label: str  # the photo's folder label (its type folder, or its labels in a labels.csv beside the images)
    view: str | None
    lesions: int
    level: str | None
    protocol: bool
    kinds: tuple[str, ...]


_LABEL_FILES: dict[Path, dict[str, str]] = {}


def _labels_beside(folder: Path) -> dict[str, str]:
    """A ``labels.csv`` (file, photo, labels) in the images folder's parent: file name -> its labels, lowercased."""
    if folder not in _LABEL_FILES:
        import csv

        table: dict[str, str] = {}
        csv_path = folder.parent / "labels.csv"
        if csv_path.is_file():
            with csv_path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    if row.get("file") and row.get("labels") is not None:
                        table[row["file"]] = row["labels"].lower()
        _LABEL_FILES[folder] = table
    return _LABEL_FILES[folder]


def photo_label(path: Path) -> str:
    """The folder label of a photo: its labels from a ``labels.csv`` beside its folder, else its folder's name."""
    return _labels_beside(path.parent).get(path.name, path.parent.name.lower())


def canonical_label(label: str, aliases: Mapping[str, Iterable[str]]) -> str | None:
    """The lesion type a single folder label names (``blackhead`` -> ``open_comedo``, ``cystic`` -> ``cyst``) by
    ``aliases`` (type -> folder names), None for anything else (several labels, a face folder)."""
    key = "_".join(label.strip().lower().replace("-", " ").split())
    return next((name for name, names in aliases.items() if key in names), None)


def scan_photo(path: Path, folder: str) -> VerdictRow:
    """Analyse one photo as a user would and keep its level, advice and contradictions."""
    from comedo.pipeline import analyze
    from comedo.schema import to_document

    doc = to_document(analyze(path)).model_dump(mode="json")
    return VerdictRow(str(path), folder, photo_label(path), (doc.get("scene") or {}).get("view"),
                      len(doc["lesions"]), (doc.get("triage") or {}).get("level"),
                      (doc.get("extraction") or {}).get("advice") == "ok_with_care", contradictions(doc))


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def summarise(rows: Iterable[VerdictRow], aliases: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """Counts of each kind (overall and per folder), photos with any, and the triage mix per label and per type
    (``aliases``: type -> the folder names that mean it)."""
    rows = list(rows)
    kinds = Counter(k for r in rows for k in r.kinds)
    per_folder: dict[str, Counter[str]] = defaultdict(Counter)
    mix: dict[str, dict[str, int]] = defaultdict(lambda: {"photos": 0, "routine_or_higher": 0, "protocol": 0})
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: {"photos": 0, "routine_or_higher": 0, "protocol": 0})
    for r in rows:
        per_folder[r.folder]["photos"] += 1
        per_folder[r.folder].update(r.kinds)
        for table, key in ((mix, f"{Path(r.folder).name}/{r.label}"), (by_type, canonical_label(r.label, aliases))):
            if key is None:
                continue
            table[key]["photos"] += 1
            table[key]["routine_or_higher"] += r.level in ROUTINE_OR_HIGHER
            table[key]["protocol"] += r.protocol

    def with_shares(table: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, Any]]:
        return {k: {**v, "routine_or_higher_share": _share(v["routine_or_higher"], v["photos"]),
                    "protocol_share": _share(v["protocol"], v["photos"])} for k, v in sorted(table.items())}

    def pooled(names: tuple[str, ...], key: str) -> float | None:
        return _share(sum(by_type[n][key] for n in names if n in by_type),
                      sum(by_type[n]["photos"] for n in names if n in by_type))

    return {
        "photos": len(rows),
        "contradictions": {k: kinds[k] for k in KINDS},
        "photos_with_any": sum(bool(r.kinds) for r in rows),
        "per_folder": {f: {k: c[k] for k in ("photos", *KINDS)} for f, c in sorted(per_folder.items())},
        "headline": {
            "deep_routine_or_higher": pooled(("nodule", "cyst"), "routine_or_higher"),
            "comedo_routine_or_higher": pooled(("open_comedo", "closed_comedo"), "routine_or_higher"),
            "comedo_protocol": pooled(("open_comedo", "closed_comedo"), "protocol"),
        },
        "by_type": with_shares(by_type),
        "by_label": with_shares(mix),
    }


def row_dict(row: VerdictRow) -> dict[str, Any]:
    """A row as JSON."""
    return asdict(row)
