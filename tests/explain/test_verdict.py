"""The verdict (issue 32): one decision whose parts agree. Every extraction and lesion code is reached by a case
here; the person's answers count only where the photo is unsure or agrees; properties over random findings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comedo.explain.answers import Answers, parse_answers
from comedo.explain.findings import Findings, LesionFacts
from comedo.explain.levels import TriageLevel
from comedo.explain.reasons import WORDING
from comedo.explain.verdict import derive_verdict

C = TriageLevel.SELF_CARE


def _photo(answers: dict | None = None, *lesions: LesionFacts, **kw: object) -> Findings:
    return Findings(parse_answers(answers or {}), image_given=True, lesion_count=len(lesions),  # type: ignore[arg-type]
                    lesions=lesions, **kw)


BLACKHEAD = LesionFacts(1, "open_comedo")
UNTYPED = LesionFacts(1, None, "too_small")
# (findings, an extraction or lesion code that must appear)
CASES = [
    (_photo({"lesion_type": "cyst"}, BLACKHEAD), "deep_lesion"),
    (_photo({"warm": True}, BLACKHEAD), "infection"),
    (_photo({"location": "face_danger_triangle", "pain": "mild"}, BLACKHEAD), "danger_triangle_inflamed"),
    (_photo({}, LesionFacts(1, None, in_danger_triangle=True), triangle_lesions=1, triangle_not_calm=1),
     "danger_triangle_seen"),
    (_photo({"location": "near_eye"}, BLACKHEAD), "near_eye"),
    (_photo({"size_mm": 11}, BLACKHEAD), "ten_mm_or_more"),
    (_photo({"pus": True}, BLACKHEAD), "inflamed_answer"),
    (_photo({}, BLACKHEAD, close_up=True, photo_group="inflamed"), "close_up_inflamed"),
    (_photo({}, BLACKHEAD, photo_group="inflamed"), "photo_inflamed"),
    (_photo({}, BLACKHEAD, close_up=True, photo_group="comedonal", deep_not_ruled_out=True, deep_probability=0.2),
     "deep_not_ruled_out"),
    (_photo({}, LesionFacts(1, "open_comedo", red_ring=True), BLACKHEAD, close_up=True, photo_group="comedonal"),
     "red_rings"),
    (_photo({"fever": True}, BLACKHEAD), "fever_or_immune"),
    (_photo({"worse_after_extraction": True}, BLACKHEAD), "triage_first"),
    (_photo({}, LesionFacts(1, "milium"), lookalikes_seen=frozenset({"milium"})), "lookalike"),
    (_photo({}), "no_lesion_found"),
    (Findings(Answers()), "type_not_known"),
    (_photo({}, UNTYPED, photo_group="comedonal"), "wide_comedonal"),
    (_photo({}, UNTYPED), "no_extractable_lesion"),
    (_photo({}, BLACKHEAD), "protocol_ok"),
    (_photo({}, BLACKHEAD, LesionFacts(2, "papule")), "extract_only"),
    (_photo({}, BLACKHEAD), "extract_these"),
    (_photo({}, LesionFacts(1, "closed_comedo")), "whitehead_ripe"),
    (_photo({"lesion_type": "open_comedo"}, UNTYPED, close_up=True), "relied_on_answer"),
    (Findings(parse_answers({"lesion_type": "closed_comedo"})), "answer_only"),
    (_photo({}, LesionFacts(1, "open_comedo", in_danger_triangle=True), triangle_lesions=1), "danger_triangle_care"),
    (_photo({}, LesionFacts(1, "cyst")), "lesion_deep"),
    (_photo({}, LesionFacts(1, "papule", diameter_mm=6.5)), "lesion_nodule_sized"),
    (_photo({}, LesionFacts(1, None, "needs_scale")), "lesion_needs_scale"),
    (_photo({}, LesionFacts(1, "pustule")), "lesion_inflamed"),
    (_photo({}, LesionFacts(1, "closed_comedo", red_ring=True)), "lesion_red_ring"),
    (_photo({}, UNTYPED), "lesion_type_unknown"),
    (_photo({}, LesionFacts(1, "milium")), "lesion_lookalike"),
    (_photo({"warm": True}, BLACKHEAD), "lesion_photo_says_no"),
    (_photo({}, BLACKHEAD), "lesion_calm_comedone"),
    (_photo({}, UNTYPED, close_up=True, photo_group="comedonal", photo_label="open_comedo"), "lesion_by_close_up"),
    (_photo({"lesion_type": "open_comedo"}, UNTYPED, close_up=True), "lesion_by_answer"),
    (_photo({}, BLACKHEAD, close_up=True), "lesion_frame_unsure"),
]


@pytest.mark.parametrize(("findings", "code"), CASES, ids=[c[1] for c in CASES])
def test_each_extraction_and_lesion_code(findings: Findings, code: str) -> None:
    ext = derive_verdict(findings).extraction
    codes = {r.code for r in ext.reasons} | {a.code for a in ext.lesions}
    assert code in codes
    said = [r for r in ext.reasons if r.code == code] or [a for a in ext.lesions if a.code == code]
    assert said[0].text.startswith(WORDING[code].split("{")[0][:30])


def test_every_extraction_and_lesion_code_has_a_case() -> None:
    from comedo.explain import reasons

    codes = set(reasons._EXTRACTION) | set(reasons._LESION)
    assert codes <= {c for _, c in CASES}


def test_ok_only_with_an_extractable_ring_named() -> None:
    """Issue 32: a whitehead close-up got 'ok, with care' while its only ring said do_not_extract."""
    v = derive_verdict(_photo({}, UNTYPED, close_up=True, photo_group="comedonal", photo_label="closed_comedo"))
    assert v.extraction.advice == "ok_with_care" and v.extraction.extractable == (1,)
    assert v.lesions[0].ok and v.lesions[0].relied_on == "close_up"


@pytest.mark.parametrize("group", ["inflamed", "deep"])
def test_the_answer_never_opens_a_lesion_the_photo_shows_inflamed_or_deep(group: str) -> None:
    said = {"lesion_type": "open_comedo", "pain": "none"}
    close_up = derive_verdict(_photo(said, UNTYPED, close_up=True, photo_group=group))
    assert close_up.extraction.advice == "do_not_extract"
    typed = derive_verdict(_photo(said, LesionFacts(1, "papule" if group == "inflamed" else "nodule")))
    assert typed.extraction.advice == "do_not_extract" and not typed.lesions[0].ok


def test_the_answer_opens_a_close_up_the_photo_cannot_judge_and_says_so() -> None:
    """Issue 32: lesion_type open_comedo on a blackhead close-up was still told 'only a spot known to be a
    blackhead is safe' (deep not ruled out): the person's word counts where the photo is unsure."""
    findings = _photo({"lesion_type": "open_comedo"}, UNTYPED, LesionFacts(2, "open_comedo"), close_up=True,
                      photo_group=None, deep_not_ruled_out=True, deep_probability=0.15)
    v = derive_verdict(findings)
    assert v.extraction.advice == "ok_with_care"
    assert v.relied_on == ("photo", "answer:lesion_type")
    relied = next(r for r in v.extraction.reasons if r.code == "relied_on_answer")
    assert relied.evidence == {"lesion_type": "open_comedo", "lesions": [1, 2]}
    without = derive_verdict(Findings(Answers(), **{k: getattr(findings, k) for k in (
        "image_given", "lesion_count", "lesions", "close_up", "deep_not_ruled_out", "deep_probability")}))
    assert without.extraction.advice == "do_not_extract"


def test_an_ordinary_pustule_is_self_care_and_not_squeezed() -> None:
    v = derive_verdict(_photo({"pus": True, "pain": "mild", "lesion_type": "pustule"}, LesionFacts(1, "pustule"),
                              close_up=True, photo_group="inflamed", photo_label="pustule"))
    assert v.level is C and "pus" in {r.code for r in v.reasons}
    assert v.extraction.advice == "do_not_extract" and "do not squeeze" in WORDING["pus"]


def test_no_lesion_no_reasons_about_spots() -> None:
    """Issue 32: a clear face was told 'mostly inflamed spots'; a clean selfie 'a deep lesion not ruled out'."""
    v = derive_verdict(_photo({}))
    texts = [r.text for r in v.reasons] + list(v.extraction.why)
    assert not any(w in t for t in texts for w in ("spots", "comedones marked", "not ruled out", "redness around"))


LESION = st.builds(LesionFacts, number=st.just(1), type_label=st.sampled_from(
    [None, "open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst"]), red_ring=st.booleans(),
    in_danger_triangle=st.booleans(), diameter_mm=st.one_of(st.none(), st.floats(0.5, 15)))
ANSWERS = st.fixed_dictionaries({}, optional={
    "pain": st.sampled_from(["none", "mild", "severe"]), "warm": st.booleans(), "pus": st.booleans(),
    "fever": st.booleans(), "lesion_type": st.sampled_from(["open_comedo", "closed_comedo", "papule", "unsure"]),
    "location": st.sampled_from(["face", "near_eye", "face_danger_triangle"]), "foul_smell": st.booleans()})
PHOTO = st.fixed_dictionaries({"close_up": st.booleans(), "photo_group": st.sampled_from(
    [None, "comedonal", "inflamed", "deep"]), "deep_likely": st.booleans(), "deep_not_ruled_out": st.booleans()})


def _numbered(lesions: list[LesionFacts]) -> tuple[LesionFacts, ...]:
    from dataclasses import replace

    return tuple(replace(les, number=i + 1) for i, les in enumerate(lesions))


@settings(max_examples=300, deadline=None)
@given(ANSWERS, PHOTO, st.lists(LESION, max_size=5))
def test_a_deep_lesion_never_reads_self_care(answers: dict, photo: dict, lesions: list[LesionFacts]) -> None:
    findings = _photo(answers, *_numbered(lesions), **photo)
    deep = photo["deep_likely"] or photo["photo_group"] == "deep" or any(
        les.type_label in ("nodule", "cyst") or les.nodule_sized for les in findings.lesions)
    v = derive_verdict(findings)
    if deep:
        assert v.level >= TriageLevel.ROUTINE and "nodule_or_cyst" in {r.code for r in v.reasons}
        assert v.extraction.advice == "do_not_extract"


@settings(max_examples=300, deadline=None)
@given(ANSWERS, PHOTO, st.lists(LESION, max_size=5), st.sampled_from(
    [{"warm": True}, {"spreading_redness": True}, {"fever": True}, {"red_streaks": True}, {"foul_smell": True},
     {"pus": True}, {"lesion_type": "cyst"}, {"severe_headache": True}]))
def test_adding_a_red_flag_never_lowers_the_level(answers: dict, photo: dict, lesions: list[LesionFacts],
                                                  flag: dict) -> None:
    numbered = _numbered(lesions)
    before = derive_verdict(_photo(answers, *numbered, **photo)).level
    after = derive_verdict(_photo({**answers, **flag}, *numbered, **photo)).level
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(ANSWERS, PHOTO, st.lists(LESION, max_size=5))
def test_the_photo_is_ok_only_where_a_ring_is(answers: dict, photo: dict, lesions: list[LesionFacts]) -> None:
    v = derive_verdict(_photo(answers, *_numbered(lesions), **photo))
    ext = v.extraction
    assert (ext.advice == "ok_with_care") == bool(ext.extractable)
    assert all(not a.ok or (a.relied_on != "answer" or answers.get("lesion_type") in ("open_comedo",
                                                                                       "closed_comedo"))
               for a in ext.lesions)
    for a, les in zip(ext.lesions, v.extraction.lesions, strict=True):
        assert a.number == les.number
