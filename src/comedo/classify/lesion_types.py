"""Lesion typing: the type of each detected lesion and the photo's dominant type.

Runs the shipped classifier (``comedo.classify``) on square crops of the
full-resolution photo. A lesion too small to judge (its crop under the card's
``min_crop_px``) or judged with a top score under ``min_confidence`` stays
untyped and says why; untyped lesions count as inflammatory in the scales.
The photo-level type is the classifier's answer for the whole frame, on every
view: the training photos are labelled by their dominant type, close-ups and
wider web shots of a cheek or a face alike, and on wider views the lesions are
mostly too small to type one by one (on 256 external photos, 112 read as wide
views got a photo type from their lesions' majority far less often than from
the whole frame). The answer comes in two parts (``photo_decision``): the group
(comedonal, inflamed, deep: the safety-relevant one, from the summed
probabilities of its types) and the six-way label, each named only when its
probability reaches the card's calibrated threshold, and the label only within
the group named: "inflamed, papule or pustule" is an honest answer where
"papule" would be a guess.

Nodules and cysts are defined by size as well as look: 5 mm or more across
(the IGA lesion definitions of the FDA's 2018 acne guidance), where a papule
is smaller. A lesion crop cannot show that on its own, and the classifier,
trained on close-ups, calls upsampled face crops of large papules nodules. So
a per-lesion nodule or cyst call stands where the crop is at least the
network's input size (seen at close-up detail, as in training), or where a
scale shows the lesion is 5 mm or more; under 5 mm the next most likely type
is taken; otherwise the lesion stays untyped and says why.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from comedo.classify.registry import get_type_classifier
from comedo.lesions import Lesions
from comedo.types import LesionGroup, LesionType, PhotoType, Untyped, UntypedCode

__all__ = ["deep_type_check", "type_lesions", "type_photo", "type_summary", "photo_decision", "group_probabilities",
           "scope_photo_type", "ring_type_probabilities", "type_photo_from_rings", "mark_may_be_deep"]

TYPE_NAMES = tuple(t.value for t in LesionType)
GROUP_NAMES = tuple(g.value for g in LesionGroup)
DEEP_TYPES = tuple(t.value for t in LesionGroup.DEEP.members)
DEEP_MIN_MM = 5.0  # nodules and cysts are 5 mm or more across; papules are smaller
# Each typed lesion is one pass of the type network (about 10 ms on 2 cores for EfficientNet-Lite0); the largest
# are typed first, as the ones a crop shows best, and the rest say why they are not.
MAX_TYPED_LESIONS = 8


def deep_type_check(probs: np.ndarray, diameter_mm: float | None, crop_px: int, input_px: int,
                    min_confidence: float) -> tuple[str | None, Untyped | None]:
    """The type to claim for one lesion whose most likely type is a nodule or cyst, or None and why.

    ``crop_px`` is the short side of the lesion's crop and ``input_px`` the
    network's input side: a smaller crop was upsampled, unlike any training photo."""
    top = TYPE_NAMES[int(probs.argmax())]
    if diameter_mm is not None and diameter_mm >= DEEP_MIN_MM:
        return top, None
    if diameter_mm is None:
        if crop_px >= input_px:
            return top, None
        return None, Untyped(UntypedCode.NEEDS_SCALE, (
            f"needs a scale: looks most like a {top} ({float(probs.max()):.2f}), but from a {crop_px} px crop without "
            f"a scale a {top} cannot be told from a large papule: it is {DEEP_MIN_MM:.0f} mm or more across (give "
            "the photo's mm per pixel)"))
    shallow = np.array([p if name not in DEEP_TYPES else 0.0 for name, p in zip(TYPE_NAMES, probs, strict=True)])
    best = int(shallow.argmax())
    share = float(shallow[best] / max(float(shallow.sum()), 1e-9))
    if share >= min_confidence:
        return TYPE_NAMES[best], None
    return None, Untyped(UntypedCode.UNCERTAIN, (
        f"uncertain: {diameter_mm:.1f} mm across is too small for a {top} (those are {DEEP_MIN_MM:.0f} mm or more), "
        f"and no other type scored {min_confidence:.2f}"))


_SUMMARY = {UntypedCode.TOO_SMALL: "too small to judge", UntypedCode.UNCERTAIN: "uncertain",
            UntypedCode.NEEDS_SCALE: "needs a scale", UntypedCode.NO_MODEL: "no type model",
            UntypedCode.NOT_TYPED: "not typed"}


def type_summary(label: str | None, reason: Untyped | None, scores: dict[str, float] | None) -> str:
    """A lesion's type in a few words for tables: the type, or why there is none
    (a needs-a-scale lesion names the type it may be)."""
    if label is not None:
        return label.replace("_", " ")
    if reason is None:
        return "-"
    if reason.code is UntypedCode.NEEDS_SCALE and scores:
        top = max(scores, key=scores.__getitem__)
        return f"{top if top in DEEP_TYPES else 'nodule or cyst'}? needs a scale"
    return _SUMMARY[reason.code]


def group_probabilities(probs: np.ndarray) -> np.ndarray:
    """(..., 3) group probabilities (``GROUP_NAMES`` order) from (..., 6) type probabilities (``TYPE_NAMES``)."""
    members = [[TYPE_NAMES.index(t.value) for t in g.members] for g in LesionGroup]
    return np.stack([probs[..., m].sum(axis=-1) for m in members], axis=-1)


def photo_decision(probs: np.ndarray, *, group_min: float, label_min: float,
                   comedonal_min: float | None = None, deep_veto: float = 1.0,
                   deep_likely: float = 1.0) -> PhotoType:
    """A close-up's answer from its (6,) type probabilities: the group when its summed probability reaches
    ``group_min`` (``comedonal_min`` for the comedonal group, whose name invites squeezing), and the type when
    its own reaches ``label_min`` and it belongs to that group."""
    groups = group_probabilities(probs)
    g = int(groups.argmax())
    need = comedonal_min if (comedonal_min is not None and GROUP_NAMES[g] == "comedonal") else group_min
    group = GROUP_NAMES[g] if float(groups[g]) >= need else None
    t = int(probs.argmax())
    label = TYPE_NAMES[t] if group is not None and float(probs[t]) >= label_min and \
        LesionType(TYPE_NAMES[t]).group.value == group else None
    basis = "whole_photo" if group is not None else \
        f"whole_photo: unsure (most likely {GROUP_NAMES[g]}, {float(groups[g]):.2f}, under the {need:.2f} needed)"
    deep = float(groups[GROUP_NAMES.index("deep")])
    return PhotoType(label, dict(zip(TYPE_NAMES, map(float, probs), strict=True)), basis, group,
                     dict(zip(GROUP_NAMES, map(float, groups), strict=True)), deep >= deep_veto, deep >= deep_likely)


def scope_photo_type(photo: PhotoType, *, close_up: bool, face_found: bool, lesions: int) -> PhotoType:
    """The whole frame's type where it applies: a close-up, or a wider view with lesions listed and no face mapped
    (a web shot of a cheek or a lump, as in training). On a mapped face it reads nothing (the whole frame named a
    deep group on 26 % of 150 clean faces-wild faces and 38 % of 150 ACNE04 faces), nor on a wider view with no
    lesion found: there the group and label are None, the flags False and ``basis`` says why; the scores stay."""
    if close_up or (lesions and not face_found) or photo.scores is None:
        return photo
    why = "a face: the whole-frame type is learned from close-ups and means nothing over a face; see each " \
          "lesion's type" if face_found else "a wider view with no lesion found: nothing to type"
    return PhotoType(None, photo.scores, f"not applied: {why}", None, photo.group_scores)


def type_photo(rgb: np.ndarray) -> PhotoType:
    """The whole frame's type (group and label, each None when unsure).

    ``rgb`` may be a small copy (the analysis working copy): the views are squashed to the network's input
    anyway, and cutting them from 12 MP costs more than the network. It needs no lesion, so the pipeline runs
    it beside the pixel measures."""
    classifier = get_type_classifier()
    if classifier is None:
        return PhotoType(None, None, "no lesion-type model in this build")
    order = list(classifier.card.labels)
    card = classifier.card
    whole = classifier.classify_photo(rgb)[[order.index(name) for name in TYPE_NAMES]]
    return photo_decision(whole, group_min=card.group_min_confidence, label_min=card.photo_min_confidence,
                          comedonal_min=card.comedonal_min_confidence, deep_veto=card.deep_veto,
                          deep_likely=card.deep_likely)


def ring_type_probabilities(lesions: Lesions) -> np.ndarray | None:
    """(6,) the ringed lesions' type probabilities (``type_scores``), each ring weighted by its score times its
    area (a large lesion is more of what the photo shows), normalised; None where no ring has type scores."""
    if lesions.type_scores is None or not len(lesions):
        return None
    scores = np.asarray(lesions.type_scores, np.float64)
    typed = ~np.isnan(scores).any(axis=1)
    if not typed.any():
        return None
    weight = np.asarray(lesions.score, np.float64)[typed] * np.asarray(lesions.radii, np.float64)[typed] ** 2
    mix = (scores[typed] * weight[:, None]).sum(axis=0)
    return mix / mix.sum() if mix.sum() > 0 else None


def type_photo_from_rings(whole: PhotoType, lesions: Lesions, *, lookalike_share: float = 0.0,
                          lookalike_min_share: float = 0.5, whole_frame_weight: float = 0.5,
                          pooling: str = "linear", deep_likely: float | None = None) -> PhotoType:
    """A close-up's answer from its ringed lesions (``ring_type_probabilities``: their types and sizes) with the
    whole frame's answer ``whole`` (``type_photo``) as one input: their probabilities pooled, the whole frame
    weighing ``whole_frame_weight`` = w (``pooling`` "linear": w frame + (1 - w) rings; "log_linear": frame^w
    rings^(1 - w), renormalised, which grows sure where the two agree; Genest & Zidek 1986), then
    ``photo_decision`` with the type card's thresholds (with no typed ring, or no whole-frame scores, ``whole``'s).
    ``lookalike_share``: the share of the rings typed a look-alike of acne; at ``lookalike_min_share`` or over,
    the photo most likely shows one. ``deep_likely``: the deep group's probability from which a deep lesion is
    likely (the close-up detector's card fits its own on the pooled answer); default the type card's."""
    rings = ring_type_probabilities(lesions)
    classifier = get_type_classifier()
    lookalike = {"lookalike_share": float(lookalike_share), "lookalike_likely": lookalike_share >= lookalike_min_share}
    if rings is None or whole.scores is None or classifier is None:
        if deep_likely is not None and whole.group_scores is not None:
            lookalike["deep_likely"] = whole.group_scores["deep"] >= deep_likely
        return replace(whole, **lookalike)
    card = classifier.card
    frame = np.array([whole.scores[name] for name in TYPE_NAMES], np.float64)
    if pooling not in ("linear", "log_linear"):
        raise ValueError(f"pooling must be 'linear' or 'log_linear', got {pooling!r}")
    if pooling == "linear":
        probs = whole_frame_weight * frame + (1 - whole_frame_weight) * rings
    else:
        logs = whole_frame_weight * np.log(np.maximum(frame, 1e-6)) + (1 - whole_frame_weight) * np.log(
            np.maximum(rings, 1e-6))
        probs = np.exp(logs - logs.max())
        probs /= probs.sum()
    decided = photo_decision(probs.astype(np.float32), group_min=card.group_min_confidence,
                             label_min=card.photo_min_confidence, comedonal_min=card.comedonal_min_confidence,
                             deep_veto=card.deep_veto,
                             deep_likely=card.deep_likely if deep_likely is None else deep_likely)
    return replace(decided, basis=decided.basis.replace("whole_photo", "rings_and_whole_photo", 1), **lookalike)


def mark_may_be_deep(lesions: Lesions, photo: PhotoType, mm_per_px: float | None) -> Lesions:
    """On a close-up whose whole frame makes a nodule or cyst likely (``photo.deep_likely``) while no ring is typed
    one, the ring it most likely means, the largest inflamed one, is left untyped as "may be a nodule or cyst"
    (``NEEDS_SCALE``), so the rings say what the answer says (the close-up detector learned few deep lesions: people
    labelling by eye call most of them papules). Not where a scale shows it under ``DEEP_MIN_MM``, nor a comedone."""
    if not photo.deep_likely or any(t in DEEP_TYPES for t in lesions.type_label):
        return lesions
    inflamed = [i for i, t in enumerate(lesions.type_label) if t in ("papule", "pustule")]
    if not inflamed:
        return lesions
    i = max(inflamed, key=lambda k: float(lesions.radii[k]))
    if mm_per_px is not None and 2 * float(lesions.radii[i]) * mm_per_px < DEEP_MIN_MM:
        return lesions
    deep = 0.0 if photo.group_scores is None else photo.group_scores["deep"]
    reasons, labels = lesions.type_reason.copy(), lesions.type_label.copy()
    reasons[i] = Untyped(UntypedCode.NEEDS_SCALE, (
        f"needs a scale: the photo as a whole reads as a nodule or cyst ({deep:.2f}) and this is its largest "
        f"inflamed spot; only its size ({DEEP_MIN_MM:.0f} mm or more) or a doctor's touch can tell it from a "
        "large papule"))
    labels[i] = None
    return lesions.with_types(labels, lesions.type_scores, reasons)


def type_lesions(rgb: np.ndarray, lesions: Lesions, *,
                 mm_per_px: float | None = None) -> tuple[Lesions, dict[str, str] | None]:
    """Typed lesions (with the reason for each missing type) and the model identity.

    Lesion crops come from ``rgb`` (the full-resolution photo, whose scale ``mm_per_px`` is, when known)."""
    classifier = get_type_classifier()
    if classifier is None:
        reasons: list[Untyped | None] = [Untyped(UntypedCode.NO_MODEL, "no lesion-type model in this build")] * len(
            lesions)
        return lesions.with_types(np.full(len(lesions), None, object), lesions.type_scores, reasons), None
    order = list(classifier.card.labels)
    index = [order.index(name) for name in TYPE_NAMES]
    crops, reasons = classifier.lesion_crops(rgb, lesions.centers, lesions.radii)
    judged = [i for i, r in enumerate(reasons) if r is None]
    if len(judged) > MAX_TYPED_LESIONS:
        by_size = sorted(judged, key=lambda i: -float(lesions.radii[i]))
        for i in by_size[MAX_TYPED_LESIONS:]:
            reasons[i] = Untyped(UntypedCode.NOT_TYPED, f"not typed: only the {MAX_TYPED_LESIONS} largest lesions of "
                                                        "a photo are typed one by one")
        judged = sorted(by_size[:MAX_TYPED_LESIONS])
    scores = np.full((len(lesions), len(TYPE_NAMES)), np.nan, np.float32)
    labels = np.full(len(lesions), None, object)
    if judged:
        probs = classifier.classify([crops[i] for i in judged], mirror=False)[:, index]
        scores[judged] = probs
        diameters = 2 * lesions.radii
        for i, p in zip(judged, probs, strict=True):
            if float(p.max()) >= classifier.card.min_confidence:
                labels[i] = TYPE_NAMES[int(p.argmax())]
                if labels[i] in DEEP_TYPES:
                    mm = None if mm_per_px is None else float(diameters[i]) * mm_per_px
                    labels[i], reasons[i] = deep_type_check(p, mm, min(crops[i].shape[:2]),
                                                            classifier.card.input_size, classifier.card.min_confidence)
            else:  # scores are kept, but no type is claimed
                reasons[i] = Untyped(UntypedCode.UNCERTAIN, (
                    f"uncertain: the most likely type, {TYPE_NAMES[int(p.argmax())]}, scored {float(p.max()):.2f} "
                    f"< {classifier.card.min_confidence:.2f}"))
    return lesions.with_types(labels, scores, reasons), classifier.identity
