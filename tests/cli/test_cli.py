"""The command line: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import REPO
from typer.testing import CliRunner

from comedo.cli.main import app

runner = CliRunner()


def test_analyze_writes_json_and_png(sample_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(sample_path), "--out", str(tmp_path), "--mm-per-px", "0.2"])
    assert result.exit_code == 0, result.output
    assert "lesion" in result.stdout and "redness" in result.stdout
    doc = json.loads((tmp_path / "face_acne04.json").read_text())
    assert doc["schema_version"] and doc["image"]["mm_per_px"] == 0.2
    assert (tmp_path / "face_acne04.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jpg", b"", "file is empty"),
        ("text.png", b"hello, not an image at all" * 10, "not a supported image"),
        ("cut.jpg", None, "truncated or corrupt"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, sample_path: Path, name: str, content: bytes | None,
                                      message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content if content is not None else sample_path.read_bytes()[:3000])
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and message in lines[0]
    assert "Traceback" not in result.output


def test_bad_one_is_skipped_the_rest_done(tmp_path: Path, sample_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(bad), str(sample_path), "--out", str(out), "--detector", "classical"])
    assert result.exit_code == 2
    assert (out / "face_acne04.json").exists() and not (out / "bad.json").exists()
    assert "1 of 2 photos failed" in result.stderr


def test_json_flag_prints_one_document(sample_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(sample_path), "--json", "--detector", "classical"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["image"]["width"] == 640


def test_schema_command_is_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert "lesions" in schema["properties"] and "schema_version" in schema["required"]


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.heic"
    bad.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40)
    proc = subprocess.run([sys.executable, "-m", "comedo.cli.main", "analyze", str(bad)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "x.heic" in proc.stderr


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((REPO / "docs" / "analysis.schema.json").read_text())
    current = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert committed == current, "run: comedo schema > docs/analysis.schema.json"


def test_triage_json_and_readable(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"red_streaks": True, "pain": "severe"}))
    result = runner.invoke(app, ["triage", "--answers", str(answers), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["triage"]["level"] == "urgent" and doc["extraction"]["advice"] == "do_not_extract"
    assert {"triage", "care_plan", "extraction", "disclaimer"} <= doc.keys()
    readable = runner.invoke(app, ["triage", "--answers", str(answers)])
    assert readable.exit_code == 0 and "Urgent" in readable.stdout and "not a medical device" in readable.stdout


@pytest.mark.parametrize("content", ['{"fevr": true}', '{"warm": "yes"}', "not json", "[1]"])
def test_triage_bad_answers_exit_2(tmp_path: Path, content: str) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(content)
    result = runner.invoke(app, ["triage", "--answers", str(answers)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "a.json" in result.stderr


def test_analyze_with_answers_embeds_triage(tmp_path: Path, sample_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"location": "near_eye", "spreading_redness": True}))
    result = runner.invoke(app, ["analyze", str(sample_path), "--answers", str(answers), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["triage"]["level"] == "urgent" and doc["answers"] == {"location": "near_eye",
                                                                     "spreading_redness": True}


def test_triage_with_image(tmp_path: Path, sample_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text("{}")
    result = runner.invoke(app, ["triage", "--answers", str(answers), str(sample_path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["triage"]["level"] in {"self_care", "routine"}


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_the_version(flag: str) -> None:
    import comedo

    result = runner.invoke(app, [flag])
    assert result.exit_code == 0 and result.stdout.strip() == f"comedo {comedo.__version__}"


def test_summary_line_names_the_lesion_types(sample_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(sample_path)])
    assert result.exit_code == 0
    import re

    # "20 lesions: 1 pustule, 19 untyped (Hayashi moderate)": each type named with its count.
    assert re.search(r"\d+ lesions?: \d+ [a-z]+( \w+)?(, \d+ [a-z]+)*", result.stdout), result.stdout
    assert "_" not in result.stdout.split(": ", 1)[1], result.stdout  # codes in words: "self-care", not self_care


def test_report_evidence_is_in_words() -> None:
    from comedo.render.html_templates import evidence_words

    assert evidence_words({"recurring": True, "types_seen_in_photo": ["nodule", "cyst"], "size_mm": 14}) == \
        "recurring: yes, types seen in photo: nodule, cyst, size mm: 14"
    assert evidence_words({"seen_in_photo": {"lesions": 1, "inflamed_or_not_known": 1}, "lesions": [7]}) == \
        "seen in photo: lesions 1, inflamed or not known 1, lesions: 7"  # not a Python dict (issue 33)


def test_the_report_escapes_what_it_shows(sample_path) -> None:
    """The template autoescapes: a file name with markup in it is shown as text, never run."""
    import comedo
    from comedo.render.report import report_html

    html = report_html(comedo.analyze(sample_path, name="<script>alert(1)</script>.jpg"))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;.jpg" in html
    assert "Skin photo report" in html and "not a medical device" in html


def test_no_help_page_shows_a_value_placeholder_on_a_flag() -> None:
    """Every command's --help, the flags (--help itself included) without "<bool>"."""
    import typer.main
    from typer.testing import CliRunner

    from comedo.cli.main import app

    def commands(group, prefix):  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            yield [*prefix, name]
            if hasattr(command, "commands"):
                yield from commands(command, [*prefix, name])

    runner = CliRunner()
    names = [[]] + list(commands(typer.main.get_command(app), []))
    assert len(names) > 15
    for name in names:
        result = runner.invoke(app, [*name, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (name, result.output)
        assert "<bool>" not in result.output and "BOOLEAN" not in result.output, name


def test_compare_prints_the_lesions_fate_and_says_a_mirror_image(sample_path, tmp_path) -> None:
    from PIL import Image, ImageOps
    from typer.testing import CliRunner

    from comedo.cli.main import app

    mirrored = tmp_path / "selfie.png"
    ImageOps.mirror(Image.open(sample_path).convert("RGB")).save(mirrored)
    result = CliRunner().invoke(app, ["compare", str(sample_path), str(sample_path)])
    assert result.exit_code == 0 and "aligned" in result.stdout and "0 new" in result.stdout, result.output
    assert "redness (reddest tenth" in result.stdout
    flipped = CliRunner().invoke(app, ["compare", str(sample_path), str(mirrored), "--out", str(tmp_path / "c")])
    assert flipped.exit_code == 0 and "a mirror image" in flipped.stdout, flipped.output
    assert (tmp_path / "c" / "side_by_side.png").exists()


def test_video_help_names_every_output_and_a_bad_video_is_one_clean_line(tmp_path: Path) -> None:
    """Issue 33: --help did not name before_after.png; a broken MP4 printed FFmpeg's "moov atom not found" (from
    C, on file descriptor 2) before comedo's own message."""
    from typer.testing import CliRunner

    from comedo.cli.main import app

    result = CliRunner().invoke(app, ["video", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "before_after.png" in result.stdout
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    run = subprocess.run([sys.executable, "-m", "comedo.cli.main", "video", str(bad)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"comedo: error: {bad}: not a readable video (MP4, MOV, WebM, AVI "
                                               "or animated GIF)"], run.stderr
