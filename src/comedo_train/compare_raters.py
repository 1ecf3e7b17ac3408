"""comedo's Hayashi grade against ACNE04's dermatologists, photo for photo.

    python -m comedo_train.compare_raters [--data ../shared/data/acne04] [--cache runs/grade_model]

``raters.csv`` gives, for ACNE04's photos, the grades of up to seven dermatologists (two junior, two
general, three expert), each of whom graded about half the photos. For each of them this prints, on the
valid photos that dermatologist graded: how often they agree with valid's grade (the one ``comedo evaluate``
scores; raters.csv's own reference column differs on a few photos), how often comedo does (the grade model
as shipped, and the count's band), and a paired 95 % interval of comedo's lead, resampling source photos
(``metrics.group_resamples``). The detector's scores come from the same cache as ``fit_grade_model`` (a
pipeline run when it is missing).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from comedo.detect.registry import get_detector
from comedo.grade.scales import hayashi_grade
from comedo.workflows.evaluate import load_dataset
from comedo.workflows.metrics import group_resamples
from comedo_train.fit_grade_model import evidence_of

RATERS = ("junior_a", "junior_b", "general_a", "general_b", "expert_a", "expert_b", "expertb2")


def photo_key(name: str) -> str:
    """ACNE04's names spell the level "levle" in images and "level" in raters.csv."""
    return name.replace("levle", "level").removesuffix(".jpg")


def rater_grades(path: Path) -> dict[str, dict[str, int]]:
    """Per photo: the reference grade ("reference") and each rater's grade where given."""
    out: dict[str, dict[str, int]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            grades = {"reference": int(row["severity_level"])}
            for rater in RATERS:
                value = row.get(f"severity_level({rater})", "")
                if value not in ("", None):
                    grades[rater] = int(float(value))
            out[photo_key(row["img_filename"])] = grades
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/acne04"))
    parser.add_argument("--cache", type=Path, default=Path("runs/grade_model"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    valid = load_dataset(args.data / "valid")
    raters = rater_grades(args.data / "raters.csv")
    detector = get_detector("model")
    if detector.grade_model is None:
        raise SystemExit("the shipped detector has no grade model")
    run = evidence_of(valid, args.cache / "valid.npz")
    scores = [s for _, s in run.predictions]
    model = np.array([detector.grade_model.grade(s, m)[0] for s, m in zip(scores, run.heat_masses, strict=True)])
    count = np.array([hayashi_grade(int((s >= detector.default_min_score).sum())) for s in scores])
    keys = [photo_key(s) for s in valid.sources]
    differ = sum(1 for k, g in zip(keys, valid.grades, strict=True) if k in raters and raters[k]["reference"] != g)
    print(f"truth: valid's grades, as comedo evaluate scores them (raters.csv's own reference differs on {differ} "
          f"of {len(keys)} photos)")
    report: dict[str, object] = {"reference_differs_on": differ}
    print(f"{'rater':10} {'photos':>6} {'rater':>6} {'comedo':>6} {'count':>6}  comedo - rater (95 %)")
    for rater in RATERS:
        idx = [i for i, k in enumerate(keys) if rater in raters.get(k, {})]
        if not idx:
            continue
        truth = np.array([valid.grades[i] for i in idx])
        theirs = np.array([raters[keys[i]][rater] for i in idx]) == truth
        ours, by_count = model[idx] == truth, count[idx] == truth
        draws = group_resamples([valid.sources[i] for i in idx], rounds=1000)
        lo, hi = np.percentile([ours[d].mean() - theirs[d].mean() for d in draws], [2.5, 97.5])
        report[rater] = {"photos": len(idx), "rater": round(float(theirs.mean()), 3),
                         "comedo": round(float(ours.mean()), 3), "comedo_count": round(float(by_count.mean()), 3),
                         "lead_95": [round(float(lo), 3), round(float(hi), 3)]}
        print(f"{rater:10} {len(idx):6d} {theirs.mean():6.3f} {ours.mean():6.3f} {by_count.mean():6.3f}  "
              f"{ours.mean() - theirs.mean():+.3f} ({lo:+.3f} to {hi:+.3f})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
