"""The detector's learned Hayashi grade: its features, its file format, the shipped fit's behaviour,
and the fitting code."""

from __future__ import annotations

import json

import numpy as np
import pytest

from comedo.grade.model import CountGradeModel, grade_features
from comedo.nets.registry import WEIGHTS_DIR
from comedo_train.fit_grade_model import THRESHOLDS, fit_model, grouped_cv


def shipped() -> CountGradeModel:
    card = json.loads((WEIGHTS_DIR / "lesion_detector.card.json").read_text())
    return CountGradeModel.from_dict(card["inference"]["grade_model"])


def test_features_count_at_each_threshold_and_sum_scores() -> None:
    scores = np.array([0.02, 0.07, 0.12, 0.5, 0.9])
    f = grade_features(scores, (0.05, 0.1, 0.6))
    assert np.allclose(np.expm1(f), [4, 3, 1, 0.07 + 0.12 + 0.5 + 0.9])  # the 0.02 is below every threshold
    assert np.allclose(grade_features(np.zeros(0), (0.05, 0.1)), 0.0)
    with_mass = grade_features(scores, (0.05, 0.1, 0.6), heat_mass=12.5)
    assert np.allclose(with_mass[:-1], f) and np.isclose(with_mass[-1], np.log1p(12.5))


def test_round_trip_and_shape_checks() -> None:
    model = shipped()
    again = CountGradeModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.thresholds == model.thresholds
    assert np.allclose(again.weights, model.weights)
    assert model.count_weights is not None and np.allclose(again.count_weights, model.count_weights)
    assert model.heat_mass and again.heat_mass
    with pytest.raises(ValueError, match="heat mass"):
        model.grade(np.full(5, 0.6))  # a model that reads the heat mass must be given one
    with pytest.raises(ValueError):
        CountGradeModel(model.thresholds, model.mean, model.scale, model.weights, np.zeros(3))
    with pytest.raises(ValueError):
        CountGradeModel((0.1, 0.2), np.zeros(3), np.ones(3), np.zeros((3, 4)))
    with pytest.raises(ValueError):
        CountGradeModel((0.1,), np.zeros(2), np.array([1.0, 0.0]), np.zeros((3, 4)))


# Heat mass per labelled lesion on ACNE04 train photos with 6 or more: 12.5-14 by Hayashi band.
MASS_PER_LESION = 14.0


def test_shipped_model_grades_rise_with_the_number_of_clear_lesions() -> None:
    model = shipped()
    assert model.min_score == pytest.approx(min(THRESHOLDS))
    grades = []
    for n in (0, 2, 4, 12, 30, 70):
        grade, p = model.grade(np.full(n, 0.6), n * MASS_PER_LESION)
        assert p.shape == (4,) and p.sum() == pytest.approx(1.0)
        grades.append(grade)
    assert grades == sorted(grades)
    assert grades[0] == 0 and grades[-1] == 3
    estimates = [model.estimated_count(np.full(n, 0.6), n * MASS_PER_LESION) for n in (0, 4, 12, 30, 70)]
    assert estimates == sorted(estimates) and estimates[0] <= 1 and estimates[-1] >= 50
    # Many faint candidates beside a handful of clear ones raise the grade: the point of the model.
    few_clear = np.full(15, 0.6)
    faint = np.concatenate([few_clear, np.full(60, 0.12)])
    assert model.grade(faint, 15 * MASS_PER_LESION + 60 * 2)[0] > model.grade(few_clear, 15 * MASS_PER_LESION)[0]
    # Confident candidates beyond what ACNE04's faces gave (its scores rarely reach 0.4, so the model reads no
    # count above 0.3) keep the model near its fitted range: within one band of Hayashi's for the count.
    from comedo.grade.scales import hayashi_grade
    for n in (2, 10, 20, 30, 70):
        assert abs(model.grade(np.full(n, 0.6), n * MASS_PER_LESION)[0] - hayashi_grade(n)) <= 1
    # So does more heat around the same candidates: lesions merged in a cluster.
    assert model.estimated_count(few_clear, 4 * 15 * MASS_PER_LESION) > model.estimated_count(
        few_clear, 15 * MASS_PER_LESION)


def test_fit_recovers_grades_that_follow_the_count_and_cv_keeps_copies_together() -> None:
    rng = np.random.default_rng(0)
    n_true = rng.integers(0, 70, 400)
    grades = np.digitize(n_true, [6, 21, 51])  # Hayashi's bands
    features = np.stack([grade_features(rng.uniform(0.3, 0.9, n), THRESHOLDS) for n in n_true])
    model = fit_model(features, grades, 1e-3, n_true)
    assert (model.grades_of(features) == grades).mean() > 0.9
    assert np.abs(model.counts_of(features) - n_true).mean() < 1.0  # the features hold the count
    assert not model.heat_mass
    assert fit_model(np.column_stack([features, np.log1p(12.0 * n_true)]), grades, 1e-3, n_true).heat_mass
    groups = [f"photo{i // 3}" for i in range(len(grades))]
    accuracy, count_mae = grouped_cv(features, grades, groups, 1e-3, n_true)
    assert accuracy > 0.85 and count_mae is not None and count_mae < 1.5


def test_rater_file_is_read_with_acne04s_two_spellings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from comedo_train.compare_raters import photo_key, rater_grades

    path = tmp_path / "raters.csv"
    path.write_text("img_filename,severity_level,severity_level(junior_a),severity_level(expert_b)\n"
                    "level2_7.jpg,2,1.0,\nlevel0_3.jpg,0,,0.0\n")
    grades = rater_grades(path)
    assert photo_key("levle2_7") == "level2_7" and grades["level2_7"] == {"reference": 2, "junior_a": 1}
    assert grades["level0_3"] == {"reference": 0, "expert_b": 0}


def test_cached_run_keeps_heat_masses_and_reruns_a_cache_without_them(  # type: ignore[no-untyped-def]
        sample_path, tmp_path) -> None:
    from PIL import Image

    from comedo.detect.registry import get_detector
    from comedo.workflows.evaluate import load_dataset
    from comedo_train.cached_runs import cached_predictions

    (tmp_path / "images").mkdir()
    Image.open(sample_path).save(tmp_path / "images" / "face.jpg", quality=95)
    (tmp_path / "annotations.json").write_text(json.dumps(
        {"images": [{"id": 1, "file_name": "face.jpg", "grade": 1}], "annotations": []}))
    ds = load_dataset(tmp_path)
    built: list[str] = []

    def detector(name: str):  # type: ignore[no-untyped-def]
        built.append(name)
        return get_detector(name)

    cache = tmp_path / "cache.npz"
    run = cached_predictions(ds, cache, lambda: detector("model"))
    assert run.heat_masses[0] is not None and run.heat_masses[0] > 0
    again = cached_predictions(ds, cache, lambda: detector("model"))
    assert built == ["model"] and again.heat_masses == run.heat_masses  # read back, not run again
    assert np.array_equal(again.predictions[0][1], run.predictions[0][1])
    stored = dict(np.load(cache, allow_pickle=True))
    del stored["heat_mass"]  # a cache written before the heat mass was recorded
    np.savez_compressed(cache, **stored)
    assert cached_predictions(ds, cache, lambda: detector("classical")).heat_masses == [None]  # run again
    assert built == ["model", "classical"]
    assert cached_predictions(ds, cache, lambda: detector("model")).heat_masses == [None]  # None survives the cache
