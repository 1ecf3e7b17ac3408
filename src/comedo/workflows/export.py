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

__all__ = ["CATEGORIES", "read_documents", "to_coco", "to_yolo", "to_labelstudio", "FORMATS"]

FORMATS = ("coco", "yolo", "labelstudio")
CATEGORIES: tuple[str, ...] = (*(t.value for t in LesionType), "untyped")


def _category(lesion: dict[str, Any]) -> str:
    return lesion.get("type") or "untyped"


def read_documents(inputs: Iterable[Path]) -> list[dict[str, Any]]:
    """Analysis documents from JSON files and folders (a batch output folder's ``results/``, or any folder of
    analysis JSON files), in a stable order; anything that is not an analysis document is an error naming it."""
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
    for path, named in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise InvalidInputError(f"{path}: not a readable JSON document ({type(exc).__name__})") from None
        if not (isinstance(doc, dict) and {"schema_version", "image", "lesions"} <= doc.keys()):
            if named:
                raise InvalidInputError(f"{path}: not an analysis document (comedo analyze --out writes those)")
            continue  # a summary, comparison or timeline beside the results in a folder
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
