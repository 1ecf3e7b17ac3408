"""A plain-language description of what the photo shows, built only from the
measurements (scene, lesion types and counts, sizes where a scale is known,
redness relative to the person's own skin, dark spots, the most notable
lesion), plus a short explanation of each lesion type present. Nothing is said
that was not measured; uncertain findings are worded as such.
"""

from __future__ import annotations

import numpy as np

from comedo.explain.findings import red_rings
from comedo.explain.observed import Observed
from comedo.explain.reasons import numbers_text
from comedo.explain.sizes import size_words
from comedo.grade.result import Severity
from comedo.grade.scales import HAYASHI_LABELS, HAYASHI_UPPER
from comedo.grade.summary import NO_LESIONS, scales_note
from comedo.types import Description, IrritationGrade, UntypedCode

__all__ = ["describe", "TYPE_EXPLANATIONS", "TYPE_NAMES_PLAIN"]

TYPE_NAMES_PLAIN = {
    "open_comedo": ("open comedo (blackhead)", "open comedones (blackheads)"),
    "closed_comedo": ("closed comedo (whitehead)", "closed comedones (whiteheads)"),
    "papule": ("papule", "papules"),
    "pustule": ("pustule", "pustules"),
    "nodule": ("nodule", "nodules"),
    "cyst": ("cyst", "cysts"),
}

TYPE_EXPLANATIONS = {
    "open_comedo": "A blackhead is a pore plugged with oil and dead skin that stays open at the surface; the plug "
                   "looks dark because it is exposed to air, not because it is dirt.",
    "closed_comedo": "A whitehead is a plugged pore closed over by a thin layer of skin, so it shows as a small "
                     "white or skin-coloured bump.",
    "papule": "A papule is a small, red, tender bump without a visible head: an inflamed, blocked pore.",
    "pustule": "A pustule is an inflamed bump with a white or yellow head of pus at its top.",
    "nodule": "A nodule is a large, hard, painful lump deep under the skin; it does not come to a head and can "
              "leave scars.",
    "cyst": "A cyst is a deep, soft, pus-filled lump under the skin; it is the most likely acne lesion to scar "
            "and needs professional care.",
}

_REDNESS_WORDS = {
    IrritationGrade.NONE: "no more red than the person's own unaffected skin",
    IrritationGrade.SLIGHT: "slightly redder than the person's own unaffected skin",
    IrritationGrade.MODERATE: "moderately redder than the person's own unaffected skin",
    IrritationGrade.MARKED: "markedly redder than the person's own unaffected skin",
}


def _count_phrase(n: int, singular: str, plural: str) -> str:
    return f"one {singular}" if n == 1 else f"{n} {plural}"


def _a(noun: str) -> str:
    """The noun with its indefinite article ("an open comedo", "a papule")."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _hayashi_sentences(sev: Severity) -> list[str]:
    """The Hayashi and IGA grades, and, where they are not the plain count's band, why; with the grade model
    (wider views only), the estimated full count when it differs clearly from the number listed. A close-up is
    not graded, and says so."""
    if sev.hayashi_label is None or sev.iga_label is None:
        return [sev.not_graded.text] if sev.not_graded else []
    grade = sev.hayashi_label.replace("_", " ")
    iga = f"IGA {sev.iga_grade}, {sev.iga_label.replace('_', ' ')}"
    if sev.hayashi_count_grade is not None:  # the grade model gave the grade
        estimate = sev.estimated_lesion_count
        full = []
        if estimate is not None and abs(estimate - sev.lesion_count) >= max(3, 0.2 * sev.lesion_count):
            full = [f"Counting its fainter candidates and the lesion signal spread over the skin too, the detector "
                    f"estimates about {estimate} lesions in all."]
        note = [n for n in (scales_note(sev),) if n]
        if sev.hayashi_count_grade == sev.hayashi_grade:
            return [f"That is {grade} on the Hayashi scale ({iga}).", *full, *note]
        by_count = HAYASHI_LABELS[sev.hayashi_count_grade].replace("_", " ")
        return [f"The detector's grade model puts this at {grade} on the Hayashi scale ({iga}), although the "
                f"count alone would be {by_count}: it also weighs the detector's fainter candidates and the lesion "
                f"signal spread over the skin, since in dense clusters lesions merge or are found only faintly.", *full,
                *note]
    out = [f"That is {grade} on the Hayashi count scale ({iga})."]
    note = scales_note(sev)
    if note:
        out.append(note)
    if tuple(sev.hayashi_upper) != HAYASHI_UPPER:
        cut = "/".join(str(v) for v in sev.hayashi_upper)
        out.append(f"Because the detector misses some lesions in dense clusters, its count is graded with "
                   f"cut-offs of {cut} lesions instead of Hayashi's 5/20/50.")
    return out


def describe(analysis: Observed) -> Description:
    parts: list[str] = []
    scene = analysis.scene
    view = getattr(scene, "view", None)
    instrument = getattr(scene, "instrument_or_fingers", False)
    opening = {"close_up": "A close-up of skin", "wide": "A wider view (face or body)"}.get(str(view), "A photo")
    if instrument:
        opening += " with fingers, a glove or a tool in frame, as during an extraction"
    photo_type = analysis.photo_type
    label = getattr(photo_type, "label", None)
    if view == "close_up" and label:
        share = getattr(photo_type, "scores", {}) or {}
        sure = share.get(label, 0.0)
        hedge = "" if sure >= 0.6 else "most likely "
        opening += f", showing {hedge}{_a(TYPE_NAMES_PLAIN[label][0])}"
    parts.append(opening + ".")

    lesions = analysis.lesions
    n = len(lesions)
    if n == 0:
        parts.append(NO_LESIONS)
        if getattr(analysis.severity.not_graded, "code", "") == "no_colour":  # none found is not clear skin
            parts.extend(_hayashi_sentences(analysis.severity))
    else:
        typed = [t for t in lesions.type_label.tolist() if t is not None]
        counts = {t: typed.count(t) for t in TYPE_NAMES_PLAIN if typed.count(t)}
        pieces = [_count_phrase(c, *TYPE_NAMES_PLAIN[t]) for t, c in sorted(counts.items(), key=lambda kv: -kv[1])]
        untyped_reasons = [r for t, r in zip(lesions.type_label, lesions.type_reason, strict=True) if t is None and r]

        def untyped_because(code: UntypedCode) -> int:
            return sum(1 for r in untyped_reasons if r.code is code)

        small = untyped_because(UntypedCode.TOO_SMALL)
        unsure = untyped_because(UntypedCode.UNCERTAIN)
        maybe_deep = untyped_because(UntypedCode.NEEDS_SCALE)
        untyped = n - len(typed) - small - unsure - maybe_deep
        if maybe_deep:
            pieces.append(_count_phrase(
                maybe_deep,
                "large lesion that may be a nodule or cyst (only the photo's scale can tell it from a large papule)",
                "large lesions that may be nodules or cysts (only the photo's scale can tell them from large papules)"))
        if small:
            pieces.append(_count_phrase(small, "lesion too small to type", "lesions too small to type"))
        if unsure:
            pieces.append(_count_phrase(unsure, "lesion of uncertain type", "lesions of uncertain type"))
        if untyped and typed:
            pieces.append(_count_phrase(untyped, "lesion not typed", "lesions not typed"))
        head = _count_phrase(n, "acne lesion was", "acne lesions were")
        parts.append(f"{head[0].upper()}{head[1:]} detected" + (f": {', '.join(pieces)}." if pieces else "."))
        parts.extend(_hayashi_sentences(analysis.severity))
        mm = analysis.image.mm_per_px
        sizes = lesions.diameters  # the lesions' own extent where segmented, else their rings
        biggest = int(np.argmax(sizes))
        diameter_px = float(sizes[biggest])
        scale = getattr(analysis, "scale", None)  # its uncertainty gives the range: "about 6 mm (5-7) across"
        size = (size_words(diameter_px * mm, None if scale is None else scale.uncertainty_pct) + " across" if mm
                else f"about {diameter_px:.0f} pixels across")
        kind = lesions.type_label[biggest]
        what = TYPE_NAMES_PLAIN[kind][0] if kind else "lesion"
        redness = f", {_REDNESS_WORDS[lesions.irritation[biggest]]}"
        parts.append(f"The largest is {_a(what)} {size}{redness}.")
        ringed = [i + 1 for i, red in enumerate(red_rings(lesions, close_up=view == "close_up")) if red]
        if ringed:  # the same per-lesion redness the advice reads (its red rings)
            parts.append(f"{'All' if len(ringed) == n else len(ringed)}{'' if len(ringed) == n else ' of the'} "
                         f"{n} lesions {'has' if n == 1 else 'have'} a red ring (moderately or markedly redder than "
                         f"the person's own skin around them): {numbers_text(ringed)}." if n > 1 else
                         "It has a red ring (moderately or markedly redder than the person's own skin around it).")
        if not mm:
            parts.append("Sizes are in pixels because no scale was given.")
    red = analysis.redness
    if np.isfinite(red.baseline_a):
        parts.append(f"Overall the skin is {_REDNESS_WORDS[red.grade]} (top tenth of the skin "
                     f"{red.delta_p90:+.1f} a* units), with {red.inflamed_fraction:.0%} of it clearly inflamed.")
        if red.anatomy_fraction >= 0.005:
            parts.append(f"Red, darker parts with no lesion in them ({red.anatomy_fraction:.0%} of the skin: lips, "
                         "nostrils or skin folds, as a rule) are left out of that figure.")
    spots = len(analysis.dark_spots)
    if spots:
        parts.append(f"{_count_phrase(spots, 'small dark dot', 'small dark dots').capitalize()} "
                     "(pores, blackhead openings or marks) "
                     f"{'was' if spots == 1 else 'were'} found apart from the lesions.")
    if analysis.quality.flags:
        parts.append("The photo quality limits what can be seen: " + ", ".join(
            f.replace("_", " ") for f in analysis.quality.flags) + ".")
    # Explain the types the text names: the lesions' own, and the close-up's type (a wider view's whole-frame type
    # is not named in the text, so a face of papules is not told what a whitehead is).
    named = set(lesions.type_label.tolist()) | ({label} if view == "close_up" and label else set())
    present = [t for t in TYPE_NAMES_PLAIN if t in named]
    return Description(" ".join(parts), tuple((t, TYPE_EXPLANATIONS[t]) for t in present))
