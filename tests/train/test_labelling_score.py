"""Scoring comedo's rings against labels made by eye: the matching and the per-group counts, on hand-made rings."""

from __future__ import annotations

import pytest

from comedo_train.labelling.decisions import Lesion
from comedo_train.labelling.score import rings_of, score_photo, summarise


def ring(x: float, y: float, r: float, kind: str | None) -> Lesion:
    return Lesion(x, y, r, kind, True, "test", None)


def test_a_ring_counts_for_a_group_only_when_typed_in_it() -> None:
    labels = [ring(10, 10, 5, "pustule"), ring(50, 50, 4, "open_comedo"), ring(90, 90, 8, "nodule")]
    rings = [ring(11, 11, 6, "papule"),      # inflamed, matches the pustule
             ring(52, 49, 3, None),           # untyped: found overall, not for the comedonal group
             ring(200, 200, 5, "cyst")]       # a deep ring on plain skin
    counts = score_photo("p", labels, rings)
    assert (counts.labels, counts.rings, counts.matched) == (3, 3, 2)
    assert counts.by_group["inflamed"] == (1, 1, 1)
    assert counts.by_group["comedonal"] == (1, 0, 0)
    assert counts.by_group["deep"] == (1, 1, 0)


def test_summary_f1_recall_precision_and_interval() -> None:
    labels = [ring(10, 10, 5, "papule"), ring(40, 40, 5, "papule")]
    perfect = score_photo("a", labels, labels)
    empty = score_photo("b", labels, [])
    summary = summarise([perfect, empty], n_boot=200)
    overall = summary["overall"]
    assert overall["f1"] == pytest.approx(2 * 2 / (4 + 2))
    assert overall["recall"] == pytest.approx(0.5) and overall["precision"] == pytest.approx(1.0)
    lo, hi = overall["f1_interval"]
    assert 0.0 <= lo <= overall["f1"] <= hi <= 1.0
    assert summary["deep"]["f1"] is None


def test_rings_of_reads_the_document_lesions() -> None:
    document = {"lesions": [{"center": [3.0, 4.0], "radius_px": 2.5, "type": "pustule", "origin": "detector"},
                            {"center": [9.0, 9.0], "radius_px": 1.0, "type": None, "origin": None}]}
    rings = rings_of(document)
    assert [(r.x, r.y, r.r, r.type) for r in rings] == [(3.0, 4.0, 2.5, "pustule"), (9.0, 9.0, 1.0, None)]


def test_card_tables_count_statuses_lesions_and_types() -> None:
    from comedo_train.labelling.stats import card_tables
    from comedo_train.labelling.vocab import TYPES

    coco = {"categories": [{"id": i, "name": t} for i, t in enumerate(TYPES, start=1)],
            "images": [{"id": 1, "batch": "b1", "labeller": "x", "status": "ok", "source_folder": "s"},
                       {"id": 2, "batch": "b1", "labeller": "x", "status": "mosaic", "source_folder": "s"}],
            "annotations": [{"image_id": 1, "category_id": 1, "sure": True, "proposer": "added"},
                            {"image_id": 1, "category_id": 3, "sure": False, "proposer": "plug"}],
            "negatives": [{"image_id": 1}, {"image_id": 1}, {"image_id": 1}]}
    lines = card_tables(coco)
    assert "| b1 | x | 2 (1 / 1 / 0 / 0) | 2 (1) | 1 / 1 | 3 |" in lines
    assert "| open_comedo | comedonal | 1 | 1 |" in lines and "| papule | inflamed | 1 | 1 |" in lines
