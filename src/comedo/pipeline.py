"""``analyze()``: the only orchestrator. Load -> colour -> skin -> scene -> lesions -> types -> redness ->
severity, each a plain function of the previous values; the whole-frame networks (close-up and instrument flags,
the photo's type), the dark spots, the quality checks and the face map need less, and run on a side thread beside
that chain (``SIDE_STAGES``).

Colour, skin and redness work at an analysis resolution (long side at most
``ANALYSIS_LONG_SIDE``) so a 12 MP phone photo costs about what a 1 MP one does;
lesions and dark spots are reported in pixels of the oriented original.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TypeVar

import numpy as np

from comedo import __version__
from comedo.analysis import Analysis
from comedo.classify.lesion_types import (
    mark_may_be_deep,
    scope_photo_type,
    type_lesions,
    type_photo,
    type_photo_from_rings,
)
from comedo.classify.scene import classify_scene, read_photo_flags, scene_models
from comedo.detect.base import Candidates, LesionDetector
from comedo.detect.closeup import get_closeup_detector
from comedo.detect.plugs import find_plugs, mark_open_comedones, merge_with_detections
from comedo.detect.registry import get_detector
from comedo.errors import InvalidInputError
from comedo.explain.advice import TriageReport, build_report
from comedo.explain.answers import Answers, parse_answers
from comedo.explain.describe import describe
from comedo.explain.findings import findings_from
from comedo.face.facemap import FaceMap, map_face
from comedo.face.iris import iris_models, iris_scale
from comedo.face.mesh import face_models
from comedo.grade.gags import gags_score
from comedo.grade.severity import grade_severity
from comedo.io import ImageSource, check_dimensions, load_image
from comedo.lesions import Lesions
from comedo.measure.colour import colour_planes
from comedo.measure.darkspots import find_dark_spots, separate_spots, spots_inside, spots_outside
from comedo.measure.lesion_size import lesion_size_columns
from comedo.measure.quality import assess_quality
from comedo.measure.redness import halo_delta_a, irritation_grade, measure_redness, smoothed_a_star
from comedo.measure.resample import shrink
from comedo.measure.ruler import RulerSearch, find_ruler
from comedo.measure.scale import Scale
from comedo.measure.skin import segment_skin
from comedo.types import SkinImage

__all__ = ["analyze", "triage_report", "analysis_pixels", "ANALYSIS_LONG_SIDE", "SIDE_STAGES"]

ANALYSIS_LONG_SIDE = 1024
# The stages that run on the side thread, beside the chain (their timings overlap the others').
SIDE_STAGES = ("photo_flags", "dark_spots", "quality", "face", "coarse_passes", "photo_type", "scale")


def analyze(
    image: ImageSource | SkinImage,
    *,
    min_score: float | None = None,
    mm_per_px: float | None = None,
    detector: str | LesionDetector = "auto",
    name: str | None = None,
    answers: Answers | dict | None = None,
    score_factor: float = 1.0,
) -> Analysis:
    """Analyse one skin photo.

    ``image`` is a path, bytes, an RGB array or an already loaded ``SkinImage``.
    ``min_score`` overrides the detector's calibrated operating threshold
    (lower it for evaluation); ``score_factor`` scales the threshold of whichever detector rings the photo (compare
    lists lesions down to half of it, for its hysteresis); ``mm_per_px`` gives physical sizes. ``answers``
    (the triage questionnaire, an ``Answers`` or a dict) joins what the photo
    shows in the triage, care plan and extraction advice.
    """
    if not isinstance(answers, Answers):
        answers = parse_answers(answers)
    if min_score is not None and not (0.0 <= min_score <= 1.0):
        raise InvalidInputError(f"min_score must be between 0 and 1, got {min_score!r}")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if isinstance(image, SkinImage):
        check_dimensions(image.width, image.height, image.source)
        loaded = image
        if mm_per_px is not None:
            loaded = replace(loaded, mm_per_px=mm_per_px)
    else:
        loaded = load_image(image, name=name, mm_per_px=mm_per_px)
    timings["load"] = (time.perf_counter() - t) * 1000

    # Stages that need only what is already known run on a side thread beside the chain that each next stage
    # waits for (skin -> scene -> lesions -> redness): the whole-frame networks (photo flags and type), the dark
    # spots, the quality checks and the face map, queued in the order the chain needs them. Each is a plain
    # function of its inputs, so the answers are those of a serial run.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="comedo-side") as side:
        t = time.perf_counter()
        work, scale = analysis_pixels(loaded.pixels)
        planes = colour_planes(work)
        timings["colour"] = (time.perf_counter() - t) * 1000
        flags_done = side.submit(_timed, timings, "photo_flags", read_photo_flags, work)

        t = time.perf_counter()
        skin = segment_skin(planes)
        timings["skin"] = (time.perf_counter() - t) * 1000
        spots_done = side.submit(_timed, timings, "dark_spots", find_dark_spots, planes.lightness, skin.mask)
        quality_done = side.submit(_timed, timings, "quality", assess_quality, planes, skin.mask)

        t = time.perf_counter()
        flags = flags_done.result()
        # The close-up network needs no dark spots; the feature regression that stands in without it does.
        scene = classify_scene(planes, skin.mask, spots_done.result() if flags.close_up is None else None, flags)
        timings["scene"] = (time.perf_counter() - t) * 1000
        close_up = scene.view == "close_up"

        t = time.perf_counter()
        det = get_detector(detector) if isinstance(detector, str) else detector
        # A close-up with the shipped detectors: the close-up detector rings and types its lesions in one pass.
        rings = get_closeup_detector() if close_up and detector == "auto" else None
        threshold = (rings or det).default_min_score * score_factor if min_score is None else float(min_score)
        # A grade model reads weaker candidates than the lesions listed: detect down to its floor, then keep the
        # list's. It was fitted on faces (a close-up's skin texture gives faint candidates it would read as acne).
        grade_model = getattr(det, "grade_model", None) if not close_up else None
        floor = threshold if grade_model is None else min(threshold, grade_model.min_score)
        # What the chain waits for first goes first: the face (redness needs it) or, on a close-up, the detector's
        # coarser passes (run beside its base pass, which they join); the photo's type is needed after the lesions.
        face_done = side.submit(_timed, timings, "face", map_face, work, skin.mask, close_up=close_up)
        beside = {}  # detectors without coarse passes (the classical one, those written for 0.x) take no coarse=
        if close_up and rings is None and hasattr(det, "coarse_passes"):
            beside["coarse"] = side.submit(_timed, timings, "coarse_passes", det.coarse_passes, work,
                                           min_score=floor).result
        photo_type_done = side.submit(_timed, timings, "photo_type", type_photo, work)
        # The photo's scale: the user's mm_per_px wins; else on a close-up a ruler in frame, searched beside (needed
        # for types; clinics lay rulers beside a spot, and a wider view's scale comes from the irises, 15 ms cheaper).
        ruler_done = None if loaded.mm_per_px is not None or not close_up else side.submit(
            _timed, timings, "scale", find_ruler, work)
        seen = rings.detect(work, min_score=threshold) if rings is not None else None
        candidates = Candidates(seen.lesions) if seen is not None else det.detect(
            work, planes, skin.mask, min_score=floor, close_up=close_up, **beside)
        if isinstance(candidates, Lesions):  # a detector written for comedo 0.3 or earlier: no heat mass
            candidates = Candidates(candidates)
        found = candidates.lesions[candidates.lesions.score >= threshold]
        spots, lesion_has_dark_core = separate_spots(spots_done.result(), found)
        timings["lesions"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        inv = 1.0 / scale
        full_lesions = found.scaled(inv).clipped(loaded.width, loaded.height)
        photo_scale = _photo_scale(loaded.mm_per_px, None if ruler_done is None else ruler_done.result(), scale)
        if photo_scale is not None:  # every size in mm (lesions, dark spots, types) follows from it
            loaded = replace(loaded, mm_per_px=photo_scale.mm_per_px)
        full_lesions, type_model = (full_lesions, rings.identity) if rings is not None else type_lesions(
            loaded.pixels, full_lesions, mm_per_px=loaded.mm_per_px)
        plugs = Lesions.empty()
        if close_up and rings is None:  # a close-up of blackheads: their dark plugs are lesions (comedo.detect.plugs)
            plugs = mark_open_comedones(find_plugs(planes.lightness, skin.mask), photo_type_done.result())
            if len(plugs):
                spots = spots_outside(spots, plugs)  # a plug's dot is not also a dark spot
                keep = merge_with_detections(full_lesions.scaled(scale), plugs)  # one blackhead, one ring
                found, full_lesions = found[keep], full_lesions[keep]
                lesion_has_dark_core = np.concatenate([lesion_has_dark_core[keep], np.ones(len(plugs), bool)])
                full_lesions = Lesions.concatenate([full_lesions, plugs.scaled(inv).clipped(loaded.width,
                                                                                            loaded.height)])
        timings["types"] = (time.perf_counter() - t) * 1000

        face = face_done.result()
        if face.found:  # the instrument network alone does not flag a mapped face (classify_scene)
            scene = classify_scene(planes, skin.mask, spots_done.result(), flags, face_mapped=True)
        if face.zones is not None:  # a mapped face: its pores and openings, not stubble, ears, clothes, lips, lashes
            margin = int(np.ceil(max(4.0, 0.015 * min(work.shape[:2]))))  # the largest dot's radius
            spots = spots_inside(spots, face.zones.skin_of_face(skin.mask, margin_px=margin))
        if photo_scale is None and face.found:  # no given scale, no ruler: the irises of the face, if trusted
            t = time.perf_counter()
            photo_scale = _iris(loaded.pixels, face, inv)
            timings["iris"] = (time.perf_counter() - t) * 1000
        if photo_scale is not None:
            loaded = replace(loaded, mm_per_px=photo_scale.mm_per_px)
        t = time.perf_counter()
        at_work = Lesions.concatenate([found, plugs])  # at the analysis resolution, in full_lesions' order
        a_star = smoothed_a_star(planes)  # read by the redness figures and by each lesion's halo
        redness, lesion_delta_a = measure_redness(planes, skin.mask, lesion_centers=at_work.centers,
                                                  lesion_radii=at_work.radii, leave_out_anatomy=not close_up,
                                                  leave_out=None if face.zones is None else face.zones.excluded,
                                                  smoothed_a=a_star)
        face = face.with_measures(redness.delta_map, inv)
        zones, in_triangle = face.locate(at_work.centers, at_work.radii)
        full_lesions = full_lesions.with_columns(  # sizes: each lesion's own extent, not its ring's
            **_timed(timings, "lesion_size", lesion_size_columns, planes, at_work, redness.baseline_a, inv),
            dark_core=lesion_has_dark_core, redness_delta_a=lesion_delta_a,
            halo_delta_a=halo_delta_a(a_star, skin.mask, at_work.centers, at_work.radii, redness.baseline_a),
            irritation=np.array([irritation_grade(float(v)) for v in lesion_delta_a], object),
            zone=np.array(zones, object), in_danger_triangle=in_triangle)
        timings["redness"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        quality = quality_done.result()
        photo_type = photo_type_done.result() if seen is None else type_photo_from_rings(
            photo_type_done.result(), full_lesions, lookalike_share=seen.lookalike_share,
            lookalike_min_share=rings.card.lookalike_min_share, whole_frame_weight=rings.card.whole_frame_weight,
            pooling=rings.card.photo_type_pooling, deep_likely=rings.card.deep_likely)
        photo_type = scope_photo_type(photo_type, close_up=close_up, face_found=face.found, lesions=len(full_lesions))
        if seen is not None:  # the close-up detector's rings: the one the answer's nodule or cyst most likely means
            full_lesions = mark_may_be_deep(full_lesions, photo_type, loaded.mm_per_px)
        no_colour = "no_colour" in quality.flags
        severity = grade_severity(full_lesions, det.hayashi_upper, grade_model, candidates.lesions.score,
                                  candidates.heat_mass, close_up=close_up, no_colour=no_colour)
        if face.found and not no_colour:  # only wider views are mapped
            # A zone whose lesions barely clear the threshold counts in part (comedo.grade.gags; the card's margin).
            full_score = None if close_up else getattr(getattr(det, "card", None), "gags_full_score", None)
            margin = {} if full_score is None else dict(scores=full_lesions.score, count_threshold=threshold,
                                                        full_score=full_score)
            severity = replace(severity, gags=gags_score(zones, full_lesions.type_label.tolist(), face.visible,
                                                         face.partly_seen, **margin))
        timings["grade"] = (time.perf_counter() - t) * 1000

    provenance: dict[str, object] = {
        "comedo_version": __version__,
        "detector": det.identity if rings is None else rings.identity,
        "lesion_type_model": type_model,
        "scene_models": scene_models(),
        "face_models": {**face_models(), **iris_models()},
        "min_score": threshold,
        "analysis_long_side": ANALYSIS_LONG_SIDE,
    }
    analysis = Analysis(
        image=loaded, analysis_scale=scale, skin=skin, lesions=full_lesions, dark_spots=spots.scaled(inv),
        redness=redness, severity=severity, quality=quality, detector=(rings or det).name, min_score=threshold,
        provenance=provenance, timings_ms=timings, scene=scene, photo_type=photo_type, face=face, scale=photo_scale)
    analysis = replace(analysis, description=describe(analysis))
    return replace(analysis, report=build_report(findings_from(answers, analysis)))


_T = TypeVar("_T")


def _timed(timings: dict[str, float], stage: str, run: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """``run(*args, **kwargs)``, its milliseconds recorded as ``timings[stage]`` (a side thread's own time)."""
    start = time.perf_counter()
    out = run(*args, **kwargs)
    timings[stage] = (time.perf_counter() - start) * 1000
    return out


def _photo_scale(given: float | None, ruler: RulerSearch | None, factor: float) -> Scale | None:
    """The user's scale (exact), else the ruler's found on the analysis copy (``factor`` of the photo's size)."""
    if given is not None:
        return Scale(given, "given")
    if ruler is None or ruler.scale is None:
        return None
    return ruler.scale.rescaled(1.0 / factor)


def _iris(rgb: np.ndarray, face: FaceMap, photo_per_grid: float) -> Scale | None:
    """The iris scale of the photo ``rgb`` from the face found on the analysis grid (None where not trusted)."""
    mesh = face.mesh
    points = mesh.points.copy()
    points[:, :2] *= photo_per_grid
    found, _ = iris_scale(rgb, replace(mesh, points=points))
    return None if found is None else Scale(found.mm_per_px, "iris", found.uncertainty_pct, found.evidence)


def analysis_pixels(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The photo at the analysis resolution (long side at most ``ANALYSIS_LONG_SIDE``, area-averaged by
    ``comedo.measure.resample.shrink``) and the scale used: the grid of colour, skin, redness and
    ``Analysis.skin``."""
    h, w = rgb.shape[:2]
    scale = min(1.0, ANALYSIS_LONG_SIDE / max(h, w))
    if scale >= 1.0:
        return rgb, scale
    return shrink(rgb, (max(1, round(w * scale)), max(1, round(h * scale)))), scale


def triage_report(
    answers: Answers | dict | None = None,
    image: ImageSource | SkinImage | None = None,
    *,
    mm_per_px: float | None = None,
) -> TriageReport:
    """Triage, care plan and extraction advice from the answers alone, or from the
    answers together with what a photo shows."""
    if not isinstance(answers, Answers):
        answers = parse_answers(answers)
    if image is None:
        return build_report(findings_from(answers, None))
    report = analyze(image, answers=answers, mm_per_px=mm_per_px).report
    if report is None:  # analyze always builds one
        raise RuntimeError("analysis carried no triage report")
    return report
