"""The contradiction scan's four kinds, each on a hand-built document, and the triage mix by folder label."""

from __future__ import annotations

from pathlib import Path

from comedo.cli.evaluate_types_cmd import FOLDER_ALIASES
from comedo.workflows.evaluate_verdicts import VerdictRow, canonical_label, contradictions, summarise


def _doc(*, lesions: list[dict] | None = None, level: str = "self_care", advice: str = "do_not_extract",
         group: str | None = None, view: str = "wide", reasons: list[str] = (), why: list[str] = (),
         hayashi: int = 0) -> dict:
    return {"lesions": lesions or [], "triage": {"level": level, "reasons": [{"text": t} for t in reasons]},
            "extraction": {"advice": advice, "why": list(why)}, "lesion_type": {"group": group, "label": None},
            "scene": {"view": view}, "severity": {"hayashi": {"grade": hayashi}, "iga": {"grade": 0}}}


def test_each_kind_on_its_own() -> None:
    assert contradictions(_doc(group="deep")) == ("deep_self_care",)
    assert contradictions(_doc(group="deep", level="routine")) == ()
    assert contradictions(_doc(lesions=[{"type": "cyst", "advice": "do_not_extract"}])) == ("deep_self_care",)
    assert contradictions(_doc(lesions=[{"type": None, "advice": "do_not_extract"}],
                               advice="ok_with_care")) == ("ok_without_extractable_ring",)
    assert contradictions(_doc(lesions=[{"type": None, "advice": "ok_with_care"}], advice="ok_with_care")) == ()
    assert contradictions(_doc(why=["The photo shows mostly inflamed spots (papules or pustules)."])) == (
        "reasons_without_lesions",)
    assert contradictions(_doc(why=["A deep lesion (a nodule or cyst) is not ruled out in this photo."])) == (
        "reasons_without_lesions",)
    assert contradictions(_doc(view="close_up", why=["A deep lesion is not ruled out in this photo."])) == ()
    assert contradictions(_doc(hayashi=1)) == ("graded_without_lesions",)
    assert contradictions(_doc(hayashi=1, lesions=[{"type": None, "advice": "do_not_extract"}])) == ()


def test_the_mix_by_type_pools_folder_names() -> None:
    assert canonical_label("Blackhead", FOLDER_ALIASES) == "open_comedo"
    assert canonical_label("cystic", FOLDER_ALIASES) == "cyst"
    assert canonical_label("acne;blackhead", FOLDER_ALIASES) is None
    rows = [VerdictRow(str(Path("x") / f"{i}.jpg"), "x", label, "close_up", 1, level, protocol, ())
            for i, (label, level, protocol) in enumerate([("cyst", "routine", False), ("nodule", "self_care", False),
                                                          ("blackhead", "self_care", True),
                                                          ("whitehead", "routine", False)])]
    fig = summarise(rows, FOLDER_ALIASES)
    assert fig["headline"] == {"deep_routine_or_higher": 0.5, "comedo_routine_or_higher": 0.5, "comedo_protocol": 0.5}
    assert fig["contradictions"] == dict.fromkeys(fig["contradictions"], 0)
