"""How far can a lesion count take the Hayashi grade? A diagnostic, not a fit.

    python -m comedo_train.grade_ceiling ../shared/data/acne04/valid

Prints, per ACNE04 grade, the quartiles of the labelled box counts and of the
shipped detector's counts (as ``comedo analyze`` runs it); the grade accuracy of
Hayashi's cut-offs applied to the labelled counts (what a perfect counter would
reach); and, for several score thresholds, the accuracy of Hayashi's cut-offs and
of the best cut-offs chosen on these same photos. The last is an upper bound for
any count-based grade with this detector, not a figure to report as accuracy.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from comedo.grade.scales import HAYASHI_UPPER, hayashi_grade
from comedo.workflows.evaluate import grades_on_grid, load_dataset, run_detector


def best_cutoffs(counts: np.ndarray, grades: np.ndarray) -> tuple[float, tuple[int, int, int]]:
    """The cut-offs with the highest accuracy on these photos (an in-sample bound; ties: the first found)."""
    grid = np.array(list(itertools.combinations(range(1, 80), 3)))
    accuracy = (grades_on_grid(counts, grid) == grades[None, :]).mean(axis=1)
    best = int(np.argmax(accuracy))
    return float(accuracy[best]), (int(grid[best, 0]), int(grid[best, 1]), int(grid[best, 2]))


def accuracy_of(counts: np.ndarray, grades: np.ndarray, upper: tuple[int, int, int]) -> float:
    """Grade accuracy of ``hayashi_grade`` with cut-offs ``upper``."""
    return float(np.mean([hayashi_grade(int(c), upper) == g for c, g in zip(counts, grades, strict=True)]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="an ACNE04-style folder (annotations.json with grades)")
    args = parser.parse_args(argv)
    ds = load_dataset(args.data)
    keep = [i for i, g in enumerate(ds.grades) if g is not None]
    grades = np.array([ds.grades[i] for i in keep])
    truth = np.array([len(ds.boxes[i]) for i in keep])
    run = run_detector(ds, "auto")
    scores = [run.predictions[i][1] for i in keep]
    predicted = np.array([int((s >= run.operating_threshold).sum()) for s in scores])
    print(f"{len(keep)} photos; detector threshold {run.operating_threshold:.2f}")
    for grade in range(4):
        sel = grades == grade
        print(f"grade {grade} ({int(sel.sum())} photos): labelled boxes (min, quartiles, max) "
              f"{np.percentile(truth[sel], [0, 25, 50, 75, 100]).round(1).tolist()}, detected "
              f"{np.percentile(predicted[sel], [0, 25, 50, 75, 100]).round(1).tolist()}")
    perfect = accuracy_of(truth, grades, HAYASHI_UPPER)
    print(f"Hayashi's cut-offs {HAYASHI_UPPER} on the labelled box counts: accuracy {perfect:.3f}")
    for threshold in (0.15, 0.2, run.operating_threshold, 0.3):
        counts = np.array([int((s >= threshold).sum()) for s in scores])
        hayashi = accuracy_of(counts, grades, HAYASHI_UPPER)
        bound, cut = best_cutoffs(counts, grades)
        print(f"threshold {threshold:.2f}: Hayashi's cut-offs {hayashi:.3f}; best cut-offs on these photos "
              f"{cut} {bound:.3f} (in-sample bound)")


if __name__ == "__main__":
    main()
