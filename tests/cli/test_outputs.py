"""Where commands write (issue 35): a bad ``--out`` is one ``comedo: error`` line naming the path, a folder given
for a file gets the file inside it, output names never collide, and nothing ends in a traceback."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic import skin_scene
from typer.testing import CliRunner

from comedo.cli.main import app

runner = CliRunner()

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _drop_file_override() -> None:
    """In the child before exec: give up root's power to ignore file permissions (the bounding set bounds what
    exec grants), so a folder made read-only with chmod is read-only to the command as to any user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def comedo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``comedo ARGS`` in a real process, bound by file permissions even when the tests run as root."""
    as_root = os.geteuid() == 0
    return subprocess.run([sys.executable, "-m", "comedo.cli.main", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})},
                          preexec_fn=_drop_file_override if as_root else None)


def one_error(stderr: str) -> str:
    """The one ``comedo: error`` line of ``stderr`` (and no traceback)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("comedo: error")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture()
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        probe = comedo("--version")
        if probe.returncode != 0:
            pytest.skip(f"cannot drop CAP_DAC_OVERRIDE here: {probe.stderr[-200:]}")
    yield folder
    folder.chmod(0o755)


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photo") / "spot.png"
    Image.fromarray(skin_scene((240, 320), seed=7).rgb).save(path)
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames = []
    for i in range(10):
        rgb = skin_scene((96, 128), seed=3).rgb.copy()
        rgb[i * 5: i * 5 + 5, :10] = (30, 30, 30)  # distinct frames (Pillow merges identical ones)
        frames.append(Image.fromarray(rgb))
    path = tmp_path_factory.mktemp("clip") / "clip.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def _store_env(tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return {"COMEDO_DATA_DIR": str(data), "COMEDO_DB": f"sqlite:///{data / 'comedo.db'}"}


# --- a read-only --out ----------------------------------------------------------------------------------------

def test_batch_into_a_read_only_folder(read_only: Path, photo: Path) -> None:
    proc = comedo("batch", str(photo), "--out", str(read_only), "--workers", "1", "--detector", "classical")
    assert proc.returncode == 2 and str(read_only) in one_error(proc.stderr)
    assert list(read_only.iterdir()) == []


def test_video_into_a_read_only_folder(read_only: Path, clip: Path) -> None:
    proc = comedo("video", str(clip), "--out", str(read_only), "--detector", "classical")
    assert proc.returncode == 2 and str(read_only) in one_error(proc.stderr)


def test_history_into_a_read_only_folder(read_only: Path, photo: Path, tmp_path: Path) -> None:
    env = _store_env(tmp_path)
    saved = comedo("analyze", str(photo), "--subject", "h-1", "--save", "--detector", "classical", env=env)
    assert saved.returncode == 0, saved.stderr
    proc = comedo("history", "h-1", "--out", str(read_only), env=env)
    assert proc.returncode == 2 and str(read_only) in one_error(proc.stderr)


def test_session_report_into_a_read_only_folder(read_only: Path, tmp_path: Path) -> None:
    env = _store_env(tmp_path)
    started = comedo("session", "start", "r-1", env=env)
    assert started.returncode == 0, started.stderr
    session = started.stdout.split()[1]
    proc = comedo("session", "report", session, "--out", str(read_only / "report.html"), env=env)
    assert proc.returncode == 2 and str(read_only) in one_error(proc.stderr)


def test_a_read_only_store_photo_folder(photo: Path, tmp_path: Path) -> None:
    env = _store_env(tmp_path)
    photos = Path(env["COMEDO_DATA_DIR"]) / "photos"
    photos.mkdir()
    photos.chmod(0o555)
    if os.geteuid() == 0 and comedo("--version").returncode != 0:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here")
    try:
        started = comedo("session", "start", "p-1", "--photo", str(photo), env=env)
        assert started.returncode == 1 and str(photos) in one_error(started.stderr)
        session = comedo("session", "start", "p-2", env=env).stdout.split()[1]  # no photo: nothing to store
        step = comedo("session", "step", session, "sterilise", "--photo", str(photo), env=env)
        assert step.returncode == 1 and str(photos) in one_error(step.stderr)
        saved = comedo("analyze", str(photo), "--save", "--subject", "p-1", "--detector", "classical", env=env)
        assert saved.returncode == 1 and str(photos) in one_error(saved.stderr)
    finally:
        photos.chmod(0o755)


# --- an existing file where a folder is needed, a folder where a file is ---------------------------------------

def test_history_and_video_out_that_is_a_file(tmp_path: Path, photo: Path, clip: Path) -> None:
    env = _store_env(tmp_path)
    assert runner.invoke(app, ["analyze", str(photo), "--subject", "f-1", "--save", "--detector", "classical"],
                         env=env).exit_code == 0
    taken = tmp_path / "taken"
    taken.write_text("mine")
    for args in (["history", "f-1", "--out", str(taken)], ["video", str(clip), "--out", str(taken)]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 2, (args, result.output)
        assert "exists and is not a folder" in one_error(result.stderr) and str(taken) in result.stderr
    assert taken.read_text() == "mine"


def test_session_report_out_a_folder_gets_the_file_inside(tmp_path: Path) -> None:
    env = _store_env(tmp_path)
    session = runner.invoke(app, ["session", "start", "d-1"], env=env).stdout.split()[1]
    folder = tmp_path / "reports"
    folder.mkdir()
    result = runner.invoke(app, ["session", "report", session, "--out", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert (folder / f"session-{session}.html").read_text().lstrip().lower().startswith("<!doctype html")
    fresh = tmp_path / "new"
    result = runner.invoke(app, ["session", "report", session, "--out", f"{fresh}/"], env=env)
    assert result.exit_code == 0 and (fresh / f"session-{session}.html").is_file()


def test_report_out_a_folder_gets_the_file_inside(tmp_path: Path, photo: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    result = runner.invoke(app, ["report", str(photo), "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "spot.html").is_file() and not (tmp_path / "reports.html").exists()
    result = runner.invoke(app, ["report", str(photo), "--out", f"{tmp_path / 'fresh'}/"])
    assert result.exit_code == 0 and (tmp_path / "fresh" / "spot.html").is_file()


def test_export_out_ending_in_a_slash_is_a_folder(tmp_path: Path, photo: Path) -> None:
    out = tmp_path / "o"
    assert runner.invoke(app, ["analyze", str(photo), "--out", str(out), "--detector", "classical"]).exit_code == 0
    result = runner.invoke(app, ["export", "--format", "coco", str(out / "spot.json"), "--out", f"{tmp_path}/x/"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "x" / "coco.json").read_text())["images"][0]["file_name"] == str(photo)


# --- export of documents that miss fields ------------------------------------------------------------------------

def test_export_reports_each_document_it_cannot_use_and_exports_the_rest(tmp_path: Path, photo: Path) -> None:
    out = tmp_path / "o"
    assert runner.invoke(app, ["analyze", str(photo), "--out", str(out), "--detector", "classical"]).exit_code == 0
    good = json.loads((out / "spot.json").read_text())
    lesion = {"bbox": [1.0, 2.0, 3.0, 4.0], "score": 0.9, "type": "furuncle"}
    bad = {"no_path.json": {**good, "image": {k: v for k, v in good["image"].items() if k != "path"}},
           "no_width.json": {**good, "image": {k: v for k, v in good["image"].items() if k != "width"}},
           "odd_type.json": {**good, "lesions": [lesion]}}
    for name, doc in bad.items():
        (out / name).write_text(json.dumps(doc))
    for fmt in ("coco", "yolo", "labelstudio"):
        target = tmp_path / f"export-{fmt}"
        result = runner.invoke(app, ["export", "--format", fmt, str(out), "--out", str(target)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
        lines = [line for line in result.stderr.splitlines() if line.startswith("comedo: error")]
        assert len(lines) == 3 and all(any(name in line for line in lines) for name in bad), lines
        assert "image.path" in result.stderr and "image.width" in result.stderr and "furuncle" in result.stderr
        assert "1 photos" in result.stdout  # the good one is exported
    assert len(json.loads((tmp_path / "export-coco").read_text())["images"]) == 1


# --- output names ------------------------------------------------------------------------------------------------

def test_analyze_output_names_never_collide(tmp_path: Path) -> None:
    names = ["a.jpg", "a.png", "a-2.jpg"]
    for k, name in enumerate(names):
        Image.fromarray(skin_scene((240, 320), seed=20 + k).rgb).save(tmp_path / name)
    out = tmp_path / "o"
    result = runner.invoke(app, ["analyze", *[str(tmp_path / n) for n in names], "--out", str(out),
                                 "--detector", "classical"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.glob("*.json"))
    assert len(written) == 3 and len(list(out.glob("*.png"))) == 3
    sources = sorted(Path(json.loads((out / w).read_text())["image"]["path"]).name for w in written)
    assert sources == sorted(names)  # every photo's results kept


# --- subject ids ----------------------------------------------------------------------------------------------------

def test_a_subject_with_a_trailing_newline_is_refused(tmp_path: Path, photo: Path) -> None:
    from comedo.errors import InvalidInputError
    from comedo.store.sessions import check_subject

    with pytest.raises(InvalidInputError):
        check_subject("alice\n")
    env = _store_env(tmp_path)
    result = runner.invoke(app, ["analyze", str(photo), "--subject", "nl\n", "--save"], env=env)
    assert result.exit_code == 2 and "subject" in one_error(result.stderr)


# --- smaller -----------------------------------------------------------------------------------------------------

def test_the_answers_size_limit_is_stated_in_a_unit_that_shows_it(tmp_path: Path) -> None:
    big = tmp_path / "answers.json"
    big.write_text(" " * 70_000 + "{}")
    result = runner.invoke(app, ["triage", "--answers", str(big)])
    line = one_error(result.stderr)
    assert result.exit_code == 2 and "64 KB limit" in line and " 0 MB" not in line


def test_a_long_file_name_can_be_written(tmp_path: Path) -> None:
    from comedo.files import write_atomic

    name = "x" * 250 + ".json"  # 255 bytes: the longest name a file system takes
    write_atomic(tmp_path / name, b"{}")
    assert (tmp_path / name).read_bytes() == b"{}" and [p.name for p in tmp_path.iterdir()] == [name]
    photo = tmp_path / ("p" * 240 + ".png")
    Image.fromarray(np.asarray(skin_scene((240, 320), seed=5).rgb)).save(photo)
    out = tmp_path / "o"
    result = runner.invoke(app, ["analyze", str(photo), "--out", str(out), "--detector", "classical"])
    assert result.exit_code == 0, result.output
    assert (out / ("p" * 240 + ".json")).is_file()
