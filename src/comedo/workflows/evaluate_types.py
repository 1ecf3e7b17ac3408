"""Lesion types and close-up advice, scored over folders of close-ups named by type.

Each photo goes through ``comedo.analyze`` as a user's would, and is scored three
ways: the type classifier alone (its whole-photo probabilities, argmax: every
photo gets an answer), the pipeline's answer (``lesion_type.label`` and
``.group``, which stay null when unsure; a photo with no answer counts as wrong,
and coverage is reported beside it), and what the person is told (the extraction
protocol, open-comedo lesions marked, whether whole-face scales were printed).
Calibration is the expected calibration error of the classifier's top
probability over ten equal-width bins (Guo et al., ICML 2017), with the reliability
table; accuracy against coverage thresholds that top probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comedo.classify.lesion_types import GROUP_NAMES, TYPE_NAMES, group_probabilities
from comedo.measure.skin_tone import ita_band
from comedo.types import LesionType, UntypedCode
from comedo.workflows.metrics import bootstrap_macro_f1, confusion_matrix, macro_f1

__all__ = ["CloseUpResult", "score_close_up", "summarise", "expected_calibration_error"]

GROUP_OF_TYPE = [GROUP_NAMES.index(LesionType(t).group.value) for t in TYPE_NAMES]


@dataclass(frozen=True)
class CloseUpResult:
    """One photo: its true type index, source group, what the classifier and the pipeline said, and the advice."""

    path: str
    truth: int
    source: str
    probs: np.ndarray  # (6,) the classifier's whole-photo probabilities (TYPE_NAMES order)
    label: str | None
    group: str | None
    view: str
    protocol: bool
    open_comedo_lesions: int
    graded: bool
    ita_deg: float | None
    # Each listed lesion's group: its type's, "deep" for one untyped because only a scale can tell it from a large
    # papule (it may be deep), None for other untyped lesions.
    ring_groups: tuple[str | None, ...] = ()


def score_close_up(path: Path, truth: int, source: str) -> CloseUpResult:
    """Analyse one photo as a user would (``comedo.analyze``), and keep what the figures need. The classifier's
    own answer is the pipeline's whole-photo pass (``lesion_type.scores``, on every view), not a second run."""
    from comedo.pipeline import analyze

    analysis = analyze(path)
    photo = analysis.photo_type
    if photo is None or photo.scores is None:
        raise RuntimeError("this build has no lesion-type model")
    probs = np.array([photo.scores[t] for t in TYPE_NAMES], np.float32)
    report = analysis.report
    protocol = report is not None and report.extraction.advice == "ok_with_care"  # type: ignore[attr-defined]
    lesions = analysis.lesions
    ring_groups = tuple(
        LesionType(t).group.value if t is not None else
        ("deep" if why is not None and why.code == UntypedCode.NEEDS_SCALE else None)
        for t, why in zip(lesions.type_label, lesions.type_reason, strict=True))
    return CloseUpResult(str(path), truth, source, probs, None if photo is None else photo.label,
                         None if photo is None else photo.group, analysis.scene.view if analysis.scene else "?",
                         protocol, int(sum(t == "open_comedo" for t in analysis.lesions.type_label)),
                         analysis.severity.graded, analysis.redness.ita_deg, ring_groups)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10,
                               ) -> tuple[float, list[dict[str, float]]]:
    """ECE and the reliability table (per bin: range, photos, mean confidence, accuracy)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence >= lo) & ((confidence < hi) if hi < 1 else (confidence <= hi))
        if not inside.any():
            continue
        conf, acc = float(confidence[inside].mean()), float(correct[inside].mean())
        ece += inside.mean() * abs(conf - acc)
        table.append({"from": round(float(lo), 2), "to": round(float(hi), 2), "photos": int(inside.sum()),
                      "confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return float(ece), table


def _f1_with_interval(truth: np.ndarray, pred: np.ndarray, sources: list[str], n: int) -> dict[str, object]:
    """Macro-F1 over the ``n`` classes, with ``n`` in ``pred`` meaning "no answer" (always wrong)."""
    matrix = confusion_matrix(truth.tolist(), pred.tolist(), n + 1)
    f1, per_class = macro_f1(matrix)
    low, high = bootstrap_macro_f1(truth.tolist(), pred.tolist(), sources, n + 1)
    return {"macro_f1": round(f1, 4), "interval_95": [round(low, 4), round(high, 4)],
            "accuracy": round(float((truth == pred).mean()), 4), "coverage": round(float((pred < n).mean()), 4),
            "f1": [round(v, 4) for v in per_class[:n]], "confusion": matrix[:n].tolist()}


def ring_agreement(results: list[CloseUpResult]) -> dict[str, object]:
    """Do the rings say what the photo's label says? Per label: the share of photos with at least one ring typed
    in the label's group (a deep one counts "may be deep" rings), the median photo's share of its typed rings in
    that group (photos with a typed ring), and for blackheads and whiteheads the share carrying a deep or
    may-be-deep ring."""
    out: dict[str, object] = {}
    for k, name in enumerate(TYPE_NAMES):
        mine = [r for r in results if r.truth == k]
        if not mine:
            continue
        group = LesionType(name).group.value
        typed = [[g for g in r.ring_groups if g is not None] for r in mine]
        shares = [sum(g == group for g in t) / len(t) for t in typed if t]
        entry: dict[str, object] = {
            "photos": len(mine),
            "with_ring_in_group": round(sum(any(g == group for g in t) for t in typed) / len(mine), 4),
            "photos_with_typed_ring": len(shares),
            "median_share_in_group": round(float(np.median(shares)), 4) if shares else None}
        if group == "comedonal":
            entry["with_deep_ring"] = round(sum("deep" in t for t in typed) / len(mine), 4)
        out[name] = entry
    return out


def summarise(results: list[CloseUpResult]) -> dict[str, object]:
    """Every figure of ``comedo evaluate-types``, as a JSON-ready dict."""
    truth = np.array([r.truth for r in results])
    sources = [r.source for r in results]
    probs = np.stack([r.probs for r in results])
    groups_p = group_probabilities(probs)
    truth_g = np.array([GROUP_OF_TYPE[t] for t in truth])
    label = np.array([TYPE_NAMES.index(r.label) if r.label else 6 for r in results])
    group = np.array([GROUP_NAMES.index(r.group) if r.group else 3 for r in results])
    top = probs.max(axis=1)
    correct = probs.argmax(axis=1) == truth
    coverage = []
    for threshold in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        named = top >= threshold
        coverage.append({"min_probability": threshold, "coverage": round(float(named.mean()), 4),
                         "accuracy_when_named": round(float(correct[named].mean()), 4) if named.any() else None})
    ece, reliability = expected_calibration_error(top, correct)
    ece_g, reliability_g = expected_calibration_error(groups_p.max(axis=1), groups_p.argmax(axis=1) == truth_g)
    advice = {}
    for k, name in enumerate(TYPE_NAMES):
        mine = [r for r in results if r.truth == k]
        if mine:
            close = [r for r in mine if r.view == "close_up"]
            advice[name] = {"photos": len(mine), "protocol": round(sum(r.protocol for r in mine) / len(mine), 4),
                            "with_open_comedo_lesion": round(sum(r.open_comedo_lesions > 0 for r in mine) /
                                                             len(mine), 4),
                            "close_ups": len(close),
                            "close_ups_protocol": round(sum(r.protocol for r in close) / len(close), 4)
                            if close else None,
                            "close_ups_with_open_comedo_lesion": round(
                                sum(r.open_comedo_lesions > 0 for r in close) / len(close), 4) if close else None}
    by_band: dict[str, dict[str, object]] = {}
    bands = np.array([ita_band(r.ita_deg) for r in results])
    for band in dict.fromkeys(bands.tolist()):
        pick = np.flatnonzero(bands == band)
        entry: dict[str, object] = {"photos": int(pick.size)}
        if pick.size >= 20:
            entry["group_macro_f1_classifier"] = round(macro_f1(confusion_matrix(
                truth_g[pick].tolist(), groups_p[pick].argmax(axis=1).tolist(), 3))[0], 4)
            entry["type_accuracy_classifier"] = round(float(correct[pick].mean()), 4)
        by_band[band] = entry
    close_ups = [r for r in results if r.view == "close_up"]
    return {
        "photos": len(results), "source_photos": len(set(sources)),
        "classifier": {"types": _f1_with_interval(truth, probs.argmax(axis=1), sources, 6),
                       "groups": _f1_with_interval(truth_g, groups_p.argmax(axis=1), sources, 3)},
        "pipeline": {"types": _f1_with_interval(truth, label, sources, 6),
                     "groups": _f1_with_interval(truth_g, group, sources, 3)},
        "accuracy_vs_coverage": coverage,
        "calibration": {"types_ece": round(ece, 4), "types_reliability": reliability,
                        "groups_ece": round(ece_g, 4), "groups_reliability": reliability_g},
        "advice": advice,
        "rings": ring_agreement(results),
        "seen_as_close_up": len(close_ups),
        "graded_close_ups": sum(r.graded for r in close_ups),
        "by_ita_band": by_band,
        "labels": list(TYPE_NAMES), "groups": list(GROUP_NAMES),
    }
