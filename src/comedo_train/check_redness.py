"""Measure what leaving anatomy out of the whole-skin redness changes, on faces.

    python -m comedo_train.check_redness ../shared/data/acne04/valid/images [--overlays DIR]

For each photo, the redness stage is run as ``comedo analyze`` runs it and
again without leaving out lesion-free red and dark regions (lips, nostrils,
folds). Prints, per ACNE04 severity level (the ``levleN`` file-name prefix),
the median whole-skin p90 Delta a* both ways, the irritation grades both ways,
and how much of the skin was left out. ``--overlays`` writes each photo with
the left-out regions outlined (green) and the lesions (magenta), to look at.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

import cv2
import numpy as np

import comedo
from comedo.files import IMAGE_SUFFIXES
from comedo.measure.colour import colour_planes
from comedo.measure.redness import measure_redness
from comedo.pipeline import analysis_pixels


def level_of(path: Path) -> str:
    """ACNE04's severity level from the file name, or "-" for other photos."""
    match = re.match(r"levle(\d)", path.name)
    return match.group(1) if match else "-"


def both_ways(path: Path) -> tuple[float, str, float, str, float, np.ndarray]:
    """(p90 and grade with anatomy left out, p90 and grade without, anatomy fraction, overlay)."""
    analysis = comedo.analyze(path)
    pixels, scale = analysis_pixels(analysis.image.pixels)
    lesions = analysis.lesions.scaled(scale)
    kept = analysis.redness
    whole, _ = measure_redness(colour_planes(pixels), analysis.skin.mask, lesion_centers=lesions.centers,
                               lesion_radii=lesions.radii)
    left_out = analysis.skin.mask & np.isnan(kept.delta_map)
    overlay = pixels.copy()
    contours, _ = cv2.findContours(left_out.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(overlay, contours, -1, (0, 220, 0), 2)
    for (x, y), r in zip(lesions.centers, lesions.radii, strict=True):
        cv2.circle(overlay, (int(x), int(y)), max(int(r), 1), (255, 0, 255), 1)
    return (kept.delta_p90, kept.grade.value, whole.delta_p90, whole.grade.value, kept.anatomy_fraction, overlay)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", type=Path, help="a folder of face photos")
    parser.add_argument("--overlays", type=Path, help="write overlays of the left-out regions here")
    args = parser.parse_args(argv)
    paths = sorted(p for p in args.images.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    rows: dict[str, list[tuple[float, str, float, str, float]]] = defaultdict(list)
    if args.overlays:
        args.overlays.mkdir(parents=True, exist_ok=True)
    for path in paths:
        p90, grade, p90_whole, grade_whole, fraction, overlay = both_ways(path)
        rows[level_of(path)].append((p90, grade, p90_whole, grade_whole, fraction))
        if args.overlays is not None and fraction > 0:
            cv2.imwrite(str(args.overlays / f"{path.stem}.png"), cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
    order = ("none", "slight", "moderate", "marked")
    print("| level | photos | p90 Delta a* (median) | irritation none/slight/moderate/marked | photos with a region "
          "left out | share of skin left out: median, p90, max |")
    print("|---|---|---|---|---|---|")
    for level in sorted(rows):
        r = rows[level]
        frac = np.array([x[4] for x in r])
        before, after = Counter(x[3] for x in r), Counter(x[1] for x in r)
        print(f"| {level} | {len(r)} | {np.nanmedian([x[2] for x in r]):.1f} -> {np.nanmedian([x[0] for x in r]):.1f}"
              f" | {'/'.join(str(before[g]) for g in order)} -> {'/'.join(str(after[g]) for g in order)}"
              f" | {int((frac > 0).sum())} | {np.median(frac):.3f}, {np.percentile(frac, 90):.3f}, {frac.max():.3f} |")

if __name__ == "__main__":
    main()
