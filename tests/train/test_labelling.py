"""The close-up labelling tool (comedo_train.labelling): candidates, mosaics, the converter's refusals, COCO,
agreement. Synthetic photos with lesions drawn at known places (tests/synthetic.py)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from pycocotools.coco import COCO

from comedo_train.labelling.agree import agreement, cohen_kappa, match, shuffle_second_pass
from comedo_train.labelling.batch_sheets import make_sheets
from comedo_train.labelling.candidates import read_candidates
from comedo_train.labelling.cli import main
from comedo_train.labelling.decisions import Lesion, resolve
from comedo_train.labelling.photos import Photo, find_seams, mosaic_tiles, write_photos
from comedo_train.labelling.propose import propose
from tests.synthetic import add_dots, add_red_patch, skin_scene

BUMPS = [(70.0, 180.0, 12.0), (190.0, 70.0, 10.0)]  # x, y, radius of red bumps


def _closeup(seed: int = 0) -> tuple[np.ndarray, list[tuple[float, float, float]]]:
    """A 256 px close-up: skin filling the frame, four dark dots (blackhead plugs) and two red bumps."""
    scene = skin_scene((256, 256), margin=0, seed=seed)
    for x, y, r in BUMPS:
        scene = add_red_patch(scene, x, y, r, 18.0)
    scene = add_dots(scene, 4, radius=(2.5, 4.0), darken=35.0, seed=seed + 1, min_gap=30.0)
    return scene.rgb, list(scene.dots)


def test_candidates_lie_on_drawn_blackheads_and_red_bumps() -> None:
    rgb, dots = _closeup()
    cands = propose(rgb)
    assert 0 < len(cands) <= 30
    centres = np.array([(c.x, c.y) for c in cands])
    for x, y, r in dots + BUMPS:
        assert np.hypot(centres[:, 0] - x, centres[:, 1] - y).min() <= max(r, 4.0), (x, y, r)


def test_plain_skin_gets_few_candidates() -> None:
    assert len(propose(skin_scene((256, 256), margin=0, seed=5).rgb)) <= 8


def test_mosaic_seams_found_off_centre_and_not_on_a_single_or_a_letterbox() -> None:
    tones = ["light", "medium", "dark", "light"]
    tiles = [skin_scene((256, 256), tone=t, margin=0, seed=i).rgb for i, t in enumerate(tones)]
    mosaic = np.zeros((256, 256, 3), np.uint8)
    x, y = 110, 150
    mosaic[:y, :x] = tiles[0][:y, :x]
    mosaic[:y, x:] = tiles[1][:y, x:]
    mosaic[y:, :x] = tiles[2][y:, :x]
    mosaic[y:, x:] = tiles[3][y:, x:]
    sx, sy = find_seams(mosaic)
    assert abs(sx - (x - 1)) <= 1 and abs(sy - (y - 1)) <= 1
    assert len(mosaic_tiles(mosaic)) == 4
    single = _closeup()[0]
    assert find_seams(single) is None
    letterbox = single.copy()
    letterbox[:40], letterbox[-40:] = 0, 0
    assert find_seams(letterbox) is None


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, Path]:
    """A two-photo batch (one measure-only) with its photos, candidates and sheets in ``tmp_path``."""
    data = tmp_path / "data"
    (data / "set").mkdir(parents=True)
    for name, seed in (("a.png", 0), ("b.png", 3)):
        cv2.imwrite(str(data / "set" / name), cv2.cvtColor(_closeup(seed)[0], cv2.COLOR_RGB2BGR))
    photos = [Photo("pa", "set/a.png", "lesion-types/train", "papule", "ga"),
              Photo("pb", "set/b.png", "lesion-types/external", "papule", "gb", use="measure")]
    closeups = tmp_path / "closeups"
    write_photos(closeups / "batches" / "batch_01.tsv", photos)
    cand = closeups / "candidates" / "batch_01.tsv"
    n = make_sheets(closeups / "batches" / "batch_01.tsv", tmp_path / "sheets", data=data, candidates_tsv=cand)
    assert n == 2 and len(list((tmp_path / "sheets").glob("*.png"))) == 2
    return {"data": data, "closeups": closeups, "cand": cand, "sheets": tmp_path / "sheets", "tmp": tmp_path}


def _decide(b: dict[str, Path], name: str = "batch_01.me.tsv", *, skip: int | None = None,
            extra: str = "", version: str = "codebook-v1", status_b: str | None = "ok") -> Path:
    """A complete decision file: keep odd candidates as papules, drop even ones, one addition on pa."""
    cands = read_candidates(b["cand"])
    lines = [f"# {version}", "pa\tstatus\tok", "pa\tphoto_type\tpapule", "pa\tadd\t20\t20\t5\tmilium\tsure"]
    if status_b:
        lines.append(f"pb\tstatus\t{status_b}")
    for c in cands:
        if c.cand == skip and c.photo_id == "pa":
            continue
        keep = c.cand % 2 == 1
        lines.append(f"{c.photo_id}\tcand\t{c.cand}\t" + ("keep\tpapule\tsure" if keep else "drop\t-\t-"))
    path = b["closeups"] / "decisions" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" + extra if extra else "") + "\n")
    return path


def _convert(b: dict[str, Path], decision: Path, *extra: str) -> int:
    return main(["--data", str(b["data"]), "--batches", str(b["closeups"] / "batches"), "--candidates",
                 str(b["closeups"] / "candidates"), "convert", str(decision), "--out", str(b["closeups"]), *extra])


def test_template_lists_every_candidate_undecided(batch: dict[str, Path]) -> None:
    rows = [r.split("\t") for r in (batch["sheets"] / "decisions_template.tsv").read_text().splitlines()
            if not r.startswith("#")]
    assert sum(r[1] == "cand" and r[3] == "?" for r in rows) == len(read_candidates(batch["cand"]))
    assert [r[0] for r in rows if r[1] == "status"] == ["pa", "pb"]


def test_coco_round_trip_keeps_types_proposers_negatives_and_keeps_external_apart(batch: dict[str, Path]) -> None:
    assert _convert(batch, _decide(batch), "--proof", str(batch["tmp"] / "proof")) == 0
    train = json.loads((batch["closeups"] / "closeups_train.json").read_text())
    ext = json.loads((batch["closeups"] / "external_eval.json").read_text())
    assert [im["photo_id"] for im in train["images"]] == ["pa"] and [im["photo_id"] for im in ext["images"]] == ["pb"]
    cands = [c for c in read_candidates(batch["cand"]) if c.photo_id == "pa"]
    kept = [c for c in cands if c.cand % 2 == 1]
    anns = train["annotations"]
    rings = [(c.x, c.y, c.r) for c in kept] + [(20.0, 20.0, 5.0)]
    off_rings = [c for c in cands if c.cand % 2 == 0
                 and not any(np.hypot(c.x - x, c.y - y) <= r for x, y, r in rings)]
    assert len(anns) == len(kept) + 1 and len(train["negatives"]) == len(off_rings)
    added = [a for a in anns if a["proposer"] == "added"]
    assert added[0]["center"] == [20.0, 20.0] and added[0]["bbox"] == [15.0, 15.0, 10.0, 10.0]
    names = {c["id"]: c["name"] for c in train["categories"]}
    assert names[added[0]["category_id"]] == "milium" and len(names) == 12
    assert {a["proposer"] for a in anns} - {"added"} <= {c.proposer for c in kept}
    assert train["images"][0]["status"] == "ok" and train["images"][0]["photo_type"] == "papule"
    coco = COCO(str(batch["closeups"] / "closeups_train.json"))  # readable by the usual tools
    assert len(coco.getAnnIds(imgIds=[1])) == len(anns)
    assert len(list((batch["tmp"] / "proof").glob("*.png"))) == 2


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"skip": 1}, "undecided"),
    ({"status_b": None}, "no status"),
    ({"extra": "pa\tadd\t300\t10\t5\tpapule\tsure"}, "outside photo pa"),
    ({"extra": "pa\tadd\t10\t10\t5\tzit\tsure"}, "unknown type 'zit'"),
    ({"version": "codebook-v0"}, "codebook-v1"),
    ({"extra": "pa\tadd\t21\t21\t5\tpapule\tsure"}, "ring one lesion twice"),
])
def test_converter_refuses_with_one_line(batch: dict[str, Path], capsys: pytest.CaptureFixture[str],
                                         kwargs: dict, message: str) -> None:
    assert _convert(batch, _decide(batch, **kwargs)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (batch["closeups"] / "closeups_train.json").exists()


def test_agreement_is_one_for_identical_files_and_lower_for_a_perturbed_one(batch: dict[str, Path]) -> None:
    photos = {"pa": Photo("pa", "set/a.png", "x", "papule", "ga"), "pb": Photo("pb", "set/b.png", "x", "papule", "gb")}
    cands = read_candidates(batch["cand"])
    sizes = {"pa": (256, 256), "pb": (256, 256)}
    a = resolve(_decide(batch), photos, cands, None, sizes)
    same = agreement(a, resolve(_decide(batch, "batch_01.other.tsv"), photos, cands, None, sizes))
    assert same.f1 == 1.0 and same.kappa_type == 1.0 and same.kappa_status == 1.0 and same.matched > 0
    # B adds a lesion nobody else saw, calls pa's first kept candidate a pustule and pb unusable.
    perturbed = _decide(batch, "batch_01.third.tsv", status_b="unusable",
                        extra="pa\tadd\t240\t240\t6\tpapule\tsure").read_text().replace(
        "pa\tcand\t1\tkeep\tpapule", "pa\tcand\t1\tkeep\tpustule")
    path = batch["closeups"] / "decisions" / "batch_01.third.tsv"
    path.write_text(perturbed)
    other = agreement(a, resolve(path, photos, cands, None, sizes))
    assert other.f1 < 1.0 and other.kappa_type < 1.0 and other.kappa_status < 1.0
    assert other.kappa_group == 1.0  # papule and pustule are one group


def test_match_is_one_to_one_within_the_larger_radius_and_kappa_by_hand() -> None:
    a = [Lesion(10, 10, 5, "papule", True, "blob_red", 1), Lesion(50, 50, 3, "papule", True, "plug", 2)]
    b = [Lesion(13, 10, 2, "papule", True, "added", None), Lesion(12, 10, 2, "papule", True, "added", None),
         Lesion(57, 50, 3, "papule", True, "added", None)]
    assert match(a, b) == [(0, 1)]
    # 3 of 4 agree; chance agreement 0.5 * 0.75 + 0.5 * 0.25 = 0.5, so kappa = (0.75 - 0.5) / 0.5.
    assert cohen_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"]) == pytest.approx(0.5)


def test_second_pass_renumbers_but_keeps_every_candidate_where_it_was(batch: dict[str, Path]) -> None:
    decision = _decide(batch)
    bpath, cpath, mpath = shuffle_second_pass([decision], batch["closeups"] / "batches",
                                              batch["closeups"] / "candidates", "second_01", count=2, seed=1)
    old = {(c.photo_id, c.cand): (c.x, c.y, c.r) for c in read_candidates(batch["cand"])}
    new = {(c.photo_id, c.cand): (c.x, c.y, c.r) for c in read_candidates(cpath)}
    assert sorted(old.values()) == sorted(new.values())
    rows = [r.split("\t") for r in mpath.read_text().splitlines()[1:]]
    assert all(new[(p, int(n))] == old[(p, int(o))] for p, n, _, o in rows)
    assert any(int(n) != int(o) for _, n, _, o in rows)


def test_a_drop_under_a_labelled_ring_is_no_hard_negative(batch: dict[str, Path]) -> None:
    """The codebook drops a badly sized ring on a real lesion and adds the lesion again: that drop says "wrong
    ring", not "no lesion here"."""
    cands = [c for c in read_candidates(batch["cand"]) if c.photo_id == "pa"]
    target = cands[0]
    lines = ["# codebook-v1", "pa\tstatus\tok", "pb\tstatus\tno_lesion",
             f"pa\tadd\t{target.x:g}\t{target.y:g}\t{max(target.r * 3, 4):g}\tpapule\tsure"]
    lines += [f"pa\tcand\t{c.cand}\tdrop\t-\t-" for c in cands]
    path = batch["closeups"] / "decisions" / "batch_01.me.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    assert _convert(batch, path) == 0
    train = json.loads((batch["closeups"] / "closeups_train.json").read_text())
    centres = [tuple(n["center"]) for n in train["negatives"]]
    assert (target.x, target.y) not in centres
    assert len(centres) < len(cands)
