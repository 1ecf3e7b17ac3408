"""Sheets for checking the iris scale by eye (``comedo_train.iris_by_eye``): one enlarged eye per sheet with a pixel
grid in the original photo's coordinates and without the model's circle, the shuffled second reading, and sheets of
photos refused a scale (with the iris points drawn) to judge the refusals. Eye crops are biometric: the sheets go to
the git-ignored ``sheets/iris/`` only."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import cv2
import numpy as np

from comedo.io import load_image
from comedo_train.iris_by_eye import (
    DATA_ROOT,
    EYE_NAMES,
    N_PHOTOS,
    N_SECOND,
    OUT,
    REASONS,
    SEED,
    SHEETS,
    read_decisions,
    scan,
)


def _stretch(crop: np.ndarray) -> np.ndarray:
    """Each channel stretched between its 1st and 99th percentile: a viewing aid for dark irises, no geometry."""
    out = np.empty_like(crop)
    for c in range(3):
        lo, hi = np.percentile(crop[..., c], [1, 99])
        out[..., c] = np.clip((crop[..., c].astype(np.float32) - lo) * 255.0 / max(hi - lo, 1.0), 0, 255)
    return out


def default_zoom(eye_width: float) -> int:
    """6 times, more for small eyes so the sheet is about 640 px wide or more (a 5 px iris needs it)."""
    return int(np.clip(np.ceil(640 / (int(np.ceil(1.6 * eye_width)) + 1)), 6, 32))


def eye_sheet(rgb: np.ndarray, centre: tuple[float, float], eye_width: float, caption: str, *, zoom: int | None = None,
              shift: tuple[float, float] = (0.0, 0.0), iris: np.ndarray | None = None,
              marks: np.ndarray | None = None) -> np.ndarray:
    """An eye enlarged 6 times or more (linear interpolation) with a labelled grid in the photo's own pixel coordinates
    (pixel centres on integers, as the network's points): ticks every pixel in the margins, every 5 labelled, faint
    lines every 5 over the eye. ``iris`` (5, 2) draws the network's points and circle, ``marks`` mesh points; the
    by-eye sheets draw neither."""
    half_w, half_h = 0.8 * eye_width, 0.5 * eye_width
    x0 = int(np.floor(centre[0] + shift[0] - half_w))
    y0 = int(np.floor(centre[1] + shift[1] - half_h))
    cw, ch = int(np.ceil(2 * half_w)) + 1, int(np.ceil(2 * half_h)) + 1
    z = zoom or default_zoom(eye_width)
    m = np.array([[z, 0, -x0 * z], [0, z, -y0 * z]], np.float64)
    view = cv2.warpAffine(rgb, m, (cw * z, ch * z), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    view = _stretch(view)
    grid = view.copy()
    for x in range(x0, x0 + cw):
        if x % 5 == 0:
            cv2.line(grid, ((x - x0) * z, 0), ((x - x0) * z, ch * z - 1), (0, 255, 255), 1)
    for y in range(y0, y0 + ch):
        if y % 5 == 0:
            cv2.line(grid, (0, (y - y0) * z), (cw * z - 1, (y - y0) * z), (0, 255, 255), 1)
    view = cv2.addWeighted(view, 0.7, grid, 0.3, 0)
    if iris is not None:
        p = (np.asarray(iris) - (x0, y0)) * z
        r = (np.hypot(*(p[3] - p[1])) + np.hypot(*(p[4] - p[2]))) / 4
        cv2.circle(view, tuple(int(v) for v in np.round(p[0])), int(round(r)), (255, 230, 0), 1, cv2.LINE_AA)
        for q in p:
            cv2.circle(view, tuple(int(v) for v in np.round(q)), 3, (255, 0, 0), -1)
    if marks is not None:
        for q in (np.asarray(marks) - (x0, y0)) * z:
            cv2.drawMarker(view, tuple(int(v) for v in np.round(q)), (0, 255, 0), cv2.MARKER_CROSS, 10, 2)
    left, top, cap = 46, 30, 26
    sheet = np.full((ch * z + 2 * top + cap, cw * z + 2 * left, 3), 255, np.uint8)
    sheet[top + cap:top + cap + ch * z, left:left + cw * z] = view
    font, black = cv2.FONT_HERSHEY_SIMPLEX, (0, 0, 0)
    cv2.putText(sheet, caption, (left, 18), font, 0.5, black, 1, cv2.LINE_AA)
    y_img0, y_img1 = top + cap, top + cap + ch * z
    for x in range(x0, x0 + cw):
        u = left + (x - x0) * z
        long = 8 if x % 5 == 0 else 4
        cv2.line(sheet, (u, y_img0 - long), (u, y_img0 - 1), black, 1)
        cv2.line(sheet, (u, y_img1), (u, y_img1 + long - 1), black, 1)
        if x % 5 == 0:
            cv2.putText(sheet, str(x), (u - 10, y_img0 - 11), font, 0.35, black, 1, cv2.LINE_AA)
            cv2.putText(sheet, str(x), (u - 10, y_img1 + 20), font, 0.35, black, 1, cv2.LINE_AA)
    for y in range(y0, y0 + ch):
        v = y_img0 + (y - y0) * z
        long = 8 if y % 5 == 0 else 4
        cv2.line(sheet, (left - long, v), (left - 1, v), black, 1)
        cv2.line(sheet, (left + cw * z, v), (left + cw * z + long - 1, v), black, 1)
        if y % 5 == 0:
            cv2.putText(sheet, str(y), (4, v + 4), font, 0.35, black, 1, cv2.LINE_AA)
            cv2.putText(sheet, str(y), (left + cw * z + 10, v + 4), font, 0.35, black, 1, cv2.LINE_AA)
    return sheet


def _write_png(path: Path, rgb: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def _eye_centre(eye: dict[str, object]) -> tuple[float, float]:
    (ax, ay), (bx, by) = eye["corners"]  # type: ignore[misc]
    return (ax + bx) / 2, (ay + by) / 2


def make_sheets(folder: Path) -> None:
    """Choose ``N_PHOTOS`` photos given an iris scale (seeded) and draw one sheet per eye, no model circle."""
    given = [r for r in scan(folder) if r["class"] == REASONS["two irises"]]
    chosen = sorted(random.Random(SEED).sample(given, N_PHOTOS), key=lambda r: str(r["photo"]))
    OUT.mkdir(parents=True, exist_ok=True)
    rows = ["# 50 faces-wild clean photos given an iris scale by comedo, chosen with random.Random(34).sample",
            "n\tphoto\tsource_path"]
    for n, r in enumerate(chosen, 1):
        rows.append(f"{n:02d}\t{r['photo']}\t{(folder / str(r['photo'])).relative_to(DATA_ROOT)}")
        rgb = load_image(folder / str(r["photo"])).pixels
        for e, eye in enumerate(r["eyes"]):  # type: ignore[arg-type]
            sheet = eye_sheet(rgb, _eye_centre(eye), float(eye["width"]), f"{n:02d} {EYE_NAMES[e]}")
            _write_png(SHEETS / f"{n:02d}_{EYE_NAMES[e]}.png", sheet)
    (OUT / "selection.tsv").write_text("\n".join(rows) + "\n")
    print(f"{len(given)} photos given a scale; {N_PHOTOS} chosen; {2 * N_PHOTOS} sheets in {SHEETS}")


def make_second(folder: Path) -> None:
    """``N_SECOND`` of the read eyes again in shuffled order, under neutral names, the crop shifted and the zoom
    changed, so the second reading is not the first one's picture; the key stays in the git-ignored sheets folder."""
    decided = [d for d in read_decisions(OUT / "decisions.tsv") if d.diameter is not None]
    rng = random.Random(SEED + 1)
    picked = rng.sample(decided, N_SECOND)
    by_photo = {str(r["photo"]): r for r in scan(folder)}
    key = ["sheet\tphoto\teye"]
    for i, d in enumerate(picked, 1):
        r = by_photo[d.photo]
        eye = r["eyes"][EYE_NAMES.index(d.eye)]  # type: ignore[index]
        w = float(eye["width"])
        rgb = load_image(folder / d.photo).pixels
        shift = (rng.uniform(-0.15, 0.15) * w, rng.uniform(-0.1, 0.1) * w)
        zoom = max(6, round(default_zoom(w) * rng.uniform(0.8, 1.25)))
        _write_png(SHEETS / "second" / f"s{i:02d}.png", eye_sheet(rgb, _eye_centre(eye), w, f"s{i:02d}",
                                                                   zoom=zoom, shift=shift))
        key.append(f"s{i:02d}\t{d.photo}\t{d.eye}")
    (SHEETS / "second" / "key.tsv").write_text("\n".join(key) + "\n")
    print(f"{N_SECOND} second-pass sheets in {SHEETS / 'second'}")


# --- scoring -------------------------------------------------------------------------------------------------------


def refusals(folder: Path, n_sheets: int, only: str | None) -> None:
    """The table of reasons for no scale, each refusal's measured facts summarised, and sheets (network points and
    circle drawn, mesh corners and lids as green crosses, the whole photo beside) of refused photos of the largest
    class (or ``only``)."""
    records = scan(folder)
    classes: dict[str, list[dict[str, object]]] = {}
    for r in records:
        classes.setdefault(str(r["class"]), []).append(r)
    print(f"{folder}: {len(records)} photos")
    for c, rs in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        print(f"  {c}: {len(rs)} ({100 * len(rs) / len(records):.1f} %)")
    faced = [r for r in records if "eyes" in r]
    for c, rs in classes.items():
        if c == REASONS["no face"]:
            continue
        rnd = [min(e["round"] for e in r["eyes"]) for r in rs]  # type: ignore[index]
        opn = [min(e["open"] for e in r["eyes"]) for r in rs]  # type: ignore[index]
        gap = [abs(r["eyes"][0]["diameter"] - r["eyes"][1]["diameter"])  # type: ignore[index]
               / ((r["eyes"][0]["diameter"] + r["eyes"][1]["diameter"]) / 2) for r in rs]  # type: ignore[index]
        print(f"  {c}: min roundness median {statistics.median(rnd):.2f}, min lid gap median "
              f"{statistics.median(opn):.2f}, eyes' diameter gap median {100 * statistics.median(gap):.0f} %")
    biggest = only or max((c for c in classes if c != REASONS["two irises"]), key=lambda c: len(classes[c]))
    chosen = random.Random(SEED).sample(classes[biggest], min(n_sheets, len(classes[biggest])))
    for i, r in enumerate(chosen, 1):
        rgb = load_image(folder / str(r["photo"])).pixels
        panels = []
        for e, eye in enumerate(r["eyes"]):  # type: ignore[arg-type]
            marks = np.array(eye["corners"] + eye["lids"])
            cap = (f"{EYE_NAMES[e]} round {eye['round']:.2f} open {eye['open']:.2f} d {eye['diameter']:.1f} "
                   f"across {eye['across']:.1f} down {eye['down']:.1f}")
            panels.append(eye_sheet(rgb, _eye_centre(eye), float(eye["width"]), cap, zoom=6,
                                    iris=np.array(eye["iris"]), marks=marks))
        height = max(p.shape[0] for p in panels)
        panels = [np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)), constant_values=255) for p in panels]
        eyes_row = np.hstack(panels)
        k = min(1.0, 520 / rgb.shape[0], eyes_row.shape[1] / rgb.shape[1])
        photo = cv2.resize(rgb, (int(rgb.shape[1] * k), int(rgb.shape[0] * k)), interpolation=cv2.INTER_AREA)
        for eye in r["eyes"]:  # type: ignore[union-attr]
            for q in np.array(eye["iris"])[:1]:
                cv2.circle(photo, tuple(int(v) for v in np.round(q * k)), 3, (255, 0, 0), -1)
        top = np.full((photo.shape[0] + 24, eyes_row.shape[1], 3), 255, np.uint8)
        top[24:, :photo.shape[1]] = photo
        cv2.putText(top, f"r{i:02d} {r['photo'][:40]} {r['size']} : {r['reason'][:70]}", (4, 16),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        _write_png(SHEETS / "refused" / f"r{i:02d}.png", np.vstack([top, eyes_row]))
    print(f"{len(chosen)} sheets of '{biggest}' in {SHEETS / 'refused'} (faces found: {len(faced)})")


