"""GAGS (Doshi et al. 1997): zone factors times the worst lesion, bands, untyped as papules, hidden zones."""

from __future__ import annotations

from comedo.grade.gags import gags_label, gags_score

ALL = {z: True for z in ("forehead", "right_cheek", "left_cheek", "nose", "chin")}


def test_factors_times_the_worst_lesion_per_zone() -> None:
    g = gags_score(["forehead", "forehead", "nose", "chin", "other"],
                   ["open_comedo", "pustule", "papule", "nodule", "cyst"], ALL)
    assert g.score == 2 * 3 + 1 * 2 + 1 * 4  # "other" (upper lip, temples) is no GAGS zone
    assert g.label == "mild"
    assert {t.zone: t.worst for t in g.terms}["forehead"] == "pustule"


def test_the_worst_face_scores_32_and_clear_is_zero() -> None:
    zones = list(ALL)
    assert gags_score(zones, ["nodule"] * 5, ALL).score == 32
    clear = gags_score([], [], ALL)
    assert clear.score == 0 and clear.label == "clear"


def test_untyped_lesions_count_as_papules_and_are_said() -> None:
    g = gags_score(["right_cheek", "right_cheek"], [None, "open_comedo"], ALL)
    assert g.score == 4 and g.untyped_counted_as_papules == 1
    assert "counted as papules" in g.text


def test_a_zone_not_visible_is_not_scored_and_not_clear() -> None:
    g = gags_score(["left_cheek"], ["pustule"], {**ALL, "left_cheek": False})
    assert g.score == 0 and g.not_visible == ("left_cheek",)
    assert "not visible" in g.text


def test_bands() -> None:
    assert [gags_label(s) for s in (0, 1, 18, 19, 30, 31, 38, 39)] == [
        "clear", "mild", "mild", "moderate", "moderate", "severe", "severe", "very_severe"]


def test_a_zone_partly_in_view_is_scored_on_what_shows_and_the_score_is_partial() -> None:
    clear_but_cut = gags_score([], [], ALL, partly_seen=("forehead",))
    assert clear_but_cut.score == 0 and clear_but_cut.partial and clear_but_cut.partly_seen == ("forehead",)
    assert "partly out of view" in clear_but_cut.text and "partial" in clear_but_cut.text
    found = gags_score(["forehead"], ["pustule"], ALL, partly_seen=("forehead",))
    assert found.score == 6 and found.partial  # a lower bound: what shows is counted
    assert not gags_score([], [], ALL).partial
    assert gags_score([], [], {**ALL, "nose": False}, partly_seen=("nose",)).partly_seen == ()  # hidden, not partly
