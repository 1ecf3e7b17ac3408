"""Compare on unchanged skin (issue 33): each photo against a copy turned 3-8 degrees, cropped and re-encoded,
by the file path and the stored path; prints one line per pair and the target figures.

    .venv/bin/python scripts/eval_compare_stability.py            # 24 ACNE04 valid faces + 12 close-ups
    .venv/bin/python scripts/eval_compare_stability.py --faces 40 --closeups 20 --seed 1
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pick(folder: Path, n: int) -> list[Path]:
    """``n`` photos spread evenly over the folder's sorted listing (deterministic, no cherry-picking)."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    if n <= 0 or not files:
        return []
    step = max(1, len(files) // n)
    return files[::step][:n]


def main() -> None:
    from comedo.store.repository import Store
    from comedo.workflows.compare_stability import evaluate_stability, summarise_stability

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", type=int, default=24, help="ACNE04 valid photos (default 24)")
    ap.add_argument("--closeups", type=int, default=12, help="lesion-types external close-ups (default 12)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    paths = pick(args.data / "acne04" / "valid" / "images", args.faces)
    paths += pick(args.data / "lesion-types" / "external", args.closeups)
    with tempfile.TemporaryDirectory(prefix="comedo-stability-") as tmp:
        store = Store.open(None, data_dir=Path(tmp) / "store")
        try:
            results = evaluate_stability(paths, store, Path(tmp), seed=args.seed)
        finally:
            store.close()
    for r in results:
        print(f"{r.name[:40]:40s} {r.angle_deg:+5.1f} deg  lesions {r.lesions:3d}  resolved {r.resolved:2d} "
              f"new {r.new:2d}  ({r.changed_fraction:4.0%})  file {r.file_counts}  stored {r.stored_counts}  "
              f"GAGS {r.gags_before} -> {r.gags_after}")
    s = summarise_stability(results)
    print(json.dumps(s))
    n, g = s["pairs"], max(1, s["graded"])
    print(f"resolved+new <= 10 %: {s['within_10pct']}/{n} ({s['within_10pct'] / n:.0%}); both paths identical: "
          f"{s['paths_identical']}/{n} ({s['paths_identical'] / n:.0%}); GAGS within 1: {s['gags_within_1']}/"
          f"{s['graded']} ({s['gags_within_1'] / g:.0%}); aligned {s['aligned']}/{n}; lesions {s['lesions']}, "
          f"resolved {s['resolved']}, new {s['new']}")


if __name__ == "__main__":
    main()
