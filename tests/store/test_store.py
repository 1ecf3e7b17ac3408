"""The history store against real databases: SQLite files and a PostgreSQL server
(``COMEDO_TEST_PG``, a URL of a role allowed to create databases; `.ci/run`
installs and starts one). No mocks."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import fresh_pg_database
from PIL import Image
from synthetic import skin_scene

import comedo
from comedo.errors import InvalidInputError
from comedo.store.repository import StepRefused, Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 'h.sqlite'}", data_dir=tmp_path)
        yield s
        s.close()
        return
    for url in fresh_pg_database():
        s = Store.open(url, data_dir=tmp_path)
        yield s
        s.close()


@pytest.fixture(scope="module")
def analyses() -> list[comedo.Analysis]:
    out = []
    for seed in (1, 2, 3):
        out.append(comedo.analyze(skin_scene((240, 320), seed=seed).rgb, detector="classical",
                                  answers={"lesion_type": "open_comedo", "pain": "none"}))
    return out


def test_save_and_history(store: Store, analyses: list) -> None:
    ids = [store.save_analysis(a, subject_id="s-01") for a in analyses]
    store.save_analysis(analyses[0], subject_id="other")
    assert ids == sorted(ids)
    rows = store.history("s-01")
    assert [r.analysis_id for r in rows] == ids
    assert rows[0].lesion_count == analyses[0].severity.lesion_count
    assert rows[0].comedo_version == comedo.__version__
    doc = store.document(ids[1])
    assert doc["image"]["sha256"] == analyses[1].image.sha256 and doc["schema_version"]
    assert store.photo_path(analyses[0].image.sha256).exists()
    assert store.check() == []


def test_stored_photo_has_no_exif_location(store: Store, tmp_path: Path) -> None:
    img = Image.fromarray(skin_scene((200, 260), seed=4).rgb)
    exif = img.getexif()
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 5.0), 3: "E", 4: (4.0, 53.0, 30.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    assert b"PhoneMaker" in buf.getvalue()
    analysis = comedo.analyze(buf.getvalue(), detector="classical")
    store.save_analysis(analysis, subject_id="gps")
    stored = store.photo_path(analysis.image.sha256)
    data = stored.read_bytes()
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert not Image.open(stored).getexif()
    assert np.array_equal(np.asarray(Image.open(stored).convert("RGB")), analysis.image.pixels)  # lossless


def test_subject_ids_are_pseudonyms(store: Store, analyses: list) -> None:
    with pytest.raises(InvalidInputError, match="subject id"):
        store.save_analysis(analyses[0], subject_id="Jane Doe; DROP TABLE")


def test_session_protocol_order_and_override(store: Store, analyses: list) -> None:
    sid = store.start_session("p1")
    with pytest.raises(StepRefused, match="sterilise the skin and tools first"):
        store.add_step(sid, "gentle_pressure")
    store.add_step(sid, "sterilise")
    with pytest.raises(StepRefused, match="find the core first"):
        store.add_step(sid, "gentle_pressure")
    store.add_step(sid, "identify_core", photo=analyses[0], note="dark opening at 2 o'clock")  # the old name
    store.add_step(sid, "gentle_pressure")
    store.add_step(sid, "release")
    store.add_step(sid, "aftercare", photo=analyses[1])
    info = store.session_info(sid)
    assert [s["step"] for s in info["steps"]] == ["sterilise", "find_the_core", "gentle_pressure", "release",
                                                  "aftercare"]
    assert info["steps"][1]["note"] == "dark opening at 2 o'clock"
    with pytest.raises(InvalidInputError, match="step must be one of"):
        store.add_step(sid, "squeeze_hard")


def test_do_not_extract_needs_an_override(store: Store) -> None:
    cyst = comedo.analyze(skin_scene((200, 260), seed=6).rgb, detector="classical", answers={"lesion_type": "cyst"})
    sid = store.start_session("p2", before=cyst)
    assert store.session_info(sid)["extraction_advice"] == "do_not_extract"
    store.add_step(sid, "sterilise")
    store.add_step(sid, "find_the_core")
    with pytest.raises(StepRefused, match="Nodules and cysts are deep.*--override"):
        store.add_step(sid, "gentle_pressure")
    store.add_step(sid, "gentle_pressure", override="dermatologist incision and drainage, in clinic")
    assert store.session_info(sid)["steps"][-1]["override_reason"].startswith("dermatologist")
    store.add_step(sid, "aftercare")  # stopping early is always allowed once sterilised


_WRITER = textwrap.dedent("""
    import sys, numpy as np
    from pathlib import Path
    import comedo
    from comedo.store.repository import Store
    url, data_dir, tag, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store = Store.open(url, data_dir=data_dir)
    for i in range(n):
        pixels = np.full((48, 64, 3), (190 + ord(tag[0]) % 20, 150, 130), np.uint8)  # each writer its own photos
        pixels[i // 64, i % 64] = (10, 10, 10)  # a distinct photo each time (a random spot could repeat one:
        # the same photo saved again for a subject is, by design, the row already there)
        store.save_analysis(comedo.analyze(pixels, detector="classical"), subject_id=tag)
        print(i, flush=True)
""")


def _writer(tmp_path: Path, url: str, tag: str, n: int) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    return subprocess.Popen([sys.executable, str(script), url, str(tmp_path), tag, str(n)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_processes_write_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    Store.open(url, data_dir=tmp_path).close()
    procs = [_writer(tmp_path, url, tag, 12) for tag in ("a", "b")]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    store = Store.open(url, data_dir=tmp_path)
    assert len(store.history("a")) == 12 and len(store.history("b")) == 12
    assert store.check() == []


def test_killed_during_saves_loses_nothing_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    Store.open(url, data_dir=tmp_path).close()
    proc = _writer(tmp_path, url, "k", 10_000)
    committed = 0
    deadline = time.time() + 120
    while committed < 8 and time.time() < deadline:  # let it commit a few, then kill it mid-stream
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line.split()[0]) + 1
    time.sleep(0.13)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # reap it and close its pipes
    store = Store.open(url, data_dir=tmp_path)
    rows = store.history("k")
    assert len(rows) >= committed  # everything it reported as saved is there
    for r in rows:  # and every record is whole: its document and its photo file
        assert store.document(r.analysis_id)["image"]["sha256"] == r.photo_sha256
        assert store.photo_path(r.photo_sha256).exists()
    assert store.check() == []


_SLOW_MIGRATION = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from alembic import op
    original = op.create_table
    def slow_create_table(*args, **kwargs):
        result = original(*args, **kwargs)
        Path(sys.argv[2]).write_text("inside the migration")
        time.sleep(120)
        return result
    op.create_table = slow_create_table
    from comedo.store.repository import Store
    Store.open(sys.argv[1], data_dir=Path(sys.argv[3]))
""")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_during_migration_opens_cleanly(tmp_path: Path, backend: str) -> None:
    if backend == "postgresql":
        gen = fresh_pg_database()
        url = next(gen)
    else:
        gen, url = None, f"sqlite:///{tmp_path / 'mig.sqlite'}"
    try:
        script, marker = tmp_path / "slow.py", tmp_path / "marker"
        script.write_text(_SLOW_MIGRATION)
        proc = subprocess.Popen([sys.executable, str(script), url, str(marker), str(tmp_path)],
                                stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "no marker"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        store = Store.open(url, data_dir=tmp_path)  # the half-done migration was rolled back; it runs again
        analysis = comedo.analyze(skin_scene((120, 160), seed=8).rgb, detector="classical")
        store.save_analysis(analysis, subject_id="m")
        assert len(store.history("m")) == 1 and store.check() == []
        store.close()
    finally:
        if gen is not None:
            for _ in gen:
                pass


def test_history_says_when_analyses_come_from_different_versions(tmp_path: Path, analyses: list) -> None:
    from dataclasses import replace

    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'versions.db'}"
    store = Store.open(url)
    old = replace(analyses[0], provenance={**analyses[0].provenance, "comedo_version": "0.1.0"})
    store.save_analysis(old, subject_id="v")
    store.save_analysis(analyses[1], subject_id="v")
    store.save_analysis(analyses[2], subject_id="w")
    store.close()
    result = CliRunner().invoke(app, ["history", "v", "--db", url])
    assert result.exit_code == 0, result.output
    assert f"made by comedo 0.1.0, {comedo.__version__}" in " ".join(result.stdout.split())
    single = CliRunner().invoke(app, ["history", "w", "--db", url])
    assert single.exit_code == 0 and "history of w" in single.stdout and "made by" not in single.stdout


def test_history_shows_the_estimated_full_count_where_the_analysis_has_one(tmp_path: Path, analyses: list) -> None:
    from dataclasses import replace

    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'estimate.db'}"
    store = Store.open(url)
    listed = analyses[0].severity.lesion_count
    # A graded (wider-view) severity with the grade model's estimate; the synthetic scenes are close-ups.
    dense = replace(analyses[0], severity=replace(analyses[0].severity, not_graded=None, hayashi_grade=0,
                                                    hayashi_label="mild", iga_grade=0, iga_label="clear",
                                                    nice_band="none", hayashi_count_grade=0,
                                                    estimated_lesion_count=listed + 7))
    store.save_analysis(analyses[1], subject_id="e")  # the classical detector: no estimate
    store.save_analysis(dense, subject_id="e")
    rows = store.history("e")
    store.close()
    assert [r.estimated_lesion_count for r in rows] == [None, listed + 7]
    result = CliRunner().invoke(app, ["history", "e", "--db", url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"{listed} (~{listed + 7})" in result.stdout


def test_history_fits_80_columns_names_grades_and_refuses_an_unknown_subject(tmp_path: Path, analyses: list) -> None:
    from dataclasses import replace

    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store.open(url)
    graded = replace(analyses[0], severity=replace(analyses[0].severity, not_graded=None, hayashi_grade=1,
                                                     hayashi_label="moderate", iga_grade=2, iga_label="mild",
                                                     nice_band="mild_to_moderate"))
    store.save_analysis(graded, subject_id="h")
    store.save_analysis(analyses[1], subject_id="h")  # a close-up: not graded
    store.close()
    result = CliRunner().invoke(app, ["history", "h", "--db", url], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "moderate" in result.stdout and "2 mild" in result.stdout
    unknown = CliRunner().invoke(app, ["history", "nobody", "--db", url])
    assert unknown.exit_code == 2 and "no analyses stored for subject 'nobody'" in unknown.stderr


def test_history_chart_spaces_visits_by_date_and_puts_grades_on_their_lines() -> None:
    from datetime import datetime, timedelta, timezone

    from comedo.render.history_chart import history_chart
    from comedo.store.repository import HistoryRow

    t0 = datetime(2026, 9, 1, 10, tzinfo=timezone.utc)
    rows = [HistoryRow(i + 1, t0 + timedelta(days=d), 10, 3, 6, 1, g, g, "mild", "slight", 3.0, 5, "self_care", "x")
            for i, (d, g) in enumerate([(0, 3), (1, None), (60, 1)])]  # the second is a close-up: not graded
    img = history_chart(rows, "s")
    assert img.dtype == np.uint8 and img.shape[1] == 900 and img.shape[2] == 3
    # The grade panel: the 60-day gap shows as distance, so the last marker sits far right of the first two.
    green = np.all(np.abs(img.astype(int) - (0, 158, 115)) <= 12, axis=2)  # the IGA markers (#009E73)
    cols = np.flatnonzero(green[int(0.66 * img.shape[0]):, :760].any(axis=0))  # the grade panel, legend left out
    assert cols.size and cols.max() - cols.min() > 400  # day 0 and day 60, not two evenly spaced steps


def test_history_keeps_lesions_by_face_zone_and_gags_and_charts_them(tmp_path: Path, analyses: list,
                                                                      sample_path: Path) -> None:
    from typer.testing import CliRunner

    from comedo.cli.main import app
    from comedo.render.history_chart import history_chart

    face = comedo.analyze(sample_path)
    url = f"sqlite:///{tmp_path / 'z.db'}"
    store = Store.open(url, data_dir=tmp_path)
    store.save_analysis(face, subject_id="z")
    store.save_analysis(analyses[1], subject_id="z")  # no face map
    rows = store.history("z")
    store.close()
    zones = rows[0].zone_lesions
    assert zones is not None and list(zones) == ["forehead", "right_cheek", "left_cheek", "nose", "chin"]
    assert zones["left_cheek"] is None  # the side view's far cheek: not visible, not clear
    assert sum(v for v in zones.values() if v) == sum(z in zones for z in face.lesions.zone)
    assert rows[0].gags_score == face.severity.gags.score and rows[1].zone_lesions is None
    assert history_chart(rows, "z").shape[0] > history_chart(rows[1:], "z").shape[0]  # a fourth panel
    result = CliRunner().invoke(app, ["history", "z", "--db", url, "--out", str(tmp_path)], env={"COLUMNS": "100"})
    assert result.exit_code == 0 and "GAGS" in result.stdout, result.output
    assert (tmp_path / "history-z.png").exists()


def test_compare_two_stored_analyses_of_a_subject_from_the_cli(tmp_path: Path, sample_path: Path) -> None:
    from PIL import Image, ImageOps
    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'c.db'}"
    mirrored = tmp_path / "selfie.png"
    ImageOps.mirror(Image.open(sample_path).convert("RGB")).save(mirrored)
    store = Store.open(url, data_dir=tmp_path)
    ids = [store.save_analysis(comedo.analyze(p), subject_id="c-1") for p in (sample_path, mirrored)]
    store.close()
    env = {"COMEDO_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["compare", "--subject", "c-1", "--db", url, "--out", str(tmp_path / "o")],
                                env=env)
    assert result.exit_code == 0, result.output
    assert f"#{ids[0]}" in result.stdout and f"#{ids[1]}" in result.stdout and "a mirror image" in result.stdout
    assert (tmp_path / "o" / "comparison.json").exists()
    again = CliRunner().invoke(app, ["compare", "--subject", "c-1", "--ids", str(ids[1]), str(ids[0]), "--db", url],
                               env=env)
    assert again.exit_code == 0 and again.stdout.startswith(f"#{ids[1]}"), again.output
    missing = CliRunner().invoke(app, ["compare", "--subject", "c-1", "--ids", "1", "999", "--db", url], env=env)
    assert missing.exit_code == 2 and "no stored analysis 999" in missing.stderr
    both = CliRunner().invoke(app, ["compare", str(sample_path), "--subject", "c-1", "--db", url], env=env)
    assert both.exit_code == 2 and "not both" in both.stderr
    neither = CliRunner().invoke(app, ["compare"], env=env)
    assert neither.exit_code == 2 and "BEFORE and AFTER" in neither.stderr


def test_history_in_80_columns_keeps_words_whole(tmp_path: Path, sample_path: Path) -> None:
    """Issue 33: in 80 columns the redness column was printed a character per line."""
    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store.open(url, data_dir=tmp_path)
    store.save_analysis(comedo.analyze(sample_path), subject_id="w")
    store.save_analysis(comedo.analyze(sample_path.parents[3] / "tests" / "data" / "mild_face.jpg"), subject_id="w")
    rows = store.history("w")
    store.close()
    result = CliRunner().invoke(app, ["history", "w", "--db", url], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) <= 4 + 2 * len(rows), result.stdout  # a row takes at most two lines
    for row in rows:  # the redness grade and the triage level whole, in words
        assert row.irritation in result.stdout and row.triage_level.replace("_", "-") in result.stdout
    assert "_" not in result.stdout  # no raw codes (very_severe, self_care)
