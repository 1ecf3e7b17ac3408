"""Why a close-up's advice is what it is: per folder label, what blocks the extraction protocol and what the rings say.

    python scripts/diagnose_closeups.py ../shared/data/lesion-types/external [--detector model] \
        [--out FILE.jsonl] [--closeup-card CARD]

For each photo (the folder it sits in is its label) it runs ``analyze`` as a user would and keeps the photo's
answer, its rings' types, the triage level and the codes of the triage and extraction reasons. It prints, per
label, the protocol share, the reasons that stopped the protocol (a photo counts once per code), the photo answers
and the ring types seen. A diagnostic to choose levers with; the figures reported are the evaluation commands'.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


def photo_row(path: Path, detector: str) -> dict:
    from comedo.pipeline import analyze
    from comedo.schema import to_document

    doc = to_document(analyze(path, detector=detector)).model_dump(mode="json")
    extraction = doc.get("extraction") or {}
    return {
        "path": str(path), "label": path.parent.name, "view": (doc.get("scene") or {}).get("view"),
        "photo_label": doc["lesion_type"]["label"], "photo_group": doc["lesion_type"]["group"],
        "rings": Counter(str(le["type"]) for le in doc["lesions"]),
        "level": doc["triage"]["level"], "triage_codes": [r["code"] for r in doc["triage"]["reasons"]],
        "protocol": extraction.get("advice") == "ok_with_care",
        "extraction_codes": [r["code"] for r in extraction.get("reasons", [])],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", nargs="+", type=Path)
    p.add_argument("--detector", default="auto")
    p.add_argument("--out", type=Path)
    p.add_argument("--closeup-card", type=Path, help="use this close-up detector card instead of the shipped one")
    args = p.parse_args(argv)
    if args.closeup_card:
        from comedo.detect import closeup

        closeup._DETECTOR[:] = [closeup.CloseupDetector(args.closeup_card)]
    rows = []
    for folder in args.folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                rows.append(photo_row(path, args.detector))
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    by_label: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_label[r["label"]].append(r)
    for label, group in sorted(by_label.items()):
        n = len(group)
        blocked = Counter(c for r in group if not r["protocol"] for c in set(r["extraction_codes"]))
        answers = Counter(str(r["photo_label"] or r["photo_group"]) for r in group)
        rings = sum((Counter(r["rings"]) for r in group), Counter())
        levels = Counter(r["level"] for r in group)
        print(f"{label}: {n} photos, protocol {sum(r['protocol'] for r in group)} "
              f"({sum(r['protocol'] for r in group) / n:.0%}); levels {dict(levels)}")
        print(f"  blocked by {dict(blocked.most_common())}")
        print(f"  answers {dict(answers.most_common())}")
        print(f"  rings {dict(rings.most_common())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
