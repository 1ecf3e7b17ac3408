"""Export analyses to the formats annotation tools read: COCO, YOLO label files, Label Studio pre-annotations.

A clinic or a researcher can then correct comedo's findings in an annotation tool and use them as training data.
The input is analysis documents (``comedo analyze --out`` JSON files, or a ``comedo batch`` output folder, whose
``results/`` hold one document per photo). Every analysed photo becomes an image entry, with or without lesions;
there is one category per lesion type and one, ``untyped``, for lesions whose type could not be judged.
Coordinates are pixels of the photo as displayed (EXIF orientation applied), as in the documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from comedo.errors import InvalidInputError
from comedo.types import LesionType

__all__ = ["CATEGORIES", "read_documents", "check_document", "to_coco", "to_yolo", "to_labelstudio", "FORMATS"]

FORMATS = ("coco", "yolo", "labelstudio")
CATEGORIES: tuple[str, ...] = (*(t.value for t in LesionType), "untyped")


def _category(lesion: dict[str, Any]) -> str:
    return lesion.get("type") or "untyped"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # not NaN


def check_document(doc: dict[str, Any]) -> str | None:
    """What an export needs and ``doc`` lacks, in words ("image.width is missing"), or None when it has it all.

    A document can pass the shape check (``schema_version``, ``image``, ``lesions``) and still miss a field the
    exports read: an edited file, another program's output, a version from before a field existed."""
    image = doc["image"]
    if not isinstance(image, dict):
        return "image is not an object"
    if not isinstance(image.get("path"), str) or not image["path"]:
        return "image.path is missing" if "path" not in image else "image.path is not a file name"
    for key in ("width", "height"):
        if key not in image:
            return f"image.{key} is missing"
        if not (isinstance(image[key], int) and not isinstance(image[key], bool) and image[key] > 0):
            return f"image.{key} is not a positive whole number (got {image[key]!r:.40})"
    if image.get("sha256") is not None and not isinstance(image["sha256"], str):
        return "image.sha256 is not text"
    if doc.get("provenance") is not None and not isinstance(doc["provenance"], dict):
        return "provenance is not an object"
    if not isinstance(doc["lesions"], list):
        return "lesions is not a list"
    for k, lesion in enumerate(doc["lesions"], 1):
        if not isinstance(lesion, dict):
            return f"lesion {k} is not an object"
        bbox = lesion.get("bbox")
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
            return f"lesion {k}: bbox is missing or not four numbers"
        if not _is_number(lesion.get("score")):
            return f"lesion {k}: score is missing or not a number"
        kind = lesion.get("type")
        if kind is not None and kind not in CATEGORIES:
            return f"lesion {k}: unknown lesion type {kind!r:.40} (known: {', '.join(CATEGORIES)})"
    return None


def read_documents(inputs: Iterable[Path], problems: list[str] | None = None) -> list[dict[str, Any]]:
    """Analysis documents from JSON files and folders (a batch output folder's ``results/``, or any folder of
    analysis JSON files), in a stable order; anything that is not an analysis document is an error naming it.

    With ``problems`` (a list), a document that is unreadable, not an analysis, or lacks a field the exports
    need adds one line naming it there and is left out, so the others are still exported; without it, the
    first such document raises ``InvalidInputError``. No usable document at all raises in both cases."""
    files: list[tuple[Path, bool]] = []  # (path, named by the user rather than found in a folder)
    for item in inputs:
        if item.is_dir():
            folder = item / "results" if (item / "results").is_dir() else item
            files += [(p, False) for p in sorted(folder.glob("*.json"))]
        elif item.is_file():
            files.append((item, True))
        else:
            raise InvalidInputError(f"{item}: not found")
    docs = []

    def bad(message: str) -> None:
        if problems is None:
            raise InvalidInputError(message)
        problems.append(message)

    for path, named in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            bad(f"{path}: not a readable JSON document ({type(exc).__name__})")
            continue
        if not (isinstance(doc, dict) and {"schema_version", "image", "lesions"} <= doc.keys()):
            if named:
                bad(f"{path}: not an analysis document (comedo analyze --out writes those)")
            continue  # a summary, comparison or timeline beside the results in a folder
        problem = check_document(doc)
        if problem is not None:
            bad(f"{path}: cannot export this analysis: {problem}")
            continue
        docs.append(doc)
    if not docs:
        raise InvalidInputError("no analysis documents in the inputs (comedo analyze --out writes them; so does batch)")
    return docs


def to_coco(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """A COCO detection file: ``images``, ``annotations`` (with comedo's ``score``), ``categories``."""
    categories = [{"id": k + 1, "name": name, "supercategory": "acne_lesion"} for k, name in enumerate(CATEGORIES)]
    ids = {name: k + 1 for k, name in enumerate(CATEGORIES)}
    images, annotations = [], []
    for image_id, doc in enumerate(docs, 1):
        img = doc["image"]
        images.append({"id": image_id, "file_name": img["path"], "width": img["width"], "height": img["height"],
                       "sha256": img.get("sha256")})
        for lesion in doc["lesions"]:
            x, y, w, h = lesion["bbox"]
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": ids[_category(lesion)],
                                "bbox": [x, y, w, h], "area": round(w * h, 2), "iscrowd": 0,
                                "score": lesion["score"], "origin": lesion.get("origin", "detector")})
    return {"info": {"description": "comedo analyses (not a medical device)",
                     "version": str((docs[0].get("provenance") or {}).get("comedo_version", ""))},
            "images": images, "annotations": annotations, "categories": categories}


def _stems(docs: list[dict[str, Any]]) -> list[str]:
    """One label-file stem per photo, unique even where two photos share a name."""
    seen: dict[str, int] = {}
    out = []
    for doc in docs:
        stem = Path(doc["image"]["path"]).stem or "photo"
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        out.append(stem if n == 0 else f"{stem}_{n}")
    return out


def to_yolo(docs: list[dict[str, Any]]) -> dict[str, str]:
    """YOLO label files by name: ``<stem>.txt`` per photo (``class cx cy w h score``, normalised to 0..1; empty
    for a photo without lesions) and ``classes.txt`` (class index = line number)."""
    ids = {name: k for k, name in enumerate(CATEGORIES)}
    files = {"classes.txt": "\n".join(CATEGORIES) + "\n"}
    for stem, doc in zip(_stems(docs), docs, strict=True):
        w_img, h_img = doc["image"]["width"], doc["image"]["height"]
        lines = []
        for lesion in doc["lesions"]:
            x, y, w, h = lesion["bbox"]
            lines.append(f"{ids[_category(lesion)]} {(x + w / 2) / w_img:.6f} {(y + h / 2) / h_img:.6f} "
                         f"{w / w_img:.6f} {h / h_img:.6f} {lesion['score']:.4f}")
        files[f"{stem}.txt"] = "".join(line + "\n" for line in lines)
    return files


def to_labelstudio(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Label Studio tasks with pre-annotations (``predictions``) for a RectangleLabels config whose labels are
    ``CATEGORIES`` (``from_name`` "label", ``to_name`` "image")."""
    tasks = []
    for doc in docs:
        img = doc["image"]
        w_img, h_img = img["width"], img["height"]
        result = []
        for k, lesion in enumerate(doc["lesions"]):
            x, y, w, h = lesion["bbox"]
            result.append({"id": f"l{k + 1}", "from_name": "label", "to_name": "image", "type": "rectanglelabels",
                           "original_width": w_img, "original_height": h_img, "image_rotation": 0,
                           "score": lesion["score"],
                           "value": {"x": 100 * x / w_img, "y": 100 * y / h_img, "width": 100 * w / w_img,
                                     "height": 100 * h / h_img, "rotation": 0,
                                     "rectanglelabels": [_category(lesion)]}})
        version = str((doc.get("provenance") or {}).get("comedo_version", ""))
        tasks.append({"data": {"image": img["path"], "sha256": img.get("sha256")},
                      "predictions": [{"model_version": f"comedo {version}", "result": result,
                                       "score": max((r["score"] for r in result), default=0.0)}]})
    return tasks
