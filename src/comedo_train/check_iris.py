"""The iris scale's figures on faces: how often it is given, the interpupillary distances it implies, and whether
half the pixels give twice the millimetres per pixel.

    nice -n 10 python -m comedo_train.check_iris ../shared/data/faces-wild/clean

Each photo goes through the face stage as in ``comedo.analyze`` (the face found on the analysis copy, its landmarks
taken to the photo's pixels) and ``comedo.face.iris.iris_scale``; the same photo halved (area averaging, landmarks
halved) is measured again. Prints the share given a scale among the faces found, the reasons for none, the
distribution of the interpupillary distances (an independent check: adults 54-74 mm, mean about 63 mm) and the
half-size ratios. No iris crop is written anywhere.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from comedo.face.facemap import map_face
from comedo.face.iris import iris_scale
from comedo.face.mesh import FaceMesh
from comedo.io import load_image
from comedo.pipeline import analysis_pixels

EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


def check(folder: Path) -> None:
    photos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in EXTENSIONS)
    faces, ipd, ratios, reasons = 0, [], [], Counter()
    for path in photos:
        rgb = load_image(path).pixels
        work, scale = analysis_pixels(rgb)
        face = map_face(work, np.ones(work.shape[:2], bool), close_up=False)
        if not face.found:
            continue
        faces += 1
        points = face.mesh.points.copy()
        points[:, :2] /= scale
        found, reason = iris_scale(rgb, FaceMesh(points, face.mesh.detection_score, face.mesh.presence))
        if found is None:
            reasons[reason.split(" (")[0].split(":")[0].split(" by ")[0].split(" are ")[0]] += 1
            continue
        ipd.append(float(found.evidence["interpupillary_mm"]))
        half = cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)
        halved = points.copy()
        halved[:, :2] /= 2
        again, _ = iris_scale(half, FaceMesh(halved, face.mesh.detection_score, face.mesh.presence))
        if again is not None:
            ratios.append(again.mm_per_px / found.mm_per_px)
    print(f"{folder}: {len(photos)} photos, a face on {faces}, an iris scale on {len(ipd)} "
          f"({100 * len(ipd) / max(1, faces):.1f} % of the faces)")
    for why, n in reasons.most_common():
        print(f"  no scale: {why}: {n}")
    if ipd:
        q = np.percentile(ipd, [5, 25, 50, 75, 95])
        print(f"  interpupillary mm: median {statistics.median(ipd):.1f}, SD {statistics.pstdev(ipd):.1f}, "
              f"percentiles 5/25/50/75/95 {' / '.join(f'{v:.1f}' for v in q)}")
    if ratios:
        within = sum(abs(r / 2 - 1) <= 0.05 for r in ratios)
        print(f"  half size: {len(ratios)} still given a scale, ratio median {statistics.median(ratios):.3f} "
              f"(2 expected), within 5 % of 2 on {within}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    for folder in parser.parse_args().folders:
        check(folder)


if __name__ == "__main__":
    main()
