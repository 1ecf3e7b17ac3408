"""Triage rules (one row per rule), levels, properties, care plan and extraction advice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comedo.errors import InvalidInputError
from comedo.explain.advice import build_report, care_plan, extraction_advice
from comedo.explain.answers import Answers, parse_answers
from comedo.explain.findings import Findings, LesionFacts
from comedo.explain.rules import LOOKALIKES
from comedo.explain.triage import RULES, TriageLevel, triage

U, S, R, C = TriageLevel.URGENT, TriageLevel.SOON, TriageLevel.ROUTINE, TriageLevel.SELF_CARE

# (answers, image findings, rule code that must fire, expected overall level)
CASES = [
    ({"red_streaks": True}, {}, "red_streaks", U),
    ({"eye_swelling_or_vision_change": True}, {}, "eye_swelling_or_vision_change", U),
    ({"severe_headache": True}, {}, "severe_headache", U),
    ({"fever": True, "warm": True}, {}, "fever_with_infection_or_nodule", U),
    ({"fever": True, "lesion_type": "cyst"}, {}, "fever_with_infection_or_nodule", U),
    ({"fever": True}, {"types_seen": frozenset({"nodule"})}, "fever_with_infection_or_nodule", U),
    ({"fever": True, "joint_pain": True}, {}, "fever_with_joint_pain", U),
    ({"foul_smell": True, "immunocompromised_or_diabetes": True}, {}, "infection_immunocompromised", U),
    ({"spreading_redness": True, "location": "near_eye"}, {}, "spreading_redness_near_eye", U),
    ({"warm": True}, {}, "infection_signs", S),
    ({"spreading_redness": True, "location": "body"}, {}, "infection_signs", S),
    ({"foul_smell": True}, {}, "infection_signs", S),
    # Pus is a red flag from a lump or cyst, or with warmth, spreading redness or fever (issue 32: "pus" with mild
    # pain was "soon" for an ordinary pimple, whose white head is pus).
    ({"pus": True, "lesion_type": "cyst"}, {}, "infection_signs", S),
    ({"pus": True, "size_mm": 12}, {}, "infection_signs", S),
    ({"foul_smell": True, "lesion_type": "nodule"}, {}, "infection_signs", S),
    ({"pus": True, "warm": True}, {}, "infection_signs", S),
    ({"pus": True}, {"image_given": True, "lesion_count": 1, "close_up": True, "photo_group": "deep"},
     "infection_signs", S),
    ({"pus": True, "fever": True}, {}, "fever_with_infection_or_nodule", U),
    ({"fever": True}, {}, "fever", S),
    ({"worse_after_extraction": True}, {}, "worse_after_extraction", S),
    ({"location": "near_eye", "lesion_type": "papule"}, {}, "inflamed_near_eye", S),
    # The danger triangle raises the level only with signs of spreading infection; an inflamed pimple there is
    # told not to be squeezed and when to see a doctor (product-polish issue: "Soon" for a mild upper-lip pimple).
    ({"location": "face_danger_triangle", "pain": "mild"}, {}, "inflamed_danger_triangle", C),
    ({"location": "face_danger_triangle"}, {}, "inflamed_danger_triangle", C),  # inflammation not ruled out
    ({"location": "face_danger_triangle"}, {"image_given": True, "lesion_count": 1, "inflamed_lesions_seen": 1},
     "inflamed_danger_triangle", C),
    ({"location": "face_danger_triangle", "pain": "mild", "warm": True}, {}, "infected_danger_triangle", S),
    ({"location": "face_danger_triangle", "spreading_redness": True}, {}, "infected_danger_triangle", S),
    ({"location": "face_danger_triangle", "fever": True}, {}, "infected_danger_triangle", S),
    ({"size_mm": 10}, {}, "large_lump", R),
    ({}, {"image_given": True, "lesion_count": 1, "max_diameter_mm": 12.5}, "large_lump", R),
    ({"lesion_type": "nodule"}, {}, "nodule_or_cyst", R),
    ({}, {"image_given": True, "lesion_count": 1, "types_seen": frozenset({"cyst"})}, "nodule_or_cyst", R),
    # A deep lesion the photo makes likely (NICE NG198): the whole frame over the card's deep_likely on any view
    # where it applies, a lesion typed nodule or cyst, or a lesion that may be a lump (inflamed, or untyped with a
    # red ring) 5 mm or more with a scale.
    ({}, {"image_given": True, "lesion_count": 1, "deep_likely": True, "deep_probability": 0.4}, "nodule_or_cyst", R),
    ({}, {"image_given": True, "lesion_count": 1, "lesions": (LesionFacts(1, "nodule"),)}, "nodule_or_cyst", R),
    ({}, {"image_given": True, "lesion_count": 1, "lesions": (LesionFacts(1, None, red_ring=True, diameter_mm=6.0),)},
     "nodule_or_cyst", R),
    ({}, {"image_given": True, "lesion_count": 1, "lesions": (LesionFacts(1, "papule", diameter_mm=6.0),)},
     "nodule_or_cyst", R),
    *[({}, {"lookalikes_seen": frozenset({name})}, f"lookalike_{name}", level) for name, level, _ in LOOKALIKES],
    ({"pain": "severe"}, {}, "severe_pain", R),
    ({"growing_fast": True}, {}, "growing_fast", R),
    ({"recurring": True}, {}, "recurring", R),
    ({"pus": True}, {}, "pus", C),  # a pustule's head: self-care, do not squeeze (issue 32; was routine)
    ({"pus": True, "pain": "mild"}, {}, "pus", C),
    ({"home_extraction_tried": True}, {}, "home_extraction_unresolved", R),
    ({"days_present": 15}, {}, "present_over_14_days", R),
    ({}, {"image_given": True, "lesion_count": 30, "hayashi_grade": 2}, "severe_acne", R),
    ({}, {"image_given": True, "nice_band": "moderate_to_severe"}, "nice_moderate_to_severe", R),
    ({"scarring": True}, {}, "scarring", R),
    ({"treatment_weeks_without_improvement": 12}, {}, "treatment_not_working", R),
    ({}, {}, "no_red_flags", C),
    ({"pain": "none", "lesion_type": "open_comedo", "location": "face", "days_present": 14}, {}, "no_red_flags", C),
]


@pytest.mark.parametrize(("answers", "image", "code", "level"), CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_with_level(answers: dict, image: dict, code: str, level: TriageLevel) -> None:
    result = triage(Findings(parse_answers(answers), **image))
    fired = {r.code: r for r in result.reasons}
    assert code in fired
    assert result.level is level
    reason = fired[code]
    assert reason.text and (reason.evidence or code == "no_red_flags")


def test_every_rule_has_a_case() -> None:
    assert {r.code for r in RULES} <= {c[2] for c in CASES}


@pytest.mark.parametrize(("answers", "not_code"), [
    ({"size_mm": 9.9}, "large_lump"),
    ({"days_present": 14}, "present_over_14_days"),
    ({"treatment_weeks_without_improvement": 11}, "treatment_not_working"),
    ({"pus": True, "pain": "none"}, "infection_signs"),
    ({"pus": True, "pain": "mild"}, "infection_signs"),
    ({"pus": True, "pain": "severe"}, "infection_signs"),  # routine by severe_pain, not soon
    ({}, "nodule_or_cyst"),
    ({"location": "face_danger_triangle", "pain": "none", "lesion_type": "open_comedo"}, "inflamed_danger_triangle"),
    ({"location": "face_danger_triangle", "pain": "mild"}, "infected_danger_triangle"),
])
def test_boundaries_do_not_fire(answers: dict, not_code: str) -> None:
    assert not_code not in {r.code for r in triage(Findings(parse_answers(answers))).reasons}


RED_FLAGS = [{"red_streaks": True}, {"warm": True}, {"fever": True}, {"pain": "severe"}, {"pus": True},
             {"size_mm": 25.0}, {"lesion_type": "cyst"}, {"worse_after_extraction": True}, {"recurring": True},
             {"eye_swelling_or_vision_change": True}, {"scarring": True}]
BASE = st.fixed_dictionaries({}, optional={
    "pain": st.sampled_from(["none", "mild", "severe"]), "warm": st.booleans(), "pus": st.booleans(),
    "fever": st.booleans(), "location": st.sampled_from(["face_danger_triangle", "near_eye", "face", "body"]),
    "size_mm": st.floats(0, 40), "days_present": st.integers(0, 60), "lesion_type": st.sampled_from(
        ["open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst", "unsure"]),
    "immunocompromised_or_diabetes": st.booleans(), "joint_pain": st.booleans(), "recurring": st.booleans(),
})


@settings(max_examples=300, deadline=None)
@given(BASE, st.sampled_from(RED_FLAGS), st.integers(0, 80))
def test_adding_a_red_flag_never_lowers_the_level(base: dict, flag: dict, count: int) -> None:
    findings = dict(image_given=True, lesion_count=count, hayashi_grade=min(3, count // 21))
    before = triage(Findings(parse_answers(base), **findings)).level
    after = triage(Findings(parse_answers({**base, **flag}), **findings)).level
    assert after >= before


@settings(max_examples=200, deadline=None)
@given(BASE)
def test_do_not_extract_whatever_else_for_deep_or_dangerous(base: dict) -> None:
    for extra in ({"lesion_type": "nodule"}, {"lesion_type": "cyst"}, {"warm": True}, {"size_mm": 12.0},
                  {"location": "face_danger_triangle", "pain": "mild"},
                  {"location": "face_danger_triangle", "lesion_type": "papule"}):
        findings = Findings(parse_answers({**base, **extra}))
        report = build_report(findings)
        assert report.extraction.advice == "do_not_extract"
        assert not report.extraction.steps


@settings(max_examples=200, deadline=None)
@given(BASE)
def test_danger_triangle_is_extracted_only_when_known_calm(base: dict) -> None:
    """A blackhead on the nose (the seed's own scenario) gets the protocol with the warning; anything in the
    triangle not known to be a calm comedone does not."""
    answers = parse_answers({**base, "location": "face_danger_triangle"})
    report = build_report(Findings(answers))
    calm_comedone = answers.lesion_type in ("open_comedo", "closed_comedo") and answers.pain in (None, "none") \
        and not answers.warm and not answers.pus
    if not calm_comedone:
        assert report.extraction.advice == "do_not_extract"
    elif report.extraction.advice == "ok_with_care":
        assert any("danger triangle" in why for why in report.extraction.why)


def test_calm_blackhead_on_the_nose_gets_the_protocol_and_the_warning() -> None:
    findings = Findings(parse_answers({"lesion_type": "open_comedo", "pain": "none",
                                       "location": "face_danger_triangle"}))
    ext = extraction_advice(findings, triage(findings).level)
    assert ext.advice == "ok_with_care" and len(ext.steps) == 5
    assert any("danger triangle" in why for why in ext.why)


def test_no_answers_no_lesions_is_self_care() -> None:
    result = triage(Findings(Answers(), image_given=True, lesion_count=0))
    assert result.level is C and [r.code for r in result.reasons] == ["no_red_flags"]


def test_calm_blackhead_is_ok_with_care_with_five_steps() -> None:
    findings = Findings(parse_answers({"lesion_type": "open_comedo", "pain": "none", "location": "face"}))
    ext = extraction_advice(findings, triage(findings).level)
    assert ext.advice == "ok_with_care"
    assert [s for s, _ in ext.steps] == ["sterilise", "find_the_core", "gentle_pressure", "release", "aftercare"]


def test_unknown_type_is_not_extracted() -> None:
    findings = Findings(Answers())
    assert extraction_advice(findings, C).advice == "do_not_extract"


def test_a_wider_view_that_looks_comedonal_is_told_to_take_a_close_up() -> None:
    """The whole frame of a wider view reads as comedones, but no lesion is known to be one: the advice says why
    the whole-frame answer is not enough, so it agrees with the photo's lesion_type instead of ignoring it."""
    face = Findings(Answers(), image_given=True, lesion_count=1, photo_group="comedonal", close_up=False,
                    lesions=(LesionFacts(1),))
    ext = extraction_advice(face, C)
    assert ext.advice == "do_not_extract" and "take a close-up" in ext.why[0]
    assert [r.code for r in ext.reasons] == ["wide_comedonal"]


def test_care_plan_ties_tips_to_findings() -> None:
    comedone = {t.code for t in care_plan(Findings(parse_answers({"lesion_type": "open_comedo"})), C)}
    inflamed = {t.code for t in care_plan(Findings(parse_answers({"lesion_type": "papule", "pain": "mild"})), R)}
    infected = {t.code for t in care_plan(Findings(parse_answers({"warm": True})), S)}
    assert "salicylic_acid" in comedone and "benzoyl_peroxide" not in comedone
    assert "benzoyl_peroxide" in inflamed and "warm_compress" in inflamed and "see_professional" in inflamed
    assert "warm_compress" not in infected  # do not compress an infected spot; see a doctor
    for codes in (comedone, inflamed, infected):
        assert {"gentle_cleansing", "moisturise", "no_nails", "clean_hands_and_tools", "non_comedogenic"} <= codes


@pytest.mark.parametrize(("data", "message"), [
    ({"fevr": True}, "unknown key 'fevr'"),
    ({"warm": "yes"}, "warm: input should be a valid boolean"),
    ({"warm": 1}, "warm: input should be a valid boolean"),
    ({"size_mm": "12"}, "size_mm: input should be a number"),
    ({"size_mm": -1}, "size_mm: must be between 0 and 500"),
    ({"days_present": 2.5}, "days_present"),
    ({"pain": "awful"}, "pain: input should be 'none', 'mild' or 'severe'"),
    ({"location": "foot"}, "location"),
    ([1, 2], "must be a JSON object"),
])
def test_bad_answers_are_clear_errors(data: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_answers(data)


def _close_up(group: str | None, label: str | None, lesions: tuple[LesionFacts, ...] = (), **kw: object) -> Findings:
    lesions = lesions or tuple(LesionFacts(n, label) for n in (1, 2, 3))
    return Findings(kw.pop("answers", Answers()), image_given=True, lesion_count=len(lesions),  # type: ignore[arg-type]
                    close_up=True, photo_group=group, photo_label=label, lesions=lesions, **kw)  # type: ignore[arg-type]


def test_calm_blackhead_close_up_gets_the_protocol_without_answers() -> None:
    findings = _close_up("comedonal", "open_comedo", types_seen=frozenset({"open_comedo"}))
    report = build_report(findings)
    assert report.extraction.advice == "ok_with_care" and len(report.extraction.steps) == 5
    assert report.extraction.extractable == (1, 2, 3)
    assert "extract_these" in {r.code for r in report.extraction.reasons}


@pytest.mark.parametrize(("group", "label"), [("inflamed", "pustule"), ("inflamed", None), ("deep", "cyst"),
                                              ("deep", None), (None, None)])
def test_inflamed_deep_or_unsure_close_ups_never_get_the_protocol(group: str | None, label: str | None) -> None:
    # Even with a crop typed open comedo among its lesions: the photo's answer rules on a close-up.
    findings = _close_up(group, label, (LesionFacts(1, "open_comedo"), LesionFacts(2, label)),
                         types_seen=frozenset({"open_comedo"} | ({label} if label else set())))
    report = build_report(findings)
    assert report.extraction.advice == "do_not_extract" and not report.extraction.steps
    assert not report.extraction.extractable
    if group == "deep":
        assert "nodule_or_cyst" in {r.code for r in report.triage.reasons}


def test_red_rings_around_the_comedones_stop_the_protocol() -> None:
    lesions = (LesionFacts(1, "open_comedo", red_ring=True), LesionFacts(2, "open_comedo"),
               LesionFacts(3, "open_comedo", red_ring=True), LesionFacts(4, "open_comedo"))
    ext = build_report(_close_up("comedonal", "open_comedo", lesions)).extraction
    assert ext.advice == "do_not_extract"
    red = next(r for r in ext.reasons if r.code == "red_rings")
    assert red.evidence["lesions"] == [1, 3] and "lesions 1 and 3, 2 of the 4 comedones" in red.text


def test_one_red_ring_among_many_calm_comedones_is_named_and_left_out() -> None:
    """Issue 32: '5 of the 51 comedones have a red ring' named none of them; each ringed lesion is marked."""
    lesions = tuple(LesionFacts(n, "open_comedo", red_ring=n == 5) for n in range(1, 9))
    ext = build_report(_close_up("comedonal", "open_comedo", lesions)).extraction
    assert ext.advice == "ok_with_care"
    assert ext.extractable == (1, 2, 3, 4, 6, 7, 8)
    marked = {a.number: a.code for a in ext.lesions if not a.ok}
    assert marked == {5: "lesion_red_ring"}
    assert any("Only lesions 1, 2, 3, 4, 6, 7 and 8 may be extracted" in why for why in ext.why)


def test_a_wider_view_read_as_comedonal_does_not_open_the_protocol_by_itself() -> None:
    face = Findings(Answers(), image_given=True, lesion_count=12, photo_group="comedonal", photo_label="closed_comedo",
                    lesions=tuple(LesionFacts(n) for n in range(1, 13)))
    assert build_report(face).extraction.advice == "do_not_extract"
    inflamed = Findings(parse_answers({"lesion_type": "open_comedo", "pain": "none"}), image_given=True,
                        lesion_count=3, types_seen=frozenset({"open_comedo"}), photo_group="inflamed",
                        lesions=(LesionFacts(1, "open_comedo"), LesionFacts(2), LesionFacts(3)))
    assert build_report(inflamed).extraction.advice == "do_not_extract"


def test_the_sample_face_names_its_red_rings_by_lesion(sample_path) -> None:
    """Issue 32: 'redness around 17 spots' named no spot; now each ringed lesion is marked with its own code
    (the wide-view 'of its spots' sentence is gone: test_a_face_with_many_red_spots... is replaced by this)."""
    import comedo

    ext = comedo.analyze(sample_path).report.extraction
    assert ext.advice == "do_not_extract" and not ext.extractable
    assert len(ext.lesions) == 20 and {a.code for a in ext.lesions} <= {"lesion_red_ring", "lesion_inflamed",
                                                                       "lesion_type_unknown"}
    assert not any("spots" in why for why in ext.why)


def test_the_rules_table_in_the_docs_is_the_rules_in_code() -> None:
    """docs/triage.md's table is generated from RULES (python -m comedo.explain.rules_doc docs/triage.md)."""
    from pathlib import Path

    from comedo.explain.levels import SOURCES
    from comedo.explain.rules_doc import BEGIN, END, rules_markdown

    text = (Path(__file__).parents[2] / "docs" / "triage.md").read_text(encoding="utf-8")
    assert text.split(BEGIN, 1)[1].split(END, 1)[0].strip() == rules_markdown()
    assert all(rule.source in SOURCES and rule.fires_when for rule in RULES)


def test_an_untyped_calm_spot_is_not_a_nodule_by_its_size_alone() -> None:
    """A nodule is an inflamed, solid lesion of 5 mm or more: an untyped spot with no red ring (on clean phone
    faces: moles, shadows the face detector ringed, 6-11 mm by the iris scale) is neither a nodule nor a large lump."""
    calm = Findings(Answers(), image_given=True, lesion_count=2, max_diameter_mm=None,
                    lesions=(LesionFacts(1, None, "too_small", diameter_mm=11.0),
                             LesionFacts(2, None, diameter_mm=6.0)))
    report = build_report(calm)
    assert {r.code for r in report.triage.reasons} == {"no_red_flags"}
    assert not calm.nodule_or_cyst

