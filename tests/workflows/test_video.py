"""Video: a clip built from a real photo with an instrument moving in and out and the treated lesion
painted out at a known time; events must land within half a second."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic_video import build_clip
from typer.testing import CliRunner

from comedo.cli.main import app
from comedo.errors import InvalidInputError
from comedo.workflows.video import find_events, iter_video
from comedo.workflows.video_frames import frames_at, iter_frames

runner = CliRunner()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, sample_path: Path):  # type: ignore[no-untyped-def]
    return build_clip(sample_path, tmp_path_factory.mktemp("clip") / "extraction.mp4", detector="classical")


def test_events_within_half_a_second(clip, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = runner.invoke(app, ["video", str(clip.path), "--every", "0.5", "--out", str(out),
                                 "--detector", "classical"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "timeline.json").read_text())
    events = {e["kind"]: e for e in doc["events"]}
    assert abs(events["instrument_in"]["t_s"] - clip.instrument_in) <= 0.5
    assert abs(events["release"]["t_s"] - clip.release) <= 0.5
    assert abs(events["instrument_out"]["t_s"] - clip.instrument_out) <= 0.5
    assert all(0 <= e["confidence"] <= 1 for e in doc["events"])
    frames = doc["frames"]
    assert len(frames) == 14 and frames[0]["t_s"] == 0.0 and frames[-1]["t_s"] == 6.5
    assert {"t_s", "lesion_count", "redness_delta_a_p90", "instrument_or_fingers", "sharpness",
            "motion"} <= frames[1].keys()
    assert doc["keyframes"]["before"] < clip.instrument_in and doc["keyframes"]["after"] > clip.instrument_out
    assert doc["comparison"]["registration"]["ok"]
    for name in ("timeline.png", "keyframes.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


def test_python_iterator_streams(clip) -> None:  # type: ignore[no-untyped-def]
    gen = iter_video(clip.path, every_s=1.0, detector="classical")
    first = next(gen)
    assert first.t_s == 0.0 and first.lesion_count >= 1
    rest = list(gen)
    assert [round(f.t_s, 1) for f in rest] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert find_events([first, *rest])  # at least the release or the instrument shows at 1 s sampling


def test_animated_gif(tmp_path: Path) -> None:
    frames = []
    for i in range(10):
        rgb = np.full((60, 80, 3), (200, 150, 130), np.uint8)
        rgb[i * 5: i * 5 + 5, :10] = (30, 30, 30)  # distinct frames (Pillow merges identical ones)
        frames.append(Image.fromarray(rgb))
    path = tmp_path / "clip.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    got = list(iter_frames(path, 0.25))
    assert len(got) >= 3 and got[0][1].shape == (60, 80, 3)


def test_frames_at_picks_each_time_in_one_pass(tmp_path: Path) -> None:
    frames = []
    for i in range(10):  # frame i is marked by a dark bar at row 5 * i; 10 fps
        rgb = np.full((60, 80, 3), (200, 150, 130), np.uint8)
        rgb[i * 5: i * 5 + 5, :10] = (30, 30, 30)
        frames.append(Image.fromarray(rgb))
    path = tmp_path / "clip.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)

    def index(img: np.ndarray) -> int:
        return int(np.argmin(img[:, 0, 0]) // 5)

    got = frames_at(path, [0.45, 0.0, 0.3, 5.0])  # unsorted, and one past the end
    assert [index(img) for img in got] == [5, 0, 3, 9]


@pytest.mark.parametrize(("content", "message"), [(b"", "empty"), (b"not a video at all" * 50, "not a readable video")])
def test_bad_video_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message):
        list(iter_frames(path, 0.5))
    result = runner.invoke(app, ["video", str(path)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_a_clip_with_no_events_compares_two_different_moments(tmp_path: Path) -> None:
    import json

    frames = []
    for i in range(12):  # 1.2 s of plain skin with a small mark drifting: nothing happens in it
        rgb = np.full((96, 128, 3), (200, 150, 130), np.uint8)
        rgb[40:44, 10 + 4 * i: 14 + 4 * i] = (120, 80, 70)
        frames.append(Image.fromarray(rgb))
    path = tmp_path / "calm.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = runner.invoke(app, ["video", str(path), "--out", str(tmp_path / "out"), "--every", "0.2"])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "timeline.json").read_text())
    assert not doc["events"] and doc["keyframes"]["before"] < doc["keyframes"]["after"]
