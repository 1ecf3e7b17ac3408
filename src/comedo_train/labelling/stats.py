"""The data card's counts, from the converter's COCO files: per batch and labeller, photos by status, lesions
(sure, from candidates or added), hard negatives; and lesions by type, group and source over the whole set.

    python -m comedo_train.labelling.stats data/closeups/closeups_train.json data/closeups/external_eval.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from comedo_train.labelling.vocab import GROUP_OF, STATUSES, TYPES

__all__ = ["card_tables", "main"]


def card_tables(coco: dict) -> list[str]:
    """Markdown lines: one row per (batch, labeller), then the totals by type and by source."""
    names = {c["id"]: c["name"] for c in coco["categories"]}
    anns_by_image: dict[int, list[dict]] = defaultdict(list)
    for a in coco["annotations"]:
        anns_by_image[a["image_id"]].append(a)
    negs = Counter(n["image_id"] for n in coco.get("negatives", []))
    rows: dict[tuple[str, str], Counter] = defaultdict(Counter)
    types_by_source: dict[str, Counter] = defaultdict(Counter)
    for im in coco["images"]:
        key = (im["batch"], im["labeller"])
        row = rows[key]
        row["photos"] += 1
        row[im["status"]] += 1
        anns = anns_by_image.get(im["id"], [])
        row["lesions"] += len(anns)
        row["sure"] += sum(bool(a.get("sure")) for a in anns)
        row["added"] += sum(a.get("proposer") == "added" for a in anns)
        row["negatives"] += negs.get(im["id"], 0)
        for a in anns:
            types_by_source[im.get("source_folder", "?")][names[a["category_id"]]] += 1
    out = [f"| batch | labeller | photos ({' / '.join(STATUSES)}) | lesions (sure) | from candidates / added | "
           "hard negatives |", "|---|---|---|---|---|---|"]
    total: Counter = Counter()
    for (batch, labeller), row in sorted(rows.items()):
        total.update(row)
        statuses = " / ".join(str(row[s]) for s in STATUSES)
        out.append(f"| {batch} | {labeller} | {row['photos']} ({statuses}) | {row['lesions']} ({row['sure']}) | "
                   f"{row['lesions'] - row['added']} / {row['added']} | {row['negatives']} |")
    statuses = " / ".join(str(total[s]) for s in STATUSES)
    out.append(f"| all | | {total['photos']} ({statuses}) | {total['lesions']} ({total['sure']}) | "
               f"{total['lesions'] - total['added']} / {total['added']} | {total['negatives']} |")
    out += ["", "| type | group | " + " | ".join(sorted(types_by_source)) + " | all |",
            "|---|---|" + "---|" * (len(types_by_source) + 1)]
    for t in TYPES:
        counts = [types_by_source[s][t] for s in sorted(types_by_source)]
        out.append(f"| {t} | {GROUP_OF[t]} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comedo_train.labelling.stats", description=__doc__.split("\n")[0])
    parser.add_argument("coco", type=Path, nargs="+", help="converter outputs (closeups_train.json, ...)")
    args = parser.parse_args(argv)
    for path in args.coco:
        print(f"### {path.name}\n")
        print("\n".join(card_tables(json.loads(path.read_text()))))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
