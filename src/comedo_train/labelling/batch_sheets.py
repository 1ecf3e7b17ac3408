"""``sheets``: a batch's candidates (proposed once, then reused), one sheet PNG per photo (or an overview and
four quadrant sheets for a dense photo), ``candidates.tsv`` and an undecided ``decisions_template.tsv``."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2

from comedo_train.labelling.candidates import Numbered, propose_batch, read_candidates, write_candidates
from comedo_train.labelling.photos import Photo, read_photo, read_photos
from comedo_train.labelling.sheets import Ring, draw_sheet, quadrants
from comedo_train.labelling.vocab import CODEBOOK_VERSION

__all__ = ["make_sheets", "sheet_name", "write_template"]


def sheet_name(index: int, photo_id: str, part: str) -> str:
    safe = photo_id.replace("#", "_").replace("/", "_")
    return f"{index:02d}_{safe}{'' if part == 'all' else '_' + part}.png"


def _header(batch: str, index: int, photo: Photo, n: int, part: str, rgb_shape: tuple[int, ...]) -> list[str]:
    h, w = rgb_shape[:2]
    where = "" if part == "all" else f"  |  part {part}" if part != "overview" else "  |  overview: see q1-q4"
    measure = " (measure only)" if photo.use == "measure" else ""
    return [f"{batch} #{index:02d}   photo {photo.photo_id}",
            f"hint: {photo.hinted_type}   |   {photo.source_folder}{measure}   |   {w}x{h} px   |   {n} candidates"
            f"{where}"]


def make_sheets(batch_tsv: Path, out: Path, *, data: Path, candidates_tsv: Path, refresh: bool = False) -> int:
    """Write the sheets of ``batch_tsv`` into ``out``; candidates come from ``candidates_tsv`` when it exists
    (proposed and written there otherwise, or when ``refresh``). Returns the number of sheet PNGs."""
    photos = read_photos(batch_tsv)
    batch = batch_tsv.stem
    if refresh or not candidates_tsv.exists():
        write_candidates(candidates_tsv, propose_batch(photos, data))
    cands = read_candidates(candidates_tsv)
    by_photo: dict[str, list[Numbered]] = {}
    for c in cands:
        by_photo.setdefault(c.photo_id, []).append(c)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(candidates_tsv, out / "candidates.tsv")
    written = 0
    for index, photo in enumerate(photos, start=1):
        rgb = read_photo(photo, data)
        mine = by_photo.get(photo.photo_id, [])
        parts = sorted({c.part for c in mine}) or ["all"]
        h, w = rgb.shape[:2]
        if parts == ["all"]:
            sheets = [("all", None, mine, ())]
        else:
            quads = quadrants(w, h)
            boxes = [(x0, y0, x1, y1, f"q{i}") for i, (x0, y0, x1, y1, *_) in enumerate(quads, start=1)]
            sheets = [("overview", None, [], boxes)]
            for i, (cx0, cy0, cx1, cy1, vx0, vy0, vx1, vy1) in enumerate(quads, start=1):
                # The core's frame: candidates and additions of this part lie inside it; outside is context.
                sheets.append((f"q{i}", (vx0, vy0, vx1, vy1), [c for c in mine if c.part == f"q{i}"],
                               [(cx0, cy0, cx1, cy1, "")]))
        for part, view, shown, boxes in sheets:
            rings = [Ring(c.x, c.y, c.r, str(c.cand)) for c in shown]
            image = draw_sheet(rgb, rings, _header(batch, index, photo, len(mine), part, rgb.shape), view=view,
                               boxes=boxes)
            cv2.imwrite(str(out / sheet_name(index, photo.photo_id, part)), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            written += 1
    write_template(out / "decisions_template.tsv", photos, by_photo)
    return written


def write_template(path: Path, photos: list[Photo], by_photo: dict[str, list[Numbered]]) -> None:
    """Every photo's status row and one row per candidate, all undecided (``?``): the labeller replaces each ``?``
    (and deletes nothing); ``convert`` refuses any ``?`` left on a photo whose status is ``ok``."""
    lines = [f"# {CODEBOOK_VERSION}"]
    for index, photo in enumerate(photos, start=1):
        lines.append(f"## {index:02d} {photo.photo_id}  hint: {photo.hinted_type}")
        lines.append(f"{photo.photo_id}\tstatus\t?")
        lines.extend(f"{photo.photo_id}\tcand\t{c.cand}\t?\t?\t?" for c in by_photo.get(photo.photo_id, []))
    path.write_text("\n".join(lines) + "\n")
