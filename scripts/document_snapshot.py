"""Write or check JSON documents of a fixed photo set, to prove a refactor changes no result.

    python scripts/document_snapshot.py write DIR      # before the change
    python scripts/document_snapshot.py check DIR      # after: exit 1 on any difference

The set is the bundled sample plus the first 20 ACNE04 valid photos by name. Timings and the version are
left out; floats compare equal to 1e-3.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACNE04_VALID = ROOT.parent / "shared" / "data" / "acne04" / "valid" / "images"
SAMPLE = ROOT / "src" / "comedo" / "samples" / "face_acne04.jpg"
TOLERANCE = 1e-3


def photo_set() -> list[Path]:
    photos = sorted(p for p in ACNE04_VALID.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})[:20]
    return [SAMPLE, *photos]


def document(path: Path) -> dict:
    import comedo

    doc = comedo.to_document(comedo.analyze(path)).model_dump(mode="json")
    doc.get("provenance", {}).pop("timings_ms", None)
    doc.get("provenance", {}).pop("comedo_version", None)
    doc.pop("comedo_version", None)
    return doc


def differences(a: object, b: object, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in one" for k in sorted(set(a) ^ set(b))]
        for key in sorted(set(a) & set(b)):
            out += differences(a[key], b[key], f"{where}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return [] if math.isclose(a, b, abs_tol=TOLERANCE) else [f"{where}: {a} != {b}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def main(mode: str, folder: str) -> int:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for photo in photo_set():
        doc = document(photo)
        ref = out / f"{photo.stem}.json"
        if mode == "write":
            ref.write_text(json.dumps(doc, indent=1, sort_keys=True))
            continue
        found = differences(json.loads(ref.read_text()), doc)
        failed += bool(found)
        for line in found[:10]:
            print(f"{photo.name}{line}")
    if mode == "check":
        print(f"{len(photo_set()) - failed}/{len(photo_set())} documents identical")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
