"""Extraction sessions end to end: the protocol's step names (old ones accepted with a note), what is offered
after a "do not extract" advice, "complete" only when every step was done, warnings from a step photo, and a
report that says "not aligned" / "photo missing" instead of failing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from synthetic import skin_scene
from typer.testing import CliRunner

import comedo
from comedo.cli.main import app
from comedo.explain.advice import EXTRACTION_STEPS
from comedo.store.repository import Store
from comedo.store.sessions import STEPS, step_warnings

runner = CliRunner()


def _errors(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in result.stderr.splitlines() if line.startswith("comedo: error")]


@pytest.fixture()
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'comedo.sqlite'}"
    env = {"COMEDO_DATA_DIR": str(tmp_path), "COLUMNS": "200"}

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, "--db", url], env=env)

    invoke.url = url  # type: ignore[attr-defined]
    return invoke


def _photo(tmp_path: Path, seed: int) -> Path:
    path = tmp_path / f"spot-{seed}.png"
    Image.fromarray(skin_scene((200, 260), seed=seed).rgb).save(path)
    return path


def test_one_vocabulary_of_step_names() -> None:
    assert STEPS == tuple(name for name, _ in EXTRACTION_STEPS)
    assert STEPS == ("sterilise", "find_the_core", "gentle_pressure", "release", "aftercare")
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "sterilise|find_the_core|gentle_pressure|release|aftercare" in readme


def test_after_do_not_extract_aftercare_or_stopping_is_offered_and_the_protocol_is_not_complete(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"lesion_type": "cyst"}))
    started = cli("session", "start", "d-1", "--photo", str(_photo(tmp_path, 6)), "--answers", str(answers))
    assert started.exit_code == 0 and "extraction advice: do_not_extract" in started.stdout, started.output
    sid = started.stdout.split()[1]
    sterilised = cli("session", "step", sid, "sterilise")
    assert "next: aftercare - Clean the area" in sterilised.stdout and "Or stop here" in sterilised.stdout
    core = cli("session", "step", sid, "identify_core")  # the old name: accepted, with one note
    assert core.exit_code == 0 and f"{sid}: find_the_core recorded" in core.stdout, core.output
    assert core.stderr.splitlines() == ["note: identify_core is now called find_the_core"]
    assert "next: aftercare" in core.stdout and "gentle_pressure" not in core.stdout.split("Or stop")[0]
    refused = cli("session", "step", sid, "apply_pressure")
    assert refused.exit_code == 2 and len(_errors(refused)) == 1
    assert "gentle_pressure refused: Nodules and cysts are deep" in _errors(refused)[0]
    done = cli("session", "step", sid, "aftercare")
    assert done.exit_code == 0 and "protocol is complete" not in done.stdout  # 0.9.1: "the protocol is complete"
    assert "the session ended without gentle_pressure, release" in done.stdout
    shown = cli("session", "show", sid)
    assert [line.split(" at ")[0] for line in shown.stdout.splitlines() if line[:2] in ("1.", "2.", "3.")] == [
        "1. sterilise", "2. find_the_core", "3. aftercare"]


def test_the_protocol_is_complete_only_when_every_step_was_done(cli) -> None:  # type: ignore[no-untyped-def]
    sid = cli("session", "start", "c-1").stdout.split()[1]
    for step in STEPS[:-1]:
        result = cli("session", "step", sid, step)
        assert result.exit_code == 0 and "next: " in result.stdout, result.output
    again = cli("session", "step", sid, "gentle_pressure", "--again")
    assert again.exit_code == 0 and "gentle_pressure (attempt 2) recorded" in again.stdout
    last = cli("session", "step", sid, "aftercare")
    assert "the protocol is complete" in last.stdout


def test_a_step_photo_showing_a_deep_lesion_pus_or_spreading_redness_is_warned_and_stored(
        tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    calm = comedo.analyze(skin_scene((200, 260), seed=7).rgb, detector="classical")
    before = comedo.analyze(skin_scene((200, 260), seed=8).rgb, detector="classical",
                            answers={"pus": True, "spreading_redness": True})
    cyst = replace(calm, photo_type=replace(calm.photo_type, label="cyst", group="deep"))
    pustule = replace(calm, photo_type=replace(calm.photo_type, label="pustule", group="inflamed"))
    store = Store.open(cli.url, data_dir=tmp_path)
    sid = store.start_session("w-1", before=before)
    assert store.add_step(sid, "sterilise", photo=calm).warnings == ("spreading_redness",)  # the answers count
    assert store.add_step(sid, "find_the_core", photo=cyst).warnings == ("deep_lesion", "spreading_redness")
    assert store.add_step(sid, "aftercare", photo=pustule).warnings == ("pus", "spreading_redness")
    stored = store.session_info(sid)["steps"]
    store.close()
    assert [[w["code"] for w in s["warnings"]] for s in stored] == [
        ["spreading_redness"], ["deep_lesion", "spreading_redness"], ["pus", "spreading_redness"]]
    shown = cli("session", "show", sid)
    assert shown.exit_code == 0 and "warning: the photo at this step shows a deep lesion" in shown.stdout


@pytest.mark.parametrize(("document", "earlier", "codes"), [
    ({"lesions": [{"type": "open_comedo"}], "lesion_type": {"label": "open_comedo"}}, {}, ()),
    ({"lesions": [{"type": "nodule"}]}, {}, ("deep_lesion",)),
    ({"lesion_type": {"label": "cyst"}}, {}, ("deep_lesion",)),
    ({"lesions": [{"type": "pustule"}]}, {}, ()),  # a pustule alone: its white head is not a warning
    ({"lesions": [{"type": "pustule"}], "answers": {"pus": True}}, {}, ("pus",)),
    ({"lesions": [{"type": "papule"}]}, {"pus": True}, ()),  # pus reported, no pustule shown
    ({"redness": {"irritation": "marked"}}, {}, ("spreading_redness",)),
    ({"redness": {"irritation": "moderate"}}, {"red_streaks": True}, ("spreading_redness",)),
])
def test_step_warnings(document: dict, earlier: dict, codes: tuple[str, ...]) -> None:
    assert step_warnings(document, earlier) == codes


def test_session_report_says_not_aligned_and_photo_missing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    started = cli("session", "start", "r-1", "--photo", str(_photo(tmp_path, 1)))
    sid = started.stdout.split()[1]
    assert cli("session", "step", sid, "sterilise").exit_code == 0
    after = cli("session", "step", sid, "aftercare", "--photo", str(_photo(tmp_path, 2)))  # other skin
    assert after.exit_code == 0, after.output
    report = tmp_path / "report.html"
    result = cli("session", "report", sid, "--out", str(report))
    assert result.exit_code == 0, result.output  # 0.9.1: TypeError, doc["redness"] is None
    assert "No comparison: not aligned (" in report.read_text()
    store = Store.open(cli.url, data_dir=tmp_path)
    step_photo = store.photo_path(store.session_info(sid)["steps"][-1]["photo_sha256"])
    store.close()
    step_photo.unlink()
    result = cli("session", "report", sid, "--out", str(report))
    assert result.exit_code == 0, result.output  # 0.9.1: cv2.imread gives None, then a TypeError
    html = report.read_text()
    assert "photo missing" in html and "No comparison: photo missing." in html


def test_session_report_with_a_missing_photo_prints_nothing_on_stderr(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """In a real process, so that what OpenCV prints from C on descriptor 2 is seen (0.9.x: two
    '[ WARN:0@...] global loadsave.cpp ... imread_(...): can't open/read file' lines beside the report)."""
    import os
    import subprocess
    import sys

    started = cli("session", "start", "r-2", "--photo", str(_photo(tmp_path, 1)))
    sid = started.stdout.split()[1]
    store = Store.open(cli.url, data_dir=tmp_path)
    before = store.document(store.session_info(sid)["analysis_id"])["image"]["sha256"]
    store.photo_path(before).unlink()
    store.close()
    report = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "comedo.cli.main", "session", "report", sid, "--out", str(report),
                           "--db", cli.url], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COMEDO_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert "photo missing" in report.read_text()
