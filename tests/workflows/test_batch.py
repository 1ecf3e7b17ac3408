"""Batch: local processes, a real two-worker Dask LocalCluster, and kill-and-resume."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic import add_dots, skin_scene

from comedo.workflows.batch import analyze_many, collect_inputs, write_summary


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for i in range(10):
        scene = add_dots(skin_scene((240, 320), seed=i), 5, seed=i)
        Image.fromarray(scene.rgb).save(folder / f"p{i:02d}.png")
    (folder / "sub").mkdir()
    Image.fromarray(skin_scene((200, 200), seed=99).rgb).save(folder / "sub" / "deep.jpg")
    (folder / "broken.jpg").write_bytes(b"not a photo")
    return folder


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_collect_inputs(photos: Path, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"{photos / 'p00.png'}\n# a comment\n{photos / 'p01.png'}\n")
    assert len(collect_inputs([photos])) == 12
    assert len(collect_inputs([str(photos / "p0*.png")])) == 10
    assert len(collect_inputs([f"@{listing}", photos / "p00.png"])) == 2  # deduplicated


def test_local_workers_and_resume(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = list(analyze_many(collect_inputs([photos]), out, workers=2, detector="classical"))
    assert sum(r.ok for r in first) == 11 and [r for r in first if not r.ok][0].path.endswith("broken.jpg")
    write_summary(out)
    rows = _rows(out)
    assert len(rows) == 12 and sum(1 for r in rows if r["error"]) == 1
    second = list(analyze_many(collect_inputs([photos]), out, workers=2, detector="classical"))
    assert all(r.skipped for r in second)
    import pyarrow.parquet as pq

    assert pq.read_table(out / "summary.parquet").num_rows == 12
    assert "Batch summary" in (out / "summary.html").read_text()


def test_dask_local_cluster(photos: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results = list(analyze_many(collect_inputs([photos]), tmp_path / "out", scheduler=cluster.scheduler_address,
                                    detector="classical"))
    assert sum(r.ok for r in results) == 11 and len(results) == 12
    assert len(list((tmp_path / "out" / "results").glob("*.json"))) == 11


def test_killed_batch_resumes_with_every_photo_exactly_once(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(24):
        rgb = skin_scene((240, 320), seed=100 + i).rgb
        Image.fromarray(rgb).save(folder / f"q{i:02d}.png")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(out), "--workers", "2",
           "--detector", "classical"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "results").glob("*.json"))) < 5:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole job, workers included, as a crash or an OOM kill would
    proc.wait(timeout=30)
    time.sleep(0.5)
    partial = len(list((out / "results").glob("*.json")))
    assert 0 < partial < 24
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    rows = _rows(out)
    assert len(rows) == 24 and len({r["sha256"] for r in rows}) == 24
    assert sorted(Path(r["path"]).name for r in rows) == sorted(f"q{i:02d}.png" for i in range(24))
    assert f"{24 - partial} analysed, {partial} already done" in rerun.stdout
    for f in (out / "results").glob("*.json"):  # every result file is whole JSON
        assert f.read_text().endswith("}")
    assert np.isfinite(float(rows[0]["lesions"]))


def test_a_batch_with_bad_photos_completes_lists_each_once_and_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(skin_scene((240, 320), seed=200 + i).rgb).save(folder / f"ok{i}.png")
    Image.new("RGB", (10000, 2), (200, 150, 130)).save(folder / "thin.png")  # used to kill the whole run
    (folder / "broken.jpg").write_bytes(b"not a photo")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(out), "--workers", "1",
           "--detector", "classical"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 2, first.stderr
    assert "Traceback" not in first.stderr + first.stdout
    assert "3 analysed, 0 already done, 2 failed" in first.stdout
    rows = _rows(out)
    assert sorted(Path(r["path"]).name for r in rows) == ["broken.jpg", "ok0.png", "ok1.png", "ok2.png", "thin.png"]
    assert "at least 32 px" in next(r["error"] for r in rows if r["path"].endswith("thin.png"))
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "2 failed in an earlier run" in again.stdout
    assert "thin.png" in again.stderr  # the earlier failures are listed, not hidden
    Image.fromarray(skin_scene((240, 320), seed=300).rgb).save(folder / "thin.png")  # mended: new bytes, retried
    third = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "1 analysed" in third.stdout and third.returncode == 2  # broken.jpg still fails
    rows = _rows(out)  # each photo once: the mended file's result supersedes its old error
    assert sorted(Path(r["path"]).name for r in rows) == ["broken.jpg", "ok0.png", "ok1.png", "ok2.png", "thin.png"]
    assert not next(r["error"] for r in rows if r["path"].endswith("thin.png"))


def test_batch_out_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comedo.cli.main import app

    target = tmp_path / "out.txt"
    target.write_text("mine")
    Image.fromarray(skin_scene((240, 320), seed=1).rgb).save(tmp_path / "a.png")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "a.png"), "--out", str(target)])
    assert result.exit_code == 2 and "exists and is not a folder" in result.stderr
    assert target.read_text() == "mine"


def _photo(path: Path, seed: int) -> Path:
    Image.fromarray(skin_scene((240, 320), seed=seed).rgb).save(path)
    return path


def test_one_row_per_name_for_its_latest_content(tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    _photo(folder / "a.png", 400)
    (folder / "b.png").write_bytes((folder / "a.png").read_bytes())  # the same bytes under another name
    _photo(folder / "c.png", 401)
    out = tmp_path / "out"
    first = list(analyze_many(collect_inputs([folder]), out, workers=1, detector="classical"))
    assert sorted(Path(r.path).name for r in first) == ["a.png", "b.png", "c.png"] and all(r.ok for r in first)
    write_summary(out)
    rows = {Path(r["path"]).name: r for r in _rows(out)}
    assert sorted(rows) == ["a.png", "b.png", "c.png"]  # both names of the same bytes are listed
    assert rows["a.png"]["sha256"] == rows["b.png"]["sha256"] != rows["c.png"]["sha256"]
    old_c = rows["c.png"]["sha256"]
    _photo(folder / "c.png", 402)  # replaced under the same name
    second = list(analyze_many(collect_inputs([folder]), out, workers=1, detector="classical"))
    assert [Path(r.path).name for r in second if not r.skipped] == ["c.png"]
    write_summary(out)
    rows = {Path(r["path"]).name: r for r in _rows(out)}
    assert len(_rows(out)) == 3 and sorted(rows) == ["a.png", "b.png", "c.png"]
    assert rows["c.png"]["sha256"] not in (old_c, "") and not rows["c.png"]["error"]


def _workers_of(pid: int) -> list[int]:
    """The pool workers (spawned children) of process ``pid``; the resource tracker is left out."""
    import psutil

    found = []
    for child in psutil.Process(pid).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child.pid)
        except psutil.Error:
            continue
    return found


def test_a_killed_worker_is_replaced_and_its_photo_retried_once_then_reported(tmp_path: Path) -> None:
    import threading

    folder = tmp_path / "kill"
    folder.mkdir()
    for name, seed in (("a.png", 500), ("b.png", 501), ("c.png", 502), ("d.png", 503)):
        _photo(folder / name, seed)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(out), "--workers", "1",
           "--detector", "classical"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed: list[int] = []

    def kill_the_first_two_workers() -> None:
        # Each worker is killed by PID as soon as it is seen, long before it can import the pipeline: the
        # first takes a.png (and b.png) down with it; a.png, retried alone, takes the second down too.
        deadline = time.time() + 120
        while len(killed) < 2 and proc.poll() is None and time.time() < deadline:
            for pid in _workers_of(proc.pid):
                if pid not in killed:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.005)

    killer = threading.Thread(target=kill_the_first_two_workers)
    killer.start()
    stdout, stderr = proc.communicate(timeout=300)
    killer.join()
    assert len(killed) == 2
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stdout + stderr and "BrokenProcessPool" not in stderr
    assert "3 analysed, 0 already done, 1 failed" in stdout
    rows = {Path(r["path"]).name: r for r in _rows(out)}  # the run completed and wrote its summary
    assert sorted(rows) == ["a.png", "b.png", "c.png", "d.png"]
    assert "worker process died" in rows["a.png"]["error"]
    assert not any(rows[n]["error"] for n in ("b.png", "c.png", "d.png"))  # b.png was in flight too: not blamed


def test_a_killed_batch_leaves_no_worker_behind(tmp_path: Path) -> None:
    import psutil

    folder = tmp_path / "orphans"
    folder.mkdir()
    for i in range(12):
        _photo(folder / f"o{i:02d}.png", 600 + i)
    cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(tmp_path / "out"),
           "--workers", "2", "--detector", "classical"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(_workers_of(proc.pid)) < 2:
        time.sleep(0.02)
    children = psutil.Process(proc.pid).children()  # the two workers and the resource tracker
    assert len(_workers_of(proc.pid)) == 2 and len(children) >= 3
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)  # the batch alone, as an OOM kill would: no cleanup runs
    proc.wait(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=15)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:  # leave nothing behind even when the test fails
        p.kill()
    assert not alive, [p.pid for p in alive]


def test_file_names_are_printed_as_text_never_markup(tmp_path: Path) -> None:
    folder = tmp_path / "x["
    folder.mkdir()
    (folder / "scan [front].jpg").write_bytes(b"not a photo")
    _photo(folder / "ok.png", 700)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(out), "--workers", "1",
           "--detector", "classical"]
    for run in ("first", "rerun"):  # the rerun lists the earlier failure: printed the same way
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, (run, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout and "MarkupError" not in proc.stderr
        assert f"{folder / 'scan [front].jpg'}" in proc.stderr, run
        assert sorted(Path(r["path"]).name for r in _rows(out)) == ["ok.png", "scan [front].jpg"]


def _blocked_on_a_lease(pids: list[int]) -> list[int]:
    """The processes among ``pids`` with a thread waiting in ``open`` for a file lease to be given up."""
    blocked = []
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
            if any(Path(f"/proc/{pid}/task/{tid}/wchan").read_text() == "__break_lease" for tid in threads):
                blocked.append(pid)
        except OSError:  # gone meanwhile
            continue
    return blocked


@pytest.mark.skipif(sys.platform != "linux", reason="file leases and /proc are Linux's")
def test_a_killed_dask_worker_is_replaced_and_its_photo_retried_once_then_reported(tmp_path: Path) -> None:
    """A Dask worker SIGKILLed mid-photo, on a loopback LocalCluster of worker processes: the photo is tried on
    another worker, and reported as failed when that one is killed too; the others complete, the summary is
    written, the failure is listed on a rerun, and the workers the nannies start again get the batch's set-up.

    The photo blocks in the worker's ``open`` while the test holds a write lease on it (fcntl F_SETLEASE: an
    open by anyone else waits for the holder up to /proc/sys/fs/lease-break-time, 45 s), so the kill always
    lands mid-photo. The cluster starts with no worker, so the batch has hashed every photo (its own reads
    would wait for the lease too) before the lease is taken and the workers start."""
    import fcntl
    import threading

    import dask
    import psutil
    from distributed import Client, LocalCluster

    from comedo.nets.session import session_threads

    folder = tmp_path / "dask-kill"
    folder.mkdir()
    names = ["a.png", "b.png", "c.png", "d.png", "e.png", "f.png"]
    paths = [_photo(folder / name, 800 + k) for k, name in enumerate(names)]
    out = tmp_path / "out"
    settings = {"distributed.scheduler.allowed-failures": 1,  # a photo survives one death, as on local workers
                "distributed.scheduler.worker-saturation": 1.0}  # a worker holds only the photo it runs
    previous_sigio = signal.signal(signal.SIGIO, signal.SIG_IGN)  # the kernel tells the lease holder by SIGIO
    lease = None
    with dask.config.set(settings), LocalCluster(n_workers=0, threads_per_worker=1, processes=True,
                                                 dashboard_address=None) as cluster:
        results: list = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                results.extend(analyze_many(paths, out, scheduler=cluster.scheduler_address, detector="classical"))
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
                failure.append(exc)

        batch = threading.Thread(target=run)
        batch.start()
        try:
            deadline = time.time() + 60
            while len(cluster.scheduler.tasks) < len(names) and batch.is_alive() and time.time() < deadline:
                time.sleep(0.01)
            assert len(cluster.scheduler.tasks) == len(names), failure  # every photo hashed and submitted
            lease = os.open(paths[0], os.O_WRONLY)
            fcntl.fcntl(lease, fcntl.F_SETLEASE, fcntl.F_WRLCK)
            cluster.scale(2)
            killed: list[int] = []
            deadline = time.time() + 40  # well inside the lease's 45 s
            while batch.is_alive() and time.time() < deadline:
                workers = [p.pid for p in psutil.Process().children(recursive=True)]
                for pid in _blocked_on_a_lease(workers):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.02)
            batch.join(timeout=120)
        finally:
            if lease is not None:
                fcntl.fcntl(lease, fcntl.F_SETLEASE, fcntl.F_UNLCK)
                os.close(lease)
            signal.signal(signal.SIGIO, previous_sigio)
        assert not batch.is_alive()
        assert not failure, failure  # the batch did not stop on the dead workers
        assert len(killed) == 2, killed
        with Client(cluster.scheduler_address) as client:  # the nannies' new workers were set up as the first
            client.wait_for_workers(2, timeout=60)
            assert set(client.run(session_threads).values()) == {1}
    by_name = {Path(r.path).name: r for r in results}
    assert sorted(by_name) == names
    assert not by_name["a.png"].ok and "worker process died" in str(by_name["a.png"].error)
    assert all(by_name[n].ok for n in names[1:])
    write_summary(out)
    rows = {Path(r["path"]).name: r for r in _rows(out)}
    assert sorted(rows) == names and "worker process died" in rows["a.png"]["error"]
    rerun = list(analyze_many(paths, out, workers=1, detector="classical"))  # listed, not redone
    assert all(r.skipped for r in rerun) and [Path(r.path).name for r in rerun if not r.ok] == ["a.png"]


def test_a_lost_dask_scheduler_is_one_line(tmp_path: Path) -> None:
    """The scheduler closes while the batch waits on its photos (no worker ever joins, so they are still
    pending): ``comedo batch --scheduler`` ends with one error line, not FutureCancelledError's traceback."""
    from distributed import LocalCluster

    folder = tmp_path / "lost"
    folder.mkdir()
    for k in range(3):
        _photo(folder / f"l{k}.png", 900 + k)
    cluster = LocalCluster(n_workers=0, processes=True, dashboard_address=None)
    try:
        cmd = [sys.executable, "-m", "comedo.cli.main", "batch", str(folder), "--out", str(tmp_path / "out"),
               "--detector", "classical", "--scheduler", cluster.scheduler_address]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while len(cluster.scheduler.tasks) < 3 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert len(cluster.scheduler.tasks) == 3  # submitted, waiting
    finally:
        cluster.close()
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("comedo: error")]
    assert len(errors) == 1 and "lost the Dask scheduler" in errors[0], stderr
