"""Lesion typing: the type of each detected lesion and the photo's dominant type.

Runs the shipped classifier (``comedo.classify``) on square crops of the
full-resolution photo. A lesion too small to judge (its crop under the card's
``min_crop_px``) or judged with a top score under ``min_confidence`` stays
untyped and says why; untyped lesions count as inflammatory in the scales.
The photo-level type is the classifier's answer for the whole frame on a
close-up, and the most common lesion type (mean scores) on a wider view.
"""

from __future__ import annotations

import numpy as np

from comedo.classify.registry import get_type_classifier
from comedo.types import Lesions, LesionType, PhotoType

__all__ = ["type_lesions"]

TYPE_NAMES = tuple(t.value for t in LesionType)


def type_lesions(rgb: np.ndarray, lesions: Lesions, *, close_up: bool) -> tuple[Lesions, list[str | None], PhotoType,
                                                                                 dict[str, str] | None]:
    """Typed lesions, per-lesion reasons for missing types, the photo type, and the model identity."""
    classifier = get_type_classifier()
    if classifier is None:
        reasons: list[str | None] = ["no lesion-type model in this build"] * len(lesions)
        return lesions, reasons, PhotoType(None, None, "no lesion-type model in this build"), None
    order = list(classifier.card.labels)
    index = [order.index(name) for name in TYPE_NAMES]
    crops, reasons = classifier.lesion_crops(rgb, lesions.centers, lesions.radii)
    judged = [i for i, r in enumerate(reasons) if r is None]
    scores = np.full((len(lesions), len(TYPE_NAMES)), np.nan, np.float32)
    labels = np.full(len(lesions), None, object)
    if judged:
        probs = classifier.classify([crops[i] for i in judged], mirror=False)[:, index]
        scores[judged] = probs
        for i, p in zip(judged, probs, strict=True):
            if float(p.max()) >= classifier.card.min_confidence:
                labels[i] = TYPE_NAMES[int(p.argmax())]
            else:  # scores are kept, but no type is claimed
                reasons[i] = (f"uncertain: the most likely type, {TYPE_NAMES[int(p.argmax())]}, scored "
                              f"{float(p.max()):.2f} < {classifier.card.min_confidence:.2f}")
    typed = Lesions(lesions.xyxy, lesions.score, labels, scores)
    if close_up:
        whole = classifier.classify_photo(rgb)[index]
        photo = PhotoType(TYPE_NAMES[int(whole.argmax())], dict(zip(TYPE_NAMES, map(float, whole), strict=True)),
                          "whole_photo")
    elif any(label is not None for label in labels):
        typed_idx = [i for i in judged if labels[i] is not None]
        counts = np.bincount(scores[typed_idx].argmax(axis=1), minlength=len(TYPE_NAMES))
        mean = scores[typed_idx].mean(axis=0)
        top = int(np.lexsort((mean, counts))[-1])
        photo = PhotoType(TYPE_NAMES[top], dict(zip(TYPE_NAMES, map(float, mean), strict=True)), "lesion_majority")
    else:
        photo = PhotoType(None, None, "wide view with no lesion typed with confidence (too small or uncertain)")
    return typed, reasons, photo, classifier.identity
