"""The ruler finder's figures: false finds on real close-ups, accuracy on unseen ruler styles, time per photo.

    nice -n 10 python -m comedo_train.check_ruler --scan ../shared/data/lesion-types/train \\
        ../shared/data/lesion-types/external ../shared/data/lesion-types-more/images \\
        ../shared/data/acne04/valid ../shared/data/faces-wild --finds runs/ruler_finds
    python -m comedo_train.check_ruler --unseen 30 --synthetic
    python -m comedo_train.check_ruler --timing ../shared/data/lesion-types/train --size 640

``--scan`` runs ``comedo.measure.ruler.find_ruler`` on every photo under the folders (none of them holds a ruler
that we know of, so every find is checked by eye: ``--finds`` writes each found photo with the strip drawn).
``--unseen N`` draws N photos of each style in ``comedo_train.ruler_styles`` (seeded; sizes, scales and angles at
random) and prints the share found and the errors; ``--synthetic`` does the same on the tests' generator
(tests/synthetic_rulers.py: 6 sizes and scales x 5 styles x 5 angles x with and without a fingertip).
``--timing`` times the finder on photos resized to ``--size`` on their long side (the median of 5 runs per photo;
one OpenCV thread and the process's CPU time too, as the machine may be shared).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from comedo.io import load_image
from comedo.measure.ruler import find_ruler
from comedo_train.ruler_styles import UNSEEN_STYLES, unseen_ruler_photo

EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


def _photos(folders: list[Path]) -> list[Path]:
    return sorted(p for f in folders for p in f.rglob("*") if p.suffix.lower() in EXTENSIONS)


def scan(folders: list[Path], finds: Path | None) -> None:
    """False finds: the share of photos given a ruler scale, with each find drawn for the eye."""
    for folder in folders:
        photos = _photos([folder])
        found = []
        times = []
        for path in photos:
            rgb = load_image(path).pixels
            start = time.perf_counter()
            result = find_ruler(rgb)
            times.append((time.perf_counter() - start) * 1000)
            if result.scale is not None:
                found.append((path, result))
                if finds is not None:
                    _draw_find(rgb, result, finds / f"{folder.name}_{path.stem}.png")
        share = len(found) / max(1, len(photos))
        print(f"{folder}: {len(photos)} photos, {len(found)} given a ruler scale ({100 * share:.2f} %); "
              f"{statistics.median(times):.1f} ms median per photo")
        for path, result in found:
            print(f"  {path.name}: {result.reason}; {result.scale.evidence}")


def _draw_find(rgb: np.ndarray, result, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    ev = result.scale.evidence
    img = np.ascontiguousarray(rgb[..., ::-1])
    cx, cy = ev["center_xy"]
    t = np.radians(ev["angle_deg"])
    half = ev["length_px"] / 2
    p0 = (int(cx - half * np.cos(t)), int(cy - half * np.sin(t)))
    p1 = (int(cx + half * np.cos(t)), int(cy + half * np.sin(t)))
    cv2.line(img, p0, p1, (0, 255, 255), 2)
    cv2.imwrite(str(out), img)


def unseen(count: int) -> None:
    """Accuracy on styles the finder was not tuned on."""
    rng = np.random.default_rng(0)
    for style in UNSEEN_STYLES:
        errors, missed = [], []
        for i in range(count):
            size = [(640, 640), (480, 640), (256, 256)][i % 3]
            px_per_mm = float(rng.uniform(5, 20) if size[0] > 256 else rng.uniform(4, 9))
            angle = float(rng.uniform(0, 180))
            rgb, truth = unseen_ruler_photo(style, size=size, px_per_mm=px_per_mm, angle_deg=angle, seed=i)
            result = find_ruler(rgb)
            if result.scale is None:
                missed.append(f"{size[0]}px {px_per_mm:.1f}px/mm {angle:.0f}deg: {result.reason}")
            else:
                errors.append((100 * (result.scale.mm_per_px / truth - 1), result.scale.uncertainty_pct,
                               result.scale.evidence["unit"]))
        within = sum(abs(e) <= 3 for e, _, _ in errors)
        abs_err = [abs(e) for e, _, _ in errors]
        print(f"{style}: found {len(errors)}/{count}, within 3 % {within}/{len(errors)}; |error| median "
              f"{statistics.median(abs_err) if abs_err else float('nan'):.2f} %, max "
              f"{max(abs_err) if abs_err else float('nan'):.2f} %; units {sorted({u for _, _, u in errors})}")
        for e, u, unit in errors:
            if abs(e) > 3:
                print(f"  off by {e:+.1f} % (stated {u} %, read as {unit})")
        for line in missed:
            print(f"  missed {line}")


def synthetic() -> None:
    """The tests' generator over a grid of sizes, scales, styles, angles and occlusion (300 photos)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from synthetic_rulers import STYLES, ruler_photo

    errors, missed, i = [], [], 0
    for size, px_per_mm in [((640, 640), 6), ((640, 640), 11), ((640, 640), 24), ((480, 640), 8), ((256, 256), 5),
                            ((256, 256), 9)]:
        for style in STYLES:
            for angle in (0, 17, 45, 100, 152):
                for occlude in (False, True):
                    i += 1
                    rgb, truth = ruler_photo(size=size, px_per_mm=px_per_mm, angle_deg=angle, style=style,
                                             occlude=occlude, seed=i)
                    result = find_ruler(rgb)
                    if result.scale is None:
                        missed.append(f"{size[1]}x{size[0]} {px_per_mm} px/mm {style} {angle} deg "
                                      f"{'covered' if occlude else ''}: {result.reason}")
                    else:
                        errors.append(100 * (result.scale.mm_per_px / truth - 1))
    abs_err = [abs(e) for e in errors]
    print(f"synthetic: found {len(errors)}/{i}, within 3 % {sum(e <= 3 for e in abs_err)}; |error| median "
          f"{statistics.median(abs_err):.2f} %, max {max(abs_err):.2f} %")
    for line in missed:
        print(f"  missed {line}")


def timing(folders: list[Path], size: int, limit: int = 40) -> None:
    """Milliseconds per photo at ``size`` px on the long side."""
    photos = [p for p in _photos(folders)][:: max(1, len(_photos(folders)) // limit)][:limit]
    for threads in (cv2.getNumThreads(), 1):
        cv2.setNumThreads(threads)
        wall, cpu = [], []
        for path in photos:
            rgb = load_image(path).pixels
            h, w = rgb.shape[:2]
            f = size / max(h, w)
            rgb = cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA if f < 1 else
                             cv2.INTER_LINEAR)
            find_ruler(rgb)
            runs = []
            for _ in range(5):
                start, c0 = time.perf_counter(), time.process_time()
                find_ruler(rgb)
                runs.append(((time.perf_counter() - start) * 1000, (time.process_time() - c0) * 1000))
            wall.append(statistics.median(r[0] for r in runs))
            cpu.append(statistics.median(r[1] for r in runs))
        print(f"{len(photos)} photos at {size} px, {threads} OpenCV thread(s): wall median "
              f"{statistics.median(wall):.1f} ms (p90 {np.percentile(wall, 90):.1f}), CPU median "
              f"{statistics.median(cpu):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scan", nargs="*", type=Path, default=[])
    parser.add_argument("--finds", type=Path)
    parser.add_argument("--unseen", type=int, default=0)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--timing", nargs="*", type=Path, default=[])
    parser.add_argument("--size", type=int, default=640)
    args = parser.parse_args()
    if args.scan:
        scan(args.scan, args.finds)
    if args.unseen:
        unseen(args.unseen)
    if args.synthetic:
        synthetic()
    if args.timing:
        timing(args.timing, args.size)


if __name__ == "__main__":
    main()
